"""Image intake: decode and validate uploads, previews and encoders.

:func:`load_image` turns whatever a person uploads (bytes, a path or a
file-like object) into a :class:`LoadedImage`: a numpy array of shape
(H, W) or (H, W, 3) with dtype uint8, uint16 or float32, the sha1 digest of
the original bytes and plain-language ``notes`` about what was done on the
way (transparency flattened, EXIF rotation applied, palette expanded, ...).

Every rejection raises :class:`ImageError` (a ``ValueError``) with a message
a non-programmer understands and that says what to do. No other exception
leaves :func:`load_image`, whatever the bytes.

All size limits live in one place, :class:`Limits` / :data:`DEFAULT_LIMITS`.
Byte and pixel limits are checked from the file header, before the pixels
are decoded, so a small file that declares a huge image is refused without
allocating it.

Decoders: Pillow for PNG (8-bit), JPEG, BMP, WebP and GIF; OpenCV for 16-bit
PNG (Pillow reduces 16-bit RGB to 8 bits); tifffile for TIFF (Pillow as a
fallback).

Non-finite pixels in floating-point images: if every pixel is NaN or
infinite the image is rejected; otherwise NaN is replaced by the median of
the finite values, +inf by the largest and -inf by the smallest finite
value, and a note says how many pixels were replaced.
"""
from __future__ import annotations

import hashlib
import io as _io
import os
import re
import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageOps

__all__ = [
    "ImageError",
    "Limits",
    "DEFAULT_LIMITS",
    "LoadedImage",
    "SUPPORTED_FORMATS",
    "load_image",
    "make_preview",
    "to_display_uint8",
    "to_jpeg_bytes",
    "to_png_bytes",
    "save_image",
]

SUPPORTED_FORMATS = ("PNG", "JPEG", "TIFF", "BMP", "WebP", "GIF")
_PLEASE = "Please upload a PNG, JPEG, TIFF, BMP, WebP or GIF image."


class ImageError(ValueError):
    """An input that is not an image we can use; the message says what to do."""


@dataclass(frozen=True)
class Limits:
    """Size limits for uploaded images (the only place they are defined).

    Attributes
    ----------
    max_bytes : int
        Largest file accepted, in bytes.
    max_pixels : int
        Largest image accepted, width x height (checked from the header).
    min_side : int
        Smallest width or height accepted, in pixels.
    max_aspect : float
        Largest ratio of long side to short side.
    """

    max_bytes: int = 200_000_000
    max_pixels: int = 50_000_000
    min_side: int = 8
    max_aspect: float = 50.0


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class LoadedImage:
    """A decoded, validated image and what was done to it.

    Attributes
    ----------
    image : (H, W) or (H, W, 3) ndarray of uint8, uint16 or float32
        Float images are in [0, 1].
    digest : str
        sha1 hex digest of the original bytes.
    format : str
        "PNG", "JPEG", "TIFF", "BMP", "WEBP", "GIF" (or "sample").
    original_mode : str
        How the pixels were stored in the file, e.g. "RGBA", "P", "I;16",
        "CMYK", "RGB;16", "gray float32" (decoder dependent).
    notes : list of str
        Plain-language notes about conversions that were applied.
    name : str or None
        File name when known.
    n_bytes : int
        Size of the original file in bytes.
    """

    image: np.ndarray
    digest: str
    format: str
    original_mode: str
    notes: list = field(default_factory=list)
    name: str | None = None
    n_bytes: int = 0

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def channels(self) -> int:
        return 1 if self.image.ndim == 2 else int(self.image.shape[2])

    @property
    def megapixels(self) -> float:
        return self.height * self.width / 1e6

    @property
    def dtype(self) -> np.dtype:
        return self.image.dtype


# --------------------------------------------------------------------------- reading


def _read_source(source: Any, limits: Limits) -> tuple[bytes, str | None]:
    """Bytes and name of ``source``, refusing more than ``limits.max_bytes``."""
    name = None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = path.name
        try:
            size = path.stat().st_size
        except OSError:
            raise ImageError(
                f"We could not find or open the file '{path}'. Please check the name and try again."
            ) from None
        if path.is_dir():
            raise ImageError(f"'{path}' is a folder, not an image file. Please choose one image file.")
        if size > limits.max_bytes:
            raise _too_many_bytes(size, limits)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImageError(
                f"We could not read the file '{path}' ({exc.strerror or exc}). "
                "Please check that it is not open elsewhere and try again."
            ) from None
    elif hasattr(source, "read"):
        raw_name = getattr(source, "name", None)
        if isinstance(raw_name, (str, os.PathLike)):
            name = Path(raw_name).name or None
        try:
            if getattr(source, "seekable", lambda: False)():
                source.seek(0)  # e.g. an UploadedFile that the page has already read
            data = source.read(limits.max_bytes + 1)
        except Exception as exc:  # noqa: BLE001 - any reader failure is a bad upload
            raise ImageError(
                f"We could not read the uploaded file ({type(exc).__name__}). Please try uploading it again."
            ) from None
        if isinstance(data, str):
            raise ImageError(
                "The file was opened as text, not as binary data. "
                "Open it in binary mode ('rb') or pass its path."
            )
        data = bytes(data or b"")
    else:
        raise ImageError(
            f"We cannot read an image from a {type(source).__name__}. "
            "Give the file's bytes, its path, or an open file."
        )
    if len(data) > limits.max_bytes:
        raise _too_many_bytes(len(data), limits)
    return data, name


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n < 1e9 else f"{n / 1e9:.2f} GB"


