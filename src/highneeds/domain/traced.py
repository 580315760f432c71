"""A figure that remembers how it was computed: the model computes with these, and the
lineage an auditor reads is what that arithmetic built, never a restatement of it.

A :class:`Traced` figure is a value with its rule and terms. Input cells and constants are
leaves; ``a + b``, ``a - b``, ``a * b`` and ``a / b`` make new figures whose terms are their
operands, so a formula is written once, as arithmetic, and its explanation comes with it.
:meth:`Traced.named` gives a result its key and label (``unmitigated.cfwd[2024/25]``); a sum
of sums not yet named is one sum (``b + t + a + p`` has four terms, not nested pairs). A step
no formula redoes term by term (a simulation, a range's end) is :func:`described`: its words,
the figures it read, and the recipe that redoes it (seed, generator, distributions).

Shared by the gate (which reads cells), the model (which computes) and the lineage record
(``highneeds.model.basis.lineage``), so none of them imports another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Union

#: The rules a figure may be computed by (see ``highneeds.model.basis.lineage``).
RULES = ("sum", "product", "ratio", "same", "input", "constant", "described")
_JOIN = {"sum": " + ", "product": " x ", "ratio": " / "}

Number = Union[int, float]  # noqa: UP007 (a runtime alias)
#: A value a council states: a number, or words (a named figure of figures.csv, a cell).
FigureValue = Union[float, int, str]  # noqa: UP007 (a runtime alias)


def check_rule(rule: str) -> None:
    """Refuse a rule that is not one of :data:`RULES`."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")


@dataclass(frozen=True)
class Cell:
    """One cell of an input file as its author sees it: file, row, column and text."""

    file: str
    row: int | None
    column: str
    text: str

    @property
    def key(self) -> str:
        """The cell's key in a lineage: file, row (or ``header``) and column."""
        return f"{self.file}!{'header' if self.row is None else self.row}!{self.column}"

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


@dataclass(frozen=True, eq=False)
class Traced:
    """A value and how it was computed: its rule, its terms (each with its sign), and, once
    named, its key and label. ``role`` is the short word a formula uses for it ("B/Fwd");
    ``formula`` overrides the formula written from the terms; ``recipe`` lists, for a
    described step, what is needed to redo it."""

    value: float | int | str
    rule: str = "constant"
    parts: tuple[tuple[Traced, int], ...] = ()
    key: str = ""
    label: str = ""
    role: str = ""
    formula: str = ""
    cell: Cell | None = None
    computed_in: str = ""
    recipe: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        check_rule(self.rule)

    # -- reading ---------------------------------------------------------------------------
    def __float__(self) -> float:
        return float(self.value)

    def __repr__(self) -> str:
        return f"Traced({self.key or self.rule}={self.value!r})"

    @property
    def word(self) -> str:
        """How a formula names this figure."""
        return self.role or self.label or self.written_formula or str(self.value)

    @property
    def written_formula(self) -> str:
        """The formula in words: set for the figure, or its terms' words joined by its rule."""
        if self.formula or self.rule not in _JOIN:
            return self.formula
        text = ""
        for position, (part, sign) in enumerate(self.parts):
            word = part.word
            if part.rule in _JOIN and not part.key and part.rule != self.rule:
                word = f"({word})"
            if position == 0:
                text = word if sign > 0 else f"-{word}"
            else:
                text += (" - " if sign < 0 and self.rule == "sum" else _JOIN[self.rule]) + word
        return text

    # -- naming ----------------------------------------------------------------------------
    def named(
        self,
        key: str,
        label: str,
        *,
        role: str = "",
        formula: str = "",
        computed_in: str = "",
    ) -> Traced:
        """This figure under a name. A result not yet named takes the name itself; a figure
        that already has one (an input cell, an earlier result) is carried over as ``same``."""
        if self.key or self.rule in ("input", "constant"):
            return Traced(
                self.value,
                "same",
                ((self, 1),),
                key,
                label,
                role,
                formula,
                computed_in=computed_in,
            )
        return replace(
            self,
            key=key,
            label=label,
            role=role,
            formula=formula or self.formula,
            computed_in=computed_in,
        )

    def as_role(self, role: str) -> Traced:
        """The same figure, named in formulas by ``role``."""
        return replace(self, role=role)

    @property
    def number(self) -> float | int:
        """The value, which arithmetic needs to be a number (a described text is not)."""
        if isinstance(self.value, str):
            raise TypeError(f"{self!r} is words, not a number: it takes no arithmetic")
        return self.value

    # -- arithmetic ------------------------------------------------------------------------
    def __add__(self, other: Traced | Number) -> Traced:
        return _combine("sum", [(self, 1), (traced(other), 1)], self.number + _value(other))

    def __radd__(self, other: Number) -> Traced:
        return _combine("sum", [(traced(other), 1), (self, 1)], _value(other) + self.number)

    def __sub__(self, other: Traced | Number) -> Traced:
        return _combine("sum", [(self, 1), (traced(other), -1)], self.number - _value(other))

    def __rsub__(self, other: Number) -> Traced:
        return _combine("sum", [(traced(other), 1), (self, -1)], _value(other) - self.number)

    def __mul__(self, other: Traced | Number) -> Traced:
        return _combine("product", [(self, 1), (traced(other), 1)], self.number * _value(other))

    def __rmul__(self, other: Number) -> Traced:
        return _combine("product", [(traced(other), 1), (self, 1)], _value(other) * self.number)

    def __truediv__(self, other: Traced | Number) -> Traced:
        return Traced(self.number / _value(other), "ratio", ((self, 1), (traced(other), 1)))

    def __rtruediv__(self, other: Number) -> Traced:
        return Traced(_value(other) / self.number, "ratio", ((traced(other), 1), (self, 1)))


