"""Damage detection: find what is broken (scratches, dust, blotches) as a 0/1 mask.

The masks feed inpainting (:func:`segcore.guided.detect_and_inpaint`).
"""
from __future__ import annotations

import cv2
import numpy as np
from skimage import filters, measure, morphology

from segcore._common import to_gray_float
from segcore.registry import Method, Param, register

__all__ = ["detect_scratches", "detect_dust", "detect_blotches"]

_POLARITY = Param(
    "polarity", "choice", "both", choices=("bright", "dark", "both"),
    help="Look for bright damage (white lines or specks), dark damage, or both.",
)
_THRESHOLD = Param(
    "threshold", "choice", "manual", choices=("manual", "otsu"),
    help="How to decide what counts as damage: 'manual' uses the level below, "
         "'otsu' picks a level automatically from the filter response.",
)
_EXTREME = Param(
    "extreme", "int", 40, min=0, max=255, step=1,
    help="Bright damage must be nearly white (at least 255 minus this) and dark damage nearly "
         "black (at most this); 255 switches the test off.",
)


def _level_param(default):
    return Param(
        "level", "int", default, min=1, max=255, step=1,
        help="Only with threshold 'manual': how much brighter (or darker) than its surroundings "
             "a pixel must be to count as damage, on the 0-255 scale.",
    )


_DILATE = Param(
    "dilate", "int", 1, min=0, max=20, step=1, unit="px",
    help="Grow the detected mask by this many pixels so inpainting also covers the soft edges.",
)


def _tophat(gray8, radius, polarity, extreme=255):
    """White and/or black top-hat response (uint8) with a disk of ``radius`` px.

    Bright responses count only where the pixel is at least ``255 - extreme``,
    dark ones only where it is at most ``extreme`` (255 disables the test).
    """
    k = 2 * int(radius) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    white = cv2.morphologyEx(gray8, cv2.MORPH_TOPHAT, kernel)
    black = cv2.morphologyEx(gray8, cv2.MORPH_BLACKHAT, kernel)
    white[gray8 < 255 - int(extreme)] = 0
    black[gray8 > int(extreme)] = 0
    if polarity == "bright":
        return white
    if polarity == "dark":
        return black
    return np.maximum(white, black)


def _level(response, threshold, level):
    """Threshold on the 0-255 scale for a top-hat response."""
    if threshold == "otsu":
        return float(filters.threshold_otsu(response))
    return float(level)


def _line_open(binary, length, n_angles=16):
    """Keep pixels lying on a straight segment of ``length`` px at one of ``n_angles`` directions."""
    out = np.zeros_like(binary)
    c = int(length) // 2
    size = 2 * c + 1
    for a in np.arange(n_angles) * np.pi / n_angles:
        kernel = np.zeros((size, size), np.uint8)
        dx, dy = c * np.cos(a), c * np.sin(a)
        p0 = (int(round(c - dx)), int(round(c - dy)))
        p1 = (int(round(c + dx)), int(round(c + dy)))
        cv2.line(kernel, p0, p1, 1, 1)
        out = np.maximum(out, cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel))
    return out


def _grow(mask, px):
    if px <= 0:
        return mask
    k = 2 * int(px) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    return cv2.dilate(mask.astype(np.uint8), kernel) > 0


