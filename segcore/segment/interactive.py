"""Interactive segmentation: the user marks a box or seed points.

Seed points are ``(x, y, label)`` in fractions of width and height. With two
seed labels the result is binary: 1 = the label of the *first* seed
(foreground), 0 = everything else. With three or more labels the result keeps
the seed labels. ``extras["seeds"]`` lists the seeds used, in pixels, as
``(x, y, label)``.
"""
from __future__ import annotations

import cv2
import numpy as np
from skimage import draw, filters, segmentation

from segcore._common import frac_points_to_px, frac_rect_to_px, to_channel, to_float, to_uint8
from segcore.registry import Method, Param, register

__all__ = ["grabcut", "random_walker", "watershed_markers"]

_DEFAULT_SEEDS = ((0.5, 0.5, 1), (0.03, 0.03, 2))


def _seed_image(points, shape, radius):
    """Label image with a disk of ``radius`` pixels of each seed's label (0 = unmarked)."""
    seeds = np.zeros(shape[:2], dtype=np.int32)
    used = []
    for row, col, label in frac_points_to_px(points, shape):
        rr, cc = draw.disk((row, col), radius + 0.5, shape=shape[:2])
        seeds[rr, cc] = label
        seeds[row, col] = label
        used.append((col, row, label))
    labels = np.unique(seeds[seeds > 0])
    if len(labels) < 2:
        raise ValueError(
            "Place seeds of at least two different labels "
            "(for example one inside the object with label 1 and one outside with label 2)."
        )
    return seeds, used


def _reduce(image, work_size):
    """Shrink ``image`` (INTER_AREA) so its long side is at most ``work_size`` (0 = keep)."""
    h, w = image.shape[:2]
    if work_size <= 0 or max(h, w) <= work_size:
        return image, 1.0
    scale = work_size / float(max(h, w))
    size = (max(1, int(round(w * scale))), max(1, int(round(h * scale))))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), scale


def _enlarge(labels, shape, binary):
    """Labels computed on a reduced image back to ``shape``: smooth for 0/1, nearest otherwise."""
    if labels.shape == tuple(shape[:2]):
        return labels
    size = (shape[1], shape[0])
    if binary:
        soft = cv2.resize(labels.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
        return (soft > 0.5).astype(np.int32)
    return cv2.resize(labels.astype(np.int32), size, interpolation=cv2.INTER_NEAREST)


def _to_binary(labels, points):
    """Two labels -> 0/1 with 1 = the first seed's label; more labels kept as they are."""
    if len({int(p[2]) for p in points}) == 2:
        return (labels == int(points[0][2])).astype(np.int32)
    return labels.astype(np.int32)


def grabcut(image, *, rect=(0.1, 0.1, 0.9, 0.9), iterations=5, work_size=512):
    """GrabCut: colour models of object and background refined by graph cuts.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype (grey is converted to RGB).
    rect : (float, float, float, float)
        Box ``(x0, y0, x1, y1)`` in fractions that contains the object; all
        outside it is background.
    iterations : int
        Number of GrabCut iterations.
    work_size : int
        Compute on a copy whose long side is at most this many pixels and
        enlarge the result (much faster on big images); 0 = full size.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for the object, 0 for the background.
    extras : dict
        ``rect``: the box in pixels of the input as ``(x, y, width, height)``.

    References
    ----------
    C. Rother, V. Kolmogorov and A. Blake, "GrabCut: interactive foreground
    extraction using iterated graph cuts", ACM SIGGRAPH 2004.
    """
    full = to_uint8(image)
    img8, _ = _reduce(full, work_size)
    if img8.ndim == 2:
        img8 = cv2.cvtColor(img8, cv2.COLOR_GRAY2BGR)
    else:
        img8 = cv2.cvtColor(img8, cv2.COLOR_RGB2BGR)
    box = frac_rect_to_px(rect, img8.shape)
    mask = np.zeros(img8.shape[:2], dtype=np.uint8)
    bgd = np.zeros((1, 65), dtype=np.float64)
    fgd = np.zeros((1, 65), dtype=np.float64)
    cv2.setRNGSeed(0)
    cv2.grabCut(img8, mask, box, bgd, fgd, int(iterations), cv2.GC_INIT_WITH_RECT)
    fg = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.int32)
    fg = _enlarge(fg, full.shape, binary=True)
    return fg, {"rect": tuple(int(v) for v in frac_rect_to_px(rect, full.shape))}


def random_walker(image, *, seeds=_DEFAULT_SEEDS, radius=3, beta=130.0, mode="bf", work_size=512):
    """Random walker: each pixel takes the label its random walk most likely reaches first.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype.
    seeds : sequence of (float, float, int)
        Seeds ``(x, y, label)`` in fractions; at least two different labels.
        The first seed's label is the foreground of a two-label result.
    radius : int
        Each seed marks a disk of this radius in pixels.
    beta : float
        Edge penalty: larger values make walks stop more sharply at edges.
    mode : {"bf", "cg"}
        Linear solver: "bf" (direct, fast here for preview sizes) or "cg"
        (conjugate gradient, less memory).
    work_size : int
        Compute on a copy whose long side is at most this many pixels and
        enlarge the result (much faster on big images); 0 = full size.

    Returns
    -------
    labels : (M, N) ndarray of int32
        With two seed labels: 1 where the first seed's label wins, else 0.
        With more labels: the winning seed label of each pixel.
    extras : dict
        ``seeds``: ``[(x, y, label), ...]`` in pixels.

    References
    ----------
    L. Grady, "Random walks for image segmentation", IEEE TPAMI 28(11), 2006.
    """
    full = to_float(image)
    img, scale = _reduce(full.astype(np.float32), work_size)
    _, used = _seed_image(seeds, full.shape, int(radius))
    markers, _ = _seed_image(seeds, img.shape, int(round(radius * scale)))
    labels = segmentation.random_walker(
        img.astype(np.float64), markers, beta=beta, mode=mode,
        channel_axis=-1 if img.ndim == 3 else None,
    )
    binary = len({int(p[2]) for p in seeds}) == 2
    labels = _enlarge(_to_binary(labels, seeds), full.shape, binary)
    return labels, {"seeds": used}


