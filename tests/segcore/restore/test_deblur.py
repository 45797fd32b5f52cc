"""Deblurring: the PSF builder and deconvolution with the true PSF."""
import numpy as np
import pytest
from scipy import ndimage as ndi
from skimage.metrics import peak_signal_noise_ratio as psnr

from segcore.restore import deblur
from segcore.restore.deblur import make_psf

CASES = [("gaussian", 2.0, 15, 0.0), ("disk", 3.0, 15, 0.0), ("motion", 2.0, 15, 30.0)]


@pytest.mark.parametrize("kind, size, length, angle", CASES)
def test_make_psf_is_normalised_centred_and_symmetric(kind, size, length, angle):
    psf = make_psf(kind, size, length, angle)
    assert psf.ndim == 2 and psf.shape[0] == psf.shape[1] and psf.shape[0] % 2 == 1
    assert psf.min() >= 0 and psf.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(psf, psf[::-1, ::-1], atol=1e-12)  # point symmetric
    cy, cx = ndi.center_of_mass(psf)
    assert (cy, cx) == pytest.approx(((psf.shape[0] - 1) / 2,) * 2, abs=1e-6)


def test_make_psf_sizes_and_directions():
    g = make_psf("gaussian", 2.0)
    yy, xx = np.mgrid[: g.shape[0], : g.shape[1]] - g.shape[0] // 2
    assert np.sqrt((g * xx**2).sum()) == pytest.approx(2.0, rel=0.05)  # sigma
    d = make_psf("disk", 3.0)
    assert np.count_nonzero(d) == 29  # lattice points within radius 3
    h = make_psf("motion", length=11, angle=0)
    assert np.count_nonzero(h.sum(axis=1)) == 1  # one row: horizontal
    assert np.count_nonzero(h.sum(axis=0)) in (11, 12, 13)
    v = make_psf("motion", length=11, angle=90)
    assert np.count_nonzero(v.sum(axis=0) > 1e-9) == 1  # one column: vertical
    with pytest.raises(ValueError, match="gaussian"):
        make_psf("box")


@pytest.fixture(scope="module")
def house(datasets):
    from PIL import Image

    return np.asarray(Image.open(datasets / "set12" / "02.png").convert("L"))


@pytest.mark.parametrize("kind, size, length, angle", CASES)
@pytest.mark.parametrize("func", [deblur.wiener, deblur.richardson_lucy], ids=lambda f: f.__name__)
def test_deconvolution_with_the_true_psf_beats_the_blurred_input(house, func, kind, size, length,
                                                                  angle):
    psf = make_psf(kind, size, length, angle)
    blurred = np.round(ndi.convolve(house / 255.0, psf, mode="reflect") * 255).astype(np.uint8)
    out, extras = func(blurred, psf=kind, psf_size=size, motion_length=length, motion_angle=angle)
    np.testing.assert_array_equal(extras["psf"], psf)
    assert out.dtype == np.uint8
    # measured on Set12 house (default balance 0.03): wiener gaussian 27.3 -> 30.5,
    # disk 28.2 -> 31.1, motion 23.9 -> 24.5 dB; richardson_lucy 30.7 / 32.5 / 28.4 dB
    assert psnr(house, out, data_range=255) > psnr(house, blurred, data_range=255) + 0.4


def test_unsupervised_wiener_sharpens_and_is_deterministic(house):
    crop = house[64:192, 64:192]
    psf = make_psf("gaussian", 1.5)
    blurred = np.round(ndi.convolve(crop / 255.0, psf, mode="reflect") * 255).astype(np.uint8)
    out1, _ = deblur.unsupervised_wiener(blurred, psf_size=1.5)
    out2, _ = deblur.unsupervised_wiener(blurred, psf_size=1.5)
    np.testing.assert_array_equal(out1, out2)
    assert psnr(crop, out1, data_range=255) > psnr(crop, blurred, data_range=255)


def test_colour_uint16_is_deblurred_per_channel():
    rng = np.random.default_rng(3)
    sharp = ndi.zoom(rng.random((12, 12, 3)), (6, 6, 1), order=0)  # blocks in colour
    psf = make_psf("gaussian", 1.5)
    blurred = np.stack([ndi.convolve(sharp[..., c], psf, mode="reflect") for c in range(3)], -1)
    blurred16 = np.round(blurred * 65535).astype(np.uint16)
    out, _ = deblur.wiener(blurred16, psf_size=1.5, balance=0.005)
    assert out.dtype == np.uint16 and out.shape == blurred16.shape
    err_out = np.abs(out / 65535.0 - sharp).mean()
    assert err_out < 0.8 * np.abs(blurred - sharp).mean()
