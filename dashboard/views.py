"""Page sections that several controls share: post-processing, result tabs, downloads.

Display only: every computation goes through :mod:`dashboard.cached`.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

import segcore
from dashboard import cached, jobs, state
from dashboard.widgets import format_value, params_widgets

__all__ = [
    "FAMILY_HELP_SEG",
    "GEOMETRY_HINT",
    "clear_seeds",
    "full_key",
    "index_of",
    "labels_full",
    "labels_png",
    "mask_png",
    "overlay_png",
    "postprocess_controls",
    "remember_segmentation",
    "segmentation_tabs",
    "stats_csv",
    "truth_at_preview",
]

FAMILY_HELP_SEG = ("threshold: one cut of the brightness histogram; edges: where intensity jumps; "
                   "regions: superpixels and clustering; interactive: you show where the object is; "
                   "damage: finds scratches, dust and blotches for inpainting.")
GEOMETRY_HINT = {
    "rect": "drag a box around the object on the image (box select).",
    "point": "drag a small box on the image: its centre is the starting point.",
    "points": "drag a small box on the image for each seed (its centre is used); choose the "
              "seed's label first.",
}
SUPERPIXELS = ("slic", "felzenszwalb", "quickshift", "watershed")


def index_of(options, value) -> int:
    return options.index(value) if value in options else 0


def clear_seeds(method_id: str, name: str) -> None:
    """Button callback: forget the seeds before the rerun draws the image again."""
    ss = st.session_state
    ss[state.SEG_PARAMS] = {**ss[state.SEG_PARAMS],
                            method_id: {**ss[state.SEG_PARAMS].get(method_id, {}), name: ()}}


def postprocess_controls() -> tuple:
    """Multiselect of post-processing methods with their widgets; ``((id, params), ...)``."""
    ss = st.session_state
    post = segcore.methods("postprocess")
    if not post:
        return ()
    chosen = [m for m, _ in ss[state.SEG_POST]]
    names = st.multiselect("Clean-up (applied in order)", [m.id for m in post],
                           default=[m for m in chosen if m in {p.id for p in post}],
                           format_func=lambda i: segcore.get(i).label,
                           help="Post-processing on the labels: remove specks, fill holes, smooth, ...")
    previous = dict(ss[state.SEG_POST])
    steps = []
    for name in names:
        method = segcore.get(name)
        with st.expander(method.label, expanded=False):
            st.caption(method.explain)
            steps.append((name, params_widgets(method.params, previous.get(name), f"post:{name}")))
    ss[state.SEG_POST] = steps
    return tuple((n, tuple(sorted(p.items()))) for n, p in steps)


def remember_segmentation(method, params, post_steps, labels, seconds, result_key: str = "") -> None:
    """Keep the current segmentation in plain keys (survives page switches).

    ``result_key`` names the labels (image, method, params, clean-up): caches of
    anything drawn from them are keyed by it instead of hashing the array.
    """
    ss = st.session_state
    key = result_key or cached.array_digest(labels)
    n = cached.label_count(labels, key)
    shown = ", ".join(f"{k}={format_value(v)}" for k, v in params.items() if v not in ((), None))
    post = " + " + ", ".join(segcore.get(m).label for m, _ in post_steps) if post_steps else ""
    ss[state.SEG_LABELS] = labels
    ss[state.SEG_RESULT] = {
        "method": method.id, "params": dict(params), "post": [(m, dict(p)) for m, p in post_steps],
        "seconds": seconds, "digest": ss[state.DIGEST], "key": key, "regions": n,
        "summary": f"{method.label}{f' ({shown})' if shown else ''}{post} · {n} regions",
    }
    state.show_summaries()


def truth_at_preview():
    """The truth mask at preview size (or None)."""
    ss = st.session_state
    truth = ss[state.TRUTH_MASK]
    if truth is None:
        return None
    return cached.truth_preview(truth, ss[state.DIGEST] + ":truth")


def labels_full(labels):
    """Preview labels brought to full size (nearest neighbour) when no full-res run exists."""
    ss = st.session_state
    full = ss[state.SEG_FULL]
    if full is not None and full[0] == full_key():
        return full[1]
    h, w = ss[state.IMAGE].shape[:2]
    if labels.shape == (h, w):
        return labels
    import cv2

    return cv2.resize(labels.astype(np.int32), (w, h), interpolation=cv2.INTER_NEAREST)


def full_key() -> str:
    """Names the current segmentation's settings (for its full-resolution result)."""
    seg = st.session_state[state.SEG_RESULT]
    return f"{seg['digest']}|{seg['method']}|{seg['params']}|{seg['post']}" if seg else ""


SEG_TABS = ["Overlay", "Region map", "Histogram", "Try all", "Statistics", "Side by side"]
SEG_TAB_KEY = "seg_tab"


