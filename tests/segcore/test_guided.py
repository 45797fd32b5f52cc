"""Segmentation-guided restoration."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

import segcore
from segcore import degrade, guided
from segcore.metrics import psnr
from segcore.registry import ParamError


def _step(noise=0.1, seed=0, size=64):
    x = np.zeros((size, size))
    x[:, size // 2:] = 1.0
    clean = 0.2 + 0.6 * x
    rng = np.random.default_rng(seed)
    noisy = np.clip(clean + rng.normal(0, noise, x.shape), 0, 1)
    return clean, noisy, x.astype(np.int32)


def test_detect_and_inpaint_improves_psnr(datasets):
    img = np.array(Image.open(datasets / "set12" / "05.png"))
    d = degrade.scratches(img, count=6, width=2, seed=2)
    res = guided.detect_and_inpaint(d.image)
    assert res.image.dtype == np.uint8 and res.image.shape == img.shape
    assert psnr(img, res.image) > psnr(img, d.image) + 3.0
    assert res.extras["mask"].dtype == bool and res.extras["mask"].any()
    res2 = guided.detect_and_inpaint(d.image, inpaint="inpaint_ns", inpaint_params={"radius": 5},
                                     detector_params={"dilate": 0}, dilate=2)
    assert psnr(img, res2.image) > psnr(img, d.image)


def test_detect_and_inpaint_nothing_found_is_identity():
    img = np.full((40, 40), 120, np.uint8)
    res = guided.detect_and_inpaint(img)
    assert np.array_equal(res.image, img) and not res.extras["mask"].any()


@pytest.mark.parametrize("invert", [False, True])
def test_restrict_outside_unchanged(invert):
    _, noisy, _ = _step()
    img = (noisy * 255).astype(np.uint8)
    mask = np.zeros(img.shape, bool)
    mask[16:48, 16:48] = True
    feather = 2.0
    res = guided.restrict(img, mask, "gaussian", {"sigma": 2.0}, invert=invert, feather=feather)
    assert res.image.dtype == img.dtype and res.image.shape == img.shape
    region = ~mask if invert else mask
    r = int(np.ceil(3 * feather)) + 1
    near = cv2.dilate(region.astype(np.uint8), np.ones((2 * r + 1, 2 * r + 1), np.uint8)) > 0
    assert np.array_equal(res.image[~near], img[~near])
    core = cv2.erode(region.astype(np.uint8), np.ones((2 * r + 1, 2 * r + 1), np.uint8)) > 0
    full = segcore.apply("gaussian", img, sigma=2.0).image
    assert np.abs(res.image[core].astype(int) - full[core]).max() <= 1
    hard = guided.restrict(img, mask, "gaussian", {"sigma": 2.0}, feather=0)
    assert np.array_equal(hard.image[~mask], img[~mask])


def test_restrict_with_inpainting_uses_mask():
    img = np.full((48, 48), 100, np.uint8)
    img[20:24, :] = 255
    mask = np.zeros(img.shape, bool)
    mask[19:25, :] = True
    res = guided.restrict(img, mask, "inpaint_telea", feather=0)
    assert np.abs(res.image[20:24].astype(int) - 100).max() < 10


def test_per_region_different_strengths():
    clean, noisy, labels = _step(noise=0.1)
    plan = {0: ("gaussian", {"sigma": 4.0}), 1: ("gaussian", {"sigma": 0.3})}
    res = guided.per_region(noisy, labels, plan, feather=0)
    out = res.image
    assert out.dtype == noisy.dtype and out.shape == noisy.shape
    left, right = out[:, 4:28], out[:, 36:60]
    assert left.std() < 0.5 * right.std()
    # a missing label with default=None is left untouched
    res2 = guided.per_region(noisy, labels, {0: ("gaussian", {"sigma": 4.0})}, feather=0)
    assert np.array_equal(res2.image[labels == 1], noisy[labels == 1])
    res3 = guided.per_region(noisy, labels, {}, default=("gaussian", {"sigma": 4.0}), feather=1.0)
    assert res3.image[:, 4:28].std() < 0.5 * noisy[:, 4:28].std()


def test_edge_aware_keeps_step_sharp():
    clean, noisy, labels = _step(noise=0.05)
    glob = segcore.apply("gaussian", noisy, sigma=3.0).image
    aware = guided.edge_aware(noisy, labels, "gaussian", {"sigma": 3.0})
    e = aware.image
    assert e.dtype == noisy.dtype and e.shape == noisy.shape
    jump_global = glob[:, 32].mean() - glob[:, 31].mean()
    jump_aware = e[:, 32].mean() - e[:, 31].mean()
    assert jump_aware > 0.5 and jump_aware > 3 * jump_global
    assert psnr(clean, e) > psnr(clean, glob)
    # colour uint8 works too
    rgb = (np.stack([noisy] * 3, -1) * 255).astype(np.uint8)
    out = guided.edge_aware(rgb, labels, "median", {"size": 5}).image
    assert out.dtype == np.uint8 and out.shape == rgb.shape


def test_errors():
    img = np.zeros((20, 20), np.uint8)
    with pytest.raises(ValueError):
        guided.restrict(img, np.zeros((10, 10), bool), "gaussian")
    with pytest.raises(ParamError):
        guided.edge_aware(img, np.zeros((20, 20), int), "inpaint_telea")
    with pytest.raises(ParamError):
        guided.restrict(img, np.zeros((20, 20), bool), "otsu")
