"""Active contours: Chan-Vese and morphological snakes.

All return binary labels 0/1 with 1 = object. For the region-based methods
(Chan-Vese and its morphological version) the object is the region whose
mean intensity differs most from the mean of the image border, so a bright
or a dark disk on a plain background both come out as 1.
"""
from __future__ import annotations

import numpy as np
from skimage import segmentation

from segcore._common import CHANNELS, frac_rect_to_px, to_channel
from segcore.segment.interactive import _enlarge, _reduce
from segcore.registry import Method, Param, register

__all__ = ["chan_vese", "morph_chan_vese", "morph_gac"]


def _object_is_one(inside, values):
    """0/1 labels where 1 is the region whose mean differs most from the border mean."""
    inside = np.asarray(inside, dtype=bool)
    if inside.all() or not inside.any():
        return inside.astype(np.int32)
    border = np.concatenate([values[0], values[-1], values[1:-1, 0], values[1:-1, -1]])
    ref = border.mean()
    if abs(values[~inside].mean() - ref) > abs(values[inside].mean() - ref):
        inside = ~inside
    return inside.astype(np.int32)


def chan_vese(image, *, mu=0.25, lambda1=1.0, lambda2=1.0, max_num_iter=200, channel="gray",
              work_size=512):
    """Chan-Vese active contour without edges (level set).

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype.
    mu : float
        Length penalty: larger values give smoother, rounder outlines.
    lambda1, lambda2 : float
        Weights of the inside and outside uniformity terms.
    max_num_iter : int
        Maximum number of iterations.
    channel : str
        One of ``CHANNELS``.
    work_size : int
        Compute on a copy whose long side is at most this many pixels and
        enlarge the result (much faster on big images); 0 = full size.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for the object (the region whose mean differs from the border mean), 0 elsewhere.

    References
    ----------
    T. F. Chan and L. A. Vese, "Active contours without edges",
    IEEE Trans. Image Processing 10(2), 2001.
    """
    full = to_channel(image, channel)
    values = _reduce(full.astype(np.float32), work_size)[0].astype(np.float64)
    inside = segmentation.chan_vese(
        values, mu=mu, lambda1=lambda1, lambda2=lambda2, max_num_iter=int(max_num_iter)
    )
    return _enlarge(_object_is_one(inside, values), full.shape, binary=True)


def morph_chan_vese(image, *, num_iter=50, smoothing=1, lambda1=1.0, lambda2=1.0,
                    init="checkerboard", channel="gray", work_size=512):
    """Morphological Chan-Vese (morphological active contour without edges).

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype.
    num_iter : int
        Number of iterations.
    smoothing : int
        Smoothing steps per iteration (1-4).
    lambda1, lambda2 : float
        Weights of the inside and outside uniformity terms.
    init : {"checkerboard", "disk"}
        Initial level set.
    channel : str
        One of ``CHANNELS``.
    work_size : int
        Compute on a copy whose long side is at most this many pixels and
        enlarge the result (much faster on big images); 0 = full size.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for the object (the region whose mean differs from the border mean), 0 elsewhere.

    References
    ----------
    P. Marquez-Neila, L. Baumela and L. Alvarez, "A morphological approach
    to curvature-based evolution of curves and surfaces", IEEE TPAMI 36(1), 2014.
    """
    full = to_channel(image, channel)
    values = _reduce(full.astype(np.float32), work_size)[0].astype(np.float64)
    inside = segmentation.morphological_chan_vese(
        values, int(num_iter), init_level_set=init, smoothing=int(smoothing),
        lambda1=lambda1, lambda2=lambda2,
    )
    return _enlarge(_object_is_one(inside, values), full.shape, binary=True)


def morph_gac(image, *, num_iter=200, smoothing=1, balloon=-1.0, threshold=0.0,
              rect=(0.05, 0.05, 0.95, 0.95), sigma=2.0, channel="gray", work_size=512):
    """Morphological geodesic active contour on the inverse Gaussian gradient.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype.
    num_iter : int
        Number of iterations.
    smoothing : int
        Smoothing steps per iteration (1-4).
    balloon : float
        Balloon force: negative shrinks the contour, positive grows it.
    threshold : float
        Edge-map level below which the contour stops (0-1); 0 = automatic.
    rect : (float, float, float, float)
        Initial contour: the box ``(x0, y0, x1, y1)`` in fractions.
    sigma : float
        Smoothing in pixels of the gradient.
    channel : str
        One of ``CHANNELS``.
    work_size : int
        Compute on a copy whose long side is at most this many pixels and
        enlarge the result (much faster on big images); 0 = full size.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 inside the final contour (the object), 0 outside.

    References
    ----------
    P. Marquez-Neila, L. Baumela and L. Alvarez, "A morphological approach
    to curvature-based evolution of curves and surfaces", IEEE TPAMI 36(1), 2014;
    V. Caselles, R. Kimmel and G. Sapiro, "Geodesic active contours", IJCV 22(1), 1997.
    """
    full = to_channel(image, channel)
    values, scale = _reduce(full.astype(np.float32), work_size)
    values = values.astype(np.float64)
    gimage = segmentation.inverse_gaussian_gradient(values, sigma=max(0.5, sigma * scale))
    x, y, w, h = frac_rect_to_px(rect, values.shape)
    init = np.zeros(values.shape, dtype=np.int8)
    init[y:y + h + 1, x:x + w + 1] = 1
    level = "auto" if threshold <= 0 else threshold
    inside = segmentation.morphological_geodesic_active_contour(
        gimage, int(num_iter), init_level_set=init, smoothing=int(smoothing),
        threshold=level, balloon=balloon,
    )
    return _enlarge(np.asarray(inside, dtype=np.int32), full.shape, binary=True)


