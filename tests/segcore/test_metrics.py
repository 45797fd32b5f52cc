"""Known answers for segcore.metrics on hand-made arrays."""
from __future__ import annotations

import math

import numpy as np
import pytest

from segcore import metrics as M


def _halves(h=20, w=20):
    a = np.zeros((h, w), dtype=np.int32)
    a[:, w // 2:] = 1
    return a


# ----------------------------------------------------------------- masks

def test_iou_identical_disjoint_and_half_overlap():
    a = np.zeros((10, 10), bool)
    a[:, :4] = True                      # 40 px
    b = np.zeros((10, 10), bool)
    b[:, 2:6] = True                     # 40 px, overlap 20 px, union 60 px
    assert M.iou(a, a) == 1.0
    assert M.iou(a, ~a) == 0.0
    assert M.iou(a, b) == pytest.approx(20 / 60)
    assert M.dice(a, b) == pytest.approx(2 * 20 / 80)
    j = M.iou(a, b)
    assert M.dice(a, b) == pytest.approx(2 * j / (1 + j))
    assert M.iou(np.zeros((3, 3)), np.zeros((3, 3))) == 1.0


def test_pixel_accuracy():
    a = np.zeros((10, 10), bool)
    b = a.copy()
    b[0, :5] = True
    assert M.pixel_accuracy(a, b) == pytest.approx(0.95)


def test_size_mismatch_message():
    with pytest.raises(ValueError, match=r"same size: 100x80 vs 90x80"):
        M.iou(np.zeros((80, 100)), np.zeros((80, 90)))
    with pytest.raises(ValueError, match="same size"):
        M.psnr(np.zeros((80, 100), np.uint8), np.zeros((80, 90), np.uint8))
    with pytest.raises(ValueError, match="same size"):
        M.boundary_recall(np.zeros((8, 10), int), np.zeros((8, 9), int))


# ----------------------------------------------------------------- label images

def test_ari_relabelled_and_random():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 5, (60, 60))
    relabelled = np.array([7, 3, 9, 1, 4])[a]
    assert M.adjusted_rand_index(a, relabelled) == pytest.approx(1.0)
    b = rng.integers(0, 5, (60, 60))
    assert abs(M.adjusted_rand_index(a, b)) < 0.02
    # known value: two halves against four quarters
    q = _halves(20, 20)
    q4 = q * 2 + (np.arange(20)[:, None] >= 10)
    # pairs: n=400, C(n,2)=79800; a: 2x200 -> 39800; b: 4x100 -> 19800; cells 4x100 -> 19800
    expected_e = 39800 * 19800 / 79800
    ari = (19800 - expected_e) / (0.5 * (39800 + 19800) - expected_e)
    assert M.adjusted_rand_index(q, q4) == pytest.approx(ari)


def test_vi_zero_for_identical_and_parts():
    a = _halves()
    vi = M.variation_of_information(a, a + 5)
    assert vi.total == pytest.approx(0.0, abs=1e-12)
    # splitting each half in two: H(b|a) = 1 bit, H(a|b) = 0
    b = a * 2 + (np.arange(20)[:, None] >= 10)
    vi = M.variation_of_information(a, b)
    assert vi.b_given_a == pytest.approx(1.0)
    assert vi.a_given_b == pytest.approx(0.0, abs=1e-12)
    assert vi.total == pytest.approx(1.0)


def test_boundary_recall_tolerance():
    truth = _halves(30, 30)                 # vertical boundary at columns 14|15
    assert M.boundary_recall(truth, truth) == 1.0
    shifted = np.zeros_like(truth)
    shifted[:, 16:] = 1                     # boundary moved right by 1 px
    assert M.boundary_recall(shifted, truth, tolerance=2) == 1.0
    assert M.boundary_recall(shifted, truth, tolerance=0) < 1.0
    assert M.boundary_recall(shifted, truth, tolerance=0) == pytest.approx(0.5)
    far = np.zeros_like(truth)
    far[:, 25:] = 1
    assert M.boundary_recall(far, truth, tolerance=2) == 0.0
    # a stack of annotators gives the mean of the per-annotator recalls
    stack = np.stack([truth, far])
    assert M.boundary_recall(truth, stack, tolerance=0) == pytest.approx(0.5)
    # label ids do not matter in the default mode
    assert M.boundary_recall(shifted + 1, truth, tolerance=0) == pytest.approx(0.5)


