"""Recipes: JSON schema and validation, run(), and exported scripts (bit for bit)."""
from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import textwrap

import cv2
import numpy as np
import pytest
from scipy import ndimage as ndi

import segcore
from segcore.export import ExportError, ScriptBuilder, masked_blend
from segcore.recipe import Recipe, RecipeOutput, Step, run, to_script
from segcore.registry import ParamError
from tests.conftest import disk_image

ALL = segcore.methods()
IDS = [m.id for m in ALL]


def _image(kind="rgb"):
    """48 x 64 image: a bright disk on a darker background with noise.

    ``kind``: "rgb" (uint8), "gray" (uint8) or "gray16" (uint16).
    """
    img, _ = disk_image(64, 18, color=kind == "rgb", seed=3)
    img = np.ascontiguousarray(img[8:56])
    return img.astype(np.uint16) * np.uint16(257) + np.uint16(3) if kind == "gray16" else img


def recipe_for(method) -> Recipe:
    """The smallest recipe that exercises ``method``."""
    if method.task == "segment":
        return Recipe((Step(method.id),))
    if method.task == "postprocess":
        return Recipe((Step("otsu"), Step(method.id)))
    if method.needs_mask:
        return Recipe((Step("otsu"), Step(method.id, use_mask="inpaint")))
    return Recipe((Step(method.id),))


EXTRA = {
    # masked restore, feathered, and a collision of two different `_channel_axis` helpers
    "inside_feather": Recipe((Step("slic"), Step("gaussian", {"sigma": 2.0}, use_mask="inside", feather=3.0))),
    "outside_then_collision": Recipe(
        (Step("otsu"), Step("median", use_mask="outside"))
        + ((Step("nl_means"),) if "nl_means" in IDS else ())
    ),
    "restore_before_segment": Recipe((Step("gaussian"), Step("otsu"))) if "gaussian" in IDS else Recipe((Step("otsu"),)),
}
if "slic" not in IDS or "gaussian" not in IDS or "median" not in IDS:  # pragma: no cover - early tree
    EXTRA = {"otsu_only": Recipe((Step("otsu"),))}

