"""Threshold segmentation: one cut (or several) of the intensity histogram.

Global methods (manual, Otsu, Li, Yen, triangle, isodata, mean, minimum)
choose one level for the whole image and return ``extras["thresholds"]``
on the 0-1 scale; ``multi_otsu`` chooses several levels and returns one
label per class. Local methods (``local``, ``niblack``, ``sauvola``)
compute a level for every pixel from its neighbourhood, which copes with
uneven lighting. Every method thresholds one channel (``channel``) and can
mark the dark side instead of the bright side (``invert``).
"""
from __future__ import annotations

import cv2
import numpy as np
from skimage import exposure, filters

from segcore._common import CHANNELS, to_channel, to_uint8
from segcore.registry import Method, Param, register

__all__ = [
    "threshold_manual",
    "threshold_otsu",
    "threshold_multi_otsu",
    "threshold_li",
    "threshold_yen",
    "threshold_triangle",
    "threshold_isodata",
    "threshold_mean",
    "threshold_minimum",
    "threshold_local",
    "threshold_niblack",
    "threshold_sauvola",
    "all_thresholds",
]

_CHANNEL = Param(
    "channel", "choice", "gray", choices=CHANNELS,
    help="Which channel to threshold: grey level, lightness L*, hue, saturation, value, or red/green/blue.",
)
_INVERT = Param(
    "invert", "bool", False,
    help="Swap foreground and background: mark the dark pixels instead of the bright ones.",
)

_NBINS = 256
# Multi-Otsu's search grows as nbins ** (classes - 1): fewer bins for more classes
# keeps it under ~60 ms (5 classes on 256 bins took 4.4 s here, on 64 bins 50 ms).
_MULTI_NBINS = {2: 256, 3: 256, 4: 128, 5: 64}


def _binary(values, level, invert):
    """0/1 int32 mask: ``values > level`` (or ``<=`` when ``invert``); level may be an array."""
    mask = values <= level if invert else values > level
    return mask.astype(np.int32)


def _global(values, level, invert):
    """Labels and extras for a global threshold ``level`` on the 0-1 scale.

    Every global method treats a flat channel (one grey level) the same way:
    the level is that grey level, so nothing is foreground (all with ``invert``).
    """
    return _binary(values, level, invert), {"thresholds": [float(level)]}


def _odd(n):
    """Smallest odd integer >= ``n`` and >= 3 (window sizes must be odd)."""
    n = max(3, int(round(n)))
    return n if n % 2 == 1 else n + 1


def threshold_manual(image, *, threshold=127, channel="gray", invert=False):
    """Pixels brighter than a fixed level (0-255) are foreground.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    threshold : int
        Level on the 0-255 scale.
    channel : str
        One of ``CHANNELS``.
    invert : bool
        Mark pixels at or below the level instead.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for foreground, 0 for background.
    extras : dict
        ``thresholds``: the level on the 0-1 scale.
    """
    gray8 = to_uint8(to_channel(image, channel))
    mode = cv2.THRESH_BINARY_INV if invert else cv2.THRESH_BINARY
    _, binary = cv2.threshold(gray8, threshold, 1, mode)
    return binary.astype(np.int32), {"thresholds": [threshold / 255.0]}


def threshold_otsu(image, *, channel="gray", invert=False):
    """Otsu's threshold: the level that best separates two classes.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    channel : str
        One of ``CHANNELS``.
    invert : bool
        Mark pixels at or below the level instead.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for foreground, 0 for background.
    extras : dict
        ``thresholds``: the level on the 0-1 scale.

    References
    ----------
    N. Otsu, IEEE Trans. SMC 9(1):62-66, 1979.
    """
    values = to_channel(image, channel)
    if np.ptp(values) == 0:
        return _global(values, values.flat[0], invert)
    return _global(values, filters.threshold_otsu(values, nbins=_NBINS), invert)


