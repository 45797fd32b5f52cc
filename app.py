"""Entrypoint: page config, navigation and the sidebar shared by every page.

Run with ``streamlit run app.py`` from the repository root.
"""
from __future__ import annotations

import streamlit as st

from dashboard import cached, state

st.set_page_config(page_title="Segment & restore", page_icon="🧩", layout="wide")
state.init()

PAGES = [
    st.Page("pages/home.py", title="Home", icon="🏠", default=True),
    st.Page("pages/upload.py", title="Upload", icon="📤"),
    st.Page("pages/segment.py", title="Segment", icon="🧩"),
    st.Page("pages/restore.py", title="Restore", icon="🩹"),
]
page = st.navigation(PAGES)


def _sidebar() -> None:
    ss = st.session_state
    with st.sidebar:
        st.subheader("Current image")
        if not state.has_image():
            st.caption("No image yet: pick a sample on Home or upload one.")
            return
        st.image(cached.jpeg(ss[state.PREVIEW], ss[state.DIGEST] + ":thumb", 320, 80),
                 width="stretch")
        image = ss[state.IMAGE]
        channels = 1 if image.ndim == 2 else image.shape[2]
        st.caption(f"**{ss[state.NAME] or 'image'}** · {image.shape[1]}×{image.shape[0]} px · "
                   f"{channels} channel{'s' if channels > 1 else ''} · {image.dtype}")
        for note in ss[state.NOTES]:
            st.caption(f"ℹ️ {note}")
        if ss[state.REFERENCE] is not None:
            st.caption("Degraded on purpose: the clean original is kept as the reference.")
        seg, rest = ss[state.SEG_RESULT], ss[state.REST_RESULT]
        st.markdown(f"**Segmentation:** {seg['summary'] if seg else 'none yet'}")
        st.markdown(f"**Restoration:** {rest['summary'] if rest else 'none yet'}")


_sidebar()
page.run()
