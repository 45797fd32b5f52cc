"""Edge-based segmentation: find edges, then turn closed contours into regions.

An edge map is not a segmentation, so every method here goes on the same
way (see :func:`_edges_to_regions`):

1. small gaps in the contours are bridged: the edge map is dilated with a
   disk of ``close_radius`` pixels, filled, and eroded back with the same
   disk (a closing with the filling in the middle);
2. closed contours are filled (like :func:`scipy.ndimage.binary_fill_holes`);
3. only components that enclose something are kept: open curves and
   isolated edge fragments (texture, noise) are dropped;
4. the thick contour band is split down its middle: a contour pixel
   belongs to the object when it is at least as close to the filled
   inside as to the outside, so objects keep their true size instead of
   growing by the width of the band;
5. the objects are labelled 1..n (0 = background), 4-connected.

On ``skimage.data.coins()`` this gives one filled region per coin whose
outline closes. The raw edge map is returned as ``extras["edges"]``.
"""
from __future__ import annotations

import cv2
import numpy as np

from segcore._common import CHANNELS, to_channel, to_uint8
from segcore.registry import Method, Param, register

__all__ = ["canny", "sobel", "scharr"]

_CHANNEL = Param(
    "channel", "choice", "gray", choices=CHANNELS,
    help="Which channel to look for edges in: grey level, lightness L*, hue, saturation, value, or red/green/blue.",
)
_CLOSE = Param(
    "close_radius", "int", 2, min=0, max=50, step=1, unit="px",
    help="Bridges gaps in the outlines up to about twice this many pixels before filling them; 0 = no bridging.",
)
_SIGMA = Param(
    "sigma", "float", 1.0, min=0.0, max=10.0, step=0.1,
    help="How much to blur before looking for edges (pixels); more blur ignores noise and fine texture.",
)


def _disk(radius):
    """Elliptical (disk) structuring element of the given radius for OpenCV."""
    r = int(radius)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))


def _fill_holes(mask):
    """``mask`` with every enclosed background area filled.

    Same result as :func:`scipy.ndimage.binary_fill_holes` (holes are
    4-connected background components that do not touch the image border),
    computed with OpenCV's connected components, ~20 times faster at 1 MP.
    """
    mask = np.asarray(mask, bool)
    _, background = cv2.connectedComponents((~mask).astype(np.uint8), connectivity=4, ltype=cv2.CV_32S)
    outer = np.unique(np.concatenate([background[0], background[-1], background[:, 0], background[:, -1]]))
    return mask | ((background > 0) & ~np.isin(background, outer))


def _edges_to_regions(edges, close_radius, distance_mask=cv2.DIST_MASK_5):
    """Label the regions enclosed by an edge map.

    Parameters
    ----------
    edges : (M, N) ndarray of bool
        Edge pixels.
    close_radius : int
        Gaps up to about ``2 * close_radius`` pixels in an outline are
        bridged (0 = none).
    distance_mask : int
        OpenCV distance-transform mask used to split the outline band;
        ``cv2.DIST_MASK_PRECISE`` is the exact (slower) reference.

    Returns
    -------
    (M, N) ndarray of int32
        Regions 1..n, 0 for background (and dropped open edges).
    """
    band = edges.astype(np.uint8)
    if close_radius <= 0:
        filled = _fill_holes(band)
    else:
        # Dilate, fill, erode: a closing with the filling in the middle, so that
        # gaps narrower than the disk are bridged even in one-pixel outlines
        # (a plain closing does not bridge two line ends facing each other).
        disk = _disk(close_radius)
        grown = cv2.dilate(band, disk, borderType=cv2.BORDER_CONSTANT, borderValue=0)
        filled = _fill_holes(grown).astype(np.uint8)
        filled = cv2.erode(filled, disk, borderType=cv2.BORDER_REPLICATE).astype(bool)
        band = cv2.erode(grown, disk, borderType=cv2.BORDER_REPLICATE)
    inside = filled & ~band.astype(bool)
    if not inside.any():
        return np.zeros(edges.shape, np.int32)
    # Split the outline band down its middle: an outline pixel belongs to the
    # object when it is at least as close to the inside as to the outside.
    # The band is only a few pixels wide, where the 5x5 chamfer distance is
    # within 2 % of the exact one and about 3 times faster.
    to_inside = cv2.distanceTransform((~inside).astype(np.uint8), cv2.DIST_L2, distance_mask)
    to_outside = cv2.distanceTransform(filled.astype(np.uint8), cv2.DIST_L2, distance_mask)
    objects = filled & (to_inside <= to_outside)
    _, labels = cv2.connectedComponents(objects.astype(np.uint8), connectivity=4, ltype=cv2.CV_32S)
    return labels


