"""A figure written as the finance table writes it, exactly: shared by the model's messages,
the auditor's edition of the paper and ``explain``."""

from __future__ import annotations

from typing import Any


def as_written(value: float) -> str:
    """A £000 amount as the finance table writes it, to the decimals it has: ``575``,
    ``575.4``, ``(126)`` for income; never rounded away, never ``+ -126``."""
    text = f"{abs(value):,.3f}".rstrip("0").rstrip(".")
    return f"({text})" if value < 0 and text != "0" else text


def value_text(value: Any) -> str:
    """Any figure's value: a number as :func:`as_written` writes it, anything else as text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return as_written(float(value))
