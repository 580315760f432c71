"""Which kind a printed figure is and whose note it carries, from the registry's families
(:mod:`highneeds.domain.figure_registry`) and the figure's lineage: a figure whose lineage ends at
an input cell through second names is given; one computed from an assumption (a reading the
model assumed, a cost set to balance a business case) is modelled, with that assumption's
note."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from highneeds.domain.figure_registry import (
    DERIVED_GROWTH_PATTERN,
    FORMULA_PATTERN,
    PASSED_ON,
    REGISTRY,
    FigureFamily,
    family_of,
)


def source_key(key: str, derivations: Mapping[str, Mapping[str, Any]]) -> str:
    """The figure ``key`` is, through second names (``same``) only."""
    seen = {key}
    item = derivations[key]
    while item["rule"] == "same" and len(item["terms"]) == 1:
        key = item["terms"][0]["key"]
        if key in seen or key not in derivations:
            break
        seen.add(key)
        item = derivations[key]
    return key


def marked_family(
    key: str, derivations: Mapping[str, Mapping[str, Any]] | None = None
) -> FigureFamily | None:
    """The family whose note a printed figure carries; ``None`` for a given figure (its
    lineage ends at an input cell through second names, or its family is given). A figure
    that is another's under a second name (a budget line the driver model forecast) carries
    the other's note where its own family is given."""
    key = key.lstrip("-")
    candidates = [key]
    if derivations is not None and key in derivations:
        source = source_key(key, derivations)
        if derivations[source]["rule"] in ("input", "constant"):
            return None
        candidates.append(source)
    for candidate in candidates:
        family = family_of(candidate)
        if family is not None and family.kind != "given":
            resting = _resting_on_assumptions(derivations).get(key)
            if family.kind == "calculated" and resting is not None:
                # Arithmetic on an assumption (a reading, a balancing cost): modelled.
                return resting
            return family
    resting = _resting_on_assumptions(derivations).get(key)
    if resting is not None:
        return resting
    if key.startswith("fig.") and derivations is not None and key in derivations:
        # A figure the model derives from the EHCP counts, or one a formula makes a sum of
        # others (its lineage is not its cell either way).
        pattern = (
            DERIVED_GROWTH_PATTERN
            if derivations[key].get("rule") == "described"
            else FORMULA_PATTERN
        )
        return next(f for f in REGISTRY if f.patterns == (pattern,))
    return None


#: The last derivations seen and the figures in them that rest on an assumption.
_ASSUMED_CACHE: list[tuple[Mapping[str, Mapping[str, Any]], dict[str, FigureFamily]]] = []


def _resting_on_assumptions(
    derivations: Mapping[str, Mapping[str, Any]] | None,
) -> dict[str, FigureFamily]:
    """Every figure whose lineage reaches an assumption of a :data:`PASSED_ON` family (a
    reading the model assumed, a cost set to balance a business case), with that family:
    what it computes rests on the assumption."""
    if derivations is None:
        return {}
    for seen, cached in _ASSUMED_CACHE:
        if seen is derivations:
            return cached
    users: dict[str, list[str]] = {}
    for key, item in derivations.items():
        for term in item.get("terms", ()):
            users.setdefault(str(term["key"]), []).append(key)
    found: dict[str, FigureFamily] = {}
    for key, item in derivations.items():
        family = family_of(key)
        if family is None or family.patterns[0] not in PASSED_ON:
            continue
        if item["rule"] in ("input", "same"):  # declared by the council: no assumption
            continue
        waiting = [key]
        while waiting:
            for user in users.get(waiting.pop(), ()):
                if user not in found:
                    found[user] = family
                    waiting.append(user)
    _ASSUMED_CACHE[:] = [(derivations, found)]
    return found


def kind_of(key: str, derivations: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """A figure's kind (see :data:`KINDS`), as its mark says."""
    family = marked_family(key, derivations)
    if family is not None:
        return family.kind
    key = key.lstrip("-")
    if derivations is not None and key in derivations:
        source = derivations[source_key(key, derivations)]
        return "given" if source["rule"] in ("input", "constant") else "calculated"
    known = family_of(key)
    return known.kind if known is not None else "calculated"
