"""A figure written as the finance table writes it, exactly: shared by the model's messages,
the auditor's edition of the paper and ``explain``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

_MONEY_RE = re.compile(r"^-?\d+(\.\d+)?$", re.ASCII)
#: No amount of any council's is near this in any unit (£1,000bn in £000; in £, £1,000bn too
#: when written in pounds): a longer run of digits is a mistake, and would print as infinity.
LARGEST_AMOUNT = 1e12


def parse_money(text: str) -> float | None:
    """Parse a money cell as finance teams type it: ``(4,224)``, ``£1,028``, ``-33`` or blank."""
    s = text.strip().replace("£", "").replace(",", "").replace(" ", "")
    if s in ("", "-", "–"):
        return None
    negative = s.startswith("(") and s.endswith(")")
    if negative:
        s = s[1:-1]
    if not _MONEY_RE.match(s):
        raise ValueError(f"not a money amount: {text!r}")
    value = float(s)
    if not abs(value) < LARGEST_AMOUNT:
        raise ValueError(f"not a plausible amount: {text!r}")
    return -value if negative else value


#: How a derivation's rule joins its terms when written out (``highneeds.model.basis.lineage``).
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


#: Each unit a table may be declared in, as a multiple of £000.
UNITS = {"£": Decimal("0.001"), "£000": Decimal(1), "£m": Decimal(1000)}


@dataclass(frozen=True)
class BudgetFormat:
    """How the council writes its table: unit, the sign of a deficit, whose balance (the High
    Needs block's or the whole DSG's) and the decimals its amounts are written to."""

    unit: str = "£000"
    deficit: str = "positive"
    block: str = "high needs"
    decimals: int = 0

    @property
    def sign(self) -> int:
        """+1 where a deficit is written positive, -1 where it is written negative."""
        return 1 if self.deficit == "positive" else -1

    @property
    def per_000(self) -> Decimal:
        """How many £000 one of the table's units is."""
        return UNITS[self.unit]

    def to_000(self, amount: float) -> float:
        """An amount as written to £000, deficit positive."""
        return float(Decimal(repr(amount)) * self.per_000) * self.sign

    def as_written(self, amount_000: float) -> float:
        """An amount in £000 (deficit positive) in the table's unit and sign convention."""
        return float(Decimal(repr(float(amount_000))) / self.per_000) * self.sign

    def table_cell(self, amount_000: float | None) -> str:
        """A table cell in the council's unit and sign: ``1,028``, ``(4,224)``, ``8.3``; ''
        for no figure."""
        if amount_000 is None or amount_000 != amount_000:
            return ""
        return bracketed(self.as_written(amount_000), self.decimals)

    @property
    def brackets(self) -> str:
        """What brackets mean in the council's tables."""
        return "income or surplus" if self.sign > 0 else "spending or deficit"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> BudgetFormat:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


def bracketed(value: float, places: int = 0) -> str:
    """A table cell rounded half up (as finance teams do) to ``places``, negative in brackets:
    ``1,028``, ``(4,224)``, ``(1.7)``; never ``(0)``."""
    from decimal import ROUND_HALF_UP

    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded < 0:
        return f"({-rounded:,.{places}f})"
    return f"{abs(rounded):,.{places}f}"


_TERM_RE = re.compile(r"([+-]?)\s*([a-z][a-z0-9_]*)")


def formula_terms(formula: str) -> list[tuple[int, str]]:
    """A figure's formula as its terms: ``a - b + c`` is [(1, 'a'), (-1, 'b'), (1, 'c')]."""
    text = formula.strip()
    if not text:
        return []
    terms = [(-1 if sign == "-" else 1, name) for sign, name in _TERM_RE.findall(text)]
    rebuilt = "".join(f"{'-' if s < 0 else '+'}{n}" for s, n in terms).lstrip("+")
    if rebuilt != re.sub(r"\s+", "", text).lstrip("+"):
        raise ValueError(formula)
    return terms
