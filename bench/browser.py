"""Browser timings: a real Chromium (Playwright) against ``streamlit run app.py``.

Measures, on one uploaded image, the time from a slider step to the page
being idle again (no script running, no stale elements) and the bytes the
browser received during that rerun (WebSocket frames plus HTTP responses such
as the JPEG previews served from /media).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

__all__ = ["available", "serve", "slider_to_idle"]


def available() -> str:
    """Empty string when the browser bench can run, else the reason it cannot."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} missing"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed"
    return ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve():
    """``streamlit run app.py`` on a free port; yields its URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("streamlit did not start within 60 s") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


_IDLE_JS = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')"""


def _wait_idle(page, timeout_s: float = 120.0) -> float:
    """Seconds until the app is idle (polled every 10 ms)."""
    start = time.perf_counter()
    page.wait_for_timeout(30)  # let the rerun start
    page.wait_for_function(_IDLE_JS, timeout=timeout_s * 1000, polling=10)
    return time.perf_counter() - start


class _Bytes:
    def __init__(self, page):
        self.total = 0
        page.on("websocket", self._ws)
        page.on("response", self._response)

    def _ws(self, ws):
        ws.on("framereceived", lambda payload: self._add(len(payload)))

    def _response(self, response):
        try:
            size = response.headers.get("content-length")
            self._add(int(size) if size else len(response.body()))
        except Exception:  # a response without a body (redirect, aborted)
            pass

    def _add(self, n):
        self.total += n


def slider_to_idle(image_jpeg: bytes, steps: int = 5, label: str = "Threshold",
                   method: str = "Manual threshold", progress=print) -> dict:
    """Upload ``image_jpeg``, pick ``method`` and press → on its slider ``steps`` times.

    Returns per-step idle times (s) and bytes received, plus upload-to-view time.
    """
    from playwright.sync_api import sync_playwright

    with serve() as url, sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_upload.jpg"
        path.write_bytes(image_jpeg)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        counter = _Bytes(page)
        page.goto(url + "/upload")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').wait_for(state="attached", timeout=60_000)
        _wait_idle(page)
        start = time.perf_counter()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
        page.wait_for_timeout(500)
        _wait_idle(page)
        # Navigate inside the app (a new page load would start a new session).
        page.locator('[data-testid="stSidebarNav"] a', has_text="Segment").first.click()
        page.wait_for_timeout(300)
        _wait_idle(page)
        upload_to_view = time.perf_counter() - start
        for box_label, option in (("Family", "Threshold"), ("Method", method)):
            box = page.get_by_role("combobox", name=box_label, exact=True).last
            if box.input_value() != option:
                box.click()
                page.get_by_role("option", name=option, exact=True).click()
                _wait_idle(page)
        slider = page.get_by_role("slider", name=label).first
        slider.wait_for(timeout=30_000)
        times, sizes = [], []
        for _ in range(steps):
            slider.focus()
            before = counter.total
            page.keyboard.press("ArrowRight")
            times.append(_wait_idle(page))
            page.wait_for_timeout(200)  # late media responses count for this step
            sizes.append(counter.total - before)
        progress(f"  browser: slider step to idle {np.median(times)*1e3:.0f} ms, "
                 f"{np.median(sizes)/1e3:.0f} kB per rerun")
        browser.close()
    return {"upload_to_view_s": upload_to_view, "step_s": times, "step_bytes": sizes}
