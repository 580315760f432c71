"""The gate's typed tables as traced figures: every input cell the model computes with, read
from the row the gate recorded and the file it came from (``attrs['source']``).

These are the leaves of every derivation: the model's arithmetic starts from them, so the
lineage ends at cells an author can open (``high_needs_budget.csv, row 5, column
'2024/25': 6,823``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from highneeds.domain.amounts import as_written, formula_terms, parse_money
from highneeds.domain.budget_lines import FLOW_ROLES, ROLE_OF, line_roles
from highneeds.domain.traced import Cell, FigureValue, Traced, cell, constant, described, total

#: The shipped layout's lines, as a formula names them (any other line by its label).
LINE_WORDS = {
    "bfwd": "B/Fwd",
    "transfer": "transfer",
    "allocation": "allocation",
    "placement_costs": "placement costs",
    "cfwd": "C/Fwd",
    "recovery_plan_impact": "Recovery Plan Impact",
}
#: A blank cell of these roles' lines reads as 0.
_ZERO_ROLES = (*FLOW_ROLES, "saving")
#: The shipped layout's in-year flows.
FLOWS = ("transfer", "allocation", "placement_costs")


def line_words(line: str, labels: Mapping[str, str]) -> str:
    """How a formula names a line: the shipped layout's words, else the line's label."""
    return LINE_WORDS.get(line) or labels.get(line, line)


def source_of(frame: pd.DataFrame, default: str) -> str:
    """The input file a typed table was read from, as its author names it."""
    return str(frame.attrs.get("source", default))


@dataclass(frozen=True)
class BudgetFigures:
    """The budget table's figures by line and year, each named ``budget.<line>[<year>]`` (a
    B/Fwd or C/Fwd left blank is absent: the roll-forward derives it), the years in order,
    each year's heading cell, and each line's role and label in the table's order."""

    years: list[str]
    lines: dict[tuple[str, str], Traced]
    headings: dict[str, Traced]
    roles: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def flows(self) -> list[str]:
        """The lines that move the balance within a year (funding, spending, movement)."""
        return [line for line, role in self.roles.items() if role in FLOW_ROLES]

    def role(self, line: str) -> str | None:
        return self.roles.get(line) or ROLE_OF.get(line)

    def words(self, line: str) -> str:
        return line_words(line, self.labels)

    def given(self, line: str, year: str) -> Traced | None:
        """The line's figure in ``year`` as the table gives it; a flow or saving line the
        table leaves out is 0; ``None`` for a derived line left blank."""
        found = self.lines.get((line, year))
        if found is None and self.role(line) in _ZERO_ROLES:
            found = constant(0).named(
                f"budget.{line}[{year}]",
                f"{self.words(line)} {year} (not in the table: 0)",
                role=self.words(line),
            )
            self.lines[(line, year)] = found
        return found

    def line(self, line: str) -> dict[str, Traced]:
        """The line's figure in every year it has one, by year."""
        found = {year: self.given(line, year) for year in self.years}
        return {year: figure for year, figure in found.items() if figure is not None}

    def spending(self) -> dict[str, Traced] | None:
        """The spending the EHCPs drive, by year: the one spending line (the shipped layout's
        placement costs), or the spending lines added; None for a table without one."""
        spending = [line for line, role in self.roles.items() if role == "spending"]
        if not spending:
            return None
        if len(spending) == 1:
            return self.line(spending[0])
        return {
            year: total([self.given(line, year) for line in spending]).named(  # type: ignore[misc]
                f"budget.spending[{year}]",
                f"Spending {year}: the spending lines added",
                role="spending",
            )
            for year in self.years
        }

    def blank(self, line: str, year: str) -> bool:
        """Whether the line is left blank (or out) in ``year``."""
        found = self.given(line, year)
        leaf = found.parts[0][0] if found is not None and found.parts else found
        return (
            leaf is None
            or leaf.rule == "constant"
            or (leaf.cell is not None and leaf.cell.text == "(blank)")
        )


