"""The tests' own way of redoing a derivation from its terms' recorded values, written apart
from the model so that a figure and its recorded lineage cannot agree by sharing a bug."""

from __future__ import annotations

import math

from highneeds.model.basis.lineage import Derivation, Lineage


def redo(derivation: Derivation, lineage: Lineage) -> float | str | None:
    """``derivation``'s value redone by its rule from its terms' values; ``None`` for a leaf
    or a described figure (no formula to redo)."""
    values = [(lineage[t.key].value, t.sign) for t in derivation.terms]
    if derivation.rule == "sum":
        return math.fsum(float(v) * sign for v, sign in values)
    if derivation.rule == "product":
        return math.prod(float(v) for v, _ in values)
    if derivation.rule == "ratio":
        return float(values[0][0]) / float(values[1][0])
    if derivation.rule == "same":
        return values[0][0]
    return None


def redoes(derivation: Derivation, lineage: Lineage, tolerance: float = 1e-9) -> bool:
    """Whether redoing ``derivation``'s rule gives its recorded value."""
    redone = redo(derivation, lineage)
    if redone is None:
        return True
    if isinstance(redone, str) or isinstance(derivation.value, str):
        return redone == derivation.value
    return math.isclose(redone, float(derivation.value), rel_tol=tolerance, abs_tol=tolerance)


def assert_every_figure_redoes_and_ends_at_cells(lineage: Lineage) -> None:
    """Every derivation redoes from its terms, and every computed figure ends at input cells."""
    for key in lineage:
        derivation = lineage[key]
        assert redoes(derivation, lineage), (key, derivation.value, redo(derivation, lineage))
        if derivation.rule not in ("input", "constant"):
            leaves = lineage.inputs_of(key)
            assert leaves and all(leaf.cell is not None for leaf in leaves), key
