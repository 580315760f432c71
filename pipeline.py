#!/usr/bin/env python3
"""Command-line entry: ``python pipeline.py run [--cycle C]``. See ``--help``."""

import sys
from pathlib import Path

# Import this checkout's package, even when another copy is installed in the environment.
sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from highneeds.cli import main

if __name__ == "__main__":
    sys.exit(main())