_RUNNER = textwrap.dedent(
    '''
    import json, runpy, sys, traceback
    jobs_path, results_path = sys.argv[1], sys.argv[2]
    jobs = json.load(open(jobs_path))
    results = {}
    for name, job in jobs.items():
        sys.argv = [job["script"]] + job["args"]
        try:
            runpy.run_path(job["script"], run_name="__main__")
            results[name] = "ok"
        except BaseException:
            results[name] = traceback.format_exc()
    results["__segcore_imported__"] = any(m == "segcore" or m.startswith("segcore.") for m in sys.modules)
    json.dump(results, open(results_path, "w"))
    '''
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Export a script per method (and a few extra recipes), run them all in one subprocess."""
    tmp = tmp_path_factory.mktemp("scripts")
    images, srcs = {}, {}
    for kind in ("rgb", "gray", "gray16"):
        images[kind] = _image(kind)
        srcs[kind] = tmp / f"input_{kind}.png"
        bgr = images[kind][..., ::-1] if images[kind].ndim == 3 else images[kind]
        assert cv2.imwrite(str(srcs[kind]), bgr)
    cases = {}
    for m in ALL:
        for kind in ("rgb", "gray"):
            cases[f"{m.id}@{kind}"] = recipe_for(m)
    for name, recipe in EXTRA.items():
        for kind in ("rgb", "gray16"):
            cases[f"{name}@{kind}"] = recipe
    jobs, errors, expected = {}, {}, {}
    for name, recipe in cases.items():
        src = srcs[name.split("@")[1]]
        try:
            text = to_script(recipe)
        except ExportError as exc:
            errors[name] = str(exc)
            continue
        assert not re.search(r"^\s*(import|from)\s+segcore", text, re.M)
        script = tmp / f"{name.replace('@', '_')}.py"
        script.write_text(text)
        out = {k: tmp / f"{name.replace('@', '_')}_{k}.png" for k in ("labels", "mask", "image")}
        jobs[name] = {"script": str(script), "args": [str(src)] + [a for k, p in out.items() for a in (f"--{k}", str(p))]}
        expected[name] = (recipe, out)
    (tmp / "jobs.json").write_text(json.dumps(jobs))
    (tmp / "runner.py").write_text(_RUNNER)
    proc = subprocess.run(
        [sys.executable, str(tmp / "runner.py"), str(tmp / "jobs.json"), str(tmp / "results.json")],
        cwd=tmp, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp), "OMP_NUM_THREADS": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads((tmp / "results.json").read_text())
    return images, results, errors, expected


def _check(name, exported):
    images, results, errors, expected = exported
    image = images[name.split("@")[1]]
    assert not results["__segcore_imported__"], "an exported script imported segcore"
    assert name not in errors, f"to_script failed for {name}: {errors.get(name)}"
    assert results[name] == "ok", f"exported script for {name} failed:\n{results[name]}"
    recipe, out = expected[name]
    want = run(recipe, image)
    if want.labels is not None:
        labels = cv2.imread(str(out["labels"]), cv2.IMREAD_UNCHANGED)
        assert labels.dtype == np.uint16 and labels.shape == image.shape[:2]
        assert np.array_equal(labels.astype(np.int32), want.labels)
        mask = cv2.imread(str(out["mask"]), cv2.IMREAD_UNCHANGED)
        assert np.array_equal(mask > 0, want.labels > 0)
    else:
        assert not out["labels"].exists()
    if want.image is not None:
        got = cv2.imread(str(out["image"]), cv2.IMREAD_UNCHANGED)
        if got.ndim == 3:
            got = got[..., ::-1]
        assert got.dtype == want.image.dtype == image.dtype and got.shape == image.shape
        assert np.array_equal(got, want.image)
    else:
        assert not out["image"].exists()


@pytest.mark.parametrize("kind", ["rgb", "gray"])
@pytest.mark.parametrize("method_id", IDS)
def test_exported_script_matches_run_bit_for_bit(method_id, kind, exported):
    _check(f"{method_id}@{kind}", exported)


@pytest.mark.parametrize("kind", ["rgb", "gray16"])
@pytest.mark.parametrize("name", sorted(EXTRA))
def test_exported_script_extra_recipes(name, kind, exported):
    _check(f"{name}@{kind}", exported)


def test_collision_is_renamed_in_script():
    if not {"slic", "nl_means"} <= set(IDS):
        pytest.skip("needs slic and nl_means")
    text = to_script(Recipe((Step("slic"), Step("nl_means"))))
    assert "def _channel_axis(" in text and "def _channel_axis_2(" in text
    compile(text, "<script>", "exec")


def test_script_layout_one_commented_line_per_step():
    text = to_script(Recipe((Step("otsu", {"channel": "R"}),)))
    lines = text.splitlines()
    i = lines.index("    # Step 1: Otsu (segment)")
    assert lines[i + 1].strip() == "labels = unwrap_labels(threshold_otsu(image, channel='R', invert=False))"
    head = text.split("def ", 1)[0]
    assert "import numpy as np" in head and "from skimage import filters" in head
    assert "import segcore" not in text and "from segcore" not in text
    assert head.count("import numpy as np") == 1


# --------------------------------------------------------------------------- run()


def test_run_segment_postprocess_restore_outputs():
    image = _image()
    out = run(Recipe((Step("threshold_manual", {"threshold": 120}),)), image)
    assert isinstance(out, RecipeOutput) and out.image is None and len(out.seconds) == 1
    gray8 = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    # skimage's rgb2gray weights differ slightly from OpenCV's; compare far from the level
    far = np.abs(gray8.astype(int) - 120) > 5
    assert np.array_equal(out.labels[far], (gray8 > 120)[far].astype(np.int32))
    assert out.labels.dtype == np.int32 and out.n_regions == 2


@pytest.mark.skipif("gaussian" not in IDS, reason="needs the gaussian denoiser")
@pytest.mark.parametrize("where", ["inside", "outside"])
def test_run_restricts_restore_to_mask(where):
    image = _image()
    recipe = Recipe((Step("otsu"), Step("gaussian", {"sigma": 3.0}, use_mask=where)))
    out = run(recipe, image)
    mask = out.labels > 0
    keep = ~mask if where == "inside" else mask
    full = segcore.apply("gaussian", image, sigma=3.0).image
    assert np.array_equal(out.image[keep], image[keep])
    assert np.array_equal(out.image[~keep], full[~keep])
    assert out.image.dtype == image.dtype and out.image.shape == image.shape


def test_masked_blend_feather_ramps_inside_the_mask():
    image = np.zeros((20, 20), np.uint8)
    restored = np.full((20, 20), 200, np.uint8)
    mask = np.zeros((20, 20), bool)
    mask[:, 10:] = True
    out = masked_blend(image, restored, mask, feather=4.0)
    assert np.all(out[:, :10] == 0)              # outside never changes
    assert np.all(out[:, 10] == 50)              # distance 1 of 4 -> 1/4 of 200
    assert np.all(out[:, 11] == 100)
    assert np.all(out[:, 13:] == 200)            # >= feather px inside: fully restored
    hard = masked_blend(image, restored, mask)
    assert np.array_equal(hard, np.where(mask, 200, 0).astype(np.uint8))


def test_run_rejects_bad_image():
    with pytest.raises(ValueError, match="grey"):
        run(Recipe((Step("otsu"),)), np.zeros((4, 4, 2)))


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("method_id", IDS)
def test_json_round_trip(method_id):
    recipe = recipe_for(segcore.get(method_id))
    text = recipe.to_json()
    back = Recipe.from_json(text)
    assert back == recipe and hash(back) == hash(recipe)
    assert json.loads(text)["version"] == 1
    assert back.to_json() == text


def test_json_round_trip_with_every_option():
    recipe = Recipe.make(
        segment=("threshold_manual", {"threshold": 90, "invert": True}),
        restore=[Step("gaussian", {"sigma": 2.5}, use_mask="outside", feather=1.5)] if "gaussian" in IDS else [],
    )
    back = Recipe.from_json(recipe.to_json())
    assert back == recipe
    assert back.segment.params == {"threshold": 90, "channel": "gray", "invert": True}


def test_from_json_fills_defaults():
    r = Recipe.from_json('{"steps": [{"method": "threshold_manual"}]}')
    assert r.steps[0].params == segcore.get("threshold_manual").defaults


@pytest.mark.parametrize(
    "text, error, words",
    [
        ("{not json", ValueError, "not valid JSON"),
        ('[]', ValueError, "'version' and 'steps'"),
        ('{"steps": {}}', ValueError, "list of steps"),
        ('{"version": 99, "steps": []}', ValueError, "newer"),
        ('{"steps": [], "extra": 1}', ValueError, "unknown key"),
        ('{"steps": [{"method": "nope"}]}', ParamError, "step 1 (nope): Unknown method"),
        ('{"steps": [{"params": {}}]}', ValueError, "step 1: the 'method' is missing"),
        ('{"steps": [{"method": "otsu", "params": {"channel": "X"}}]}', ParamError, "step 1 (otsu): Parameter 'channel'"),
        ('{"steps": [{"method": "threshold_manual", "params": {"threshold": 300}}]}', ParamError, "allowed range is 0 to 255"),
        ('{"steps": [{"method": "otsu", "params": {"sigma": 1}}]}', ParamError, "has no parameter 'sigma'"),
        ('{"steps": [{"method": "otsu"}, {"method": "otsu"}]}', ValueError, "step 2 (otsu): a recipe has at most one segmentation"),
        ('{"steps": [{"method": "otsu", "use_mask": "inside"}]}', ValueError, "only applies to restore steps"),
        ('{"steps": [{"method": "otsu", "colour": 1}]}', ValueError, "unknown key(s) 'colour'"),
        ('{"steps": [5]}', ValueError, "step 1: expected an object"),
    ],
)
def test_bad_recipes_raise_plain_messages(text, error, words):
    with pytest.raises(error) as info:
        Recipe.from_json(text)
    assert words in str(info.value)


@pytest.mark.skipif("gaussian" not in IDS, reason="needs the gaussian denoiser")
@pytest.mark.parametrize(
    "step, words",
    [
        ({"method": "gaussian", "use_mask": "inside"}, "needs a segmentation step before it"),
        ({"method": "gaussian", "use_mask": "middle"}, "choose one of none, inside, outside, inpaint"),
        ({"method": "gaussian", "use_mask": "inpaint"}, "does not take one"),
        ({"method": "gaussian", "feather": -1}, "pixels >= 0"),
        ({"method": "gaussian", "feather": "wide"}, "pixels >= 0"),
    ],
)
def test_bad_restore_steps(step, words):
    with pytest.raises(ValueError) as info:
        Recipe.from_dict({"steps": [step]})
    assert words in str(info.value) and "step 1 (gaussian)" in str(info.value)


def test_needs_mask_methods_require_inpaint_and_segmentation():
    masked = [m.id for m in ALL if m.needs_mask]
    if not masked:
        pytest.skip("no inpainting method registered yet")
    with pytest.raises(ValueError, match="set use_mask to \"inpaint\""):
        Recipe((Step("otsu"), {"method": masked[0]}))
    with pytest.raises(ValueError, match="needs a segmentation step"):
        Recipe(({"method": masked[0], "use_mask": "inpaint"},))


# --------------------------------------------------------------------------- the exporter itself


def _fake_module(tmp_path, name, source):
    path = tmp_path / f"{name.replace('.', '_')}.py"
    path.write_text(textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_exporter_reports_unresolved_and_forbidden_names(tmp_path):
    mod = _fake_module(tmp_path, "segcore._fake_export_a", '''
        import numpy as np
        import json as pyjson
        import pytest
        import segcore
        SCALE = (1.5, 2)
        def uses_missing(image):
            return np.asarray(image) * undefined_thing
        def uses_pytest(image):
            return pytest.approx(image)
        def uses_segcore(image):
            return segcore.apply("otsu", image)
        def fine(image, *, k=SCALE):
            return _helper(image) * k[0] + len(pyjson.dumps([1]))
        def _helper(image):
            return np.asarray(image, dtype=float)
    ''')
    with pytest.raises(ExportError, match="uses_missing uses the name 'undefined_thing'"):
        ScriptBuilder().add(mod.uses_missing)
    with pytest.raises(ExportError, match="module 'pytest'"):
        ScriptBuilder().add(mod.uses_pytest)
    with pytest.raises(ExportError, match="segcore module 'segcore'"):
        ScriptBuilder().add(mod.uses_segcore)
    with pytest.raises(ExportError, match="not a plain Python function"):
        ScriptBuilder().add(np.asarray)
    b = ScriptBuilder()
    assert b.add(mod.fine) == "fine"
    text = b.imports() + "\n" + b.definitions()
    assert "import json as pyjson" in text and "SCALE = (1.5, 2)" in text and "def _helper(" in text
    ns = {}
    exec(compile(text, "<x>", "exec"), ns)
    assert ns["fine"](np.ones(2)).tolist() == [4.5, 4.5]


def test_exporter_renames_clashing_helpers(tmp_path):
    a = _fake_module(tmp_path, "segcore._fake_export_b", '''
        def _scale(x):
            return x * 2
        def double(x):
            return _scale(x)
    ''')
    b_mod = _fake_module(tmp_path, "segcore._fake_export_c", '''
        def _scale(x):
            return x * 3
        def triple(x, *, _scale_unused=1):
            return _scale(x)
    ''')
    b = ScriptBuilder(reserved=("image",))
    assert b.add(a.double) == "double"
    assert b.add(b_mod.triple) == "triple"
    assert b.add(a.double) == "double"  # collected once
    ns = {}
    exec(compile(b.imports() + b.definitions(), "<x>", "exec"), ns)
    assert ns["double"](5) == 10 and ns["triple"](5) == 15
    assert "_scale_2" in ns


@pytest.mark.skipif("gaussian" not in IDS, reason="needs the gaussian denoiser")
def test_inside_outside_match_guided_restrict():
    guided = pytest.importorskip("segcore.guided")
    image = _image()
    out = run(Recipe((Step("otsu"), Step("gaussian", {"sigma": 2.0}, use_mask="outside", feather=2.5))), image)
    want = guided.restrict(image, out.labels > 0, "gaussian", {"sigma": 2.0}, invert=True, feather=2.5).image
    assert np.array_equal(out.image, want)
    # far inside the object (beyond 3 sigma of the feather) nothing changed
    inner = cv2.erode((out.labels > 0).astype(np.uint8), np.ones((17, 17), np.uint8)) > 0
    assert inner.any() and np.array_equal(out.image[inner], image[inner])


@pytest.mark.skipif("gaussian" not in IDS, reason="needs the gaussian denoiser")
def test_fallback_blend_without_guided_exports_bit_for_bit(tmp_path, monkeypatch):
    import segcore.recipe as recipe_mod

    monkeypatch.setattr(recipe_mod, "_guided_parts", lambda: None)
    image = _image()
    recipe = Recipe((Step("otsu"), Step("gaussian", {"sigma": 2.0}, use_mask="inside", feather=3.0)))
    text = to_script(recipe)
    assert "def masked_blend(" in text and "def _soft(" not in text
    (tmp_path / "s.py").write_text(text)
    cv2.imwrite(str(tmp_path / "in.png"), image[..., ::-1])
    proc = subprocess.run([sys.executable, str(tmp_path / "s.py"), str(tmp_path / "in.png")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    want = run(recipe, image)
    got = cv2.imread(str(tmp_path / "in_restored.png"), cv2.IMREAD_UNCHANGED)[..., ::-1]
    assert np.array_equal(got, want.image)
    assert np.array_equal(cv2.imread(str(tmp_path / "in_labels.png"), cv2.IMREAD_UNCHANGED), want.labels)


def test_exporter_aliases_clashing_module_names(tmp_path):
    a = _fake_module(tmp_path, "segcore._fake_export_d", '''
        import io
        def size_of(data):
            return len(io.BytesIO(data).getvalue())
    ''')
    b = ScriptBuilder()
    b.add(masked_blend)
    from segcore.export import load_image
    b.add(load_image)          # binds `io` to skimage.io
    assert b.add(a.size_of) == "size_of"
    text = b.imports() + b.definitions()
    assert "from skimage import io" in text and "import io as io_2" in text
    ns = {}
    exec(compile(text, "<x>", "exec"), ns)
    assert ns["size_of"](b"abc") == 3


def drop_small_regions(labels, *, min_size=20):
    """Test postprocess method: connected regions; those under ``min_size`` pixels become background."""
    labels, _ = ndi.label(labels > 0)
    counts = np.bincount(labels.ravel())
    small = counts < min_size
    small[0] = False
    return np.where(small[labels], 0, labels).astype(np.int32)


@pytest.fixture
def fake_post(monkeypatch):
    """A postprocess method registered for the duration of one test."""
    from segcore import registry
    from segcore.registry import Method, Param

    method = Method(
        id="_test_drop_small", task="postprocess", family="test", label="Drop small regions",
        func=drop_small_regions,
        params=(Param("min_size", "int", 20, min=1, max=10000, help="Smallest region kept."),),
    )
    registry.get("otsu")  # load the catalogues before adding the test method
    monkeypatch.setitem(registry._REGISTRY, method.id, method)
    return method


def test_postprocess_needs_segmentation(fake_post):
    with pytest.raises(ValueError, match="step 1 \\(_test_drop_small\\): a postprocess step needs a segmentation"):
        Recipe(({"method": fake_post.id},))
    with pytest.raises(ValueError, match="use_mask only applies to restore steps"):
        Recipe((Step("otsu"), {"method": fake_post.id, "use_mask": "inside"}))


def test_postprocess_step_runs_and_exports(tmp_path, fake_post):
    image = _image()
    image[2:4, 2:4] = 255  # a 4-pixel speck that otsu marks as foreground
    recipe = Recipe.make(segment=("otsu", {}), postprocess=[("_test_drop_small", {"min_size": 10})])
    assert Recipe.from_json(recipe.to_json()) == recipe and recipe.postprocess[0].params == {"min_size": 10}
    out = run(recipe, image)
    raw = run(Recipe((Step("otsu"),)), image).labels
    assert raw[2:4, 2:4].all() and not out.labels[2:4, 2:4].any()
    assert np.array_equal(out.labels, drop_small_regions(raw, min_size=10))
    assert out.n_regions >= 2 and len(out.seconds) == 2
    text = to_script(recipe)
    assert "    # Step 2: Drop small regions (postprocess)" in text
    assert "labels = unwrap_labels(drop_small_regions(labels, min_size=10))" in text
    (tmp_path / "s.py").write_text(text)
    cv2.imwrite(str(tmp_path / "in.png"), image[..., ::-1])
    proc = subprocess.run([sys.executable, str(tmp_path / "s.py"), str(tmp_path / "in.png")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    got = cv2.imread(str(tmp_path / "in_labels.png"), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(got.astype(np.int32), out.labels)
    assert not (tmp_path / "in_restored.png").exists()
