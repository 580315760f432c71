"""Import Great Expectations without paying for what the gate never uses.

``import great_expectations`` loads every core expectation, among them
``expect_column_kl_divergence_to_be_less_than``, whose module runs ``from scipy import stats``:
about 0.8 s of a 2.2 s import on the standard machine, for a statistics library no suite of the
gate calls. :func:`import_great_expectations` puts ``scipy.stats`` in place as a module that
loads itself on first use (the standard library's :class:`importlib.util.LazyLoader`), then
imports Great Expectations. Nothing changes in what runs: the first attribute read from
``scipy.stats`` loads the real module, which then replaces the lazy one in place, so an
expectation that needs it still gets it.

``altair``, the other heavy import of that module (0.17 s), is deferred the same way, with one
difference: ``import altair as alt`` reads the module's ``__spec__`` (to see whether it is still
being initialised), which loads a plain lazy module at once, so ``altair``'s lazy module answers
``__spec__`` without loading (:class:`_LazyModuleShowingSpec`). It is built on the standard
library's ``importlib.util._LazyModule``; where that is missing, ``altair`` is imported as usual.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from types import ModuleType

#: Modules Great Expectations imports at start-up that no expectation of the gate uses.
DEFERRED_MODULES = ("scipy.stats", "altair")

_LazyModule: type | None = getattr(importlib.util, "_LazyModule", None)


if _LazyModule is not None:

    class _LazyModuleShowingSpec(_LazyModule):  # type: ignore[misc,valid-type]
        """A module loaded on first use that answers ``__spec__`` without loading."""

        def __getattribute__(self, attr: str) -> object:
            if attr == "__spec__":
                return object.__getattribute__(self, "__spec__")
            return super().__getattribute__(attr)

else:  # pragma: no cover - a Python without the standard library's lazy module
    _LazyModuleShowingSpec = None


def defer_import(name: str) -> ModuleType | None:
    """Put ``name`` in :data:`sys.modules` as a module loaded on first attribute access, unless
    it is already imported or cannot be found; return what is now in place (or ``None``)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)  # imports the parent package (``scipy``: light)
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
    if parent:  # ``from scipy import stats`` reads the attribute
        setattr(sys.modules[parent], child, module)
    return module


def import_great_expectations() -> ModuleType:
    """``great_expectations``, imported with :data:`DEFERRED_MODULES` deferred and its usage
    statistics off."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if "great_expectations" not in sys.modules:
        for name in DEFERRED_MODULES:
            defer_import(name)
    import great_expectations

    return great_expectations
