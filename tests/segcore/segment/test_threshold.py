"""Known answers for the threshold family (segcore/segment/threshold.py)."""
from __future__ import annotations

import numpy as np
import pytest

import segcore
from segcore._common import CHANNELS
from segcore.registry import ParamError
from segcore.segment.threshold import all_thresholds
from tests.conftest import disk_image

GLOBAL = ["otsu", "li", "yen", "triangle", "isodata", "mean", "minimum"]
LOCAL = ["local", "niblack", "sauvola"]
ALL = ["threshold_manual", *GLOBAL, "multi_otsu", *LOCAL]


def iou(a, b):
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    return (a & b).sum() / max(1, (a | b).sum())


def two_level(lo=60, hi=180, noise=4.0, seed=1):
    """Left half ``lo``, right third ``hi`` (unequal areas), light noise."""
    rng = np.random.default_rng(seed)
    img = np.full((60, 90), lo, float)
    img[:, 60:] = hi
    img += rng.normal(0, noise, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8), img > (lo + hi) / 2


def text_page(seed=0):
    """Dark strokes on a strong left-to-right illumination gradient."""
    rng = np.random.default_rng(seed)
    h, w = 96, 192
    bg = np.linspace(40, 230, w)[None, :].repeat(h, 0)
    strokes = np.zeros((h, w), bool)
    for x0 in range(8, w - 8, 16):
        strokes[20:76, x0:x0 + 3] = True          # vertical bars
        strokes[46:49, x0:x0 + 10] = True         # cross bars
    img = np.where(strokes, bg * 0.55, bg) + rng.normal(0, 2, (h, w))
    return np.clip(img, 0, 255).astype(np.uint8), strokes


def test_registered_with_docs():
    fam = {m.id: m for m in segcore.methods(family="threshold")}
    assert set(ALL) <= set(fam)
    for mid in ALL:
        m = fam[mid]
        assert m.task == "segment"
        assert m.explain and m.references and m.func.__doc__
        names = [p.name for p in m.params]
        assert "channel" in names and "invert" in names
        assert all(p.help for p in m.params)


@pytest.mark.parametrize("mid", GLOBAL)
def test_global_level_between_two_levels(mid):
    img, truth = two_level()
    res = segcore.apply(mid, img)
    (t,) = res.extras["thresholds"]
    assert 60 / 255 < t < 180 / 255
    if mid not in ("yen", "triangle"):
        # Yen and triangle cut just above the tail of a peak by design.
        assert iou(res.labels, truth) > 0.99
    assert set(np.unique(res.labels)) == {0, 1}


def test_otsu_finds_noisy_disk():
    img, truth = disk_image(64, 18, noise=20.0)
    assert iou(segcore.apply("otsu", img).labels, truth) >= 0.95


@pytest.mark.parametrize("mid", ALL)
def test_invert_flips_mask(mid):
    img, _ = disk_image(48, 14)
    a = segcore.apply(mid, img).labels
    b = segcore.apply(mid, img, invert=True).labels
    if mid == "multi_otsu":
        np.testing.assert_array_equal(b, a.max() - a)
    else:
        np.testing.assert_array_equal(a + b, np.ones_like(a))


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("mid", ["otsu", "threshold_manual", "local", "multi_otsu"])
def test_every_channel_on_colour_and_grey(mid, channel):
    for color in (False, True):
        img, truth = disk_image(48, 14, noise=3.0, color=color)
        res = segcore.apply(mid, img, channel=channel)
        assert res.labels.shape == img.shape[:2] and res.labels.dtype == np.int32
    grey, truth = disk_image(48, 14, noise=3.0)
    if mid == "otsu":
        # On grey input every channel is the grey image itself.
        assert iou(segcore.apply(mid, grey, channel=channel).labels, truth) > 0.95


@pytest.mark.parametrize("channel", CHANNELS)
def test_all_global_methods_accept_every_channel(channel):
    img, _ = disk_image(40, 12, color=True)
    for mid in ["li", "yen", "triangle", "isodata", "mean", "niblack", "sauvola"]:
        assert segcore.apply(mid, img, channel=channel).labels.shape == (40, 40)


def test_channel_choice_matters_on_colour():
    # Red disk on a green background: same grey level, different channels.
    img = np.zeros((40, 40, 3), np.uint8)
    img[..., 1] = 120
    rr, cc = np.mgrid[:40, :40]
    disk = (rr - 20) ** 2 + (cc - 20) ** 2 < 100
    img[disk] = (200, 40, 0)
    assert iou(segcore.apply("otsu", img, channel="R").labels, disk) == 1.0
    assert iou(segcore.apply("otsu", img, channel="G", invert=True).labels, disk) == 1.0


