"""Source collection for standalone scripts, and the small runtime helpers of a recipe.

Two halves:

* Runtime helpers (``unwrap_labels``, ``unwrap_image``, ``masked_blend``,
  ``load_image``, ``save_labels``, ``save_mask``, ``save_image``). They are
  used by :func:`segcore.recipe.run` and by :mod:`segcore.batch`, *and* their
  source is copied into exported scripts, so the script and segcore compute
  the same thing bit for bit. Like method functions they only use
  module-level ``np``, ``cv2``, ``ndi`` and skimage submodules.
* :class:`ScriptBuilder`: collects the source of functions (recursively, with
  the module-level functions, constants and imports they use) into one flat
  namespace, renaming where two different objects want the same name.
"""
from __future__ import annotations

import ast
import builtins
import dis
import inspect
import io as _pyio
import keyword
import sys
import textwrap
import tokenize
import types

import cv2
import numpy as np
from scipy import ndimage as ndi
from skimage import io, util

__all__ = [
    "ExportError",
    "ScriptBuilder",
    "unwrap_labels",
    "unwrap_image",
    "masked_blend",
    "load_image",
    "save_labels",
    "save_mask",
    "save_image",
]


class ExportError(ValueError):
    """A function that cannot be copied into a standalone script."""


# --------------------------------------------------------------------------- runtime helpers
# These are exported verbatim into scripts: keep them self-contained.


def unwrap_labels(result):
    """Labels (int32) from a method result ``array`` or ``(array, extras)``."""
    if isinstance(result, tuple):
        result = result[0]
    return np.asarray(result, dtype=np.int32)


def unwrap_image(result):
    """Image from a method result ``array`` or ``(array, extras)``."""
    if isinstance(result, tuple):
        result = result[0]
    return np.asarray(result)


def masked_blend(image, restored, mask, feather=0.0):
    """Keep ``restored`` inside ``mask`` and ``image`` outside it.

    With ``feather`` > 0 the weight of ``restored`` ramps from 0 at the mask
    border to 1 at ``feather`` pixels inside it (Euclidean distance), so the
    seam is soft; pixels outside the mask are never changed.
    """
    mask = np.asarray(mask, dtype=bool)
    if feather > 0:
        weight = np.clip(ndi.distance_transform_edt(mask) / float(feather), 0.0, 1.0)
    else:
        weight = mask.astype(np.float64)
    if image.ndim == 3:
        weight = weight[..., None]
    mixed = image.astype(np.float64) * (1.0 - weight) + restored.astype(np.float64) * weight
    if image.dtype.kind in "ui":
        info = np.iinfo(image.dtype)
        mixed = np.clip(np.rint(mixed), info.min, info.max)
    return mixed.astype(image.dtype)


def load_image(path):
    """Read an image as segcore.io does for plain PNG/JPEG/TIFF files.

    RGB channel order, grey stays (H, W), 8/16-bit kept, transparency
    flattened onto white. (EXIF rotation and exotic formats are not handled
    here; segcore.io.load_image handles them.)
    """
    image = io.imread(path)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 3 and image.shape[2] in (2, 4):
        colour, alpha = image[..., :-1], image[..., -1]
        if colour.shape[2] == 1:
            colour = colour[..., 0]
        top = float(np.iinfo(colour.dtype).max) if colour.dtype.kind in "ui" else 1.0
        atop = float(np.iinfo(alpha.dtype).max) if alpha.dtype.kind in "ui" else 1.0
        a = alpha.astype(np.float32) / atop
        if np.all(a >= 1.0):
            image = colour
        else:
            if colour.ndim == 3:
                a = a[..., None]
            mixed = colour.astype(np.float32) * a + top * (1.0 - a)
            if colour.dtype.kind in "ui":
                image = np.clip(np.rint(mixed), 0, top).astype(colour.dtype)
            else:
                image = mixed.astype(np.float32)
    return np.ascontiguousarray(image)


def _write_png(path, array):
    if array.ndim == 3:
        array = cv2.cvtColor(array, cv2.COLOR_RGB2BGR)
    if not cv2.imwrite(str(path), array):
        raise OSError(f"could not write {path}")


def save_labels(path, labels):
    """Write a label image as a 16-bit PNG (labels must be 0..65535)."""
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() > 65535):
        raise ValueError(
            f"labels range from {labels.min()} to {labels.max()}; a 16-bit PNG holds 0 to 65535"
        )
    _write_png(path, labels.astype(np.uint16))


def save_mask(path, labels):
    """Write the foreground (labels > 0) as an 8-bit PNG of 0 and 255."""
    _write_png(path, (np.asarray(labels) > 0).astype(np.uint8) * np.uint8(255))


