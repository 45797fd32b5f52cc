"""The dashboard's display helpers against segcore's reference implementations."""
from __future__ import annotations

import numpy as np
import pytest

import segcore
from dashboard import cached
from dashboard.components.before_after import _same_size
from tests.conftest import disk_image
from tests.pages.conftest import decode


@pytest.mark.parametrize("n_labels", [2, 300])
def test_overlay_jpeg_matches_segcore_overlay(n_labels):
    yy, xx = np.mgrid[:300, :400]
    image = np.stack([xx * 255 // 399, yy * 255 // 299, (xx + yy) * 255 // 698], axis=-1).astype(np.uint8)
    side = 300 if n_labels == 2 else 20  # 2 regions, or 15 x 20 = 300 blocks (beyond a 256 lookup table)
    labels = ((yy // side) * (400 // side) + xx // side).astype(np.int32) % n_labels
    got = decode(cached.overlay_jpeg(image, labels, f"test|{n_labels}", 0.45, "fill", 900, f"img|{n_labels}"))[..., ::-1]
    want = segcore.figures.overlay_image(image, labels, 0.45, "fill")
    assert got.shape == want.shape
    # Same colours and blend; JPEG (quality 85) makes it close, not bit-exact.
    assert np.abs(got.astype(int) - want).mean() < 3


def test_label_count_and_noise_crop():
    labels = np.zeros((50, 60), np.int32)
    labels[5:10, 5:10] = 3
    labels[20:30, 20:30] = 7
    assert cached.label_count(labels, "count|a") == 3
    assert cached.label_count(labels > 0, "count|b") == 2
    noisy = np.clip(np.full((700, 700), 0.5) + np.random.default_rng(0).normal(0, 0.05, (700, 700)), 0, 1)
    assert cached.noise_sigma(noisy, "sigma|a") == pytest.approx(0.05 * 255, rel=0.15)  # grey levels


def test_before_after_sizes_are_made_equal():
    small = segcore.io.to_jpeg_bytes(disk_image(40, 12)[0])
    big = segcore.io.to_jpeg_bytes(disk_image(80, 24)[0])
    assert _same_size(small, small) is small
    fixed = decode(_same_size(small, big))
    assert fixed.shape[:2] == (40, 40)
