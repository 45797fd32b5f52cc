"""Segmentation-guided restoration: let a mask or label map decide where and how to restore.

Four patterns, each calling registered methods through :func:`segcore.apply`:

* :func:`detect_and_inpaint` - a damage detector's mask becomes the inpainting mask;
* :func:`restrict` - restore only inside a mask (or outside it), with a soft edge;
* :func:`per_region` - a different method or strength for each label;
* :func:`edge_aware` - filter each region on its own so smoothing never crosses a boundary.

All return a :class:`segcore.registry.RestoreResult` whose image has the
input's shape and dtype.
"""
from __future__ import annotations

import time

import cv2
import numpy as np
from scipy import ndimage as ndi

from segcore._common import like_input, to_float
from segcore.registry import ParamError, RestoreResult, apply, get

__all__ = ["detect_and_inpaint", "restrict", "per_region", "edge_aware"]


def _check_image(image):
    image = np.asarray(image)
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise ValueError(
            f"Expected a grey (H, W) or colour (H, W, 3) image, got shape {image.shape}."
        )
    return image


def _check_map(arr, image, what):
    arr = np.asarray(arr)
    if arr.shape != image.shape[:2]:
        raise ValueError(
            f"The {what} is {arr.shape[1] if arr.ndim > 1 else '?'}x{arr.shape[0]} but the image is "
            f"{image.shape[1]}x{image.shape[0]}; they must match."
        )
    return arr


def _grow(mask, px):
    if px <= 0:
        return mask
    k = 2 * int(px) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    return cv2.dilate(mask.astype(np.uint8), kernel) > 0


def _run(method_id, image, params, mask=None):
    method = get(method_id)
    if method.task != "restore":
        raise ParamError(f"Method '{method_id}' is a {method.task} method; a restore method is needed.")
    if method.needs_mask:
        if mask is None:
            raise ParamError(f"Method '{method_id}' needs a mask of the pixels to repair.")
        return apply(method_id, image, mask=mask, **(params or {}))
    return apply(method_id, image, **(params or {}))


def _soft(mask, feather):
    """Float weight in [0, 1] from a bool mask, Gaussian-feathered (exactly 0 beyond 3 sigma)."""
    w = mask.astype(np.float64)
    if feather and feather > 0:
        w = ndi.gaussian_filter(w, float(feather), truncate=3.0)
        w[w < 1e-6] = 0.0
        w[w > 1 - 1e-6] = 1.0
    return w


def _blend(image, restored, weight):
    """``weight * restored + (1 - weight) * image``; pixels with weight 0 are copied exactly."""
    a = to_float(image)
    b = to_float(restored)
    w = weight[..., None] if a.ndim == 3 else weight
    out = like_input(w * b + (1.0 - w) * a, image)
    keep = weight == 0
    out = out.copy()
    out[keep] = image[keep]
    return out


def detect_and_inpaint(image, *, detector="detect_scratches", detector_params=None,
                       inpaint="inpaint_telea", inpaint_params=None, dilate=1):
    """Find damage with a segment method, then inpaint the pixels it marks.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Damaged image, any dtype.
    detector : str
        Id of a segment method returning a mask (e.g. ``"detect_scratches"``,
        ``"detect_dust"``, ``"detect_blotches"``).
    detector_params : dict, optional
        Parameters of the detector.
    inpaint : str
        Id of a restore method with ``needs_mask`` (``"inpaint_telea"``,
        ``"inpaint_ns"``, ``"inpaint_biharmonic"``).
    inpaint_params : dict, optional
        Parameters of the inpainting method.
    dilate : int
        Grow the detected mask by this many pixels before inpainting.

    Returns
    -------
    RestoreResult
        ``image``: the repaired image (same shape and dtype);
        ``extras["mask"]``: the bool mask that was inpainted;
        ``extras["detection"]``: the detector's SegResult.

    Examples
    --------
    >>> res = detect_and_inpaint(damaged, detector="detect_scratches")
    >>> res.extras["mask"].mean()   # fraction of pixels repaired
    """
    image = _check_image(image)
    start = time.perf_counter()
    seg = apply(detector, image, **(detector_params or {}))
    if get(detector).task != "segment":
        raise ParamError(f"Method '{detector}' is not a segment method.")
    mask = _grow(seg.labels > 0, dilate)
    if mask.any():
        out = _run(inpaint, image, inpaint_params, mask=mask).image
    else:
        out = image.copy()
    params = {"detector": detector, "detector_params": dict(seg.params),
              "inpaint": inpaint, "inpaint_params": dict(inpaint_params or {}), "dilate": dilate}
    return RestoreResult(image=out, extras={"mask": mask, "detection": seg},
                         method="detect_and_inpaint", params=params,
                         seconds=time.perf_counter() - start)


