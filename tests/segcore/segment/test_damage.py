"""Damage detectors: synthetic scratches/dust/blotches from segcore.degrade are found."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

import segcore
from segcore import degrade
from tests.conftest import disk_image


def _grow(mask, px=1):
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1))
    return cv2.dilate(mask.astype(np.uint8), k) > 0


def _iou(a, b):
    return (a & b).sum() / max(1, (a | b).sum())


def visible_truth(d, min_change=30):
    """Scratch pixels that changed by at least ``min_change`` grey levels, dilated by 1 px."""
    diff = np.abs(d.image.astype(int) - d.truth.clean.astype(int))
    if diff.ndim == 3:
        diff = diff.max(axis=2)
    return _grow(d.truth.mask & (diff >= min_change), 1)


def test_scratch_iou_on_set12(datasets):
    """Protocol: 6 scratches of width 2 px (seed = image index); prediction with the
    default params (dilate=1); truth = visibly changed scratch pixels (>= 30 grey
    levels) dilated by 1 px."""
    ious = []
    for i, f in enumerate(sorted((datasets / "set12").glob("*.png"))):
        img = np.array(Image.open(f))
        d = degrade.scratches(img, count=6, width=2, seed=i)
        pred = segcore.apply("detect_scratches", d.image).mask
        ious.append(_iou(pred, visible_truth(d)))
    assert len(ious) == 11
    assert np.mean(ious) >= 0.7
    assert min(ious) >= 0.4


def test_scratches_on_smooth_image_exact():
    img = disk_image(128, 40, fg=160, bg=100, noise=3.0)[0]
    d = degrade.scratches(img, count=3, width=2, seed=1, polarity="mixed")
    res = segcore.apply("detect_scratches", d.image, dilate=0)
    assert res.labels.dtype == np.int32 and set(np.unique(res.labels)) <= {0, 1}
    assert _iou(res.mask, d.truth.mask) >= 0.8     # no tolerance at all
    assert _iou(segcore.apply("detect_scratches", d.image).mask, visible_truth(d)) >= 0.8
    clean = segcore.apply("detect_scratches", img)
    assert clean.mask.sum() == 0


def test_polarity_bright_ignores_dark():
    img = np.full((100, 100), 128, np.uint8)
    img[20, 10:90] = 255
    img[21, 10:90] = 255
    img[70, 10:90] = 0
    img[71, 10:90] = 0
    bright = segcore.apply("detect_scratches", img, polarity="bright", dilate=0).mask
    dark = segcore.apply("detect_scratches", img, polarity="dark", dilate=0).mask
    assert bright[20:22, 20:80].all() and not bright[65:75].any()
    assert dark[70:72, 20:80].all() and not dark[15:25].any()


def test_detect_dust():
    img = disk_image(128, 40, noise=3.0)[0]
    d = degrade.dust(img, count=30, size=2, seed=1)
    pred = segcore.apply("detect_dust", d.image).mask
    truth = visible_truth(d)
    assert _iou(pred, truth) >= 0.6
    # a big bright square is not dust
    sq = img.copy()
    sq[10:40, 10:40] = 255
    assert not segcore.apply("detect_dust", sq, radius=3).mask[20:30, 20:30].any()


def test_detect_blotches():
    rng = np.random.default_rng(0)
    img = np.clip(rng.normal(128, 12, (128, 128)), 0, 255).astype(np.uint8)
    d = degrade.blotches(img, count=3, size=12, kind="holes", seed=2)
    pred = segcore.apply("detect_blotches", d.image, mode="saturated").mask
    assert _iou(pred, _grow(d.truth.mask)) >= 0.8
    flat = segcore.apply("detect_blotches", d.image, mode="flat", dilate=0).mask
    assert _iou(flat, d.truth.mask) >= 0.6


def test_colour_float_and_declarations():
    rgb = disk_image(64, 20, color=True)[0]
    for mid in ("detect_scratches", "detect_dust", "detect_blotches"):
        m = segcore.get(mid)
        assert m.family == "damage" and m.explain and all(p.help for p in m.params)
        for img in (rgb, rgb.astype(np.float64) / 255):
            res = segcore.apply(mid, img)
            assert res.labels.shape == rgb.shape[:2]
            assert set(np.unique(res.labels)) <= {0, 1}
    res = segcore.apply("detect_scratches", rgb, threshold="otsu")
    assert 0 <= res.extras["thresholds"][0] <= 1


@pytest.mark.parametrize("mid", ["detect_scratches", "detect_dust", "detect_blotches"])
def test_input_not_modified(mid):
    img = disk_image(64, 20)[0]
    before = img.copy()
    segcore.apply(mid, img)
    assert np.array_equal(img, before)