_WORK_SIZE = Param(
    "work_size", "int", 512, min=0, max=8000, step=32, label="Working size",
    help=(
        "To save time the method runs on a copy whose longest side is at most this many pixels, "
        "then the result is enlarged to the image size; 0 runs at full size (slow on big images)."
    ),
)
_CHANNEL = Param(
    "channel", "choice", "gray", choices=CHANNELS,
    help="Which channel to use: grey level, lightness L*, hue, saturation, value, or red/green/blue.",
)
_LAMBDA1 = Param("lambda1", "float", 1.0, min=0.01, max=10.0, step=0.1,
                 help="How strongly the inside must be uniform; raise it if the object is the more even part.")
_LAMBDA2 = Param("lambda2", "float", 1.0, min=0.01, max=10.0, step=0.1,
                 help="How strongly the outside must be uniform; raise it if the background is the more even part.")
_SMOOTHING = Param("smoothing", "int", 1, min=1, max=4, step=1,
                   help="How much the outline is smoothed at each step; higher gives rounder shapes.")

register(Method(
    id="chan_vese", task="segment", family="contours", label="Chan-Vese",
    func=chan_vese,
    params=(
        Param("mu", "float", 0.25, min=0.0, max=1.0, step=0.01,
              help="Penalty on outline length: higher values give smoother outlines and ignore small specks."),
        _LAMBDA1, _LAMBDA2,
        Param("max_num_iter", "int", 200, min=1, max=2000, step=10,
              help="Most steps to take; more can give a better fit but takes longer."),
        _CHANNEL, _WORK_SIZE,
    ),
    explain=(
        "Chan-Vese moves an outline until the inside and the outside are each as uniform in brightness "
        "as possible; it does not need sharp edges. "
        "It works well for objects that are brighter or darker overall than their background, even with noise. "
        "It fails when the object and background have the same mean brightness (e.g. texture differences) "
        "and is slow on big images."
    ),
    references=("T. F. Chan and L. A. Vese, 'Active contours without edges', IEEE Trans. Image Processing 10(2), 2001.",),
    live=False,
))

register(Method(
    id="morph_chan_vese", task="segment", family="contours", label="Morphological Chan-Vese",
    func=morph_chan_vese,
    params=(
        Param("num_iter", "int", 50, min=1, max=1000, step=5,
              help="Number of steps the outline takes."),
        _SMOOTHING, _LAMBDA1, _LAMBDA2,
        Param("init", "choice", "checkerboard", choices=("checkerboard", "disk"),
              help="Starting outline: a checkerboard of small squares over the image, or one disk in the centre."),
        _CHANNEL, _WORK_SIZE,
    ),
    explain=(
        "A faster version of Chan-Vese that moves the outline with simple morphological steps "
        "(growing, shrinking, smoothing) instead of solving equations. "
        "Like Chan-Vese it separates a brighter or darker object from its background without needing edges. "
        "It fails when object and background have the same average brightness."
    ),
    references=("P. Marquez-Neila, L. Baumela and L. Alvarez, 'A morphological approach to curvature-based evolution of curves and surfaces', IEEE TPAMI 36(1), 2014.",),
    live=False,
))

register(Method(
    id="morph_gac", task="segment", family="contours", label="Morphological geodesic active contour",
    func=morph_gac,
    params=(
        Param("num_iter", "int", 200, min=1, max=2000, step=10,
              help="Number of steps the outline takes."),
        _SMOOTHING,
        Param("balloon", "float", -1.0, min=-3.0, max=3.0, step=0.5,
              help="Push on the outline: negative shrinks it onto the object from outside, positive inflates it from inside."),
        Param("threshold", "float", 0.0, min=0.0, max=1.0, step=0.01,
              help="Edge strength that stops the outline (0 = choose automatically)."),
        Param("rect", "rect", (0.05, 0.05, 0.95, 0.95),
              help="Starting outline: a box around the object (or inside it, with a positive balloon)."),
        Param("sigma", "float", 2.0, min=0.5, max=10.0, step=0.5, unit="px",
              help="Blur in pixels used to find edges; larger ignores more noise but rounds corners."),
        _CHANNEL, _WORK_SIZE,
    ),
    explain=(
        "A snake: an outline that starts as the box you draw and shrinks (or grows) until it rests on "
        "strong edges, keeping itself smooth. "
        "It works for an object with a clear outline against a calmer background. "
        "It stops early on strong edges of texture or noise, and leaks through gaps in a weak outline."
    ),
    references=(
        "P. Marquez-Neila, L. Baumela and L. Alvarez, 'A morphological approach to curvature-based evolution of curves and surfaces', IEEE TPAMI 36(1), 2014.",
        "V. Caselles, R. Kimmel and G. Sapiro, 'Geodesic active contours', IJCV 22(1), 1997.",
    ),
    live=False,
))
