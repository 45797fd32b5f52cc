"""Contrast and exposure: histogram equalisation, levels and background removal.

Every function takes a grey (H, W) or colour (H, W, 3) image of uint8, uint16
or float in [0, 1] and returns an image of the same shape and dtype. Colour
images are equalised on the lightness channel (L of CIELAB) so that hues do
not shift.
"""
from __future__ import annotations

import cv2
import numpy as np
from skimage import exposure, restoration

from segcore._common import like_input, to_float
from segcore.registry import Method, Param, register

__all__ = ["clahe", "equalize", "levels", "background"]


def _lightness(img):
    """Float image in [0, 1] -> (lightness in [0, 1], Lab array or None for grey)."""
    if img.ndim == 2:
        return img, None
    lab = cv2.cvtColor(np.ascontiguousarray(img, dtype=np.float32), cv2.COLOR_RGB2Lab)
    return lab[..., 0].astype(np.float64) / 100.0, lab


def _with_lightness(light, lab):
    """Inverse of :func:`_lightness`: float image in [0, 1]."""
    if lab is None:
        return np.clip(light, 0.0, 1.0)
    lab = lab.copy()
    lab[..., 0] = np.clip(light, 0.0, 1.0) * 100.0
    return np.clip(cv2.cvtColor(lab, cv2.COLOR_Lab2RGB).astype(np.float64), 0.0, 1.0)


def clahe(image, *, clip_limit=2.0, tile_grid=8):
    """Contrast-limited adaptive histogram equalisation (CLAHE).

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    clip_limit : float
        OpenCV's clip limit: how many times the average histogram count a bin
        may hold before it is clipped (1 = no enhancement; 2-4 is typical).
    tile_grid : int
        Number of tiles along each side of the image.

    Returns
    -------
    (M, N[, 3]) ndarray
        Equalised image, same shape and dtype. All dtypes use OpenCV's CLAHE
        with a 256-bin histogram, so the result does not depend on the dtype:
        uint16 and float images (lightness as 16 bits) are equalised with
        ``setBitShift(8)``, which bins 16-bit values into 256 bins but maps
        them at full 16-bit precision.

    References
    ----------
    .. [1] K. Zuiderveld, 'Contrast limited adaptive histogram equalization',
       Graphics Gems IV, Academic Press, 1994.
    .. [2] S. M. Pizer et al., 'Adaptive histogram equalization and its
       variations', CVGIP 39(3), 1987.
    """
    tiles = int(tile_grid)
    op = cv2.createCLAHE(clipLimit=float(clip_limit), tileGridSize=(tiles, tiles))
    if image.dtype == np.uint8:
        if image.ndim == 2:
            return op.apply(np.ascontiguousarray(image))
        lab = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2LAB)
        lab[..., 0] = op.apply(np.ascontiguousarray(lab[..., 0]))
        return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
    op.setBitShift(8)
    light, lab = _lightness(to_float(image))
    light16 = np.round(np.clip(light, 0.0, 1.0) * 65535.0).astype(np.uint16)
    out = op.apply(light16).astype(np.float64) / 65535.0
    return like_input(_with_lightness(out, lab), image)


def equalize(image, *, nbins=256):
    """Global histogram equalisation (of the lightness for colour images).

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    nbins : int
        Number of histogram bins.

    Returns
    -------
    (M, N[, 3]) ndarray
        Equalised image, same shape and dtype.

    References
    ----------
    .. [1] R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed.,
       2018, section 3.3.
    """
    light, lab = _lightness(to_float(image))
    if np.ptp(light) == 0:
        return image.copy()
    out = exposure.equalize_hist(light, nbins=int(nbins))
    return like_input(_with_lightness(out, lab), image)


