"""Restore methods by family, one module per family.

Importing this package imports every module in it, which registers their
methods; adding a family is adding a module.
"""
import importlib as _importlib
import pkgutil as _pkgutil

for _info in sorted(_pkgutil.iter_modules(__path__), key=lambda i: i.name):
    if not _info.name.startswith("_"):
        _importlib.import_module(f"{__name__}.{_info.name}")