def test_undersegmentation_error():
    truth = _halves(20, 20)
    assert M.undersegmentation_error(truth, truth) == 0.0
    over = truth * 2 + (np.arange(20)[:, None] >= 10)   # quarters inside halves
    assert M.undersegmentation_error(over, truth) == 0.0
    one = np.zeros_like(truth)
    # one segment covering two halves of 200 px: for each half min(200, 200)
    assert M.undersegmentation_error(one, truth) == pytest.approx(400 / 400)
    leak = truth.copy()
    leak[:, 10] = 0                          # 20 px leak into the left region
    # left region S0 (200 px): segment 0 (220 px) -> min(200, 20) = 20; S1: seg 0 min(20,200)=20, seg1 0
    assert M.undersegmentation_error(leak, truth) == pytest.approx(40 / 400)


def test_region_stats_two_regions():
    labels = np.zeros((10, 20), np.int32)
    labels[:, :10] = 1
    labels[2:6, 12:16] = 2
    img = np.zeros((10, 20, 3), np.uint8)
    img[labels == 1] = (255, 0, 0)
    img[labels == 2] = (0, 128, 255)
    df = M.region_stats(labels, img)
    for col in ("label", "area", "centroid_row", "centroid_col", "bbox_min_row", "bbox_max_col",
                "perimeter", "eccentricity", "solidity", "mean_R", "mean_G", "mean_B", "mean_hex"):
        assert col in df.columns
    assert list(df["label"]) == [1, 2]
    assert list(df["area"]) == [100, 16]
    r2 = df.iloc[1]
    assert (r2.centroid_row, r2.centroid_col) == (3.5, 13.5)
    assert (r2.bbox_min_row, r2.bbox_min_col, r2.bbox_max_row, r2.bbox_max_col) == (2, 12, 6, 16)
    assert (r2.mean_R, r2.mean_G, r2.mean_B) == (0, 128, 255)
    assert df.iloc[0].mean_hex == "#ff0000"
    assert r2.solidity == pytest.approx(1.0)
    grey = M.region_stats(labels, img[..., 0])
    assert list(grey["mean_intensity"]) == [255, 0]


# ----------------------------------------------------------------- restoration

def test_psnr_uint8_constant_offset():
    rng = np.random.default_rng(1)
    ref = rng.integers(0, 250, (40, 50)).astype(np.uint8)
    img = ref + 5
    assert M.psnr(ref, img) == pytest.approx(20 * math.log10(255 / 5))
    assert M.mse(ref, img) == pytest.approx(25.0)
    assert M.psnr(ref, ref) == math.inf


def test_psnr_data_range_by_dtype():
    rng = np.random.default_rng(2)
    ref8 = rng.integers(100, 150, (32, 32)).astype(np.uint8)  # narrow observed range
    img8 = ref8 + 5
    expected = 20 * math.log10(255 / 5)
    ref16 = ref8.astype(np.uint16) * 257
    img16 = img8.astype(np.uint16) * 257
    assert M.psnr(ref16, img16) == pytest.approx(expected)   # 65535 / (5*257)
    reff = ref8 / 255.0
    imgf = img8 / 255.0
    assert M.psnr(reff, imgf) == pytest.approx(expected)
    # data range is the dtype's, not the observed one
    assert M.psnr(reff, imgf, data_range=2.0) == pytest.approx(expected + 20 * math.log10(2))
    assert M.default_data_range(ref16) == 65535
    # SSIM: the same image in three dtypes gives the same value
    s8 = M.ssim(ref8, img8)
    assert M.ssim(ref16, img16) == pytest.approx(s8, abs=1e-6)
    assert M.ssim(reff, imgf) == pytest.approx(s8, abs=1e-6)
    # mixed dtypes are compared on [0, 1]
    assert M.psnr(ref8, imgf) == pytest.approx(expected)