def _too_many_bytes(size: int, limits: Limits) -> ImageError:
    return ImageError(
        f"This file is too big ({_mb(size)}; the limit is {_mb(limits.max_bytes)}). "
        "Please save a smaller or more compressed version (for example a JPEG, or a resized copy) and upload that."
    )


# --------------------------------------------------------------------------- sniffing

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"II+\x00", "tiff"),
    (b"MM\x00+", "tiff"),
    (b"BM", "bmp"),
)

_NOT_IMAGES = (
    (b"%PDF", "This is a PDF document, not an image. Export the page you need as a PNG or JPEG "
              "(most PDF viewers can do this) and upload that."),
    (b"PK\x03\x04", "This is a ZIP archive (or a Word/Excel/PowerPoint file, which are ZIP archives too), "
                    "not an image. Unzip it or save the picture from it, then upload one image file."),
    (b"PK\x05\x06", "This is an empty ZIP archive, not an image. Please upload one image file."),
    (b"\x1f\x8b", "This is a compressed (gzip) file, not an image. Decompress it first, then upload the image inside."),
    (b"Rar!", "This is a RAR archive, not an image. Extract it first, then upload one image file."),
    (b"7z\xbc\xaf\x27\x1c", "This is a 7-Zip archive, not an image. Extract it first, then upload one image file."),
    (b"\xd0\xcf\x11\xe0", "This is an old Microsoft Office document, not an image. "
                          "Save the picture from it as PNG or JPEG and upload that."),
    (b"8BPS", "This is a Photoshop (PSD) file, which we cannot read. "
              "In your editor, export it as PNG or TIFF and upload that."),
    (b"\x00\x00\x01\x00", "This is an icon (ICO) file, which we do not read. Convert it to PNG and upload that."),
    (b"\xff\x4f\xff\x51", "This is a JPEG 2000 image, which we cannot read. Convert it to PNG or TIFF and upload that."),
    (b"\x00\x00\x00\x0cjP  ", "This is a JPEG 2000 image, which we cannot read. Convert it to PNG or TIFF and upload that."),
    (b"\x93NUMPY", "This is a NumPy array file (.npy), not an image file. Save the array as a TIFF "
                   "(for example with tifffile.imwrite) and upload that."),
    (b"\x7fELF", "This is a program, not an image. " + _PLEASE),
    (b"MZ", "This is a Windows program, not an image. " + _PLEASE),
)


def _sniff(data: bytes, name: str | None) -> str:
    """Return the image kind of ``data`` or raise ImageError saying what it is."""
    if not data:
        raise ImageError("The file is empty (0 bytes). It may not have finished downloading or saving. "
                         "Please try again with the complete file.")
    for sig, kind in _SIGNATURES:
        if data.startswith(sig):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    named = f" (although its name ends in '{Path(name).suffix}')" if name and Path(name).suffix else ""
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
            raise ImageError(
                f"This is a HEIC/HEIF photo{named}, the format iPhones use, which we cannot read. "
                "Convert it to JPEG (on the phone: Settings > Camera > Formats > Most Compatible, "
                "or 'Export' as JPEG) and upload that."
            )
        if brand in (b"avif", b"avis"):
            raise ImageError(f"This is an AVIF image{named}, which we cannot read. Convert it to PNG or JPEG and upload that.")
        raise ImageError(f"This looks like a video or audio file{named}, not an image. " + _PLEASE)
    if data[:4] == b"RIFF":
        raise ImageError(f"This looks like a sound or video file (RIFF){named}, not an image. " + _PLEASE)
    if len(data) > 132 and data[128:132] == b"DICM":
        raise ImageError("This is a DICOM medical image, which we cannot read directly. "
                         "Export it as PNG or TIFF from your viewer and upload that.")
    for sig, message in _NOT_IMAGES:
        if data.startswith(sig):
            raise ImageError(message)
    text = _as_text(data[:8192])
    if text is not None:
        head = text.lstrip("\ufeff \t\r\n").lower()
        if "<svg" in head[:4096]:
            raise ImageError(
                f"This is an SVG vector drawing{named}, not a pixel image. Export it as PNG "
                "(for example from Inkscape, Illustrator or a browser) and upload that."
            )
        if head.startswith("<!doctype html") or "<html" in head[:2048] or "<head" in head[:2048] or "<body" in head[:2048]:
            raise ImageError(
                f"This is a web page (HTML){named}, not an image. It often happens when a link to a page is "
                "saved instead of the picture: open the picture itself, right-click it, choose "
                "'Save image as...' and upload that file."
            )
        raise ImageError(f"This file is not an image we can read (it looks like text{named}). " + _PLEASE)
    raise ImageError(f"This file is not an image we can read (we do not recognise its format{named}). " + _PLEASE)


