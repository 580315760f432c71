"""Claims the narrative makes about the forecast, checked against it.

A sentence can restate a model quantity in rounded words: the shipped para 2.5 says the deficit
is "growing by c£500k per annum", from a placeholder that rounds this year's movement
(``{{ unmitigated.in_year[current_year] | round_to(100) | gbp_k }}``). Written "per annum", it
claims a yearly rate; the forecast has its own. Where the stated figure lies outside the
forecast's yearly movements (with and without the Recovery Plan, in the years after the
cycle's own) by more than the sentence's own rounding, the paper is not changed (the words are
the council's), but the run, the preview and the auditor's edition say so, and offer the
placeholder that states the forecast instead (``forecast_growth``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes

from highneeds.domain.typed_figures import placeholders
from highneeds.paper.text.formatting import gbp_k
from highneeds.paper.text.narrative import Narrative
from highneeds.paper.text.sandbox import NarrativeSandbox

#: Words after a figure that make it a yearly rate.
YEARLY_WORDS = ("per annum", "a year", "each year", "every year", "annually", "a yr")


@dataclass(frozen=True)
class YearlyClaim:
    """A rounded figure of a scenario's movement in one year, stated as a rate a year."""

    paragraph: str
    line: int
    expression: str
    rounding: float


def _rounded_movement(expression: str) -> float | None:
    """The rounding of ``expression`` if it reads a scenario's ``in_year`` through
    ``round_to(N)``; None otherwise."""
    try:
        tree = NarrativeSandbox().parse("{{ " + expression + " }}")
    except Exception:  # the render reports a placeholder it cannot read
        return None
    for node in tree.find_all(nodes.Filter):
        if node.name != "round_to" or not node.args:
            continue
        reads = node.node
        if (
            isinstance(reads, nodes.Getitem)
            and isinstance(reads.node, nodes.Getattr)
            and reads.node.attr == "in_year"
            and isinstance(reads.node.node, nodes.Name)
            and isinstance(node.args[0], nodes.Const)
        ):
            return float(node.args[0].value)
    return None


def _states_a_yearly_rate(text: str, end: int) -> bool:
    """Whether the words just after a placeholder (to the end of its sentence) make the
    figure a rate a year."""
    after = text[end : end + 80].split(". ")[0].lower()
    return any(words in after for words in YEARLY_WORDS)


def yearly_claims(narrative: Narrative) -> Iterator[YearlyClaim]:
    """Every placeholder of the narrative that states a rounded yearly movement."""
    for section in narrative.sections:
        for block in section.blocks:
            for start, written in placeholders(block.text):
                if not written.startswith("{{"):
                    continue
                expression = written[2:-2].strip()
                rounding = _rounded_movement(expression)
                end = start + len(written)
                if rounding is not None and _states_a_yearly_rate(block.text, end):
                    yield YearlyClaim(
                        block.number or section.title, block.line, expression, rounding
                    )


def check_claims(narrative: Narrative, context: Mapping[str, Any]) -> list[str]:
    """A warning for each yearly claim the forecast does not bear out (``context`` holds the
    forecast's growth a year as ``forecast_growth``)."""
    growth = context.get("forecast_growth")
    if growth is None:
        return []
    sandbox = NarrativeSandbox()
    warnings = []
    for claim in yearly_claims(narrative):
        # The figure read, then its rounding (the first filter: see _rounded_movement).
        read, rounded = claim.expression.split("|")[:2]
        try:
            unrounded = _number(sandbox.compile_expression(read)(**context))
            stated = _number(sandbox.compile_expression(f"{read}|{rounded}")(**context))
        except Exception:  # the render reports a placeholder it cannot evaluate
            continue
        slack = claim.rounding / 2
        if growth["low"] - slack <= stated <= growth["high"] + slack:
            continue
        warnings.append(
            f"{narrative.source}, para {claim.paragraph} (line {claim.line}): states c"
            f"{gbp_k(stated)} a year ({gbp_k(unrounded)} rounded to the nearest "
            f"{gbp_k(claim.rounding)}), but the forecast has the deficit growing by "
            f"{gbp_k(growth['low'])} to {gbp_k(growth['high'])} a year from {growth['from']} "
            f"to {growth['to']} (with and without the Recovery Plan). The words are printed "
            "as written; to state the forecast instead, write "
            "{{ forecast_growth.low | gbp_k }} to {{ forecast_growth.high | gbp_k }} a year"
        )
    return warnings


def _number(value: object) -> float:
    """A placeholder's value as a number (an expression that gives none is no claim)."""
    if not isinstance(value, int | float | str):
        raise TypeError(f"not a number: {value!r}")
    return float(value)
