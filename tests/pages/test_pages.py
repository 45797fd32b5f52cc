"""Every page, headless, with streamlit.testing.v1.AppTest.

AppTest drives st.file_uploader (``set_value``) in streamlit 1.67, so uploads
go through the real Upload page. It cannot drive plotly selections or the
before/after component: tests/e2e covers those in a browser.
"""
from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image

import segcore
from tests.conftest import disk_image
from tests.pages.conftest import (
    decode,
    go,
    new_app,
    no_exception,
    open_tab,
    png_bytes,
    select,
    upload,
)

PAGES = ("home", "upload", "segment", "restore")


@pytest.fixture(scope="module")
def loaded_app():
    """One app session with a tiny 48x48 colour image loaded, shared by the method tests."""
    at = new_app()
    upload(at, png_bytes(disk_image(48, 14, color=True)[0]))
    no_exception(at)
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_without_image_shows_guidance(page):
    at = new_app()
    go(at, page)
    no_exception(at)
    if page != "home":
        assert any("No image yet" in i.value for i in at.info)


def test_every_page_with_a_sample():
    at = new_app()
    at.button(key="sample:coins").click().run()
    no_exception(at)
    assert at.session_state["image"].shape == (303, 384)
    assert at.session_state["seg_result"]["method"] == "otsu"  # Segment opened with Otsu
    for page in PAGES:
        go(at, page)
        no_exception(at)
        assert not at.error, [e.value for e in at.error]


def _gif_bytes():
    frames = [Image.fromarray(np.full((20, 24), v, np.uint8)) for v in (0, 128, 255)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)
    return buf.getvalue()


def _cmyk_jpeg():
    buf = io.BytesIO()
    Image.new("CMYK", (30, 20), (10, 200, 30, 0)).save(buf, format="JPEG")
    return buf.getvalue()


def _png16():
    ramp = np.tile(np.linspace(0, 65535, 32).astype(np.uint16), (16, 1))
    buf = io.BytesIO()
    Image.fromarray(ramp).save(buf, format="PNG")
    return buf.getvalue()


def _rgba():
    arr = np.zeros((16, 16, 4), np.uint8)
    arr[..., 0] = 255
    arr[..., 3] = np.linspace(0, 255, 16).astype(np.uint8)
    return png_bytes(arr)


def _palette():
    buf = io.BytesIO()
    Image.fromarray(disk_image(32, 10)[0]).convert("P", palette=Image.Palette.ADAPTIVE, colors=8).save(buf, "PNG")
    return buf.getvalue()


ODD_FILES = {
    "ramp16.png": (_png16, (16, 32), np.uint16),
    "rgba.png": (_rgba, (16, 16, 3), np.uint8),
    "palette.png": (_palette, (32, 32), None),
    "cmyk.jpg": (_cmyk_jpeg, (20, 30, 3), np.uint8),
    "anim.gif": (_gif_bytes, (20, 24), None),
}


@pytest.mark.parametrize("name", list(ODD_FILES))
def test_odd_but_valid_uploads(name):
    make, shape, dtype = ODD_FILES[name]
    at = upload(new_app(), make(), name)
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    image = at.session_state["image"]
    assert image.shape[:2] == shape[:2]
    if len(shape) == 3:
        assert image.shape == shape
    if dtype is not None:
        assert image.dtype == dtype
    go(at, "segment")
    no_exception(at)


def test_bad_upload_shows_error_and_keeps_image(tiny_png):
    at = upload(new_app(), tiny_png, "good.png")
    digest = at.session_state["image_digest"]
    at.file_uploader[0].set_value(("broken.png", b"\x89PNG\r\n\x1a\n not really a png", "image/png")).run()
    no_exception(at)
    assert at.error and "broken.png" in at.error[0].value
    assert "still here" in at.error[0].value
    assert at.session_state["image_digest"] == digest


def test_state_survives_page_switches(tiny_png):
    at = upload(new_app(), tiny_png)
    go(at, "segment")
    select(at, "Method", "threshold_manual")
    at.slider(key="seg:threshold_manual:threshold").set_value(90).run()
    no_exception(at)
    labels = at.session_state["seg_labels"].copy()
    digest = at.session_state["image_digest"]
    go(at, "restore")
    select(at, "Use the segmentation", "outside")
    no_exception(at)
    go(at, "upload")
    go(at, "segment")
    no_exception(at)
    assert next(s for s in at.selectbox if s.label == "Method").value == "threshold_manual"
    assert at.slider(key="seg:threshold_manual:threshold").value == 90
    assert at.session_state["image_digest"] == digest
    np.testing.assert_array_equal(at.session_state["seg_labels"], labels)
    go(at, "restore")
    assert next(s for s in at.selectbox if s.label == "Use the segmentation").value == "outside"


