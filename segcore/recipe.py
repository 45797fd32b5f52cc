"""Recipes: a segmentation and restoration pipeline as data, and its export.

A recipe is an ordered list of steps. Each step names a registered method
(:mod:`segcore.registry`) and gives its parameters. The task of the method
decides what a step does:

* ``segment`` (at most one step): ``labels = method(image, **params)``.
* ``postprocess`` (after the segment step): ``labels = method(labels, **params)``.
* ``restore``: ``image = method(image, **params)``, and ``use_mask`` says how
  the segmentation is used:

  - ``"none"``: the whole image is restored;
  - ``"inside"`` / ``"outside"``: only the foreground (``labels > 0``) or its
    complement is restored, as :func:`segcore.guided.restrict` does;
    ``feather`` (pixels, the sigma of a Gaussian) softens the seam, 0 gives a
    hard edge;
  - ``"inpaint"``: for methods that need a mask (inpainting): the pixels to
    repair are the segmentation's foreground.

Steps run in order on the current image, so a denoising step placed before
the segment step cleans the image that is segmented.

JSON form (``version`` 1)::

    {
      "version": 1,
      "steps": [
        {"method": "otsu", "params": {"channel": "gray", "invert": false}},
        {"method": "gaussian", "params": {"sigma": 1.5}, "use_mask": "outside", "feather": 2.0}
      ]
    }

``params`` may omit parameters (their defaults are filled in); ``use_mask``
and ``feather`` are only for restore steps and default to ``"none"`` and 0.

>>> from segcore.recipe import Recipe, Step, run, to_script
>>> recipe = Recipe((Step("otsu"), Step("gaussian", {"sigma": 2.0}, use_mask="outside")))
>>> out = run(recipe, image)            # doctest: +SKIP
>>> print(to_script(recipe))            # doctest: +SKIP
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field

import numpy as np

from segcore import export as _export
from segcore.registry import ParamError, get, validate_params

__all__ = [
    "RECIPE_VERSION",
    "USE_MASK",
    "Step",
    "Recipe",
    "RecipeOutput",
    "run",
    "to_script",
    "ExportError",
]

RECIPE_VERSION = 1
USE_MASK = ("none", "inside", "outside", "inpaint")
ExportError = _export.ExportError


def _freeze(value):
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


def _jsonable(value):
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class Step:
    """One step of a recipe.

    Parameters
    ----------
    method : str
        Id of a registered method.
    params : dict, optional
        Its parameters; validated, and missing ones filled with their defaults
        (so ``step.params`` always holds every parameter). Do not mutate it.
    use_mask : {"none", "inside", "outside", "inpaint"}
        Restore steps only: how the segmentation is used (see module docs).
        Methods that need a mask must use ``"inpaint"`` and only they may.
    feather : float
        Restore steps with ``"inside"``/``"outside"``: softness of the seam in
        pixels (sigma of the Gaussian of :func:`segcore.guided.restrict`;
        0 = hard edge).

    Raises
    ------
    ParamError
        Unknown method or a parameter its declaration does not allow.
    ValueError
        A ``use_mask``/``feather`` that does not fit the method.
    """

    method: str
    params: dict = field(default_factory=dict)
    use_mask: str = "none"
    feather: float = 0.0

    def __post_init__(self):
        if not isinstance(self.method, str):
            raise ParamError(f"The method must be a method id (text), got {self.method!r}.")
        declared = get(self.method)
        if self.params is not None and not isinstance(self.params, dict):
            raise ParamError(f"The parameters of '{self.method}' must be a mapping of name to value.")
        object.__setattr__(self, "params", validate_params(declared, self.params))
        if self.use_mask not in USE_MASK:
            raise ValueError(
                f"use_mask = {self.use_mask!r} is not allowed: choose one of {', '.join(USE_MASK)}."
            )
        if declared.task != "restore" and self.use_mask != "none":
            raise ValueError(
                f"use_mask only applies to restore steps; '{self.method}' is a {declared.task} method."
            )
        if declared.needs_mask and self.use_mask != "inpaint":
            raise ValueError(
                f"'{self.method}' repairs the pixels of a mask: set use_mask to \"inpaint\" "
                "(the segmentation's foreground is the mask)."
            )
        if not declared.needs_mask and self.use_mask == "inpaint":
            raise ValueError(
                f"use_mask \"inpaint\" is for methods that repair a mask; '{self.method}' does not take one. "
                "Use \"inside\" or \"outside\" to restrict it to part of the image."
            )
        feather = self.feather
        if isinstance(feather, bool) or not isinstance(feather, (int, float, np.integer, np.floating)):
            raise ValueError(f"feather = {feather!r} is not allowed: expected a number of pixels >= 0.")
        if not math.isfinite(float(feather)) or float(feather) < 0:
            raise ValueError(f"feather = {feather!r} is not allowed: expected a number of pixels >= 0.")
        object.__setattr__(self, "feather", float(feather))

    def __hash__(self):
        return hash((self.method, _freeze(self.params), self.use_mask, self.feather))

    @property
    def task(self) -> str:
        """The method's task: "segment", "postprocess" or "restore"."""
        return get(self.method).task

    def to_dict(self) -> dict:
        out = {"method": self.method, "params": {k: _jsonable(v) for k, v in self.params.items()}}
        if self.task == "restore":
            out["use_mask"] = self.use_mask
            out["feather"] = self.feather
        return out


