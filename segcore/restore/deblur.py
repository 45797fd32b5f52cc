"""Deblurring (deconvolution) with a known blur kernel (point spread function).

:func:`make_psf` builds the kernel (Gaussian, disk or motion) used by all three
methods; :mod:`segcore.degrade` can import it to blur images with exactly the
same kernel. Images are grey (H, W) or colour (H, W, 3) of uint8, uint16 or
float in [0, 1]; the result has the same shape and dtype. The image is padded
by mirroring (three kernel widths, up to a size that is fast for the FFT)
before deconvolution, which removes most of the ringing at the borders, and
colour channels are restored one by one.
"""
from __future__ import annotations

import cv2
import numpy as np
from skimage import restoration

from segcore._common import like_input, to_float
from segcore.registry import Method, Param, register

__all__ = ["make_psf", "wiener", "unsupervised_wiener", "richardson_lucy"]

PSF_KINDS = ("gaussian", "disk", "motion")


def make_psf(kind="gaussian", size=2.0, length=15, angle=0.0):
    """Blur kernel (point spread function) that sums to 1.

    Parameters
    ----------
    kind : {"gaussian", "disk", "motion"}
        Out-of-focus-like Gaussian, defocus disk, or straight camera motion.
    size : float
        Gaussian: standard deviation in pixels. Disk: radius in pixels.
        Ignored for motion.
    length : float
        Motion: length of the streak in pixels. Ignored otherwise.
    angle : float
        Motion: direction in degrees, counter-clockwise from the x axis
        (0 = horizontal). Ignored otherwise.

    Returns
    -------
    psf : (K, K) ndarray of float64
        Odd-sized, centred, non-negative, sums to 1.
    """
    if kind == "gaussian":
        sigma = max(float(size), 1e-3)
        half = max(1, int(np.ceil(3.0 * sigma)))
        g = cv2.getGaussianKernel(2 * half + 1, sigma, cv2.CV_64F)
        psf = g @ g.T
    elif kind == "disk":
        radius = max(float(size), 0.5)
        half = int(np.ceil(radius))
        yy, xx = np.mgrid[-half:half + 1, -half:half + 1]
        psf = (xx**2 + yy**2 <= radius**2 + 1e-9).astype(np.float64)
    elif kind == "motion":
        length = max(float(length), 1.0)
        half = int(np.ceil(length / 2.0)) + 1
        k = 2 * half + 1
        line = np.zeros((k, k), np.float64)
        # a horizontal segment of the requested length, with fractional ends
        xs = np.arange(k) - half
        line[half] = np.clip(length / 2.0 + 0.5 - np.abs(xs), 0.0, 1.0)
        rot = cv2.getRotationMatrix2D((float(half), float(half)), float(angle), 1.0)
        psf = cv2.warpAffine(line, rot, (k, k), flags=cv2.INTER_LINEAR)
        psf = np.clip(psf, 0.0, None)
    else:
        raise ValueError(f"Unknown PSF kind {kind!r}; choose one of {', '.join(PSF_KINDS)}.")
    return psf / psf.sum()


def _padded(channel, psf):
    """Mirror-pad ``channel`` by three PSF widths, up to fast FFT sizes.

    ``cv2.getOptimalDFTSize`` (products of 2, 3 and 5) plays the part of
    ``scipy.fft.next_fast_len`` with only the imports the recipe exporter allows.

    The FFT treats the image as periodic; a margin of several kernel widths
    keeps the ringing from the jump where the padded image wraps around away
    from the image (one PSF radius cost 1-5 dB on disk and motion blurs).
    """
    margin = 3 * max(psf.shape)
    h, w = channel.shape
    th = cv2.getOptimalDFTSize(h + 2 * margin)
    tw = cv2.getOptimalDFTSize(w + 2 * margin)
    top, left = margin, margin
    pad = ((top, th - h - top), (left, tw - w - left))
    return np.pad(channel, pad, mode="symmetric"), (slice(top, top + h), slice(left, left + w))


def _channels(img):
    """The image's channels as a list of 2-D arrays."""
    return [img] if img.ndim == 2 else [img[..., c] for c in range(img.shape[2])]


