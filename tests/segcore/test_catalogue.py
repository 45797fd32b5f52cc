"""Every registered segmentation method runs with defaults through segcore.apply."""
import numpy as np
import pytest

import segcore
from tests.conftest import disk_image

SEGMENT = segcore.methods("segment")
POST = segcore.methods("postprocess")


@pytest.fixture(scope="module")
def images():
    gray, _ = disk_image(40, 12, seed=1)
    color, _ = disk_image(40, 12, seed=2, color=True)
    return {"gray": gray, "color": color, "gray16": gray.astype(np.uint16) * 257}


@pytest.mark.parametrize("kind", ["gray", "color", "gray16"])
@pytest.mark.parametrize("method", SEGMENT, ids=[m.id for m in SEGMENT])
def test_segment_method_runs_with_defaults(method, kind, images):
    image = images[kind]
    before = image.copy()
    first = segcore.apply(method.id, image)
    second = segcore.apply(method.id, image)
    assert isinstance(first, segcore.SegResult)
    assert first.labels.dtype == np.int32
    assert first.labels.shape == image.shape[:2]
    assert first.labels.min() >= 0
    np.testing.assert_array_equal(first.labels, second.labels)  # deterministic
    np.testing.assert_array_equal(image, before)  # input untouched
    assert first.params == segcore.validate_params(method.id, {})


@pytest.mark.parametrize("method", POST, ids=[m.id for m in POST])
def test_postprocess_method_runs_on_labels(method, images):
    labels = segcore.apply("otsu", images["gray"]).labels
    before = labels.copy()
    out = segcore.apply(method.id, labels)
    assert out.labels.dtype == np.int32 and out.labels.shape == labels.shape
    np.testing.assert_array_equal(labels, before)