def save_image(path, image):
    """Write an image as PNG with its bit depth (float images become 16-bit)."""
    image = np.asarray(image)
    if image.dtype != np.uint8 and image.dtype != np.uint16:
        image = util.img_as_uint(np.clip(image.astype(np.float64), 0.0, 1.0))
    _write_png(path, np.ascontiguousarray(image))


# --------------------------------------------------------------------------- source collection

# Packages an exported script may import (plus the standard library).
ALLOWED_PACKAGES = ("numpy", "scipy", "skimage", "cv2")
_SIMPLE = (int, float, complex, str, bytes, bool, type(None))


def _is_simple(value) -> bool:
    if isinstance(value, _SIMPLE):
        return True
    if isinstance(value, (tuple, list, frozenset, set)):
        return all(_is_simple(v) for v in value)
    if isinstance(value, dict):
        return all(_is_simple(k) and _is_simple(v) for k, v in value.items())
    return False


def _code_globals(code: types.CodeType) -> set[str]:
    """Names a code object (and the code nested in it) loads as globals."""
    names = set()
    for ins in dis.get_instructions(code):
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME", "STORE_GLOBAL", "DELETE_GLOBAL"):
            names.add(ins.argval)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_globals(const)
    return names


def _def_time_names(tree: ast.AST) -> set[str]:
    """Names evaluated when the ``def`` runs: defaults and decorators."""
    fn = tree.body[0]
    nodes = list(fn.args.defaults) + [d for d in fn.args.kw_defaults if d is not None]
    nodes += list(fn.decorator_list)
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}


def _top_package(modname: str) -> str:
    return modname.split(".", 1)[0]


def _allowed_module(modname: str) -> bool:
    top = _top_package(modname)
    return top in ALLOWED_PACKAGES or top in sys.stdlib_module_names


def _public_home(obj) -> str:
    """Shortest importable module path that exposes ``obj`` under its name."""
    modname = getattr(obj, "__module__", None) or ""
    name = obj.__name__
    parts = modname.split(".")
    for i in range(1, len(parts) + 1):
        cand = ".".join(parts[:i])
        if cand.split(".")[-1].startswith("_") and i > 1:
            continue
        try:
            mod = __import__(cand, fromlist=["_"])
        except Exception:  # noqa: BLE001
            continue
        if getattr(mod, name, None) is obj:
            return cand
    return modname


def _module_import(module: types.ModuleType, alias: str) -> str:
    full = module.__name__
    if "." in full:
        parent, last = full.rsplit(".", 1)
        if last == alias:
            return f"from {parent} import {last}"
        return f"import {full} as {alias}"
    return f"import {full}" if full == alias else f"import {full} as {alias}"


def _rename_tokens(source: str, renames: dict[str, str]) -> str:
    """Rename global names in ``source`` (not attributes, not keyword names)."""
    if not renames:
        return source
    toks = list(tokenize.generate_tokens(_pyio.StringIO(source).readline))
    out = []
    depth = 0
    for i, tok in enumerate(toks):
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        if tok.type == tokenize.NAME and tok.string in renames:
            prev = next((t for t in reversed(toks[:i]) if t.type not in (tokenize.NL, tokenize.COMMENT)), None)
            nxt = next((t for t in toks[i + 1:] if t.type not in (tokenize.NL, tokenize.COMMENT)), None)
            is_attr = prev is not None and prev.string == "."
            is_kw = depth > 0 and nxt is not None and nxt.string == "="
            if not (is_attr or is_kw):
                tok = tok._replace(string=renames[tok.string])
        out.append(tok)
    return tokenize.untokenize(out)


