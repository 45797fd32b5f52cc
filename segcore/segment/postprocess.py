"""Post-processing of segmentations: clean up a label image.

Every function takes a label image ``labels`` (H, W) of non-negative
integers (or bool) instead of an image and returns a new int32 label image
of the same shape; the input is never modified. A *binary* input (only 0
and 1) stays binary. A *multi-label* input (values above 1, e.g.
superpixels) keeps its label values wherever that makes sense; each
function's docstring says what it does with several labels.
"""
from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage as ndi
from skimage import measure, morphology, segmentation

from segcore.registry import Method, Param, register
from segcore.segment.edges import _fill_holes

__all__ = [
    "dilate",
    "remove_small_objects",
    "fill_holes",
    "opening",
    "closing",
    "clear_border",
    "keep_largest",
    "label_components",
    "merge_small_regions",
]


def _as_labels(labels):
    """Validated copy of ``labels`` as int32; raises ValueError with what to do."""
    labels = np.asarray(labels)
    if labels.ndim != 2:
        raise ValueError(
            f"Post-processing needs a label image of shape (height, width), got shape {labels.shape}; "
            "segment the image first."
        )
    if labels.dtype == bool:
        return labels.astype(np.int32)
    if not np.issubdtype(labels.dtype, np.integer):
        if not np.issubdtype(labels.dtype, np.floating) or not np.all(np.mod(labels, 1) == 0):
            raise ValueError("Labels must be whole numbers (0 = background, 1, 2, ... = regions).")
    if labels.size and labels.min() < 0:
        raise ValueError("Labels must be 0 or positive (0 = background, 1, 2, ... = regions).")
    return labels.astype(np.int32)


def _disk(radius):
    """Elliptical (disk) structuring element of the given radius for OpenCV."""
    r = int(radius)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))


def _nearest_label(labels, where):
    """``labels`` with the pixels in ``where`` given the label of the nearest labelled pixel."""
    out = labels.copy()
    if not where.any() or not (labels > 0).any():
        return out
    idx = ndi.distance_transform_edt(labels == 0, return_distances=False, return_indices=True)
    out[where] = labels[idx[0][where], idx[1][where]]
    return out


def remove_small_objects(labels, *, min_size=64):
    """Remove objects smaller than ``min_size`` pixels.

    Parameters
    ----------
    labels : (M, N) ndarray of int or bool
        Label image (0 = background).
    min_size : int
        Objects with fewer pixels than this are set to 0.

    Returns
    -------
    (M, N) ndarray of int32
        Binary input: connected components (8-connected) of 1 smaller than
        ``min_size`` become 0. Multi-label input: every label value whose
        total area is below ``min_size`` becomes 0; other labels keep their
        values.
    """
    lab = _as_labels(labels)
    if min_size <= 1:
        return lab
    if lab.max() <= 1:
        kept = morphology.remove_small_objects(lab.astype(bool), max_size=int(min_size) - 1, connectivity=2)
        return kept.astype(np.int32)
    return morphology.remove_small_objects(lab, max_size=int(min_size) - 1).astype(np.int32)


def fill_holes(labels, *, max_hole_size=0):
    """Fill holes: background areas completely enclosed by foreground.

    Parameters
    ----------
    labels : (M, N) ndarray of int or bool
        Label image (0 = background).
    max_hole_size : int
        Only holes of at most this many pixels are filled; 0 fills all.

    Returns
    -------
    (M, N) ndarray of int32
        Binary input: holes become 1. Multi-label input: existing labels are
        kept; each filled hole pixel takes the label of the nearest region
        (a hole inside one region takes that region's label).
    """
    lab = _as_labels(labels)
    fg = lab > 0
    if max_hole_size <= 0:
        filled = _fill_holes(fg)
    else:
        filled = morphology.remove_small_holes(fg, max_size=int(max_hole_size))
    new = filled & ~fg
    if lab.max() <= 1:
        return filled.astype(np.int32)
    return _nearest_label(lab, new)