@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_multi_otsu_k_classes(k):
    levels = np.linspace(20, 235, k)
    img = np.repeat(levels, 12)[None, :].repeat(10, 0)
    img = np.clip(img + np.random.default_rng(0).normal(0, 2, img.shape), 0, 255).astype(np.uint8)
    res = segcore.apply("multi_otsu", img, classes=k)
    np.testing.assert_array_equal(np.unique(res.labels), np.arange(k))
    expected = np.repeat(np.arange(k), 12)[None, :].repeat(10, 0)
    # Levels are histogram bin centres: a pixel at the very top of a class may cross.
    assert (res.labels == expected).mean() > 0.98
    ts = res.extras["thresholds"]
    assert len(ts) == k - 1 and all(np.diff(ts) > 0)
    for t, lo, hi in zip(ts, levels[:-1], levels[1:]):
        assert lo / 255 < t < hi / 255


# Dark text: the local level must sit below the local mean.
LOCAL_DARK_TEXT = {"local": {"offset": 0.03}, "niblack": {"k": 0.5}, "sauvola": {}}


@pytest.mark.parametrize("mid", LOCAL)
def test_local_methods_beat_otsu_on_uneven_light(mid):
    img, strokes = text_page()
    otsu = iou(segcore.apply("otsu", img, invert=True).labels, strokes)
    local = iou(segcore.apply(mid, img, invert=True, **LOCAL_DARK_TEXT[mid]).labels, strokes)
    assert otsu < 0.5
    assert local > 0.8 and local > otsu + 0.3


@pytest.mark.parametrize("method", ["gaussian", "mean", "median"])
def test_local_every_averaging(method):
    img, strokes = text_page()
    lab = segcore.apply("local", img, invert=True, method=method, block_size=31, offset=0.03).labels
    assert iou(lab, strokes) > 0.9


def test_local_even_block_is_rounded_up():
    img, _ = text_page()
    a = segcore.apply("local", img, block_size=30).labels
    b = segcore.apply("local", img, block_size=31).labels
    np.testing.assert_array_equal(a, b)


def test_minimum_without_two_peaks_raises_plain_value_error():
    ramp = np.linspace(0.0, 1.0, 64 * 64).reshape(64, 64)  # flat histogram
    with pytest.raises(ValueError, match="two clear peaks") as err:
        segcore.apply("minimum", ramp)
    assert not isinstance(err.value, ParamError)
    assert "minimum" not in all_thresholds(ramp) and "otsu" in all_thresholds(ramp)


@pytest.mark.parametrize("mid", ALL)
def test_dtypes_give_same_mask(mid):
    img8, _ = disk_image(48, 14, noise=8.0)
    img16 = img8.astype(np.uint16) * 257
    imgf = img8.astype(np.float64) / 255.0
    ref = segcore.apply(mid, img8).labels
    for other in (img16, imgf, imgf.astype(np.float32)):
        np.testing.assert_array_equal(segcore.apply(mid, other).labels, ref)


@pytest.mark.parametrize("mid", ALL)
def test_input_not_modified(mid):
    img, _ = disk_image(40, 12, color=True)
    before = img.copy()
    segcore.apply(mid, img)
    np.testing.assert_array_equal(img, before)


def test_all_thresholds_matches_each_method():
    img, _ = two_level()
    levels = all_thresholds(img)
    assert set(levels) == set(GLOBAL)
    for mid, t in levels.items():
        (expected,) = segcore.apply(mid, img).extras["thresholds"]
        assert t == pytest.approx(expected, abs=1e-9)
        assert 60 / 255 < t < 180 / 255


def test_all_thresholds_flat_image_is_empty():
    assert all_thresholds(np.full((10, 10), 7, np.uint8)) == {}


@pytest.mark.parametrize("mid", GLOBAL + ["multi_otsu"])
def test_flat_image_is_all_background(mid):
    flat = np.full((12, 12), 90, np.uint8)
    assert segcore.apply(mid, flat).labels.max() == 0


@pytest.mark.parametrize(
    "mid, params",
    [
        ("threshold_manual", {"threshold": 300}),
        ("multi_otsu", {"classes": 6}),
        ("multi_otsu", {"classes": 1}),
        ("local", {"block_size": 1}),
        ("local", {"method": "max"}),
        ("local", {"offset": 2.0}),
        ("niblack", {"window_size": 1000}),
        ("sauvola", {"k": -0.5}),
        ("sauvola", {"r": 2.0}),
        ("otsu", {"channel": "X"}),
        ("otsu", {"invert": "yes"}),
    ],
)
def test_out_of_range_params_raise(mid, params):
    img, _ = disk_image(32, 10)
    with pytest.raises(ParamError):
        segcore.apply(mid, img, **params)