def budget_figures(typed: pd.DataFrame) -> BudgetFigures:
    """The budget's cells as traced figures: the table as the gate read it (a blank flow or
    saving cell reads as 0; a blank B/Fwd or C/Fwd is left for the roll-forward)."""
    file = source_of(typed, "high_needs_budget.csv")
    years = list(dict.fromkeys(typed["year"]))
    roles = line_roles(typed)
    labels = {
        str(line): str(label)
        for line, label in typed.drop_duplicates("line")[["line", "label"]].itertuples(index=False)
    }
    cells = {}
    for rec in typed.itertuples(index=False):
        read = _cell(rec, file, roles)
        if read is not None:
            cells[(rec.line, rec.year)] = read
    lines = {
        (line, year): figure.named(
            f"budget.{line}[{year}]",
            f"{line_words(line, labels)} {year}",
            role=line_words(line, labels),
        )
        for (line, year), figure in cells.items()
    }
    headings = {
        year: cell(year, Cell(file, None, year, year), f"the heading {year}") for year in years
    }
    return BudgetFigures(years, lines, headings, roles, labels)


def _cell(rec: object, file: str, roles: Mapping[str, str]) -> Traced | None:
    """A budget cell as typed (its text as written, where the table is in another unit or
    sign convention than £000 with a deficit positive); a blank flow or saving cell reads as
    0; ``None`` for a blank B/Fwd or C/Fwd, or a line the table left out (added by the
    roll-forward)."""
    row = getattr(rec, "row", None)
    if row is not None and pd.isna(row):
        return None
    row = None if row is None else int(row)
    line, year, amount, label = rec.line, rec.year, rec.amount, rec.label  # type: ignore[attr-defined]
    written = str(getattr(rec, "written", "") or "")
    if pd.notna(amount):
        text = as_written(float(amount))
        described_as = f"{label}, {year}"
        if written and _differs(written, float(amount)):
            described_as += f" ({written} as written: {text} in £000, a deficit positive)"
            text = written
        return cell(float(amount), Cell(file, row, year, text), described_as)
    if roles.get(line, ROLE_OF.get(line)) in _ZERO_ROLES:
        return cell(0.0, Cell(file, row, year, "(blank)"), f"{label}, {year}, left blank: 0")
    return None


def _differs(written: str, amount: float) -> bool:
    """Whether a cell as typed says another number than its £000 reading, a deficit positive
    (``8.3`` in a table in £m, read as 8,300)."""
    try:
        typed = parse_money(written)
    except ValueError:
        return True
    return typed is None or abs(typed - amount) > 1e-9


def figure_cells(
    figures: pd.DataFrame | None, values: Mapping[str, FigureValue]
) -> dict[str, Traced]:
    """``fig.<name>``: each figure of figures.csv, read from its cell in the 'value' column
    (``values`` are the gate's readings of them, typed by unit); none without the file."""
    if figures is None:
        return {}
    file = source_of(figures, "figures.csv")
    out = {}
    for rec in figures.itertuples(index=False):
        value = values.get(rec.name, rec.value)
        read = cell(
            value, Cell(file, int(rec.row), "value", str(rec.value)), f"{rec.name} as typed"
        )
        out[rec.name] = read.named(f"fig.{rec.name}", str(rec.description), role=rec.name)
    # A figure the council states as a sum or difference of others is that arithmetic (the
    # gate has checked it holds within the rounding of the figures as stated).
    for rec in figures.itertuples(index=False):
        terms = formula_terms(str(getattr(rec, "formula", "") or ""))
        if not terms or any(name not in out for _, name in terms):
            continue
        sign, name = terms[0]
        result = out[name].as_role(name) if sign > 0 else constant(0) - out[name].as_role(name)
        for sign, name in terms[1:]:
            term = out[name].as_role(name)
            result = (result + term) if sign > 0 else (result - term)
        out[rec.name] = result.named(
            f"fig.{rec.name}",
            str(rec.description),
            role=rec.name,
            formula=str(rec.formula).strip(),
        )
    return out


def ehcp_cells(ehcp_demand: pd.DataFrame | None) -> dict[str, Traced]:
    """``ehcp.<measure>`` (plans at the start, new plans to date, open requests) and
    ``ehcp.since``, from the EHCP table's cells; none for a cycle without the table."""
    if ehcp_demand is None:
        return {}
    file = source_of(ehcp_demand, "ehcp_demand.csv")
    out: dict[str, Traced] = {}
    for rec in ehcp_demand.itertuples(index=False):
        count = cell(
            int(rec.count),
            Cell(file, int(rec.row), "count", str(int(rec.count))),
            f"{rec.measure} as typed",
        )
        out[rec.measure] = count.named(f"ehcp.{rec.measure}", str(rec.description))
        if rec.measure == "plans_at_start":
            text = pd.Timestamp(rec.since).date().isoformat()
            since = cell(text, Cell(file, int(rec.row), "since", text), "the date the counts start")
            out["since"] = since.named("ehcp.since", "The date the counts start")
    return out


