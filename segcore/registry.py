"""One declaration per method: parameters, explanation, function, export.

Every segmentation and restoration method of segcore is declared once with
:func:`register`. Everything else is derived from that declaration: the
widgets of the dashboard, validation of a recipe, cache keys, the exported
script and the README table.

Conventions for a method function
---------------------------------
``func(image, **params)`` (restore methods that need a mask:
``func(image, *, mask, **params)``) takes the image first and every parameter
as a keyword argument with a default equal to the declared default. It
returns an ndarray (labels for ``task="segment"``, an image for
``task="restore"``) or a tuple ``(array, extras_dict)``. It never modifies its
input and only uses module-level imports (``np``, ``cv2``, ``ndi``,
``skimage`` submodules) and other module-level functions or constants, so
that :mod:`segcore.recipe` can export its source into a standalone script.

Geometric parameters (``kind="point"``, ``"points"``, ``"rect"``) are given in
*fractions* of the image width and height (x to the right, y down, both in
[0, 1]), so the same value works on the preview and at full resolution.
"""
from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

import numpy as np

__all__ = [
    "Param",
    "Method",
    "SegResult",
    "RestoreResult",
    "ParamError",
    "register",
    "get",
    "methods",
    "apply",
    "validate_params",
    "cache_key",
    "TASKS",
    "FAMILY_ORDER",
]

TASKS = ("segment", "restore", "postprocess")
ParamKind = Literal["int", "float", "bool", "choice", "point", "points", "rect", "str"]


class ParamError(ValueError):
    """A parameter value that the method's declaration does not allow."""


@dataclass(frozen=True)
class Param:
    """Declaration of one method parameter.

    Parameters
    ----------
    name : str
        Keyword argument name of the method function.
    kind : {"int", "float", "bool", "choice", "point", "points", "rect", "str"}
        Type of the value; decides the widget and the validation.
        ``point`` is ``(x, y)``; ``points`` a list of ``(x, y, label)``;
        ``rect`` is ``(x0, y0, x1, y1)``; all in fractions of width/height.
    default : Any
        Default value (must itself be valid).
    min, max, step : float, optional
        Range and slider step for numeric kinds.
    choices : tuple, optional
        Allowed values for ``kind="choice"``.
    help : str
        One or two plain sentences shown as the widget tooltip.
    label : str, optional
        Human label; defaults to the name with spaces.
    unit : str
        ``"px"`` when the value is a length in pixels, ``"px2"`` for an area;
        such values are scaled when a method runs on a reduced preview.
    """

    name: str
    kind: ParamKind
    default: Any
    min: float | None = None
    max: float | None = None
    step: float | None = None
    choices: tuple | None = None
    help: str = ""
    label: str | None = None
    unit: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def validate(self, value: Any) -> Any:
        """Return ``value`` coerced to this parameter's type, or raise ParamError."""
        bad = lambda why: ParamError(  # noqa: E731
            f"Parameter '{self.name}' = {value!r} is not allowed: {why}."
        )
        if self.kind == "bool":
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            if value in (0, 1):
                return bool(value)
            raise bad("expected true or false")
        if self.kind in ("int", "float"):
            if isinstance(value, (bool, np.bool_)) or not isinstance(
                value, (int, float, np.integer, np.floating)
            ):
                raise bad(f"expected a number between {self.min} and {self.max}")
            v = float(value)
            if not math.isfinite(v):
                raise bad("expected a finite number")
            if self.kind == "int":
                if v != round(v):
                    raise bad("expected a whole number")
                v = int(round(v))
            if (self.min is not None and v < self.min) or (
                self.max is not None and v > self.max
            ):
                raise bad(f"allowed range is {self.min} to {self.max}")
            return v
        if self.kind == "choice":
            if value not in self.choices:
                raise bad(f"choose one of {', '.join(map(str, self.choices))}")
            return value
        if self.kind == "str":
            if not isinstance(value, str):
                raise bad("expected text")
            return value
        if self.kind == "point":
            return tuple(_fractions(value, 2, bad))
        if self.kind == "rect":
            x0, y0, x1, y1 = _fractions(value, 4, bad)
            if x1 <= x0 or y1 <= y0:
                raise bad("a rectangle needs x0 < x1 and y0 < y1")
            return (x0, y0, x1, y1)
        if self.kind == "points":
            if value is None:
                return ()
            try:
                items = list(value)
            except TypeError:
                raise bad("expected a list of (x, y, label) triples") from None
            out = []
            for item in items:
                try:
                    x, y, lab = item
                except (TypeError, ValueError):
                    raise bad("each point is (x, y, label)") from None
                fx, fy = _fractions((x, y), 2, bad)
                if isinstance(lab, bool) or not float(lab).is_integer() or lab < 1:
                    raise bad("point labels are whole numbers from 1")
                out.append((fx, fy, int(lab)))
            return tuple(out)
        raise bad(f"unknown parameter kind {self.kind}")  # pragma: no cover


