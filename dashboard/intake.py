"""Turning bytes, samples and degradations into the current image.

Pages call these handlers; the AppTest tests call them too.
"""
from __future__ import annotations

import dataclasses
import hashlib

import streamlit as st

from dashboard import cached, state

__all__ = ["handle_upload", "use_loaded", "use_sample"]


def use_loaded(loaded, *, reference=None, truth_mask=None) -> None:
    """Make a ``segcore.io.LoadedImage`` current (with its preview)."""
    preview, scale = cached.preview(loaded.image, loaded.digest, state.PREVIEW_SIDE)
    state.set_image(loaded, preview, scale, reference=reference, truth_mask=truth_mask)


def use_sample(sample_id: str) -> None:
    use_loaded(cached.load_sample(sample_id))


def handle_upload(data: bytes, name: str) -> str:
    """Decode uploaded bytes and make them the current image.

    Returns "" on success, or the error message (the previous image stays and
    ``state.UPLOAD_ERROR`` holds the message).
    """
    digest = hashlib.sha1(data).hexdigest()
    try:
        loaded = cached.load_bytes(data, digest, name)
    except ValueError as err:  # segcore.io.ImageError is a ValueError
        message = f"Could not use '{name}': {err}"
        st.session_state[state.UPLOAD_ERROR] = message
        return message
    if not loaded.name:
        loaded = dataclasses.replace(loaded, name=name)
    use_loaded(loaded)
    return ""
