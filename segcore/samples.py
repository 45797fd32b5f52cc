"""Bundled sample images (from ``skimage.data``, shipped with scikit-image; no download).

>>> from segcore import samples
>>> samples.load("coins").shape
(303, 384)
>>> samples.SAMPLES["coins"].why[:20]
'Bright coins on a da'

Only images that scikit-image ships inside its own package are listed (some
``skimage.data`` images are fetched from the internet with ``pooch`` on
first use; those are left out so that everything works offline).
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import numpy as np

from segcore.io import LoadedImage

__all__ = ["Sample", "SAMPLES", "load", "load_sample"]


@dataclass(frozen=True)
class Sample:
    """One bundled sample image.

    Attributes
    ----------
    id : str
        Key in :data:`SAMPLES`, e.g. ``"coins"``.
    label : str
        Short human name.
    why : str
        One sentence on why it is interesting to segment or restore.
    source : str
        The ``skimage.data`` function that provides it.
    """

    id: str
    label: str
    why: str
    source: str = ""


_ALL = (
    Sample("coins", "Coins", "Bright coins on a darker, unevenly lit background: a classic for thresholds, "
           "where a single global level misses coins in the darker corner.", "coins"),
    Sample("camera", "Cameraman", "A man with a camera against a smooth sky and textured grass: "
           "shows how methods treat both flat regions and fine texture.", "camera"),
    Sample("astronaut", "Astronaut", "A colour portrait with skin, a white suit, flags and a dark background: "
           "good for colour clustering and superpixels.", "astronaut"),
    Sample("page", "Scanned page", "Text on paper with a strong shading gradient: global thresholds fail, "
           "local (adaptive) thresholds and background removal succeed.", "page"),
    Sample("text", "Text on a textured background", "Handwritten formulas on ruled paper, photographed at an angle with uneven light: "
           "the ruling lines and shading make it hard for thresholds, a test for adaptive and edge methods.", "text"),
    Sample("moon", "Moon surface", "A low-contrast crater landscape: contrast enhancement (CLAHE) reveals "
           "structure before any segmentation can find it.", "moon"),
    Sample("coffee", "Coffee cup", "A coffee cup on a saucer with soft shadows and reflections: "
           "a colour object whose edges are not everywhere sharp.", "coffee"),
    Sample("retina", "Retina", "A fundus photograph of the eye: thin blood vessels are a classic target "
           "for ridge filters and inpainting-style restoration.", "retina"),
    Sample("hubble_deep_field", "Hubble deep field", "Hundreds of small galaxies on a noisy black sky: "
           "tests blob detection, watershed splitting and denoising of faint objects.", "hubble_deep_field"),
    Sample("immunohistochemistry", "Immunohistochemistry", "A stained tissue slide where brown and blue stains mark "
           "different cells: colour deconvolution and clustering separate them.", "immunohistochemistry"),
    Sample("chelsea", "Chelsea the cat", "A cat with fur texture and whiskers: shows how denoising and "
           "superpixels keep or lose fine detail.", "chelsea"),
    Sample("rocket", "Rocket launch", "A rocket on its launch pad at night with bright lamps and thin towers: "
           "very dark regions, glare and fine structures challenge contrast restoration and segmentation.", "rocket"),
    Sample("horse", "Horse silhouette", "A black horse on white: a clean binary shape for testing contours, "
           "morphology and mask clean-up.", "horse"),
    Sample("cell", "Cell (phase contrast)", "A microscope image of one bright round cell with a dark halo on a noisy grey background: "
           "a clean target for active contours, thresholds and denoising.", "cell"),
    Sample("microaneurysms", "Microaneurysms", "A small patch of retina with dark vessels and two tiny dark dots: finding small "
           "round objects among thin lines is a test for blob detectors and morphology.", "microaneurysms"),
)

SAMPLES: dict[str, Sample] = {s.id: s for s in _ALL}


def _check(sample_id: str) -> Sample:
    try:
        return SAMPLES[sample_id]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown sample '{sample_id}'. Available samples: {', '.join(SAMPLES)}."
        ) from None


@functools.lru_cache(maxsize=None)
def _cached(sample_id: str) -> np.ndarray:
    from skimage import data

    image = np.asarray(getattr(data, SAMPLES[sample_id].source)())
    if image.dtype == bool:
        image = image.astype(np.uint8) * np.uint8(255)
    image = np.ascontiguousarray(image)
    image.flags.writeable = False
    return image


def load(sample_id: str) -> np.ndarray:
    """The sample as a read-only uint8 array of shape (H, W) or (H, W, 3).

    Cached after the first call; the array cannot be modified (make a copy
    with ``.copy()`` to edit it).

    Raises
    ------
    ValueError
        If ``sample_id`` is not a key of :data:`SAMPLES`.
    """
    _check(sample_id)
    return _cached(sample_id).view()


def load_sample(sample_id: str) -> LoadedImage:
    """The sample as a :class:`segcore.io.LoadedImage` (a writable copy).

    The digest is the sha1 of the sample id, shape, dtype and pixel bytes.
    """
    sample = _check(sample_id)
    image = _cached(sample_id)
    digest = hashlib.sha1(
        f"sample:{sample_id}:{image.shape}:{image.dtype.str}:".encode() + image.tobytes()
    ).hexdigest()
    notes = [f"bundled sample from scikit-image (skimage.data.{sample.source})"]
    if sample_id == "horse":
        notes.append("black-and-white mask stored as 0/255 grey")
    mode = "L" if image.ndim == 2 else "RGB"
    return LoadedImage(
        image=image.copy(),
        digest=digest,
        format="sample",
        original_mode=mode,
        notes=notes,
        name=sample.label,
        n_bytes=int(image.nbytes),
    )