def _value(figure: Traced | Number) -> float | int:
    return figure.number if isinstance(figure, Traced) else figure


def _combine(rule: str, parts: list[tuple[Traced, int]], value: float) -> Traced:
    """A sum or product; an operand that is an unnamed result of the same rule is spread into
    the new one's terms (with its signs), so a chain is one formula."""
    flat: list[tuple[Traced, int]] = []
    for part, sign in parts:
        if part.rule == rule and not part.key and not part.formula:
            flat += [(inner, inner_sign * sign) for inner, inner_sign in part.parts]
        else:
            flat.append((part, sign))
    return Traced(value, rule, tuple(flat))


def traced(value: Traced | Number) -> Traced:
    """A figure as it is, or a plain number as a constant."""
    return value if isinstance(value, Traced) else constant(value)


def constant(value: Number) -> Traced:
    """A number written into the model (1, 100): a leaf, with nothing behind it."""
    return Traced(value, "constant", key=f"constant:{value:g}", label=f"{value:g}")


def cell(value: float | int | str, where: Cell, label: str, role: str = "") -> Traced:
    """An input cell: the value the gate read from it."""
    return Traced(value, "input", key=where.key, label=label, role=role, cell=where)


def total(figures: Iterable[Traced]) -> Traced:
    """The sum of ``figures`` as one formula (0, as a constant, when there are none)."""
    items = list(figures)
    if not items:
        return constant(0)
    result = items[0]
    for item in items[1:]:
        result = result + item
    return result


def described(
    value: float | int | str,
    key: str,
    label: str,
    formula: str,
    inputs: Sequence[Traced],
    computed_in: str = "",
    recipe: Sequence[tuple[str, str]] = (),
) -> Traced:
    """A figure no formula redoes term by term: what computed it, in words, the figures it
    read, and (``recipe``) what an auditor needs to redo it."""
    return Traced(
        value,
        "described",
        tuple((figure, 1) for figure in inputs),
        key,
        label,
        formula=formula,
        computed_in=computed_in,
        recipe=tuple(recipe),
    )
