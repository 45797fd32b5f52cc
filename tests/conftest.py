"""Shared fixtures: dataset location and small synthetic images."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATASETS = (ROOT / ".." / "shared" / "datasets").resolve()


@pytest.fixture(scope="session")
def datasets() -> Path:
    """Path to ../shared/datasets; skips the test where it is absent."""
    if not DATASETS.is_dir():
        pytest.skip(f"shared datasets not found at {DATASETS} (clone beside ../shared)")
    return DATASETS


def disk_image(size=64, radius=18, fg=200, bg=50, noise=10.0, seed=0, color=False):
    """A bright disk on a dark background with Gaussian noise, and its true mask."""
    rng = np.random.default_rng(seed)
    rr, cc = np.mgrid[:size, :size]
    mask = (rr - size / 2) ** 2 + (cc - size / 2) ** 2 <= radius**2
    img = np.where(mask, fg, bg).astype(float) + rng.normal(0, noise, mask.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    if color:
        img = np.stack([img, (img * 0.8).astype(np.uint8), (255 - img) // 2 + img // 2], axis=-1)
    return img, mask


@pytest.fixture
def small_gray():
    return disk_image(48, 14)[0]


@pytest.fixture
def small_color():
    return disk_image(48, 14, color=True)[0]
