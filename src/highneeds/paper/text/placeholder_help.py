"""What an author is told when a placeholder names something that does not exist: which name
or year is unknown, where the names come from, and the nearest ones, in the author's words
(never ``'dict object' has no attribute ...``)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any

#: Where the names under each top-level placeholder come from, as an author would look.
NAMES_FROM = {
    "fig": "figures.csv (its 'name' column)",
    "ehcp": "the EHCP growth measures (docs/narrative.md lists them)",
    "business_cases": "business_cases.csv (its 'intervention_id' column)",
    "placements": "placements_by_category.csv (its 'category' column)",
}
#: Names there only when the cycle gives an optional input, and what it must give.
ONLY_WITH = {
    "history": "the cycle gives sen2_caseload.csv (the DfE's EHC plans) with two or more of "
    "the council's Januaries published by the cycle's month (January Y comes out in June Y)",
    "history_growth": "the cycle gives sen2_caseload.csv with two or more of the council's "
    "published Januaries, and the EHCP inputs the demand forecast needs",
    "placements": "the cycle gives placements_by_category.csv and forecast_assumptions.csv",
}
#: The placeholders that give odds, which a paper whose ranges are assumed does not have.
ODDS = (
    "share_above_forecast",
    "share_above_forecast_words",
    "share_above_forecast_with_pressures",
    "probability_still_growing",
)
_PATH = re.compile(
    r"""^\s*-?\s*(?P<root>[A-Za-z_]\w*)(?P<rest>(?:\s*(?:\.\w+|\[\s*(?:"[^"]*"|'[^']*'|\w+)\s*\]))*)"""
)
_STEP = re.compile(r"""\.(\w+)|\[\s*(?:"([^"]*)"|'([^']*)'|(\w+))\s*\]""")


def explain_unknown(placeholder: str, names: Mapping[str, Any]) -> str | None:
    """Why ``placeholder`` (``{{ fig.x }}``) names nothing, if that is why it fails."""
    expression = placeholder.strip().removeprefix("{{").removesuffix("}}").strip()
    found = _PATH.match(expression)
    if not found:
        return None
    root = found.group("root")
    if root not in names and root in ONLY_WITH:
        return f"{root!r} is there only when {ONLY_WITH[root]}"
    if root not in names:
        return _unknown(f"name {root!r}", root, list(names), "placeholders may use")
    value: Any = names[root]
    path = root
    for step in _STEP.finditer(found.group("rest")):
        attribute, double, single, variable = step.groups()
        key = attribute if attribute is not None else double if double is not None else single
        if variable is not None:
            key = str(names.get(variable, variable))
        known = _keys(value)
        if known is None:
            return None
        if key not in known:
            if root == "uncertainty" and key in ODDS and isinstance(value, Mapping):
                return (
                    f"uncertainty.{key} is odds, and this paper gives none: "
                    f"{value.get('odds_words', '')}; write {{{{ uncertainty.odds_words }}}}"
                )
            return _missing(path, root, key, known)
        value = value[key] if isinstance(value, Mapping) else getattr(value, key)
        path = f"{path}.{key}" if attribute is not None else f'{path}["{key}"]'
    return None


def _keys(value: Any) -> list[str] | None:
    if isinstance(value, Mapping):
        return [str(k) for k in value]
    if is_dataclass(value):
        return [f.name for f in fields(value)]
    return None


def _missing(path: str, root: str, key: str, known: list[str]) -> str:
    if known and all(re.fullmatch(r"\d{4}/\d{2}", k) for k in known):
        return f"{path} has no year {key!r}: the years of the budget table are {', '.join(known)}"
    where = f" (its names come from {NAMES_FROM[root]})" if root in NAMES_FROM else ""
    return _unknown(f"{key!r} under {path}{where}", key, known, f"{path} has")


def _unknown(what: str, name: str, known: list[str], has: str) -> str:
    nearest = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    if nearest:
        return f"unknown {what}; did you mean {', '.join(nearest)}?"
    if not known:
        return f"unknown {what}; {has} none"
    shown = ", ".join(sorted(known)[:12]) + (", ..." if len(known) > 12 else "")
    return f"unknown {what}; {has}: {shown}"
