"""The operator's limits, read strictly from the job's environment: one parser for every
``HIGHNEEDS_MAX_...`` setting (the gate's input limits, the memory and preview bounds). A bad
value stops the command before anything runs (exit 2): a limit that silently fell back to its
default would not be the operator's. (Other settings, read after a paper may be published,
only warn: ``runner/ops/settings.py``.)"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

from highneeds.common.errors import UsageError


def positive_setting(environ: Mapping[str, str] | None, variable: str, default: float) -> float:
    """``variable``'s value in ``environ`` (default: this process's environment), a finite
    number above 0, or ``default`` where it is unset or blank."""
    text = (os.environ if environ is None else environ).get(variable, "").strip()
    if not text:
        return default
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    if not (number > 0 and math.isfinite(number)):
        raise UsageError(f"{variable}={text!r}: expected a positive number")
    return number
