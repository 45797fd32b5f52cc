"""The one place where pages call segcore, through bounded caches.

Caches are keyed explicitly: arrays go in ``_``-prefixed (unhashed) arguments
and a digest of them goes in a hashed one, because hashing big arrays by
sampling gave stale hits (see DESIGN.md). Every cache has ``max_entries`` and
``ttl``. ``cache_resource`` (no copy) holds the big full-resolution objects;
``cache_data`` (a copy per hit) the small preview-size results.
"""
from __future__ import annotations

import base64
import hashlib

import cv2
import numpy as np
import streamlit as st

import segcore

__all__ = [
    "array_digest",
    "compare",
    "data_uri",
    "degrade",
    "display_rgb",
    "iou_dice",
    "jpeg",
    "label_count",
    "load_bytes",
    "load_sample",
    "noise_sigma",
    "overlay_jpeg",
    "png",
    "postprocess",
    "postprocess_plain",
    "preview",
    "quality",
    "region_map_figure",
    "region_stats",
    "restore",
    "restore_plain",
    "sample_thumbnails",
    "scale_params",
    "segment",
    "thresholds",
    "truth_preview",
    "tune",
]

TTL = 3600  # seconds


def array_digest(array) -> str:
    """sha1 of an array's shape, dtype and bytes (for masks and label maps)."""
    if array is None:
        return ""
    array = np.ascontiguousarray(array)
    h = hashlib.sha1(f"{array.shape}{array.dtype}".encode())
    h.update(np.packbits(array) if array.dtype == bool else array.tobytes())
    return h.hexdigest()


def data_uri(jpeg_bytes: bytes) -> str:
    """``data:image/jpeg;base64,...`` for ``st.image``: the picture travels in the page
    message, so a quick rerun never leaves the browser fetching a media URL that the next
    rerun has already dropped (a 404), and no extra HTTP round trip per step."""
    return "data:image/jpeg;base64," + base64.b64encode(jpeg_bytes).decode("ascii")


# --- intake -----------------------------------------------------------------

@st.cache_resource(max_entries=4, ttl=TTL, show_spinner="Decoding the image…")
def load_bytes(_data: bytes, data_digest: str, name: str):
    """Decode an upload (raises segcore.io.ImageError with a user-facing message)."""
    import io as _io

    buffer = _io.BytesIO(_data)
    buffer.name = name
    return segcore.io.load_image(buffer)


@st.cache_resource(max_entries=8, ttl=TTL, show_spinner="Loading the sample…")
def load_sample(sample_id: str):
    return segcore.samples.load_sample(sample_id)


@st.cache_resource(max_entries=8, ttl=TTL, show_spinner=False)
def preview(_image, digest: str, max_side: int = 1200):
    """``(preview, scale)``: the image shrunk so its long side is at most ``max_side``."""
    return segcore.io.make_preview(_image, max_side=max_side)


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def jpeg(_image, key: str, max_side: int = 1200, quality: int = 85) -> bytes:
    """JPEG bytes of a downscaled copy: what goes to the browser."""
    return segcore.io.to_jpeg_bytes(_image, quality=quality, max_side=max_side)


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def png(_array, key: str) -> bytes:
    """PNG bytes (16-bit kept, bool masks 0/255, labels uint16): for masks and downloads."""
    return segcore.io.to_png_bytes(_array)


@st.cache_resource(max_entries=8, ttl=TTL, show_spinner=False)
def display_rgb(_image, key: str, max_side: int = 900):
    """The image as uint8 RGB, long side at most ``max_side`` (the base of every overlay)."""
    figures = segcore.figures
    rgb = segcore.io.to_display_uint8(figures.preview(_image, max_side))
    if rgb.ndim == 2:
        rgb = cv2.cvtColor(rgb, cv2.COLOR_GRAY2RGB)
    return np.ascontiguousarray(rgb[..., :3])


