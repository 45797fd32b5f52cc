"""Restore page sections: guide controls, before/after, metrics, tuning, exports.

Display only: every computation goes through :mod:`dashboard.cached`.
"""
from __future__ import annotations

import cv2
import numpy as np
import streamlit as st

import segcore
from dashboard import cached, jobs, state, views
from dashboard.components import before_after
from dashboard.widgets import format_value, params_widgets

__all__ = [
    "FAMILY_HELP",
    "GUIDE_HELP",
    "INPAINT_GUIDES",
    "available_guides",
    "build_recipe",
    "guide_controls",
    "recipe_json",
    "recipe_script",
    "remember_restoration",
    "restored_png",
    "seg_key",
    "show_result",
]

GUIDES = {
    "none": "No: restore the whole image",
    "inside": "Only inside the mask",
    "outside": "Only outside the mask (the complement)",
    "detect": "Detect damage, then inpaint it",
    "inpaint_mask": "Inpaint the segmentation mask",
    "per_region": "Strength per region",
    "edge_aware": "Edge-aware (no smoothing across region borders)",
}
NEEDS_LABELS = ("inside", "outside", "inpaint_mask", "per_region", "edge_aware")
NOT_IN_RECIPE = ("per_region", "edge_aware")
INPAINT_GUIDES = ("detect", "inpaint_mask")
SHORT = {"none": "whole image", "inside": "inside the mask", "outside": "outside the mask",
         "detect": "detected damage inpainted", "inpaint_mask": "mask inpainted",
         "per_region": "per region", "edge_aware": "edge-aware"}
GUIDE_HELP = ("How the segmentation drives the restoration: restrict it to the mask or to the rest "
              "(e.g. denoise only the background), repair the masked pixels (inpainting), or find "
              "scratches/dust first and repair them.")
FAMILY_HELP = ("denoise: remove grain; deblur: undo blur; inpaint: fill masked pixels from their "
               "surroundings; contrast: stretch or equalise levels; sharpen: boost edges.")


def available_guides(has_labels: bool) -> dict:
    damage = segcore.methods("segment", "damage")
    out = {}
    for key, label in GUIDES.items():
        if key == "detect" and not damage:
            continue
        if key in NEEDS_LABELS and not has_labels:
            continue
        out[key] = label
    return out


def guide_controls(guide: str) -> dict:
    ss = st.session_state
    stored = ss[state.REST_GUIDE_PARAMS]
    prev = stored.get(guide, {})
    out = {}
    if guide in ("inside", "outside"):
        out["feather"] = st.slider("Feather", 0.0, 20.0, float(prev.get("feather", 3.0)), 0.5,
                                   key="guide_feather",
                                   help="Softness of the mask border in pixels (0 = hard edge).")
    elif guide == "per_region":
        out["object_strength"] = st.slider(
            "Strength on objects", 0.0, 1.0, float(prev.get("object_strength", 0.5)), 0.05,
            key="guide_strength", help="The background (label 0) gets the settings above; every other "
            "region gets this fraction of the method's main strength (0 = its weakest setting).")
    elif guide == "detect":
        damage = [m.id for m in segcore.methods("segment", "damage")]
        detector = st.selectbox("Damage detector", damage, index=views.index_of(damage, prev.get("detector")),
                                format_func=lambda i: segcore.get(i).label, key="guide_detector",
                                help="Which kind of damage to find; its mask is what gets inpainted.")
        with st.expander("Detector settings"):
            st.caption(segcore.get(detector).explain)
            old = prev.get("detector_params", {}) if prev.get("detector") == detector else {}
            out["detector_params"] = params_widgets(segcore.get(detector).params, old, f"det:{detector}")
        out["detector"] = detector
        out["dilate"] = st.slider("Grow the mask by", 0, 10, int(prev.get("dilate", 1)), 1, key="guide_dilate",
                                  help="Pixels added around the detected damage so its soft edges are "
                                       "repaired too.")
    stored[guide] = out
    return out


def remember_restoration(method, params, guide, seconds) -> None:
    shown = ", ".join(f"{k}={format_value(v)}" for k, v in params.items())
    st.session_state[state.REST_RESULT] = {
        "method": method.id, "params": dict(params), "guide": guide, "seconds": seconds,
        "summary": f"{method.label}{f' ({shown})' if shown else ''} · {SHORT[guide]}",
    }
    state.show_summaries()


