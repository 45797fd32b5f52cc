"""Denoising: smooth away random noise while keeping edges as well as possible.

Every function takes a grey (H, W) or colour (H, W, 3) image of uint8, uint16
or float (in [0, 1]) and returns an image of the same shape and dtype.
Defaults are chosen for Gaussian noise of sigma about 25 on the 0-255 scale
(a clearly noisy 8-bit photo).
"""
from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage as ndi
from skimage import restoration

from segcore._common import like_input, to_float, to_uint8
from segcore.registry import Method, Param, register

__all__ = [
    "gaussian",
    "median",
    "bilateral",
    "nl_means",
    "tv_chambolle",
    "tv_bregman",
    "wavelet",
    "cv2_nl_means",
]

_EIGHT_BIT_NOTE = (
    "OpenCV's non-local means only works on 8-bit images: the image was converted "
    "to 8 bits and back, so the result has 8-bit precision."
)


def _float32(image):
    """Image as float32 in [0, 1] (half the memory traffic of float64 for OpenCV)."""
    if image.dtype == np.uint8:
        return image.astype(np.float32) * np.float32(1 / 255)
    if image.dtype == np.uint16:
        return image.astype(np.float32) * np.float32(1 / 65535)
    return to_float(image).astype(np.float32)


def _channel_axis(image):
    """``-1`` for a colour (H, W, 3) image, ``None`` for a grey one."""
    return -1 if image.ndim == 3 else None


def gaussian(image, *, sigma=1.5):
    """Gaussian blur: replace each pixel by a weighted mean of its neighbours.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    sigma : float
        Standard deviation of the Gaussian in pixels.

    Returns
    -------
    (M, N[, 3]) ndarray
        Smoothed image, same shape and dtype as ``image``.

    References
    ----------
    .. [1] R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., 2018, ch. 3.
    """
    if image.dtype == np.uint8:
        # OpenCV's 8-bit path is the straightforward call and 5-7x faster than
        # going through float (its fixed-point rounding is within 1 grey level).
        return cv2.GaussianBlur(image, (0, 0), sigmaX=float(sigma), sigmaY=float(sigma),
                                borderType=cv2.BORDER_REFLECT)
    img = _float32(image)
    out = cv2.GaussianBlur(img, (0, 0), sigmaX=float(sigma), sigmaY=float(sigma),
                           borderType=cv2.BORDER_REFLECT)
    return like_input(np.clip(out, 0.0, 1.0), image)


def median(image, *, size=3):
    """Median filter: each pixel becomes the median of a square window.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float.
    size : int
        Side of the square window in pixels; an even value is raised to the
        next odd one (the window needs a centre pixel).

    Returns
    -------
    (M, N[, 3]) ndarray
        Filtered image, same shape and dtype (each colour channel separately).

    References
    ----------
    .. [1] J. W. Tukey, *Exploratory Data Analysis*, Addison-Wesley, 1977.
    .. [2] T. Huang, G. Yang, G. Tang, 'A fast two-dimensional median filtering
       algorithm', IEEE Trans. ASSP 27(1), 1979.
    """
    size = int(size)
    if size % 2 == 0:
        size += 1
    if size <= 1:
        return image.copy()
    if image.dtype == np.uint8:
        return cv2.medianBlur(np.ascontiguousarray(image), size)
    footprint = (size, size) if image.ndim == 2 else (size, size, 1)
    return ndi.median_filter(image, size=footprint, mode="reflect")


def bilateral(image, *, d=9, sigma_color=50.0, sigma_space=5.0):
    """Bilateral filter: average neighbours that are both close and similar.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    d : int
        Diameter of the neighbourhood in pixels.
    sigma_color : float
        How different (on the 0-255 scale) two grey levels may be and still be
        averaged.
    sigma_space : float
        Spatial standard deviation in pixels.

    Returns
    -------
    (M, N[, 3]) ndarray
        Filtered image, same shape and dtype.

    References
    ----------
    .. [1] C. Tomasi, R. Manduchi, 'Bilateral filtering for gray and color
       images', ICCV 1998.
    """
    if image.dtype == np.uint8:
        return cv2.bilateralFilter(np.ascontiguousarray(image), int(d),
                                   float(sigma_color), float(sigma_space))
    img = to_float(image).astype(np.float32)
    out = cv2.bilateralFilter(img, int(d), float(sigma_color) / 255.0, float(sigma_space))
    return like_input(out.astype(np.float64), image)