def threshold_multi_otsu(image, *, classes=3, channel="gray", invert=False):
    """Multi-level Otsu: split the histogram into ``classes`` classes.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    classes : int
        Number of classes, 2 to 5.
    channel : str
        One of ``CHANNELS``.
    invert : bool
        Number the classes from the brightest (0) to the darkest instead.

    Returns
    -------
    labels : (M, N) ndarray of int32
        Class of each pixel, 0 (darkest) to ``classes - 1`` (brightest).
        A flat channel (one grey level) is all class 0.
    extras : dict
        ``thresholds``: the ``classes - 1`` levels on the 0-1 scale
        (empty for a flat channel).

    Notes
    -----
    The histogram has 256 bins for 2-3 classes, 128 for 4 and 64 for 5,
    since the exhaustive search grows as ``nbins ** (classes - 1)``.

    References
    ----------
    P.-S. Liao, T.-S. Chen, P.-C. Chung, J. Inf. Sci. Eng. 17(5):713-727, 2001.
    """
    values = to_channel(image, channel)
    if np.ptp(values) == 0:
        labels = np.full(values.shape, int(classes) - 1 if invert else 0, np.int32)
        return labels, {"thresholds": []}
    levels = filters.threshold_multiotsu(values, classes=int(classes), nbins=_MULTI_NBINS[int(classes)])
    labels = np.digitize(values, levels, right=True).astype(np.int32)
    if invert:
        labels = (int(classes) - 1 - labels).astype(np.int32)
    return labels, {"thresholds": [float(t) for t in levels]}


def threshold_li(image, *, channel="gray", invert=False):
    """Li's minimum cross-entropy threshold.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    channel : str
        One of ``CHANNELS``.
    invert : bool
        Mark pixels at or below the level instead.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for foreground, 0 for background.
    extras : dict
        ``thresholds``: the level on the 0-1 scale.

    References
    ----------
    C. H. Li, P. K. S. Tam, Pattern Recognit. Lett. 19(8):771-776, 1998.
    """
    values = to_channel(image, channel)
    if np.ptp(values) == 0:
        return _global(values, values.flat[0], invert)
    return _global(values, filters.threshold_li(values), invert)


def threshold_yen(image, *, channel="gray", invert=False):
    """Yen's maximum-correlation threshold.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    channel : str
        One of ``CHANNELS``.
    invert : bool
        Mark pixels at or below the level instead.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for foreground, 0 for background.
    extras : dict
        ``thresholds``: the level on the 0-1 scale.

    References
    ----------
    J.-C. Yen, F.-J. Chang, S. Chang, IEEE Trans. Image Process. 4(3):370-378, 1995.
    """
    values = to_channel(image, channel)
    if np.ptp(values) == 0:
        return _global(values, values.flat[0], invert)
    return _global(values, filters.threshold_yen(values, nbins=_NBINS), invert)


def threshold_triangle(image, *, channel="gray", invert=False):
    """Triangle threshold: the level farthest from the line peak-to-tail of the histogram.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    channel : str
        One of ``CHANNELS``.
    invert : bool
        Mark pixels at or below the level instead.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for foreground, 0 for background.
    extras : dict
        ``thresholds``: the level on the 0-1 scale.

    References
    ----------
    G. W. Zack, W. E. Rogers, S. A. Latt, J. Histochem. Cytochem. 25(7):741-753, 1977.
    """
    values = to_channel(image, channel)
    if np.ptp(values) == 0:
        return _global(values, values.flat[0], invert)
    return _global(values, filters.threshold_triangle(values, nbins=_NBINS), invert)


def threshold_isodata(image, *, channel="gray", invert=False):
    """ISODATA (Ridler-Calvard) threshold: midway between the two class means.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    channel : str
        One of ``CHANNELS``.
    invert : bool
        Mark pixels at or below the level instead.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for foreground, 0 for background.
    extras : dict
        ``thresholds``: the level on the 0-1 scale.

    References
    ----------
    T. W. Ridler, S. Calvard, IEEE Trans. SMC 8(8):630-632, 1978.
    """
    values = to_channel(image, channel)
    if np.ptp(values) == 0:
        return _global(values, values.flat[0], invert)
    return _global(values, filters.threshold_isodata(values, nbins=_NBINS), invert)


