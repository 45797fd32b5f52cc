"""Denoising: known improvements on BSD68 and known answers on synthetic images."""
import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio as psnr

import segcore
from segcore.restore import denoise
from tests.conftest import disk_image

try:
    import pywt  # noqa: F401
    HAVE_PYWT = True
except ImportError:
    HAVE_PYWT = False

needs_pywt = pytest.mark.skipif(
    not HAVE_PYWT,
    reason="PyWavelets (pywt) is not installed; skimage's denoise_wavelet needs it "
           "(add PyWavelets to requirements.txt)",
)


def _image(out):
    return out[0] if isinstance(out, tuple) else out


@pytest.fixture(scope="module")
def bsd10(datasets):
    """First ten BSD68 images, clean and with Gaussian noise sigma 25 (0-255 scale,
    rng seed 0), clipped and rounded down to uint8."""
    from PIL import Image

    rng = np.random.default_rng(0)
    clean = [np.asarray(Image.open(datasets / "bsd68" / f"test{i:03d}.png").convert("L"))
             for i in range(1, 11)]
    noisy = [np.clip(c + rng.normal(0, 25, c.shape), 0, 255).astype(np.uint8) for c in clean]
    return clean, noisy


def _mean_psnr(clean, images):
    return float(np.mean([psnr(c, d, data_range=255) for c, d in zip(clean, images)]))


@pytest.mark.slow
@pytest.mark.parametrize(
    "func, gain",
    [
        (denoise.nl_means, 5.0),   # measured +6.8 dB (20.50 -> 27.33)
        (denoise.tv_chambolle, 5.0),  # measured +6.7 dB
        pytest.param(denoise.wavelet, 4.0, marks=needs_pywt),
    ],
    ids=["nl_means", "tv_chambolle", "wavelet"],
)
def test_default_parameters_improve_bsd68_sigma25(bsd10, func, gain):
    clean, noisy = bsd10
    before = _mean_psnr(clean, noisy)
    after = _mean_psnr(clean, [_image(func(n)) for n in noisy])
    assert before == pytest.approx(20.5, abs=0.3)
    assert after - before >= gain


def test_nl_means_reports_the_noise_sigma():
    rng = np.random.default_rng(1)
    flat = np.full((64, 64), 0.5) + rng.normal(0, 0.05, (64, 64))
    out, extras = denoise.nl_means(flat)
    assert extras["sigma"] == pytest.approx(0.05, rel=0.2)
    assert out.dtype == np.float64 and out.std() < 0.02


def test_median_removes_salt_and_pepper_exactly():
    image = np.full((30, 30), 100, np.uint8)
    image[5, 5], image[20, 7], image[12, 25] = 255, 0, 255
    np.testing.assert_array_equal(denoise.median(image, size=3), 100)
    as16 = image.astype(np.uint16) * 257
    np.testing.assert_array_equal(denoise.median(as16, size=4), 100 * 257)  # 4 -> 5


def test_bilateral_keeps_a_step_edge_better_than_gaussian():
    image, _ = disk_image(64, 20, noise=5.0)
    edge_bil = np.abs(np.diff(denoise.bilateral(image).astype(float), axis=1)).max()
    edge_gau = np.abs(np.diff(denoise.gaussian(image, sigma=3).astype(float), axis=1)).max()
    assert edge_bil > 1.5 * edge_gau


@pytest.mark.parametrize("func", [denoise.gaussian, denoise.tv_chambolle, denoise.tv_bregman,
                                  denoise.bilateral, denoise.cv2_nl_means])
def test_noise_is_reduced_on_a_synthetic_disk(func):
    clean, _ = disk_image(64, 20, noise=0.0)
    noisy, _ = disk_image(64, 20, noise=25.0)
    out = _image(func(noisy))
    assert psnr(clean, out, data_range=255) > psnr(clean, noisy, data_range=255) + 3


def test_cv2_nl_means_notes_the_8_bit_conversion():
    noisy, _ = disk_image(48, 14, noise=20.0, color=True)
    out8, extras8 = denoise.cv2_nl_means(noisy)
    assert extras8 == {}
    out16, extras16 = denoise.cv2_nl_means(noisy.astype(np.uint16) * 257)
    assert out16.dtype == np.uint16 and "8 bits" in extras16["note"]
    np.testing.assert_array_equal(out16 // 257, out8)


@needs_pywt
def test_wavelet_keeps_dtype_on_colour():
    noisy, _ = disk_image(48, 14, noise=20.0, color=True)
    out = denoise.wavelet(noisy.astype(np.uint16) * 257)
    assert out.dtype == np.uint16 and out.shape == noisy.shape


def test_gaussian_uint8_fast_path_matches_float_path():
    """The 8-bit OpenCV path agrees with the float path within one grey level."""
    from skimage import data

    image = data.astronaut()[::2, ::2]
    fast = segcore.apply("gaussian", image, sigma=2.0).image
    slow = segcore.apply("gaussian", image.astype(np.float32) / 255, sigma=2.0).image
    assert fast.dtype == np.uint8
    assert np.abs(fast.astype(int) - np.round(slow * 255).astype(int)).max() <= 1
