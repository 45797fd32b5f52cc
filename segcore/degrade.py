"""Reproducible damage with ground truth, for teaching and for measuring.

Every degradation takes an image (grey or RGB, uint8, uint16 or float in
[0, 1]) and a ``seed`` and returns :class:`Degraded` ``(image, truth)``: the
damaged image with the input's shape and dtype, and a :class:`Truth` holding
the clean image, the damage mask where the damage is local (scratches,
blotches, dust, salt-and-pepper), the point spread function where there is
one (blurs) and the list of steps applied. The same seed gives identical
bytes.

>>> from segcore import degrade
>>> d = degrade.chain(img, [("scratches", {"count": 5}), ("gaussian_noise", {"sigma": 15})], seed=1)
>>> d.truth.mask.mean()   # fraction of scratched pixels
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import cv2
import numpy as np

from segcore._common import like_input, to_float
from segcore.restore.deblur import make_psf  # one PSF builder: deblurring can use the exact kernel
from segcore.registry import Param, ParamError

__all__ = [
    "Truth",
    "Degraded",
    "Degradation",
    "DEGRADATIONS",
    "gaussian_noise",
    "poisson",
    "salt_pepper",
    "speckle",
    "gaussian_blur",
    "motion_blur",
    "defocus",
    "scratches",
    "blotches",
    "dust",
    "jpeg",
    "fade",
    "apply",
    "chain",
]


@dataclass
class Truth:
    """Ground truth of a degradation.

    Attributes
    ----------
    clean : ndarray
        The undamaged input image (a copy).
    mask : (M, N) ndarray of bool or None
        True where the damage replaced pixels (scratches, blotches, dust,
        impulses); None for damage that touches every pixel (noise, blur).
    psf : 2-D ndarray or None
        The blur kernel (sums to 1) for blurs.
    steps : list of dict
        ``{"name", "params", "seed"}`` for each degradation applied, in order.
    """

    clean: np.ndarray
    mask: np.ndarray | None = None
    psf: np.ndarray | None = None
    steps: list = field(default_factory=list)


@dataclass
class Degraded:
    """A damaged image and its ground truth."""

    image: np.ndarray
    truth: Truth


@dataclass(frozen=True)
class Degradation:
    """Declaration of one degradation, for generated widgets."""

    name: str
    label: str
    func: Callable[..., Degraded]
    params: tuple
    explain: str

    @property
    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}


# --------------------------------------------------------------------------- helpers


def _check(image):
    image = np.asarray(image)
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise ValueError(
            f"Expected a grey (H, W) or colour (H, W, 3) image, got shape {image.shape}."
        )
    return image


def _result(image, out_float, name, params, seed, mask=None, psf=None):
    out = like_input(np.clip(out_float, 0.0, 1.0), image)
    truth = Truth(
        clean=image.copy(),
        mask=None if mask is None else np.asarray(mask, dtype=bool),
        psf=psf,
        steps=[{"name": name, "params": dict(params), "seed": seed}],
    )
    return Degraded(out, truth)


def _paint(img, mask, values):
    """Set masked pixels of a float image (grey or RGB) to per-pixel ``values``."""
    out = img.copy()
    if out.ndim == 3:
        out[mask] = values[mask][:, None]
    else:
        out[mask] = values[mask]
    return out


def _convolve(img, psf):
    # cv2.filter2D correlates; flipping the kernel makes it a convolution.
    kernel = cv2.flip(np.ascontiguousarray(psf, dtype=np.float64), -1)
    return cv2.filter2D(img.astype(np.float64), -1, kernel, borderType=cv2.BORDER_REFLECT)


# --------------------------------------------------------------------------- noise


def gaussian_noise(image, *, sigma=25.0, seed=0):
    """Add white Gaussian noise of standard deviation ``sigma`` (0-255 scale), clipped.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
    sigma : float
        Standard deviation on the 0-255 scale (25 is strong, 50 very strong).
    seed : int

    Returns
    -------
    Degraded
    """
    image = _check(image)
    rng = np.random.default_rng(seed)
    img = to_float(image)
    out = img + rng.normal(0.0, sigma / 255.0, img.shape)
    return _result(image, out, "gaussian_noise", {"sigma": sigma}, seed)


def poisson(image, *, peak=30.0, seed=0):
    """Photon (shot) noise: counts drawn from Poisson(image * peak), rescaled.

    ``peak`` is the photon count of a white pixel: lower means noisier.
    """
    image = _check(image)
    rng = np.random.default_rng(seed)
    img = to_float(image)
    out = rng.poisson(np.clip(img, 0, 1) * peak) / float(peak)
    return _result(image, out, "poisson", {"peak": peak}, seed)


def salt_pepper(image, *, amount=0.05, seed=0):
    """Set a fraction ``amount`` of the pixels to pure white or black (half each).

    The truth mask marks the hit pixels.
    """
    image = _check(image)
    rng = np.random.default_rng(seed)
    img = to_float(image)
    hit = rng.random(img.shape[:2]) < amount
    values = (rng.random(img.shape[:2]) < 0.5).astype(np.float64)
    out = _paint(img, hit, values)
    return _result(image, out, "salt_pepper", {"amount": amount}, seed, mask=hit)


def speckle(image, *, sigma=0.2, seed=0):
    """Multiplicative noise: ``image * (1 + n)`` with n ~ N(0, sigma) (radar, ultrasound)."""
    image = _check(image)
    rng = np.random.default_rng(seed)
    img = to_float(image)
    out = img * (1.0 + rng.normal(0.0, sigma, img.shape))
    return _result(image, out, "speckle", {"sigma": sigma}, seed)


# --------------------------------------------------------------------------- blur


def gaussian_blur(image, *, sigma=2.0, seed=0):
    """Blur with a Gaussian kernel of standard deviation ``sigma`` px (out of focus, soft lens).

    ``truth.psf`` holds the kernel.
    """
    image = _check(image)
    psf = make_psf("gaussian", size=sigma)
    out = _convolve(to_float(image), psf)
    return _result(image, out, "gaussian_blur", {"sigma": sigma}, seed, psf=psf)


def motion_blur(image, *, length=15, angle=0.0, seed=0):
    """Linear camera shake: average along a line of ``length`` px at ``angle`` degrees."""
    image = _check(image)
    psf = make_psf("motion", length=length, angle=angle)
    out = _convolve(to_float(image), psf)
    return _result(image, out, "motion_blur", {"length": length, "angle": angle}, seed, psf=psf)


def defocus(image, *, radius=4, seed=0):
    """Out-of-focus blur: average over a disk of ``radius`` px (the lens aperture)."""
    image = _check(image)
    psf = make_psf("disk", size=radius)
    out = _convolve(to_float(image), psf)
    return _result(image, out, "defocus", {"radius": radius}, seed, psf=psf)


# --------------------------------------------------------------------------- local damage


def _polarity_values(rng, polarity, n):
    if polarity == "bright":
        return np.ones(n, bool)
    if polarity == "dark":
        return np.zeros(n, bool)
    if polarity == "mixed":
        return rng.random(n) < 0.5
    raise ParamError(f"Parameter 'polarity' = {polarity!r} is not allowed: choose bright, dark or mixed.")


def scratches(image, *, count=6, width=2, length=0.6, polarity="mixed", seed=0):
    """Draw ``count`` random thin polylines (film/print scratches), bright or dark.

    Each scratch starts at a random point and runs for about ``length`` times
    the longer image side in a few straight pieces that bend slightly. Its
    value is near white (bright) or near black (dark). ``truth.mask`` marks
    the scratched pixels.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
    count : int
        Number of scratches.
    width : int
        Line thickness in pixels.
    length : float
        Length of each scratch as a fraction of the longer side.
    polarity : {"bright", "dark", "mixed"}
    seed : int

    Returns
    -------
    Degraded
    """
    image = _check(image)
    rng = np.random.default_rng(seed)
    img = to_float(image)
    h, w = img.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    value = np.zeros((h, w), np.float64)
    bright = _polarity_values(rng, polarity, count)
    for i in range(count):
        layer = np.zeros((h, w), np.uint8)
        n_pieces = int(rng.integers(2, 5))
        total = length * max(h, w)
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        theta = rng.uniform(0, np.pi)
        pts = [(x, y)]
        for _ in range(n_pieces):
            theta += rng.normal(0, 0.15)
            step = total / n_pieces
            x, y = x + step * np.cos(theta), y + step * np.sin(theta)
            pts.append((x, y))
        poly = np.round(np.array(pts)).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(layer, [poly], False, 1, int(width), cv2.LINE_8)
        sel = layer > 0
        level = rng.uniform(0.88, 1.0) if bright[i] else rng.uniform(0.0, 0.12)
        value[sel] = level
        mask |= layer
    mask = mask > 0
    out = _paint(img, mask, value)
    params = {"count": count, "width": width, "length": length, "polarity": polarity}
    return _result(image, out, "scratches", params, seed, mask=mask)


def blotches(image, *, count=4, size=20, kind="mixed", seed=0):
    """Random ellipses: white holes (missing emulsion/paper) or dark stains.

    ``size`` is the typical radius in pixels; ``kind`` is "holes", "stains" or
    "mixed". Holes are flat white; stains darken the image to a quarter of
    its brightness. ``truth.mask`` marks the blotches.
    """
    image = _check(image)
    rng = np.random.default_rng(seed)
    img = to_float(image)
    h, w = img.shape[:2]
    if kind not in ("holes", "stains", "mixed"):
        raise ParamError(f"Parameter 'kind' = {kind!r} is not allowed: choose holes, stains or mixed.")
    mask = np.zeros((h, w), bool)
    out = img.copy()
    for _ in range(count):
        layer = np.zeros((h, w), np.uint8)
        center = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        axes = (max(1, int(size * rng.uniform(0.5, 1.5))), max(1, int(size * rng.uniform(0.3, 1.0))))
        cv2.ellipse(layer, center, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
        sel = layer > 0
        hole = kind == "holes" or (kind == "mixed" and rng.random() < 0.5)
        if hole:
            out[sel] = 1.0
        else:
            out[sel] = out[sel] * 0.25
        mask |= sel
    return _result(image, out, "blotches", {"count": count, "size": size, "kind": kind}, seed, mask=mask)


def dust(image, *, count=60, size=2, polarity="mixed", seed=0):
    """Small round specks of ``size`` px radius at most, bright or dark (dust on a scan)."""
    image = _check(image)
    rng = np.random.default_rng(seed)
    img = to_float(image)
    h, w = img.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    value = np.zeros((h, w), np.float64)
    bright = _polarity_values(rng, polarity, count)
    for i in range(count):
        layer = np.zeros((h, w), np.uint8)
        r = int(rng.integers(1, max(1, int(size)) + 1))
        cv2.circle(layer, (int(rng.integers(0, w)), int(rng.integers(0, h))), r, 1, -1)
        sel = layer > 0
        value[sel] = rng.uniform(0.9, 1.0) if bright[i] else rng.uniform(0.0, 0.1)
        mask |= layer
    mask = mask > 0
    out = _paint(img, mask, value)
    return _result(image, out, "dust", {"count": count, "size": size, "polarity": polarity}, seed, mask=mask)


# --------------------------------------------------------------------------- global


def jpeg(image, *, quality=20, seed=0):
    """Compress as JPEG at ``quality`` (1-100) and decode: blocks and ringing."""
    image = _check(image)
    u8 = _to_ubyte(image)
    if u8.ndim == 3:
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(u8, cv2.COLOR_RGB2BGR),
                               [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
        dec = cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    else:
        ok, buf = cv2.imencode(".jpg", u8, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
        dec = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return _result(image, dec / 255.0, "jpeg", {"quality": quality}, seed)


def _to_ubyte(image):
    """Image as uint8 (rounded), for encoders."""
    if image.dtype == np.uint8:
        return image
    return np.round(np.clip(to_float(image), 0, 1) * 255).astype(np.uint8)


def fade(image, *, amount=0.5, seed=0):
    """Wash out the contrast: blend with the mean grey by ``amount`` (0 none, 1 flat)."""
    image = _check(image)
    img = to_float(image)
    out = (1.0 - amount) * img + amount * img.mean()
    return _result(image, out, "fade", {"amount": amount}, seed)


# --------------------------------------------------------------------------- declarations

_POL = ("bright", "dark", "mixed")

DEGRADATIONS: dict[str, Degradation] = {
    d.name: d
    for d in (
        Degradation("gaussian_noise", "Gaussian noise", gaussian_noise, (
            Param("sigma", "float", 25.0, min=0.0, max=100.0, step=1.0,
                  help="Strength of the grain on the 0-255 scale: 15 mild, 25 strong, 50 very strong."),),
            "Adds random grain of the same strength everywhere, like sensor noise in dim light."),
        Degradation("poisson", "Photon noise", poisson, (
            Param("peak", "float", 30.0, min=1.0, max=1000.0, step=1.0,
                  help="How many photons a white pixel collects: fewer photons, more noise."),),
            "Shot noise: bright areas get more absolute noise than dark ones, as in low-light photography."),
        Degradation("salt_pepper", "Salt and pepper", salt_pepper, (
            Param("amount", "float", 0.05, min=0.0, max=0.5, step=0.01,
                  help="Fraction of pixels turned pure white or black."),),
            "Scattered single pixels become pure white or black, like transmission errors or dead pixels."),
        Degradation("speckle", "Speckle", speckle, (
            Param("sigma", "float", 0.2, min=0.0, max=1.0, step=0.01,
                  help="Strength of the multiplicative grain (0.2 = about 20 % of the brightness)."),),
            "Multiplies each pixel by random grain, so bright areas are noisier; typical of radar and ultrasound."),
        Degradation("gaussian_blur", "Gaussian blur", gaussian_blur, (
            Param("sigma", "float", 2.0, min=0.1, max=20.0, step=0.1, unit="px",
                  help="Blur width in pixels."),),
            "Softens the whole image with a bell-shaped kernel, like a slightly out-of-focus or soft lens."),
        Degradation("motion_blur", "Motion blur", motion_blur, (
            Param("length", "int", 15, min=1, max=101, step=1, unit="px",
                  help="How far the camera moved during the exposure, in pixels."),
            Param("angle", "float", 0.0, min=0.0, max=180.0, step=1.0,
                  help="Direction of the movement in degrees (0 = horizontal)."),),
            "Smears every point along a line, as when the camera moves while the shutter is open."),
        Degradation("defocus", "Defocus", defocus, (
            Param("radius", "int", 4, min=1, max=50, step=1, unit="px",
                  help="Radius of the blur disk in pixels."),),
            "Spreads every point over a disk, as a lens focused at the wrong distance does."),
        Degradation("scratches", "Scratches", scratches, (
            Param("count", "int", 6, min=0, max=100, step=1, help="How many scratches to draw."),
            Param("width", "int", 2, min=1, max=15, step=1, unit="px", help="Thickness of each scratch in pixels."),
            Param("length", "float", 0.6, min=0.05, max=2.0, step=0.05,
                  help="Length of each scratch as a fraction of the longer image side."),
            Param("polarity", "choice", "mixed", choices=_POL,
                  help="Bright (white) scratches, dark ones, or a mix."),),
            "Draws thin random lines, bright or dark, like scratches on film or a print; the mask records where."),
        Degradation("blotches", "Blotches", blotches, (
            Param("count", "int", 4, min=0, max=50, step=1, help="How many blotches."),
            Param("size", "int", 20, min=2, max=200, step=1, unit="px", help="Typical radius of a blotch in pixels."),
            Param("kind", "choice", "mixed", choices=("holes", "stains", "mixed"),
                  help="White holes (missing material), dark stains, or a mix."),),
            "Adds large patches where the picture is missing (white) or stained (dark); the mask records where."),
        Degradation("dust", "Dust", dust, (
            Param("count", "int", 60, min=0, max=2000, step=1, help="How many specks."),
            Param("size", "int", 2, min=1, max=10, step=1, unit="px", help="Largest speck radius in pixels."),
            Param("polarity", "choice", "mixed", choices=_POL, help="Bright specks, dark specks, or a mix."),),
            "Sprinkles small round specks, like dust on a scanner glass; the mask records where."),
        Degradation("jpeg", "JPEG compression", jpeg, (
            Param("quality", "int", 20, min=1, max=100, step=1,
                  help="JPEG quality: low values give visible 8x8 blocks and ringing."),),
            "Saves and reloads the image as a low-quality JPEG, which adds blocks and halos near edges."),
        Degradation("fade", "Fading", fade, (
            Param("amount", "float", 0.5, min=0.0, max=1.0, step=0.05,
                  help="How much contrast is lost: 0 none, 1 a flat grey image."),),
            "Pulls every pixel towards the mean grey, like an old faded print with low contrast."),
    )
}


def apply(image, name, params=None, *, seed=0) -> Degraded:
    """Run the degradation ``name`` with validated ``params``.

    Raises
    ------
    ParamError
        Unknown degradation, unknown parameter or a value out of range.
    """
    if name not in DEGRADATIONS:
        raise ParamError(f"Unknown degradation '{name}'. Known: {', '.join(DEGRADATIONS)}.")
    deg = DEGRADATIONS[name]
    params = dict(params or {})
    full = {}
    for p in deg.params:
        full[p.name] = p.validate(params.pop(p.name)) if p.name in params else p.default
    if params:
        raise ParamError(
            f"Degradation '{name}' has no parameter {', '.join(map(repr, params))}; "
            f"its parameters are: {', '.join(p.name for p in deg.params)}."
        )
    return deg.func(image, seed=seed, **full)


def _derived_seed(seed, index):
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1)[0])


def chain(image, steps, seed=0) -> Degraded:
    """Apply several degradations in order.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
    steps : list of (str, dict)
        ``(name, params)`` pairs, e.g. ``[("motion_blur", {"length": 9}), ("gaussian_noise", {"sigma": 10})]``.
    seed : int
        Master seed; step ``i`` gets a seed derived from ``(seed, i)``.

    Returns
    -------
    Degraded
        ``truth.clean`` is the input, ``truth.mask`` the union (OR) of the
        step masks (None if no step has one), ``truth.psf`` the last blur
        kernel and ``truth.steps`` every step with its seed.
    """
    image = _check(image)
    current = image
    mask = None
    psf = None
    record = []
    for i, (name, params) in enumerate(steps):
        d = apply(current, name, params, seed=_derived_seed(seed, i))
        current = d.image
        if d.truth.mask is not None:
            mask = d.truth.mask.copy() if mask is None else (mask | d.truth.mask)
        if d.truth.psf is not None:
            psf = d.truth.psf
        record.extend(d.truth.steps)
    if current is image:
        current = image.copy()
    return Degraded(current, Truth(clean=image.copy(), mask=mask, psf=psf, steps=record))