@st.cache_data(max_entries=24, ttl=TTL, show_spinner=False)
def overlay_jpeg(_image, _labels, key: str, opacity: float = 0.45, mode: str = "fill",
                 max_side: int = 900, image_key: str = "") -> bytes:
    """JPEG of the labels coloured over a downscaled copy of the image (what the browser gets).

    Same colours as ``segcore.figures.overlay_image``; the fill blend is done with
    OpenCV on uint8 (about 5x faster than the float blend at 900 px).
    """
    figures = segcore.figures
    rgb = display_rgb(_image, image_key or key.split("|", 1)[0], max_side)
    labels = np.asarray(_labels)
    small = figures.preview(labels, max_side, labels=True)
    if small.shape != rgb.shape[:2]:  # rounding of another size: follow the image
        small = cv2.resize(small.astype(np.int32), rgb.shape[1::-1], interpolation=cv2.INTER_NEAREST)
    if mode != "fill" or small.dtype == bool or (small.size and small.min() < 0):
        return segcore.io.to_jpeg_bytes(figures.overlay_image(rgb, small, opacity, mode), quality=85)
    n = int(small.max()) + 1 if small.size else 1
    colours = figures.label_colors(n)
    if n <= 256:  # a lookup table per channel (OpenCV) instead of a fancy-index gather
        table = np.zeros((256, 3), np.uint8)
        table[:n] = colours
        index = small.astype(np.uint8)
        painted = cv2.merge([cv2.LUT(index, np.ascontiguousarray(table[:, c])) for c in range(3)])
    else:
        painted = colours[small.astype(np.intp, copy=False)]
    blended = cv2.addWeighted(rgb, 1.0 - float(opacity), painted, float(opacity), 0.0)
    out = rgb.copy()
    np.copyto(out, blended, where=(small > 0)[..., None])
    return segcore.io.to_jpeg_bytes(out, quality=85)


@st.cache_resource(max_entries=4, ttl=TTL, show_spinner=False)
def truth_preview(_truth, key: str, max_side: int = 1200):
    """The full-resolution truth mask brought to preview size (bool)."""
    small, _ = segcore.io.make_preview(np.asarray(_truth).astype(np.uint8) * 255, max_side=max_side)
    return small > 127


@st.cache_data(max_entries=64, ttl=TTL, show_spinner=False)
def label_count(_labels, key: str) -> int:
    """Number of distinct labels (background included)."""
    labels = np.asarray(_labels)
    if labels.dtype == bool or (labels.size and labels.min() >= 0):
        return np.count_nonzero(np.bincount(labels.ravel().astype(np.intp, copy=False)))
    return int(len(np.unique(labels)))


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def iou_dice(_labels, _truth, key: str) -> tuple[float, float]:
    fg = np.asarray(_labels) > 0
    return float(segcore.metrics.iou(fg, _truth)), float(segcore.metrics.dice(fg, _truth))


@st.cache_resource(max_entries=8, ttl=TTL, show_spinner=False)
def region_map_figure(_image, _labels, key: str):
    """The region-map figure (built once per result; not copied)."""
    return segcore.figures.region_map_figure(_image, _labels)


@st.cache_resource(max_entries=1, ttl=24 * TTL, show_spinner="Preparing the samples…")
def sample_thumbnails(side: int = 240) -> dict:
    """``{sample id: JPEG bytes or error message}`` of every bundled sample, built once.

    The full-size samples are not kept: one is loaded when it is clicked.
    """
    out = {}
    for sample_id in segcore.samples.SAMPLES:
        try:
            image = segcore.samples.load_sample(sample_id).image
        except ValueError as err:
            out[sample_id] = str(err)
            continue
        small, _ = segcore.io.make_preview(image, max_side=side)
        out[sample_id] = segcore.io.to_jpeg_bytes(small, quality=80)
    return out


# --- segmentation -----------------------------------------------------------

