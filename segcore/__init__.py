"""segcore: the functional core of the segmentation-for-restoration dashboard.

Pure Python (numpy, scikit-image, OpenCV, plotly); never imports streamlit.

>>> import segcore
>>> result = segcore.apply("otsu", segcore.samples.load("coins"))
>>> result.labels.dtype
dtype('int32')
"""
from segcore.registry import (
    Method,
    Param,
    ParamError,
    RestoreResult,
    SegResult,
    apply,
    cache_key,
    get,
    methods,
    validate_params,
)

__all__ = [
    "Method",
    "Param",
    "ParamError",
    "RestoreResult",
    "SegResult",
    "apply",
    "cache_key",
    "get",
    "methods",
    "validate_params",
]
__version__ = "0.1.0"


def __getattr__(name):
    # Submodules on first use keep `import segcore` light.
    import importlib

    if name in {"io", "samples", "metrics", "figures", "degrade", "recipe", "batch", "segment", "restore", "guided", "tuning", "catalogue"}:
        return importlib.import_module(f"segcore.{name}")
    raise AttributeError(f"module 'segcore' has no attribute {name!r}")
