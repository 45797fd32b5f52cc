"""Tests of the region family: superpixels, watershed, region growing, clustering."""
from __future__ import annotations

import numpy as np
import pytest
from skimage import data

import segcore
from segcore import registry
from segcore.registry import ParamError
from tests.conftest import disk_image

IDS = ["slic", "felzenszwalb", "quickshift", "watershed", "region_growing", "kmeans", "mean_shift"]
SUPERPIXELS = ["slic", "felzenszwalb", "quickshift", "watershed", "kmeans", "mean_shift"]


def _images():
    gray, _ = disk_image(48, 14)
    rgb, _ = disk_image(48, 14, color=True)
    u16 = gray.astype(np.uint16) * 257
    return {"gray8": gray, "rgb8": rgb, "gray16": u16, "rgb16": rgb.astype(np.uint16) * 257}


def _iou(a, b):
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    return (a & b).sum() / max(1, (a | b).sum())


def test_all_registered_in_family():
    ids = [m.id for m in registry.methods(family="regions")]
    for mid in IDS:
        assert mid in ids
        m = registry.get(mid)
        assert m.task == "segment"
        assert 2 <= m.explain.count(". ") + 1 <= 6
        assert m.references
        assert all(p.help for p in m.params)


@pytest.mark.parametrize("mid", IDS)
@pytest.mark.parametrize("kind", ["gray8", "rgb8", "gray16", "rgb16"])
def test_runs_shape_dtype_deterministic_no_mutation(mid, kind):
    img = _images()[kind]
    before = img.copy()
    r1 = segcore.registry.apply(mid, img)
    r2 = segcore.registry.apply(mid, img)
    assert np.array_equal(img, before)
    assert r1.labels.shape == img.shape[:2]
    assert np.issubdtype(r1.labels.dtype, np.integer)
    assert np.array_equal(r1.labels, r2.labels)
    if mid in SUPERPIXELS:
        assert r1.labels.min() == 1, "every pixel belongs to a region (labels from 1)"
    else:
        assert set(np.unique(r1.labels)) <= {0, 1}


@pytest.mark.parametrize("mid", IDS)
def test_func_default_matches_declaration(mid):
    import inspect
    m = registry.get(mid)
    sig = inspect.signature(m.func)
    for p in m.params:
        assert sig.parameters[p.name].default == p.default


@pytest.fixture(scope="module")
def astro_crop():
    return data.astronaut()[100:300, 150:350]


@pytest.mark.parametrize("n", [50, 100, 200])
def test_slic_count_near_n_segments(astro_crop, n):
    labels = registry.apply("slic", astro_crop, n_segments=n).labels
    count = len(np.unique(labels))
    assert 0.5 * n <= count <= 1.5 * n


def test_slic_grey_count(astro_crop):
    grey = astro_crop[..., 1]
    count = len(np.unique(registry.apply("slic", grey, n_segments=100).labels))
    assert 50 <= count <= 150


def test_felzenszwalb_scale_fewer_regions(astro_crop):
    small = registry.apply("felzenszwalb", astro_crop, scale=10).n_regions
    large = registry.apply("felzenszwalb", astro_crop, scale=500).n_regions
    assert large < small


def test_watershed_markers_count():
    img, _ = disk_image(64, 18)
    labels = registry.apply("watershed", img, markers=16).labels
    assert 10 <= len(np.unique(labels)) <= 16


def test_region_growing_finds_disk():
    img, mask = disk_image(64, 18, noise=10)
    r = registry.apply("region_growing", img, point=(0.5, 0.5))
    assert _iou(r.labels, mask) >= 0.9
    assert r.extras["seeds"] == [(32, 32, 1)]
    r = registry.apply("region_growing", img, point=(0.5, 0.5), tolerance=70)
    assert _iou(r.labels, mask) >= 0.95
    # from the background, the background grows
    r = registry.apply("region_growing", img, point=(0.05, 0.05))
    assert _iou(r.labels, ~mask) >= 0.9


def test_region_growing_colour_channel():
    img, mask = disk_image(64, 18, noise=10, color=True)
    r = registry.apply("region_growing", img, point=(0.5, 0.5), channel="R")
    assert _iou(r.labels, mask) >= 0.9


def _three_colour(seed=0):
    rng = np.random.default_rng(seed)
    truth = np.zeros((60, 90), int)
    truth[:, 30:60] = 1
    truth[:, 60:] = 2
    truth[20:40, 10:20] = 2  # a disconnected patch of the third colour
    colours = np.array([[200, 30, 30], [30, 180, 40], [40, 40, 220]], float)
    img = colours[truth] + rng.normal(0, 8, truth.shape + (3,))
    return np.clip(img, 0, 255).astype(np.uint8), truth


@pytest.mark.parametrize("spatial", [0.0, 0.5])
def test_kmeans_recovers_three_colours(spatial):
    img, truth = _three_colour()
    labels = registry.apply("kmeans", img, k=3, spatial=spatial).labels
    assert set(np.unique(labels)) == {1, 2, 3}
    if spatial == 0.0:
        # each true region maps to exactly one label, and the labels differ
        mapped = []
        for t in range(3):
            vals, counts = np.unique(labels[truth == t], return_counts=True)
            assert len(vals) == 1
            mapped.append(vals[0])
        assert len(set(mapped)) == 3
    else:
        # position pulls a little; still each region is mostly one label
        for t in range(3):
            counts = np.bincount(labels[truth == t])
            assert counts.max() / counts.sum() >= 0.7


def test_kmeans_labels_ordered_by_brightness():
    img, mask = disk_image(64, 18)
    labels = registry.apply("kmeans", img, k=2).labels
    assert _iou(labels == 2, mask) >= 0.95


def test_mean_shift_few_regions_on_flat_image():
    img, truth = _three_colour()
    labels = registry.apply("mean_shift", img, sp=5, sr=30, min_size=50).labels
    # four connected patches of flat colour
    assert 3 <= len(np.unique(labels)) <= 8
    for t in range(3):
        counts = np.bincount(labels[truth == t])
        assert counts.max() / counts.sum() >= 0.8


@pytest.mark.parametrize(
    "mid,params",
    [
        ("slic", {"n_segments": 1}),
        ("felzenszwalb", {"scale": -1}),
        ("quickshift", {"ratio": 2.0}),
        ("watershed", {"markers": 2.5}),
        ("region_growing", {"point": (1.5, 0.5)}),
        ("region_growing", {"channel": "X"}),
        ("kmeans", {"k": 1}),
        ("mean_shift", {"sp": 0}),
        ("slic", {"bogus": 1}),
    ],
)
def test_bad_params_raise(mid, params):
    img, _ = disk_image(32, 8)
    with pytest.raises(ParamError):
        registry.apply(mid, img, **params)