def watershed_markers(image, *, markers=_DEFAULT_SEEDS, compactness=0.0):
    """Watershed of the Sobel gradient flooded from user-placed markers.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype.
    markers : sequence of (float, float, int)
        Markers ``(x, y, label)`` in fractions; at least two different labels.
        The first marker's label is the foreground of a two-label result.
    compactness : float
        0 for the classic watershed; larger values give more compact regions.

    Returns
    -------
    labels : (M, N) ndarray of int32
        With two labels: 1 for the first marker's basin, else 0. With more
        labels: the marker label of each pixel.
    extras : dict
        ``seeds``: ``[(x, y, label), ...]`` in pixels.

    References
    ----------
    S. Beucher and F. Meyer, "The morphological approach to segmentation:
    the watershed transformation", 1993.
    """
    gradient = filters.sobel(to_channel(image, "gray"))
    seed_img, used = _seed_image(markers, gradient.shape, 1)
    labels = segmentation.watershed(gradient, markers=seed_img, compactness=compactness)
    return _to_binary(labels, markers), {"seeds": used}


_SEEDS_HELP = (
    "Seed points: label 1 inside the object, label 2 on the background "
    "(more labels for more regions); on the Segment page drag a small box on the image to place one. "
    "Positions are fractions of width and height."
)

_WORK_SIZE = Param(
    "work_size", "int", 512, min=0, max=8000, step=32, label="Working size",
    help=(
        "To save time the method runs on a copy whose longest side is at most this many pixels, "
        "then the result is enlarged to the image size; 0 runs at full size (slow on big images)."
    ),
)

register(Method(
    id="grabcut", task="segment", family="interactive", label="GrabCut",
    func=grabcut,
    params=(
        Param("rect", "rect", (0.1, 0.1, 0.9, 0.9),
              help="Draw a box that contains the whole object; everything outside is treated as background."),
        Param("iterations", "int", 5, min=1, max=20, step=1,
              help="How many times to refine the result; more is slower but can be cleaner."),
        _WORK_SIZE,
    ),
    explain=(
        "You draw a box around the object; GrabCut learns the colours outside the box as background "
        "and the colours inside as a mix, then repeatedly finds the best cut between object and background. "
        "It works well when the object's colours differ from the background's. It struggles when they "
        "share colours or when the object touches the box edges."
    ),
    references=("C. Rother, V. Kolmogorov and A. Blake, 'GrabCut: interactive foreground extraction using iterated graph cuts', ACM SIGGRAPH 2004.",),
    live=False,
))

register(Method(
    id="random_walker", task="segment", family="interactive", label="Random walker",
    func=random_walker,
    params=(
        Param("seeds", "points", _DEFAULT_SEEDS, help=_SEEDS_HELP),
        Param("radius", "int", 3, min=0, max=50, step=1, unit="px",
              help="Each seed paints a small disk of this radius, in pixels."),
        Param("beta", "float", 130.0, min=1.0, max=10000.0, step=10.0,
              help="How strongly edges stop the spread of labels; higher values follow edges more tightly."),
        Param("mode", "choice", "bf", choices=("bf", "cg"),
              help="Solver: 'bf' is the fastest for preview images; 'cg' uses less memory on big images."),
        _WORK_SIZE,
    ),
    explain=(
        "You mark a few pixels of each region; every other pixel gets the label whose seeds a random "
        "walk from it would most likely reach first, and walks rarely cross strong edges. "
        "It copes well with weak or broken edges and noise. It needs seeds in every region and is slow on large images."
    ),
    references=("L. Grady, 'Random walks for image segmentation', IEEE TPAMI 28(11), 2006.",),
    live=False,
))

register(Method(
    id="watershed_markers", task="segment", family="interactive", label="Marker watershed",
    func=watershed_markers,
    params=(
        Param("markers", "points", _DEFAULT_SEEDS, help=_SEEDS_HELP),
        Param("compactness", "float", 0.0, min=0.0, max=1.0, step=0.001,
              help="0 follows edges only; higher values make regions more regular and compact."),
    ),
    explain=(
        "The edge strength of the image is seen as a landscape that is flooded from the markers you "
        "place; each flood keeps the label of its marker and regions meet on the edges. "
        "It is fast and precise when the object has a closed, strong edge. Through a gap in the edge "
        "the flood leaks into the wrong region."
    ),
    references=("S. Beucher and F. Meyer, 'The morphological approach to segmentation: the watershed transformation', 1993.",),
    live=False,
))
