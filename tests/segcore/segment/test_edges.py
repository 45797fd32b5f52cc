"""Known answers for the edges family (segcore/segment/edges.py)."""
from __future__ import annotations

import numpy as np
import pytest
from skimage import data

import segcore
from segcore._common import CHANNELS
from segcore.registry import ParamError
from segcore.segment.edges import _edges_to_regions
from tests.conftest import disk_image

EDGES = ["canny", "sobel", "scharr"]


def iou(a, b):
    a, b = np.asarray(a) > 0, np.asarray(b, bool)
    return (a & b).sum() / max(1, (a | b).sum())


def test_registered_with_docs():
    fam = {m.id: m for m in segcore.methods(family="edges")}
    assert set(EDGES) <= set(fam)
    for mid in EDGES:
        m = fam[mid]
        assert m.task == "segment" and m.explain and m.references and m.func.__doc__
        assert all(p.help for p in m.params)
        assert m.param("close_radius").unit == "px"


@pytest.mark.parametrize("mid", EDGES)
@pytest.mark.parametrize("noise", [5.0, 20.0])
def test_fills_the_disk(mid, noise):
    img, truth = disk_image(64, 18, noise=noise)
    res = segcore.apply(mid, img)
    assert res.labels.dtype == np.int32
    assert res.labels.max() == 1
    assert iou(res.labels, truth) >= 0.9
    edges = res.extras["edges"]
    assert edges.dtype == bool and edges.shape == img.shape
    # The edges sit on the outline, not inside the disk or far outside.
    rr, cc = np.nonzero(edges)
    r = np.hypot(rr - 32, cc - 32)
    assert np.median(np.abs(r - 18)) <= 2


@pytest.mark.parametrize("mid", EDGES)
def test_coins_become_filled_regions(mid):
    coins = data.coins()  # 24 coins on a dark background
    labels = segcore.apply(mid, coins).labels
    areas = np.bincount(labels.ravel())[1:]
    big = areas[areas > 500]
    assert 20 <= len(big) <= 26
    # Filled, not outlines: coins cover a large share of the image.
    assert 0.2 < (labels > 0).mean() < 0.5


def test_open_curve_gives_no_region():
    img = np.zeros((60, 60), np.uint8)
    img[:, 30:] = 200  # one straight step edge: nothing is enclosed
    for mid in EDGES:
        res = segcore.apply(mid, img, close_radius=0)
        assert res.extras["edges"].any()
        assert res.labels.max() == 0


def test_close_radius_bridges_gaps():
    rr, cc = np.mgrid[:80, :80]
    r = np.hypot(rr - 40, cc - 40)
    outline = np.abs(r - 25) < 0.75        # a thin circle, as Canny draws it
    outline[38:43, :] = False              # two gaps of 5 px
    truth = r <= 25
    assert _edges_to_regions(outline, 0).max() == 0
    closed = _edges_to_regions(outline, 4)
    assert closed.max() == 1 and iou(closed, truth) > 0.9


def test_two_disks_two_labels():
    rr, cc = np.mgrid[:60, :120]
    a = np.hypot(rr - 30, cc - 30) <= 15
    b = np.hypot(rr - 30, cc - 90) <= 15
    img = np.where(a | b, 200, 40).astype(np.uint8)
    for mid in EDGES:
        labels = segcore.apply(mid, img).labels
        assert labels.max() == 2
        la, lb = labels[30, 30], labels[30, 90]
        assert {la, lb} == {1, 2}
        assert iou(labels == la, a) > 0.9 and iou(labels == lb, b) > 0.9


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_channel_on_colour_and_grey(channel):
    for color in (False, True):
        img, truth = disk_image(48, 14, noise=3.0, color=color)
        for mid in EDGES:
            labels = segcore.apply(mid, img, channel=channel).labels
            assert labels.shape == (48, 48)
            if not color or channel in ("gray", "L*", "R", "G", "V"):
                assert iou(labels, truth) > 0.85


def test_flat_image_gives_empty_result():
    flat = np.full((30, 30), 100, np.uint8)
    for mid in EDGES:
        res = segcore.apply(mid, flat)
        assert res.labels.max() == 0 and not res.extras["edges"].any()


@pytest.mark.parametrize("mid", EDGES)
def test_dtypes_give_same_mask(mid):
    img8, _ = disk_image(48, 14, noise=8.0)
    ref = segcore.apply(mid, img8).labels
    for other in (img8.astype(np.uint16) * 257, img8 / 255.0, (img8 / 255.0).astype(np.float32)):
        np.testing.assert_array_equal(segcore.apply(mid, other).labels, ref)


@pytest.mark.parametrize("mid", EDGES)
def test_input_not_modified(mid):
    img, _ = disk_image(40, 12, color=True)
    before = img.copy()
    segcore.apply(mid, img)
    np.testing.assert_array_equal(img, before)


def test_canny_low_above_high_is_tolerated():
    img, truth = disk_image(64, 18)
    labels = segcore.apply("canny", img, low_threshold=0.5, high_threshold=0.3).labels
    assert iou(labels, truth) >= 0.9


@pytest.mark.parametrize(
    "mid, params",
    [
        ("canny", {"sigma": -1.0}),
        ("canny", {"low_threshold": 1.5}),
        ("canny", {"high_threshold": -0.1}),
        ("canny", {"close_radius": 2.5}),
        ("sobel", {"threshold": 2.0}),
        ("sobel", {"close_radius": -1}),
        ("scharr", {"channel": "Q"}),
        ("scharr", {"sigma": 100.0}),
    ],
)
def test_out_of_range_params_raise(mid, params):
    img, _ = disk_image(32, 10)
    with pytest.raises(ParamError):
        segcore.apply(mid, img, **params)


@pytest.mark.parametrize("close_radius", [1, 2, 4])
def test_fast_band_split_matches_exact_distance(close_radius):
    """The 5x5 chamfer distance (fast) splits outlines like the exact transform."""
    import cv2
    from skimage import data, feature

    from segcore.segment.edges import _edges_to_regions

    edges = feature.canny(data.coins() / 255.0, sigma=2.0)
    fast = _edges_to_regions(edges, close_radius)
    exact = _edges_to_regions(edges, close_radius, distance_mask=cv2.DIST_MASK_PRECISE)
    assert ((fast > 0) == (exact > 0)).mean() >= 0.995
    assert abs(fast.max() - exact.max()) <= 1