def levels(image, *, low_percentile=1.0, high_percentile=99.0, gamma=1.0):
    """Stretch the grey levels between two percentiles to the full range, then gamma.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    low_percentile, high_percentile : float
        Percentiles (0-100) of all pixel values that become black and white.
    gamma : float
        Gamma applied after the stretch (< 1 brightens mid-tones, > 1 darkens).

    Returns
    -------
    image : (M, N[, 3]) ndarray
        Adjusted image, same shape and dtype.
    extras : dict
        ``in_range``: the two levels (0-1 scale) stretched to black and white.

    References
    ----------
    .. [1] C. Poynton, *Digital Video and HD: Algorithms and Interfaces*,
       2nd ed., Morgan Kaufmann, 2012 (gamma).
    """
    top = float(np.iinfo(image.dtype).max) if image.dtype.kind in "ui" else 1.0
    lo, hi = (float(v) / top for v in np.percentile(image, [low_percentile, high_percentile]))
    img = to_float(image)
    if image.dtype.kind in "ui":  # 8/16-bit data: float32 is exact enough and faster
        img = img.astype(np.float32)
    if hi > lo:
        out = exposure.rescale_intensity(img, in_range=(lo, hi), out_range=(0.0, 1.0))
    else:
        out = img
    out = np.clip(out, 0.0, 1.0)
    if gamma != 1.0:
        out = exposure.adjust_gamma(out, float(gamma))
    return like_input(out, image), {"in_range": [lo, hi]}