def _fractions(value, n, bad):
    try:
        vals = [float(v) for v in value]
    except (TypeError, ValueError):
        raise bad(f"expected {n} numbers between 0 and 1") from None
    if len(vals) != n or not all(0.0 <= v <= 1.0 for v in vals):
        raise bad(f"expected {n} numbers between 0 and 1 (fractions of width/height)")
    return vals


@dataclass(frozen=True)
class SegResult:
    """Result of a segmentation.

    Attributes
    ----------
    labels : (M, N) ndarray of int32
        0 is background for binary results; a binary mask is labels 0/1.
    extras : dict
        Optional by-products: ``thresholds``, ``edges``, ``seeds``, ...
    method : str
        Id of the method that produced it.
    params : dict
        The validated parameters used.
    seconds : float
        Wall-clock run time of the method.
    """

    labels: np.ndarray
    extras: dict = field(default_factory=dict)
    method: str = ""
    params: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def mask(self) -> np.ndarray:
        """Foreground mask (``labels > 0``)."""
        return self.labels > 0

    @property
    def n_regions(self) -> int:
        return int(len(np.unique(self.labels)))


@dataclass(frozen=True)
class RestoreResult:
    """Result of a restoration: the image (same shape and dtype as the input)."""

    image: np.ndarray
    extras: dict = field(default_factory=dict)
    method: str = ""
    params: dict = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class Method:
    """Declaration of one method.

    Attributes
    ----------
    id : str
        Unique id, e.g. ``"otsu"`` or ``"inpaint_telea"``.
    task : {"segment", "restore", "postprocess"}
        ``postprocess`` methods take a label image instead of an image and
        return labels (remove small objects, fill holes, ...).
    family : str
        Group shown in the interface ("threshold", "edges", "denoise", ...).
    label : str
        Short human name.
    func : callable
        ``func(image, **params)``; see the module docstring.
    params : tuple of Param
    explain : str
        Two to five plain sentences: what it does, when it works, when it fails.
    references : tuple of str
    live : bool
        Cheap enough to recompute on every slider step at preview size.
    needs_mask : bool
        Restore methods that take ``mask=`` (inpainting).
    """

    id: str
    task: str
    family: str
    label: str
    func: Callable[..., Any]
    params: tuple[Param, ...] = ()
    explain: str = ""
    references: tuple[str, ...] = ()
    live: bool = True
    needs_mask: bool = False

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}


_REGISTRY: dict[str, Method] = {}
_SEQUENCE: dict[str, int] = {}


def register(method: Method) -> Method:
    """Add a declaration to the registry (ids are unique)."""
    if method.task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {method.task!r}")
    if method.id in _REGISTRY and _REGISTRY[method.id].func is not method.func:
        raise ValueError(f"method id {method.id!r} is registered twice")
    for p in method.params:
        p.validate(p.default)
    _REGISTRY[method.id] = method
    _SEQUENCE.setdefault(method.id, len(_SEQUENCE))
    return method


def _load_catalogues() -> None:
    # Importing the families registers their methods.
    from segcore import segment, restore  # noqa: F401