def detect_scratches(image, *, radius=2, polarity="both", threshold="manual", level=30,
                     extreme=40, min_length=21, min_elongation=4.0, dilate=1):
    """Thin bright or dark lines (scratches): top-hat, threshold, line opening, shape filter.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
    radius : int
        Radius in px of the disk used by the top-hat; lines thinner than
        about ``2 * radius + 1`` stand out.
    polarity : {"bright", "dark", "both"}
    threshold : {"manual", "otsu"}
        ``manual`` uses ``level``; ``otsu`` Otsu's level of the response.
    level : int
        Top-hat response level on the 0-255 scale.
    extreme : int
        Bright scratch pixels must be at least ``255 - extreme``, dark ones at
        most ``extreme`` (0-255 scale); 255 disables this test.
    min_length : int
        Pixels must lie on a straight segment of at least this many px
        (binary opening with line footprints at 16 directions).
    min_elongation : float
        Minimum ``length / mean width`` of a kept component, with length =
        skeleton pixels and mean width = area / length (stays high where
        scratches cross, unlike ellipse axes).
    dilate : int
        Grow the final mask by this many px.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 on scratches, 0 elsewhere.
    extras : dict
        ``thresholds``: the level used on the 0-1 scale.

    References
    ----------
    .. [1] A. Kokaram, "Detection and removal of line scratches in motion
       picture films", CVPR 1996.
    .. [2] P. Soille, Morphological Image Analysis, Springer 2003.
    """
    gray8 = np.round(np.clip(to_gray_float(image), 0, 1) * 255).astype(np.uint8)
    response = _tophat(gray8, radius, polarity, extreme)
    t = _level(response, threshold, level)
    binary = (response > t).astype(np.uint8)
    binary = _line_open(binary, min_length) > 0
    lab = measure.label(binary, connectivity=2)
    skel = morphology.skeletonize(binary)
    length = np.bincount(lab[skel], minlength=lab.max() + 1).astype(np.float64)
    area = np.bincount(lab.ravel(), minlength=lab.max() + 1).astype(np.float64)
    elong = length * length / np.maximum(area, 1.0)
    keep = (length >= min_length) & (elong >= min_elongation)
    keep[0] = False
    mask = _grow(keep[lab], dilate)
    return mask.astype(np.int32), {"thresholds": [t / 255.0]}


def detect_dust(image, *, radius=3, polarity="both", threshold="manual", level=40,
                max_area=80, dilate=1):
    """Small bright or dark specks (dust) by top-hat filtering and an area limit.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
    radius : int
        Radius in px of the top-hat disk; specks smaller than it stand out.
    polarity : {"bright", "dark", "both"}
    threshold : {"manual", "otsu"}
    level : int
        Top-hat response level on the 0-255 scale.
    max_area : int
        Components larger than this (px²) are not dust and are dropped.
    dilate : int
        Grow the final mask by this many px.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 on specks.
    extras : dict
        ``thresholds`` on the 0-1 scale.
    """
    gray8 = np.round(np.clip(to_gray_float(image), 0, 1) * 255).astype(np.uint8)
    response = _tophat(gray8, radius, polarity)
    t = _level(response, threshold, level)
    binary = response > t
    lab = measure.label(binary, connectivity=2)
    areas = np.bincount(lab.ravel())
    keep = areas <= max_area
    keep[0] = False
    mask = _grow(keep[lab], dilate)
    return mask.astype(np.int32), {"thresholds": [t / 255.0]}


def detect_blotches(image, *, mode="saturated", high=245, low=10, window=7,
                    max_std=1.0, min_area=30, dilate=1):
    """Large saturated (near-white / near-black) or flat patches: holes and stains.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
    mode : {"saturated", "flat", "both"}
        ``saturated``: pixels at or above ``high`` or at or below ``low``;
        ``flat``: pixels whose local standard deviation over a ``window``
        square is below ``max_std``; ``both``: either.
    high, low : int
        Levels on the 0-255 scale.
    window : int
        Side in px of the local-variance window.
    max_std : float
        Largest local standard deviation (0-255 scale) that counts as flat.
    min_area : int
        Smallest blotch kept, in px².
    dilate : int
        Grow the final mask by this many px.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 on blotches.
    """
    gray = np.clip(to_gray_float(image), 0, 1) * 255.0
    masks = []
    if mode in ("saturated", "both"):
        masks.append((gray >= high) | (gray <= low))
    if mode in ("flat", "both"):
        k = (int(window), int(window))
        mean = cv2.blur(gray, k)
        var = np.maximum(cv2.blur(gray * gray, k) - mean * mean, 0.0)
        # a pixel is flat when some flat window covers it (dilate by the window)
        flat = (np.sqrt(var) <= max_std).astype(np.uint8)
        masks.append(cv2.dilate(flat, np.ones(k, np.uint8)) > 0)
    binary = np.logical_or.reduce(masks)
    lab = measure.label(binary, connectivity=2)
    areas = np.bincount(lab.ravel())
    keep = areas >= min_area
    keep[0] = False
    mask = _grow(keep[lab], dilate)
    return mask.astype(np.int32)