def scale_params(method, params: dict, scale: float) -> dict:
    """Lengths (``unit="px"``) and areas (``"px2"``) declared at full resolution, scaled
    to an image ``scale`` times the full size, clipped to the declared range."""
    if scale == 1.0:
        return dict(params)
    out = dict(params)
    for p in method.params:
        factor = {"px": scale, "px2": scale * scale}.get(p.unit)
        if factor is None or p.name not in out:
            continue
        value = out[p.name] * factor
        if p.min is not None:
            value = max(value, p.min)
        if p.max is not None:
            value = min(value, p.max)
        out[p.name] = int(round(value)) if p.kind == "int" else float(value)
    return out


# cache_resource: the result is shared, not copied (no pickling of the labels on every
# rerun). Callers never modify it. 8 entries: a 1200x1200 label map is 5.8 MB, and the
# cache is shared by every session (RSS stays flat after a few uploads).
@st.cache_resource(max_entries=8, ttl=TTL, show_spinner=False)
def segment(_image, image_key: str, method_id: str, params: dict, scale: float = 1.0):
    """``segcore.apply`` of a segment method; ``image_key`` names the pixels."""
    method = segcore.get(method_id)
    return segcore.apply(method_id, _image, **scale_params(method, params, scale))


@st.cache_resource(max_entries=8, ttl=TTL, show_spinner=False)
def postprocess(_labels, labels_key: str, steps: tuple, scale: float = 1.0):
    """Apply ``steps`` ``((method_id, params), ...)`` of post-processing to labels."""
    return postprocess_plain(_labels, steps, scale)


def postprocess_plain(labels, steps, scale: float = 1.0):
    """:func:`postprocess` without the cache (for background jobs)."""
    for method_id, params in steps:
        method = segcore.get(method_id)
        labels = segcore.apply(method_id, labels, **scale_params(method, dict(params), scale)).labels
    return labels


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def thresholds(_image, image_key: str, channel: str = "gray") -> dict:
    from segcore.segment.threshold import all_thresholds

    return all_thresholds(_image, channel)


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def region_stats(_labels, _image, key: str):
    return segcore.metrics.region_stats(_labels, _image)


# --- restoration ------------------------------------------------------------

@st.cache_data(max_entries=24, ttl=TTL, show_spinner=False)
def restore(_image, image_key: str, method_id: str, params: dict, guide: str = "none",
            _mask=None, _labels=None, seg_key: str = "", guide_params: dict | None = None,
            scale: float = 1.0):
    """:func:`restore_plain`, cached by ``image_key``, the settings and ``seg_key``."""
    return restore_plain(_image, method_id, params, guide, _mask, _labels, guide_params, scale)


def restore_plain(_image, method_id: str, params: dict, guide: str = "none", _mask=None, _labels=None,
                  guide_params: dict | None = None, scale: float = 1.0):
    """Run a restore method, driven by the segmentation as ``guide`` says.

    guide: ``none`` (whole image), ``inside``/``outside`` (only inside the mask or
    its complement), ``inpaint_mask`` (inpaint the segmentation mask), ``detect``
    (detect damage, then inpaint it), ``per_region`` (strength per region),
    ``edge_aware`` (no smoothing across region boundaries).
    Returns ``(restored_image, mask_used_or_None, seconds)``.
    """
    from segcore import guided

    method = segcore.get(method_id)
    params = scale_params(method, params, scale)
    guide_params = dict(guide_params or {})
    if guide in ("inside", "outside"):
        _need(_mask, "Restricting to the mask")
        out = guided.restrict(_image, _mask, method_id, params, invert=guide == "outside",
                              feather=float(guide_params.get("feather", 3.0)) * scale)
        region = _mask if guide == "inside" else ~_mask
        out = (out.image, region, out.seconds)
    elif guide == "inpaint_mask":
        _need(_mask, "Inpainting the segmentation")
        out = segcore.apply(method_id, _image, mask=_mask, **params)
        out = (out.image, _mask, out.seconds)
    elif guide == "detect":
        detector = guide_params.get("detector", "detect_scratches")
        detector_params = scale_params(segcore.get(detector), guide_params.get("detector_params", {}), scale)
        out = guided.detect_and_inpaint(_image, detector=detector, detector_params=detector_params,
                                        inpaint=method_id, inpaint_params=params,
                                        dilate=int(round(guide_params.get("dilate", 1) * scale)))
    elif guide == "per_region":
        _need(_labels, "Per-region restoration")
        # Background (label 0) gets the chosen settings; objects a weaker (or stronger) copy.
        plan = {0: (method_id, params)}
        objects = (method_id, _scaled_strength(method, params, guide_params.get("object_strength", 0.5)))
        out = guided.per_region(_image, _labels, plan, default=objects)
    elif guide == "edge_aware":
        _need(_labels, "Edge-aware restoration")
        out = guided.edge_aware(_image, _labels, method_id, params)
    elif guide == "none":
        out = segcore.apply(method_id, _image, **params)
    else:
        raise segcore.ParamError(f"Unknown way to use the segmentation: {guide!r}.")
    return _unpack(out)


