"""Threshold segmentation: one cut (or several) of the intensity histogram."""
from __future__ import annotations

import cv2
import numpy as np
from skimage import filters

from segcore._common import CHANNELS, to_channel, to_uint8
from segcore.registry import Method, Param, register

__all__ = ["threshold_manual", "threshold_otsu"]

_CHANNEL = Param(
    "channel", "choice", "gray", choices=CHANNELS,
    help="Which channel to threshold: grey level, lightness L*, hue, saturation, value, or red/green/blue.",
)
_INVERT = Param(
    "invert", "bool", False,
    help="Swap foreground and background: mark the dark pixels instead of the bright ones.",
)


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

    Returns labels 0/1 and ``extras["thresholds"]`` on the 0-1 scale.
    """
    values = to_channel(image, channel)
    level = filters.threshold_otsu(values)
    mask = values <= level if invert else values > level
    return mask.astype(np.int32), {"thresholds": [float(level)]}


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