def segmentation_tabs(preview, preview_key, labels, result, method, params, post_steps) -> None:
    """Metrics, the result tabs (only the open one is computed and sent), full resolution, downloads."""
    figures = segcore.figures
    ss = st.session_state
    rkey = ss[state.SEG_RESULT]["key"]
    truth = truth_at_preview()
    cols = st.columns(4 if truth is not None else 2)
    cols[0].metric("Regions", ss[state.SEG_RESULT]["regions"], help="Distinct labels, background included.")
    cols[1].metric("Time", f"{result.seconds * 1000:.0f} ms",
                   help=f"Preview {preview.shape[1]}×{preview.shape[0]} px.")
    if truth is not None:
        iou, dice = cached.iou_dice(labels, truth, rkey + "|truth")
        cols[2].metric("IoU", f"{iou:.3f}", help="Overlap of the foreground with the truth mask (1 = perfect).")
        cols[3].metric("Dice", f"{dice:.3f}", help="2·overlap / (sizes); 1 = perfect.")
    tabs = st.tabs(SEG_TABS, key=SEG_TAB_KEY, on_change="rerun")
    if tabs[0].open:
        with tabs[0]:
            _overlay(preview, labels, rkey)
    if tabs[1].open:
        with tabs[1]:
            st.plotly_chart(cached.region_map_figure(preview, labels, rkey), key="region_fig")
            st.caption("Hover a region to see its label, area and mean intensity.")
    if tabs[2].open:
        with tabs[2]:
            _histogram(preview, preview_key, params, result, figures)
    if tabs[3].open:
        with tabs[3]:
            _try_all(preview, preview_key, method, figures)
    if tabs[4].open:
        with tabs[4]:
            _statistics(preview, rkey, labels)
    if tabs[5].open:
        with tabs[5]:
            _side_by_side(preview, preview_key, labels, rkey, method)
    _full_resolution(method, params, post_steps)
    _downloads(preview, labels, method)


@st.fragment
def _overlay(preview, labels, rkey):
    # A fragment: moving the opacity slider reruns only this block.
    a, b = st.columns([3, 1])
    opacity = b.slider("Opacity", 0.0, 1.0, 0.45, 0.05, key="overlay_opacity",
                       help="How strongly the regions are coloured over the image.")
    mode = b.radio("Show", ["fill", "boundary"], key="overlay_mode", horizontal=True,
                   help="Colour whole regions, or only draw their outlines.")
    a.image(cached.data_uri(cached.overlay_jpeg(preview, labels, rkey, float(opacity), mode)), width="stretch")


def _histogram(preview, preview_key, params, result, figures):
    channel = params.get("channel", "gray")
    try:
        levels = cached.thresholds(preview, preview_key, channel)
    except ValueError:
        levels = {}
    manual = (result.extras.get("thresholds") or [None])[0]
    st.plotly_chart(figures.histogram_figure(preview, levels, manual=manual, channel=channel),
                    key="hist_fig")
    st.caption("Dashed lines: every automatic threshold on this image; solid: the current method's level.")


def _try_all(preview, preview_key, method, figures):
    family_ids = [m.id for m in segcore.methods("segment", method.family)]
    ids = [i for i in SUPERPIXELS if i in family_ids] if method.family == "regions" else family_ids
    ids = [i for i in ids if not any(p.kind in ("rect", "point", "points") for p in segcore.get(i).params)]
    st.caption(f"Every {method.family} method with its defaults, side by side, with run times.")
    if not ids:
        st.info("No method of this family runs without drawing on the image.")
        return
    store = st.session_state[state.SEG_GRID]
    key = f"{preview_key}|{method.family}"
    if st.button(f"Run all {len(ids)} {method.family} methods", key="try_all",
                 help="Runs each method on the preview with its default settings."):
        bar = st.progress(0.0, text="Starting…")
        rows = []
        for i, mid in enumerate(ids):
            bar.progress(i / len(ids), text=f"{segcore.get(mid).label}…")
            try:
                res = cached.segment(preview, preview_key, mid, segcore.get(mid).defaults,
                                     st.session_state[state.SCALE])
                rows.append((segcore.get(mid).label, res.labels, res.seconds))
            except ValueError as err:
                st.warning(f"{segcore.get(mid).label}: {err}")
        bar.empty()
        store.clear()  # one grid at a time (bounded memory)
        store[key] = rows
    if key in store:
        st.plotly_chart(figures.grid_figure(preview, store[key]), key="grid_fig")


def _statistics(preview, rkey, labels):
    try:
        table = cached.region_stats(labels, preview, rkey)
    except ValueError as err:
        st.error(f"{err}")
        return
    st.dataframe(table, hide_index=True, width="stretch", height=320)
    st.caption("Measured on the preview; areas are in preview pixels.")


