"""Region segmentation: superpixels, watershed, region growing and colour clustering.

Superpixel methods (``slic``, ``felzenszwalb``, ``quickshift``, ``watershed``,
``kmeans``, ``mean_shift``) give every pixel a region label starting at 1.
``region_growing`` is binary: 1 for the grown region, 0 elsewhere.
"""
from __future__ import annotations

import cv2
import numpy as np
from skimage import color, filters, measure, segmentation

from segcore._common import CHANNELS, to_channel, to_float, to_uint8
from segcore.registry import Method, Param, register

__all__ = [
    "slic",
    "felzenszwalb",
    "quickshift",
    "watershed",
    "region_growing",
    "kmeans",
    "mean_shift",
]


def _channel_axis(image):
    """``-1`` for a colour image, ``None`` for a grey one (scikit-image convention)."""
    return -1 if image.ndim == 3 else None


def slic(image, *, n_segments=100, compactness=10.0, sigma=0.0):
    """SLIC superpixels: k-means on colour and position, seeded on a grid.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype.
    n_segments : int
        Approximate number of superpixels.
    compactness : float
        Balance of colour against position; larger values give squarer
        superpixels. Grey images are scaled to 0-100 like the L* channel used
        for colour images, so the same value behaves alike on both.
    sigma : float
        Width in pixels of the Gaussian smoothing applied first.

    Returns
    -------
    labels : (M, N) ndarray of int32
        Superpixel labels from 1.

    References
    ----------
    R. Achanta et al., "SLIC superpixels compared to state-of-the-art
    superpixel methods", IEEE TPAMI 34(11), 2012.
    """
    img = to_float(image)
    if img.ndim == 2:
        img = img * 100.0
    labels = segmentation.slic(
        img, n_segments=n_segments, compactness=compactness, sigma=sigma,
        start_label=1, channel_axis=_channel_axis(img),
    )
    return labels.astype(np.int32)


def felzenszwalb(image, *, scale=100.0, sigma=0.8, min_size=50):
    """Felzenszwalb-Huttenlocher graph-based segmentation.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype.
    scale : float
        Larger values favour larger regions.
    sigma : float
        Width in pixels of the Gaussian smoothing applied first.
    min_size : int
        Smallest region area in pixels; smaller ones are merged.

    Returns
    -------
    labels : (M, N) ndarray of int32
        Region labels from 1.

    References
    ----------
    P. F. Felzenszwalb and D. P. Huttenlocher, "Efficient graph-based image
    segmentation", IJCV 59(2), 2004.
    """
    img = to_float(image)
    labels = segmentation.felzenszwalb(
        img, scale=scale, sigma=sigma, min_size=int(min_size), channel_axis=_channel_axis(img)
    )
    return labels.astype(np.int32) + 1


def quickshift(image, *, kernel_size=5.0, max_dist=10.0, ratio=1.0):
    """Quickshift mode seeking in colour (Lab) and position.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype; grey is converted to RGB.
    kernel_size : float
        Width in pixels of the Gaussian density kernel.
    max_dist : float
        Cut-off distance for linking pixels; larger means fewer regions.
    ratio : float
        Between 0 and 1: weight of colour against position.

    Returns
    -------
    labels : (M, N) ndarray of int32
        Region labels from 1.

    References
    ----------
    A. Vedaldi and S. Soatto, "Quick shift and kernel methods for mode
    seeking", ECCV 2008.
    """
    img = to_float(image)
    if img.ndim == 2:
        img = color.gray2rgb(img)
    labels = segmentation.quickshift(
        img, ratio=ratio, kernel_size=kernel_size, max_dist=max_dist, rng=42, channel_axis=-1
    )
    return labels.astype(np.int32) + 1


def watershed(image, *, markers=200, compactness=0.001):
    """Compact watershed of the Sobel gradient from a grid of markers.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype.
    markers : int
        Number of markers, placed on a regular grid. 0 uses every local
        minimum of the gradient instead (usually many small regions).
    compactness : float
        0 gives the classic watershed; larger values give more regular,
        compact regions.

    Returns
    -------
    labels : (M, N) ndarray of int32
        Region labels from 1.

    References
    ----------
    P. Neubert and P. Protzel, "Compact watershed and preemptive SLIC",
    ICPR 2014.
    """
    gradient = filters.sobel(to_channel(image, "gray"))
    seeds = int(markers) if markers > 0 else None
    labels = segmentation.watershed(gradient, markers=seeds, compactness=compactness)
    return labels.astype(np.int32)


