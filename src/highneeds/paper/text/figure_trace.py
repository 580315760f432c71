"""Which model figure a placeholder prints: its lineage key and its value before the filters
that format it (``unmitigated.cfwd[last_year] | gbp_k`` prints ``unmitigated.cfwd[2024/25]``).

Read from the placeholder's own syntax tree, with each subscript evaluated in the paper's
context, so a figure is traced by what it names, never by a guess from its first word."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import nodes

from highneeds.domain.typed_figures import delimited

if TYPE_CHECKING:
    from highneeds.paper.text.figure_notes import FigureNotes

#: The data each placeholder's first name comes from, for tracing what moved a figure.
PLACEHOLDER_SOURCES = {
    "fig": ("figures",),
    "ehcp": ("ehcp_demand",),
    "unmitigated": ("high_needs_budget",),
    "mitigated": ("high_needs_budget",),
    "scenario": ("high_needs_budget", "scenarios"),
    "budget": ("high_needs_budget",),
    "recovery_plan_impact": ("high_needs_budget",),
    "business_cases": ("interventions", "placement_costs", "business_cases"),
    "demand": ("ehcp_demand", "high_needs_budget", "figures"),
    "all_requests_convert": ("high_needs_budget", "ehcp_demand", "figures"),
    "placements": ("placements_by_category", "forecast_assumptions", "intervention_places"),
    "sensitivity": ("high_needs_budget", "ehcp_demand", "figures", "assumption_ranges"),
    "break_even": ("high_needs_budget", "ehcp_demand", "figures", "assumption_ranges"),
    "uncertainty": (
        "high_needs_budget",
        "ehcp_demand",
        "figures",
        "assumption_ranges",
        "simulation_seed",
    ),
    "history": ("sen2_caseload",),
    "history_growth": ("sen2_caseload", "high_needs_budget", "ehcp_demand", "figures"),
    "reading": ("paper", "high_needs_budget"),
    "reconciliation": ("business_cases", "high_needs_budget"),
    "track_record": ("earlier_forecasts", "high_needs_budget"),
    "years": ("high_needs_budget",),
    "first_year": ("high_needs_budget",),
    "last_year": ("high_needs_budget",),
    "current_year": (),
}
#: What a unit typed straight after a placeholder may be (the "k" of £{{ ... }}k).
_UNIT_RE = re.compile(r"[A-Za-z%]*")
_NOT_FIGURES = ("ref(", "table(", "chart(")
#: A placeholder and a unit typed straight after it (``k``, ``m``, ``%``).


def placeholders_in(text: str) -> list[tuple[int, int, str]]:
    """Each ``{{ ... }}`` of ``text``: where it starts and ends, and the expression inside,
    stripped; found in linear time (:func:`highneeds.domain.typed_figures.delimited`: a lazy
    pattern read the rest of a 32 KB paragraph of ``{{`` again from each one)."""
    return [
        (start, end, text[start + 2 : end - 2].strip())
        for start, end in delimited(text, (("{{", "}}"),))
    ]


#: The helper a placeholder's note mark is printed by (added after the placeholder).
NOTE_HELPER = "figure_note"

#: Names the paper builds in words from a model figure: ``<name>_words`` traces to ``<name>``.
WORDS_SUFFIX = "_words"


def trace_placeholder(
    expression: str, env: jinja2.Environment, context: Mapping[str, Any]
) -> tuple[str | None, Any]:
    """The lineage key and raw value of the figure ``expression`` prints, before its filters;
    a figure printed negated (``-recovery_plan_impact[...]``) is ``-<key>``, with the key's
    own value. ``(None, None)`` for an expression that is not one figure (arithmetic, a
    literal, a helper)."""
    try:
        body = env.parse("{{ " + expression + " }}").body
    except jinja2.TemplateSyntaxError:
        return None, None
    if len(body) != 1 or not isinstance(body[0], nodes.Output) or len(body[0].nodes) != 1:
        return None, None
    node: nodes.Expr | None = body[0].nodes[0]
    sign = 1
    while isinstance(node, nodes.Filter | nodes.Neg):
        if isinstance(node, nodes.Neg):
            sign = -sign
        node = node.node
    if node is None:  # a filter applied to nothing (a filter block's own node)
        return None, None
    try:
        path, value = _walk(node, env, context)
    except (KeyError, AttributeError, TypeError, jinja2.UndefinedError):
        return None, None
    key = path[0] + "".join(part if part.startswith("[") else f".{part}" for part in path[1:])
    for suffix in (WORDS_SUFFIX, ".words"):
        key = key.removesuffix(suffix)
    return (f"-{key}" if sign < 0 else key), value


def _walk(
    node: nodes.Node, env: jinja2.Environment, context: Mapping[str, Any]
) -> tuple[list[str], Any]:
    if isinstance(node, nodes.Name):
        return [node.name], context[node.name]
    if isinstance(node, nodes.Getattr):
        path, value = _walk(node.node, env, context)
        return [*path, node.attr], env.getattr(value, node.attr)
    if isinstance(node, nodes.Getitem):
        path, value = _walk(node.node, env, context)
        argument = node.arg
        if isinstance(argument, nodes.Const):
            index = argument.value
        elif isinstance(argument, nodes.Name):
            index = context[argument.name]
        else:
            raise TypeError("a computed subscript")
        return [*path, f"[{index}]"], env.getitem(value, index)
    raise TypeError(f"not a figure: {type(node).__name__}")


def plain_value(value: Any) -> Any:
    """A figure's raw value as JSON keeps it: a number, or else its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "item"):  # a NumPy number
        return value.item()
    return str(value)


def _sources(root: str, context: Mapping[str, Any]) -> list[str]:
    """The input tables a placeholder's first name draws on: a scenario the council declares
    (named by its id) draws on the budget and scenarios.csv."""
    if root in PLACEHOLDER_SOURCES:
        return list(PLACEHOLDER_SOURCES[root])
    return list(PLACEHOLDER_SOURCES["scenario"]) if root in context.get("scenario", {}) else []


def recorded_figures(
    text: str,
    where: str,
    env: jinja2.Environment,
    context: Mapping[str, Any],
    notes: FigureNotes | None = None,
) -> list[dict[str, Any]]:
    """Each figure placeholder of ``text``: where it is, what it prints, the input tables it
    draws on, the model figure it is (its lineage key), its raw value and its note's letter,
    so that runs can be compared and explained figure by figure."""
    figures = []
    for _, _, expression in placeholders_in(text):
        if expression.startswith(_NOT_FIGURES):
            continue
        root = re.match(r"-?\s*(\w+)", expression)
        key = re.match(r"fig\.(\w+)", expression)
        traces, value = trace_placeholder(expression, env, context)
        figures.append(
            {
                "id": f"{where}: {expression}",
                "where": where,
                # As read: the paper's own escaping undone (every page that shows it escapes).
                "text": html.unescape(env.from_string("{{ " + expression + " }}").render(context)),
                "sources": _sources(root.group(1) if root else "", context),
                "rows": [key.group(1)] if key else [],
                "traces": traces,
                "value": plain_value(value),
                "note": None if notes is None else notes.letter(traces),
            }
        )
    return figures


def marked(
    text: str, env: jinja2.Environment, context: Mapping[str, Any], notes: FigureNotes
) -> str:
    """``text`` with the mark of its note after every placeholder of a derived figure."""

    def mark(expression: str) -> str:
        if expression.startswith(_NOT_FIGURES):
            return ""
        key, _ = trace_placeholder(expression, env, context)
        if notes.letter(key) is None:
            return ""
        return "{{ " + NOTE_HELPER + "(" + json.dumps(key) + ") }}"

    # A unit typed straight after the placeholder (the "k" of £{{ ... }}k) keeps its figure:
    # the mark goes after it.
    out: list[str] = []
    position = 0
    for _, end, expression in placeholders_in(text):
        unit = _UNIT_RE.match(text, end)
        after = end if unit is None else unit.end()
        out += [text[position:after], mark(expression)]
        position = after
    out.append(text[position:])
    return "".join(out)