def get(method_id: str) -> Method:
    """Return the declaration of ``method_id`` or raise ParamError."""
    _load_catalogues()
    try:
        return _REGISTRY[method_id]
    except KeyError:
        raise ParamError(
            f"Unknown method '{method_id}'. Known methods: {', '.join(sorted(_REGISTRY))}."
        ) from None


# Teaching order of the families (simple to advanced); unknown families come last.
FAMILY_ORDER = (
    "threshold", "edges", "regions", "interactive", "contours", "damage", "postprocess",
    "denoise", "deblur", "inpaint", "contrast", "sharpen",
)


def _order(method: Method) -> tuple:
    family = FAMILY_ORDER.index(method.family) if method.family in FAMILY_ORDER else len(FAMILY_ORDER)
    return (TASKS.index(method.task), family, method.family, _SEQUENCE[method.id])


def methods(task: str | None = None, family: str | None = None) -> list[Method]:
    """List declarations, optionally of one task and/or family.

    The order is stable whatever the import order: by task, by family (see
    ``FAMILY_ORDER``), then in declaration order within a module.
    """
    _load_catalogues()
    found = [
        m
        for m in _REGISTRY.values()
        if (task is None or m.task == task) and (family is None or m.family == family)
    ]
    return sorted(found, key=_order)


def validate_params(method: Method | str, params: dict | None = None) -> dict:
    """Fill defaults and validate ``params`` against the declaration.

    Raises
    ------
    ParamError
        Naming the parameter, the value and the allowed range, or an unknown name.
    """
    if isinstance(method, str):
        method = get(method)
    params = dict(params or {})
    out = {}
    for p in method.params:
        out[p.name] = p.validate(params.pop(p.name)) if p.name in params else p.default
    if params:
        known = ", ".join(p.name for p in method.params) or "none"
        raise ParamError(
            f"Method '{method.id}' has no parameter {', '.join(map(repr, params))}; "
            f"its parameters are: {known}."
        )
    return out


def _jsonable(value):
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


def cache_key(method_id: str, params: dict, digest: str = "") -> str:
    """Stable key for (image digest, method, validated params)."""
    full = validate_params(method_id, params)
    payload = json.dumps(
        [digest, method_id, {k: _jsonable(v) for k, v in full.items()}], sort_keys=True
    )
    return hashlib.sha1(payload.encode()).hexdigest()


def apply(method_id: str, image: np.ndarray, *, mask: np.ndarray | None = None, **params):
    """Validate ``params`` and run a registered method on ``image``.

    Parameters
    ----------
    method_id : str
        Id of a registered method (see :func:`methods`).
    image : (M, N[, 3]) ndarray
        Grey or RGB image of any dtype.
    mask : (M, N) ndarray of bool, optional
        Required by restore methods with ``needs_mask`` (e.g. inpainting).
    **params
        Keyword parameters; missing ones take their declared defaults.

    Returns
    -------
    SegResult or RestoreResult
    """
    method = get(method_id)
    full = validate_params(method, params)
    image = np.asarray(image)
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise ParamError(
            f"Expected a grey (H, W) or colour (H, W, 3) image, got shape {image.shape}."
        )
    kwargs = dict(full)
    if method.needs_mask:
        if mask is None:
            raise ParamError(f"Method '{method.id}' needs a mask of the pixels to repair.")
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != image.shape[:2]:
            raise ParamError(
                f"The mask is {mask.shape[1]}x{mask.shape[0]} but the image is "
                f"{image.shape[1]}x{image.shape[0]}; they must match."
            )
        kwargs["mask"] = mask
    start = time.perf_counter()
    out = method.func(image, **kwargs)
    seconds = time.perf_counter() - start
    array, extras = out if isinstance(out, tuple) else (out, {})
    if method.task in ("segment", "postprocess"):
        return SegResult(
            labels=np.asarray(array, dtype=np.int32),
            extras=extras,
            method=method.id,
            params=full,
            seconds=seconds,
        )
    return RestoreResult(image=array, extras=extras, method=method.id, params=full, seconds=seconds)
