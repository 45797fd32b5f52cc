"""Tests of the interactive family: GrabCut, random walker, marker watershed."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

from segcore import registry
from segcore.registry import ParamError
from tests.conftest import disk_image

IDS = ["grabcut", "random_walker", "watershed_markers"]


def _iou(a, b):
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    return (a & b).sum() / max(1, (a | b).sum())


def _images():
    gray, _ = disk_image(48, 14)
    rgb, _ = disk_image(48, 14, color=True)
    return {"gray8": gray, "rgb8": rgb, "gray16": gray.astype(np.uint16) * 257,
            "rgbf": rgb.astype(np.float64) / 255.0}


def test_declarations():
    ids = [m.id for m in registry.methods(family="interactive")]
    for mid in IDS:
        assert mid in ids
        m = registry.get(mid)
        assert m.references and m.explain and all(p.help for p in m.params)
        sig = inspect.signature(m.func)
        for p in m.params:
            assert sig.parameters[p.name].default == p.default


@pytest.mark.parametrize("mid", IDS)
@pytest.mark.parametrize("kind", ["gray8", "rgb8", "gray16", "rgbf"])
def test_runs_binary_deterministic_no_mutation(mid, kind):
    img = _images()[kind]
    before = img.copy()
    r1 = registry.apply(mid, img)
    r2 = registry.apply(mid, img)
    assert np.array_equal(img, before)
    assert r1.labels.shape == img.shape[:2]
    assert np.issubdtype(r1.labels.dtype, np.integer)
    assert set(np.unique(r1.labels)) <= {0, 1}
    assert np.array_equal(r1.labels, r2.labels)


@pytest.mark.parametrize("color", [False, True])
def test_grabcut_finds_disk(color):
    img, mask = disk_image(64, 18, noise=10, color=color)
    r = registry.apply("grabcut", img, rect=(0.1, 0.1, 0.9, 0.9))
    assert _iou(r.labels, mask) >= 0.95
    assert r.extras["rect"] == (6, 6, 51, 51)


@pytest.mark.parametrize("color", [False, True])
def test_random_walker_finds_disk(color):
    img, mask = disk_image(64, 18, noise=10, color=color)
    r = registry.apply("random_walker", img, seeds=[(0.5, 0.5, 1), (0.03, 0.03, 2)])
    assert _iou(r.labels, mask) >= 0.95
    assert r.extras["seeds"] == [(32, 32, 1), (2, 2, 2)]


def test_random_walker_foreground_is_first_seed_label():
    img, mask = disk_image(64, 18, noise=10)
    # labels swapped: the first seed (label 2) is still the foreground = 1
    r = registry.apply("random_walker", img, seeds=[(0.5, 0.5, 2), (0.03, 0.03, 1)])
    assert _iou(r.labels, mask) >= 0.95
    # seed outside first: the background becomes 1
    r = registry.apply("random_walker", img, seeds=[(0.03, 0.03, 1), (0.5, 0.5, 2)])
    assert _iou(r.labels, ~mask) >= 0.95


def test_three_labels_keep_seed_labels():
    img, mask = disk_image(64, 18, noise=5)
    img = img.copy()
    img[:, 48:] = 120  # a third, mid-grey band on the right
    seeds = [(0.5, 0.5, 1), (0.03, 0.03, 2), (0.95, 0.5, 3)]
    for mid, key in (("random_walker", "seeds"), ("watershed_markers", "markers")):
        labels = registry.apply(mid, img, **{key: seeds}).labels
        assert set(np.unique(labels)) == {1, 2, 3}
        assert np.mean(labels[:, 50:] == 3) > 0.95
        assert np.mean(labels[mask & (np.arange(64)[None, :] < 45)] == 1) > 0.95


def test_watershed_markers_finds_disk():
    img, mask = disk_image(64, 18, noise=10)
    r = registry.apply("watershed_markers", img)
    assert _iou(r.labels, mask) >= 0.9


def test_reduced_work_size_agrees_with_full():
    img, mask = disk_image(160, 50, noise=10, color=True)
    # beta=1000: a reduced image has softer (two-pixel) edges, which leak at the default beta
    for mid, extra in (("grabcut", {}), ("random_walker", {"beta": 1000.0})):
        full = registry.apply(mid, img, work_size=0, **extra).labels
        small = registry.apply(mid, img, work_size=80, **extra).labels
        assert _iou(full, small) >= 0.95, mid
        assert _iou(small, mask) >= 0.95, mid


@pytest.mark.parametrize(
    "mid,params",
    [
        ("grabcut", {"rect": (0.9, 0.1, 0.1, 0.9)}),
        ("grabcut", {"rect": (0.1, 0.1, 1.2, 0.9)}),
        ("grabcut", {"iterations": 0}),
        ("random_walker", {"seeds": [(0.5, 0.5, 0)]}),
        ("random_walker", {"mode": "cg_mg"}),
        ("watershed_markers", {"markers": [(2.0, 0.5, 1)]}),
    ],
)
def test_bad_params_raise(mid, params):
    img, _ = disk_image(32, 8)
    with pytest.raises(ParamError):
        registry.apply(mid, img, **params)


@pytest.mark.parametrize("mid,key", [("random_walker", "seeds"), ("watershed_markers", "markers")])
def test_one_label_only_is_a_clear_error(mid, key):
    img, _ = disk_image(32, 8)
    with pytest.raises(ValueError, match="two different labels"):
        registry.apply(mid, img, **{key: [(0.5, 0.5, 1), (0.1, 0.1, 1)]})