def _jpeg(image, key):
    return cached.jpeg(image, key, 900, 88)


REST_TABS = ["Before / after", "Side by side", "Difference", "Tuning", "Compare methods"]
REST_TAB_KEY = "rest_tab"


def seg_key() -> str:
    """Names the current segmentation (keys caches instead of hashing the labels)."""
    seg = st.session_state[state.SEG_RESULT]
    return seg.get("key", "") if seg else ""


def show_result(preview, preview_key, restored, used_mask, method, run, guide, seconds) -> None:
    ss = st.session_state
    rkey = f"{preview_key}|{method.id}|{run}|{guide}|{seg_key()}"
    reference = ss[state.REFERENCE]
    ref_preview = cached.preview(reference, ss[state.DIGEST] + ":ref")[0] if reference is not None else None
    mask = used_mask
    mask_key = f"{rkey}|mask"
    _metrics(preview, preview_key, restored, rkey, ref_preview, mask, mask_key, seconds)
    # Only the open tab is computed and sent.
    tabs = st.tabs(REST_TABS, key=REST_TAB_KEY, on_change="rerun")
    if tabs[0].open:
        with tabs[0]:
            before_after(_jpeg(preview, preview_key + ":ba"), _jpeg(restored, rkey + ":ba"),
                         preview.shape[1], preview.shape[0], ("Before", "After"))
            st.caption("Drag the line (or use the arrow keys) to compare.")
    if tabs[1].open:
        with tabs[1]:
            left, right = st.columns(2)
            left.image(cached.data_uri(_jpeg(preview, preview_key + ":ba")), caption="Before", width="stretch")
            right.image(cached.data_uri(_jpeg(restored, rkey + ":ba")), caption="After", width="stretch")
            if mask is not None:
                st.image(cached.png(mask, mask_key), caption="Pixels that were repaired / restricted to",
                         width=min(600, preview.shape[1]))
    if tabs[2].open:
        with tabs[2]:
            st.plotly_chart(segcore.figures.difference_figure(preview, restored), key="diff_fig")
            st.caption("Where the restoration changed the image, and by how much (black = unchanged).")
    if tabs[3].open:
        with tabs[3]:
            _tuning(preview, preview_key, method, run["params"])
    if tabs[4].open:
        with tabs[4]:
            _compare(preview, preview_key, method, ref_preview, mask, mask_key, guide)
    _full_resolution(method, run, guide)
    _downloads(restored, method, run, guide)


def _metrics(preview, preview_key, restored, rkey, ref_preview, mask, mask_key, seconds):
    cols = st.columns(5 if ref_preview is not None else 3)
    try:
        before_sigma = cached.noise_sigma(preview, preview_key)
        after_sigma = cached.noise_sigma(restored, rkey)
        cols[0].metric("Noise σ", f"{after_sigma:.2f}", f"{after_sigma - before_sigma:+.2f}", delta_color="inverse",
                       help="Estimated noise standard deviation (wavelet estimate on the central 512×512 pixels of the preview), after vs before.")
    except ValueError:
        pass
    cols[1].metric("Time", f"{seconds * 1000:.0f} ms", help="Run time of the restoration on the preview.")
    if mask is not None:
        cols[2].metric("Masked pixels", f"{100 * float(np.mean(mask)):.1f} %",
                       help="Share of the image that the segmentation selected.")
    if ref_preview is None:
        st.caption("No clean reference: PSNR/SSIM appear when you degrade a clean image in the "
                   "Upload page's degradation lab.")
        return
    try:
        before = cached.quality(ref_preview, preview, mask, preview_key + f"|q|{mask_key}")
        after = cached.quality(ref_preview, restored, mask, rkey + "|q")
    except ValueError as err:
        st.error(f"{err}")
        return
    cols[3].metric("PSNR", f"{after['psnr']:.2f} dB", f"{after['psnr'] - before['psnr']:+.2f} dB",
                   help="Against the clean reference; higher is better (change vs. the damaged image).")
    cols[4].metric("SSIM", f"{after['ssim']:.3f}", f"{after['ssim'] - before['ssim']:+.3f}",
                   help="Structural similarity with the clean reference; 1 = identical.")
    if "psnr_inside" in after:
        st.caption(f"Inside the mask: PSNR {after['psnr_inside']:.2f} dB, SSIM {after['ssim_inside']:.3f} · "
                   f"outside: PSNR {after['psnr_outside']:.2f} dB, SSIM {after['ssim_outside']:.3f}")


