"""Every registered restore method runs with defaults on small grey/colour images
of uint8, uint16 and float, keeps shape and dtype, is deterministic and leaves
its input untouched."""
import numpy as np
import pytest

import segcore
from tests.conftest import disk_image

RESTORE = segcore.methods("restore")


def _images():
    gray, _ = disk_image(40, 12, seed=1)
    gray = gray[:, :40]
    gray = np.pad(gray, ((0, 0), (0, 8)), mode="edge")  # 40 x 48, not square
    color, _ = disk_image(40, 12, seed=2, color=True)
    color = np.pad(color, ((0, 0), (0, 8), (0, 0)), mode="edge")
    return {
        "gray8": gray,
        "color8": color,
        "gray16": gray.astype(np.uint16) * 257,
        "color16": color.astype(np.uint16) * 257,
        "grayf": gray.astype(np.float64) / 255.0,
        "colorf32": (color.astype(np.float32) / 255.0),
    }


IMAGES = _images()


def _mask(shape):
    mask = np.zeros(shape[:2], dtype=bool)
    mask[10:14, 5:30] = True  # a scratch
    mask[25, 20:40] = True
    return mask


def test_catalogue_has_the_promised_methods():
    ids = {m.id for m in RESTORE}
    promised = {
        "gaussian", "median", "bilateral", "nl_means", "tv_chambolle", "tv_bregman", "wavelet",
        "cv2_nl_means", "wiener", "unsupervised_wiener", "richardson_lucy", "inpaint_telea",
        "inpaint_ns", "inpaint_biharmonic", "clahe", "equalize", "levels", "background",
        "unsharp_mask",
    }
    assert promised <= ids
    for m in RESTORE:
        assert m.explain and m.references and m.label
        assert all(p.help for p in m.params), m.id


@pytest.mark.parametrize("kind", list(IMAGES))
@pytest.mark.parametrize("method", RESTORE, ids=[m.id for m in RESTORE])
def test_restore_method_runs_with_defaults(method, kind):
    image = IMAGES[kind]
    before = image.copy()
    kwargs = {"mask": _mask(image.shape)} if method.needs_mask else {}
    try:
        first = segcore.apply(method.id, image, **kwargs)
    except ModuleNotFoundError as err:  # e.g. wavelet without PyWavelets
        pytest.skip(f"{method.id} needs an optional package that is not installed: {err}")
    second = segcore.apply(method.id, image, **kwargs)
    assert isinstance(first, segcore.RestoreResult)
    assert first.image.shape == image.shape
    assert first.image.dtype == image.dtype
    assert np.all(np.isfinite(first.image.astype(np.float64)))
    if image.dtype.kind == "f":
        assert first.image.min() >= -1e-6 and first.image.max() <= 1 + 1e-6
    np.testing.assert_array_equal(first.image, second.image)  # deterministic
    np.testing.assert_array_equal(image, before)  # input untouched
    assert first.params == segcore.validate_params(method.id, {})


@pytest.mark.parametrize("method", RESTORE, ids=[m.id for m in RESTORE])
def test_restore_method_exports_to_identical_standalone_code(method):
    export = pytest.importorskip("segcore.export")
    image = IMAGES["color8"]
    kwargs = {"mask": _mask(image.shape)} if method.needs_mask else {}
    builder = export.ScriptBuilder()
    name = builder.add(method.func)
    namespace = {}
    exec(compile(builder.imports() + "\n" + builder.definitions(), "<script>", "exec"), namespace)
    try:
        expected = method.func(image, **kwargs, **method.defaults)
    except ModuleNotFoundError as err:
        pytest.skip(f"{method.id} needs an optional package that is not installed: {err}")
    got = namespace[name](image, **kwargs, **method.defaults)
    got = got[0] if isinstance(got, tuple) else got
    expected = expected[0] if isinstance(expected, tuple) else expected
    np.testing.assert_array_equal(got, expected)
