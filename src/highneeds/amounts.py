"""A figure written as the finance table writes it, exactly: shared by the model's messages,
the auditor's edition of the paper and ``explain``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: How a derivation's rule joins its terms when written out (``highneeds.model.lineage``).
OPERATORS = {"sum": " + ", "product": " x ", "ratio": " / "}


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


def written_arithmetic(rule: str, terms: Sequence[tuple[Any, int]]) -> str:
    """A rule's terms with their values, as an auditor redoes it: ``2,648 + (132) - 14``
    (each term a value and its sign); nothing for a rule that is not arithmetic."""
    if rule not in OPERATORS:
        return ""
    text = ""
    for position, (value, sign) in enumerate(terms):
        shown = value_text(value)
        if position == 0:
            text = shown if sign > 0 else f"-{shown}"
        else:
            text += (OPERATORS[rule] if sign > 0 or rule != "sum" else " - ") + shown
    return text