def region_growing(image, *, point=(0.5, 0.5), tolerance=40, channel="gray", sigma=1.0):
    """Grow a region from a seed pixel: flood fill of similar neighbours.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype.
    point : (float, float)
        Seed ``(x, y)`` in fractions of width and height.
    tolerance : int
        Largest difference (0-255 scale) from the seed value that joins the region.
    channel : str
        One of ``CHANNELS``.
    sigma : float
        Width in pixels of the Gaussian smoothing applied first (0 = none);
        it keeps noise from stopping the growth.

    Returns
    -------
    labels : (M, N) ndarray of int32
        1 for the grown region, 0 elsewhere.
    extras : dict
        ``seeds``: ``[(x, y, 1)]`` the seed in pixels.

    References
    ----------
    R. Adams and L. Bischof, "Seeded region growing", IEEE TPAMI 16(6), 1994.
    """
    values = to_channel(image, channel)
    if sigma > 0:
        values = filters.gaussian(values, sigma=sigma)
    h, w = values.shape
    x = int(round(point[0] * (w - 1)))
    y = int(round(point[1] * (h - 1)))
    mask = segmentation.flood(values, (y, x), connectivity=1, tolerance=tolerance / 255.0)
    return mask.astype(np.int32), {"seeds": [(x, y, 1)]}


def kmeans(image, *, k=3, spatial=0.0, attempts=3):
    """k-means clustering of pixel colours (optionally with their positions).

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype.
    k : int
        Number of colour clusters.
    spatial : float
        Weight of the pixel position against colour (0 = colour only); with
        a weight the clusters become more compact blobs.
    attempts : int
        Number of restarts; the best clustering is kept.

    Returns
    -------
    labels : (M, N) ndarray of int32
        Cluster labels 1..k, ordered from the darkest cluster centre to the brightest.

    References
    ----------
    S. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28(2), 1982;
    D. Arthur and S. Vassilvitskii, "k-means++", SODA 2007.
    """
    img = to_float(image)
    h, w = img.shape[:2]
    feats = img.reshape(h * w, -1)
    if spatial > 0:
        rr, cc = np.mgrid[:h, :w]
        pos = np.stack([rr.ravel(), cc.ravel()], axis=1) / float(max(h, w))
        feats = np.hstack([feats, spatial * pos])
    feats = np.ascontiguousarray(feats, dtype=np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 50, 1e-4)
    cv2.setRNGSeed(0)
    _, lab, centres = cv2.kmeans(feats, int(k), None, criteria, int(attempts), cv2.KMEANS_PP_CENTERS)
    nchan = 1 if img.ndim == 2 else img.shape[2]
    order = np.argsort(centres[:, :nchan].mean(axis=1), kind="stable")
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(1, len(order) + 1, dtype=np.int32)
    return rank[lab.ravel()].reshape(h, w)


def mean_shift(image, *, sp=10, sr=20, min_size=100):
    """Mean-shift filtering, then one label per connected patch of similar colour.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype.
    sp : int
        Spatial window radius in pixels.
    sr : int
        Colour window radius (0-255 scale).
    min_size : int
        Patches smaller than this many pixels are absorbed by their neighbours.

    Notes
    -----
    After filtering, a pixel whose colour differs from its right or lower
    neighbour by more than ``sr / 4`` (any channel) marks a boundary; the
    connected areas between boundaries are the patches, boundary pixels join
    the nearest patch and patches smaller than ``min_size`` are absorbed by
    their neighbours.

    Returns
    -------
    labels : (M, N) ndarray of int32
        Region labels from 1.

    References
    ----------
    D. Comaniciu and P. Meer, "Mean shift: a robust approach toward feature
    space analysis", IEEE TPAMI 24(5), 2002.
    """
    img8 = to_uint8(image)
    if img8.ndim == 2:
        img8 = cv2.cvtColor(img8, cv2.COLOR_GRAY2RGB)
    filtered = cv2.pyrMeanShiftFiltering(np.ascontiguousarray(img8), sp, sr)
    f = filtered.astype(np.int16)
    step = np.zeros(f.shape[:2], dtype=bool)
    dx = np.abs(f[:, 1:] - f[:, :-1]).max(axis=2) > sr / 4.0
    dy = np.abs(f[1:] - f[:-1]).max(axis=2) > sr / 4.0
    step[:, :-1] |= dx
    step[:-1] |= dy
    labels = measure.label(~step, background=0, connectivity=1)
    if labels.max() == 0:
        return np.ones(labels.shape, dtype=np.int32)
    labels = segmentation.expand_labels(labels, distance=max(labels.shape))
    if min_size > 1:
        sizes = np.bincount(labels.ravel())
        small = sizes[labels] < min_size
        if small.all():
            small[...] = False
        labels[small] = 0
        labels = segmentation.expand_labels(labels, distance=max(labels.shape))
    labels, _, _ = segmentation.relabel_sequential(labels)
    return labels.astype(np.int32)


