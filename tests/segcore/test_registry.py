"""The registry: validation, declarations consistent with their functions."""
import inspect
import re

import numpy as np
import pytest

import segcore
from segcore.registry import Method, Param, ParamError, cache_key, register, validate_params

ALL = segcore.methods()
IDS = [m.id for m in ALL]


def test_catalogue_sizes():
    assert len(segcore.methods("segment")) >= 22
    assert len(segcore.methods("restore")) >= 18
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("method", ALL, ids=IDS)
def test_declaration_matches_function(method: Method):
    sig = inspect.signature(method.func)
    params = list(sig.parameters.values())
    assert params[0].kind in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD)
    for p in method.params:
        assert p.name in sig.parameters, f"{method.id}: {p.name} not in signature"
        assert sig.parameters[p.name].default == p.default, f"{method.id}.{p.name} default differs"
        assert p.help.strip(), f"{method.id}.{p.name} has no help text"
        if p.kind in ("int", "float"):
            assert p.min is not None and p.max is not None and p.min <= p.default <= p.max
        if p.kind == "choice":
            assert p.default in p.choices
    if method.needs_mask:
        assert "mask" in sig.parameters
    # every keyword of the function is declared (nothing hidden from the UI or recipes)
    declared = {p.name for p in method.params} | ({"mask"} if method.needs_mask else set())
    assert set(list(sig.parameters)[1:]) == declared


@pytest.mark.parametrize("method", ALL, ids=IDS)
def test_declaration_is_explained(method: Method):
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", method.explain.strip()) if s]
    assert 2 <= len(sentences) <= 6, f"{method.id}: explain has {len(sentences)} sentences"
    assert method.label and method.family
    assert method.references, f"{method.id} has no reference"
    assert method.func.__doc__, f"{method.id} function has no docstring"


def test_param_validation_messages():
    p = Param("radius", "int", 3, min=1, max=10, help="h")
    assert p.validate(4.0) == 4
    with pytest.raises(ParamError, match=r"'radius' = 11 .*1 to 10"):
        p.validate(11)
    with pytest.raises(ParamError, match="whole number"):
        p.validate(2.5)
    with pytest.raises(ParamError, match="number"):
        p.validate("3")
    with pytest.raises(ParamError, match="finite"):
        Param("w", "float", 0.1, min=0, max=1, help="h").validate(float("nan"))
    c = Param("mode", "choice", "a", choices=("a", "b"), help="h")
    with pytest.raises(ParamError, match="choose one of a, b"):
        c.validate("z")
    r = Param("rect", "rect", (0.1, 0.1, 0.9, 0.9), help="h")
    assert r.validate([0, 0, 1, 1]) == (0.0, 0.0, 1.0, 1.0)
    with pytest.raises(ParamError, match="x0 < x1"):
        r.validate((0.9, 0.1, 0.1, 0.9))
    with pytest.raises(ParamError, match="between 0 and 1"):
        r.validate((0, 0, 2, 1))
    pts = Param("seeds", "points", ((0.5, 0.5, 1),), help="h")
    assert pts.validate([[0.2, 0.3, 2]]) == ((0.2, 0.3, 2),)
    with pytest.raises(ParamError, match="labels"):
        pts.validate([(0.2, 0.3, 0)])
    b = Param("flag", "bool", False, help="h")
    assert b.validate(1) is True
    with pytest.raises(ParamError):
        b.validate("yes")


def test_validate_params_fills_defaults_and_rejects_unknown():
    full = validate_params("threshold_manual", {"threshold": 10})
    assert full == {"threshold": 10, "channel": "gray", "invert": False}
    with pytest.raises(ParamError, match="no parameter 'sigma'"):
        validate_params("threshold_manual", {"sigma": 1})
    with pytest.raises(ParamError, match="Unknown method 'nope'"):
        segcore.apply("nope", np.zeros((8, 8)))


def test_apply_rejects_bad_shapes_and_missing_masks():
    with pytest.raises(ParamError, match="shape"):
        segcore.apply("otsu", np.zeros((8, 8, 4)))
    needs_mask = [m for m in ALL if m.needs_mask]
    assert needs_mask, "at least one inpainting method"
    with pytest.raises(ParamError, match="needs a mask"):
        segcore.apply(needs_mask[0].id, np.zeros((8, 8), np.uint8))
    with pytest.raises(ParamError, match="must match"):
        segcore.apply(needs_mask[0].id, np.zeros((8, 8), np.uint8), mask=np.zeros((4, 4), bool))


def test_cache_key_depends_on_everything_relevant():
    k = cache_key("threshold_manual", {"threshold": 10}, "abc")
    assert k == cache_key("threshold_manual", {"threshold": 10, "invert": False}, "abc")
    assert k != cache_key("threshold_manual", {"threshold": 11}, "abc")
    assert k != cache_key("threshold_manual", {"threshold": 10}, "abd")
    assert k != cache_key("otsu", {}, "abc")


def test_register_rejects_bad_declarations():
    def f(image, *, x=1):
        """Doc."""
        return image

    with pytest.raises(ValueError, match="task"):
        register(Method(id="zz_bad_task", task="paint", family="x", label="x", func=f))
    with pytest.raises(ParamError):
        register(Method(id="zz_bad_default", task="segment", family="x", label="x", func=f,
                        params=(Param("x", "int", 99, min=0, max=10, help="h"),)))
    assert "zz_bad_default" not in [m.id for m in segcore.methods()]