def _click(at, label):
    for button in at.button:
        if button.label == label:
            button.click().run()
            return True
    return False


@pytest.mark.parametrize("method_id", [m.id for m in segcore.methods("segment")])
def test_every_segment_method_runs(loaded_app, method_id):
    at = loaded_app
    method = segcore.get(method_id)
    go(at, "segment")
    select(at, "Family", method.family)
    select(at, "Method", method_id)
    if not method.live:
        assert _click(at, "Apply")
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    result = at.session_state["seg_result"]
    assert result["method"] == method_id
    assert at.session_state["seg_labels"].shape == (48, 48)


@pytest.mark.parametrize("method_id", [m.id for m in segcore.methods("restore")])
def test_every_restore_method_runs(loaded_app, method_id):
    at = loaded_app
    method = segcore.get(method_id)
    go(at, "restore")
    select(at, "Use the segmentation", "detect" if method.needs_mask else "none")
    select(at, "Family", method.family)
    select(at, "Method", method_id)
    _click(at, "Apply")
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["rest_result"]["method"] == method_id


def test_downloads_decode(tiny_png, downloads):
    at = upload(new_app(), tiny_png, "tiny.png")
    go(at, "segment")
    no_exception(at)
    go(at, "restore")
    select(at, "Use the segmentation", "inside")
    no_exception(at)
    names = sorted(downloads)
    mask = decode(next(v for k, v in downloads.items() if k.endswith("_mask.png")))
    assert mask.shape == (48, 48) and set(np.unique(mask)) <= {0, 255}
    labels = decode(next(v for k, v in downloads.items() if k.endswith("_labels.png")))
    assert labels.shape == (48, 48) and labels.dtype == np.uint16
    overlay = decode(next(v for k, v in downloads.items() if k.endswith("_overlay.png")))
    assert overlay.shape == (48, 48, 3)
    csv = next(v for k, v in downloads.items() if k.endswith("_regions.csv")).decode()
    assert len(csv.strip().splitlines()) >= 2
    restored = decode(downloads["tiny_gaussian.png"] if "tiny_gaussian.png" in downloads else
                      next(v for k, v in downloads.items() if k.startswith("tiny_") and k.endswith(".png")
                           and not k.endswith(("_mask.png", "_labels.png", "_overlay.png"))))
    assert restored.shape == (48, 48, 3) and restored.dtype == np.uint8
    recipe = segcore.recipe.Recipe.from_json(downloads["tiny_recipe.json"].decode())
    assert recipe.segment.method == "otsu" and recipe.restore[0].use_mask == "inside"
    script = downloads["tiny_recipe.py"].decode()
    compile(script, "tiny_recipe.py", "exec")
    assert names


def _wait_job(at, key, seconds=30):
    """Rerun until the background job has stored ``session_state[key]`` (progress shown meanwhile)."""
    deadline = time.monotonic() + seconds
    while at.session_state[key] is None and time.monotonic() < deadline:
        time.sleep(0.1)
        at.run()
        no_exception(at)
    return at.session_state[key]


def test_full_resolution_try_all_tuning_and_compare():
    """A 1300x40 image gets a 1200-px preview, so the Full resolution buttons appear."""
    wide = np.tile(disk_image(40, 12)[0], (1, 33))[:, :1300]
    at = upload(new_app(), png_bytes(wide), "wide.png")
    go(at, "segment")
    assert at.session_state["image_preview"].shape == (37, 1200)
    open_tab(at, "seg_tab", "Try all")
    assert _click(at, f"Run all {len(segcore.methods('segment', 'threshold'))} threshold methods")
    no_exception(at)
    assert len(at.session_state["seg_grid"][next(iter(at.session_state["seg_grid"]))]) >= 2
    assert _click(at, "Full resolution (1300×40)")
    no_exception(at)
    _, full = _wait_job(at, "seg_full")
    assert full.shape == (40, 1300)
    assert any(c.value.startswith(":material/check_circle:") for c in at.caption)
    go(at, "restore")
    select(at, "Family", "denoise")
    select(at, "Method", "tv_chambolle")
    assert _click(at, "Apply")
    open_tab(at, "rest_tab", "Tuning")
    assert _click(at, "Tune automatically")
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert _click(at, "Use the best setting")
    no_exception(at)
    open_tab(at, "rest_tab", "Compare methods")
    assert any(b.label.startswith("Compare") for b in at.button)
    assert _click(at, next(b.label for b in at.button if b.label.startswith("Compare")))
    no_exception(at)
    assert at.dataframe, "the comparison table is shown"
    assert _click(at, "Full resolution (1300×40)")
    no_exception(at)
    assert _wait_job(at, "rest_full")[1].shape == (40, 1300)