def nl_means(image, *, h_factor=0.6, patch_size=5, patch_distance=6, fast_mode=True):
    """Non-local means with the noise level estimated from the image.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    h_factor : float
        Filter strength as a multiple of the estimated noise sigma
        (``h = h_factor * sigma``).
    patch_size : int
        Side of the patches compared, in pixels.
    patch_distance : int
        How far (pixels) to search for similar patches.
    fast_mode : bool
        Use the fast, uniform-weight patch distance.

    Returns
    -------
    image : (M, N[, 3]) ndarray
        Denoised image, same shape and dtype.
    extras : dict
        ``sigma``: the estimated noise standard deviation on the 0-1 scale.

    References
    ----------
    .. [1] A. Buades, B. Coll, J.-M. Morel, 'A non-local algorithm for image
       denoising', CVPR 2005.
    .. [2] J. Darbon et al., 'Fast nonlocal filtering applied to electron
       cryomicroscopy', ISBI 2008.
    .. [3] D. L. Donoho, I. M. Johnstone, 'Ideal spatial adaptation by wavelet
       shrinkage', Biometrika 81(3), 1994 (noise estimate).
    """
    img = to_float(image)
    axis = _channel_axis(img)
    sigma = float(np.mean(restoration.estimate_sigma(img, channel_axis=axis)))
    out = restoration.denoise_nl_means(
        img, h=float(h_factor) * sigma, sigma=sigma, patch_size=int(patch_size),
        patch_distance=int(patch_distance), fast_mode=bool(fast_mode), channel_axis=axis,
    )
    return like_input(out, image), {"sigma": sigma}


def tv_chambolle(image, *, weight=0.07):
    """Total-variation denoising (Chambolle's projection algorithm).

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    weight : float
        Denoising strength: larger is smoother (more cartoon-like).

    Returns
    -------
    (M, N[, 3]) ndarray
        Denoised image, same shape and dtype.

    References
    ----------
    .. [1] A. Chambolle, 'An algorithm for total variation minimization and
       applications', J. Math. Imaging Vis. 20, 2004.
    .. [2] L. Rudin, S. Osher, E. Fatemi, 'Nonlinear total variation based noise
       removal algorithms', Physica D 60, 1992.
    """
    img = to_float(image)
    out = restoration.denoise_tv_chambolle(img, weight=float(weight),
                                           channel_axis=_channel_axis(img))
    return like_input(out, image)


def tv_bregman(image, *, weight=8.0):
    """Total-variation denoising with the split-Bregman method.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    weight : float
        Fidelity weight: *smaller* values remove more noise (smoother result).

    Returns
    -------
    (M, N[, 3]) ndarray
        Denoised image, same shape and dtype.

    References
    ----------
    .. [1] T. Goldstein, S. Osher, 'The split Bregman method for L1-regularized
       problems', SIAM J. Imaging Sci. 2(2), 2009.
    """
    img = to_float(image)
    out = restoration.denoise_tv_bregman(img, weight=float(weight),
                                         channel_axis=_channel_axis(img))
    return like_input(out, image)


def wavelet(image, *, method="BayesShrink", mode="soft", wavelet="db2"):
    """Wavelet shrinkage with the noise level estimated from the image.

    Needs PyWavelets (``pywt``). Colour images are denoised in YCbCr.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    method : {"BayesShrink", "VisuShrink"}
        How the threshold is chosen: per sub-band (BayesShrink) or one
        universal threshold (VisuShrink, smoother).
    mode : {"soft", "hard"}
        Soft shrinks every coefficient towards zero; hard keeps or kills.
    wavelet : str
        PyWavelets wavelet name.

    Returns
    -------
    (M, N[, 3]) ndarray
        Denoised image, same shape and dtype.

    References
    ----------
    .. [1] S. G. Chang, B. Yu, M. Vetterli, 'Adaptive wavelet thresholding for
       image denoising and compression', IEEE TIP 9(9), 2000.
    .. [2] D. L. Donoho, I. M. Johnstone, 'Ideal spatial adaptation by wavelet
       shrinkage', Biometrika 81(3), 1994.
    """
    img = to_float(image)
    axis = _channel_axis(img)
    out = restoration.denoise_wavelet(
        img, wavelet=wavelet, mode=mode, method=method, rescale_sigma=True,
        convert2ycbcr=axis is not None, channel_axis=axis,
    )
    return like_input(out, image)


