"""The quality benchmark's quick mode produces complete tables with finite numbers."""
from __future__ import annotations

import numpy as np
import pytest

from bench import quality


@pytest.mark.slow
def test_quick_mode_tables(datasets, tmp_path):
    out = tmp_path / "q.md"
    results = quality.main(["--quick", "--out", str(out), "--datasets", str(datasets)])
    text = out.read_text()
    assert set(results) == {"denoise", "inpaint", "scratches", "guided"}
    for _, (title, df, note, secs) in results.items():
        assert title in text and len(df) > 0

    den = results["denoise"][1]
    expected = {"noisy input", *quality.DENOISERS, "tv_chambolle J-invariance",
                "tv_chambolle oracle", "BM3D (published)", "DnCNN (published)"}
    assert set(den["method"]) == expected
    psnr_cols = [c for c in den.columns if c.startswith("PSNR")]
    assert len(psnr_cols) == 3
    assert np.isfinite(den[psnr_cols].to_numpy(float)).all()
    ssim_cols = [c for c in den.columns if c.startswith("SSIM")]
    measured = den[den["method"].isin(list(quality.DENOISERS))]
    assert np.isfinite(measured[ssim_cols].to_numpy(float)).all()
    # every denoiser improves on the noisy input at every sigma
    noisy = den[den["method"] == "noisy input"][psnr_cols].to_numpy(float)
    assert (measured[psnr_cols].to_numpy(float) > noisy).all()
    # J-invariance never beats the oracle on the same grid
    j = den[den["method"] == "tv_chambolle J-invariance"][psnr_cols].to_numpy(float)
    o = den[den["method"] == "tv_chambolle oracle"][psnr_cols].to_numpy(float)
    assert (j <= o + 1e-9).all()

    inp = results["inpaint"][1]
    assert list(inp["method"]) == list(quality.INPAINTERS)
    assert np.isfinite(inp[["PSNR in holes", "PSNR whole image"]].to_numpy(float)).all()

    scr = results["scratches"][1]
    assert list(scr["dataset"]) == ["Set12", "Kodak24"]
    nums = scr.drop(columns=["dataset"]).to_numpy(float)
    assert np.isfinite(nums).all()
    assert (scr["PSNR detect+Telea"] > scr["PSNR damaged"]).all()

    gd = results["guided"][1]
    assert len(gd) == 4 and np.isfinite(gd.drop(columns=["strategy"]).to_numpy(float)).all()
    assert text.count("|---") >= 4