def threshold_mean(image, *, channel="gray", invert=False):
    """Mean threshold: the average intensity is the level.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    channel : str
        One of ``CHANNELS``.
    invert : bool
        Mark pixels at or below the level instead.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for foreground, 0 for background.
    extras : dict
        ``thresholds``: the level on the 0-1 scale.

    References
    ----------
    C. A. Glasbey, CVGIP: Graph. Models Image Process. 55(6):532-537, 1993.
    """
    values = to_channel(image, channel)
    if np.ptp(values) == 0:
        return _global(values, values.flat[0], invert)
    return _global(values, filters.threshold_mean(values), invert)


def threshold_minimum(image, *, channel="gray", invert=False):
    """Minimum threshold: the valley between the two peaks of the smoothed histogram.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    channel : str
        One of ``CHANNELS``.
    invert : bool
        Mark pixels at or below the level instead.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for foreground, 0 for background.
    extras : dict
        ``thresholds``: the level on the 0-1 scale.

    Raises
    ------
    ValueError
        When the histogram does not become two-peaked however much it is
        smoothed (scikit-image raises RuntimeError; we say what to do).

    References
    ----------
    C. A. Glasbey, CVGIP: Graph. Models Image Process. 55(6):532-537, 1993.
    J. M. S. Prewitt, M. L. Mendelsohn, Ann. N. Y. Acad. Sci. 128:1035-1053, 1966.
    """
    values = to_channel(image, channel)
    if np.ptp(values) == 0:
        return _global(values, values.flat[0], invert)
    try:
        level = filters.threshold_minimum(values, nbins=_NBINS)
    except RuntimeError:
        raise ValueError(
            "The minimum method needs a histogram with two clear peaks, and this image's "
            "histogram never became two-peaked after smoothing. Try Otsu or Li instead."
        ) from None
    return _global(values, level, invert)


def threshold_local(image, *, block_size=35, method="gaussian", offset=0.0, channel="gray", invert=False):
    """Adaptive threshold: each pixel is compared with a weighted mean of its neighbourhood.

    Same definition as :func:`skimage.filters.threshold_local` (level =
    local average - ``offset``; Gaussian sigma = (block_size - 1) / 6;
    reflected borders) computed with OpenCV, which is 5-100 times faster
    for large blocks.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    block_size : int
        Side of the neighbourhood in pixels; an even value is rounded up to
        the next odd one. For ``method="median"`` it is capped at 255 px
        (OpenCV's limit) and the median is taken on 256 grey levels.
    method : {"gaussian", "mean", "median"}
        How the neighbourhood is averaged.
    offset : float
        Subtracted from the local average (0-1 intensity scale) to give the
        local level; a positive offset marks more pixels as bright.
    channel : str
        One of ``CHANNELS``.
    invert : bool
        Mark pixels at or below their local level instead.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for foreground, 0 for background.

    References
    ----------
    R. C. Gonzalez, R. E. Woods, Digital Image Processing, 2nd ed., Prentice Hall, 2002, sec. 10.3.7.
    """
    values = to_channel(image, channel)
    size = _odd(block_size)
    if method == "median":
        size = min(size, 255)
        local = cv2.medianBlur(to_uint8(values), size).astype(np.float64) / 255.0
    elif method == "mean":
        local = cv2.blur(values.astype(np.float32), (size, size), borderType=cv2.BORDER_REFLECT)
    elif method == "gaussian":
        local = cv2.GaussianBlur(
            values.astype(np.float32), (size, size), (size - 1) / 6.0, borderType=cv2.BORDER_REFLECT
        )
    else:
        raise ValueError(f"method must be 'gaussian', 'mean' or 'median', got {method!r}.")
    return _binary(values, local.astype(np.float64) - float(offset), invert)


def threshold_niblack(image, *, window_size=25, k=0.2, channel="gray", invert=False):
    """Niblack's local threshold: local mean minus ``k`` local standard deviations.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    window_size : int
        Side of the neighbourhood in pixels (rounded up to odd).
    k : float
        Weight of the local standard deviation.
    channel : str
        One of ``CHANNELS``.
    invert : bool
        Mark pixels at or below their local level instead.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for foreground, 0 for background.

    References
    ----------
    W. Niblack, An Introduction to Digital Image Processing, Prentice-Hall, 1986, pp. 115-116.
    """
    values = to_channel(image, channel)
    level = filters.threshold_niblack(values, window_size=_odd(window_size), k=float(k))
    return _binary(values, level, invert)


