"""What the speed machinery takes from libraries beyond their documented use, each fenced: a
test here fails the day a library changes underneath it, naming what to look at, rather than
a run going slower (or wrong) without a word.

- the kernel client (runner/execute/kernel_client.py) overrides jupyter_client's
  ``wait_for_ready`` and calls its private ``_handle_kernel_info_reply``;
- deferred imports (common/deferred_imports.py) subclass the standard library's private
  ``importlib.util._LazyModule``;
- the Data Docs views (gate/checks/data_docs_views.py) give Great Expectations' page views'
  own Jinja environment (``env``) a shared bytecode cache;
- WeasyPrint's import (paper/formats/weasyprint_import.py) switches off
  ``ctypes.util.find_library`` for its length.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import inspect
from types import ModuleType

import jinja2


def test_jupyter_clients_ready_check_is_where_the_kernel_client_expects_it() -> None:
    from jupyter_client.asynchronous import AsyncKernelClient

    from highneeds.runner.execute.kernel_client import QuickReadyClient

    handle = getattr(AsyncKernelClient, "_handle_kernel_info_reply", None)
    assert callable(handle), "jupyter_client renamed _handle_kernel_info_reply: see kernel_client"
    assert list(inspect.signature(handle).parameters)[1:] == ["msg"]
    base = AsyncKernelClient.wait_for_ready
    assert inspect.iscoroutinefunction(base) and "timeout" in inspect.signature(base).parameters
    assert QuickReadyClient.wait_for_ready is not base  # ours, taking what the base takes

    def shape(function: object) -> list[tuple[str, object]]:
        return [(p.name, p.default) for p in inspect.signature(function).parameters.values()]

    assert shape(QuickReadyClient.wait_for_ready) == shape(base)


def test_the_standard_librarys_lazy_module_is_there_to_subclass() -> None:
    from highneeds.common import deferred_imports

    lazy = getattr(importlib.util, "_LazyModule", None)
    assert isinstance(lazy, type) and issubclass(lazy, ModuleType)
    assert deferred_imports._LazyModuleShowingSpec is not None
    assert issubclass(deferred_imports._LazyModuleShowingSpec, lazy)


def test_great_expectations_page_views_keep_their_jinja_environment_as_env() -> None:
    from highneeds.gate.checks.great_expectations_import import import_great_expectations

    import_great_expectations()
    from highneeds.gate.checks.data_docs_views import COMPILED_TEMPLATES, IndexPageView, PageView

    for view in (PageView(), IndexPageView()):
        assert isinstance(view.env, jinja2.Environment)
        assert view.env.bytecode_cache is COMPILED_TEMPLATES


def test_the_library_search_weasyprint_is_spared_is_ctypes_own() -> None:
    from highneeds.paper.formats.weasyprint_import import library_search_off

    search = ctypes.util.find_library
    with library_search_off():
        assert ctypes.util.find_library("c") is None
    assert ctypes.util.find_library is search
