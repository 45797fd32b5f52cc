"""Entrypoint: page config, navigation and the sidebar shared by every page.

Run with ``streamlit run app.py`` from the repository root.
"""
from __future__ import annotations

import cv2
import numpy as np
import streamlit as st
from PIL import Image

from dashboard import cached, state


def _icon():
    # A local image: material and emoji page icons are fetched from a CDN, which fails offline.
    yy, xx = np.mgrid[:32, :32]
    icon = np.full((32, 32, 3), 255, np.uint8)
    icon[(yy - 16) ** 2 + (xx - 16) ** 2 < 196] = (47, 111, 219)
    icon[(yy < 16) & ((yy - 16) ** 2 + (xx - 16) ** 2 < 196)] = (240, 170, 40)
    return Image.fromarray(icon)


# OpenCV uses every core by default. The server has 2 cores shared by every session and a
# background job (dashboard/jobs.py): one thread per OpenCV call keeps one user's heavy call
# from stalling everyone else's slider steps, and the live methods are fast enough on one core
# at preview size. Process-wide, so set once here.
cv2.setNumThreads(1)

st.set_page_config(page_title="Segment & restore", page_icon=_icon(), layout="wide")
state.init()
# Narrow windows (about 1000 px with the sidebar open): less side padding, more room for columns.
st.html("<style>@media (max-width: 1200px) { [data-testid='stMainBlockContainer'] "
        "{ padding-left: 1.5rem; padding-right: 1.5rem; } }</style>")

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/upload.py", title="Upload", icon=":material/upload:"),
    st.Page("pages/segment.py", title="Segment", icon=":material/category:"),
    st.Page("pages/restore.py", title="Restore", icon=":material/healing:"),
]
page = st.navigation(PAGES)


def _sidebar() -> None:
    ss = st.session_state
    with st.sidebar:
        st.subheader("Current image")
        if not state.has_image():
            st.caption("No image yet: pick a sample on Home or upload one.")
            return
        st.image(cached.data_uri(cached.jpeg(ss[state.PREVIEW], ss[state.DIGEST] + ":thumb", 320, 80)),
                 width="stretch")
        image = ss[state.IMAGE]
        channels = 1 if image.ndim == 2 else image.shape[2]
        st.caption(f"**{ss[state.NAME] or 'image'}** · {image.shape[1]}×{image.shape[0]} px · "
                   f"{channels} channel{'s' if channels > 1 else ''} · {image.dtype}")
        for note in ss[state.NOTES]:
            st.caption(f":material/info: {note}")
        if ss[state.REFERENCE] is not None:
            st.caption("Degraded on purpose: the clean original is kept as the reference.")
        # Placeholders: the pages refill them as soon as they have a new result.
        ss[state.SIDEBAR_SLOTS] = (st.empty(), st.empty())
        state.show_summaries()


_sidebar()
page.run()