def _side_by_side(preview, preview_key, labels, rkey, method):
    others = [m.id for m in segcore.methods("segment")
              if not any(p.kind in ("rect", "point", "points") for p in m.params)]
    other = st.selectbox("Compare with", others, index=index_of(others, "otsu" if method.id != "otsu"
                                                                  else "li"),
                         format_func=lambda i: segcore.get(i).label, key="sbs_method",
                         help="A second method, with its default settings.")
    other_m = segcore.get(other)
    if not other_m.live and not st.button("Run", key="sbs_run", help="This method is slow; run it once."):
        st.caption("Press Run to compute the second method.")
        return
    try:
        res = cached.segment(preview, preview_key, other, other_m.defaults, st.session_state[state.SCALE])
    except ValueError as err:
        st.error(f"{err}")
        return
    left, right = st.columns(2)
    left.markdown(f"**{method.label}**")
    left.image(cached.data_uri(cached.overlay_jpeg(preview, labels, rkey, 0.45, "fill", 600)), width="stretch")
    right.markdown(f"**{other_m.label}** · {res.seconds * 1000:.0f} ms")
    right.image(cached.data_uri(cached.overlay_jpeg(preview, res.labels, f"{preview_key}|{other}|defaults",
                                                    0.45, "fill", 600)), width="stretch")


FULL_SLOT = "seg_full"


def _full_segment(image, method_id, params, post_steps):
    """Background job: the segmentation at full resolution (no Streamlit calls)."""
    res = segcore.apply(method_id, image, **params)
    return cached.postprocess_plain(res.labels, post_steps, 1.0), res.seconds


def _store_full(job, result):
    ss = st.session_state
    if isinstance(result, ValueError):
        ss["seg_full_error"] = f"{result} Try smaller settings."
        return
    ss[state.SEG_FULL] = (job.key, result[0])
    ss["seg_full_error"] = ""


def _full_resolution(method, params, post_steps):
    ss = st.session_state
    image = ss[state.IMAGE]
    if ss[state.SCALE] >= 1.0:
        return
    key = full_key()
    full = ss[state.SEG_FULL]
    ready = full is not None and full[0] == key
    job = jobs.current(FULL_SLOT, key)  # a job for other settings is dropped
    if job is None and not ready and st.button(
            f"Full resolution ({image.shape[1]}×{image.shape[0]})", key="seg_full_btn",
            help="Run the same settings on the full image in the background (for downloads "
                 "and restoration); the controls keep working meanwhile."):
        seg = ss[state.SEG_RESULT]
        estimate = float(seg["seconds"] or 0.0) / max(ss[state.SCALE], 1e-3) ** 2
        jobs.start(FULL_SLOT, key, f"{method.label} at full resolution", _full_segment,
                   image, method.id, dict(params), post_steps, estimate_s=estimate)
    if ss.get("seg_full_error"):
        st.error(ss["seg_full_error"])
    jobs.show(FULL_SLOT, _store_full)
    if ready:
        st.caption(":material/check_circle: Full-resolution result ready: downloads use it.")


def _downloads(preview, labels, method):
    ss = st.session_state
    full = ss[state.SEG_FULL]
    use_full = full is not None and full[0] == full_key()
    out = full[1] if use_full else labels
    base = ss[state.IMAGE] if use_full else preview
    size = f"{out.shape[1]}×{out.shape[0]}"
    stem = (ss[state.NAME] or "image").rsplit(".", 1)[0].replace(" ", "_")
    st.markdown(f"**Downloads** ({'full resolution' if use_full else 'preview size'} {size})")
    # Every payload is made on click (a callable), never on a rerun that does not need it.
    cols = st.columns(4)
    cols[0].download_button("Mask PNG", mask_png(out), f"{stem}_{method.id}_mask.png",
                            "image/png", key="dl_mask", help="White = foreground (label > 0).",
                            on_click="ignore")
    cols[1].download_button("Labels PNG (16-bit)", labels_png(out), f"{stem}_{method.id}_labels.png",
                            "image/png", key="dl_labels", on_click="ignore",
                            help="One grey level per region (16-bit, for analysis software).")
    cols[2].download_button("Overlay PNG", overlay_png(base, out), f"{stem}_{method.id}_overlay.png",
                            "image/png", key="dl_overlay", on_click="ignore",
                            help="The image with the regions coloured.")
    cols[3].download_button("Statistics CSV", stats_csv(out, base), f"{stem}_{method.id}_regions.csv",
                            "text/csv", key="dl_stats", on_click="ignore",
                            help="One row per region: area, mean intensity, ...")


def mask_png(labels):
    """Producer of the mask download (white = label > 0)."""
    return lambda: segcore.io.to_png_bytes(labels > 0)


def labels_png(labels):
    """Producer of the 16-bit labels download."""
    return lambda: segcore.io.to_png_bytes(labels.astype(np.uint16))


def overlay_png(image, labels):
    """Producer of the overlay download (at the size of ``labels``)."""
    return lambda: segcore.io.to_png_bytes(segcore.figures.overlay_image(image, labels, 0.45, "fill"))


def stats_csv(labels, image):
    """Producer of the region statistics CSV."""
    return lambda: segcore.metrics.region_stats(labels, image).to_csv(index=False).encode()