def cv2_nl_means(image, *, h=20.0, template_window=7, search_window=21):
    """OpenCV's fast non-local means (8-bit).

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1]. Non-8-bit images
        are converted to 8 bits and back.
    h : float
        Filter strength on the 0-255 scale (about the noise sigma).
    template_window : int
        Side of the patches compared, in pixels (odd).
    search_window : int
        Side of the search area, in pixels (odd).

    Returns
    -------
    image : (M, N[, 3]) ndarray
        Denoised image, same shape and dtype.
    extras : dict
        ``note`` when the image was converted to 8 bits.

    References
    ----------
    .. [1] A. Buades, B. Coll, J.-M. Morel, 'Non-local means denoising',
       Image Processing On Line 1, 2011.
    """
    tw = int(template_window) | 1
    sw = int(search_window) | 1
    img8 = np.ascontiguousarray(to_uint8(image))
    if img8.ndim == 2:
        out8 = cv2.fastNlMeansDenoising(img8, None, float(h), tw, sw)
    else:
        bgr = cv2.cvtColor(img8, cv2.COLOR_RGB2BGR)
        out8 = cv2.cvtColor(
            cv2.fastNlMeansDenoisingColored(bgr, None, float(h), float(h), tw, sw),
            cv2.COLOR_BGR2RGB,
        )
    if image.dtype == np.uint8:
        return out8, {}
    return like_input(out8.astype(np.float64) / 255.0, image), {"note": _EIGHT_BIT_NOTE}


_REFS_NLM = (
    "A. Buades, B. Coll, J.-M. Morel, 'A non-local algorithm for image denoising', CVPR 2005.",
    "J. Darbon, A. Cunha, T. F. Chan, S. Osher, G. J. Jensen, 'Fast nonlocal filtering applied "
    "to electron cryomicroscopy', ISBI 2008.",
)

register(Method(
    id="gaussian", task="restore", family="denoise", label="Gaussian blur",
    func=gaussian,
    params=(
        Param("sigma", "float", 1.5, min=0.1, max=20.0, step=0.1, unit="px",
              help="How wide the blur is, in pixels. Bigger removes more noise but blurs edges more."),
    ),
    explain=(
        "Each pixel is replaced by a weighted average of its neighbours, nearer ones counting more. "
        "It removes fine grain noise quickly and is the baseline every other denoiser is compared with. "
        "It blurs edges and fine detail just as much as the noise, so the image looks soft."
    ),
    references=("R. C. Gonzalez, R. E. Woods, 'Digital Image Processing', 4th ed., Pearson, 2018, ch. 3.",),
    live=True,
))

register(Method(
    id="median", task="restore", family="denoise", label="Median filter",
    func=median,
    params=(
        Param("size", "int", 3, min=1, max=31, step=2, unit="px",
              help="Width of the square window in pixels (odd; an even value is rounded up)."),
    ),
    explain=(
        "Each pixel becomes the middle value of its window, so isolated outliers simply disappear. "
        "It is the best simple filter for salt-and-pepper noise (dead or hot pixels, dust specks) and "
        "keeps straight edges sharp. Large windows round off corners and wipe out thin lines; "
        "it does little against fine Gaussian grain."
    ),
    references=(
        "J. W. Tukey, 'Exploratory Data Analysis', Addison-Wesley, 1977.",
        "T. Huang, G. Yang, G. Tang, 'A fast two-dimensional median filtering algorithm', "
        "IEEE Trans. ASSP 27(1), 1979.",
    ),
    live=True,
))

register(Method(
    id="bilateral", task="restore", family="denoise", label="Bilateral filter",
    func=bilateral,
    params=(
        Param("d", "int", 9, min=1, max=31, step=1, unit="px",
              help="Diameter of the neighbourhood in pixels. Bigger is slower and smooths more."),
        Param("sigma_color", "float", 50.0, min=1.0, max=255.0, step=1.0,
              help="How different two grey levels (0-255) may be and still be averaged. "
                   "Small keeps more edges; large behaves like a plain blur."),
        Param("sigma_space", "float", 5.0, min=0.5, max=50.0, step=0.5, unit="px",
              help="How far away, in pixels, neighbours still count."),
    ),
    explain=(
        "Like a blur, but a neighbour only counts if its colour is close to the centre pixel's, "
        "so smoothing stops at edges. It works well for moderate noise on images with clear "
        "boundaries. Strong noise survives as blotches, and textures turn into flat, cartoon-like patches."
    ),
    references=("C. Tomasi, R. Manduchi, 'Bilateral filtering for gray and color images', ICCV 1998.",),
    live=False,
))

register(Method(
    id="nl_means", task="restore", family="denoise", label="Non-local means",
    func=nl_means,
    params=(
        Param("h_factor", "float", 0.6, min=0.1, max=3.0, step=0.05,
              help="Strength, as a multiple of the noise level measured in the image. "
                   "About 0.6 is a good start; bigger smooths more."),
        Param("patch_size", "int", 5, min=3, max=15, step=1, unit="px",
              help="Size of the small squares that are compared to find similar places."),
        Param("patch_distance", "int", 6, min=1, max=30, step=1, unit="px",
              help="How far around each pixel to look for similar squares. Bigger is slower."),
        Param("fast_mode", "bool", True,
              help="Use the faster approximation (almost the same result)."),
    ),
    explain=(
        "Each pixel is averaged with pixels whose surroundings look alike, even if they are far apart, "
        "so repeated textures and edges help clean each other. The noise level is measured from the image "
        "automatically. It is one of the best classic denoisers for Gaussian noise, but slow, and on very "
        "strong noise it paints smooth, waxy areas."
    ),
    references=_REFS_NLM + (
        "D. L. Donoho, I. M. Johnstone, 'Ideal spatial adaptation by wavelet shrinkage', "
        "Biometrika 81(3), 1994 (noise estimate).",
    ),
    live=False,
))

