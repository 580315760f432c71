"""Import WeasyPrint without its slow search for the libraries it loads.

WeasyPrint loads Pango, HarfBuzz, fontconfig and GObject by trying, for each, the names it
has on Windows and macOS before the Linux one (``libpango-1.0.so.0``). For every name without
a dot cffi asks :func:`ctypes.util.find_library`, which on Linux runs ``ldconfig``, then
``gcc`` and ``ld`` in subprocesses; 18 names miss, on every import (WeasyPrint issue
#1125). Each library's Linux name is in its list, and the dynamic loader finds that by
itself, so :func:`import_weasyprint` imports WeasyPrint with the search
answering "not found" at once. Should a library load only through the search (a system
whose loader cannot find it by name), the import is done again the usual way.

WeasyPrint also imports fontTools' subsetter, which it calls only where HarfBuzz
cannot subset a font; :data:`DEFERRED_MODULES` load on first use
(:mod:`highneeds.common.deferred_imports`).
"""

from __future__ import annotations

import ctypes.util
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from highneeds.common.deferred_imports import defer_imports

_lock = threading.Lock()
#: What WeasyPrint imports at start-up but uses only where HarfBuzz cannot subset a font.
DEFERRED_MODULES = ("fontTools.subset",)


@contextmanager
def library_search_off() -> Iterator[None]:
    """:func:`ctypes.util.find_library` finds nothing, at once, for the length of the block
    (names with a dot are still opened by the dynamic loader itself)."""
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = search


def import_weasyprint() -> ModuleType:
    """``weasyprint``, its libraries loaded by their Linux names without a library search."""
    with _lock:
        if "weasyprint" not in sys.modules:
            defer_imports(DEFERRED_MODULES)
            try:
                with library_search_off():
                    import weasyprint
            except OSError:  # a library the loader cannot find by name: search as usual
                for name in [m for m in sys.modules if m.split(".")[0] == "weasyprint"]:
                    del sys.modules[name]
        import weasyprint

        return weasyprint
