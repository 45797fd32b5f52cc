"""Compare restorations side by side and tune a denoiser without a clean reference.

* :func:`compare` runs several ``(method_id, params)`` candidates on one image
  and returns a table (PSNR/SSIM against a reference when there is one).
* :func:`calibrate` picks a denoiser's strength by J-invariance
  (Noise2Self, :func:`skimage.restoration.calibrate_denoiser`): each pixel is
  predicted from a version of the image where that pixel was hidden, so the
  loss against the *noisy* image tracks the loss against the unknown clean
  one. It needs no clean image.

Default grids (:data:`DEFAULT_GRIDS`), on the scales the methods declare:

==================  ==============  =============================================
method              parameter       values
==================  ==============  =============================================
tv_chambolle        weight          12 values, geometric 0.01 - 0.4
tv_bregman          weight          10 values, geometric 1 - 50 (bigger = less smoothing)
nl_means            h_factor        0.3 - 1.5 step 0.15 (multiple of the estimated sigma)
cv2_nl_means        h               5 - 50 step 5 (0-255 scale)
bilateral           sigma_color     10 - 150 step 20 (0-255 scale)
gaussian            sigma           0.5 - 4 step 0.5 px
median              size            1, 3, 5, 7, 9 px
wavelet             method          BayesShrink, VisuShrink
==================  ==============  =============================================
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from skimage.restoration import calibrate_denoiser

from segcore._common import to_float
from segcore.metrics import psnr, psnr_masked, ssim, ssim_masked
from segcore.registry import ParamError, apply, get, validate_params

__all__ = ["compare", "calibrate", "Calibration", "DEFAULT_GRIDS"]

DEFAULT_GRIDS: dict[str, tuple[str, list]] = {
    "tv_chambolle": ("weight", [float(v) for v in np.round(np.geomspace(0.01, 0.4, 12), 4)]),
    "tv_bregman": ("weight", [float(v) for v in np.round(np.geomspace(1.0, 50.0, 10), 3)]),
    "nl_means": ("h_factor", [round(0.3 + 0.15 * i, 2) for i in range(9)]),
    "cv2_nl_means": ("h", [float(v) for v in range(5, 55, 5)]),
    "bilateral": ("sigma_color", [float(v) for v in range(10, 170, 20)]),
    "gaussian": ("sigma", [0.5 * i for i in range(1, 9)]),
    "median": ("size", [1, 3, 5, 7, 9]),
    "wavelet": ("method", ["BayesShrink", "VisuShrink"]),
}


def compare(image, candidates, reference=None, mask=None):
    """Run several restorations on one image and tabulate quality and run time.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        The damaged image.
    candidates : list of (str, dict)
        ``(method_id, params)`` pairs; the same method may appear with
        different parameters.
    reference : ndarray, optional
        Clean image of the same shape; enables PSNR and SSIM.
    mask : (M, N) ndarray of bool, optional
        Given to inpainting methods as their mask; with a reference, PSNR and
        SSIM are measured inside the mask only.

    Returns
    -------
    pandas.DataFrame
        Columns ``method``, ``parameters`` (the full validated parameters,
        as text), ``PSNR``, ``SSIM``, ``runtime_s``, ``rank``; sorted by
        PSNR (best first) when a reference is given, else by run time
        (fastest first). ``df.attrs["images"]`` maps the row index to the
        restored image.
    """
    image = np.asarray(image)
    rows = []
    images = {}
    for i, (method_id, params) in enumerate(candidates):
        method = get(method_id)
        if method.needs_mask:
            if mask is None:
                raise ParamError(f"Method '{method_id}' needs a mask; pass mask=.")
            res = apply(method_id, image, mask=mask, **(params or {}))
        else:
            res = apply(method_id, image, **(params or {}))
        p = q = np.nan
        if reference is not None:
            if mask is not None:
                p = psnr_masked(reference, res.image, mask)
                q = ssim_masked(reference, res.image, mask)
            else:
                p = psnr(reference, res.image)
                q = ssim(reference, res.image)
        images[i] = res.image
        rows.append({
            "method": method_id,
            "parameters": ", ".join(f"{k}={v}" for k, v in res.params.items()),
            "PSNR": p,
            "SSIM": q,
            "runtime_s": res.seconds,
        })
    df = pd.DataFrame(rows, columns=["method", "parameters", "PSNR", "SSIM", "runtime_s"])
    if reference is not None:
        df = df.sort_values("PSNR", ascending=False, kind="stable")
    else:
        df = df.sort_values("runtime_s", kind="stable")
    df["rank"] = np.arange(1, len(df) + 1)
    df.attrs["images"] = {int(k): images[k] for k in df.index}
    return df


@dataclass
class Calibration:
    """Result of :func:`calibrate`.

    Attributes
    ----------
    method : str
    param_name : str
    values : list
        The grid tried.
    losses : list of float
        J-invariant self-supervised loss for each value (lower is better);
        plot ``losses`` against ``values`` for the tuning curve.
    best_value
        The value with the lowest loss.
    best_params : dict
        Full validated parameters with ``param_name`` set to ``best_value``.
    denoised : ndarray
        The method run normally (not J-invariantly) on the image with
        ``best_params``; same shape and dtype as the input.
    """

    method: str
    param_name: str
    values: list
    losses: list
    best_value: object
    best_params: dict
    denoised: np.ndarray


def _denoise(img, *, _method_id, _base, **kw):
    return apply(_method_id, img, **{**_base, **kw}).image


def calibrate(image, method_id, param_name=None, values=None, *, base_params=None, stride=4):
    """Choose a denoiser parameter by J-invariance, without a clean image.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        The noisy image.
    method_id : str
        A restore method, e.g. ``"tv_chambolle"``.
    param_name : str, optional
        Parameter to tune; defaults to the one in :data:`DEFAULT_GRIDS`.
    values : sequence, optional
        Values to try; defaults to the grid in :data:`DEFAULT_GRIDS`.
    base_params : dict, optional
        Other parameters of the method, kept fixed.
    stride : int
        Spacing of the masking grid of
        :func:`skimage.restoration.calibrate_denoiser`.

    Returns
    -------
    Calibration

    References
    ----------
    .. [1] J. Batson and L. Royer, "Noise2Self: Blind denoising by
       self-supervision", ICML 2019.
    """
    method = get(method_id)
    if method.task != "restore" or method.needs_mask:
        raise ParamError(f"Method '{method_id}' is not a denoiser that can be calibrated.")
    if param_name is None or values is None:
        if method_id not in DEFAULT_GRIDS:
            raise ParamError(
                f"No default grid for '{method_id}'; pass param_name= and values=. "
                f"Methods with a default grid: {', '.join(DEFAULT_GRIDS)}."
            )
        d_name, d_values = DEFAULT_GRIDS[method_id]
        param_name = param_name or d_name
        values = list(values) if values is not None else d_values
    base = validate_params(method, base_params)
    base.pop(param_name, None)
    values = [method.param(param_name).validate(v) for v in values]
    img = to_float(np.asarray(image))
    _, (tested, losses) = calibrate_denoiser(
        img,
        _denoise,
        denoise_parameters={"_method_id": [method_id], "_base": [base], param_name: values},
        stride=stride,
        extra_output=True,
    )
    losses = [float(v) for v in losses]
    best = tested[int(np.argmin(losses))][param_name]
    best_params = {**base, param_name: best}
    denoised = apply(method_id, np.asarray(image), **best_params).image
    return Calibration(method_id, param_name, [t[param_name] for t in tested], losses,
                       best, validate_params(method, best_params), denoised)
