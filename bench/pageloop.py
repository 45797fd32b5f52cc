"""Server-side page timings with AppTest: the dashboard against the naive peer app.

Every scenario runs the real scripts (``app.py`` and the peer
``../shared/peers/seed_app.py``) in this process with
``streamlit.testing.v1.AppTest``, uploading the same JPEG bytes through
``st.file_uploader``, and times ``AppTest.run()`` after one widget change:
the server time of one rerun.
"""
from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PEER = ROOT / ".." / "shared" / "peers" / "seed_app.py"
TIMEOUT = 600

__all__ = ["jpeg_bytes", "LoopCell", "dashboard_loop", "peer_loop", "memory_run", "rss_mb", "peak_rss_mb"]


def jpeg_bytes(image: np.ndarray, quality: int = 90) -> bytes:
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes()


def rss_mb() -> float:
    """Resident set size of this process now (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class LoopCell:
    app: str
    size: str
    scenario: str
    seconds: float
    runs: int


def _timed(at, action=None) -> float:
    if action is not None:
        action()
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"app raised: {[e.value for e in at.exception]}")
    return seconds


def _median(values):
    return float(np.median(values))


def _widget(items, label):
    for item in items:
        if item.label == label:
            return item
    raise LookupError(f"no widget labelled {label!r}; have {[i.label for i in items]}")


def _new_dashboard(data: bytes, name: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/upload.py").run()
    start = time.perf_counter()
    at.file_uploader[0].set_value((name, data, "image/jpeg")).run()
    at.switch_page("pages/segment.py").run()
    first_view = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"app raised: {[e.value for e in at.exception]}")
    return at, first_view


def _choose(at, family: str, method_label: str):
    _widget(at.selectbox, "Family").set_value(family).run()
    _widget(at.selectbox, "Method").set_value(method_label).run()


def _slider_steps(at, label: str, values, apply: bool = False) -> list[float]:
    out = []
    for v in values:
        def act(v=v):
            _widget(at.slider, label).set_value(v)
            if apply:
                _widget(at.button, "Apply").click()
        out.append(_timed(at, act))
    return out


# (scenario, family, method id, slider label, values, needs Apply)
DASHBOARD_CASES = [
    ("manual threshold", "threshold", "threshold_manual", "Threshold", [100, 110, 120, 130, 140], False),
    ("Otsu", "threshold", "otsu", "Opacity", [0.3, 0.4, 0.5, 0.6, 0.7], False),
    ("Canny", "edges", "canny", "Sigma", [1.2, 1.4, 1.6, 1.8, 2.0], False),
    ("SLIC", "regions", "slic", "N segments", [110, 120, 130, 140, 150], True),
]


def dashboard_loop(images: dict[str, np.ndarray], repeat: int = 5, progress=print) -> list[LoopCell]:
    """Slider-step reruns, cache hits and upload-to-first-view on the dashboard."""
    import segcore

    cells = []
    for size, image in images.items():
        data = jpeg_bytes(image)
        at, first_view = _new_dashboard(data, f"bench_{size}.jpg")
        cells.append(LoopCell("dashboard", size, "upload to first segmented view (Otsu)", first_view, 1))
        progress(f"  dashboard {size}: upload to first view {first_view:.2f} s")
        for scenario, family, method_id, label, values, apply in DASHBOARD_CASES:
            _choose(at, family, segcore.get(method_id).label)
            values = values[:repeat]
            steps = _slider_steps(at, label, values, apply)
            cells.append(LoopCell("dashboard", size, f"{scenario}: slider step", _median(steps), len(steps)))
            hits = _slider_steps(at, label, values[:1] * len(values), apply)  # unchanged params
            cells.append(LoopCell("dashboard", size, f"{scenario}: rerun, same params (cache hit)",
                                  _median(hits[1:] or hits), len(hits)))
            progress(f"  dashboard {size} {scenario}: step {_median(steps)*1e3:.0f} ms, hit {_median(hits)*1e3:.0f} ms")
        del at
        gc.collect()
    return cells


def peer_loop(images: dict[str, np.ndarray], repeat: int = 5, progress=print) -> list[LoopCell]:
    """The same slider steps on the naive peer app (full resolution, no caching)."""
    from streamlit.testing.v1 import AppTest

    if not PEER.exists():
        progress(f"  peer app not found at {PEER}: skipped")
        return []
    cells = []
    for size, image in images.items():
        data = jpeg_bytes(image)
        at = AppTest.from_file(str(PEER), default_timeout=TIMEOUT)
        at.run()
        at.file_uploader[0].set_value((f"bench_{size}.jpg", data, "image/jpeg")).run()
        steps = _slider_steps(at, "threshold", [100, 110, 120, 130, 140][:repeat])
        cells.append(LoopCell("peer", size, "manual threshold: slider step", _median(steps), len(steps)))
        at.radio[0].set_value("slic").run()
        n = max(1, min(repeat, 2 if image.size > 5e6 else repeat))  # 12 MP SLIC takes ~10 s a step
        steps = _slider_steps(at, "n_segments", [110, 120, 130, 140, 150][:n])
        cells.append(LoopCell("peer", size, "SLIC: slider step", _median(steps), len(steps)))
        progress(f"  peer {size}: threshold {cells[-2].seconds*1e3:.0f} ms, SLIC {cells[-1].seconds*1e3:.0f} ms")
        del at
        gc.collect()
    return cells


def memory_run(make_upload, uploads: int = 20, sessions: int = 4, progress=print) -> dict:
    """RSS after many different uploads (each segmented) in one session, then across sessions.

    ``make_upload(i)`` returns the JPEG bytes of the i-th distinct image.
    """
    from streamlit.testing.v1 import AppTest

    gc.collect()
    start_rss = rss_mb()
    one_session = []
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    for i in range(uploads):
        at.switch_page("pages/upload.py").run()
        at.file_uploader[0].set_value((f"m{i}.jpg", make_upload(i), "image/jpeg")).run()
        at.switch_page("pages/segment.py").run()
        if at.exception:
            raise RuntimeError(f"app raised: {[e.value for e in at.exception]}")
        gc.collect()
        one_session.append(rss_mb())
        progress(f"  upload {i + 1:2d}: RSS {one_session[-1]:.0f} MB")
    multi = []
    apps = []
    for s in range(sessions):
        a = AppTest.from_file(APP, default_timeout=TIMEOUT)
        a.run()
        apps.append(a)
    for i in range(uploads):
        for s, a in enumerate(apps):
            a.switch_page("pages/upload.py").run()
            a.file_uploader[0].set_value((f"s{s}_{i}.jpg", make_upload(1000 * (s + 1) + i), "image/jpeg")).run()
            a.switch_page("pages/segment.py").run()
        gc.collect()
        multi.append(rss_mb())
        progress(f"  round {i + 1:2d} of {sessions} sessions: RSS {multi[-1]:.0f} MB")
    return {"start_mb": start_rss, "one_session_mb": one_session, "multi_session_mb": multi,
            "peak_mb": peak_rss_mb()}
