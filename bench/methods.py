"""Per-method timings: ``segcore.apply`` against the raw library call.

For each registered method and image size, time the call through
``segcore.apply`` (validation, dtype chores, result wrapping) and a *raw*
reference measured in the same run: the straightforward scikit-image/OpenCV
call that gives the same output where one is listed in :data:`RAW`, else the
method's own function called directly (then the ratio is the registry's
overhead alone). Medians of several runs; ratios only within one run.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np
from skimage import color, filters, restoration, segmentation, util

import segcore
from segcore._common import frac_points_to_px

__all__ = ["RAW", "Cell", "time_call", "make_image", "bench_methods", "LIVE_BUDGET_S"]

LIVE_BUDGET_S = 0.100


def _gray(image):
    return color.rgb2gray(image) if image.ndim == 3 else util.img_as_float64(image)


def _raw_otsu(image):
    g = _gray(image)
    return (g > filters.threshold_otsu(g, nbins=256)).astype(np.int32)


def _raw_manual(image):
    g8 = util.img_as_ubyte(_gray(image))
    return cv2.threshold(g8, 127, 1, cv2.THRESH_BINARY)[1]


def _raw_slic(image):
    return segmentation.slic(image, n_segments=100, compactness=10.0, sigma=0.0,
                             start_label=1, channel_axis=-1 if image.ndim == 3 else None)


def _raw_felzenszwalb(image):
    return segmentation.felzenszwalb(image, scale=100.0, sigma=0.8, min_size=50,
                                     channel_axis=-1 if image.ndim == 3 else None)


def _raw_quickshift(image):
    rgb = image if image.ndim == 3 else color.gray2rgb(image)
    return segmentation.quickshift(util.img_as_float(rgb), kernel_size=5.0, max_dist=10.0,
                                   ratio=1.0, rng=0)


def _raw_gaussian(image):
    return cv2.GaussianBlur(image, (0, 0), 1.5, borderType=cv2.BORDER_REFLECT)


def _raw_median(image):
    return cv2.medianBlur(image, 3)


def _raw_bilateral(image):
    return cv2.bilateralFilter(image, 9, 50.0, 5.0)


def _raw_tv(image):
    return restoration.denoise_tv_chambolle(image, weight=0.07,
                                            channel_axis=-1 if image.ndim == 3 else None)


def _raw_wavelet(image):
    return restoration.denoise_wavelet(image, method="BayesShrink", mode="soft", wavelet="db2",
                                       rescale_sigma=True,
                                       channel_axis=-1 if image.ndim == 3 else None)


def _raw_nl_means(image):
    axis = -1 if image.ndim == 3 else None
    img = util.img_as_float(image)
    sigma = float(np.mean(restoration.estimate_sigma(img, channel_axis=axis)))
    return restoration.denoise_nl_means(img, h=0.6 * sigma, sigma=sigma, patch_size=5,
                                        patch_distance=6, fast_mode=True, channel_axis=axis)


def _raw_cv2_nl_means(image):
    if image.ndim == 3:
        return cv2.fastNlMeansDenoisingColored(image, None, 20, 20, 7, 21)
    return cv2.fastNlMeansDenoising(image, None, 20, 7, 21)


def _raw_clahe(image):
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
    if image.ndim == 2:
        return clahe.apply(image)
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)
    lab[..., 0] = clahe.apply(lab[..., 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def _raw_telea(image, mask):
    return cv2.inpaint(image, mask.astype(np.uint8), 3, cv2.INPAINT_TELEA)


def _raw_ns(image, mask):
    return cv2.inpaint(image, mask.astype(np.uint8), 3, cv2.INPAINT_NS)


def _raw_grabcut(image):
    rgb = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    h, w = rgb.shape[:2]
    rect = (int(0.1 * w), int(0.1 * h), int(0.8 * w), int(0.8 * h))
    mask = np.zeros((h, w), np.uint8)
    cv2.grabCut(rgb, mask, rect, np.zeros((1, 65)), np.zeros((1, 65)), 5, cv2.GC_INIT_WITH_RECT)
    return np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.int32)


def _raw_random_walker(image):
    g = _gray(image)
    markers = np.zeros(g.shape, np.int32)
    for r, c, lab in frac_points_to_px(((0.5, 0.5, 1), (0.03, 0.03, 2)), g.shape):
        markers[max(r - 3, 0): r + 4, max(c - 3, 0): c + 4] = lab
    return segmentation.random_walker(g, markers, beta=130, mode="bf")


# Straightforward library calls for the default parameters of a method (the
# code a user would write by hand). GrabCut and random walker here run at full
# resolution, while segcore's methods work at a reduced size (``work_size``),
# so their ratio is a speed-up, not an overhead.
RAW = {
    "threshold_manual": _raw_manual,
    "otsu": _raw_otsu,
    "slic": _raw_slic,
    "felzenszwalb": _raw_felzenszwalb,
    "quickshift": _raw_quickshift,
    "grabcut": _raw_grabcut,
    "random_walker": _raw_random_walker,
    "gaussian": _raw_gaussian,
    "median": _raw_median,
    "bilateral": _raw_bilateral,
    "tv_chambolle": _raw_tv,
    "wavelet": _raw_wavelet,
    "nl_means": _raw_nl_means,
    "cv2_nl_means": _raw_cv2_nl_means,
    "clahe": _raw_clahe,
    "inpaint_telea": _raw_telea,
    "inpaint_ns": _raw_ns,
}


def time_call(fn, repeat: int, slow_after: float = 2.0) -> tuple[float, int]:
    """Median seconds of ``fn()`` over ``repeat`` runs (one run when a run is slow)."""
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        if i == 0 and times[0] > slow_after:
            break
    return float(np.median(times)), len(times)


def make_image(megapixels: float, seed: int = 0) -> np.ndarray:
    """A natural RGB photo (skimage's astronaut) resized to about ``megapixels``, with mild noise."""
    base = segcore.samples.load("astronaut")
    side = int(round(np.sqrt(megapixels * 1e6)))
    img = cv2.resize(base, (side, side), interpolation=cv2.INTER_CUBIC if side > 512 else cv2.INTER_AREA)
    rng = np.random.default_rng(seed)
    noisy = img.astype(np.int16) + rng.normal(0, 8, img.shape).astype(np.int16)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _damage_mask(shape, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mask = np.zeros(shape[:2], np.uint8)
    h, w = shape[:2]
    for _ in range(8):
        p0 = (int(rng.integers(w)), int(rng.integers(h)))
        p1 = (int(rng.integers(w)), int(rng.integers(h)))
        cv2.line(mask, p0, p1, 1, max(1, w // 300))
    return mask.astype(bool)


@dataclass
class Cell:
    method: str
    task: str
    live: bool
    size: str
    megapixels: float
    apply_s: float | None
    raw_s: float | None
    raw_kind: str
    runs: int
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.apply_s is None or not self.raw_s:
            return None
        return self.apply_s / self.raw_s


def bench_methods(sizes: dict[str, float], repeat: int = 5, skip_after: float = 12.0,
                  only: list[str] | None = None, progress=print,
                  images: dict[str, np.ndarray] | None = None) -> list[Cell]:
    """Time every registered method at each size.

    A method whose single run at one size takes more than ``skip_after``
    seconds is not run at the larger sizes (noted in the table).
    """
    cells: list[Cell] = []
    if images is None:
        images = {name: make_image(mp) for name, mp in sizes.items()}
    for method in segcore.methods():
        if only and method.id not in only:
            continue
        too_slow_from = None
        for size_name, image in images.items():
            mp = image.shape[0] * image.shape[1] / 1e6
            if method.task == "postprocess":
                arg = segcore.apply("otsu", image).labels
                raw = lambda: method.func(arg)  # noqa: E731
                call = lambda: segcore.apply(method.id, arg)  # noqa: E731
                raw_kind = "func"
            else:
                kwargs = {"mask": _damage_mask(image.shape)} if method.needs_mask else {}
                call = lambda: segcore.apply(method.id, image, **kwargs)  # noqa: E731
                if method.id in RAW:
                    raw = lambda: RAW[method.id](image, **kwargs)  # noqa: E731
                    raw_kind = "library"
                else:
                    full = segcore.validate_params(method.id, {})
                    raw = lambda: method.func(image, **kwargs, **full)  # noqa: E731
                    raw_kind = "func"
            if too_slow_from is not None:
                cells.append(Cell(method.id, method.task, method.live, size_name, mp, None, None,
                                  raw_kind, 0, f"skipped: {too_slow_from:.1f} s at a smaller size"))
                continue
            call()  # warm-up (imports, caches, FFT plans)
            apply_s, runs = time_call(call, repeat)
            raw_s, _ = time_call(raw, runs)
            note = "" if runs >= repeat else f"{runs} run (slow)"
            cells.append(Cell(method.id, method.task, method.live, size_name, mp, apply_s, raw_s,
                              raw_kind, runs, note))
            progress(f"  {method.id:22s} {size_name:>10s} apply {apply_s*1e3:9.1f} ms  raw {raw_s*1e3:9.1f} ms")
            if apply_s > skip_after:
                too_slow_from = apply_s
    return cells
