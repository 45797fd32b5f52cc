"""Sharpening: unsharp masking raises edge energy, on grey and colour."""
import numpy as np
import pytest
from skimage import filters

from segcore.restore import sharpen
from tests.conftest import disk_image


def _edge_energy(image):
    img = image.astype(float)
    if img.ndim == 3:
        return sum(np.sum(filters.sobel(img[..., c]) ** 2) for c in range(3))
    return np.sum(filters.sobel(img) ** 2)


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("dtype", ["uint8", "uint16", "float32"])
def test_unsharp_raises_edge_gradient_energy(color, dtype):
    image, _ = disk_image(64, 20, noise=0.0, color=color)
    soft = filters.gaussian(image.astype(float), sigma=2, channel_axis=-1 if color else None,
                            preserve_range=True)
    scale = {"uint8": 1.0, "uint16": 257.0, "float32": 1 / 255}[dtype]
    soft = (soft * scale).astype(dtype) if dtype != "uint8" else np.round(soft).astype(np.uint8)
    out = sharpen.unsharp_mask(soft)
    assert out.dtype == soft.dtype and out.shape == soft.shape
    assert _edge_energy(out) > 1.3 * _edge_energy(soft)  # measured x1.42
    # not black (skimage 0.26 unsharp_mask(channel_axis=-1) pitfall), mean kept
    assert out.astype(float).mean() == pytest.approx(soft.astype(float).mean(), rel=0.05)


def test_amount_zero_is_identity():
    image, _ = disk_image(32, 10, color=True)
    np.testing.assert_array_equal(sharpen.unsharp_mask(image, amount=0.0), image)