def placement_cells(
    interventions: pd.DataFrame, placement_costs: pd.DataFrame
) -> tuple[dict[tuple[str, str], Traced], dict[str, Traced]]:
    """Places avoided by intervention and placement type, and each type's cost per place."""
    places_file = source_of(interventions, "interventions.csv")
    costs_file = source_of(placement_costs, "placement_costs.csv")
    places = {
        (rec.intervention_id, rec.placement_type): cell(
            _plain(rec.places_avoided),
            Cell(places_file, int(rec.row), "places_avoided", f"{rec.places_avoided:g}"),
            f"places avoided, {rec.placement_type}",
            role="places avoided",
        )
        for rec in interventions.itertuples(index=False)
    }
    costs = {}
    for rec in placement_costs.itertuples(index=False):
        written = f"{rec.annual_cost_per_place:g}"
        cost = cell(
            float(rec.annual_cost_per_place),
            Cell(costs_file, int(rec.row), "annual_cost_per_place", written),
            f"cost per place, {rec.placement_type}",
            role="annual cost per place",
        )
        balances = str(getattr(rec, "balances", "") or "").strip()
        if balances:  # set so that a business case balances: an assumption, not a measure
            cost = described(
                float(cost),
                f"assumed.cost_per_place[{rec.placement_type}]",
                f"Cost per place, {rec.placement_type}, set to balance a business case",
                f"set by the council so that the {balances} business case's places give its "
                f"stated saving ({costs_file}, row {int(rec.row)}, column 'balances'): not a "
                "measured cost",
                [cost],
            )
        costs[rec.placement_type] = cost
    return places, costs


def _plain(value: object) -> float | int:
    """A count as Python keeps it: a NumPy number as its Python one (1 stays 1, not 1.0)."""
    return value.item() if hasattr(value, "item") else value  # type: ignore[return-value]


def cycle_cell(cycle: str) -> Traced:
    """The cycle itself, as its folder names it."""
    return cell(cycle, Cell(f"the cycle's folder, data/raw/{cycle}", None, "", cycle), "the cycle")


def parameter_cell(name: str, value: int | float | str) -> Traced:
    """A run's parameter (``-p name=value``), as a leaf: an auditor sees which it was."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = f"{value}"
    else:
        text = str(value)
    return cell(
        value, Cell("the run's parameters", None, name, text), f"the run's parameter {name}"
    )


def placements_cells(placements: pd.DataFrame) -> dict[tuple[str, str, str], Traced]:
    """The EHCPs and cost per EHCP the cycle gives, by (category, year, column)."""
    file = source_of(placements, "placements_by_category.csv")
    out = {}
    for rec in placements.itertuples(index=False):
        for column in ("plans", "cost_per_plan"):
            value = getattr(rec, column)
            if pd.notna(value):
                where = Cell(file, int(rec.row), column, f"{value:g}")
                out[(rec.category, rec.year, column)] = cell(
                    float(value), where, f"{column.replace('_', ' ')}, {rec.category}, {rec.year}"
                )
    return out


def assumption_cells(assumptions: pd.DataFrame) -> dict[tuple[str, str, str], Traced]:
    """The forecast's assumptions by (assumption, year, category; blank for every one)."""
    file = source_of(assumptions, "forecast_assumptions.csv")
    return {
        (rec.assumption, rec.year, rec.category): cell(
            float(rec.value),
            Cell(file, int(rec.row), "value", str(rec.value)),
            f"{rec.assumption}, {rec.year}" + (f", {rec.category}" if rec.category else ""),
            role=rec.assumption.replace("_", " "),
        )
        for rec in assumptions.itertuples(index=False)
    }


def places_cells(places: pd.DataFrame) -> list[Traced]:
    """Each intervention's places (avoided or moved), in the table's order."""
    file = source_of(places, "intervention_places.csv")
    return [
        cell(
            float(rec.places),
            Cell(file, int(rec.row), "places", f"{rec.places:g}"),
            f"places, {rec.intervention_id}",
            role="places",
        )
        for rec in places.itertuples(index=False)
    ]
