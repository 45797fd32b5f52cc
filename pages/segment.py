"""Segment: choose a method, tune it live on the preview, inspect, clean up, export."""
from __future__ import annotations

import streamlit as st

import segcore
from dashboard import cached, state, views
from dashboard.widgets import image_picker, param_widget, params_widgets

state.init()
ss = st.session_state
st.title("Segment")
if not state.has_image():
    st.info("No image yet. Pick a sample on Home or upload an image first.")
    st.page_link("pages/upload.py", label="Go to Upload", icon=":material/upload:")
    st.stop()

preview, digest, scale = ss[state.PREVIEW], ss[state.DIGEST], ss[state.SCALE]
preview_key = digest + ":preview"
GEOMETRIC = ("rect", "point", "points")
seg_methods = segcore.methods("segment")
families = list(dict.fromkeys(m.family for m in seg_methods))

controls, results = st.columns([1.2, 2.4], gap="medium")
with controls:
    family = st.selectbox("Family", families, index=views.index_of(families, ss[state.SEG_FAMILY]),
                          format_func=str.capitalize, help=views.FAMILY_HELP_SEG)
    in_family = [m for m in seg_methods if m.family == family]
    ids = [m.id for m in in_family]
    method_id = st.selectbox("Method", ids, index=views.index_of(ids, ss[state.SEG_METHOD]),
                             format_func=lambda i: segcore.get(i).label,
                             help="Methods of this family; see 'About this method' below.")
    method = segcore.get(method_id)
    ss[state.SEG_FAMILY], ss[state.SEG_METHOD] = family, method_id
    with st.expander("About this method"):
        st.write(method.explain)
        for ref in method.references:
            st.caption(ref)
    stored = ss[state.SEG_PARAMS].get(method_id, {})
    params = params_widgets(method.params, stored, f"seg:{method_id}",
                            skip=[p.name for p in method.params if p.kind in GEOMETRIC])
    post_steps = views.postprocess_controls()
    apply_clicked = False
    if not method.live:
        apply_clicked = st.button("Apply", type="primary", width="stretch",
                                  help="This method is too slow to follow every slider step: "
                                       "press Apply to run it on the preview.")

with results:
    geometric = [p for p in method.params if p.kind in GEOMETRIC]
    for param in geometric:
        label = 1
        if param.kind == "points":
            label = st.columns([1, 2])[0].number_input(
                "Label of the next seed", 1, 9, 1, key="seed_label",
                help="Seeds with the same label grow into the same region.")
        st.caption(f"**{param.title}**: {views.GEOMETRY_HINT[param.kind]} {param.help}")
        params[param.name] = image_picker(param, params.get(param.name), cached.jpeg(preview, preview_key),
                                          preview.shape[1], preview.shape[0], f"pick:{method_id}:{param.name}",
                                          label)
        if param.kind == "points":
            st.button("Clear seeds", help="Remove every seed.", on_click=views.clear_seeds,
                      args=(method_id, param.name))
        param_widget(param, params[param.name], f"seg:{method_id}:{param.name}")
    ss[state.SEG_PARAMS] = {**ss[state.SEG_PARAMS], method_id: params}

    applied = ss[state.SEG_APPLIED]
    if method.live or apply_clicked:
        applied[method_id] = params
    run_params = applied.get(method_id)
    if run_params is None:
        st.info("Set the parameters, then press **Apply** (this method is too slow for live preview).")
        st.stop()
    if run_params != params:
        st.caption(":material/warning: Settings changed: press **Apply** to update the result.")
    result_key = f"{preview_key}|{method_id}|{run_params}|{post_steps}"
    try:
        with st.spinner(f"Running {method.label} on the preview…"):
            result = cached.segment(preview, preview_key, method_id, run_params, scale)
            labels = cached.postprocess(result.labels, f"{preview_key}|{method_id}|{run_params}",
                                        post_steps, scale)
    except ValueError as err:
        st.error(f"{err} Change the parameters on the left and try again.")
        st.stop()
    views.remember_segmentation(method, run_params, post_steps, labels, result.seconds, result_key)
    try:
        views.segmentation_tabs(preview, preview_key, labels, result, method, run_params, post_steps)
    except ValueError as err:  # a figure or table that cannot be drawn for this result
        st.error(f"{err} Try other parameters or another method.")
