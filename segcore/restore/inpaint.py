"""Inpainting: fill the pixels under a mask from their surroundings.

Every function is ``func(image, *, mask, ...)``: ``mask`` is a boolean (H, W)
array, True where the pixels are damaged and must be filled. The image is grey
(H, W) or colour (H, W, 3) of uint8, uint16 or float in [0, 1]; the result has
the same shape and dtype, and the pixels outside the mask are unchanged.
"""
from __future__ import annotations

import cv2
import numpy as np
from skimage import restoration

from segcore._common import like_input, to_float
from segcore.registry import Method, Param, register

__all__ = ["inpaint_telea", "inpaint_ns", "inpaint_biharmonic"]

_U16 = np.zeros(1, dtype=np.uint16)  # dtype template for like_input


def _check_mask(image, mask):
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != image.shape[:2]:
        raise ValueError(
            f"The mask is {mask.shape[::-1]} (width, height) but the image is "
            f"{image.shape[1::-1]}; draw or load a mask of the image's size."
        )
    return mask


def _cv2_inpaint(image, mask, radius, flag):
    """cv2.inpaint for any dtype and channel count, without losing precision.

    OpenCV accepts 8-bit images with 1 or 3 channels and 16-bit single-channel
    images (float32 too, but Telea rounds it to whole numbers). uint8 images go
    in as they are; uint16 and float images are inpainted channel by channel as
    CV_16UC1 (float through a 16-bit copy: 1/65535 precision inside the holes).
    Pixels outside the mask are always returned exactly as they were.
    """
    mask = _check_mask(image, mask)
    if not mask.any():
        return image.copy()
    mask8 = mask.astype(np.uint8)
    keep = ~mask if image.ndim == 2 else ~mask[..., None]
    if image.dtype == np.uint8:
        out = cv2.inpaint(np.ascontiguousarray(image), mask8, float(radius), flag)
        return np.where(keep, image, out)
    # uint16 goes in as it is; float goes in as 16-bit too (OpenCV's Telea rounds
    # float32 values to whole numbers, which breaks images in [0, 1]).
    work = image if image.dtype == np.uint16 else like_input(to_float(image), _U16)
    if work.ndim == 2:
        out = cv2.inpaint(np.ascontiguousarray(work), mask8, float(radius), flag)
    else:
        out = np.stack(
            [cv2.inpaint(np.ascontiguousarray(work[..., c]), mask8, float(radius), flag)
             for c in range(work.shape[2])],
            axis=-1,
        )
    if image.dtype != np.uint16:
        out = like_input(out / 65535.0, image)
    return np.where(keep, image, out)  # known pixels exactly as they were


def inpaint_telea(image, *, mask, radius=3):
    """Fast-marching inpainting (Telea): fill from the border of the hole inwards.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    mask : (M, N) ndarray of bool
        True where pixels must be filled.
    radius : int
        Radius (pixels) of the neighbourhood used to fill each pixel.

    Returns
    -------
    (M, N[, 3]) ndarray
        Inpainted image, same shape and dtype.

    References
    ----------
    .. [1] A. Telea, 'An image inpainting technique based on the fast marching
       method', J. Graphics Tools 9(1), 2004.
    """
    return _cv2_inpaint(image, mask, radius, cv2.INPAINT_TELEA)


def inpaint_ns(image, *, mask, radius=3):
    """Navier-Stokes inpainting: continue the image's level lines into the hole.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    mask : (M, N) ndarray of bool
        True where pixels must be filled.
    radius : int
        Radius (pixels) of the neighbourhood used to fill each pixel.

    Returns
    -------
    (M, N[, 3]) ndarray
        Inpainted image, same shape and dtype.

    References
    ----------
    .. [1] M. Bertalmio, A. L. Bertozzi, G. Sapiro, 'Navier-Stokes, fluid
       dynamics, and image and video inpainting', CVPR 2001.
    """
    return _cv2_inpaint(image, mask, radius, cv2.INPAINT_NS)


def inpaint_biharmonic(image, *, mask):
    """Biharmonic inpainting: the smoothest surface that matches the hole's border.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Grey or RGB image, uint8, uint16 or float in [0, 1].
    mask : (M, N) ndarray of bool
        True where pixels must be filled.

    Returns
    -------
    (M, N[, 3]) ndarray
        Inpainted image, same shape and dtype.

    References
    ----------
    .. [1] S. B. Damelin, N. S. Hoang, 'On surface completion and image
       inpainting by biharmonic functions: numerical aspects', Int. J. Math.
       Math. Sci., 2018.
    """
    mask = _check_mask(image, mask)
    if not mask.any():
        return image.copy()
    img = to_float(image)
    out = restoration.inpaint_biharmonic(
        img, mask, split_into_regions=True, channel_axis=-1 if img.ndim == 3 else None
    )
    keep = ~mask if img.ndim == 2 else ~mask[..., None]
    return np.where(keep, image, like_input(out, image))


_RADIUS = Param(
    "radius", "int", 3, min=1, max=30, step=1, unit="px",
    help="How far around each missing pixel (in pixels) the known pixels are looked at.",
)

register(Method(
    id="inpaint_telea", task="restore", family="inpaint", label="Inpaint (Telea)",
    func=inpaint_telea, params=(_RADIUS,), needs_mask=True,
    explain=(
        "Fills the masked pixels from the edge of the hole inwards, each new pixel being a weighted "
        "average of the known pixels around it. It is very fast and works well for thin scratches, "
        "text and small specks. Large holes come out blurry and smeared, because no texture is copied in."
    ),
    references=("A. Telea, 'An image inpainting technique based on the fast marching method', "
                "J. Graphics Tools 9(1), 2004.",),
    live=True,
))

register(Method(
    id="inpaint_ns", task="restore", family="inpaint", label="Inpaint (Navier-Stokes)",
    func=inpaint_ns, params=(_RADIUS,), needs_mask=True,
    explain=(
        "Continues the lines of equal brightness that run into the hole, the way a fluid flows, "
        "so edges crossing a scratch tend to join up. It suits thin scratches and small damage. "
        "Like every diffusion method it cannot invent texture, so big holes look smooth and blurry."
    ),
    references=("M. Bertalmio, A. L. Bertozzi, G. Sapiro, 'Navier-Stokes, fluid dynamics, and image "
                "and video inpainting', CVPR 2001.",),
    live=True,
))

register(Method(
    id="inpaint_biharmonic", task="restore", family="inpaint", label="Inpaint (biharmonic)",
    func=inpaint_biharmonic, params=(), needs_mask=True,
    explain=(
        "Fills each hole with the smoothest surface that joins the known pixels around it, "
        "matching both their values and their slopes. It gives the most natural result of the "
        "classic methods on scratches and small holes in photos. It is slower, and large holes "
        "become smooth blobs without texture."
    ),
    references=("S. B. Damelin, N. S. Hoang, 'On surface completion and image inpainting by "
                "biharmonic functions: numerical aspects', Int. J. Math. Math. Sci., 2018.",),
    live=False,
))