register(Method(
    id="slic", task="segment", family="regions", label="SLIC superpixels",
    func=slic,
    params=(
        Param("n_segments", "int", 100, min=2, max=2000, step=1,
              help="About how many superpixels to make."),
        Param("compactness", "float", 10.0, min=0.01, max=100.0, step=0.5,
              help="Higher values give rounder, more regular superpixels; lower values follow colour edges more closely."),
        Param("sigma", "float", 0.0, min=0.0, max=10.0, step=0.1, unit="px",
              help="Blur applied first, in pixels, to ignore noise (0 = none, as in scikit-image)."),
    ),
    explain=(
        "SLIC cuts the image into roughly equal superpixels: small patches of similar colour "
        "that stick to edges. It starts from a regular grid and moves each patch centre to group "
        "nearby pixels of similar colour. It works well as a first step that simplifies the image, "
        "but the patches do not mean objects, and thin or low-contrast structures can be cut through."
    ),
    references=("R. Achanta et al., 'SLIC superpixels compared to state-of-the-art superpixel methods', IEEE TPAMI 34(11), 2012.",),
    live=False,
))

register(Method(
    id="felzenszwalb", task="segment", family="regions", label="Felzenszwalb graph",
    func=felzenszwalb,
    params=(
        Param("scale", "float", 100.0, min=1.0, max=2000.0, step=1.0,
              help="Higher values make bigger regions, lower values smaller ones."),
        Param("sigma", "float", 0.8, min=0.0, max=10.0, step=0.1, unit="px",
              help="Blur applied first, in pixels, to ignore noise."),
        Param("min_size", "int", 50, min=1, max=100000, step=1, unit="px2",
              help="Smallest allowed region, in pixels; smaller ones are merged with a neighbour."),
    ),
    explain=(
        "This method treats the image as a graph of neighbouring pixels and merges regions as long "
        "as the difference between them is small compared with the variation inside them. "
        "Regions adapt their size to the content: large in flat areas, small in detailed ones. "
        "It follows boundaries very well, but region sizes are irregular and textured areas can "
        "break into many pieces."
    ),
    references=("P. F. Felzenszwalb and D. P. Huttenlocher, 'Efficient graph-based image segmentation', IJCV 59(2), 2004.",),
    live=False,
))

register(Method(
    id="quickshift", task="segment", family="regions", label="Quickshift",
    func=quickshift,
    params=(
        Param("kernel_size", "float", 5.0, min=1.0, max=30.0, step=0.5, unit="px",
              help="Size of the neighbourhood, in pixels, used to estimate where colours cluster."),
        Param("max_dist", "float", 10.0, min=1.0, max=100.0, step=1.0, unit="px",
              help="How far pixels may be linked; larger values give fewer, bigger regions."),
        Param("ratio", "float", 1.0, min=0.0, max=1.0, step=0.05,
              help="Weight of colour against position: 1 = colour matters most, 0 = position only."),
    ),
    explain=(
        "Quickshift moves every pixel towards the nearest denser spot in colour and position and "
        "groups pixels that end at the same spot. It needs no number of regions and follows edges well. "
        "It is slow on large images and can give very uneven region sizes."
    ),
    references=("A. Vedaldi and S. Soatto, 'Quick shift and kernel methods for mode seeking', ECCV 2008.",),
    live=False,
))