class ScriptBuilder:
    """Collect functions with everything they reference into one namespace.

    ``add(func)`` returns the name under which ``func`` is defined in the
    script. ``imports()`` and ``definitions()`` give the text to write.
    Names listed in ``reserved`` (the script's own variables) are never used
    for collected objects.
    """

    def __init__(self, reserved=()):
        self._taken: dict[str, object] = {n: ("reserved", n) for n in reserved}
        self._imports: set[str] = set()
        self._defs: list[str] = []
        self._consts: list[str] = []
        self._done: dict[int, str] = {}  # id(function) -> script name
        self._keep: list = []  # keep collected objects alive (ids stay unique)

    # -- naming
    def _claim(self, name: str, identity) -> tuple[str, bool]:
        """Script name for ``identity`` wanting ``name``; True when newly bound."""
        cand, n = name, 1
        while cand in self._taken or keyword.iskeyword(cand) or cand in dir(builtins):
            if self._taken.get(cand) == identity:
                return cand, False
            n += 1
            cand = f"{name}_{n}"
        self._taken[cand] = identity
        return cand, True

    # -- collection
    def add(self, func) -> str:
        """Collect ``func`` (a segcore function) and its dependencies; return its script name."""
        if id(func) in self._done:
            return self._done[id(func)]
        if not isinstance(func, types.FunctionType):
            raise ExportError(f"{func!r} is not a plain Python function and cannot be exported.")
        where = f"{func.__module__}.{func.__qualname__}"
        if "<locals>" in func.__qualname__ or "<lambda>" in func.__qualname__:
            raise ExportError(f"{where}: nested functions and lambdas cannot be exported; define it at module level.")
        try:
            source = textwrap.dedent(inspect.getsource(func))
        except (OSError, TypeError) as exc:
            raise ExportError(f"{where}: its source code is not available ({exc}).") from None
        tree = ast.parse(source)
        if not tree.body or not isinstance(tree.body[0], ast.FunctionDef):
            raise ExportError(f"{where}: could not parse its definition.")
        if tree.body[0].decorator_list:
            raise ExportError(f"{where}: decorated functions cannot be exported.")
        # A function is identified by its module and source: the same helper
        # reached twice is defined once; a different helper with the same name
        # (e.g. ``_channel_axis`` in two family modules) is renamed.
        identity = ("func", source, func.__module__)
        script_name, new = self._claim(func.__name__, identity)
        self._done[id(func)] = script_name
        self._keep.append(func)
        if not new:
            return script_name
        renames = {}
        if script_name != func.__name__:
            renames[func.__name__] = script_name
        gl = func.__globals__
        needed = _code_globals(func.__code__) | _def_time_names(tree)
        for name in sorted(needed):
            if name == func.__name__ and gl.get(name) is func:
                continue
            if name not in gl:
                if hasattr(builtins, name):
                    continue
                raise ExportError(
                    f"{where} uses the name '{name}', which is not defined at the top of "
                    f"{func.__module__}; the exported script could not run."
                )
            target = self._resolve(name, gl[name], where)
            if target != name:
                renames[name] = target
        source = _rename_tokens(source, renames)
        self._defs.append(source.rstrip() + "\n")
        return script_name

    def _resolve(self, name: str, value, where: str) -> str:
        """Make global ``name`` (bound to ``value``) available; return its script name."""
        if isinstance(value, types.ModuleType):
            if _top_package(value.__name__) == "segcore":
                raise ExportError(
                    f"{where} uses the segcore module '{name}'; import the helper it needs by name "
                    "(from segcore._common import to_float) so it can be copied into the script."
                )
            if not _allowed_module(value.__name__):
                raise ExportError(
                    f"{where} uses the module {value.__name__!r}; exported scripts may only import "
                    f"{', '.join(ALLOWED_PACKAGES)} and the standard library."
                )
            script_name, new = self._claim(name, ("module", value.__name__))
            if new:
                self._imports.add(_module_import(value, script_name))
            return script_name
        if isinstance(value, types.FunctionType) and _top_package(value.__module__ or "") == "segcore":
            return self.add(value)
        if callable(value) and hasattr(value, "__name__") and not _is_simple(value):
            modname = getattr(value, "__module__", None) or ""
            if _top_package(modname) == "segcore":
                raise ExportError(f"{where} uses the segcore object '{name}' ({type(value).__name__}), which cannot be exported.")
            if not _allowed_module(modname):
                raise ExportError(
                    f"{where} uses {name!r} from {modname!r}; exported scripts may only import "
                    f"{', '.join(ALLOWED_PACKAGES)} and the standard library."
                )
            home = _public_home(value)
            script_name, new = self._claim(name, ("object", home, value.__name__))
            if new:
                stmt = f"from {home} import {value.__name__}"
                if script_name != value.__name__:
                    stmt += f" as {script_name}"
                self._imports.add(stmt)
            return script_name
        if _is_simple(value):
            text = repr(value)
            script_name, new = self._claim(name, ("const", text))
            if new:
                self._consts.append(f"{script_name} = {text}\n")
            return script_name
        if isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and value.size <= 10000:
            self._resolve("np", np, where)
            text = f"np.array({value.tolist()!r}, dtype=np.{value.dtype.name})"
            script_name, new = self._claim(name, ("const", text))
            if new:
                self._consts.append(f"{script_name} = {text}\n")
            return script_name
        raise ExportError(
            f"{where} uses the module-level name '{name}' ({type(value).__name__}), which cannot be "
            "written into a standalone script; use a function, a module import, or a simple constant."
        )

    # -- output
    def imports(self) -> str:
        plain = sorted(s for s in self._imports if s.startswith("import "))
        froms = sorted(s for s in self._imports if s.startswith("from "))
        return "\n".join(plain + froms) + "\n"

    def definitions(self) -> str:
        parts = []
        if self._consts:
            parts.append("".join(self._consts))
        parts.extend(self._defs)
        return "\n\n".join(parts)
