"""Where each figure the model computes comes from: the input cells and earlier results it was
computed from, and by what rule, recorded by the notebook that computes it.

A :class:`Derivation` is one figure: its key (``unmitigated.cfwd[2024/25]``), value, rule and
terms. The rules are arithmetic an auditor can redo: ``sum`` (of the terms, each with its
sign), ``product``, ``ratio`` (first over second), ``same`` (one term, carried over), or a
leaf: ``input`` (a cell of an input file, as the author sees it) and ``constant``. A figure
no formula reproduces (a simulation, the tornado) is ``described``: its formula is words and
its terms the inputs it read. :func:`recompute` redoes a derivation's rule from its terms'
values; the tests check it gives each figure's value, so lineage and arithmetic cannot part.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RULES = ("sum", "product", "ratio", "same", "input", "constant", "described")


@dataclass(frozen=True)
class Cell:
    """One cell of an input file as its author sees it: file, row, column and text."""

    file: str
    row: int | None
    column: str
    text: str

    def __str__(self) -> str:
        if self.row is not None:
            return f"{self.file}, row {self.row}, column '{self.column}': {self.text}"
        if self.column == self.text:  # a heading of the table
            return f"{self.file}, header row, column '{self.column}'"
        return (
            f"{self.file}, {self.column}: {self.text}"
            if self.column
            else f"{self.file}: {self.text}"
        )


@dataclass(frozen=True)
class Term:
    """One term of a derivation: what it is, in words, and the key of its own derivation."""

    label: str
    key: str
    sign: int = 1


@dataclass(frozen=True)
class Derivation:
    """One figure and how it was computed."""

    key: str
    label: str
    value: float | str
    rule: str
    formula: str = ""
    terms: tuple[Term, ...] = ()
    cell: Cell | None = None
    #: The notebook and section that computed it.
    computed_in: str = ""

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown rule {self.rule!r}")


@dataclass
class Lineage:
    """Every derivation of a run, by key."""

    derivations: dict[str, Derivation] = field(default_factory=dict)

    def add(self, derivation: Derivation) -> str:
        """Keep ``derivation`` (the first of a key wins: an input is recorded once)."""
        self.derivations.setdefault(derivation.key, derivation)
        return derivation.key

    def cell(self, cell: Cell, value: float | str, label: str) -> str:
        """Record an input cell; its key names file, row and column."""
        key = f"{cell.file}!{'header' if cell.row is None else cell.row}!{cell.column}"
        return self.add(Derivation(key, label, value, "input", cell=cell))

    def constant(self, value: float) -> str:
        return self.add(Derivation(f"constant:{value:g}", f"{value:g}", value, "constant"))

    def __contains__(self, key: object) -> bool:
        return key in self.derivations

    def __getitem__(self, key: str) -> Derivation:
        return self.derivations[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.derivations)

    def merge(self, other: Lineage) -> Lineage:
        merged = Lineage(dict(self.derivations))
        for derivation in other.derivations.values():
            merged.add(derivation)
        return merged

    def to_json(self) -> str:
        return json.dumps({k: asdict(d) for k, d in sorted(self.derivations.items())}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Lineage:
        return cls.from_mapping(json.loads(text))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Lineage:
        lineage = cls()
        for key, item in data.items():
            cell = Cell(**item["cell"]) if item.get("cell") else None
            terms = tuple(Term(**term) for term in item.get("terms", ()))
            lineage.derivations[key] = Derivation(
                key,
                item["label"],
                item["value"],
                item["rule"],
                item.get("formula", ""),
                terms,
                cell,
                item.get("computed_in", ""),
            )
        return lineage

    @classmethod
    def read(cls, folder: Path) -> Lineage:
        """Every notebook's lineage in a run's ``processed`` folder (``lineage_*.json``),
        merged: a cell two notebooks read is the same cell, kept once."""
        from highneeds.processed import read_lineage

        return cls.from_mapping(read_lineage(folder))

    def named(self, key: str) -> Derivation:
        """The derivation ``key`` names: its own, or, for a figure that is another's value
        under a second name (a table's line is its cell), the one it stands for."""
        derivation = self.derivations[key]
        while derivation.rule == "same" and len(derivation.terms) == 1 and not derivation.formula:
            derivation = self.derivations[derivation.terms[0].key]
        return derivation

    def inputs_of(self, key: str) -> list[Derivation]:
        """The input cells ``key`` was computed from, each once, in the order met."""
        found: dict[str, Derivation] = {}
        seen: set[str] = set()

        def visit(current: str) -> None:
            if current in seen:
                return
            seen.add(current)
            derivation = self.derivations[current]
            if derivation.rule == "input":
                found.setdefault(current, derivation)
            for term in derivation.terms:
                visit(term.key)

        visit(key)
        return list(found.values())


def recompute(derivation: Derivation, lineage: Lineage) -> float | str | None:
    """``derivation``'s value redone from its terms' recorded values by its rule; ``None``
    for a leaf or a ``described`` figure (nothing to redo)."""
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


def agrees(derivation: Derivation, lineage: Lineage, tolerance: float = 1e-9) -> bool:
    """Whether redoing ``derivation``'s rule gives its recorded value."""
    redone = recompute(derivation, lineage)
    if redone is None:
        return True
    if isinstance(redone, str) or isinstance(derivation.value, str):
        return redone == derivation.value
    return math.isclose(redone, float(derivation.value), rel_tol=tolerance, abs_tol=tolerance)
