"""The pipeline's processes end without the garbage collector's passes at shutdown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

END_WITHOUT_COLLECTING = """
import atexit, gc, sys
# Registered first, so run last: what the collector holds when every other handler has run.
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0, flush=True))
freeze = gc.freeze
def counted_freeze():
    print("freeze", flush=True)
    freeze()
gc.freeze = counted_freeze
from highneeds.common.garbage_collection import end_without_collecting
end_without_collecting()
end_without_collecting()
with open(sys.argv[1], "w") as kept:
    kept.write("written")
print("frozen before exit:", gc.get_freeze_count() > 0, flush=True)
"""

COMMAND_LINE = """
import gc
freeze = gc.freeze
def counted_freeze():
    print("freeze", flush=True)
    freeze()
gc.freeze = counted_freeze
from highneeds.cli import main
try:
    main(["--version"])
except SystemExit:
    pass
print("frozen before exit:", gc.get_freeze_count() > 0, flush=True)
"""


def _python(program: str, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", program, *args], capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def test_a_process_ends_with_its_objects_frozen_so_shutdown_collects_nothing(
    tmp_path: Path,
) -> None:
    """Its objects are frozen by an exit handler, registered once however often it is asked
    for; the handlers registered before it still run after it, and files are written."""
    written = tmp_path / "written.txt"
    assert _python(END_WITHOUT_COLLECTING, str(written)) == [
        "frozen before exit: False",
        "freeze",
        "frozen at exit: True",
    ]
    assert written.read_text() == "written"


def test_the_command_line_ends_without_collecting() -> None:
    *_version, before_exit, at_exit = _python(COMMAND_LINE)
    assert (before_exit, at_exit) == ("frozen before exit: False", "freeze")
