"""How figures are written in the paper: £000 tables with brackets, £k and £m in prose."""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def round_half_up(value: float, places: int = 0) -> Decimal:
    """Round as finance teams do (0.5 away from zero), not to even as Python's round does.
    A value that rounds to zero is zero, never "-0" (-0.4 prints as 0, not -0)."""
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded


def round_to(value: float, step: float) -> float:
    """Round to the nearest ``step`` (e.g. 453 to the nearest 100 is 500)."""
    return float(round_half_up(value / step) * Decimal(repr(float(step))))


def num(value: float, places: int = 0) -> str:
    """A number with thousands separators: 1028 -> '1,028'."""
    return f"{round_half_up(value, places):,.{places}f}"


def table_amount(value: float | None) -> str:
    """A £000 table cell: '1,028', '(4,224)' for income or surplus, '' for no figure."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    rounded = round_half_up(value)
    if rounded < 0:
        return f"({-rounded:,.0f})"
    return f"{abs(rounded):,.0f}"


def gbp_k(value_000: float) -> str:
    """£000 as prose: 822 -> '£822k', 3853 -> '£3,853k', -126 -> '-£126k'."""
    rounded = round_half_up(value_000)
    return f"{'-' if rounded < 0 else ''}£{abs(rounded):,.0f}k"


def gbp_m(value_000: float, places: int = 3) -> str:
    """£000 as £m: 1028 -> '£1.028m' (places=3) or '£1m' (places=0)."""
    rounded = round_half_up(value_000 / 1000, places)
    return f"{'-' if rounded < 0 else ''}£{abs(rounded):,.{places}f}m"


#: How many £000 one of each unit a council may write its tables in is.
PER_000 = {"£": 0.001, "£000": 1.0, "£m": 1000.0}


def money_in(value_000: float, unit: str = "£000") -> str:
    """An amount in £000 written as a council writing in ``unit`` would in prose:
    ``£3,853k`` (£000), ``£56.7m`` (£m), ``£8,300`` (£)."""
    if unit == "£m":
        return gbp_m(value_000, 1)
    if unit == "£":
        rounded = round_half_up(value_000 * 1000)
        return f"{'-' if rounded < 0 else ''}£{abs(rounded):,.0f}"
    return gbp_k(value_000)


def pct(fraction: float, places: int = 1) -> str:
    """A fraction as a percentage: 0.0538 -> '5.4%'."""
    return f"{round_half_up(fraction * 100, places):.{places}f}%"


def pct_points(percent: float, places: int | None = None) -> str:
    """A figure already in percent: 0.5 -> '0.5%' (no trailing zeros); with ``places``,
    rounded half up to that many: 7.264 -> '7.3%'."""
    if places is not None:
        return f"{round_half_up(float(percent), places):.{places}f}%"
    text = f"{Decimal(repr(float(percent))).normalize():f}"
    return f"{text}%"


def in_100(share: float) -> str:
    """A share as how many in 100, rounded half up: 0.9485 -> '95' (for "95 in 100")."""
    return f"{round_half_up(float(share) * 100):f}"


def fy_short(year: str) -> str:
    """'2024/25' -> '24/25'."""
    return year[2:]


def fy_start_month(year: str) -> str:
    """The month a financial year starts: '2022/23' -> 'April 2022'."""
    return f"April {year[:4]}"


def long_date(value: date) -> str:
    """A date as written in council papers: '1 April 2021'."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


#: Jinja filters available to the narrative and paper text.
FILTERS = {
    "num": num,
    "gbp_k": gbp_k,
    "gbp_m": gbp_m,
    "pct": pct,
    "pct_points": pct_points,
    "in_100": in_100,
    "round_to": round_to,
    "table_amount": table_amount,
    "fy_short": fy_short,
    "fy_start_month": fy_start_month,
    "long_date": long_date,
}