def _radius_param(default):
    return Param(
        "radius", "int", default, min=1, max=30, step=1, unit="px",
        help="Size of the probe: damage thinner (or smaller) than about twice this many pixels stands out.",
    )


register(Method(
    id="detect_scratches", task="segment", family="damage", label="Detect scratches",
    func=detect_scratches,
    params=(
        _radius_param(2), _POLARITY, _THRESHOLD, _level_param(30), _EXTREME,
        Param("min_length", "int", 21, min=3, max=501, step=1, unit="px",
              help="Keep only marks containing a straight piece at least this many pixels long."),
        Param("min_elongation", "float", 4.0, min=1.0, max=100.0, step=0.5,
              help="How line-like a mark must be: its length divided by its width."),
        _DILATE,
    ),
    explain=(
        "A top-hat filter compares each pixel with the image after thin details are removed, so thin "
        "lines brighter or darker than their surroundings light up. Strong responses are kept if they "
        "form long, thin shapes. It works for scratches on smooth areas; it also picks up thin real "
        "lines (wires, hair, text strokes) and misses scratches that have the same brightness as "
        "what they cross."
    ),
    references=(
        "A. Kokaram, 'Detection and removal of line scratches in motion picture films', CVPR 1996.",
        "P. Soille, Morphological Image Analysis, Springer 2003 (top-hat transforms).",
    ),
    live=True,
))

register(Method(
    id="detect_dust", task="segment", family="damage", label="Detect dust",
    func=detect_dust,
    params=(
        _radius_param(3), _POLARITY, _THRESHOLD, _level_param(40),
        Param("max_area", "int", 80, min=1, max=10000, step=1, unit="px2",
              help="Marks larger than this many pixels are not dust and are ignored."),
        _DILATE,
    ),
    explain=(
        "A top-hat filter makes small specks that are brighter or darker than their neighbourhood stand "
        "out; strong responses that are small enough are marked as dust. It works on smooth and mildly "
        "textured areas; fine texture (gravel, foliage, stars) can be mistaken for dust."
    ),
    references=("P. Soille, Morphological Image Analysis, Springer 2003 (top-hat transforms).",),
    live=True,
))

register(Method(
    id="detect_blotches", task="segment", family="damage", label="Detect blotches",
    func=detect_blotches,
    params=(
        Param("mode", "choice", "saturated", choices=("saturated", "flat", "both"),
              help="Look for nearly white or black patches, for perfectly flat patches, or both."),
        Param("high", "int", 245, min=0, max=255, step=1,
              help="Pixels at or above this level (0-255) count as burnt-out white."),
        Param("low", "int", 10, min=0, max=255, step=1,
              help="Pixels at or below this level (0-255) count as black."),
        Param("window", "int", 7, min=3, max=51, step=2, unit="px",
              help="Size of the neighbourhood used to judge flatness."),
        Param("max_std", "float", 1.0, min=0.0, max=50.0, step=0.5,
              help="A neighbourhood varying less than this (0-255 scale) counts as flat."),
        Param("min_area", "int", 30, min=1, max=100000, step=1, unit="px2",
              help="Ignore patches smaller than this many pixels."),
        _DILATE,
    ),
    explain=(
        "Holes and stains are large patches that are saturated (pure white or black) or unnaturally "
        "flat, while real photographs always have a little grain. Pixels that are saturated or flat "
        "are grouped and large groups are kept. It fails on images with genuine white sky or black "
        "shadows, and on very clean synthetic images that are flat everywhere."
    ),
    references=("OpenCV cv2.blur (box filter for local variance); scikit-image measure.label.",),
    live=True,
))
