"""Restore: a method, how the segmentation guides it, before/after, metrics, exports."""
from __future__ import annotations

import streamlit as st

import segcore
from dashboard import cached, rviews, state, views
from dashboard.widgets import params_widgets

state.init()
ss = st.session_state
st.title("Restore")
if not state.has_image():
    st.info("No image yet. Pick a sample on Home or upload an image first.")
    st.page_link("pages/upload.py", label="Go to Upload", icon=":material/upload:")
    st.stop()

preview, digest, scale = ss[state.PREVIEW], ss[state.DIGEST], ss[state.SCALE]
preview_key = digest + ":preview"
labels = ss[state.SEG_LABELS]
if labels is not None and labels.shape != preview.shape[:2]:
    labels = None  # a segmentation of another image
guides = rviews.available_guides(labels is not None)

controls, results = st.columns([1.2, 2.4], gap="medium")
with controls:
    guide = st.selectbox("Use the segmentation", list(guides), index=views.index_of(list(guides), ss[state.REST_GUIDE]),
                         format_func=guides.get, help=rviews.GUIDE_HELP)
    if labels is None:
        st.caption("No segmentation yet: the Segment page makes one (the 'damage' family finds scratches).")
    else:
        st.caption(f"Segmentation: {ss[state.SEG_RESULT]['summary']}")
    candidates = [m for m in segcore.methods("restore") if m.needs_mask == (guide in rviews.INPAINT_GUIDES)]
    families = list(dict.fromkeys(m.family for m in candidates))
    family = st.selectbox("Family", families, index=views.index_of(families, ss[state.REST_FAMILY]),
                          format_func=str.capitalize, help=rviews.FAMILY_HELP)
    ids = [m.id for m in candidates if m.family == family]
    method_id = st.selectbox("Method", ids, index=views.index_of(ids, ss[state.REST_METHOD]),
                             format_func=lambda i: segcore.get(i).label, help="See 'About this method'.")
    method = segcore.get(method_id)
    with st.expander("About this method"):
        st.write(method.explain)
        for ref in method.references:
            st.caption(ref)
    params = params_widgets(method.params, ss[state.REST_PARAMS].get(method_id), f"rest:{method_id}")
    guide_params = rviews.guide_controls(guide)
    ss[state.REST_GUIDE], ss[state.REST_FAMILY], ss[state.REST_METHOD] = guide, family, method_id
    ss[state.REST_PARAMS] = {**ss[state.REST_PARAMS], method_id: params}
    apply_clicked = False
    if not method.live or guide in ("detect", "per_region"):
        apply_clicked = st.button("Apply", type="primary", width="stretch",
                                  help="Run the restoration on the preview.")

with results:
    applied = ss[state.REST_APPLIED]
    run_key = (method_id, guide)
    setting = {"params": params, "guide_params": guide_params}
    if (method.live and guide not in ("detect", "per_region")) or apply_clicked:
        applied[run_key] = setting
    run = applied.get(run_key)
    if run is None:
        st.info("Set the parameters, then press **Apply**.")
        st.stop()
    if run != setting:
        st.caption(":material/warning: Settings changed: press **Apply** to update the result.")
    mask = labels > 0 if labels is not None else None
    seg_key = rviews.seg_key() if labels is not None else ""
    try:
        with st.spinner(f"Running {method.label} on the preview…"):
            restored, used_mask, seconds = cached.restore(
                preview, preview_key, method_id, run["params"], guide, mask, labels, seg_key,
                run["guide_params"], scale)
    except ValueError as err:
        st.error(f"{err} Change the settings on the left and try again.")
        st.stop()
    rviews.remember_restoration(method, run["params"], guide, seconds)
    try:
        rviews.show_result(preview, preview_key, restored, used_mask, method, run, guide, seconds)
    except ValueError as err:  # a figure or metric that cannot be computed for this result
        st.error(f"{err} Try other settings.")
