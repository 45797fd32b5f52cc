"""compare() tables and J-invariance calibration."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from segcore import degrade, tuning
from segcore.metrics import psnr
from segcore.registry import ParamError


def test_compare_ranks_by_psnr_with_reference():
    rng = np.random.default_rng(0)
    clean = np.zeros((64, 64))
    clean[16:48, 16:48] = 0.8
    noisy = np.clip(clean + rng.normal(0, 0.1, clean.shape), 0, 1)
    cands = [("gaussian", {"sigma": 0.1}), ("gaussian", {"sigma": 1.0}), ("median", {"size": 3})]
    df = tuning.compare(noisy, cands, reference=clean)
    assert list(df.columns) == ["method", "parameters", "PSNR", "SSIM", "runtime_s", "rank"]
    assert len(df) == 3 and df["PSNR"].is_monotonic_decreasing
    assert list(df["rank"]) == [1, 2, 3]
    assert np.isfinite(df[["PSNR", "SSIM", "runtime_s"]].to_numpy(float)).all()
    # the barely-smoothing candidate is last
    assert df.iloc[-1]["parameters"] == "sigma=0.1"
    best = df.index[0]
    assert psnr(clean, df.attrs["images"][best]) == pytest.approx(df.iloc[0]["PSNR"])


def test_compare_without_reference_and_masked():
    img = np.full((32, 32), 100, np.uint8)
    img[10:12] = 255
    mask = np.zeros(img.shape, bool)
    mask[9:13] = True
    df = tuning.compare(img, [("median", {}), ("gaussian", {})])
    assert df["PSNR"].isna().all() and df["runtime_s"].is_monotonic_increasing
    ref = np.full((32, 32), 100, np.uint8)
    df = tuning.compare(img, [("inpaint_telea", {}), ("inpaint_ns", {})], reference=ref, mask=mask)
    assert (df["PSNR"] > 30).all()
    with pytest.raises(ParamError):
        tuning.compare(img, [("inpaint_telea", {})])


def test_calibrate_tv_matches_oracle(datasets):
    img = np.array(Image.open(datasets / "bsd68" / "test003.png"))[:160, :240]
    d = degrade.gaussian_noise(img, sigma=25, seed=0)
    cal = tuning.calibrate(d.image, "tv_chambolle")
    assert cal.param_name == "weight" and len(cal.losses) == len(cal.values)
    assert cal.denoised.dtype == np.uint8 and cal.denoised.shape == img.shape
    from segcore import apply
    oracle = max(psnr(img, apply("tv_chambolle", d.image, weight=v).image) for v in cal.values)
    tuned = psnr(img, cal.denoised)
    assert tuned >= oracle - 0.5
    assert tuned > psnr(img, d.image) + 5


def test_calibrate_custom_grid_and_errors():
    rng = np.random.default_rng(1)
    noisy = np.clip(0.5 + rng.normal(0, 0.1, (48, 48)), 0, 1)
    cal = tuning.calibrate(noisy, "gaussian", "sigma", [0.3, 1.0, 3.0])
    assert cal.values == [0.3, 1.0, 3.0]
    assert cal.best_value == 3.0        # a flat image: the strongest smoothing wins
    assert cal.best_params["sigma"] == 3.0
    with pytest.raises(ParamError):
        tuning.calibrate(noisy, "inpaint_telea")
    with pytest.raises(ParamError):
        tuning.calibrate(noisy, "wiener")
    for mid, (name, values) in tuning.DEFAULT_GRIDS.items():
        from segcore import get
        p = get(mid).param(name)
        for v in values:
            p.validate(v)
