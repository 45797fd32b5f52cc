"""Inpainting: true masks from the NVIDIA irregular-mask set on Set12."""
import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio as psnr

from segcore.restore import inpaint

FUNCS = [inpaint.inpaint_telea, inpaint.inpaint_ns, inpaint.inpaint_biharmonic]


@pytest.fixture(scope="module")
def boat_and_mask(datasets):
    """Top-left 256x256 of Set12 10.png (boat) and of mask 00120.png (white = hole)."""
    from PIL import Image

    image = np.asarray(Image.open(datasets / "set12" / "10.png").convert("L"))[:256, :256]
    mask = np.asarray(Image.open(datasets / "masks" / "00120.png").convert("L"))[:256, :256] > 127
    assert 0.005 < mask.mean() < 0.2
    return image, mask


@pytest.mark.parametrize("func", FUNCS, ids=lambda f: f.__name__)
def test_inpainting_beats_leaving_the_holes(boat_and_mask, func):
    image, mask = boat_and_mask
    damaged = image.copy()
    damaged[mask] = 255  # holes painted white
    repaired = func(damaged, mask=mask)
    assert repaired.dtype == np.uint8
    np.testing.assert_array_equal(repaired[~mask], image[~mask])  # known pixels kept
    before = psnr(image, damaged, data_range=255)
    after = psnr(image, repaired, data_range=255)
    assert after > before + 10


@pytest.mark.parametrize("func", FUNCS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", ["uint16", "float32", "float64"])
def test_colour_and_high_precision_fill_a_gradient(func, dtype):
    # a smooth colour ramp: every method should fill a small hole almost exactly
    yy, xx = np.mgrid[:40, :48]
    ramp = np.stack([xx / 47, yy / 39, 0.5 + 0 * xx], axis=-1)
    image = ramp.astype(dtype) if dtype.startswith("float") else (ramp * 65535).round().astype(dtype)
    mask = np.zeros((40, 48), bool)
    mask[18:22, 20:26] = True
    damaged = image.copy()
    damaged[mask] = 0
    out = func(damaged, mask=mask)
    assert out.dtype == image.dtype and out.shape == image.shape
    scale = 65535.0 if dtype == "uint16" else 1.0
    err = np.abs(out[mask].astype(float) - image[mask].astype(float)).max() / scale
    assert err < 0.06
    np.testing.assert_array_equal(out[~mask], damaged[~mask])


def test_empty_mask_returns_a_copy():
    image = np.arange(30 * 40, dtype=np.uint16).reshape(30, 40)
    out = inpaint.inpaint_telea(image, mask=np.zeros((30, 40), bool))
    np.testing.assert_array_equal(out, image)
    assert out is not image


def test_mask_of_the_wrong_size_is_explained():
    with pytest.raises(ValueError, match="mask"):
        inpaint.inpaint_ns(np.zeros((10, 12), np.uint8), mask=np.zeros((12, 10), bool))