def _scaled_strength(method, params, fraction):
    """``params`` with the first numeric parameter moved towards its minimum by ``fraction``
    (1 = unchanged, 0 = the minimum): the "strength" knob of per-region restoration."""
    out = dict(params)
    for p in method.params:
        if p.kind in ("int", "float") and p.min is not None:
            value = p.min + (params[p.name] - p.min) * float(fraction)
            out[p.name] = int(round(value)) if p.kind == "int" else float(value)
            break
    return out


def _need(array, what):
    if array is None:
        raise segcore.ParamError(f"{what} needs a segmentation: segment the image on the Segment "
                                 "page first, or choose 'whole image'.")


def _unpack(out):
    """(image, mask, seconds) from a RestoreResult, an (image, mask, seconds) tuple or an object."""
    if isinstance(out, tuple):
        image, mask, seconds = (tuple(out) + (None, 0.0))[:3]
        return _unpack(image)[0], mask, float(seconds or 0.0)
    if isinstance(out, np.ndarray):
        return out, None, 0.0
    mask = getattr(out, "mask", None)
    if mask is None and hasattr(out, "extras"):
        mask = out.extras.get("mask")
    return out.image, mask, float(getattr(out, "seconds", 0.0))


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def quality(_reference, _image, _mask, key: str) -> dict:
    return dict(segcore.metrics.quality_report(_reference, _image, mask=_mask))


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def noise_sigma(_image, key: str, side: int = 512) -> float:
    """Noise estimate on the central ``side`` x ``side`` pixels (the wavelet estimate of a
    whole 1200-px preview costs ~35 ms per rerun; noise is assumed alike everywhere)."""
    h, w = _image.shape[:2]
    y0, x0 = max(0, (h - side) // 2), max(0, (w - side) // 2)
    return float(segcore.metrics.estimate_noise_sigma(_image[y0:y0 + side, x0:x0 + side]))


@st.cache_resource(max_entries=4, ttl=TTL, show_spinner=False)
def degrade(_image, digest: str, steps: tuple, seed: int):
    """``segcore.degrade.chain`` on the full image; steps ``((name, params), ...)``."""
    return segcore.degrade.chain(_image, [(n, dict(p)) for n, p in steps], seed=seed)


@st.cache_data(max_entries=8, ttl=TTL, show_spinner=False)
def tune(_image, image_key: str, method_id: str, base_params: dict):
    """``segcore.tuning.calibrate``: the J-invariant (self-supervised) tuning curve."""
    return segcore.tuning.calibrate(_image, method_id, base_params=base_params)


@st.cache_data(max_entries=8, ttl=TTL, show_spinner=False)
def compare(_image, image_key: str, candidates: tuple, _reference=None, _mask=None):
    return segcore.tuning.compare(_image, [(m, dict(p)) for m, p in candidates],
                                  reference=_reference, mask=_mask)