def _reduction(radius):
    """Integer shrink factor so that the reduced radius stays at least 10 px."""
    return max(1, int(radius // 10))


def _background_channel(channel, radius, method, scale):
    """Smooth background under a 2-D channel given on the 0-255 scale.

    The channel is shrunk by ``scale`` taking the minimum of each block (as
    ImageJ's background subtracter does), the background is computed there
    with a correspondingly smaller ball / disk, and upsampled linearly.
    """
    h, w = channel.shape
    if scale > 1:
        ph, pw = -h % scale, -w % scale
        padded = np.pad(channel, ((0, ph), (0, pw)), mode="edge")
        small = padded.reshape(padded.shape[0] // scale, scale,
                               padded.shape[1] // scale, scale).min(axis=(1, 3))
    else:
        small = channel
    r = float(radius) / scale
    if method == "rolling_ball":
        # a ball of radius `radius` px and `radius` grey levels (0-255) at full size
        kernel = restoration.ellipsoid_kernel((2 * r, 2 * r), float(radius))
        bg_small = restoration.rolling_ball(small, kernel=kernel)
    else:  # tophat: grey opening by a disk
        k = 2 * int(round(r)) + 1
        disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
        bg_small = cv2.morphologyEx(np.ascontiguousarray(small, dtype=np.float32),
                                    cv2.MORPH_OPEN, disk, borderType=cv2.BORDER_REPLICATE)
    if scale == 1:
        return np.asarray(bg_small, dtype=np.float64)
    big = cv2.resize(np.asarray(bg_small, dtype=np.float32),
                     (small.shape[1] * scale, small.shape[0] * scale),
                     interpolation=cv2.INTER_LINEAR)
    return big[:h, :w].astype(np.float64)


def background(image, *, method="rolling_ball", radius=50, light_background=False):
    """Estimate a smooth background and subtract it (uneven illumination).

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    method : {"rolling_ball", "tophat"}
        Rolling ball (background = what a ball rolled under the intensity
        surface can reach) or top-hat (grey opening with a disk).
    radius : int
        Radius in pixels; larger than the biggest object to keep.
    light_background : bool
        Objects are darker than the background (e.g. a page, a bright-field
        microscope slide): the background is taken from above.

    Returns
    -------
    image : (M, N[, 3]) ndarray
        Image minus background (dark background becomes black, a light one
        white), same shape and dtype.
    extras : dict
        ``background``: the estimated background, same shape and dtype.

    Notes
    -----
    For speed the background is computed on an image shrunk by
    ``radius // 10`` (minimum of each block) with a ball or disk shrunk
    accordingly, then upsampled linearly. The ball's height is measured on
    the 0-255 scale whatever the dtype (as in ImageJ for 8-bit images).
    Colour channels are processed separately.

    References
    ----------
    .. [1] S. R. Sternberg, 'Biomedical image processing', Computer 16(1), 1983.
    .. [2] ImageJ, 'Subtract Background' (rolling ball) documentation.
    """
    img = to_float(image)
    work = 1.0 - img if light_background else img
    scale = _reduction(radius)
    if work.ndim == 2:
        bg = _background_channel(work * 255.0, radius, method, scale) / 255.0
    else:
        bg = np.stack([_background_channel(work[..., c] * 255.0, radius, method, scale)
                       for c in range(work.shape[2])], axis=-1) / 255.0
    flat = work - bg
    if light_background:
        flat, bg = 1.0 - flat, 1.0 - bg
    return like_input(np.clip(flat, 0.0, 1.0), image), {
        "background": like_input(np.clip(bg, 0.0, 1.0), image)
    }


register(Method(
    id="clahe", task="restore", family="contrast", label="CLAHE (adaptive equalisation)",
    func=clahe,
    params=(
        Param("clip_limit", "float", 2.0, min=1.0, max=40.0, step=0.1,
              help="How strongly contrast may be boosted. 1 changes nothing; 2-4 is typical; "
                   "large values make noise visible."),
        Param("tile_grid", "int", 8, min=1, max=64, step=1,
              help="Number of tiles along each side. More tiles adapt to smaller regions."),
    ),
    explain=(
        "The image is cut into tiles and the contrast of each tile is stretched using its own "
        "histogram, with a limit so that flat areas are not over-amplified; tiles are blended smoothly. "
        "It brings out detail in both dark and bright parts of a photo, X-ray or microscope image. "
        "With a high limit it amplifies noise and can leave halos around strong edges."
    ),
    references=(
        "K. Zuiderveld, 'Contrast limited adaptive histogram equalization', Graphics Gems IV, 1994.",
        "S. M. Pizer et al., 'Adaptive histogram equalization and its variations', CVGIP 39(3), 1987.",
    ),
    live=True,
))

register(Method(
    id="equalize", task="restore", family="contrast", label="Histogram equalisation",
    func=equalize,
    params=(
        Param("nbins", "int", 256, min=16, max=4096, step=16,
              help="Number of grey-level bins used to count pixels."),
    ),
    explain=(
        "Spreads the grey levels so that every brightness is used about equally often over the "
        "whole image. It quickly rescues a dull, washed-out or dark photo. Because it uses one rule "
        "for the whole image, it can over-brighten large flat areas (sky, background) and amplify noise."
    ),
    references=("R. C. Gonzalez, R. E. Woods, 'Digital Image Processing', 4th ed., Pearson, 2018, ch. 3.",),
    live=False,
))

register(Method(
    id="levels", task="restore", family="contrast", label="Levels (stretch + gamma)",
    func=levels,
    params=(
        Param("low_percentile", "float", 1.0, min=0.0, max=49.0, step=0.5,
              help="This percentage of the darkest pixels becomes pure black."),
        Param("high_percentile", "float", 99.0, min=51.0, max=100.0, step=0.5,
              help="Pixels above this percentage of brightness become pure white."),
        Param("gamma", "float", 1.0, min=0.1, max=5.0, step=0.05,
              help="Below 1 brightens the mid-tones, above 1 darkens them."),
    ),
    explain=(
        "Like the levels tool of a photo editor: the darkest and brightest few percent of the pixels "
        "are pushed to black and white and everything between is stretched, then the mid-tones are "
        "bent with a gamma curve. It fixes faded or under-exposed images without changing their look much. "
        "It cannot fix uneven lighting, and too high percentages clip highlights and shadows."
    ),
    references=("C. Poynton, 'Digital Video and HD: Algorithms and Interfaces', 2nd ed., "
                "Morgan Kaufmann, 2012.",),
    live=True,
))

register(Method(
    id="background", task="restore", family="contrast", label="Background subtraction",
    func=background,
    params=(
        Param("method", "choice", "rolling_ball", choices=("rolling_ball", "tophat"),
              help="Rolling ball follows a smooth background; top-hat uses a flat disk (slightly faster, "
                   "blockier)."),
        Param("radius", "int", 50, min=3, max=500, step=1, unit="px",
              help="Radius in pixels; make it larger than the biggest object you want to keep."),
        Param("light_background", "bool", False,
              help="Tick when the objects are darker than the background (paper, bright-field slide)."),
    ),
    explain=(
        "Estimates the slowly varying background (uneven lighting, vignetting, a stain) by rolling a "
        "ball under the brightness surface, then subtracts it, so the objects sit on a flat background. "
        "It works well before thresholding microscope images or scanned pages. Objects larger than the "
        "ball are treated as background and partly removed."
    ),
    references=(
        "S. R. Sternberg, 'Biomedical image processing', Computer 16(1), 1983.",
        "ImageJ 'Subtract Background' (rolling ball) documentation.",
    ),
    live=False,
))