def opening(labels, *, radius=2):
    """Morphological opening with a disk: removes thin parts and small specks.

    Parameters
    ----------
    labels : (M, N) ndarray of int or bool
        Label image (0 = background).
    radius : int
        Radius of the disk in pixels; parts narrower than about twice this
        disappear. 0 returns the labels unchanged.

    Returns
    -------
    (M, N) ndarray of int32
        Binary input: the opened mask. Multi-label input: each region is
        opened on its own (pixels where the disk fits inside the region,
        grown back by ``radius`` without leaving the region); removed pixels
        become 0, labels keep their values.
    """
    lab = _as_labels(labels)
    if radius <= 0:
        return lab
    disk = _disk(radius)
    if lab.max() <= 1:
        return cv2.morphologyEx(lab.astype(np.uint8), cv2.MORPH_OPEN, disk).astype(np.int32)
    lf = lab.astype(np.float32)  # OpenCV morphology has no int32; float32 is exact to 2**24
    core = (cv2.erode(lf, disk) == lf) & (cv2.dilate(lf, disk) == lf) & (lab > 0)
    # A core pixel's whole disk lies in its own region, so the only core pixels
    # within reach of a pixel belong to that pixel's own label: a plain
    # dilation of the core labels grows each region back without mixing labels.
    grown = cv2.dilate(np.where(core, lf, np.float32(0)), disk)
    return np.where(grown == lf, lab, 0).astype(np.int32)


def dilate(labels, *, radius=1):
    """Grow the foreground (or every region) by ``radius`` pixels with a disk.

    Parameters
    ----------
    labels : (M, N) ndarray of int or bool
        Label image (0 = background).
    radius : int
        Radius of the disk in pixels. 0 returns the labels unchanged.

    Returns
    -------
    (M, N) ndarray of int32
        Binary input: the dilated mask (the same disk as
        :func:`segcore.guided.detect_and_inpaint` uses to grow a damage mask).
        Multi-label input: background pixels within reach take the largest
        neighbouring label; existing labels keep their values.
    """
    lab = _as_labels(labels)
    if radius <= 0:
        return lab
    disk = _disk(radius)
    if lab.max() <= 1:
        return (cv2.dilate(lab.astype(np.uint8), disk) > 0).astype(np.int32)
    grown = cv2.dilate(lab.astype(np.float32), disk)  # float32 is exact to 2**24 labels
    return np.where(lab > 0, lab, grown.astype(np.int32)).astype(np.int32)


def closing(labels, *, radius=2):
    """Morphological closing with a disk: fills narrow gaps, notches and small holes.

    Parameters
    ----------
    labels : (M, N) ndarray of int or bool
        Label image (0 = background).
    radius : int
        Radius of the disk in pixels; background gaps narrower than about
        twice this are filled. 0 returns the labels unchanged.

    Returns
    -------
    (M, N) ndarray of int32
        Binary input: the closed mask, computed on the mask mirrored at the
        image border (objects touching the border are not eroded there).
        Multi-label input: the foreground (all labels together) is closed;
        existing labels are kept and each added pixel takes the label of the
        nearest region.
    """
    lab = _as_labels(labels)
    if radius <= 0:
        return lab
    # Mirror the mask by twice the radius so the closing behaves as if the image
    # went on: objects touching the border are not eroded there, and nothing
    # is glued to the border that would not be glued to its own mirror image.
    pad = 2 * int(radius)
    fg = cv2.copyMakeBorder((lab > 0).astype(np.uint8), pad, pad, pad, pad, cv2.BORDER_REFLECT)
    closed = cv2.morphologyEx(fg, cv2.MORPH_CLOSE, _disk(radius))[pad:-pad, pad:-pad].astype(bool)
    if lab.max() <= 1:
        return closed.astype(np.int32)
    return _nearest_label(lab, closed & (lab == 0))


def clear_border(labels):
    """Remove the objects that touch the image border.

    Parameters
    ----------
    labels : (M, N) ndarray of int or bool
        Label image (0 = background).

    Returns
    -------
    (M, N) ndarray of int32
        Connected pieces (8-connected, of one label value) touching the
        border become 0; the others keep their values (binary stays binary).
    """
    return segmentation.clear_border(_as_labels(labels)).astype(np.int32)


def keep_largest(labels):
    """Keep only the largest object.

    Parameters
    ----------
    labels : (M, N) ndarray of int or bool
        Label image (0 = background).

    Returns
    -------
    (M, N) ndarray of int32
        Binary input: the largest 8-connected component of 1, as 0/1.
        Multi-label input: the label value with the largest total area,
        keeping its value; everything else is 0. Ties go to the lower label.
    """
    lab = _as_labels(labels)
    if not (lab > 0).any():
        return lab
    if lab.max() <= 1:
        comps = measure.label(lab, connectivity=2)
        areas = np.bincount(comps.ravel())
        areas[0] = 0
        return (comps == int(np.argmax(areas))).astype(np.int32)
    areas = np.bincount(lab.ravel())
    areas[0] = 0
    best = int(np.argmax(areas))
    return np.where(lab == best, best, 0).astype(np.int32)