def test_degradation_lab_gives_reference_and_truth(tiny_png):
    at = upload(new_app(), tiny_png)
    at.multiselect[0].set_value(["scratches", "gaussian_noise"]).run()
    no_exception(at)
    assert _click(at, "Use degraded image")
    no_exception(at)
    assert at.session_state["reference_image"].shape == (48, 48, 3)
    assert at.session_state["truth_mask"].dtype == bool
    go(at, "segment")
    no_exception(at)
    assert {m.label for m in at.metric} >= {"IoU", "Dice"}
    go(at, "restore")
    no_exception(at)
    assert {m.label for m in at.metric} >= {"PSNR", "SSIM", "Noise σ"}


def test_tabs_are_lazy(tiny_png):
    """Only the open tab's content is built: the region map appears when its tab is opened."""
    at = upload(new_app(), tiny_png)
    go(at, "segment")
    no_exception(at)
    # The sidebar thumbnail and the overlay (Overlay tab, open by default) are images.
    assert len(at.main.get("image")) == 1
    assert not at.get("plotly_chart"), "no figure of a closed tab is sent"
    open_tab(at, "seg_tab", "Region map")
    no_exception(at)
    assert len(at.get("plotly_chart")) == 1
    open_tab(at, "seg_tab", "Statistics")
    table = at.dataframe[0].value
    assert len(table) == 1 and 560 < table["area"].iloc[0] < 660  # the disk of radius 14: 616 px
    go(at, "restore")
    no_exception(at)
    assert not at.get("plotly_chart")
    open_tab(at, "rest_tab", "Difference")
    no_exception(at)
    assert len(at.get("plotly_chart")) == 1


@pytest.fixture
def gated_full_segment(monkeypatch):
    """Full-resolution segmentation jobs wait for the returned event before they run."""
    import threading

    from dashboard import views

    gate = threading.Event()
    original = views._full_segment

    def gated(*args, **kwargs):
        assert gate.wait(30)
        return original(*args, **kwargs)

    monkeypatch.setattr(views, "_full_segment", gated)
    yield gate
    gate.set()


def test_full_resolution_job_shows_progress_and_cancels(gated_full_segment):
    wide = np.tile(disk_image(40, 12)[0], (1, 33))[:, :1300]
    at = upload(new_app(), png_bytes(wide), "wide.png")
    go(at, "segment")
    assert _click(at, "Full resolution (1300×40)")
    no_exception(at)
    # Running: a progress bar and a Cancel button; the sliders still work meanwhile.
    assert at.get("progress") and at.button(key="seg_full:cancel")
    select(at, "Method", "threshold_manual")
    at.slider(key="seg:threshold_manual:threshold").set_value(90).run()
    no_exception(at)
    assert at.session_state["seg_result"]["params"]["threshold"] == 90
    # Changing the settings dropped the job; start one for these settings, then cancel it.
    assert not at.get("progress")
    assert _click(at, "Full resolution (1300×40)")
    assert at.get("progress")
    at.button(key="seg_full:cancel").click().run()
    no_exception(at)
    assert not at.get("progress") and at.session_state["seg_full"] is None
    # Start again and let it finish: the result replaces the progress bar.
    assert _click(at, "Full resolution (1300×40)")
    gated_full_segment.set()
    _, full = _wait_job(at, "seg_full")
    assert full.shape == (40, 1300) and set(np.unique(full)) <= {0, 1}
    assert not at.get("progress")


@pytest.mark.parametrize("guide", ["inside", "detect"])
def test_recipe_download_reproduces_the_restored_download(guide, downloads):
    """The recipe JSON from Restore, run headless, gives the restored PNG bit for bit."""
    image = disk_image(64, 18, color=True, seed=3)[0]
    image[30:32, 5:60] = 250  # a bright scratch for the damage detector
    at = upload(new_app(), png_bytes(image), "scratched.png")
    go(at, "segment")
    go(at, "restore")
    select(at, "Use the segmentation", guide)
    if guide == "detect":
        select(at, "Family", "inpaint")
        select(at, "Method", "inpaint_telea")
        next(s for s in at.slider if s.label == "Grow the mask by").set_value(2).run()
    if any(b.label == "Apply" for b in at.button):
        _click(at, "Apply")
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    recipe = segcore.recipe.Recipe.from_json(downloads["scratched_recipe.json"].decode())
    if guide == "detect":
        assert [s.method for s in recipe.steps] == ["detect_scratches", "dilate", "inpaint_telea"]
    restored = decode(downloads[f"scratched_{recipe.restore[0].method}.png"])
    expected = segcore.recipe.run(recipe, image).image
    if restored.ndim == 3:
        restored = restored[..., ::-1]  # cv2 decodes BGR
    np.testing.assert_array_equal(restored, expected)
