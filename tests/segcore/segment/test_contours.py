"""Tests of the active-contour family: Chan-Vese, morphological Chan-Vese, morphological GAC."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

from segcore import registry
from segcore.registry import ParamError
from tests.conftest import disk_image

IDS = ["chan_vese", "morph_chan_vese", "morph_gac"]
MIN_IOU = {"chan_vese": 0.95, "morph_chan_vese": 0.9, "morph_gac": 0.9}


def _iou(a, b):
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    return (a & b).sum() / max(1, (a | b).sum())


def test_declarations():
    ids = [m.id for m in registry.methods(family="contours")]
    for mid in IDS:
        assert mid in ids
        m = registry.get(mid)
        assert m.references and m.explain and all(p.help for p in m.params)
        sig = inspect.signature(m.func)
        for p in m.params:
            assert sig.parameters[p.name].default == p.default


@pytest.mark.parametrize("mid", IDS)
@pytest.mark.parametrize("kind", ["gray8", "rgb8", "gray16"])
def test_runs_binary_deterministic_no_mutation(mid, kind):
    gray, _ = disk_image(40, 12)
    rgb, _ = disk_image(40, 12, color=True)
    img = {"gray8": gray, "rgb8": rgb, "gray16": gray.astype(np.uint16) * 257}[kind]
    before = img.copy()
    r1 = registry.apply(mid, img, **({"num_iter": 60} if mid == "morph_gac" else {}))
    r2 = registry.apply(mid, img, **({"num_iter": 60} if mid == "morph_gac" else {}))
    assert np.array_equal(img, before)
    assert r1.labels.shape == img.shape[:2]
    assert np.issubdtype(r1.labels.dtype, np.integer)
    assert set(np.unique(r1.labels)) <= {0, 1}
    assert np.array_equal(r1.labels, r2.labels)


@pytest.mark.parametrize("mid", IDS)
@pytest.mark.parametrize("color", [False, True])
def test_finds_noisy_disk(mid, color):
    img, mask = disk_image(64, 18, noise=10, color=color)
    labels = registry.apply(mid, img).labels
    assert _iou(labels, mask) >= MIN_IOU[mid]


@pytest.mark.parametrize("mid", ["chan_vese", "morph_chan_vese"])
def test_dark_disk_is_also_one(mid):
    img, mask = disk_image(64, 18, fg=40, bg=190, noise=10)
    labels = registry.apply(mid, img).labels
    assert _iou(labels, mask) >= MIN_IOU[mid]


def test_morph_chan_vese_disk_init():
    img, mask = disk_image(64, 18, noise=10)
    labels = registry.apply("morph_chan_vese", img, init="disk").labels
    assert _iou(labels, mask) >= 0.9


def test_morph_gac_grows_from_inside():
    img, mask = disk_image(64, 18, noise=5)
    labels = registry.apply("morph_gac", img, rect=(0.4, 0.4, 0.6, 0.6), balloon=1.0,
                            num_iter=100).labels
    assert _iou(labels, mask) >= 0.85


@pytest.mark.parametrize(
    "mid,params",
    [
        ("chan_vese", {"mu": -1}),
        ("chan_vese", {"channel": "Q"}),
        ("morph_chan_vese", {"init": "circle"}),
        ("morph_chan_vese", {"smoothing": 9}),
        ("morph_gac", {"rect": (0.9, 0.05, 0.1, 0.95)}),
        ("morph_gac", {"threshold": 2.0}),
    ],
)
def test_bad_params_raise(mid, params):
    img, _ = disk_image(32, 8)
    with pytest.raises(ParamError):
        registry.apply(mid, img, **params)


@pytest.mark.parametrize("mid", IDS)
def test_reduced_work_size_agrees_with_full(mid):
    img, mask = disk_image(128, 40, noise=10)
    full = registry.apply(mid, img, work_size=0).labels
    small = registry.apply(mid, img, work_size=64).labels
    assert small.shape == full.shape
    assert _iou(full, small) >= 0.95
    assert _iou(small, mask) >= MIN_IOU[mid]