def _as_text(chunk: bytes) -> str | None:
    """Decoded text if ``chunk`` looks like text, else None."""
    if b"\x00" in chunk and not chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    for enc in ("utf-8", "utf-16"):
        try:
            text = chunk.decode(enc)
        except UnicodeDecodeError as exc:
            if enc == "utf-8" and exc.start >= len(chunk) - 3:  # multibyte char cut at the end
                text = chunk[: exc.start].decode("utf-8", errors="replace")
            else:
                continue
        if not text:
            return None
        printable = sum(ch.isprintable() or ch in "\r\n\t\f" for ch in text)
        if printable / len(text) > 0.95:
            return text
    return None


# --------------------------------------------------------------------------- limits


def _check_size(width: int, height: int, limits: Limits) -> None:
    width, height = int(width), int(height)
    if width * height > limits.max_pixels:
        raise ImageError(
            f"This image is too large: {width} x {height} pixels ({width * height / 1e6:.0f} megapixels; "
            f"the limit is {limits.max_pixels / 1e6:.0f} megapixels). Please resize it to fewer pixels and upload it again."
        )
    if min(width, height) < limits.min_side:
        raise ImageError(
            f"This image is too small: {width} x {height} pixels. Each side must be at least "
            f"{limits.min_side} pixels. Please upload a larger image."
        )
    if max(width, height) / min(width, height) > limits.max_aspect:
        raise ImageError(
            f"This image is extremely long and thin ({width} x {height} pixels, "
            f"a ratio of {max(width, height) / min(width, height):.0f} to 1; the limit is {limits.max_aspect:g} to 1). "
            "Please crop it to the part you want to work on and upload that."
        )


def _bomb_error(exc: Exception, limits: Limits) -> ImageError:
    match = re.search(r"\((\d+) pixels\)", str(exc))
    size = f" (about {int(match.group(1)) / 1e6:.3g} megapixels)" if match else ""
    return ImageError(
        f"This image is too large{size} for us to open safely. "
        "Please resize it to fewer pixels and upload it again."
    )


def _damaged(fmt: str, exc: BaseException | None = None) -> ImageError:
    detail = ""
    if exc is not None:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        detail = f" (technical detail: {text[:120]})"
    return ImageError(
        f"This file looks like a {fmt} image, but it is damaged or incomplete, so we cannot read it{detail}. "
        "It may not have finished downloading or saving: please save or export it again and upload the new copy."
    )


# --------------------------------------------------------------------------- decoders

_PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "bmp": "BMP", "webp": "WEBP", "tiff": "TIFF"}
_FORMAT_NAMES = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "bmp": "BMP", "webp": "WebP", "tiff": "TIFF"}


