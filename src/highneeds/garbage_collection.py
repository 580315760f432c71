"""How the pipeline's own processes use CPython's garbage collector: less often while they
work, and not at all as they end.

A run's processes are short batch jobs that hold about 150,000 long-lived objects each (the
libraries: Great Expectations, pandas, matplotlib, WeasyPrint). With CPython's default
thresholds the collector runs after every 700 net allocations of container objects, and now
and then goes over every object held: timed with the collector's own callbacks, 0.58 s of the
gate notebook's CPU, 0.49 s of notebooks 02-04's and 1.31 s of the render's, about a tenth
of each. Collecting less often leaves the values computed exactly as they were (the collector
only frees objects that refer to each other in cycles, which nothing uses any more) and holds
about 20 MiB more at the render's peak.

Set where each process starts: the command line's :func:`highneeds.cli.main` (the run's own
process and the preview's), the render worker, and each kernel a run starts
(:data:`KERNEL_STARTUP_LINE`, which IPython runs before the first cell, so executed notebooks
are unchanged and a plain papermill re-run only takes longer).
"""

from __future__ import annotations

import atexit
import gc

#: The youngest generation is collected after 10,000 net allocations (CPython: 700), the
#: middle one after every 20 of those (10), the oldest after every 100 of those (10). Timed
#: with the collector's callbacks: gate 0.58 -> 0.23 s, notebooks 02-04 0.49 -> 0.23 s, the
#: render 1.31 -> 0.37 s.
BATCH_THRESHOLDS = (10_000, 20, 100)

#: :data:`BATCH_THRESHOLDS` as a line a kernel runs at start (IPython's ``exec_lines``),
#: leaving no name in the notebook's namespace.
KERNEL_STARTUP_LINE = f"__import__('gc').set_threshold{BATCH_THRESHOLDS}"


def collect_less_often() -> None:
    """Run this process's collector at :data:`BATCH_THRESHOLDS`."""
    gc.set_threshold(*BATCH_THRESHOLDS)


def end_without_collecting() -> None:
    """Have this process end without the collector's passes over every object it holds: at
    interpreter shutdown CPython collects again and again as it clears each module, 1.1 s of
    CPU in a process that imported Great Expectations, pandas and matplotlib (0.2 s for a
    run's own process), against 0.06 s with every object frozen first. The process is ending,
    so its memory goes back to the system whole; the other exit handlers still run, and files
    still close and flush as the last reference to each goes. Registered once."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