def _join(channels, like):
    return channels[0] if like.ndim == 2 else np.stack(channels, axis=-1)


def _wiener_channel(channel, psf, balance):
    padded, crop = _padded(channel, psf)
    return restoration.wiener(padded, psf, float(balance), clip=False)[crop]


def _unsupervised_channel(channel, psf):
    padded, crop = _padded(channel, psf)
    out, _ = restoration.unsupervised_wiener(padded, psf, clip=False, rng=0)
    return out[crop]


def _rl_channel(channel, psf, num_iter):
    padded, crop = _padded(channel, psf)
    return restoration.richardson_lucy(padded, psf, num_iter=int(num_iter), clip=False)[crop]


def wiener(image, *, psf="gaussian", psf_size=2.0, motion_length=15, motion_angle=0.0,
           balance=0.03):
    """Wiener deconvolution with a known PSF and a fixed regularisation.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    psf : {"gaussian", "disk", "motion"}
        Shape of the blur (see :func:`make_psf`).
    psf_size : float
        Gaussian sigma or disk radius, in pixels.
    motion_length : int
        Length of a motion blur in pixels.
    motion_angle : float
        Direction of a motion blur in degrees.
    balance : float
        Regularisation: larger suppresses noise and ringing but restores less.

    Returns
    -------
    image : (M, N[, 3]) ndarray
        Restored image, same shape and dtype.
    extras : dict
        ``psf``: the kernel used.

    References
    ----------
    .. [1] N. Wiener, *Extrapolation, Interpolation, and Smoothing of
       Stationary Time Series*, MIT Press, 1949.
    .. [2] F. Orieux, J.-F. Giovannelli, T. Rodet, 'Bayesian estimation of
       regularization and point spread function parameters for Wiener-Hunt
       deconvolution', JOSA A 27(7), 2010.
    """
    kernel = make_psf(psf, psf_size, motion_length, motion_angle)
    img = to_float(image)
    out = _join([_wiener_channel(ch, kernel, balance) for ch in _channels(img)], img)
    return like_input(np.clip(out, 0.0, 1.0), image), {"psf": kernel}


def unsupervised_wiener(image, *, psf="gaussian", psf_size=2.0, motion_length=15,
                        motion_angle=0.0):
    """Wiener-Hunt deconvolution whose regularisation is estimated from the image.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    psf : {"gaussian", "disk", "motion"}
        Shape of the blur (see :func:`make_psf`).
    psf_size : float
        Gaussian sigma or disk radius, in pixels.
    motion_length : int
        Length of a motion blur in pixels.
    motion_angle : float
        Direction of a motion blur in degrees.

    Returns
    -------
    image : (M, N[, 3]) ndarray
        Restored image (posterior mean; fixed random seed), same shape and dtype.
    extras : dict
        ``psf``: the kernel used.

    References
    ----------
    .. [1] F. Orieux, J.-F. Giovannelli, T. Rodet, 'Bayesian estimation of
       regularization and point spread function parameters for Wiener-Hunt
       deconvolution', JOSA A 27(7), 2010.
    """
    kernel = make_psf(psf, psf_size, motion_length, motion_angle)
    img = to_float(image)
    out = _join([_unsupervised_channel(ch, kernel) for ch in _channels(img)], img)
    return like_input(np.clip(out, 0.0, 1.0), image), {"psf": kernel}


def richardson_lucy(image, *, psf="gaussian", psf_size=2.0, motion_length=15,
                    motion_angle=0.0, num_iter=30):
    """Richardson-Lucy deconvolution (iterative, keeps values non-negative).

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    psf : {"gaussian", "disk", "motion"}
        Shape of the blur (see :func:`make_psf`).
    psf_size : float
        Gaussian sigma or disk radius, in pixels.
    motion_length : int
        Length of a motion blur in pixels.
    motion_angle : float
        Direction of a motion blur in degrees.
    num_iter : int
        Iterations: more sharpens more but amplifies noise.

    Returns
    -------
    image : (M, N[, 3]) ndarray
        Restored image, same shape and dtype.
    extras : dict
        ``psf``: the kernel used.

    References
    ----------
    .. [1] W. H. Richardson, 'Bayesian-based iterative method of image
       restoration', JOSA 62(1), 1972.
    .. [2] L. B. Lucy, 'An iterative technique for the rectification of observed
       distributions', Astron. J. 79, 1974.
    """
    kernel = make_psf(psf, psf_size, motion_length, motion_angle)
    img = to_float(image)
    out = _join([_rl_channel(ch, kernel, num_iter) for ch in _channels(img)], img)
    return like_input(np.clip(out, 0.0, 1.0), image), {"psf": kernel}