def test_ssim_identical_and_colour():
    rng = np.random.default_rng(3)
    ramp = np.linspace(40, 200, 40)
    ref = np.dstack([np.add.outer(ramp, ramp) / 2, np.tile(ramp, (40, 1)), np.full((40, 40), 90.0)])
    ref = ref.astype(np.uint8)
    assert M.ssim(ref, ref) == pytest.approx(1.0)
    noisy = np.clip(ref + rng.normal(0, 20, ref.shape), 0, 255).astype(np.uint8)
    assert M.ssim(ref, noisy) < 0.6
    # colour SSIM is the mean of the per-channel values
    per_channel = [M.ssim(ref[..., c], noisy[..., c]) for c in range(3)]
    assert M.ssim(ref, noisy) == pytest.approx(np.mean(per_channel))


def test_masked_variants_and_report():
    rng = np.random.default_rng(4)
    ref = rng.integers(20, 200, (40, 40)).astype(np.uint8)
    img = ref.copy()
    mask = np.zeros(ref.shape, bool)
    mask[:, :20] = True
    img[mask] += 10                                   # damage only inside
    assert M.psnr_masked(ref, img, mask) == pytest.approx(20 * math.log10(255 / 10))
    assert M.psnr_masked(ref, img, ~mask) == math.inf
    assert M.ssim_masked(ref, img, mask) < M.ssim_masked(ref, img, ~mask)
    assert math.isnan(M.psnr_masked(ref, img, np.zeros_like(mask)))
    rep = M.quality_report(ref, img, mask=mask)
    assert rep["psnr"] == pytest.approx(20 * math.log10(255 / 10) + 10 * math.log10(2))
    assert rep["ssim"] == pytest.approx(M.ssim(ref, img))
    assert rep["psnr_inside"] == pytest.approx(M.psnr_masked(ref, img, mask))
    assert rep["ssim_outside"] == pytest.approx(M.ssim_masked(ref, img, ~mask))
    assert rep["mask_fraction"] == 0.5
    assert set(M.quality_report(ref, img)) == {"psnr", "ssim", "mse", "data_range"}


def test_estimate_noise_sigma_on_0_255_scale():
    rng = np.random.default_rng(5)
    clean = np.full((128, 128), 128.0)
    noisy8 = np.clip(clean + rng.normal(0, 15, clean.shape), 0, 255).astype(np.uint8)
    s8 = M.estimate_noise_sigma(noisy8)
    assert s8 == pytest.approx(15, abs=1.0)
    assert M.estimate_noise_sigma(noisy8 / 255.0) == pytest.approx(s8, rel=1e-6)
    assert M.estimate_noise_sigma(noisy8.astype(np.uint16) * 257) == pytest.approx(s8, rel=1e-6)
    colour = np.dstack([noisy8] * 3)
    assert M.estimate_noise_sigma(colour) == pytest.approx(s8, rel=1e-6)


def test_noise_sigma_of_flat_channel_is_zero_without_warning():
    import warnings

    from segcore.metrics import estimate_noise_sigma

    rng = np.random.default_rng(0)
    image = np.full((48, 48, 3), 127, np.uint8)
    image[..., 0] = np.clip(127 + rng.normal(0, 10, (48, 48)), 0, 255).astype(np.uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert estimate_noise_sigma(np.zeros((16, 16), np.uint8)) == 0.0
        sigma = estimate_noise_sigma(image)
    assert 2.0 < sigma < 5.0  # one noisy channel of three: about 10 / 3
