"""Modules a library imports at start-up but our use of it never touches, loaded only on
first use.

:func:`defer_import` puts a module in :data:`sys.modules` as one that loads itself on first
attribute access (the standard library's :class:`importlib.util.LazyLoader`). Nothing changes
in what runs: the first attribute read from it loads the real module, which then replaces the
lazy one in place, so code that needs it still gets it. Only a plain ``import name`` or
``from package import name`` is deferred so; ``from name import attribute`` reads the
attribute, and loads the module there and then.

``import name as alias`` reads the module's ``__spec__`` (to see whether it is still being
initialised), which would load a plain lazy module at once, so a deferred module answers
``__spec__`` without loading (:class:`_LazyModuleShowingSpec`, built on the standard
library's ``importlib.util._LazyModule``; where that is missing, only modules inside a package
are deferred).

Used where a library's own import is a measurable share of a run's CPU: the gate's Great
Expectations (``scipy.stats``, ``altair``), the render's WeasyPrint (``fontTools.subset``) and
the pipeline's papermill (``requests``).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

_LazyModule: type | None = getattr(importlib.util, "_LazyModule", None)


if _LazyModule is not None:

    class _LazyModuleShowingSpec(_LazyModule):  # type: ignore[misc,valid-type]
        """A module loaded on first use that answers ``__spec__`` without loading."""

        def __getattribute__(self, attr: str) -> object:
            if attr == "__spec__":
                return object.__getattribute__(self, "__spec__")
            return super().__getattribute__(attr)

else:  # pragma: no cover - a Python without the standard library's lazy module
    _LazyModuleShowingSpec = None  # type: ignore[misc,assignment]  # defer_import then defers nothing


def defer_import(name: str) -> ModuleType | None:
    """Put ``name`` in :data:`sys.modules` as a module loaded on first attribute access, unless
    it is already imported or cannot be found; return what is now in place (or ``None``)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)  # imports the parent package (kept light)
    if spec is None or spec.loader is None:
        return None
    if _LazyModuleShowingSpec is None and "." not in name:
        return None  # ``import name`` would load a plain lazy module at once
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    if _LazyModuleShowingSpec is not None:
        module.__class__ = _LazyModuleShowingSpec
    parent, _, child = name.rpartition(".")
    if parent:  # ``from package import child`` reads the attribute
        setattr(sys.modules[parent], child, module)
    return module


def defer_imports(names: tuple[str, ...]) -> None:
    """:func:`defer_import` each of ``names``."""
    for name in names:
        defer_import(name)
