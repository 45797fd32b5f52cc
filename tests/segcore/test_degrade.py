"""Degradations: reproducible, dtype kept, truth masks match the damage."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from segcore import degrade
from segcore.registry import Param, ParamError
from tests.conftest import disk_image

NAMES = list(degrade.DEGRADATIONS)
LOCAL = ["scratches", "blotches", "dust", "salt_pepper"]


@pytest.fixture(scope="module")
def gray():
    return disk_image(96, 30, noise=5.0)[0]


@pytest.mark.parametrize("name", NAMES)
def test_reproducible_and_dtype(gray, name):
    a = degrade.apply(gray, name, seed=3)
    b = degrade.apply(gray, name, seed=3)
    assert a.image.dtype == np.uint8 and a.image.shape == gray.shape
    assert a.image.tobytes() == b.image.tobytes()
    assert not np.shares_memory(a.truth.clean, gray)
    assert np.array_equal(a.truth.clean, gray)
    assert a.truth.steps[0]["name"] == name
    assert not np.array_equal(a.image, gray)


@pytest.mark.parametrize("name", ["gaussian_noise", "poisson", "salt_pepper", "speckle",
                                  "scratches", "blotches", "dust"])
def test_different_seed_differs(gray, name):
    assert not np.array_equal(degrade.apply(gray, name, seed=1).image,
                              degrade.apply(gray, name, seed=2).image)


@pytest.mark.parametrize("name", NAMES)
def test_float_and_colour_keep_dtype(name):
    rgb = disk_image(48, 14, color=True)[0]
    out = degrade.apply(rgb, name, seed=0).image
    assert out.dtype == np.uint8 and out.shape == rgb.shape
    f = rgb.astype(np.float32) / 255
    out = degrade.apply(f, name, seed=0).image
    assert out.dtype == np.float32 and out.shape == f.shape
    assert out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize("name", LOCAL)
def test_truth_mask_matches_damage(gray, name):
    d = degrade.apply(gray, name, seed=5)
    mask = d.truth.mask
    assert mask is not None and mask.dtype == bool and mask.shape == gray.shape
    changed = d.image != gray
    grown = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    assert not (changed & ~grown).any()            # changed pixels lie in the (dilated) mask
    assert changed[mask].mean() > 0.8              # mask pixels are mostly changed


def test_global_damage_has_no_mask_and_blur_has_psf(gray):
    assert degrade.gaussian_noise(gray, sigma=25).truth.mask is None
    for name in ("gaussian_blur", "motion_blur", "defocus"):
        psf = degrade.apply(gray, name).truth.psf
        assert psf is not None and abs(psf.sum() - 1) < 1e-9


def test_gaussian_noise_strength():
    flat = np.full((200, 200), 128, np.uint8)
    out = degrade.gaussian_noise(flat, sigma=25, seed=0).image.astype(float)
    assert abs(out.std() - 25) < 1.0 and abs(out.mean() - 128) < 1.0


def test_motion_blur_psf_is_a_line():
    psf = degrade.motion_blur(np.zeros((32, 32)), length=9, angle=0).truth.psf
    rows = np.nonzero(psf.sum(axis=1) > 1e-6)[0]
    assert len(rows) <= 2 and (psf > 0).sum() >= 9


def test_chain_merges_masks_and_keeps_psf(gray):
    steps = [("scratches", {"count": 3}), ("gaussian_blur", {"sigma": 1.0}),
             ("dust", {"count": 20}), ("gaussian_noise", {"sigma": 5})]
    d = degrade.chain(gray, steps, seed=7)
    s = degrade.scratches(gray, count=3, seed=d.truth.steps[0]["seed"])
    assert d.truth.psf is not None
    assert (d.truth.mask >= s.truth.mask).all()
    assert d.truth.mask.sum() > s.truth.mask.sum()
    assert [s["name"] for s in d.truth.steps] == [n for n, _ in steps]
    assert d.image.tobytes() == degrade.chain(gray, steps, seed=7).image.tobytes()
    assert d.image.tobytes() != degrade.chain(gray, steps, seed=8).image.tobytes()


def test_declarations_and_validation(gray):
    for name, deg in degrade.DEGRADATIONS.items():
        assert deg.label and deg.explain and deg.name == name
        for p in deg.params:
            assert isinstance(p, Param) and p.help
            p.validate(p.default)
    with pytest.raises(ParamError):
        degrade.apply(gray, "gaussian_noise", {"sigma": -3})
    with pytest.raises(ParamError):
        degrade.apply(gray, "nope")
    with pytest.raises(ParamError):
        degrade.apply(gray, "fade", {"bogus": 1})
    with pytest.raises(ValueError):
        degrade.gaussian_noise(np.zeros((4, 4, 4)))
