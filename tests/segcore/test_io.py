"""Tests for segcore.io: intake of bad and odd files, previews, encoders."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import tracemalloc
import warnings

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from segcore import io as sio
from segcore.io import DEFAULT_LIMITS, ImageError, Limits, LoadedImage, load_image, make_preview
from tests.segcore import _badfiles as bad

BAD = bad.bad_inputs()
ODD = bad.odd_inputs()
ADVICE = ("please", "upload", "export", "convert", "crop", "resize", "save", "try")


# --------------------------------------------------------------------------- limits and errors


def test_limits_in_one_frozen_place():
    assert DEFAULT_LIMITS == Limits(max_bytes=200_000_000, max_pixels=50_000_000, min_side=8, max_aspect=50.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_LIMITS.max_bytes = 1
    assert issubclass(ImageError, ValueError)


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_raises_helpful_image_error(case):
    data, name, word = BAD[case]
    with pytest.raises(ImageError) as info:
        load_image(io.BytesIO(data) if name is None else _named(data, name))
    message = str(info.value)
    assert word.lower() in message.lower()
    assert any(w in message.lower() for w in ADVICE), message
    assert "Traceback" not in message and len(message) < 400


def _named(data, name):
    buf = io.BytesIO(data)
    buf.name = name
    return buf


def test_text_message_mentions_supported_formats():
    with pytest.raises(ImageError, match="PNG, JPEG, TIFF, BMP, WebP or GIF"):
        load_image(BAD["text_named_jpg"][0])


def test_huge_header_rejected_without_allocating():
    data = bad.png_header_only(30000, 30000)
    tracemalloc.start()
    try:
        with pytest.raises(ImageError, match="too large"):
            load_image(data)
        # Even when our own limit would allow it, Pillow's bomb guard is converted.
        with pytest.raises(ImageError, match="too large"):
            load_image(data, limits=Limits(max_pixels=10**12))
        # 16-bit header goes through OpenCV: still checked first.
        with pytest.raises(ImageError, match="too large"):
            load_image(bad.png_header_only(30000, 30000, depth=16, color_type=2))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50e6


@pytest.mark.parametrize("kind", sorted(bad.header_bombs()))
def test_every_format_checks_declared_size_before_decoding(kind):
    data = bad.header_bombs()[kind]
    tracemalloc.start()
    try:
        with pytest.raises(ImageError, match="too large"):
            load_image(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50e6


def test_pillow_bomb_warning_and_error_never_escape(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load_image(bad.pil_bytes(Image.fromarray(bad.gradient(40, 40)), "PNG"))  # 1600 px: a warning
    assert loaded.image.shape == (40, 40)
    with pytest.raises(ImageError, match="too large"):
        load_image(bad.pil_bytes(Image.fromarray(bad.gradient(50, 50)), "PNG"))  # 2500 px: an error


def test_byte_limit_for_bytes_path_and_file(tmp_path):
    data = bad.pil_bytes(Image.fromarray(bad.gradient(64, 64, 3)), "PNG")
    small = Limits(max_bytes=len(data) - 1)
    path = tmp_path / "img.png"
    path.write_bytes(data)
    for source in (data, path, str(path), io.BytesIO(data)):
        with pytest.raises(ImageError, match="too big"):
            load_image(source, limits=small)
    assert load_image(data, limits=Limits(max_bytes=len(data))).width == 64


def test_custom_pixel_side_and_aspect_limits():
    data = bad.pil_bytes(Image.fromarray(bad.gradient(20, 100)), "PNG")
    with pytest.raises(ImageError, match="too large"):
        load_image(data, limits=Limits(max_pixels=1999))
    with pytest.raises(ImageError, match="too small"):
        load_image(data, limits=Limits(min_side=21))
    with pytest.raises(ImageError, match="long and thin"):
        load_image(data, limits=Limits(max_aspect=4.9))
    assert load_image(data, limits=Limits(max_aspect=5.0)).image.shape == (20, 100)


def test_bad_sources():
    with pytest.raises(ImageError, match="could not find"):
        load_image("/no/such/file.png")
    with pytest.raises(ImageError, match="cannot read an image from"):
        load_image(12345)
    with pytest.raises(ImageError, match="binary"):
        load_image(io.StringIO("hello"))


def test_keyboard_interrupt_is_not_swallowed(monkeypatch):
    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sio, "_decode_pil", boom)
    with pytest.raises(KeyboardInterrupt):
        load_image(bad.pil_bytes(Image.fromarray(bad.gradient()), "PNG"))


# --------------------------------------------------------------------------- odd but valid


@pytest.mark.parametrize("case", sorted(ODD))
def test_odd_input_loads(case):
    data, shape, dtype, word = ODD[case]
    loaded = load_image(data)
    assert isinstance(loaded, LoadedImage)
    assert loaded.image.shape == shape
    assert loaded.image.dtype == dtype
    assert loaded.image.flags.c_contiguous
    assert loaded.digest == hashlib.sha1(data).hexdigest()
    if word:
        assert any(word.lower() in note.lower() for note in loaded.notes), loaded.notes
    if dtype == np.float32:
        assert np.isfinite(loaded.image).all()
        assert 0.0 <= loaded.image.min() and loaded.image.max() <= 1.0


def test_sixteen_bit_values_are_exact():
    grey = bad.gradient(dtype=np.uint16)
    rgb = bad.gradient(24, 32, 3, np.uint16)
    np.testing.assert_array_equal(load_image(bad.cv2_png(grey)).image, grey)
    np.testing.assert_array_equal(load_image(bad.cv2_png(rgb)).image, rgb)  # RGB order, not BGR
    np.testing.assert_array_equal(load_image(bad.tiff_bytes(rgb, photometric="rgb")).image, rgb)
    assert load_image(bad.cv2_png(rgb)).original_mode == "RGB;16"


def test_rgba_flattened_onto_white():
    rgba = bad.gradient(24, 32, 4)
    rgba[..., 3] = 0
    rgba[:, 16:, 3] = 255
    out = load_image(bad.pil_bytes(Image.fromarray(rgba, "RGBA"), "PNG")).image
    assert (out[:, :16] == 255).all()
    np.testing.assert_array_equal(out[:, 16:], rgba[:, 16:, :3])
    opaque = rgba.copy()
    opaque[..., 3] = 255
    loaded = load_image(bad.pil_bytes(Image.fromarray(opaque, "RGBA"), "PNG"))
    np.testing.assert_array_equal(loaded.image, opaque[..., :3])
    assert any("fully opaque" in n for n in loaded.notes)


def test_half_transparent_grey_alpha():
    la = np.dstack([np.zeros((16, 16), np.uint8), np.full((16, 16), 128, np.uint8)])
    out = load_image(bad.pil_bytes(Image.fromarray(la, "LA"), "PNG")).image
    assert out.shape == (16, 16)
    assert abs(int(out[0, 0]) - 127) <= 1  # black at 50 % over white


def test_cmyk_and_palette_colours():
    rgb = load_image(ODD["cmyk_jpeg"][0]).image
    assert np.abs(rgb[12, 16].astype(int) - [255, 0, 255]).max() <= 3  # magenta ink -> magenta
    tiff = load_image(ODD["cmyk_tiff"][0]).image
    np.testing.assert_array_equal(tiff[0, 0], [255, 0, 255])
    pal = load_image(ODD["palette_tiff"][0]).image
    ref = np.asarray(Image.open(io.BytesIO(ODD["palette_tiff"][0])).convert("RGB"))
    np.testing.assert_array_equal(pal, ref)
    gif = load_image(ODD["animated_gif"][0])
    np.testing.assert_array_equal(gif.image[0, 0], [0, 255, 0])  # frame 0 is palette index 0
    assert gif.format == "GIF" and gif.original_mode == "P"


def test_exif_orientation_applied():
    stored = bad.gradient(24, 40, 3)
    data = bad.exif_rotated_jpeg(40, 24, 6)
    loaded = load_image(data)
    assert (loaded.height, loaded.width) == (40, 24)
    expected = np.rot90(stored, -1).astype(int)  # 6 = rotate 90 degrees clockwise
    assert np.abs(loaded.image.astype(int) - expected).mean() < 4


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_matches_pillow(orientation):
    arr = bad.gradient(6, 10, 3)
    img = Image.fromarray(arr)
    exif = img.getexif()
    exif[0x0112] = orientation
    img.info["exif"] = exif.tobytes()
    img._exif = exif
    expected = np.asarray(ImageOps.exif_transpose(img))
    np.testing.assert_array_equal(sio._orient(arr, orientation), expected)


def test_float_nan_replacement_documented_rule():
    arr = np.array([[0.0, 2.0, 4.0, np.nan], [np.inf, -np.inf, 1.0, 3.0]] * 4, np.float32)
    arr = np.tile(arr, (1, 2))
    loaded = load_image(bad.tiff_bytes(arr))
    out = loaded.image
    # finite values 0..4 -> [0, 1]; NaN -> median 2 -> 0.5; +inf -> 4 -> 1; -inf -> 0 -> 0
    assert out[0, 3] == pytest.approx(0.5)
    assert out[1, 0] == pytest.approx(1.0)
    assert out[1, 1] == pytest.approx(0.0)
    assert out[0, 1] == pytest.approx(0.5)
    assert any("NaN/inf pixels replaced" in n for n in loaded.notes)
    assert any("rescaled" in n for n in loaded.notes)


def test_float_in_unit_range_kept():
    arr = bad.gradient(16, 16, dtype=np.float32)
    loaded = load_image(bad.tiff_bytes(arr))
    np.testing.assert_array_equal(loaded.image, arr)


def test_other_integer_tiffs():
    labels = (np.arange(16 * 16).reshape(16, 16) * 100).astype(np.int32)
    assert load_image(bad.tiff_bytes(labels)).image.dtype == np.uint16
    signed = labels.astype(np.int32) - 5000
    out = load_image(bad.tiff_bytes(signed)).image
    assert out.dtype == np.float32 and out.min() == 0.0 and out.max() == 1.0


# --------------------------------------------------------------------------- sources


def test_path_bytes_and_file_like_agree(tmp_path):
    data = bad.pil_bytes(Image.fromarray(bad.gradient(24, 32, 3)), "PNG")
    path = tmp_path / "picture.png"
    path.write_bytes(data)
    digest = hashlib.sha1(data).hexdigest()
    results = [load_image(s) for s in (data, bytearray(data), memoryview(data), path, str(path),
                                       io.BytesIO(data), open(path, "rb"))]
    buf = io.BytesIO(data)
    buf.read()  # already consumed once (e.g. by the page)
    results.append(load_image(buf))
    for r in results:
        assert r.digest == digest
        np.testing.assert_array_equal(r.image, results[0].image)
        assert r.format == "PNG" and r.original_mode == "RGB"
    assert results[3].name == "picture.png" and results[0].name is None
    assert results[-2].name == "picture.png"
    r = results[0]
    assert (r.height, r.width, r.channels, r.dtype) == (24, 32, 3, np.uint8)
    assert r.megapixels == pytest.approx(24 * 32 / 1e6)
    assert r.n_bytes == len(data)


# --------------------------------------------------------------------------- fuzz


def _only_image_error(data):
    try:
        result = load_image(data)
    except ImageError:
        return
    assert isinstance(result, LoadedImage)
    assert result.image.dtype in (np.uint8, np.uint16, np.float32)
    assert result.image.ndim == 2 or result.image.shape[2] == 3


def test_fuzz_random_truncated_and_bit_flipped():
    rng = np.random.default_rng(42)
    for _ in range(200):
        n = int(rng.integers(0, 3000))
        _only_image_error(bytes(rng.integers(0, 256, n, dtype=np.uint8)))
    for prefix in (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM", b"RIFF\0\0\0\0WEBP"):
        for _ in range(20):
            _only_image_error(prefix + bytes(rng.integers(0, 256, int(rng.integers(0, 500)), dtype=np.uint8)))
    for kind, data in bad.valid_samples().items():
        assert isinstance(load_image(data), LoadedImage), kind
        for cut in np.unique(np.linspace(0, len(data) - 1, 60).astype(int)):
            _only_image_error(data[:cut])
        for _ in range(120):
            flipped = bytearray(data)
            for _ in range(int(rng.integers(1, 4))):
                pos = int(rng.integers(0, len(flipped)))
                flipped[pos] ^= 1 << int(rng.integers(0, 8))
            _only_image_error(bytes(flipped))


# --------------------------------------------------------------------------- previews


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, bool, np.int32])
def test_make_preview_scale_and_dtype(dtype):
    image = np.ones((2000, 3000, 3) if dtype != bool and dtype != np.int32 else (2000, 3000), dtype)
    preview, scale = make_preview(image, max_side=1200)
    assert scale == pytest.approx(0.4)
    assert preview.shape[:2] == (800, 1200)
    assert preview.shape[2:] == image.shape[2:]
    assert preview.dtype == image.dtype
    assert (preview == 1).all()


def test_make_preview_area_average_and_labels():
    image = np.zeros((100, 100), np.uint8)
    image[:, 1::2] = 200  # stripes average to 100
    preview, scale = make_preview(image, max_side=50)
    assert scale == 0.5 and (preview == 100).all()
    labels = np.repeat(np.arange(10, dtype=np.int32), 10)[None, :].repeat(20, 0)
    small, _ = make_preview(labels, 50)
    assert set(np.unique(small)) == set(range(10))  # no blended label values


def test_make_preview_never_upscales():
    image = bad.gradient(300, 200, 3)
    preview, scale = make_preview(image, max_side=1200)
    assert scale == 1.0 and preview.shape == image.shape
    with pytest.raises(ValueError):
        make_preview(image, max_side=0)


# --------------------------------------------------------------------------- encoders


@pytest.mark.parametrize("image", [
    bad.gradient(24, 32), bad.gradient(24, 32, 3), bad.gradient(24, 32, dtype=np.uint16),
    bad.gradient(24, 32, 3, np.uint16),
], ids=["grey8", "rgb8", "grey16", "rgb16"])
def test_png_round_trip_exact(image):
    loaded = load_image(sio.to_png_bytes(image))
    np.testing.assert_array_equal(loaded.image, image)
    assert loaded.image.dtype == image.dtype


def test_png_masks_and_labels():
    mask = np.zeros((16, 16), bool)
    mask[4:8, 4:8] = True
    out = load_image(sio.to_png_bytes(mask)).image
    assert out.dtype == np.uint8 and set(np.unique(out)) == {0, 255}
    np.testing.assert_array_equal(out > 0, mask)
    labels = np.arange(16 * 16, dtype=np.int32).reshape(16, 16) * 200
    out = load_image(sio.to_png_bytes(labels)).image
    assert out.dtype == np.uint16
    np.testing.assert_array_equal(out, labels)
    with pytest.raises(ValueError, match="TIFF"):
        sio.to_png_bytes(labels * 100)


def test_png_float_becomes_16_bit():
    image = bad.gradient(16, 16, dtype=np.float32)
    out = load_image(sio.to_png_bytes(image)).image
    assert out.dtype == np.uint16
    np.testing.assert_allclose(out / 65535.0, image, atol=1e-4)


def test_jpeg_bytes_for_display():
    red = np.zeros((40, 60, 3), np.uint16)
    red[..., 0] = 65535
    data = sio.to_jpeg_bytes(red, quality=90)
    assert data[:3] == b"\xff\xd8\xff"
    out = load_image(data).image
    assert out.dtype == np.uint8
    assert out[20, 30, 0] > 240 and out[20, 30, 1:].max() < 15  # still red: RGB order kept
    small = load_image(sio.to_jpeg_bytes(bad.gradient(400, 600, 3, np.float32), max_side=120)).image
    assert small.shape == (80, 120, 3)
    with pytest.raises(ValueError):
        sio.to_jpeg_bytes(red, quality=0)


def test_save_image_formats(tmp_path):
    rgb16 = bad.gradient(24, 32, 3, np.uint16)
    np.testing.assert_array_equal(load_image(sio.save_image(tmp_path / "a.png", rgb16)).image, rgb16)
    np.testing.assert_array_equal(load_image(sio.save_image(tmp_path / "a.tif", rgb16)).image, rgb16)
    flt = bad.gradient(24, 32, dtype=np.float32)
    np.testing.assert_array_equal(load_image(sio.save_image(tmp_path / "f.tiff", flt)).image, flt)
    jpg = load_image(sio.save_image(tmp_path / "a.jpg", rgb16)).image
    assert jpg.dtype == np.uint8 and np.median(np.abs(jpg.astype(int) - rgb16 // 257)) <= 2
    assert load_image(sio.save_image(tmp_path / "a.webp", rgb16)).format == "WEBP"
    assert load_image(sio.save_image(tmp_path / "a.bmp", rgb16)).format == "BMP"
    with pytest.raises(ValueError, match="extension"):
        sio.save_image(tmp_path / "a.xyz", rgb16)


def test_opencv_agrees_with_pillow_on_png_colour_order():
    rgb = bad.gradient(24, 32, 3)
    pil = np.asarray(Image.open(io.BytesIO(sio.to_png_bytes(rgb))))
    np.testing.assert_array_equal(pil, rgb)
    bgr = cv2.imdecode(np.frombuffer(sio.to_png_bytes(rgb), np.uint8), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(bgr[..., ::-1], rgb)
