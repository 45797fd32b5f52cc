"""Session keys, named once, and their initial values.

Widget state is dropped when the user leaves a page, so everything that must
survive a page switch (image, masks, chosen methods and parameters, results)
lives in the plain keys below. Pages read them with ``st.session_state[KEY]``
and call :func:`init` first.
"""
from __future__ import annotations

import streamlit as st

__all__ = [
    "DEGRADE_SEED",
    "DEGRADE_STEPS",
    "DIGEST",
    "FORMAT",
    "IMAGE",
    "LAST_UPLOAD",
    "NAME",
    "NOTES",
    "PREVIEW",
    "PREVIEW_SIDE",
    "REFERENCE",
    "REST_APPLIED",
    "REST_COMPARE",
    "REST_FAMILY",
    "REST_FULL",
    "REST_GUIDE",
    "REST_GUIDE_PARAMS",
    "REST_METHOD",
    "REST_PARAMS",
    "REST_RESULT",
    "REST_TUNING",
    "SCALE",
    "SEG_APPLIED",
    "SEG_FAMILY",
    "SEG_FULL",
    "SEG_GRID",
    "SEG_LABELS",
    "SEG_METHOD",
    "SEG_PARAMS",
    "SEG_POST",
    "SEG_RESULT",
    "SEG_STATS_CSV",
    "SIDEBAR_SLOTS",
    "TRUTH_MASK",
    "UPLOAD_ERROR",
    "clear_results",
    "has_image",
    "init",
    "set_image",
    "show_summaries",
]


# The image (full resolution, kept once) and what we know about it.
IMAGE = "image"                  # ndarray, full resolution
DIGEST = "image_digest"          # sha1 of the decoded pixels; keys every cache
NAME = "image_name"
NOTES = "image_notes"            # list of intake notes (alpha dropped, EXIF rotated, ...)
FORMAT = "image_format"
PREVIEW = "image_preview"        # ndarray, long side <= PREVIEW_SIDE
SCALE = "image_preview_scale"    # preview size / full size
REFERENCE = "reference_image"    # clean image when the current one was degraded on purpose
TRUTH_MASK = "truth_mask"        # full-resolution bool mask of the damage, when known
UPLOAD_ERROR = "upload_error"    # last intake error message (the old image stays)
LAST_UPLOAD = "last_upload_id"   # file_id of the last processed upload, to not redo it

# Segmentation.
SEG_FAMILY = "seg_family"
SEG_METHOD = "seg_method"
SEG_PARAMS = "seg_params"        # {method_id: {param: value}}: each method keeps its own
SEG_POST = "seg_post"            # [(postprocess_id, params), ...]
SEG_RESULT = "seg_result"        # summary dict of the current segmentation (sidebar)
SEG_LABELS = "seg_labels"        # preview-size labels after post-processing
SEG_APPLIED = "seg_applied"      # {method_id: params} last applied (slow methods run on Apply)
SEG_FULL = "seg_full"            # (settings key, full-resolution labels) once computed
SEG_GRID = "seg_grid"            # {image|family: [(title, labels, seconds)]} of "Try all"
SEG_STATS_CSV = "seg_stats_csv"  # unused: the statistics CSV is made on click (kept for old sessions)

# Restoration.
REST_FAMILY = "rest_family"
REST_METHOD = "rest_method"
REST_PARAMS = "rest_params"      # {method_id: {param: value}}
REST_GUIDE = "rest_guide"        # how the segmentation drives the restoration
REST_RESULT = "rest_result"      # summary dict of the current restoration (sidebar)
REST_GUIDE_PARAMS = "rest_guide_params"  # {guide: its settings (feather, detector, ...)}
REST_APPLIED = "rest_applied"    # {(method_id, guide): settings} last applied
REST_FULL = "rest_full"          # (settings key, full-resolution restored image) once computed
REST_TUNING = "rest_tuning"      # {key: segcore.tuning.Calibration}
REST_COMPARE = "rest_compare"    # {key: comparison DataFrame}

# Degradation lab.
DEGRADE_STEPS = "degrade_steps"  # {name: params}
DEGRADE_SEED = "degrade_seed"

# Sidebar placeholders of the current run for the two summary lines (not data).
SIDEBAR_SLOTS = "sidebar_slots"

PREVIEW_SIDE = 1200

_DEFAULTS = {
    IMAGE: None, DIGEST: "", NAME: "", NOTES: [], FORMAT: "", PREVIEW: None, SCALE: 1.0,
    REFERENCE: None, TRUTH_MASK: None, UPLOAD_ERROR: "", LAST_UPLOAD: None,
    SEG_FAMILY: "threshold", SEG_METHOD: "otsu", SEG_PARAMS: {}, SEG_POST: [], SEG_RESULT: None,
    SEG_LABELS: None, SEG_APPLIED: {}, SEG_FULL: None, SEG_GRID: {}, SEG_STATS_CSV: None,
    REST_FAMILY: "denoise", REST_METHOD: None, REST_PARAMS: {}, REST_GUIDE: "none", REST_RESULT: None,
    REST_GUIDE_PARAMS: {}, REST_APPLIED: {}, REST_FULL: None, REST_TUNING: {}, REST_COMPARE: {},
    DEGRADE_STEPS: {}, DEGRADE_SEED: 0, SIDEBAR_SLOTS: None,
}


def init() -> None:
    """Create every plain key that is missing (fresh mutable defaults)."""
    for key, value in _DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value.copy() if isinstance(value, (dict, list)) else value


def show_summaries() -> None:
    """Write the current segmentation and restoration into the sidebar's two lines."""
    slots = st.session_state.get(SIDEBAR_SLOTS)
    if not slots:
        return
    seg, rest = st.session_state[SEG_RESULT], st.session_state[REST_RESULT]
    slots[0].markdown(f"**Segmentation:** {seg['summary'] if seg else 'none yet'}")
    slots[1].markdown(f"**Restoration:** {rest['summary'] if rest else 'none yet'}")


def has_image() -> bool:
    return st.session_state.get(IMAGE) is not None


def clear_results() -> None:
    """Forget results computed on the previous image (keep the chosen methods and params)."""
    for key in (SEG_RESULT, SEG_LABELS, REST_RESULT, SEG_FULL, REST_FULL, SEG_STATS_CSV):
        st.session_state[key] = None


def set_image(loaded, preview, scale, *, reference=None, truth_mask=None) -> None:
    """Make ``loaded`` (a segcore.io.LoadedImage) the current image.

    ``reference`` is the clean image and ``truth_mask`` the damage mask when the
    image was degraded in the lab; both are dropped otherwise.
    """
    st.session_state[IMAGE] = loaded.image
    st.session_state[DIGEST] = loaded.digest
    st.session_state[NAME] = getattr(loaded, "name", "") or ""
    st.session_state[NOTES] = list(getattr(loaded, "notes", []) or [])
    st.session_state[FORMAT] = getattr(loaded, "format", "") or ""
    st.session_state[PREVIEW] = preview
    st.session_state[SCALE] = float(scale)
    st.session_state[REFERENCE] = reference
    st.session_state[TRUTH_MASK] = truth_mask
    st.session_state[UPLOAD_ERROR] = ""
    clear_results()