def restrict(image, mask, method_id, params=None, *, invert=False, feather=3.0):
    """Apply a restoration only inside ``mask`` (or outside it), with a soft edge.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
    mask : (M, N) ndarray of bool
        Where to restore.
    method_id : str
        Id of a restore method (inpainting methods get ``mask`` as their mask).
    params : dict, optional
        Parameters of the method.
    invert : bool
        Restore outside the mask instead.
    feather : float
        Standard deviation in px of the Gaussian that softens the mask edge;
        pixels farther than ``3 * feather`` px from the (inverted) mask are
        returned unchanged, bit for bit. 0 gives a hard edge.

    Returns
    -------
    RestoreResult
        ``extras["weight"]``: the blending weight (float, 0-1).
    """
    image = _check_image(image)
    region = _check_map(mask, image, "mask").astype(bool)
    if invert:
        region = ~region
    start = time.perf_counter()
    restored = _run(method_id, image, params, mask=region)
    weight = _soft(region, feather)
    out = _blend(image, restored.image, weight)
    return RestoreResult(image=out, extras={"weight": weight}, method=f"restrict:{method_id}",
                         params={"method": method_id, "params": dict(restored.params),
                                 "invert": invert, "feather": feather},
                         seconds=time.perf_counter() - start)


def per_region(image, labels, plan, *, default=None, feather=1.0):
    """A different restoration (method and strength) for each label.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
    labels : (M, N) ndarray of int
        Label map, e.g. a segmentation result (0 = background, 1 = object).
    plan : dict of int to (str, dict)
        ``{label: (method_id, params)}``, e.g.
        ``{0: ("tv_chambolle", {"weight": 0.15}), 1: ("tv_chambolle", {"weight": 0.03})}``.
        ``(None, {})`` or a missing label (with ``default=None``) leaves that region as it is.
    default : (str, dict), optional
        Treatment of labels absent from ``plan``.
    feather : float
        Standard deviation in px of the Gaussian that softens region
        boundaries when blending the results (0: hard boundaries).

    Returns
    -------
    RestoreResult
        ``extras["plan"]``: the treatment used for each label.
    """
    image = _check_image(image)
    labels = _check_map(labels, image, "label map")
    start = time.perf_counter()
    cache = {}
    used = {}
    weights = []
    results = []
    for lab in np.unique(labels):
        lab = int(lab)
        step = plan.get(lab, default)
        method_id, params = (step if step is not None else (None, {}))
        used[lab] = (method_id, dict(params or {}))
        if method_id is None:
            restored = image
        else:
            key = (method_id, repr(sorted((params or {}).items())))
            if key not in cache:
                cache[key] = _run(method_id, image, params, mask=labels == lab).image
            restored = cache[key]
        weights.append(_soft(labels == lab, feather))
        results.append(to_float(restored))
    total = np.sum(weights, axis=0)
    total[total == 0] = 1.0
    acc = np.zeros(to_float(image).shape, np.float64)
    for w, r in zip(weights, results):
        acc += (w / total)[..., None] * r if r.ndim == 3 else (w / total) * r
    out = like_input(acc, image)
    untouched = np.isin(labels, [k for k, v in used.items() if v[0] is None])
    if feather == 0 and untouched.any():
        out = out.copy()
        out[untouched] = image[untouched]
    return RestoreResult(image=out, extras={"plan": used}, method="per_region",
                         params={"plan": used, "feather": feather},
                         seconds=time.perf_counter() - start)


def edge_aware(image, labels, method_id, params=None, *, margin=16):
    """Filter each region separately so that smoothing never crosses a boundary.

    For each region, the pixels outside it are filled with the value of the
    nearest pixel inside it (``scipy.ndimage.distance_transform_edt`` with
    ``return_indices=True``); the method runs on that filled image (cropped
    to the region's bounding box plus ``margin`` px) and only the region's
    own pixels are kept. A neighbouring region therefore never leaks in.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
    labels : (M, N) ndarray of int
        Label map; each distinct value is one region.
    method_id : str
        Id of a restore method without a mask (a denoiser, a sharpener, ...).
    params : dict, optional
        Parameters of the method.
    margin : int
        Extra pixels around each region's bounding box given to the method.

    Returns
    -------
    RestoreResult
        ``extras["n_regions"]``: how many regions were filtered.
    """
    image = _check_image(image)
    labels = _check_map(labels, image, "label map")
    if get(method_id).needs_mask:
        raise ParamError(f"edge_aware needs a method without a mask; '{method_id}' needs one.")
    start = time.perf_counter()
    _, inverse = np.unique(labels, return_inverse=True)
    lab = inverse.reshape(labels.shape).astype(np.int32) + 1
    out = image.copy()
    h, w = labels.shape
    slices = ndi.find_objects(lab)
    for k, sl in enumerate(slices, start=1):
        if sl is None:
            continue
        r0 = max(0, sl[0].start - margin)
        r1 = min(h, sl[0].stop + margin)
        c0 = max(0, sl[1].start - margin)
        c1 = min(w, sl[1].stop + margin)
        region = lab[r0:r1, c0:c1] == k
        crop = image[r0:r1, c0:c1]
        if region.all():
            filled = crop
        else:
            idx = ndi.distance_transform_edt(~region, return_distances=False, return_indices=True)
            filled = crop[idx[0], idx[1]]
        restored = apply(method_id, filled, **(params or {})).image
        target = out[r0:r1, c0:c1]
        target[region] = restored[region]
    return RestoreResult(image=out, extras={"n_regions": len(slices)},
                         method=f"edge_aware:{method_id}",
                         params={"method": method_id, "params": dict(params or {}), "margin": margin},
                         seconds=time.perf_counter() - start)