def threshold_sauvola(image, *, window_size=25, k=0.2, r=0.0, channel="gray", invert=False):
    """Sauvola's local threshold, a Niblack variant made for documents.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    window_size : int
        Side of the neighbourhood in pixels (rounded up to odd).
    k : float
        How much the local contrast lowers the level.
    r : float
        Dynamic range of the standard deviation on the 0-1 scale; 0 means
        automatic (half the intensity range of the image).
    channel : str
        One of ``CHANNELS``.
    invert : bool
        Mark pixels at or below their local level instead.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for foreground, 0 for background.

    References
    ----------
    J. Sauvola, M. Pietikainen, Pattern Recognit. 33(2):225-236, 2000.
    """
    values = to_channel(image, channel)
    level = filters.threshold_sauvola(
        values, window_size=_odd(window_size), k=float(k), r=float(r) if r > 0 else None
    )
    return _binary(values, level, invert)


def all_thresholds(image, channel="gray"):
    """Level of every global automatic method, computed in one pass.

    The histogram is computed once and shared by the histogram-based
    methods. A method that cannot give a level on this image (``minimum``
    when the histogram never becomes two-peaked, any method on a flat
    image) is left out of the result.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    channel : str
        One of ``CHANNELS``.

    Returns
    -------
    dict of str to float
        Method id (``otsu``, ``li``, ``yen``, ``triangle``, ``isodata``,
        ``mean``, ``minimum``) to its level on the 0-1 scale, the same level
        that the method itself uses.
    """
    values = to_channel(image, channel)
    if np.ptp(values) == 0:
        return {}
    hist = exposure.histogram(values.ravel(), _NBINS, source_range="image")
    out = {
        "otsu": filters.threshold_otsu(hist=hist),
        "li": filters.threshold_li(values),
        "yen": filters.threshold_yen(hist=hist),
        "triangle": filters.threshold_triangle(values, nbins=_NBINS),
        "isodata": filters.threshold_isodata(hist=hist),
        "mean": filters.threshold_mean(values),
    }
    try:
        out["minimum"] = filters.threshold_minimum(hist=hist)
    except RuntimeError:
        pass
    return {k: float(v) for k, v in out.items()}


_GLOBAL_NOTE = " Extras: the chosen level, drawn on the histogram."

register(Method(
    id="threshold_manual", task="segment", family="threshold", label="Manual threshold",
    func=threshold_manual,
    params=(
        Param("threshold", "int", 127, min=0, max=255, step=1,
              help="Pixels brighter than this level (0 = black, 255 = white) become foreground."),
        _CHANNEL, _INVERT,
    ),
    explain=(
        "Every pixel brighter than the level you choose becomes foreground, the rest background. "
        "It is the simplest segmentation and works when the object is clearly brighter or darker "
        "than everything else. It fails with uneven lighting, where no single level fits the whole image."
    ),
    references=("OpenCV cv2.threshold documentation.",),
    live=True,
))

register(Method(
    id="otsu", task="segment", family="threshold", label="Otsu",
    func=threshold_otsu,
    params=(_CHANNEL, _INVERT),
    explain=(
        "Otsu picks the level automatically: the one that makes the two groups of pixels "
        "(darker and brighter) as uniform as possible. It works well when the histogram has two "
        "clear peaks, object and background. It struggles when one class is tiny or the lighting is uneven."
    ),
    references=("N. Otsu, 'A threshold selection method from gray-level histograms', IEEE Trans. SMC 9(1), 1979.",),
    live=True,
))

