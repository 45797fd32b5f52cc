"""Tests for segcore.samples: bundled images load offline, read-only, documented."""
from __future__ import annotations

import socket

import numpy as np
import pytest

from segcore import io as sio
from segcore import samples
from segcore.io import LoadedImage

REQUIRED = {"camera", "coins", "astronaut", "page", "text", "moon", "coffee", "retina", "hubble_deep_field"}


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a sample tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    samples._cached.cache_clear()
    yield
    samples._cached.cache_clear()


def test_registry_has_required_samples():
    assert REQUIRED <= set(samples.SAMPLES)
    assert len(samples.SAMPLES) >= 9
    for key, sample in samples.SAMPLES.items():
        assert sample.id == key
        assert sample.label and sample.source
        assert len(sample.why.split()) >= 8 and sample.why.endswith(".")


def test_all_samples_load_offline_as_uint8(offline):
    for sample_id in samples.SAMPLES:
        image = samples.load(sample_id)
        assert image.dtype == np.uint8, sample_id
        assert image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3), sample_id
        assert min(image.shape[:2]) >= 64
        assert image.min() < image.max()  # not blank


def test_load_is_cached_and_read_only():
    a = samples.load("coins")
    b = samples.load("coins")
    assert np.shares_memory(a, b)
    with pytest.raises(ValueError):
        a[0, 0] = 0
    with pytest.raises(ValueError):
        a.flags.writeable = True
    assert samples.load("coins")[0, 0] == a[0, 0]


def test_known_shapes():
    assert samples.load("coins").shape == (303, 384)
    assert samples.load("astronaut").shape == (512, 512, 3)
    horse = samples.load("horse")
    assert set(np.unique(horse)) == {0, 255}


def test_load_sample_is_a_loaded_image():
    loaded = samples.load_sample("astronaut")
    assert isinstance(loaded, LoadedImage)
    np.testing.assert_array_equal(loaded.image, samples.load("astronaut"))
    loaded.image[0, 0] = 0  # a private, writable copy
    assert samples.load("astronaut")[0, 0].any()
    assert loaded.format == "sample" and loaded.original_mode == "RGB"
    assert loaded.name == samples.SAMPLES["astronaut"].label
    assert any("scikit-image" in n for n in loaded.notes)
    assert (loaded.height, loaded.width, loaded.channels) == (512, 512, 3)
    again = samples.load_sample("astronaut")
    assert again.digest == loaded.digest and len(loaded.digest) == 40
    assert samples.load_sample("camera").digest != loaded.digest


def test_unknown_sample():
    with pytest.raises(ValueError, match="coins"):
        samples.load("no_such_sample")
    with pytest.raises(ValueError):
        samples.load_sample("no_such_sample")


def test_sample_round_trips_through_png():
    image = samples.load("coffee")
    np.testing.assert_array_equal(sio.load_image(sio.to_png_bytes(image)).image, image)
