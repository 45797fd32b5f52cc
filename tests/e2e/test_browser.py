"""End-to-end: the real app in Debian's Chromium, driven by Playwright.

Starts ``streamlit run app.py`` on a free port, walks Home → Segment (Otsu, a
slider, a GrabCut box drawn with the mouse) → Restore (detect damage and
inpaint) → download, and saves screenshots of every page to test-artifacts/.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the browser fixture skips the test
    PlaywrightTimeout = TimeoutError

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         # Edits to the sources during the test (the repo is shared) must not prompt a rerun.
         "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ})
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start within 60 s")
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _settle(page, timeout=60_000):
    """Wait until Streamlit has finished the current run."""
    try:  # a run starts a moment after the click; wait for it to show up, then to end
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="attached", timeout=1_500)
    except PlaywrightTimeout:
        pass  # it was quick, or already over
    try:
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout)
    except PlaywrightTimeout:
        widget = page.locator('[data-testid="stStatusWidget"]')
        raise AssertionError(f"still running after {timeout} ms: {widget.inner_text()!r}") from None
    page.wait_for_timeout(300)


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _choose(page, label, option):
    """Pick ``option`` in the st.selectbox labelled ``label``."""
    for _attempt in range(3):
        box = page.get_by_role("combobox", name=label, exact=True).last
        if box.input_value() == option:
            return
        box.click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            break
        except PlaywrightTimeout:  # the box was re-rendered under the mouse: try again
            page.keyboard.press("Escape")
            _settle(page)
    _settle(page)
    assert page.get_by_role("combobox", name=label, exact=True).last.input_value() == option


def _assert_clean(page, errors):
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not errors, errors


def test_walkthrough(browser, server):
    timings = {}
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: print("request failed:", r.url))
    page.on("response", lambda r: print("HTTP", r.status, r.url) if r.status >= 400 else None)

    start = time.time()
    page.goto(server)
    page.get_by_text("Segmentation as a step of image restoration").wait_for(timeout=60_000)
    _settle(page)
    timings["home"] = time.time() - start
    _shot(page, "home_1400")
    _assert_clean(page, errors)

    start = time.time()
    page.get_by_role("button", name="Coins").first.click()
    page.get_by_role("heading", name="Segment").wait_for(timeout=60_000)
    _settle(page)
    timings["segment"] = time.time() - start
    _choose(page, "Family", "Threshold")
    _choose(page, "Method", "Otsu")
    _assert_clean(page, errors)
    assert "Otsu" in page.locator('[data-testid="stSidebar"]').inner_text()

    # Move a slider with the keyboard: the overlay opacity.
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Opacity")
    before = slider.locator('[data-testid="stSliderThumbValue"]').inner_text()
    slider.get_by_role("slider").focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    _settle(page)
    after = slider.locator('[data-testid="stSliderThumbValue"]').inner_text()
    assert float(after) > float(before), (before, after)
    _shot(page, "segment_otsu_1400")

    # GrabCut: drag a box on the plotly image (box-select mode).
    _choose(page, "Family", "Interactive")
    _choose(page, "Method", "GrabCut")
    plot = page.locator('[data-testid="stPlotlyChart"]').first
    plot.scroll_into_view_if_needed()
    area = plot.locator(".nsewdrag").first.bounding_box()
    x0, y0 = area["x"] + area["width"] * 0.2, area["y"] + area["height"] * 0.2
    x1, y1 = area["x"] + area["width"] * 0.8, area["y"] + area["height"] * 0.8
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    _settle(page)
    page.wait_for_timeout(1000)  # the replaced read-only box fades out
    shown = page.get_by_role("textbox", name="Rect").last.input_value()
    rect = [float(v) for v in shown.strip("()").split(",")]
    assert np.allclose(rect, [0.2, 0.2, 0.8, 0.8], atol=0.03), shown
    start = time.time()
    page.get_by_role("button", name="Apply").click()
    _settle(page, 120_000)
    timings["grabcut_apply"] = time.time() - start
    _assert_clean(page, errors)
    _shot(page, "segment_grabcut_1400")

    # Seeds: a small box adds one seed at its centre.
    _choose(page, "Method", "Marker watershed")
    page.get_by_role("button", name="Clear seeds").click()
    _settle(page)
    area = page.locator('[data-testid="stPlotlyChart"]').first.locator(".nsewdrag").first.bounding_box()
    x, y = area["x"] + area["width"] * 0.6, area["y"] + area["height"] * 0.6
    page.mouse.move(x - 10, y - 10)
    page.mouse.down()
    page.mouse.move(x + 10, y + 10, steps=5)
    page.mouse.up()
    _settle(page)
    page.wait_for_timeout(1000)
    seeds = page.get_by_role("textbox", name="Markers").last.input_value()
    x_seed, y_seed, label = (float(v) for v in seeds.strip("()").split(","))
    assert np.allclose([x_seed, y_seed], [0.6, 0.6], atol=0.02) and label == 1, seeds
    _assert_clean(page, errors)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Current image" in sidebar and "Segmentation:" in sidebar, sidebar
    _shot(page, "segment_seeds_1400")

    start = time.time()
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Restore").click()
    page.get_by_role("heading", name="Restore").wait_for(timeout=60_000)
    _settle(page)
    timings["restore"] = time.time() - start
    _choose(page, "Use the segmentation", "Detect damage, then inpaint it")
    page.get_by_role("button", name="Apply").click()
    _settle(page, 120_000)
    _assert_clean(page, errors)
    _shot(page, "restore_detect_1400")
    # The before/after split: both images of the same pixel size, in the same box, so they
    # align pixel for pixel wherever the split is.
    frame = next(f for f in page.frames if f != page.main_frame and f.query_selector("#ba"))
    geometry = frame.evaluate("""() => { const box = e => { const r = document.querySelector(e)
        .getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; };
        const b = document.getElementById('before'), a = document.getElementById('after');
        return {ba: box('#ba'), before: box('#before'), after: box('#after'),
                sizes: [b.naturalWidth, b.naturalHeight, a.naturalWidth, a.naturalHeight]}; }""")
    assert geometry["before"] == geometry["after"] == geometry["ba"], geometry
    w, h, aw, ah = geometry["sizes"]
    assert (w, h) == (aw, ah) and (w, h) == (384, 303), geometry
    assert abs(geometry["ba"][2] / geometry["ba"][3] - w / h) < 0.01, geometry  # no letterboxing
    with page.expect_download() as info:
        page.get_by_role("button", name="Restored PNG").click()
    path = info.value.path()
    import cv2

    restored = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert restored is not None and restored.ndim in (2, 3) and restored.shape[0] > 10

    for name in ("Upload", "Home", "Segment", "Restore"):
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name).click()
        page.get_by_role("heading", name=name if name != "Home" else
                         "Segmentation as a step of image restoration").wait_for(timeout=60_000)
        _settle(page)
        _shot(page, f"{name.lower()}_1400")
        page.set_viewport_size({"width": 1000, "height": 1000})
        _settle(page)
        _shot(page, f"{name.lower()}_1000")
        page.set_viewport_size({"width": 1400, "height": 1000})
    _assert_clean(page, errors)
    (ARTIFACTS / "timings.txt").write_text("\n".join(f"{k}: {v:.2f} s" for k, v in timings.items()))
    page.close()