def label_components(labels, *, connectivity=2):
    """Number the connected components: a binary mask becomes labels 1..n.

    Parameters
    ----------
    labels : (M, N) ndarray of int or bool
        Binary mask or label image (0 = background).
    connectivity : {1, 2}
        1: pixels touching by a side are connected (4-neighbours);
        2: also by a corner (8-neighbours).

    Returns
    -------
    (M, N) ndarray of int32
        Components numbered 1..n in raster order, 0 = background. With a
        multi-label input every connected piece of every label value gets its
        own number (a label split in two pieces becomes two labels).
    """
    lab = _as_labels(labels)
    return measure.label(lab, background=0, connectivity=int(connectivity)).astype(np.int32)


def _find(parent, i):
    """Root of ``i`` in the union-find forest ``parent`` (with path halving)."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def merge_small_regions(labels, *, min_size=64):
    """Merge every region smaller than ``min_size`` into its most frequent neighbour.

    Regions are the 4-connected pieces of equal label value, background (0)
    pieces included. Starting with the smallest, each region below
    ``min_size`` pixels is merged into the neighbouring region with which it
    shares the longest border, and takes that region's label value; a merged
    region that is still too small is merged again.

    Parameters
    ----------
    labels : (M, N) ndarray of int or bool
        Label image, e.g. superpixels or a binary mask.
    min_size : int
        Regions with fewer pixels than this are merged away.

    Returns
    -------
    (M, N) ndarray of int32
        Label values are those of the input (so binary stays binary: small
        specks of 1 become 0 and small holes of 0 become 1). A region with no
        neighbour (the whole image) is kept.
    """
    lab = _as_labels(labels)
    comps = measure.label(lab, background=-1, connectivity=1)
    n = int(comps.max())
    if min_size <= 1 or n <= 1:
        return lab
    value = np.zeros(n + 1, np.int64)
    value[comps.ravel()] = lab.ravel()
    size = np.bincount(comps.ravel(), minlength=n + 1).tolist()
    # Border length between each pair of touching regions.
    a = np.concatenate([comps[:, :-1].ravel(), comps[:-1, :].ravel()])
    b = np.concatenate([comps[:, 1:].ravel(), comps[1:, :].ravel()])
    diff = a != b
    pairs = np.stack([np.minimum(a[diff], b[diff]), np.maximum(a[diff], b[diff])], axis=1)
    pairs, counts = np.unique(pairs, axis=0, return_counts=True)
    adj = [dict() for _ in range(n + 1)]
    for (i, j), c in zip(pairs.tolist(), counts.tolist()):
        adj[i][j] = c
        adj[j][i] = c
    parent = list(range(n + 1))
    changed = True
    while changed:
        changed = False
        small = sorted((size[i], i) for i in range(1, n + 1) if parent[i] == i and size[i] < min_size)
        for _, i in small:
            if parent[i] != i or size[i] >= min_size or not adj[i]:
                continue
            j = max(sorted(adj[i]), key=adj[i].get)  # longest shared border, lowest id on ties
            parent[i] = j
            size[j] += size[i]
            for k, c in adj[i].items():
                del adj[k][i]
                if k != j:
                    adj[k][j] = adj[k].get(j, 0) + c
                    adj[j][k] = adj[j].get(k, 0) + c
            adj[i] = {}
            changed = True
    roots = np.array([_find(parent, i) for i in range(n + 1)])
    return value[roots][comps].astype(np.int32)


_LABELS_NOTE = " It works on the current segmentation, not on the image."

register(Method(
    id="remove_small_objects", task="postprocess", family="postprocess", label="Remove small objects",
    func=remove_small_objects,
    params=(
        Param("min_size", "int", 64, min=0, max=100000, step=1, unit="px2",
              help="Objects with fewer pixels than this are deleted (set to background)."),
    ),
    explain=(
        "Deletes every object smaller than the size you choose, such as specks left by noise." + _LABELS_NOTE +
        " It cannot tell a small real object from noise: set the size below the smallest object you care about."
    ),
    references=("scikit-image morphology.remove_small_objects documentation.",),
    live=True,
))

register(Method(
    id="fill_holes", task="postprocess", family="postprocess", label="Fill holes",
    func=fill_holes,
    params=(
        Param("max_hole_size", "int", 0, min=0, max=100000, step=1, unit="px2",
              help="Only holes with at most this many pixels are filled; 0 fills every hole."),
    ),
    explain=(
        "Fills background areas completely surrounded by an object, e.g. reflections inside a coin or the dark "
        "nucleus of a bright cell." + _LABELS_NOTE +
        " A hole that touches the image border or leaks out through a gap in the outline is not a hole and stays."
    ),
    references=(
        "P. Soille, 'Morphological Image Analysis', Springer, 1999, sec. 6.3.7 (hole filling).",
    ),
    live=True,
))

register(Method(
    id="dilate", task="postprocess", family="postprocess", label="Grow (dilate)",
    func=dilate,
    params=(
        Param("radius", "int", 1, min=0, max=50, step=1, unit="px",
              help="How many pixels to add around every object (use 1-3 to cover the soft edges of scratches before inpainting)."),
    ),
    explain=(
        "Dilation adds a band of the given width around every object. "
        "It is the usual last step before inpainting: a detected scratch or stain has a soft rim the detector misses, "
        "and repairing a slightly larger area hides it." + _LABELS_NOTE
        + " Too large a radius erases real detail next to the damage and merges nearby objects."
    ),
    references=("J. Serra, 'Image Analysis and Mathematical Morphology', Academic Press, 1982.",),
    live=True,
))

register(Method(
    id="opening", task="postprocess", family="postprocess", label="Opening",
    func=opening,
    params=(
        Param("radius", "int", 2, min=0, max=50, step=1, unit="px",
              help="Radius of the round brush; specks and bridges narrower than about twice this are removed."),
    ),
    explain=(
        "Opening erodes the objects and grows them back: whatever is too thin for a disk of this radius to fit "
        "inside (specks, thin bridges between objects, spurs) disappears, while larger shapes keep their size."
        + _LABELS_NOTE + " A large radius also rounds corners and can delete thin real structures."
    ),
    references=("J. Serra, 'Image Analysis and Mathematical Morphology', Academic Press, 1982.",),
    live=True,
))

register(Method(
    id="closing", task="postprocess", family="postprocess", label="Closing",
    func=closing,
    params=(
        Param("radius", "int", 2, min=0, max=50, step=1, unit="px",
              help="Radius of the round brush; gaps and notches narrower than about twice this are filled."),
    ),
    explain=(
        "Closing grows the objects and shrinks them back: narrow gaps, cracks and small holes are filled while "
        "the outline stays where it was." + _LABELS_NOTE +
        " A large radius glues neighbouring objects together."
    ),
    references=("J. Serra, 'Image Analysis and Mathematical Morphology', Academic Press, 1982.",),
    live=True,
))

register(Method(
    id="clear_border", task="postprocess", family="postprocess", label="Clear border",
    func=clear_border,
    params=(),
    explain=(
        "Removes every object that touches the edge of the image. Use it before counting or measuring objects, "
        "because objects cut by the frame are incomplete." + _LABELS_NOTE +
        " If the background itself is labelled as an object, it touches the border and is removed too."
    ),
    references=("scikit-image segmentation.clear_border documentation.",),
    live=True,
))

register(Method(
    id="keep_largest", task="postprocess", family="postprocess", label="Keep largest object",
    func=keep_largest,
    params=(),
    explain=(
        "Keeps only the biggest object and deletes all others. It is handy when the image shows one main "
        "subject, such as a single cell, leaf or document page." + _LABELS_NOTE +
        " If the subject is split into pieces, only its largest piece survives."
    ),
    references=("scikit-image measure.label documentation.",),
    live=True,
))

register(Method(
    id="label_components", task="postprocess", family="postprocess", label="Label connected components",
    func=label_components,
    params=(
        Param("connectivity", "int", 2, min=1, max=2, step=1,
              help="1: pixels touching by a side belong together; 2: also pixels touching only by a corner."),
    ),
    explain=(
        "Gives every separate blob of the mask its own number, so that objects can be counted, coloured and "
        "measured one by one." + _LABELS_NOTE +
        " Objects that touch each other are counted as one; split them first (e.g. with opening or watershed)."
    ),
    references=(
        "K. Wu, E. Otoo, K. Suzuki, 'Optimizing two-pass connected-component labeling algorithms', "
        "Pattern Anal. Appl. 12(2), 2009.",
    ),
    live=True,
))

register(Method(
    id="merge_small_regions", task="postprocess", family="postprocess", label="Merge small regions",
    func=merge_small_regions,
    params=(
        Param("min_size", "int", 64, min=0, max=100000, step=1, unit="px2",
              help="Regions with fewer pixels than this are merged into the neighbour they share the longest border with."),
    ),
    explain=(
        "Merges every region smaller than the size you choose into the neighbour it shares the longest border "
        "with, smallest first. It tidies over-segmentations such as superpixels, and on a mask it both removes "
        "specks and fills small holes." + _LABELS_NOTE +
        " A small region that is really different from its neighbours is merged anyway."
    ),
    references=(
        "P. F. Felzenszwalb, D. P. Huttenlocher, 'Efficient graph-based image segmentation', IJCV 59(2), 2004 "
        "(small-component merging).",
    ),
    live=False,
))
