"""Bad and odd image files made in memory for the io tests (nothing is downloaded)."""
from __future__ import annotations

import io
import struct
import zlib

import cv2
import numpy as np
import tifffile
from PIL import Image


def gradient(h=24, w=32, channels=0, dtype=np.uint8):
    """A smooth test pattern of shape (h, w) or (h, w, channels)."""
    yy, xx = np.mgrid[:h, :w]
    base = (xx / max(w - 1, 1) * 0.7 + yy / max(h - 1, 1) * 0.3)
    if channels:
        base = np.stack([np.roll(base, k * 5, axis=1) for k in range(channels)], axis=-1)
    if np.dtype(dtype).kind == "f":
        return base.astype(dtype)
    top = np.iinfo(dtype).max
    return np.rint(base * top).astype(dtype)


def pil_bytes(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def png_header_only(width: int, height: int, depth: int = 8, color_type: int = 0) -> bytes:
    """A tiny PNG whose IHDR (with a correct CRC) declares ``width`` x ``height``."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
            + _chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _chunk(b"IEND", b""))


# --------------------------------------------------------------------------- bad inputs


def bad_inputs() -> dict[str, tuple[bytes, str | None, str]]:
    """name -> (bytes, file name, a word the error message must contain)."""
    png = pil_bytes(Image.fromarray(gradient()), "PNG")
    return {
        "zero_bytes": (b"", "empty.png", "empty"),
        "truncated_png": (png[: len(png) // 2], "cut.png", "damaged"),
        "text_named_jpg": (b"Hello, this is a shopping list.\nmilk\neggs\n" * 5, "photo.jpg", "text"),
        "html": (b"<!DOCTYPE html>\n<html><head><title>Cat</title></head><body><img src='cat.jpg'></body></html>",
                 "cat.png", "web page"),
        "svg": (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                b'<circle cx="5" cy="5" r="4"/></svg>', "logo.svg", "SVG"),
        "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "scan.pdf", "PDF"),
        "zip": (b"PK\x03\x04" + bytes(40), "photos.zip", "ZIP"),
        "heic": (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "IMG_0001.HEIC", "HEIC"),
        "random_binary": (bytes(np.random.default_rng(1).integers(0, 256, 300, dtype=np.uint8)), "x.bin", "recognise"),
        "one_pixel_png": (pil_bytes(Image.new("L", (1, 1)), "PNG"), "dot.png", "too small"),
        "long_thin_png": (pil_bytes(Image.new("L", (20000, 20)), "PNG"), "strip.png", "long and thin"),
        "huge_header_png": (png_header_only(30000, 30000), "bomb.png", "too large"),
        "all_nan_tiff": (tiff_bytes(np.full((16, 16), np.nan, np.float32)), "nan.tif", "NaN"),
    }


def tiff_bytes(array: np.ndarray, **kwargs) -> bytes:
    buf = io.BytesIO()
    tifffile.imwrite(buf, array, **kwargs)
    return buf.getvalue()


def cv2_png(array: np.ndarray) -> bytes:
    """PNG via OpenCV from an RGB(A) or grey array (OpenCV writes 16-bit)."""
    if array.ndim == 3:
        array = cv2.cvtColor(array, cv2.COLOR_RGB2BGR if array.shape[2] == 3 else cv2.COLOR_RGBA2BGRA)
    ok, buf = cv2.imencode(".png", array)
    assert ok
    return buf.tobytes()


# --------------------------------------------------------------------------- odd but valid


def exif_rotated_jpeg(width=40, height=24, orientation=6) -> bytes:
    img = Image.fromarray(gradient(height, width, 3))
    exif = img.getexif()
    exif[0x0112] = orientation
    return pil_bytes(img, "JPEG", exif=exif.tobytes(), quality=95)


def animated_gif(n=3, w=32, h=24) -> bytes:
    frames = [Image.new("P", (w, h), color=i) for i in range(n)]
    for f in frames:
        f.putpalette([v for i in range(256) for v in (i, 255 - i, (i * 7) % 256)])
    return pil_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def palette_png(transparent: bool) -> bytes:
    img = Image.fromarray(gradient(24, 32, 3)).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    if transparent:
        return pil_bytes(img, "PNG", transparency=0)
    return pil_bytes(img, "PNG")


def float_tiff_with_nan() -> bytes:
    arr = gradient(24, 32, dtype=np.float32) * 1000.0 - 100.0
    arr[0, 0] = np.nan
    arr[1, 1] = np.inf
    arr[2, 2] = -np.inf
    return tiff_bytes(arr)


def odd_inputs() -> dict[str, tuple[bytes, tuple, np.dtype, str]]:
    """name -> (bytes, expected shape, expected dtype, a word a note must contain)."""
    rgba = gradient(24, 32, 4)
    rgba[..., 3] = 0
    rgba[:, 16:, 3] = 255
    la = Image.fromarray(np.dstack([gradient(), np.full((24, 32), 128, np.uint8)]), "LA")
    return {
        "grey16_png": (cv2_png(gradient(dtype=np.uint16)), (24, 32), np.uint16, "16-bit"),
        "rgb16_png": (cv2_png(gradient(24, 32, 3, np.uint16)), (24, 32, 3), np.uint16, "16-bit"),
        "rgba16_png": (cv2_png(rgba.astype(np.uint16) * 257), (24, 32, 3), np.uint16, "transparency"),
        "grey16_tiff": (tiff_bytes(gradient(dtype=np.uint16)), (24, 32), np.uint16, "16-bit"),
        "rgb16_tiff": (tiff_bytes(gradient(24, 32, 3, np.uint16), photometric="rgb"), (24, 32, 3), np.uint16, "16-bit"),
        "float_tiff_nan": (float_tiff_with_nan(), (24, 32), np.float32, "NaN"),
        "rgba_png": (pil_bytes(Image.fromarray(rgba, "RGBA"), "PNG"), (24, 32, 3), np.uint8, "transparency"),
        "la_png": (pil_bytes(la, "PNG"), (24, 32), np.uint8, "transparency"),
        "palette_png": (palette_png(False), (24, 32, 3), np.uint8, "palette"),
        "palette_png_transparent": (palette_png(True), (24, 32, 3), np.uint8, "transparency"),
        "cmyk_jpeg": (pil_bytes(Image.new("CMYK", (32, 24), (0, 255, 0, 0)), "JPEG"), (24, 32, 3), np.uint8, "CMYK"),
        "exif_rotated_jpeg": (exif_rotated_jpeg(40, 24, 6), (40, 24, 3), np.uint8, "rotated"),
        "animated_gif": (animated_gif(3), (24, 32, 3), np.uint8, "first frame of 3"),
        "bmp": (pil_bytes(Image.fromarray(gradient(24, 32, 3)), "BMP"), (24, 32, 3), np.uint8, ""),
        "webp": (pil_bytes(Image.fromarray(gradient(24, 32, 3)), "WEBP", lossless=True), (24, 32, 3), np.uint8, ""),
        "cmyk_tiff": (tiff_bytes(np.ascontiguousarray(np.broadcast_to(np.array([0, 255, 0, 0], np.uint8), (24, 32, 4))),
                                 photometric="separated"), (24, 32, 3), np.uint8, "CMYK"),
        "palette_tiff": (pil_bytes(Image.fromarray(gradient(24, 32, 3)).convert("P"), "TIFF"),
                         (24, 32, 3), np.uint8, "palette"),
        "multipage_tiff": (tiff_bytes(np.stack([gradient(), gradient()[::-1]]), metadata=None),
                           (24, 32), np.uint8, "first page of 2"),
    }


def valid_samples() -> dict[str, bytes]:
    """Small valid files of every supported format, for truncation/bit-flip fuzzing."""
    rgb = gradient(16, 20, 3)
    return {
        "png": pil_bytes(Image.fromarray(rgb), "PNG"),
        "png16": cv2_png(gradient(16, 20, 3, np.uint16)),
        "jpeg": pil_bytes(Image.fromarray(rgb), "JPEG", quality=90),
        "tiff": tiff_bytes(gradient(16, 20, 3, np.uint16), photometric="rgb", compression="zlib"),
        "float_tiff": tiff_bytes(gradient(16, 20, dtype=np.float32)),
        "bmp": pil_bytes(Image.fromarray(rgb), "BMP"),
        "webp": pil_bytes(Image.fromarray(rgb), "WEBP", quality=80),
        "gif": animated_gif(2, 20, 16),
    }


def header_bombs(width: int = 30000, height: int = 30000) -> dict[str, bytes]:
    """Small valid files of each format whose header is patched to declare ``width`` x ``height``."""
    img = Image.fromarray(gradient(16, 16))
    out = {"png": png_header_only(width, height), "png16": png_header_only(width, height, 16, 2)}
    jpeg = bytearray(pil_bytes(img, "JPEG"))
    sof = jpeg.index(b"\xff\xc0")
    jpeg[sof + 5:sof + 9] = struct.pack(">HH", min(height, 65535), min(width, 65535))
    out["jpeg"] = bytes(jpeg)
    gif = bytearray(pil_bytes(img, "GIF"))
    gif[6:10] = struct.pack("<HH", min(width, 65535), min(height, 65535))
    out["gif"] = bytes(gif)
    bmp = bytearray(pil_bytes(img, "BMP"))
    bmp[18:26] = struct.pack("<ii", width, height)
    out["bmp"] = bytes(bmp)
    tif = bytearray(tiff_bytes(gradient(16, 16)))
    for tag, value in ((256, width), (257, height)):
        for kind in (3, 4):  # SHORT or LONG entry
            entry = struct.pack("<HHI", tag, kind, 1)
            pos = tif.find(entry)
            if pos >= 0:
                tif[pos:pos + 12] = struct.pack("<HHII", tag, 4, 1, value)
                break
    out["tiff"] = bytes(tif)
    return out
