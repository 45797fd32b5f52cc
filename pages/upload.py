"""Upload: a file, a sample or the camera; the image facts; the degradation lab."""
from __future__ import annotations

import numpy as np
import streamlit as st

import segcore
from dashboard import cached, state
from dashboard.intake import handle_upload, use_loaded, use_sample
from dashboard.widgets import params_widgets

state.init()
ss = st.session_state
st.title("Upload an image")
st.caption("Everything happens on a preview (long side ≤ 1200 px); full resolution is used on demand "
           "and for downloads. Your file never leaves this server.")

TYPES = ["png", "jpg", "jpeg", "tif", "tiff", "bmp", "webp", "gif"]
source_col, facts_col = st.columns([3, 2], gap="large")
with source_col:
    upload_tab, sample_tab, camera_tab = st.tabs(["File", "Sample", "Camera"])
    with upload_tab:
        upload = st.file_uploader("Image file", type=TYPES, help="PNG, JPEG, TIFF (8/16-bit or float), "
                                  "BMP, WebP or GIF (first frame). Transparency is flattened on white.")
    with sample_tab:
        samples = segcore.samples.SAMPLES
        choice = st.selectbox("Sample", list(samples), format_func=lambda i: samples[i].label,
                              help="Small images chosen to show what each method does well or badly.")
        st.caption(samples[choice].why)
        if st.button("Use this sample", help="Replace the current image by this sample."):
            use_sample(choice)
            st.rerun()
    with camera_tab:
        shot = st.camera_input("Take a photo", help="Uses your webcam; the photo is a JPEG.")

for item in (upload, shot):
    # Decode a new file once; reruns of the page keep the same file_id.
    if item is not None and item.file_id != ss[state.LAST_UPLOAD]:
        ss[state.LAST_UPLOAD] = item.file_id
        if not handle_upload(item.getvalue(), item.name):
            st.rerun()  # draw the sidebar again with the new image

with facts_col:
    if ss[state.UPLOAD_ERROR]:
        st.error(ss[state.UPLOAD_ERROR] + " Try another file, or save it as PNG or JPEG and upload again."
                 + (" The image loaded before is still here." if state.has_image() else ""))
    if not state.has_image():
        st.info("No image yet. Upload a file, pick a sample, or take a photo.")
        st.stop()
    image = ss[state.IMAGE]
    st.image(cached.jpeg(ss[state.PREVIEW], ss[state.DIGEST] + ":view", 800), width="stretch")
    channels = 1 if image.ndim == 2 else image.shape[2]
    st.markdown(f"**{ss[state.NAME] or 'Image'}** · {image.shape[1]}×{image.shape[0]} px "
                f"({image.shape[0] * image.shape[1] / 1e6:.2f} MP) · {image.dtype} · "
                f"{'grey' if channels == 1 else f'{channels} channels'}",
                help="Width × height in pixels; uint8 stores 0-255, uint16 0-65535, float32 0-1.")
    for note in ss[state.NOTES] or ["Read as is: no conversion was needed."]:
        st.caption(f":material/info: {note}")

st.divider()
st.subheader("Degradation lab")
st.caption("Damage the image on purpose: the clean image becomes the reference for PSNR/SSIM on "
           "Restore, and the damage mask the truth for IoU/Dice on Segment.")
degrade = segcore.degrade
base = ss[state.REFERENCE] if ss[state.REFERENCE] is not None else ss[state.IMAGE]
names = st.multiselect("Degradations (applied in this order)", list(degrade.DEGRADATIONS),
                       default=list(ss[state.DEGRADE_STEPS]),
                       format_func=lambda n: degrade.DEGRADATIONS[n].label,
                       help="Pick one or more kinds of damage; each gets its own settings below.")
steps = {}
if names:
    columns = st.columns(min(3, len(names)))
    for i, name in enumerate(names):
        with columns[i % len(columns)]:
            spec = degrade.DEGRADATIONS[name]
            st.markdown(f"**{spec.label}**")
            st.caption(spec.explain)
            steps[name] = params_widgets(spec.params, ss[state.DEGRADE_STEPS].get(name), f"deg:{name}")
seed = st.columns(4)[0].number_input("Seed", 0, 2**31 - 1, int(ss[state.DEGRADE_SEED]),
                                     help="Same seed, same damage: the lab is reproducible.")
ss[state.DEGRADE_STEPS], ss[state.DEGRADE_SEED] = steps, int(seed)
if steps:
    key = tuple((n, tuple(sorted(p.items()))) for n, p in steps.items())
    base_digest = ss[state.DIGEST] if ss[state.REFERENCE] is None else ss[state.DIGEST] + ":ref"
    try:
        with st.spinner("Applying the damage…"):
            damaged = cached.degrade(base, base_digest, key, int(seed))
    except ValueError as err:
        st.error(f"{err} Change the settings above.")
        st.stop()
    preview = lambda img, tag: cached.jpeg(img, f"{base_digest}:{key}:{seed}:{tag}", 500)
    left, middle, right = st.columns(3)
    left.image(preview(damaged.truth.clean, "clean"), caption="Clean (kept as reference)", width="stretch")
    middle.image(preview(damaged.image, "damaged"), caption="Degraded", width="stretch")
    if damaged.truth.mask is not None:
        mask8 = damaged.truth.mask.astype(np.uint8) * 255
        right.image(preview(mask8, "mask"), caption="Truth mask (where the damage is)", width="stretch")
    else:
        right.info("This damage touches every pixel, so there is no mask.")
    if st.button("Use degraded image", type="primary",
                 help="Continue with the degraded image; the clean one stays as the reference."):
        loaded = segcore.io.LoadedImage(
            image=damaged.image, digest=f"{base_digest}:{key}:{seed}", format="degraded",
            original_mode="degraded", notes=["Degraded in the lab: " + ", ".join(
                degrade.DEGRADATIONS[n].label for n in steps) + f" (seed {seed})."],
            name=f"degraded {ss[state.NAME]}")
        use_loaded(loaded, reference=damaged.truth.clean, truth_mask=damaged.truth.mask)
        st.rerun()