register(Method(
    id="watershed", task="segment", family="regions", label="Compact watershed",
    func=watershed,
    params=(
        Param("markers", "int", 200, min=0, max=5000, step=1,
              help="How many regions to start from, spread on a grid; 0 starts from every dip of the edge map (many small regions)."),
        Param("compactness", "float", 0.001, min=0.0, max=1.0, step=0.001,
              help="0 follows edges only; higher values make regions more regular and compact."),
    ),
    explain=(
        "The watershed sees the edge strength (Sobel gradient) as a landscape and floods it from "
        "starting points; regions meet where the floods touch, usually on edges. "
        "With compactness the regions stay more regular, like superpixels. "
        "It is fast and follows strong edges, but noise and weak edges cause leaks or over-segmentation."
    ),
    references=(
        "S. Beucher and F. Meyer, 'The morphological approach to segmentation: the watershed transformation', 1993.",
        "P. Neubert and P. Protzel, 'Compact watershed and preemptive SLIC', ICPR 2014.",
    ),
    live=False,
))

register(Method(
    id="region_growing", task="segment", family="regions", label="Region growing (flood fill)",
    func=region_growing,
    params=(
        Param("point", "point", (0.5, 0.5),
              help="Where to start growing: click inside the object (fractions of width and height)."),
        Param("tolerance", "int", 40, min=0, max=255, step=1,
              help="How different (0-255) a pixel may be from the starting pixel and still join the region."),
        Param("channel", "choice", "gray", choices=CHANNELS,
              help="Which channel to compare: grey level, lightness L*, hue, saturation, value, or red/green/blue."),
        Param("sigma", "float", 1.0, min=0.0, max=10.0, step=0.1, unit="px",
              help="Blur applied first, in pixels, so noise does not stop the growth."),
    ),
    explain=(
        "Starting from the point you pick, the region grows to every connected pixel whose value "
        "is close to the starting value, like the paint bucket of a drawing program. "
        "It works for an evenly coloured object with a clear border. It leaks out through gaps in "
        "the border when the tolerance is too high and stops short on shading when it is too low."
    ),
    references=("R. Adams and L. Bischof, 'Seeded region growing', IEEE TPAMI 16(6), 1994.",),
    live=True,
))

register(Method(
    id="kmeans", task="segment", family="regions", label="k-means colour clusters",
    func=kmeans,
    params=(
        Param("k", "int", 3, min=2, max=20, step=1,
              help="How many colour groups to find."),
        Param("spatial", "float", 0.0, min=0.0, max=10.0, step=0.1,
              help="How much pixel position counts besides colour; 0 groups by colour only."),
        Param("attempts", "int", 3, min=1, max=10, step=1,
              help="How many times to restart; more attempts give a more reliable result but take longer."),
    ),
    explain=(
        "k-means sorts all pixels into k groups of similar colour, whatever their position; "
        "labels go from the darkest group (1) to the brightest (k). "
        "It works when the image has a few distinct colours, such as a stained sample or a poster. "
        "It fails with gradual shading, and the same label can appear in many unconnected places."
    ),
    references=(
        "S. Lloyd, 'Least squares quantization in PCM', IEEE Trans. Inf. Theory 28(2), 1982.",
        "D. Arthur and S. Vassilvitskii, 'k-means++: the advantages of careful seeding', SODA 2007.",
    ),
    live=False,
))

register(Method(
    id="mean_shift", task="segment", family="regions", label="Mean shift",
    func=mean_shift,
    params=(
        Param("sp", "int", 10, min=1, max=100, step=1, unit="px", label="Spatial radius",
              help="How far, in pixels, each pixel looks for similar neighbours."),
        Param("sr", "int", 20, min=1, max=255, step=1, label="Colour radius",
              help="How different colours (0-255) may be and still be pulled together."),
        Param("min_size", "int", 100, min=1, max=100000, step=1, unit="px2",
              help="Patches smaller than this many pixels are merged into their neighbours."),
    ),
    explain=(
        "Mean shift replaces every pixel by the typical colour of similar pixels nearby, which "
        "flattens each area to one colour while keeping edges; connected patches of the same colour "
        "then become regions. It needs no number of regions. "
        "It is slow with large radii and gives many small regions in textured areas."
    ),
    references=("D. Comaniciu and P. Meer, 'Mean shift: a robust approach toward feature space analysis', IEEE TPAMI 24(5), 2002.",),
    live=False,
))
