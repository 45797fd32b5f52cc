"""Known answers for the post-processing functions (segcore/segment/postprocess.py)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

import segcore
from segcore.registry import ParamError
from segcore.segment.postprocess import (
    clear_border,
    closing,
    fill_holes,
    keep_largest,
    label_components,
    merge_small_regions,
    opening,
    remove_small_objects,
)

IDS = [
    "remove_small_objects", "fill_holes", "opening", "closing",
    "clear_border", "keep_largest", "label_components", "merge_small_regions",
]


def blobs():
    """Binary 12x12: a 5x5 square with a one-pixel hole, a 2-pixel speck, a border blob."""
    m = np.zeros((12, 12), np.int32)
    m[2:7, 2:7] = 1
    m[4, 4] = 0          # hole
    m[9, 9:11] = 1       # speck of 2 px
    m[0:3, 10:12] = 1    # touches the border (6 px)
    return m


def multi():
    """Multi-label 12x12: label 3 (square with hole), label 7 (speck), label 5 (border)."""
    m = blobs()
    out = np.zeros_like(m)
    out[2:7, 2:7] = 3
    out[4, 4] = 0
    out[9, 9:11] = 7
    out[0:3, 10:12] = 5
    return out


def test_registered_with_docs():
    fam = {m.id: m for m in segcore.methods(task="postprocess")}
    assert set(IDS) <= set(fam)
    for mid in IDS:
        m = fam[mid]
        assert m.family == "postprocess" and m.explain and m.references and m.func.__doc__
        assert all(p.help for p in m.params)
    assert fam["remove_small_objects"].param("min_size").unit == "px2"
    assert fam["fill_holes"].param("max_hole_size").unit == "px2"
    assert fam["opening"].param("radius").unit == "px"


def test_remove_small_objects_binary():
    out = segcore.apply("remove_small_objects", blobs(), min_size=3).labels
    expected = blobs()
    expected[9, 9:11] = 0
    np.testing.assert_array_equal(out, expected)
    # 24 px square and 6 px border blob: min_size 7 keeps only the square.
    out = remove_small_objects(blobs(), min_size=7)
    assert out.sum() == 24 and out.max() == 1
    np.testing.assert_array_equal(remove_small_objects(blobs(), min_size=0), blobs())


def test_remove_small_objects_diagonal_pixels_are_one_object():
    m = np.zeros((6, 6), np.int32)
    m[1, 1] = m[2, 2] = m[3, 3] = 1  # 8-connected 3-pixel diagonal
    np.testing.assert_array_equal(remove_small_objects(m, min_size=3), m)


def test_remove_small_objects_multi_keeps_values():
    out = remove_small_objects(multi(), min_size=3)
    expected = multi()
    expected[expected == 7] = 0
    np.testing.assert_array_equal(out, expected)


def test_fill_holes_binary_all_and_by_size():
    m = np.zeros((10, 10), np.int32)
    m[1:9, 1:9] = 1
    m[2:4, 2:4] = 0      # 4 px hole
    m[6, 6] = 0          # 1 px hole
    full = fill_holes(m)
    assert full.sum() == 64 and full.max() == 1
    small = fill_holes(m, max_hole_size=2)
    assert small[6, 6] == 1 and (small[2:4, 2:4] == 0).all()
    assert fill_holes(m, max_hole_size=4).sum() == 64


def test_fill_holes_border_gap_is_not_a_hole():
    m = np.zeros((7, 7), np.int32)
    m[1:6, 1:6] = 1
    m[2:5, 2:5] = 0
    m[3, 5] = 0
    m[3, 6] = 0  # the inside leaks to the border
    np.testing.assert_array_equal(fill_holes(m), m)


def test_fill_holes_multi_takes_enclosing_label():
    out = fill_holes(multi())
    assert out[4, 4] == 3
    assert set(np.unique(out)) == {0, 3, 5, 7}


def test_opening_removes_thin_bridge_and_speck():
    m = np.zeros((20, 30), np.int32)
    m[4:15, 2:12] = 1
    m[4:15, 18:28] = 1
    m[9, 12:18] = 1     # one-pixel bridge
    m[18, 15] = 1       # speck
    out = opening(m, radius=1)
    assert out[9, 14] == 0 and out[18, 15] == 0
    assert out[9, 6] == 1 and out[9, 22] == 1
    assert label_components(out).max() == 2
    np.testing.assert_array_equal(opening(m, radius=0), m)


def test_opening_multi_matches_per_label_opening():
    rng = np.random.default_rng(0)
    lab = np.kron(rng.integers(1, 6, (6, 8)), np.ones((7, 7), np.int64)).astype(np.int32)
    lab[rng.random(lab.shape) < 0.03] = 9  # scattered specks of a ninth label
    out = opening(lab, radius=2)
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    ref = np.zeros_like(lab)
    for v in np.unique(lab):
        ref[cv2.morphologyEx((lab == v).astype(np.uint8), cv2.MORPH_OPEN, disk).astype(bool)] = v
    np.testing.assert_array_equal(out, ref)
    assert not (out == 9).any()


def test_closing_fills_gap_binary_and_keeps_border():
    m = np.zeros((12, 20), np.int32)
    m[3:9, 0:9] = 1
    m[3:9, 11:20] = 1   # gap of 2 px at columns 9-10
    out = closing(m, radius=2)
    assert (out[4:8, :] == 1).all()  # the gap is bridged (its corner pixels stay notched)
    # Touching the left/right border: not eroded; 3 px from top/bottom: not glued to it.
    np.testing.assert_array_equal(out[:, 0], m[:, 0])
    np.testing.assert_array_equal(out[:, -1], m[:, -1])
    assert out[:3].sum() == 0 and out[9:].sum() == 0
    np.testing.assert_array_equal(closing(m, radius=0), m)


def test_closing_multi_gives_added_pixels_the_nearest_label():
    m = np.zeros((10, 20), np.int32)
    m[2:8, 2:9] = 4
    m[2:8, 11:18] = 6
    out = closing(m, radius=2)
    assert (out[3:7, 9] == 4).all() and (out[3:7, 10] == 6).all()
    np.testing.assert_array_equal(out[m > 0], m[m > 0])


def test_clear_border():
    expected = blobs()
    expected[0:3, 10:12] = 0
    np.testing.assert_array_equal(clear_border(blobs()), expected)
    expected = multi()
    expected[expected == 5] = 0
    np.testing.assert_array_equal(clear_border(multi()), expected)


def test_keep_largest():
    out = keep_largest(blobs())
    assert out.sum() == 24 and out[2, 2] == 1 and out[9, 9] == 0 and out.max() == 1
    out = keep_largest(multi())
    np.testing.assert_array_equal(np.unique(out), [0, 3])
    assert (out == 3).sum() == 24
    np.testing.assert_array_equal(keep_largest(np.zeros((4, 4), int)), np.zeros((4, 4)))


def test_label_components_connectivity():
    m = np.zeros((5, 5), bool)
    m[0, 0] = m[1, 1] = True   # diagonal neighbours
    m[3:5, 3:5] = True
    assert label_components(m, connectivity=2).max() == 2
    assert label_components(m, connectivity=1).max() == 3
    out = segcore.apply("label_components", m.astype(np.uint8), connectivity=1).labels
    np.testing.assert_array_equal(np.unique(out), [0, 1, 2, 3])


def test_label_components_splits_multi_label_pieces():
    lab = np.zeros((4, 7), np.int32)
    lab[:, 0:2] = 5
    lab[:, 5:7] = 5   # label 5 in two pieces
    lab[:, 3] = 2
    out = label_components(lab)
    assert out.max() == 3
    assert out[0, 0] != out[0, 6]


def test_merge_small_regions_superpixels():
    lab = np.ones((10, 10), np.int32)
    lab[:, 5:] = 2
    lab[2:4, 2:4] = 3     # 4 px island inside 1
    lab[7, 4:6] = 4       # 2 px straddling 1 and 2: shares 3 px with 1 and 3 px with 2
    lab[7, 6] = 4         # now shares more border with 2
    out = merge_small_regions(lab, min_size=5)
    expected = np.ones((10, 10), np.int32)
    expected[:, 5:] = 2
    expected[7, 4] = 2
    np.testing.assert_array_equal(out, expected)


def test_merge_small_regions_binary_stays_binary():
    m = np.zeros((12, 12), np.int32)
    m[2:10, 2:10] = 1
    m[5, 5] = 0        # small hole -> filled
    m[0, 11] = 1       # small speck -> removed
    out = merge_small_regions(m, min_size=3)
    expected = np.zeros_like(m)
    expected[2:10, 2:10] = 1
    np.testing.assert_array_equal(out, expected)


def test_merge_chain_until_large_enough():
    lab = np.zeros((1, 6), np.int32)
    lab[0] = [1, 2, 3, 3, 3, 3]   # 1 (1 px) next to 2 (1 px): merge into 2 then into 3
    out = merge_small_regions(lab, min_size=3)
    np.testing.assert_array_equal(out, [[3, 3, 3, 3, 3, 3]])
    one = np.full((3, 3), 4, np.int32)
    np.testing.assert_array_equal(merge_small_regions(one, min_size=100), one)


@pytest.mark.parametrize("mid", IDS)
@pytest.mark.parametrize("dtype", [bool, np.uint8, np.uint16, np.int64, np.float64])
def test_dtypes_and_input_untouched(mid, dtype):
    src = blobs().astype(dtype)
    before = src.copy()
    out = segcore.apply(mid, src).labels
    ref = segcore.apply(mid, blobs()).labels
    np.testing.assert_array_equal(src, before)
    np.testing.assert_array_equal(out, ref)
    assert out.dtype == np.int32 and out.shape == src.shape


@pytest.mark.parametrize("mid", IDS)
def test_multi_label_input_untouched(mid):
    src = multi()
    before = src.copy()
    out = segcore.apply(mid, src).labels
    np.testing.assert_array_equal(src, before)
    assert set(np.unique(out)) <= set(np.unique(src)) or mid == "label_components"


@pytest.mark.parametrize("fn", [remove_small_objects, fill_holes, opening, closing,
                                clear_border, keep_largest, label_components, merge_small_regions])
def test_bad_labels_raise_value_error(fn):
    with pytest.raises(ValueError, match="Labels"):
        fn(np.array([[0, -1], [1, 2]]))
    with pytest.raises(ValueError, match="Labels"):
        fn(np.array([[0.5, 1.0], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="shape"):
        fn(np.zeros((4, 4, 3), np.int32)[..., 0][None])


@pytest.mark.parametrize(
    "mid, params",
    [
        ("remove_small_objects", {"min_size": -1}),
        ("fill_holes", {"max_hole_size": 10**7}),
        ("opening", {"radius": 51}),
        ("closing", {"radius": 1.5}),
        ("label_components", {"connectivity": 3}),
        ("merge_small_regions", {"min_size": -5}),
        ("clear_border", {"buffer": 2}),
    ],
)
def test_out_of_range_params_raise(mid, params):
    with pytest.raises(ParamError):
        segcore.apply(mid, blobs(), **params)


def test_dilate_grows_like_detect_and_inpaint():
    from segcore.guided import _grow

    mask = np.zeros((20, 20), bool)
    mask[10, 3:15] = True
    grown = segcore.apply("dilate", mask.astype(np.int32), radius=2).labels
    np.testing.assert_array_equal(grown > 0, _grow(mask, 2))
    assert grown.max() == 1
    labels = np.zeros((10, 10), np.int32)
    labels[2, 2], labels[7, 7] = 1, 3
    out = segcore.apply("dilate", labels, radius=1).labels
    assert out[1, 2] == out[2, 1] == 1 and out[6, 7] == out[7, 8] == 3
    assert out[0, 0] == 0 and (out > 0).sum() == 10
    np.testing.assert_array_equal(segcore.apply("dilate", labels, radius=0).labels, labels)
