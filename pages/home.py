"""Home: what segmentation is for, the samples, a three-step guide, the methods."""
from __future__ import annotations

import base64

import pandas as pd
import streamlit as st

import segcore
from dashboard import cached, state
from dashboard.intake import use_sample

state.init()
st.title("Segmentation as a step of image restoration")
st.markdown(
    "**Segmentation** splits an image into regions: object and background, cells, "
    "scratches. *Region-based* methods group pixels that look alike (thresholds, "
    "superpixels, clustering); *edge-based* methods find where the intensity jumps "
    "(Sobel, Canny) and close the outlines. **Restoration** needs it because damage and "
    "content are local: a scratch must be found before it can be inpainted, and the "
    "background can be denoised harder than a face without blurring its edges."
)

st.subheader("1 · Start with a sample")
st.caption("One click loads a sample and opens the Segment page; hover a name to see why it is interesting.")
items = list(segcore.samples.SAMPLES.values())
thumbs = cached.sample_thumbnails()  # small JPEGs, built once per server; a sample loads on click
columns = st.columns(5)
for i, sample in enumerate(items):
    with columns[i % len(columns)]:
        thumb = thumbs.get(sample.id)
        if not isinstance(thumb, bytes):
            st.warning(f"{sample.label}: {thumb or 'not available'}")
            continue
        # Inline (data URI): 15 small JPEGs in the page message instead of 15 HTTP requests.
        st.html(f'<img src="data:image/jpeg;base64,{base64.b64encode(thumb).decode()}" '
                f'alt="{sample.label}" style="width:100%;border-radius:4px">')
        if st.button(sample.label, key=f"sample:{sample.id}", help=f"{sample.why} Click to load it "
                     "and open the Segment page.", width="stretch", icon=":material/play_arrow:"):
            use_sample(sample.id)
            st.switch_page("pages/segment.py")

st.subheader("2 · Three steps")
left, middle, right = st.columns(3)
left.markdown("**Upload** a photo, pick a sample, or damage a clean image on purpose in the "
              "degradation lab (then the damage is known exactly).")
middle.markdown("**Segment** it: choose a family and a method, move the sliders, compare "
                "methods, clean the mask up, check IoU/Dice against the truth.")
right.markdown("**Restore** it with the segmentation as a guide: inpaint the detected damage, "
               "denoise inside or outside the mask, then export a recipe and a script.")
st.page_link("pages/upload.py", label="Go to Upload", icon=":material/upload:")

st.subheader("3 · The methods")
rows = [{"task": m.task, "family": m.family, "method": m.label, "id": m.id,
         "live": "yes" if m.live else "on Apply", "parameters": ", ".join(p.title for p in m.params)}
        for m in segcore.methods()]
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
