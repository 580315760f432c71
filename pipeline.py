#!/usr/bin/env python3
"""Command-line entry: ``python pipeline.py run [--cycle C]``. See ``--help``.

Run with any Python: where the project's environment (``.venv``, made by ``make setup``) is
not the one running, the command runs again in it, so ``python pipeline.py ...`` works from any
shell, as the README and every message say to type it."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
ENVIRONMENT = ROOT / ".venv"
_AGAIN = "_HIGHNEEDS_IN_ENVIRONMENT"  # set once: never run again in a loop

if (
    (ENVIRONMENT / "bin" / "python").exists()
    and Path(sys.prefix).resolve() != ENVIRONMENT.resolve()
    and not os.environ.get(_AGAIN)
):
    python = str(ENVIRONMENT / "bin" / "python")
    os.execve(
        python, [python, str(Path(__file__).resolve()), *sys.argv[1:]], {**os.environ, _AGAIN: "1"}
    )

import importlib.util  # noqa: E402

if importlib.util.find_spec("pandas") is None:  # no environment yet, and a bare Python
    sys.stderr.write(
        f"error: {sys.executable} has not the pipeline's libraries and the project has no "
        "environment yet: set it up with `make setup` (it makes .venv, which `python "
        "pipeline.py` then uses, from any shell)\n"
    )
    sys.exit(2)

# Import this checkout's package, even when another copy is installed in the environment.
sys.path.insert(0, str(ROOT / "src"))

from highneeds.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