def _set_params(method_id, params):
    ss = st.session_state
    ss[state.REST_PARAMS] = {**ss[state.REST_PARAMS], method_id: dict(params)}
    for name in params:  # drop widget state so the widgets show the new values
        ss.pop(f"rest:{method_id}:{name}", None)


def _tuning(preview, preview_key, method, params):
    tuning = segcore.tuning
    if method.id not in tuning.DEFAULT_GRIDS:
        st.caption("Automatic tuning is offered for the denoisers "
                   + ", ".join(segcore.get(m).label for m in tuning.DEFAULT_GRIDS) + ".")
        return
    grid_param = segcore.get(method.id).param(tuning.DEFAULT_GRIDS[method.id][0])
    st.caption(f"Tries a range of '{grid_param.title}' values and scores each without a clean image "
               "(J-invariance, Noise2Self): the lowest loss is the best guess.")
    store = st.session_state[state.REST_TUNING]
    key = f"{preview_key}|{method.id}|{sorted(params.items())}"
    if st.button("Tune automatically", key="tune_btn", help="Runs the denoiser about ten times on the preview."):
        try:
            with st.spinner("Trying strengths…"):
                store[key] = cached.tune(preview, preview_key, method.id, params)
        except ValueError as err:
            st.error(f"{err}")
    if key in store:
        result = store[key]
        st.plotly_chart(segcore.figures.tuning_curve_figure(result.values, result.losses, result.best_value,
                                                    param=grid_param.title), key="tune_fig")
        st.write(f"Best {grid_param.title}: **{format_value(result.best_value)}**")
        st.button("Use the best setting", key="tune_use", on_click=_set_params,
                  args=(method.id, result.best_params), help="Copy the best setting into the widgets.")


def _compare(preview, preview_key, method, ref_preview, mask, mask_key, guide):
    same = [m for m in segcore.methods("restore", method.family) if m.needs_mask == method.needs_mask]
    st.caption(f"Every {method.family} method with its defaults on the preview.")
    store = st.session_state[state.REST_COMPARE]
    key = f"{preview_key}|{method.family}|{mask_key if mask is not None else ''}"
    if st.button(f"Compare {len(same)} methods", key="compare_btn", help="May take a few seconds."):
        try:
            with st.spinner("Running every method…"):
                store[key] = cached.compare(preview, key, tuple((m.id, ()) for m in same), ref_preview, mask)
        except ValueError as err:
            st.error(f"{err}")
    if key in store:
        table = store[key].copy()
        table.attrs = {}  # holds the restored images; not for the browser
        st.dataframe(table, hide_index=True, width="stretch")


def _full_key(method, run, guide) -> str:
    ss = st.session_state
    return f"{ss[state.DIGEST]}|{method.id}|{run}|{guide}|{ss[state.SEG_RESULT]}"


FULL_SLOT = "rest_full"


def _full_restore(image, method_id, params, guide, labels, guide_params):
    """Background job: the restoration at full resolution (no Streamlit calls)."""
    full_labels = None
    if labels is not None:
        h, w = image.shape[:2]
        full_labels = labels if labels.shape == (h, w) else cv2.resize(
            labels.astype(np.int32), (w, h), interpolation=cv2.INTER_NEAREST)
    out, _, seconds = cached.restore_plain(
        image, method_id, params, guide, full_labels > 0 if full_labels is not None else None,
        full_labels, guide_params, 1.0)
    return out, seconds


def _store_full(job, result):
    ss = st.session_state
    if isinstance(result, ValueError):
        ss["rest_full_error"] = str(result)
        return
    ss[state.REST_FULL] = (job.key, result[0])
    ss["rest_full_error"] = ""