register(Method(
    id="tv_chambolle", task="restore", family="denoise", label="Total variation (Chambolle)",
    func=tv_chambolle,
    params=(
        Param("weight", "float", 0.07, min=0.001, max=1.0, step=0.005,
              help="Strength: bigger removes more noise and makes flatter, cartoon-like areas."),
    ),
    explain=(
        "Finds an image close to the input whose total amount of change is small: flat areas are "
        "flattened while sharp edges are allowed to stay. It works well on images made of smooth regions "
        "with crisp edges. It wipes out fine texture and makes gentle gradients look stair-stepped."
    ),
    references=(
        "A. Chambolle, 'An algorithm for total variation minimization and applications', "
        "J. Math. Imaging Vis. 20, 2004.",
        "L. Rudin, S. Osher, E. Fatemi, 'Nonlinear total variation based noise removal algorithms', "
        "Physica D 60, 1992.",
    ),
    live=False,
))

register(Method(
    id="tv_bregman", task="restore", family="denoise", label="Total variation (split Bregman)",
    func=tv_bregman,
    params=(
        Param("weight", "float", 8.0, min=0.5, max=100.0, step=0.5,
              help="How closely the result must stay to the input: SMALLER removes more noise."),
    ),
    explain=(
        "The same total-variation idea as Chambolle's method (keep edges, flatten the rest), solved "
        "with another algorithm. Note the weight works the other way round: smaller means smoother. "
        "Like all total-variation methods it removes fine texture and turns soft gradients into steps."
    ),
    references=(
        "T. Goldstein, S. Osher, 'The split Bregman method for L1-regularized problems', "
        "SIAM J. Imaging Sci. 2(2), 2009.",
    ),
    live=False,
))

register(Method(
    id="wavelet", task="restore", family="denoise", label="Wavelet shrinkage",
    func=wavelet,
    params=(
        Param("method", "choice", "BayesShrink", choices=("BayesShrink", "VisuShrink"),
              help="How the cut-off is chosen: BayesShrink adapts to each detail scale (keeps more "
                   "detail); VisuShrink uses one cut-off (smoother)."),
        Param("mode", "choice", "soft", choices=("soft", "hard"),
              help="Soft shrinks all small details a little; hard keeps or removes each one entirely."),
        Param("wavelet", "choice", "db2", choices=("db1", "db2", "db4", "sym4", "sym8", "coif1", "bior1.3"),
              help="The wavelet shape used to split the image into details."),
    ),
    explain=(
        "The image is split into details of different sizes; noise shows up as many small details, "
        "which are shrunk or removed before the image is put back together. The noise level is measured "
        "automatically. It is fast and works well on natural photos; at strong noise it leaves blocky "
        "or ringing artefacts near edges."
    ),
    references=(
        "S. G. Chang, B. Yu, M. Vetterli, 'Adaptive wavelet thresholding for image denoising and "
        "compression', IEEE Trans. Image Process. 9(9), 2000.",
        "D. L. Donoho, I. M. Johnstone, 'Ideal spatial adaptation by wavelet shrinkage', "
        "Biometrika 81(3), 1994.",
    ),
    live=False,
))

register(Method(
    id="cv2_nl_means", task="restore", family="denoise", label="Non-local means (OpenCV)",
    func=cv2_nl_means,
    params=(
        Param("h", "float", 20.0, min=1.0, max=60.0, step=0.5,
              help="Strength on the 0-255 scale; about 20 suits clearly noisy photos (noise sigma near 25). Bigger removes more "
                   "noise and more detail."),
        Param("template_window", "int", 7, min=3, max=21, step=2, unit="px",
              help="Size of the squares compared (odd)."),
        Param("search_window", "int", 21, min=3, max=51, step=2, unit="px",
              help="Size of the area searched for similar squares (odd). Bigger is slower."),
    ),
    explain=(
        "OpenCV's fast version of non-local means: each pixel is averaged with pixels whose "
        "surroundings look alike. It is much faster than the scikit-image version and handles colour "
        "noise well. It works on 8-bit images only, so 16-bit images lose precision, and too large a "
        "strength erases fine texture."
    ),
    references=(
        "A. Buades, B. Coll, J.-M. Morel, 'Non-local means denoising', Image Processing On Line 1, 2011.",
    ),
    live=False,
))
