"""Small helpers shared by method functions.

They only use numpy, OpenCV and scikit-image, so that the recipe exporter can
copy their source into a standalone script.
"""
from __future__ import annotations

import numpy as np
from skimage import color, util

__all__ = [
    "CHANNELS",
    "to_channel",
    "to_gray_float",
    "to_float",
    "like_input",
    "frac_rect_to_px",
    "frac_points_to_px",
    "to_uint8",
]

CHANNELS = ("gray", "L*", "H", "S", "V", "R", "G", "B")


def to_float(image):
    """Image as float64 in [0, 1] (integer dtypes scaled by their range)."""
    if image.dtype == np.float32 or image.dtype == np.float64:
        return image.astype(np.float64, copy=False)
    return util.img_as_float64(image)


def to_uint8(image):
    """Image as uint8 in [0, 255] (what OpenCV functions want)."""
    if image.dtype == np.uint8:
        return image
    return util.img_as_ubyte(np.clip(to_float(image), 0.0, 1.0))


def to_channel(image, channel="gray"):
    """One channel of ``image`` as float64 in [0, 1].

    ``channel`` is one of ``CHANNELS``. A grey image is returned as is for
    every channel. L* is scaled from [0, 100] to [0, 1]; H, S, V come from
    the HSV conversion.
    """
    img = to_float(image)
    if img.ndim == 2:
        return img
    if channel == "gray":
        return color.rgb2gray(img)
    if channel == "L*":
        return color.rgb2lab(img)[..., 0] / 100.0
    if channel in ("H", "S", "V"):
        return color.rgb2hsv(img)[..., "HSV".index(channel)]
    return img[..., "RGB".index(channel)]


def to_gray_float(image):
    """Grey version of ``image`` as float64 in [0, 1]."""
    return to_channel(image, "gray")


def like_input(result, image):
    """Convert a float result in [0, 1] back to the dtype and range of ``image``."""
    if image.dtype == result.dtype:
        return result
    result = np.clip(result, 0.0, 1.0)
    if image.dtype == np.uint8:
        return util.img_as_ubyte(result)
    if image.dtype == np.uint16:
        return util.img_as_uint(result)
    return result.astype(image.dtype)


def frac_rect_to_px(rect, shape):
    """``(x0, y0, x1, y1)`` fractions to integer pixel ``(x, y, width, height)``."""
    h, w = shape[:2]
    x0, y0, x1, y1 = rect
    px0, py0 = int(round(x0 * (w - 1))), int(round(y0 * (h - 1)))
    px1, py1 = int(round(x1 * (w - 1))), int(round(y1 * (h - 1)))
    return px0, py0, max(1, px1 - px0), max(1, py1 - py0)


def frac_points_to_px(points, shape):
    """``[(x, y, label), ...]`` fractions to ``[(row, col, label), ...]`` pixels."""
    h, w = shape[:2]
    return [
        (int(round(y * (h - 1))), int(round(x * (w - 1))), int(label))
        for x, y, label in points
    ]