def _full_resolution(method, run, guide):
    ss = st.session_state
    image = ss[state.IMAGE]
    if ss[state.SCALE] >= 1.0:
        return
    key = _full_key(method, run, guide)
    full = ss[state.REST_FULL]
    ready = full is not None and full[0] == key
    job = jobs.current(FULL_SLOT, key)  # a job for other settings is dropped
    if job is None and not ready and st.button(
            f"Full resolution ({image.shape[1]}×{image.shape[0]})", key="rest_full_btn",
            help="Run the same restoration on the full image in the background (for the "
                 "download); the controls keep working meanwhile."):
        labels = ss[state.SEG_LABELS]
        seg_full = ss[state.SEG_FULL]
        if labels is not None and seg_full is not None and seg_full[0] == views.full_key():
            labels = seg_full[1]  # the full-resolution segmentation, when there is one
        seconds = float((ss[state.REST_RESULT] or {}).get("seconds") or 0.0)
        jobs.start(FULL_SLOT, key, f"{method.label} at full resolution", _full_restore,
                   image, method.id, dict(run["params"]), guide, labels, dict(run["guide_params"]),
                   estimate_s=seconds / max(ss[state.SCALE], 1e-3) ** 2)
    if ss.get("rest_full_error"):
        st.error(ss["rest_full_error"])
    jobs.show(FULL_SLOT, _store_full)
    if ready:
        st.caption(":material/check_circle: Full-resolution result ready: the download uses it.")


def build_recipe(method, run, guide):
    """The current pipeline as a ``segcore.recipe.Recipe`` (raises ValueError if it cannot be)."""
    from segcore import recipe

    seg = st.session_state[state.SEG_RESULT]
    use_mask = {"inside": "inside", "outside": "outside", "inpaint_mask": "inpaint"}.get(guide, "none")
    if guide == "detect":
        gp = run["guide_params"]
        segment = (gp["detector"], gp.get("detector_params", {}))
        grow = int(gp.get("dilate", 0))
        post = [("dilate", {"radius": grow})] if grow else []  # the same disk as detect_and_inpaint
        use_mask = "inpaint"
    elif seg is not None:
        segment, post = (seg["method"], seg["params"]), [(m, p) for m, p in seg["post"]]
    else:
        segment, post = None, []
    step = recipe.Step(method.id, run["params"], use_mask=use_mask,
                       feather=float(run["guide_params"].get("feather", 0.0)))
    return recipe.Recipe.make(segment=segment, postprocess=post, restore=[step])


def restored_png(image):
    """Producer of the restored-image download (same bit depth as the input)."""
    return lambda: segcore.io.to_png_bytes(image)


def recipe_json(recipe):
    return lambda: recipe.to_json()


def recipe_script(recipe):
    return lambda: segcore.recipe.to_script(recipe)


def _downloads(restored, method, run, guide):
    ss = st.session_state
    full = ss[state.REST_FULL]
    use_full = full is not None and full[0] == _full_key(method, run, guide)
    out = full[1] if use_full else restored
    stem = (ss[state.NAME] or "image").rsplit(".", 1)[0].replace(" ", "_")
    st.markdown(f"**Downloads** ({'full resolution' if use_full else 'preview size'} "
                f"{out.shape[1]}×{out.shape[0]}, {out.dtype})")
    # Payloads are made on click (callables), not on every rerun.
    cols = st.columns(3)
    cols[0].download_button("Restored PNG", restored_png(out), f"{stem}_{method.id}.png", "image/png",
                            key="dl_restored", on_click="ignore",
                            help="Same bit depth as the input (16-bit stays 16-bit).")
    try:
        recipe = build_recipe(method, run, guide)
    except ValueError as err:
        st.caption(f"No recipe for this combination: {err}")
        return
    if guide in NOT_IN_RECIPE:
        st.caption("The recipe cannot express per-region or edge-aware guidance; it restores the whole image.")
    cols[1].download_button("Recipe JSON", recipe_json(recipe), f"{stem}_recipe.json", "application/json",
                            key="dl_recipe", on_click="ignore",
                            help="Reload it with segcore.recipe.Recipe.from_json.")
    cols[2].download_button("Python script", recipe_script(recipe), f"{stem}_recipe.py", "text/x-python",
                            key="dl_script", on_click="ignore",
                            help="A standalone script (scikit-image/OpenCV only) that redoes all steps.")
