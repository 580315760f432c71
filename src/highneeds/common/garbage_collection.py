"""How the pipeline's own processes end: without the garbage collector's passes over every
object they hold.

At interpreter shutdown CPython collects again and again as it clears each module, which in
a process that imported Great Expectations, pandas and matplotlib costs far more than ending
with every object frozen first (measured in the history of docs/performance.md). The process
is ending, so its memory goes back to the system whole. Registered by the command line's
:func:`highneeds.cli.main`; the kernels are killed and the render worker ends with
``os._exit``, so neither pays it.
"""

from __future__ import annotations

import atexit
import gc


def end_without_collecting() -> None:
    """Freeze every object as this process exits, before the shutdown's collections: the
    other exit handlers still run, and files still close and flush as the last reference to
    each goes. Registered once, however often it is asked for."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
