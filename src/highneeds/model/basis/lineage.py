"""Where each figure the model computes comes from: the input cells and earlier results it was
computed from, and by what rule, as the model's own arithmetic built it.

The model computes with traced figures (:mod:`highneeds.domain.traced`); :meth:`Lineage.record`
walks what that arithmetic built and keeps one :class:`Derivation` per figure: its key
(``unmitigated.cfwd[2024/25]``), value, rule and terms. The rules are arithmetic an auditor
can redo: ``sum`` (of the terms, each with its sign), ``product``, ``ratio`` (first over
second), ``same`` (one term, carried over), or a leaf: ``input`` (a cell of an input file, as
the author sees it) and ``constant``. A figure no formula reproduces term by term (a
simulation, a range's end) is ``described``: its formula is words, its terms the figures it
read, and its ``recipe`` what is needed to redo it. Nothing here restates a formula.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from highneeds.domain.traced import RULES, Cell, Traced, check_rule

__all__ = ["RULES", "Cell", "Derivation", "Lineage", "Term"]


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
    #: For a described figure: what is needed to redo it, as (what, how) pairs.
    recipe: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        check_rule(self.rule)


@dataclass
class Lineage:
    """Every derivation of a run, by key."""

    derivations: dict[str, Derivation] = field(default_factory=dict)

    def add(self, derivation: Derivation) -> str:
        """Keep ``derivation`` (the first of a key wins: an input is recorded once)."""
        self.derivations.setdefault(derivation.key, derivation)
        return derivation.key

    def record(self, *figures: Traced) -> None:
        """Keep ``figures`` and everything they were computed from, as their arithmetic built
        it. A result never named inside a named one (the ``(1 + g)`` of a product) is kept
        under its parent's key and its place: ``demand.plans[2023/24]/2``."""
        seen: dict[int, str] = {}
        for figure in figures:
            self._record(figure, figure.key or "figure", seen)

    def _record(self, figure: Traced, key: str, seen: dict[int, str]) -> str:
        if id(figure) in seen:
            return seen[id(figure)]
        seen[id(figure)] = key
        terms = tuple(
            Term(
                part.label or part.written_formula,
                self._record(part, part.key or f"{key}/{position}", seen),
                sign,
            )
            for position, (part, sign) in enumerate(figure.parts, start=1)
        )
        leaf = figure.rule in ("input", "constant")
        self.add(
            Derivation(
                key,
                figure.label or f"({figure.written_formula})",
                figure.value,
                figure.rule,
                "" if leaf else figure.written_formula,
                terms,
                figure.cell,
                figure.computed_in,
                figure.recipe,
            )
        )
        return key

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

    def as_plain(self) -> dict[str, dict[str, Any]]:
        """Every derivation as plain data, by key (as the lineage files hold them)."""
        return {k: asdict(d) for k, d in sorted(self.derivations.items())}

    def to_json(self) -> str:
        return json.dumps(self.as_plain(), indent=1)

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
                tuple(tuple(pair) for pair in item.get("recipe", ())),
            )
        return lineage

    @classmethod
    def read(cls, folder: Path) -> Lineage:
        """Every notebook's lineage in a run's ``processed`` folder (``lineage_*.json``),
        merged: a cell two notebooks read is the same cell, kept once."""
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


def read_lineage(folder: Path) -> dict[str, dict]:
    """Every derivation the notebooks recorded (``lineage_*.json``), merged, as plain data (a
    cell both read is the same cell: the first kept)."""
    derivations: dict[str, dict] = {}
    for path in sorted(folder.glob("lineage_*.json")):
        for key, item in json.loads(path.read_text(encoding="utf-8")).items():
            derivations.setdefault(key, item)
    return derivations