def _blurred(image, channel, sigma):
    """Channel as float32 in [0, 1], Gaussian-blurred with ``sigma`` (0 = none)."""
    values = to_channel(image, channel).astype(np.float32)
    if sigma > 0:
        values = cv2.GaussianBlur(values, (0, 0), float(sigma), borderType=cv2.BORDER_REFLECT)
    return values


def _gradient_edges(image, channel, sigma, threshold, scharr):
    """Edge map: gradient magnitude above ``threshold`` times its maximum."""
    values = _blurred(image, channel, sigma)
    ksize = cv2.FILTER_SCHARR if scharr else 3
    gx = cv2.Sobel(values, cv2.CV_32F, 1, 0, ksize=ksize, borderType=cv2.BORDER_REFLECT)
    gy = cv2.Sobel(values, cv2.CV_32F, 0, 1, ksize=ksize, borderType=cv2.BORDER_REFLECT)
    magnitude = cv2.magnitude(gx, gy)
    top = float(magnitude.max())
    if top <= 0:
        return np.zeros(values.shape, bool)
    return magnitude > threshold * top


def canny(image, *, sigma=1.0, low_threshold=0.1, high_threshold=0.2, close_radius=2, channel="gray"):
    """Canny edges, closed and filled into regions.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    sigma : float
        Standard deviation of the Gaussian blur applied first (pixels).
    low_threshold, high_threshold : float
        Hysteresis thresholds as fractions of the strongest gradient in the
        blurred image: edges start where the gradient exceeds
        ``high_threshold`` and continue while it exceeds ``low_threshold``.
        A low value above the high one is lowered to the high one.
    close_radius : int
        Radius of the closing that bridges gaps in the contours (pixels).
    channel : str
        One of ``CHANNELS``.

    Returns
    -------
    labels : (M, N) ndarray of int32
        Filled regions 1..n, 0 = background.
    extras : dict
        ``edges``: the Canny edge map (bool).

    Notes
    -----
    Runs OpenCV's Canny (3x3 Sobel, L2 gradient) on the blurred channel
    scaled to 0-255 as uint8, about 8 times faster than
    :func:`skimage.feature.canny` with the same meaning of the parameters.

    References
    ----------
    J. Canny, IEEE Trans. PAMI 8(6):679-698, 1986.
    """
    values = _blurred(image, channel, sigma)
    gray8 = to_uint8(np.clip(values, 0.0, 1.0))
    gx = cv2.Sobel(gray8, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray8, cv2.CV_32F, 0, 1, ksize=3)
    top = float(cv2.magnitude(gx, gy).max())
    high = float(high_threshold) * top
    low = min(float(low_threshold), float(high_threshold)) * top
    edges = cv2.Canny(gray8, low, high, L2gradient=True) > 0 if top > 0 else np.zeros(values.shape, bool)
    return _edges_to_regions(edges, int(close_radius)), {"edges": edges}


def sobel(image, *, sigma=1.0, threshold=0.2, close_radius=2, channel="gray"):
    """Sobel gradient magnitude above a threshold, closed and filled into regions.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    sigma : float
        Standard deviation of the Gaussian blur applied first (pixels).
    threshold : float
        Edge pixels have a gradient magnitude above this fraction of the
        strongest gradient in the image.
    close_radius : int
        Radius of the closing that bridges gaps in the contours (pixels).
    channel : str
        One of ``CHANNELS``.

    Returns
    -------
    labels : (M, N) ndarray of int32
        Filled regions 1..n, 0 = background.
    extras : dict
        ``edges``: the thresholded gradient (bool), a band a few pixels wide.

    References
    ----------
    I. Sobel, G. Feldman, 'A 3x3 isotropic gradient operator for image processing', 1968.
    """
    edges = _gradient_edges(image, channel, sigma, float(threshold), False)
    return _edges_to_regions(edges, int(close_radius)), {"edges": edges}


