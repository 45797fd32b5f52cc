"""AppTest helpers for the dashboard pages."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import disk_image

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60


def png_bytes(array, mode=None) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def tiny_png() -> bytes:
    """A 48x48 colour disk: small enough for every method to run quickly."""
    return png_bytes(disk_image(48, 14, color=True)[0])


def new_app():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    return at


def upload(at, data: bytes, name: str = "tiny.png", mime: str = "image/png"):
    """Upload through the Upload page's st.file_uploader (AppTest drives it in 1.67)."""
    at.switch_page("pages/upload.py").run()
    at.file_uploader[0].set_value((name, data, mime)).run()
    return at


def go(at, page: str):
    return at.switch_page(f"pages/{page}.py").run()


def no_exception(at):
    assert not at.exception, [e.value for e in at.exception]


def select(at, label: str, value):
    box = next(s for s in at.selectbox if s.label == label)
    box.set_value(value).run()
    return at


def open_tab(at, key: str, label: str):
    """Select the tab ``label`` of the lazy ``st.tabs(key=key, on_change="rerun")`` and rerun.

    AppTest has no tab click; the tabs' state lives in ``session_state[key]``
    (the label), which is what a click in the browser sets.
    """
    at.session_state[key] = label
    return at.run()


@pytest.fixture
def downloads(monkeypatch):
    """{file name: bytes} of every st.download_button payload offered during the test.

    The dashboard passes callables (the bytes are made on click): the fixture
    records the callable each button registered and calls it, exactly as a
    click would, so the payloads are checked as the user would get them.
    """
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    captured: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id
    original_deferred = MediaFileManager.add_deferred

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, (bytes, bytearray)):
            captured[filename] = bytes(path_or_data)
        return original(self, path_or_data, mimetype, kind, filename)

    def record_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        if file_name:
            data = data_callable()
            captured[file_name] = data.encode() if isinstance(data, str) else bytes(data)
        return original_deferred(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    return captured


def decode(data: bytes) -> np.ndarray:
    import cv2

    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