_PSF_PARAMS = (
    Param("psf", "choice", "gaussian", choices=PSF_KINDS,
          help="Shape of the blur: gaussian (soft focus), disk (lens out of focus) or "
               "motion (camera moved in a straight line)."),
    Param("psf_size", "float", 2.0, min=0.3, max=25.0, step=0.1, unit="px",
          help="Size of the blur in pixels: the spread of a gaussian blur or the radius of a disk. "
               "Not used for motion."),
    Param("motion_length", "int", 15, min=1, max=151, step=1, unit="px",
          help="For motion blur: how long the streak is, in pixels."),
    Param("motion_angle", "float", 0.0, min=-180.0, max=180.0, step=1.0,
          help="For motion blur: its direction in degrees (0 = left-right, 90 = up-down)."),
)

register(Method(
    id="wiener", task="restore", family="deblur", label="Wiener deconvolution",
    func=wiener,
    params=_PSF_PARAMS + (
        Param("balance", "float", 0.03, min=0.0001, max=1.0, step=0.001,
              help="Trade-off between sharpness and noise: bigger gives a calmer but softer result."),
    ),
    explain=(
        "If you know how the image was blurred, Wiener deconvolution undoes that blur in one step, "
        "holding back where noise would be amplified. It works well when the blur shape and size "
        "are right and the noise is low. A wrong blur size, or strong noise, gives ripples (ringing) "
        "around edges and grainy artefacts."
    ),
    references=(
        "N. Wiener, 'Extrapolation, Interpolation, and Smoothing of Stationary Time Series', MIT Press, 1949.",
        "F. Orieux, J.-F. Giovannelli, T. Rodet, 'Bayesian estimation of regularization and point spread "
        "function parameters for Wiener-Hunt deconvolution', JOSA A 27(7), 2010.",
    ),
    live=False,
))

register(Method(
    id="unsupervised_wiener", task="restore", family="deblur", label="Unsupervised Wiener",
    func=unsupervised_wiener,
    params=_PSF_PARAMS,
    explain=(
        "The same idea as Wiener deconvolution, but the sharpness-versus-noise balance is estimated "
        "from the image itself by a statistical sampler (with a fixed seed, so it is repeatable). "
        "It saves you tuning that slider. It is slower, and it still needs the right blur shape and size."
    ),
    references=(
        "F. Orieux, J.-F. Giovannelli, T. Rodet, 'Bayesian estimation of regularization and point spread "
        "function parameters for Wiener-Hunt deconvolution', JOSA A 27(7), 2010.",
    ),
    live=False,
))

register(Method(
    id="richardson_lucy", task="restore", family="deblur", label="Richardson-Lucy",
    func=richardson_lucy,
    params=_PSF_PARAMS + (
        Param("num_iter", "int", 30, min=1, max=300, step=1,
              help="Number of improvement rounds. More rounds sharpen more but also bring out noise."),
    ),
    explain=(
        "Improves the image step by step so that, blurred with the known blur, it matches what was "
        "observed; the values never go negative. It is the classic method for microscopy and astronomy "
        "photos. Too many rounds amplify noise and create halos; the blur must be known."
    ),
    references=(
        "W. H. Richardson, 'Bayesian-based iterative method of image restoration', JOSA 62(1), 1972.",
        "L. B. Lucy, 'An iterative technique for the rectification of observed distributions', "
        "Astron. J. 79, 1974.",
    ),
    live=False,
))