def scharr(image, *, sigma=1.0, threshold=0.2, close_radius=2, channel="gray"):
    """Scharr gradient magnitude above a threshold, closed and filled into regions.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Input image of any dtype.
    sigma : float
        Standard deviation of the Gaussian blur applied first (pixels).
    threshold : float
        Edge pixels have a gradient magnitude above this fraction of the
        strongest gradient in the image.
    close_radius : int
        Radius of the closing that bridges gaps in the contours (pixels).
    channel : str
        One of ``CHANNELS``.

    Returns
    -------
    labels : (M, N) ndarray of int32
        Filled regions 1..n, 0 = background.
    extras : dict
        ``edges``: the thresholded gradient (bool).

    References
    ----------
    H. Scharr, 'Optimale Operatoren in der digitalen Bildverarbeitung', PhD thesis, Heidelberg, 2000.
    """
    edges = _gradient_edges(image, channel, sigma, float(threshold), True)
    return _edges_to_regions(edges, int(close_radius)), {"edges": edges}


_REGIONS_NOTE = (
    " Here the outlines are closed (close radius) and filled, so every closed outline becomes a region;"
    " outlines with gaps wider than the closing are lost."
)

register(Method(
    id="canny", task="segment", family="edges", label="Canny edges",
    func=canny,
    params=(
        _SIGMA,
        Param("low_threshold", "float", 0.1, min=0.0, max=1.0, step=0.01,
              help="Weak edges continue an outline while their strength is above this fraction of the strongest edge."),
        Param("high_threshold", "float", 0.2, min=0.0, max=1.0, step=0.01,
              help="An outline starts only where the edge strength is above this fraction of the strongest edge."),
        _CLOSE, _CHANNEL,
    ),
    explain=(
        "Canny finds thin, connected outlines: it blurs the image, keeps only the crest of each brightness "
        "step, and follows weak edges only when they connect to strong ones. It works well on objects with "
        "clear outlines such as coins or cells on a plain background." + _REGIONS_NOTE +
        " Textured or low-contrast objects give broken outlines that do not close."
    ),
    references=("J. Canny, 'A computational approach to edge detection', IEEE Trans. PAMI 8(6), 1986.",),
    live=True,
))

register(Method(
    id="sobel", task="segment", family="edges", label="Sobel edges",
    func=sobel,
    params=(
        _SIGMA,
        Param("threshold", "float", 0.2, min=0.0, max=1.0, step=0.01,
              help="Pixels whose edge strength is above this fraction of the strongest edge count as outline."),
        _CLOSE, _CHANNEL,
    ),
    explain=(
        "Sobel measures how fast the brightness changes at each pixel; pixels with a strong change are the "
        "outlines. It is simple and fast and gives thick outlines, which close more easily than Canny's." +
        _REGIONS_NOTE + " A too-low threshold lets noise and texture in; a too-high one breaks the outlines."
    ),
    references=("I. Sobel, G. Feldman, 'A 3x3 isotropic gradient operator for image processing', 1968.",),
    live=True,
))

register(Method(
    id="scharr", task="segment", family="edges", label="Scharr edges",
    func=scharr,
    params=(
        _SIGMA,
        Param("threshold", "float", 0.2, min=0.0, max=1.0, step=0.01,
              help="Pixels whose edge strength is above this fraction of the strongest edge count as outline."),
        _CLOSE, _CHANNEL,
    ),
    explain=(
        "Scharr is a Sobel variant whose weights measure edge strength equally well in every direction, so "
        "diagonal outlines are as strong as straight ones." + _REGIONS_NOTE +
        " Like Sobel it needs a threshold that separates outlines from noise and texture."
    ),
    references=("H. Scharr, 'Optimale Operatoren in der digitalen Bildverarbeitung', PhD thesis, Univ. Heidelberg, 2000.",),
    live=True,
))
