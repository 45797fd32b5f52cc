"""Contrast: CLAHE, equalisation, levels and background subtraction."""
import numpy as np
import pytest
from skimage import restoration

from segcore.restore import contrast


@pytest.fixture(scope="module")
def dull(datasets):
    """Set12 cameraman squeezed into grey levels 100-140."""
    from PIL import Image

    cam = np.asarray(Image.open(datasets / "set12" / "01.png").convert("L")).astype(float)
    return np.round(100 + cam / 255 * 40).astype(np.uint8)


@pytest.mark.parametrize("func, gain", [(contrast.clahe, 1.5), (contrast.equalize, 5.0)],
                         ids=["clahe", "equalize"])
@pytest.mark.parametrize("dtype", ["uint8", "uint16", "float64"])
def test_equalisation_raises_the_contrast_of_a_dull_image(dull, func, gain, dtype):
    # measured std: 9.8 -> 17.4 (CLAHE, clip 2) and -> 74 (global equalisation)
    scale = {"uint8": 1, "uint16": 257, "float64": 1 / 255}[dtype]
    image = (dull.astype(float) * scale).astype(dtype)
    out = func(image)
    assert out.dtype == image.dtype
    assert out.astype(float).std() / scale > gain * dull.std()
    # same result whatever the dtype (up to rounding)
    ref = func(dull).astype(float)
    assert np.abs(out.astype(float) / scale - ref).mean() < 1.0


def test_clahe_on_colour_keeps_hue_and_raises_lightness_contrast(dull):
    rgb = np.stack([dull, (dull * 0.8).astype(np.uint8), (dull * 0.6).astype(np.uint8)], axis=-1)
    for image in (rgb, rgb.astype(np.uint16) * 257):
        out = contrast.clahe(image).astype(float)
        assert out.mean(axis=-1).std() > 1.5 * rgb.astype(float).mean(axis=-1).std() * (
            257 if image.dtype == np.uint16 else 1)
        # still reddish everywhere it is not black: R >= G >= B on average
        assert out[..., 0].mean() > out[..., 1].mean() > out[..., 2].mean()


def test_levels_stretches_to_the_percentiles():
    image = np.linspace(0.2, 0.6, 101).reshape(1, 101).repeat(5, axis=0)
    out, extras = contrast.levels(image, low_percentile=0, high_percentile=100)
    assert extras["in_range"] == pytest.approx([0.2, 0.6])
    np.testing.assert_allclose(out[0], np.linspace(0, 1, 101), atol=1e-12)
    darker, _ = contrast.levels(image, low_percentile=0, high_percentile=100, gamma=2.0)
    np.testing.assert_allclose(darker[0], np.linspace(0, 1, 101) ** 2, atol=1e-12)
    out8, _ = contrast.levels((image * 255).astype(np.uint8))
    assert out8.dtype == np.uint8 and out8.min() == 0 and out8.max() == 255


def _spots_on_a_ramp(h=96, w=128):
    yy, xx = np.mgrid[:h, :w]
    ramp = 40 + 60 * xx / (w - 1) + 30 * yy / (h - 1)  # uneven lighting, 0-255 scale
    spots = np.zeros((h, w))
    for cy, cx in [(20, 20), (50, 70), (75, 110), (30, 100)]:
        spots[(yy - cy) ** 2 + (xx - cx) ** 2 <= 16] = 80
    return ramp, spots


@pytest.mark.parametrize("method", ["rolling_ball", "tophat"])
def test_background_removal_flattens_a_gradient(method):
    ramp, spots = _spots_on_a_ramp()
    image = np.round(ramp + spots).astype(np.uint8)
    flat, extras = contrast.background(image, method=method, radius=20)
    assert flat.dtype == np.uint8 and extras["background"].dtype == np.uint8
    bg_pixels = flat[spots == 0].astype(float)
    # background gone: flat and near black (rolling ball leaves a small offset on a
    # slope, as skimage's own rolling_ball does)
    assert bg_pixels.std() < 2.5 and bg_pixels.mean() < 6
    assert image[spots == 0].std() > 15
    assert flat[spots > 0].mean() > 60  # spots kept (80 high)
    assert np.abs(extras["background"].astype(float) - ramp)[spots == 0].mean() < 6


def test_light_background_is_flattened_to_white():
    ramp, spots = _spots_on_a_ramp()
    image = np.round(255 - 40 - (ramp - 40) * 0.5 - spots).astype(np.uint8)  # dark spots
    flat, _ = contrast.background(image, radius=20, light_background=True)
    assert flat[spots == 0].mean() > 251
    assert flat[spots > 0].mean() < 255 - 60


def test_reduced_rolling_ball_matches_the_straightforward_call():
    ramp, spots = _spots_on_a_ramp()
    image = ramp + spots  # float on the 0-255 scale
    radius = 30  # shrinks by 3: ball radius 10 px on the reduced image
    exact = restoration.rolling_ball(image, radius=radius)
    _, extras = contrast.background(image / 255.0, radius=radius)
    err = np.abs(extras["background"] * 255.0 - exact)
    assert err.mean() < 1.5 and np.percentile(err, 99) < 5  # grey levels of 255


def test_colour_background_per_channel_keeps_dtype():
    ramp, spots = _spots_on_a_ramp(48, 64)
    rgb = np.stack([ramp + spots, ramp * 0.8 + spots, ramp * 0.5], axis=-1)
    image = np.round(rgb * 257).astype(np.uint16)
    flat, extras = contrast.background(image, radius=15)
    assert flat.dtype == np.uint16 and flat.shape == image.shape
    for c in range(3):
        before = image[..., c][spots == 0].astype(float)
        after = flat[..., c][spots == 0].astype(float)
        assert after.std() < 0.25 * before.std() and after.mean() < 8 * 257