register(Method(
    id="multi_otsu", task="segment", family="threshold", label="Multi-level Otsu",
    func=threshold_multi_otsu,
    params=(
        Param("classes", "int", 3, min=2, max=5, step=1,
              help="How many brightness classes to split the image into (2 to 5)."),
        _CHANNEL,
        Param("invert", "bool", False,
              help="Number the classes from the brightest (0) to the darkest instead of darkest first."),
    ),
    explain=(
        "Multi-level Otsu cuts the histogram at several levels at once, giving dark, middle and bright "
        "classes (or more). It suits images with several materials of distinct brightness, such as "
        "background, tissue and stain. It needs as many histogram peaks as classes; with more classes "
        "than peaks the extra cuts fall in arbitrary places."
    ),
    references=(
        "P.-S. Liao, T.-S. Chen, P.-C. Chung, 'A fast algorithm for multilevel thresholding', "
        "J. Inf. Sci. Eng. 17(5), 2001.",
    ),
    live=True,
))

register(Method(
    id="li", task="segment", family="threshold", label="Li (minimum cross-entropy)",
    func=threshold_li,
    params=(_CHANNEL, _INVERT),
    explain=(
        "Li's method picks the level that keeps the two-tone version of the image closest to the original, "
        "in the sense of cross-entropy. It often gives a lower level than Otsu and keeps faint parts "
        "of bright objects. Like every global threshold it fails under uneven lighting." + _GLOBAL_NOTE
    ),
    references=(
        "C. H. Li, C. K. Lee, 'Minimum cross entropy thresholding', Pattern Recognit. 26(4), 1993.",
        "C. H. Li, P. K. S. Tam, 'An iterative algorithm for minimum cross entropy thresholding', "
        "Pattern Recognit. Lett. 19(8), 1998.",
    ),
    live=False,  # 78 ms at 1 MP, 114 ms at 1200x900 (bench/RESULTS.md): over the live budget
))

register(Method(
    id="yen", task="segment", family="threshold", label="Yen",
    func=threshold_yen,
    params=(_CHANNEL, _INVERT),
    explain=(
        "Yen's method picks the level that maximises how much structure (correlation) the two classes keep. "
        "It tends to choose a high level and suits small bright objects on a large dark background. "
        "On images with two balanced classes it can cut too high and lose parts of the object." + _GLOBAL_NOTE
    ),
    references=(
        "J.-C. Yen, F.-J. Chang, S. Chang, 'A new criterion for automatic multilevel thresholding', "
        "IEEE Trans. Image Process. 4(3), 1995.",
    ),
    live=True,
))

register(Method(
    id="triangle", task="segment", family="threshold", label="Triangle",
    func=threshold_triangle,
    params=(_CHANNEL, _INVERT),
    explain=(
        "The triangle method draws a line from the histogram's highest peak to its far end and cuts where "
        "the histogram is farthest below that line. It works when the object is a small, faint tail next to "
        "one big background peak (cells, stars). With two peaks of similar size Otsu is usually better." + _GLOBAL_NOTE
    ),
    references=(
        "G. W. Zack, W. E. Rogers, S. A. Latt, 'Automatic measurement of sister chromatid exchange frequency', "
        "J. Histochem. Cytochem. 25(7), 1977.",
    ),
    live=True,
))

register(Method(
    id="isodata", task="segment", family="threshold", label="ISODATA",
    func=threshold_isodata,
    params=(_CHANNEL, _INVERT),
    explain=(
        "ISODATA starts from a guess and repeatedly moves the level to halfway between the mean of the "
        "darker pixels and the mean of the brighter pixels. It behaves much like Otsu on two-peaked "
        "histograms. It fails under uneven lighting or when one class is very small." + _GLOBAL_NOTE
    ),
    references=(
        "T. W. Ridler, S. Calvard, 'Picture thresholding using an iterative selection method', "
        "IEEE Trans. SMC 8(8), 1978.",
    ),
    live=True,
))

register(Method(
    id="mean", task="segment", family="threshold", label="Mean",
    func=threshold_mean,
    params=(_CHANNEL, _INVERT),
    explain=(
        "The level is simply the average brightness of the image. It is a quick baseline that works "
        "when object and background cover similar areas. When one of them dominates, the mean is pulled "
        "towards it and the cut lands inside the larger class." + _GLOBAL_NOTE
    ),
    references=(
        "C. A. Glasbey, 'An analysis of histogram-based thresholding algorithms', "
        "CVGIP: Graph. Models Image Process. 55(6), 1993.",
    ),
    live=True,
))