def _orient(arr: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF/TIFF orientation value (1-8) to an (H, W[, C]) array."""
    if orientation == 2:
        return arr[:, ::-1]
    if orientation == 3:
        return arr[::-1, ::-1]
    if orientation == 4:
        return arr[::-1]
    if orientation == 5:
        return arr.swapaxes(0, 1)
    if orientation == 6:
        return np.rot90(arr, -1)
    if orientation == 7:
        return arr.swapaxes(0, 1)[::-1, ::-1]
    if orientation == 8:
        return np.rot90(arr, 1)
    return arr


def _orientation_note(orientation: int) -> str:
    what = {2: "mirrored", 3: "rotated 180 degrees", 4: "flipped upside down", 5: "transposed",
            6: "rotated 90 degrees clockwise", 7: "transposed and rotated", 8: "rotated 90 degrees counter-clockwise"}
    return f"rotated per EXIF orientation ({what.get(orientation, 'transformed')}), as the camera intended"


def _decode_pil(data: bytes, kind: str, limits: Limits, notes: list) -> tuple[np.ndarray, str]:
    """Decode with Pillow; returns (array, original mode). Array may carry alpha."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            im = Image.open(_io.BytesIO(data), formats=[_PIL_FORMATS[kind]])
        except Image.DecompressionBombError as exc:
            raise _bomb_error(exc, limits) from None
        _check_size(im.size[0], im.size[1], limits)
        n_frames = 1  # n_frames (GIF, WebP, APNG, TIFF) may scan every frame
        try:
            n_frames = int(getattr(im, "n_frames", 1))
            if n_frames > 1:
                im.seek(0)
        except Image.DecompressionBombError as exc:
            raise _bomb_error(exc, limits) from None
        except Exception:  # noqa: BLE001 - a broken later frame: use the first one
            n_frames = 1
        mode = im.mode
        im.load()
        orientation = 1
        try:
            orientation = int(im.getexif().get(0x0112, 1) or 1)
            if orientation in range(2, 9):
                im = ImageOps.exif_transpose(im)
                notes.append(_orientation_note(orientation))
        except Exception:  # noqa: BLE001 - bad EXIF must not reject a good image
            if orientation != 1:
                notes.append("the EXIF orientation could not be applied; the image is shown as stored")
    if n_frames > 1:
        notes.append(f"first frame of {n_frames} used")
    if mode == "1":
        im = im.convert("L")
        notes.append("black-and-white (1-bit) image expanded to 8-bit grey")
    elif mode in ("P", "PA"):
        transparent = mode == "PA" or "transparency" in im.info
        im = im.convert("RGBA" if transparent else "RGB")
        notes.append("palette expanded to RGB")
    elif mode == "CMYK":
        im = im.convert("RGB")
        notes.append("CMYK converted to RGB")
    elif mode in ("YCbCr", "LAB", "HSV"):
        im = im.convert("RGB")
        notes.append(f"{mode} colours converted to RGB")
    elif mode in ("RGBa", "La"):
        im = im.convert("RGBA" if mode == "RGBa" else "LA")
    elif mode not in ("L", "LA", "RGB", "RGBA", "I", "F") and not mode.startswith("I;16"):
        im = im.convert("RGBA" if "A" in mode else "RGB")
        notes.append(f"{mode} pixels converted to RGB")
    return np.asarray(im), mode


def _png_ihdr(data: bytes) -> tuple[int, int, int, int] | None:
    if len(data) >= 29 and data[12:16] == b"IHDR":
        width, height, depth, ctype = struct.unpack(">IIBB", data[16:26])
        return width, height, depth, ctype
    return None


def _decode_png16(data: bytes, limits: Limits, notes: list) -> tuple[np.ndarray, str]:
    """16-bit PNG with OpenCV (Pillow would reduce RGB to 8 bits)."""
    width, height, _, ctype = _png_ihdr(data)
    _check_size(width, height, limits)
    arr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if arr is None or arr.size == 0:
        raise _damaged("PNG")
    grey = ctype in (0, 4)
    if arr.ndim == 3:
        if arr.shape[2] == 3:
            arr = cv2.cvtColor(arr, cv2.COLOR_BGR2RGB)
        elif arr.shape[2] == 4:
            arr = cv2.cvtColor(arr, cv2.COLOR_BGRA2RGBA)
        if grey and arr.shape[2] in (3, 4):
            arr = arr[..., [0, 3]] if arr.shape[2] == 4 else arr[..., 0]
    mode = {0: "I;16", 2: "RGB;16", 3: "P", 4: "LA;16", 6: "RGBA;16"}.get(ctype, "16-bit")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            orientation = int(Image.open(_io.BytesIO(data), formats=["PNG"]).getexif().get(0x0112, 1) or 1)
    except Exception:  # noqa: BLE001
        orientation = 1
    if orientation in range(2, 9):
        arr = _orient(arr, orientation)
        notes.append(_orientation_note(orientation))
    return arr, mode


def _decode_tiff(data: bytes, limits: Limits, notes: list) -> tuple[np.ndarray, str]:
    """TIFF with tifffile: first page, any sample format, CMYK/palette/min-is-white handled."""
    import tifffile

    with tifffile.TiffFile(_io.BytesIO(data)) as tif:
        page = tif.pages.first
        if not isinstance(page, tifffile.TiffPage):
            page = page.aspage()
        width, height, depth = int(page.imagewidth), int(page.imagelength), int(page.imagedepth or 1)
        _check_size(width, height, limits)
        if width * height * depth > limits.max_pixels:
            _check_size(width, height * depth, limits)
        n_pages = len(tif.pages)
        arr = page.asarray()
        axes, shape = page.axes, page.shape
        photometric = int(page.photometric)
        extrasamples = tuple(int(e) for e in (page.extrasamples or ()))
        bits = int(page.bitspersample)
        colormap = page.colormap if photometric == 3 else None
        orientation = 1
        tag = page.tags.get(274)
        if tag is not None:
            try:
                orientation = int(tag.value)
            except Exception:  # noqa: BLE001
                orientation = 1
    if arr.ndim != len(axes):
        arr = arr.reshape(shape) if arr.size == int(np.prod(shape)) else arr
    if arr.ndim != len(axes):
        raise ImageError("This TIFF file has a layout we cannot read. Please save it as an ordinary RGB or grey TIFF or PNG.")
    # Keep only the first plane of extra dimensions, put samples last.
    keep = []
    for i, ax in enumerate(axes):
        if ax in "YXS":
            keep.append(slice(None))
        else:
            keep.append(0)
            if arr.shape[i] > 1:
                notes.append(f"first plane of {arr.shape[i]} used (the file holds a stack)")
    arr = arr[tuple(keep)]
    axes = "".join(a for a in axes if a in "YXS")
    if axes == "SYX":
        arr = np.moveaxis(arr, 0, -1)
    elif axes not in ("YX", "YXS"):
        raise ImageError("This TIFF file has a layout we cannot read. Please save it as an ordinary RGB or grey TIFF or PNG.")
    if n_pages > 1:
        notes.append(f"first page of {n_pages} used")
    names = {0: "MINISWHITE", 1: "gray", 2: "RGB", 3: "palette", 5: "CMYK", 6: "YCbCr"}
    mode = f"{names.get(photometric, f'photometric {photometric}')} {arr.dtype.name if bits >= 8 else f'{bits}-bit'}"
    if arr.dtype == bool:
        arr = arr.astype(np.uint8)
    if bits < 8 and arr.dtype.kind == "u" and photometric != 3:
        arr = (arr.astype(np.uint16) * (255 // (2**bits - 1))).astype(np.uint8)
        notes.append(f"{bits}-bit pixels expanded to 8-bit")
    if photometric == 0:  # white is zero
        if arr.dtype.kind == "u":
            arr = np.iinfo(arr.dtype).max - arr
        else:
            arr = np.nanmax(arr) + np.nanmin(arr) - arr
        notes.append("inverted: the file stores white as zero")
    elif photometric == 3 and colormap is not None:
        cmap = np.asarray(colormap)
        index = np.clip(arr if arr.ndim == 2 else arr[..., 0], 0, cmap.shape[1] - 1).astype(np.intp)
        arr = cmap[:, index].transpose(1, 2, 0)
        if arr.dtype == np.uint16:  # colormaps are 16-bit; 8-bit colours are stored x257 or x256
            if not np.any(cmap % 257):
                arr = (arr // 257).astype(np.uint8)
            elif not np.any(cmap % 256):
                arr = (arr // 256).astype(np.uint8)
            elif cmap.max() <= 255:
                arr = arr.astype(np.uint8)
        notes.append("palette expanded to RGB")
    elif photometric == 5 and arr.ndim == 3 and arr.shape[2] >= 4:
        cmyk = arr[..., :4].astype(np.float32) / (np.iinfo(arr.dtype).max if arr.dtype.kind in "ui" else 1.0)
        rgb = (1.0 - cmyk[..., :3]) * (1.0 - cmyk[..., 3:4])
        arr = _from_unit(rgb, arr.dtype)
        notes.append("CMYK converted to RGB")
    if arr.ndim == 3:
        n = arr.shape[2]
        if n == 1:
            arr = arr[..., 0]
        elif n == 4 and not extrasamples and photometric not in (2, 6):
            notes.append("4 channels without an alpha flag: treated as RGB plus transparency")
        elif n > 4:
            keep_alpha = bool(extrasamples) and extrasamples[0] in (1, 2)
            arr = arr[..., [0, 1, 2, 3]] if keep_alpha else arr[..., :3]
            notes.append(f"first 3 colour channels of {n} used")
    if orientation in range(2, 9):
        arr = _orient(arr, orientation)
        notes.append(_orientation_note(orientation))
    return arr, mode


def _from_unit(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Float values in [0, 1] to ``dtype`` (integer types scaled to their range)."""
    if np.dtype(dtype).kind in "ui":
        top = np.iinfo(dtype).max
        return np.clip(np.rint(values * top), 0, top).astype(dtype)
    return values.astype(np.float32)


# --------------------------------------------------------------------------- normalising


def _normalise(arr: np.ndarray, notes: list) -> np.ndarray:
    """(H, W[, C]) of any dtype -> (H, W) or (H, W, 3) uint8/uint16/float32, alpha flattened."""
    arr = np.asarray(arr)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (2, 3, 4)):
        raise ImageError(
            f"This image has an unusual layout ({arr.shape}) that we cannot show. "
            "Please save it as an ordinary grey or colour image (PNG or TIFF)."
        )
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    channels = 1 if arr.ndim == 2 else arr.shape[2]
    has_alpha = channels in (2, 4)
    colour = (arr[..., 0] if channels == 2 else arr[..., :3]) if has_alpha else arr
    alpha = arr[..., -1] if has_alpha else None
    kind = arr.dtype.kind
    if kind == "b":
        colour = colour.astype(np.uint8) * np.uint8(255)
        alpha = None if alpha is None else alpha.astype(np.uint8) * np.uint8(255)
    elif kind == "f" or kind == "c":
        if kind == "c":
            colour = np.abs(colour)
            notes.append("complex values: their magnitude is shown")
        colour, alpha = _float_image(colour, alpha, notes)
    elif kind in "ui" and arr.dtype not in (np.uint8, np.uint16):
        lo, hi = int(colour.min()), int(colour.max())
        if lo >= 0 and hi <= 255 and arr.dtype.itemsize == 1:
            colour = colour.astype(np.uint8)
        elif lo >= 0 and hi <= 65535:
            colour = colour.astype(np.uint16)
            notes.append(f"{arr.dtype.name} values (0 to {hi}) stored as 16-bit")
        else:
            span = float(hi - lo) or 1.0
            colour = ((colour.astype(np.float64) - lo) / span).astype(np.float32)
            notes.append(f"{arr.dtype.name} values rescaled from [{lo}, {hi}] to [0, 1] (32-bit float)")
        if alpha is not None:
            amax = float(alpha.max()) or 1.0
            alpha = _from_unit(alpha.astype(np.float64) / amax, colour.dtype)
    elif kind not in "ui":
        raise ImageError("This image stores its pixels in a way we cannot read. Please save it as PNG or TIFF.")
    if alpha is not None:
        colour = _flatten(colour, alpha, notes)
    if colour.dtype == np.uint16:
        notes.append("16-bit depth kept")
    return np.ascontiguousarray(colour)


def _flatten(colour: np.ndarray, alpha: np.ndarray, notes: list) -> np.ndarray:
    """Composite onto white; drop a fully opaque alpha."""
    top = float(np.iinfo(colour.dtype).max) if colour.dtype.kind in "ui" else 1.0
    atop = float(np.iinfo(alpha.dtype).max) if alpha.dtype.kind in "ui" else 1.0
    a = alpha.astype(np.float32) / atop
    if np.all(a >= 1.0):
        notes.append("alpha channel dropped (the image was fully opaque)")
        return colour
    if colour.ndim == 3:
        a = a[..., None]
    mixed = colour.astype(np.float32) * a + top * (1.0 - a)
    notes.append("transparency flattened onto white")
    if colour.dtype.kind in "ui":
        return np.clip(np.rint(mixed), 0, top).astype(colour.dtype)
    return mixed.astype(np.float32)


def _float_image(colour: np.ndarray, alpha: np.ndarray | None, notes: list):
    colour = colour.astype(np.float32)
    finite = np.isfinite(colour)
    if not finite.any():
        raise ImageError(
            "Every pixel of this image is 'not a number' (NaN) or infinite, so there is nothing to show. "
            "The file was probably saved from a failed computation: please check how it was made and export it again."
        )
    n_bad = int(finite.size - np.count_nonzero(finite))
    if n_bad:
        good = colour[finite]
        lo, hi, med = float(good.min()), float(good.max()), float(np.median(good))
        colour = colour.copy()
        colour[np.isnan(colour)] = med
        colour[np.isposinf(colour)] = hi
        colour[np.isneginf(colour)] = lo
        notes.append(
            f"NaN/inf pixels replaced: {n_bad} values ({100.0 * n_bad / colour.size:.2g} %) were not finite; "
            "NaN became the median, +inf the largest and -inf the smallest finite value"
        )
    lo, hi = float(colour.min()), float(colour.max())
    if lo < 0.0 or hi > 1.0:
        span = hi - lo
        colour = (colour - lo) / span if span > 0 else np.zeros_like(colour)
        colour = colour.astype(np.float32)
        notes.append(f"floating-point values rescaled from [{lo:.4g}, {hi:.4g}] to [0, 1]")
    else:
        notes.append("floating-point values kept (already between 0 and 1)")
    if alpha is not None:
        alpha = np.clip(np.nan_to_num(alpha.astype(np.float32), nan=1.0), 0.0, 1.0)
    return colour, alpha


# --------------------------------------------------------------------------- public


def load_image(source: Any, *, limits: Limits | None = None) -> LoadedImage:
    """Decode and validate an uploaded image.

    Parameters
    ----------
    source : bytes, bytearray, memoryview, str, os.PathLike or file-like
        The file's bytes, its path, or an object with ``read()`` (e.g. a
        Streamlit ``UploadedFile``; its ``name`` is kept). A seekable
        file object is read from its start.
    limits : Limits, optional
        Size limits; :data:`DEFAULT_LIMITS` when omitted.

    Returns
    -------
    LoadedImage
        ``image`` is (H, W) or (H, W, 3) of uint8, uint16 or float32 in [0, 1].

    Raises
    ------
    ImageError
        For any input that is not a usable image; the message says why and
        what to do. No other exception is raised.
    """
    limits = DEFAULT_LIMITS if limits is None else limits
    if not isinstance(limits, Limits):
        raise ImageError("limits must be a segcore.io.Limits")
    data, name = _read_source(source, limits)
    kind = _sniff(data, name)
    notes: list[str] = []
    try:
        with warnings.catch_warnings():
            # Decoder complaints about odd files (corrupt EXIF, skipped tags, Pillow's
            # bomb warning) are not the user's business: failures become ImageError.
            warnings.simplefilter("ignore")
            image, mode = _decode(data, kind, limits, notes)
    except ImageError:
        raise
    except MemoryError:
        raise ImageError(
            "There is not enough memory to open this image right now. Please try a smaller image or try again later."
        ) from None
    except Exception as exc:  # noqa: BLE001 - never BaseException (keeps Streamlit's rerun/stop working)
        raise _damaged(_FORMAT_NAMES[kind], exc) from None
    return LoadedImage(
        image=image,
        digest=hashlib.sha1(data).hexdigest(),
        format=_PIL_FORMATS[kind],
        original_mode=str(mode),
        notes=notes,
        name=name,
        n_bytes=len(data),
    )


def _decode(data: bytes, kind: str, limits: Limits, notes: list) -> tuple[np.ndarray, str]:
    """Decode with the right library, then normalise dtype, channels and alpha."""
    ihdr = _png_ihdr(data) if kind == "png" else None
    if kind == "tiff":
        try:
            arr, mode = _decode_tiff(data, limits, notes)
        except ImageError:
            raise
        except Exception:  # noqa: BLE001 - tifffile could not: let Pillow try
            notes.clear()
            arr, mode = _decode_pil(data, kind, limits, notes)
    elif ihdr is not None and ihdr[2] == 16:
        arr, mode = _decode_png16(data, limits, notes)
    else:
        arr, mode = _decode_pil(data, kind, limits, notes)
    image = _normalise(arr, notes)
    _check_size(image.shape[1], image.shape[0], limits)
    return image, mode


def make_preview(image: np.ndarray, max_side: int = 1200) -> tuple[np.ndarray, float]:
    """Reduce ``image`` so that its long side is at most ``max_side`` pixels.

    Uses ``cv2.INTER_AREA`` (nearest neighbour for bool and label images,
    which must not get new in-between values). Never upscales.

    Parameters
    ----------
    image : (H, W[, C]) ndarray
    max_side : int
        Longest side of the preview in pixels.

    Returns
    -------
    preview : ndarray
        Same dtype as ``image`` (the input itself when no reduction is needed).
    scale : float
        Preview size / original size (1.0 when not reduced).
    """
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1 pixel, got {max_side}.")
    h, w = image.shape[:2]
    long_side = max(h, w)
    if long_side <= max_side:
        return image, 1.0
    scale = max_side / long_side
    size = (max(1, int(round(w * scale))), max(1, int(round(h * scale))))
    if image.dtype == bool:
        small = cv2.resize(image.view(np.uint8), size, interpolation=cv2.INTER_NEAREST_EXACT).astype(bool)
    elif image.dtype in (np.uint8, np.uint16, np.float32, np.float64):
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    else:  # labels and other integer types: no blending between labels
        rows = np.minimum((np.arange(size[1]) + 0.5) / scale, h - 1).astype(np.intp)
        cols = np.minimum((np.arange(size[0]) + 0.5) / scale, w - 1).astype(np.intp)
        small = image[rows][:, cols]
    if image.ndim == 3 and small.ndim == 2:
        small = small[..., None]
    return small, float(scale)


def to_display_uint8(image: np.ndarray) -> np.ndarray:
    """Any image/mask as uint8 for display: bool -> 0/255, uint16 and float scaled, labels stretched."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    if image.dtype == bool:
        return image.astype(np.uint8) * np.uint8(255)
    if image.dtype == np.uint16:
        return ((image.astype(np.uint32) + 128) // 257).astype(np.uint8)
    if image.dtype.kind == "f":
        values = np.nan_to_num(image.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0)
        return np.clip(np.rint(values * 255.0), 0, 255).astype(np.uint8)
    if image.dtype.kind in "ui":
        lo, hi = int(image.min()), int(image.max())
        if lo >= 0 and hi <= 255:
            return image.astype(np.uint8)
        return np.rint((image.astype(np.float64) - lo) * (255.0 / max(hi - lo, 1))).astype(np.uint8)
    raise ValueError(f"Cannot display an image of type {image.dtype}; use uint8, uint16, float or bool.")


def _to_bgr(image: np.ndarray) -> np.ndarray:
    if image.ndim == 3 and image.shape[2] == 1:
        return image[..., 0]
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2BGR)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGBA2BGRA)
    if image.ndim == 2:
        return np.ascontiguousarray(image)
    raise ValueError(f"Expected an image of shape (H, W), (H, W, 3) or (H, W, 4), got {image.shape}.")


def _encode(ext: str, image: np.ndarray, params: list) -> bytes:
    ok, buf = cv2.imencode(ext, _to_bgr(image), params)
    if not ok:  # pragma: no cover - OpenCV reports failures by exception in practice
        raise ValueError(f"OpenCV could not encode the image as {ext}.")
    return buf.tobytes()


def to_jpeg_bytes(image: np.ndarray, quality: int = 85, max_side: int | None = None) -> bytes:
    """JPEG bytes for display (16-bit, float and bool are converted to 8-bit; alpha dropped).

    Parameters
    ----------
    image : (H, W[, 3 or 4]) ndarray, RGB order
    quality : int
        JPEG quality 1-100.
    max_side : int, optional
        Reduce first with :func:`make_preview` so the long side is at most this.
    """
    if not 1 <= int(quality) <= 100:
        raise ValueError(f"JPEG quality must be between 1 and 100, got {quality}.")
    image = np.asarray(image)
    if max_side is not None:
        image, _ = make_preview(image, max_side)
    image = to_display_uint8(image)
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[..., :3]
    return _encode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])


def _png_ready(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.dtype == bool:
        return image.astype(np.uint8) * np.uint8(255)
    if image.dtype in (np.uint8, np.uint16):
        return image
    if image.dtype.kind == "f":
        values = np.nan_to_num(image.astype(np.float64), nan=0.0, posinf=1.0, neginf=0.0)
        return np.clip(np.rint(values * 65535.0), 0, 65535).astype(np.uint16)
    if image.dtype.kind in "ui":
        lo, hi = (int(image.min()), int(image.max())) if image.size else (0, 0)
        if lo >= 0 and hi < 65536:
            return image.astype(np.uint16)
        raise ValueError(
            f"Values from {lo} to {hi} do not fit in a PNG (0 to 65535). Save as TIFF instead (save_image('x.tif', ...))."
        )
    raise ValueError(f"Cannot save an image of type {image.dtype} as PNG.")


def to_png_bytes(image: np.ndarray, compression: int = 3) -> bytes:
    """Lossless PNG bytes; keeps 16-bit.

    bool masks become 0/255 uint8; integer labels become uint16 (they must be
    in 0..65535); float images in [0, 1] become 16-bit. RGB(A) order in.
    """
    return _encode(".png", _png_ready(image), [cv2.IMWRITE_PNG_COMPRESSION, int(compression)])


def save_image(path: str | os.PathLike, image: np.ndarray, *, quality: int = 95) -> Path:
    """Write ``image`` to ``path``; the format follows the extension.

    ``.png`` (lossless, 16-bit kept), ``.tif``/``.tiff`` (exact: any dtype,
    float32 and int32 labels kept), ``.jpg``/``.jpeg`` (8-bit, ``quality``),
    ``.bmp`` and ``.webp`` (8-bit).
    """
    path = Path(path)
    ext = path.suffix.lower()
    image = np.asarray(image)
    if ext == ".png":
        data = to_png_bytes(image)
    elif ext in (".jpg", ".jpeg"):
        data = to_jpeg_bytes(image, quality=quality)
    elif ext in (".tif", ".tiff"):
        import tifffile

        buf = _io.BytesIO()
        out = image.astype(np.uint8) * np.uint8(255) if image.dtype == bool else image
        photometric = "rgb" if out.ndim == 3 and out.shape[2] in (3, 4) else "minisblack"
        tifffile.imwrite(buf, out, photometric=photometric, compression="zlib")
        data = buf.getvalue()
    elif ext == ".bmp":
        data = _encode(".bmp", to_display_uint8(image), [])
    elif ext == ".webp":
        data = _encode(".webp", to_display_uint8(image), [cv2.IMWRITE_WEBP_QUALITY, int(quality)])
    else:
        raise ValueError(f"Unknown image extension '{ext}'. Use .png, .tif, .jpg, .bmp or .webp.")
    path.write_bytes(data)
    return path