_STEP_KEYS = ("method", "params", "use_mask", "feather")


def _step_from(item, index: int) -> Step:
    where = f"Recipe step {index}"
    if isinstance(item, Step):
        return item
    if isinstance(item, (tuple, list)) and 1 <= len(item) <= 2 and isinstance(item[0], str):
        item = {"method": item[0], "params": dict(item[1]) if len(item) > 1 else {}}
    if not isinstance(item, dict):
        raise ValueError(f"{where}: expected an object with a 'method' and its 'params', got {item!r}.")
    unknown = sorted(set(item) - set(_STEP_KEYS))
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(_STEP_KEYS)}.")
    if "method" not in item:
        raise ValueError(f"{where}: the 'method' is missing.")
    where = f"Recipe step {index} ({item['method']})"
    try:
        return Step(
            item["method"],
            item.get("params") or {},
            use_mask=item.get("use_mask", "none"),
            feather=item.get("feather", 0.0),
        )
    except ValueError as exc:  # ParamError is a ValueError
        raise type(exc)(f"{where}: {exc}") from None


@dataclass(frozen=True)
class Recipe:
    """An ordered pipeline of steps (see the module documentation).

    Parameters
    ----------
    steps : sequence of Step (or dicts / ``(method, params)`` pairs)
    version : int
        Schema version of the recipe (currently 1).

    Raises
    ------
    ParamError, ValueError
        A step that is not valid, or steps in an order that cannot run
        (two segment steps, a postprocess step or a masked restore step
        without a segment step before it). The message names the step.
    """

    steps: tuple = ()
    version: int = RECIPE_VERSION

    def __post_init__(self):
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 1:
            raise ValueError(f"Recipe version must be a whole number >= 1, got {self.version!r}.")
        if self.version > RECIPE_VERSION:
            raise ValueError(
                f"This recipe has version {self.version}, newer than this segcore understands "
                f"({RECIPE_VERSION}); please update segcore."
            )
        if isinstance(self.steps, (str, bytes, dict)):
            raise ValueError("Recipe steps must be a list of steps.")
        steps = tuple(_step_from(s, i) for i, s in enumerate(self.steps, 1))
        seen_segment = False
        for i, step in enumerate(steps, 1):
            where = f"Recipe step {i} ({step.method})"
            task = step.task
            if task == "segment":
                if seen_segment:
                    raise ValueError(f"{where}: a recipe has at most one segmentation step.")
                seen_segment = True
            elif task == "postprocess" and not seen_segment:
                raise ValueError(f"{where}: a postprocess step needs a segmentation step before it.")
            elif task == "restore" and step.use_mask != "none" and not seen_segment:
                raise ValueError(
                    f"{where}: use_mask {step.use_mask!r} needs a segmentation step before it."
                )
        object.__setattr__(self, "steps", steps)

    # -- construction helpers
    @classmethod
    def make(cls, segment=None, postprocess=(), restore=()) -> "Recipe":
        """Build from parts: ``segment`` and each postprocess/restore entry is a
        Step, a dict, or a ``(method, params)`` pair."""
        steps = ([segment] if segment is not None else []) + list(postprocess) + list(restore)
        return cls(tuple(steps))

    @property
    def segment(self) -> Step | None:
        return next((s for s in self.steps if s.task == "segment"), None)

    @property
    def postprocess(self) -> tuple:
        return tuple(s for s in self.steps if s.task == "postprocess")

    @property
    def restore(self) -> tuple:
        return tuple(s for s in self.steps if s.task == "restore")

    # -- JSON
    def to_dict(self) -> dict:
        return {"version": self.version, "steps": [s.to_dict() for s in self.steps]}

    def to_json(self, indent: int | None = 2) -> str:
        """The recipe as JSON text (every parameter written out)."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data) -> "Recipe":
        if not isinstance(data, dict):
            raise ValueError("A recipe is an object with 'version' and 'steps'.")
        unknown = sorted(set(data) - {"version", "steps"})
        if unknown:
            raise ValueError(f"Recipe: unknown key(s) {', '.join(map(repr, unknown))}; allowed: 'version', 'steps'.")
        if "steps" not in data or not isinstance(data["steps"], list):
            raise ValueError("Recipe: 'steps' must be a list of steps.")
        return cls(tuple(data["steps"]), version=data.get("version", RECIPE_VERSION))

    @classmethod
    def from_json(cls, text) -> "Recipe":
        """Parse and validate a recipe written by :meth:`to_json` (or by hand).

        Raises
        ------
        ParamError, ValueError
            With a plain message naming the step that is wrong.
        """
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"The recipe is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
        return cls.from_dict(data)


@dataclass(frozen=True)
class RecipeOutput:
    """What :func:`run` returns.

    Attributes
    ----------
    labels : (M, N) ndarray of int32 or None
        The segmentation after postprocessing (None without a segment step).
    image : ndarray or None
        The restored image, same shape and dtype as the input (None without
        restore steps).
    seconds : tuple of float
        Wall-clock time of each step, in recipe order.
    """

    labels: np.ndarray | None
    image: np.ndarray | None
    seconds: tuple = ()

    @property
    def mask(self) -> np.ndarray | None:
        return None if self.labels is None else self.labels > 0

    @property
    def n_regions(self) -> int:
        """Distinct label values (background included), as SegResult.n_regions."""
        return 0 if self.labels is None else int(len(np.unique(self.labels)))

    @property
    def total_seconds(self) -> float:
        return float(sum(self.seconds))


def _coerce(recipe) -> Recipe:
    if isinstance(recipe, Recipe):
        return recipe
    if isinstance(recipe, (str, bytes)):
        return Recipe.from_json(recipe)
    if isinstance(recipe, dict):
        return Recipe.from_dict(recipe)
    raise ValueError(f"Expected a Recipe, its JSON text or dict, got {type(recipe).__name__}.")


def _guided_parts():
    """``(soft, blend)`` of segcore.guided.restrict when available, else None.

    They are module-level, exportable functions, so a script can copy them
    and reproduce :func:`segcore.guided.restrict` bit for bit.
    """
    try:
        from segcore import guided
    except ImportError:  # pragma: no cover - guided is part of segcore
        return None
    soft, blend = getattr(guided, "_soft", None), getattr(guided, "_blend", None)
    if not (callable(soft) and callable(blend) and callable(getattr(guided, "restrict", None))):
        return None  # pragma: no cover
    return soft, blend


def _restrict(image, foreground, method, step):
    """Restore only inside (or outside) the foreground, as the dashboard does."""
    if _guided_parts() is not None:
        from segcore.guided import restrict

        return restrict(image, foreground, method.id, step.params,
                        invert=step.use_mask == "outside", feather=step.feather).image
    # Fallback (no segcore.guided): a linear feather inside the region.
    region = foreground if step.use_mask == "inside" else ~foreground
    new = _export.unwrap_image(method.func(image, **step.params))
    return _export.masked_blend(image, new, region, feather=step.feather)


def run(recipe, image) -> RecipeOutput:
    """Run ``recipe`` on ``image``.

    Parameters
    ----------
    recipe : Recipe (or its JSON text or dict)
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype (not modified).

    Returns
    -------
    RecipeOutput

    Notes
    -----
    Restricting a restore step to the mask (``inside``/``outside``) uses
    :func:`segcore.guided.restrict` (a Gaussian-feathered blend); its blend
    helpers are copied into exported scripts, so scripts reproduce this
    function bit for bit.
    """
    recipe = _coerce(recipe)
    image = np.asarray(image)
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise ValueError(
            f"Expected a grey (H, W) or colour (H, W, 3) image, got shape {image.shape}; "
            "load it with segcore.io.load_image."
        )
    labels = None
    current = image
    restored = False
    seconds = []
    for step in recipe.steps:
        method = get(step.method)
        start = time.perf_counter()
        if method.task == "segment":
            labels = _export.unwrap_labels(method.func(current, **step.params))
        elif method.task == "postprocess":
            labels = _export.unwrap_labels(method.func(labels, **step.params))
        else:
            restored = True
            if step.use_mask == "inpaint":
                current = _export.unwrap_image(method.func(current, mask=labels > 0, **step.params))
            elif step.use_mask in ("inside", "outside"):
                current = _restrict(current, labels > 0, method, step)
            else:
                current = _export.unwrap_image(method.func(current, **step.params))
        seconds.append(time.perf_counter() - start)
    return RecipeOutput(labels=labels, image=current if restored else None, seconds=tuple(seconds))


# --------------------------------------------------------------------------- script export

_RESERVED = (
    "image", "labels", "restored", "run_recipe", "main", "args", "parser", "stem",
    "argparse", "os", "annotations",
)


def _call(name: str, first: str, params: dict, extra: str = "") -> str:
    args = [first] + ([extra] if extra else []) + [f"{k}={v!r}" for k, v in params.items()]
    return f"{name}({', '.join(args)})"


def to_script(recipe) -> str:
    """A standalone Python script that reproduces ``run(recipe, image)``.

    The script imports only numpy, scipy, scikit-image and OpenCV (and the
    standard library): the source of every method function, and of the
    module-level helpers and constants it uses, is copied into it. Run it as
    ``python script.py INPUT [--labels L.png] [--mask M.png] [--image R.png]``.

    Raises
    ------
    ExportError
        When a method function uses something that cannot be copied (the
        message names the function and the name).
    """
    recipe = _coerce(recipe)
    b = _export.ScriptBuilder(reserved=_RESERVED)
    for stmt in ("import argparse", "import os"):
        b._imports.add(stmt)
    h = {f.__name__: b.add(f) for f in (
        _export.load_image, _export.save_labels, _export.save_mask, _export.save_image,
    )}
    lines = []
    has_seg = recipe.segment is not None
    has_restore = bool(recipe.restore)
    for i, step in enumerate(recipe.steps, 1):
        method = get(step.method)
        fname = b.add(method.func)
        detail = method.task
        if method.task == "segment":
            code = f"labels = {b.add(_export.unwrap_labels)}({_call(fname, 'image', step.params)})"
        elif method.task == "postprocess":
            code = f"labels = {b.add(_export.unwrap_labels)}({_call(fname, 'labels', step.params)})"
        else:
            unwrap = b.add(_export.unwrap_image)
            if step.use_mask == "inpaint":
                detail += ", repairs the segmented foreground"
                code = f"image = {unwrap}({_call(fname, 'image', step.params, 'mask=labels > 0')})"
            elif step.use_mask in ("inside", "outside"):
                where = "labels > 0" if step.use_mask == "inside" else "labels == 0"
                detail += f", only {step.use_mask} the segmentation"
                if step.feather > 0:
                    detail += f", feather {step.feather:g} px"
                call = f"{unwrap}({_call(fname, 'image', step.params)})"
                parts = _guided_parts()
                if parts is not None:
                    soft, blend = (b.add(f) for f in parts)
                    code = f"image = {blend}(image, {call}, {soft}({where}, {step.feather!r}))"
                else:
                    blend = b.add(_export.masked_blend)
                    code = f"image = {blend}(image, {call}, {where}, feather={step.feather!r})"
            else:
                code = f"image = {unwrap}({_call(fname, 'image', step.params)})"
        lines.append(f"    # Step {i}: {method.label} ({detail})")
        lines.append(f"    {code}")
    body = "\n".join(lines) if lines else "    pass"
    ret = f"    return {'labels' if has_seg else 'None'}, {'image' if has_restore else 'None'}"
    recipe_text = "\n".join("    " + ln for ln in recipe.to_json().splitlines())
    from segcore import __version__

    outputs = []
    if has_seg:
        outputs.append(
            f"    if labels is not None:\n"
            f"        {h['save_labels']}(args.labels or stem + '_labels.png', labels)\n"
            f"        {h['save_mask']}(args.mask or stem + '_mask.png', labels)"
        )
    if has_restore:
        outputs.append(
            f"    if restored is not None:\n"
            f"        {h['save_image']}(args.image or stem + '_restored.png', restored)"
        )
    outputs_text = "\n".join(outputs) if outputs else "    pass"
    return f'''#!/usr/bin/env python
"""Reproduce a segcore recipe with numpy, scipy, scikit-image and OpenCV only.

Generated by segcore {__version__} from this recipe:

{recipe_text}

Usage:
    python this_script.py INPUT [--labels LABELS.png] [--mask MASK.png] [--image RESTORED.png]

Outputs default to INPUT's name with _labels.png (16-bit labels), _mask.png
(foreground 0/255) and _restored.png (same bit depth as the input).
"""
from __future__ import annotations

{b.imports()}

{b.definitions()}


def run_recipe(image):
    """Run the recipe on an image; return (labels or None, restored image or None)."""
    labels = None
{body}
{ret}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run a segcore recipe on one image.")
    parser.add_argument("input", help="input image (PNG, JPEG, TIFF)")
    parser.add_argument("--labels", help="output label image (16-bit PNG)")
    parser.add_argument("--mask", help="output foreground mask (8-bit PNG)")
    parser.add_argument("--image", help="output restored image (PNG)")
    args = parser.parse_args(argv)
    stem = os.path.splitext(args.input)[0]
    image = {h['load_image']}(args.input)
    labels, restored = run_recipe(image)
{outputs_text}


if __name__ == "__main__":
    main()
'''