register(Method(
    id="minimum", task="segment", family="threshold", label="Minimum (histogram valley)",
    func=threshold_minimum,
    params=(_CHANNEL, _INVERT),
    explain=(
        "The histogram is smoothed until it has exactly two peaks, and the level is the lowest point of the "
        "valley between them. It works very well on clearly two-peaked histograms. When the histogram has "
        "only one peak it cannot find a valley and reports an error: use Otsu or Li then." + _GLOBAL_NOTE
    ),
    references=(
        "J. M. S. Prewitt, M. L. Mendelsohn, 'The analysis of cell images', Ann. N. Y. Acad. Sci. 128, 1966.",
        "C. A. Glasbey, 'An analysis of histogram-based thresholding algorithms', "
        "CVGIP: Graph. Models Image Process. 55(6), 1993.",
    ),
    live=True,
))

register(Method(
    id="local", task="segment", family="threshold", label="Local (adaptive)",
    func=threshold_local,
    params=(
        Param("block_size", "int", 35, min=3, max=501, step=2, unit="px",
              help="Width in pixels of the neighbourhood each pixel is compared with; "
                   "make it larger than the objects. Even values are rounded up to odd."),
        Param("method", "choice", "gaussian", choices=("gaussian", "mean", "median"),
              help="How the neighbourhood is averaged: Gaussian-weighted, plain mean, or median (window at most 255 px)."),
        Param("offset", "float", 0.0, min=-0.5, max=0.5, step=0.005,
              help="Lowers every local level by this much (0-1 brightness scale): "
                   "positive marks more pixels as bright foreground, negative fewer."),
        _CHANNEL, _INVERT,
    ),
    explain=(
        "Instead of one level for the whole image, each pixel is compared with the average of the pixels "
        "around it. This copes with uneven lighting, shadows and gradients, e.g. text on a photographed page. "
        "Inside large uniform areas (bigger than the block) it marks noise, so choose a block larger than the objects."
    ),
    references=(
        "R. C. Gonzalez, R. E. Woods, 'Digital Image Processing', 2nd ed., Prentice Hall, 2002, sec. 10.3.7.",
    ),
    live=True,
))

register(Method(
    id="niblack", task="segment", family="threshold", label="Niblack",
    func=threshold_niblack,
    params=(
        Param("window_size", "int", 25, min=3, max=501, step=2, unit="px",
              help="Width in pixels of the neighbourhood used for the local mean and spread (rounded up to odd)."),
        Param("k", "float", 0.2, min=-1.0, max=1.0, step=0.01,
              help="How many local standard deviations the level sits below the local mean."),
        _CHANNEL, _INVERT,
    ),
    explain=(
        "Niblack sets each pixel's level to the local mean minus k times the local standard deviation. "
        "It follows uneven lighting and finds faint text. In flat background areas the spread is tiny, "
        "so noise crosses the level and shows up as speckles; Sauvola was designed to fix that."
    ),
    references=("W. Niblack, 'An Introduction to Digital Image Processing', Prentice-Hall, 1986, pp. 115-116.",),
    live=True,
))

register(Method(
    id="sauvola", task="segment", family="threshold", label="Sauvola",
    func=threshold_sauvola,
    params=(
        Param("window_size", "int", 25, min=3, max=501, step=2, unit="px",
              help="Width in pixels of the neighbourhood used for the local mean and spread (rounded up to odd)."),
        Param("k", "float", 0.2, min=0.0, max=1.0, step=0.01,
              help="How strongly low local contrast lowers the level; larger keeps less as foreground on dark text."),
        Param("r", "float", 0.0, min=0.0, max=1.0, step=0.01,
              help="Expected spread of brightness (0-1 scale); 0 = automatic, half the image's range."),
        _CHANNEL, _INVERT,
    ),
    explain=(
        "Sauvola refines Niblack for scanned documents: the local level drops only where the local contrast "
        "is high, so flat background stays clean. It is the usual choice for text under uneven lighting. "
        "It can thin or break bold strokes wider than the window and is less suited to bright objects on dark."
    ),
    references=(
        "J. Sauvola, M. Pietikainen, 'Adaptive document image binarization', Pattern Recognit. 33(2), 2000.",
    ),
    live=True,
))
