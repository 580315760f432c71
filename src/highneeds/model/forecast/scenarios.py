"""The council's own scenarios (``scenarios.csv``), as traced adjustments to the unmitigated
forecast: each change added to its line every year from its first year (or in that year
once), on top of the saving line unless the scenario says otherwise, and on top of the
scenario it builds on.

Each change is a cell the lineage ends at (``scenario.<id>.change``, with its first year as
``scenario.<id>.first_year``), so a scenario's figures are arithmetic on the council's own inputs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from highneeds.common.errors import InputDataError
from highneeds.domain.traced import Cell, Traced, cell, described
from highneeds.model.basis.inputs import BudgetFigures, source_of
from highneeds.model.forecast.deficit import Deficit, scenario

_WHERE = "02_deficit_model.ipynb: Scenarios"


@dataclass(frozen=True)
class Change:
    """One change of a scenario: the line it moves (its label), its first year, the traced
    amount (£000, a deficit positive) and whether it repeats each year."""

    line: str
    first_year: Traced
    amount: Traced
    each_year: bool


@dataclass(frozen=True)
class DeclaredScenario:
    """A scenario the council declares, with its changes (its own, not those it builds on)."""

    id: str
    label: str
    status: str
    source: str
    with_savings: bool
    builds_on: str
    changes: list[Change] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        """The lines its changes move, by name."""
        return list(dict.fromkeys(c.line.removeprefix("new:") for c in self.changes))

    def figures(self) -> list[Traced]:
        """Its input cells under the names placeholders use (the first change's)."""
        if not self.changes:
            return []
        first = self.changes[0]
        return [
            first.amount.named(f"scenario.{self.id}.change", f"{self.label}: change a year"),
            first.first_year.named(f"scenario.{self.id}.first_year", f"{self.label}: from"),
        ]


def declared_scenarios(
    table: pd.DataFrame | None, budget: BudgetFigures
) -> dict[str, DeclaredScenario]:
    """The cycle's scenarios by id, in the file's order, each change checked against the
    budget: its line one of the table's (by label) or a new line with a role, its first year
    one of the table's years, ``builds_on`` a scenario declared in the file, with no circle."""
    if table is None or table.empty:
        return {}
    file = source_of(table, "scenarios.csv")
    labels = {label.strip().lower(): line for line, label in budget.labels.items()}
    out: dict[str, DeclaredScenario] = {}
    problems: list[str] = []
    for rec in table.itertuples(index=False):
        where = f"{file}, row {int(rec.row)}"
        if rec.year not in budget.years:
            problems.append(
                f"{where}, column 'year': found {rec.year!r}; expected one of the budget "
                f"table's years ({', '.join(budget.years)})"
            )
            continue
        known = labels.get(str(rec.line).strip().lower())
        if known is None and not rec.role:
            problems.append(
                f"{where}, column 'line': found {rec.line!r}; expected one of the budget "
                f"table's lines ({'; '.join(budget.labels.values())}), or a new line with its "
                "role (funding, spending or movement) in the 'role' column"
            )
            continue
        scenario = out.get(rec.scenario)
        if scenario is None:
            scenario = out[rec.scenario] = DeclaredScenario(
                rec.scenario,
                str(rec.label),
                str(rec.status),
                str(rec.source),
                rec.on == "with_savings",
                str(rec.builds_on),
            )
        elif (scenario.label, scenario.status, scenario.builds_on) != (
            rec.label,
            rec.status,
            rec.builds_on,
        ) or scenario.with_savings != (rec.on == "with_savings"):
            problems.append(
                f"{where}: scenario {rec.scenario!r} is labelled {rec.label!r} ({rec.status}, "
                f"on {rec.on}, builds on {rec.builds_on or 'none'}) here but {scenario.label!r} "
                f"({scenario.status}, on "
                f"{'with_savings' if scenario.with_savings else 'without_savings'}, builds on "
                f"{scenario.builds_on or 'none'}) above; give each row of a scenario the same "
                "label, status, on and builds_on"
            )
            continue
        row = int(rec.row)
        amount = cell(
            float(rec.change),
            Cell(file, row, "change", str(rec.written)),
            f"{rec.label}: {rec.line} from {rec.year}",
            role=str(rec.line),
        )
        first = cell(str(rec.year), Cell(file, row, "year", str(rec.year)), "the first year")
        line = known or f"new:{rec.line}"
        scenario.changes.append(Change(line, first, amount, rec.repeat != "once"))
    for scenario in out.values():
        problems += _builds_on_problems(scenario, out, file)
    if problems:
        raise InputDataError("The scenarios do not fit the budget table.", problems)
    return out


def _builds_on_problems(
    scenario: DeclaredScenario, declared: Mapping[str, DeclaredScenario], file: str
) -> list[str]:
    seen, current = [scenario.id], scenario
    while current.builds_on:
        if current.builds_on not in declared:
            return [
                f"{file}: scenario {current.id!r} builds on {current.builds_on!r}, which the "
                f"file does not declare (its scenarios: {', '.join(declared)})"
            ]
        if current.builds_on in seen:
            return [f"{file}: scenarios build on each other in a circle: {' -> '.join(seen)}"]
        seen.append(current.builds_on)
        current = declared[current.builds_on]
    return []


def changes_by_year(
    scenario: DeclaredScenario, declared: Mapping[str, DeclaredScenario], years: list[str]
) -> dict[str, list[Traced]]:
    """Each year's changes of ``scenario`` and of every scenario it builds on: a change in
    each year from its first (or that year once), a described 0 before it."""
    chain = [scenario]
    while chain[-1].builds_on:
        chain.append(declared[chain[-1].builds_on])
    out: dict[str, list[Traced]] = {year: [] for year in years}
    for part in reversed(chain):
        for change in part.changes:
            start = years.index(str(change.first_year.value))
            for index, year in enumerate(years):
                applies = index == start if not change.each_year else index >= start
                out[year].append(
                    change.amount.named(
                        f"scenario.{part.id}.{_slug(change.line)}[{year}]",
                        f"{part.label}: {change.line.removeprefix('new:')} {year}",
                    )
                    if applies
                    else described(
                        0.0,
                        f"scenario.{part.id}.{_slug(change.line)}[{year}]",
                        f"{part.label}: {change.line.removeprefix('new:')} {year}",
                        f"0: the change applies {'in' if not change.each_year else 'from'} "
                        f"{change.first_year.value}",
                        [change.first_year],
                        _WHERE,
                    )
                )
    return out


def _slug(line: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in line.lower()).strip("_")


def agreed(declared: Mapping[str, DeclaredScenario]) -> list[DeclaredScenario]:
    """The scenarios the council has agreed, on top of its savings: the pressures the
    certainty part may centre on."""
    return [s for s in declared.values() if s.status == "agreed" and s.with_savings]


def mitigated_label(budget: BudgetFigures) -> str:
    """The mitigated scenario's label, from the saving line's own name: "Recovery Plan
    Impact" gives "With the Recovery Plan (mitigated)"."""
    name = budget.labels.get("recovery_plan_impact", "savings")
    words = re.sub(r"\s+impact$", "", name.strip(), flags=re.IGNORECASE)
    return f"With the {words} (mitigated)"


def build_deficits(
    roll: Deficit,
    budget: BudgetFigures,
    recovery: Mapping[str, Traced],
    declared: Mapping[str, DeclaredScenario],
    extra: Mapping[str, Traced] | None,
) -> tuple[list[Deficit], Deficit | None]:
    """Every scenario in the paper's order (unmitigated; mitigated, shown where the table has
    a saving line; the council's own, as declared; all requests convert, where the cycle has
    the EHCP inputs for it), and the forecast with every agreed pressure (``None`` where the
    council has agreed none): the agreed scenario itself, or all of them together."""
    years = roll.years
    saving = budget.role("recovery_plan_impact") == "saving" and (
        "recovery_plan_impact" in budget.roles
    )
    mitigated = scenario(
        "mitigated",
        roll,
        {y: [recovery[y]] for y in years},
        mitigated_label(budget) if saving else "As forecast (the table has no saving line)",
        shown=saving,
    )
    deficits = [roll, mitigated]
    for item in declared.values():
        changes = changes_by_year(item, declared, years)
        on_top = {y: [recovery[y]] if item.with_savings else [] for y in years}
        # Its figures are named scenario.<id>...: placeholders name them by the id as well.
        built = scenario(
            f"scenario.{item.id}",
            roll,
            {y: [*on_top[y], *changes[y]] for y in years},
            item.label,
            status=item.status,
            source=item.source,
        )
        deficits.append(replace(built, scenario=item.id))
    pressures = agreed(declared)
    with_pressures = None
    if len(pressures) == 1:
        with_pressures = next(d for d in deficits if d.scenario == pressures[0].id)
    elif pressures:
        every: dict[str, dict[str, Traced]] = {y: {} for y in years}
        for item in pressures:
            for year, figures in changes_by_year(item, declared, years).items():
                every[year] |= {figure.key: figure for figure in figures}
        with_pressures = scenario(
            "with_agreed_pressures",
            roll,
            {y: [recovery[y], *every[y].values()] for y in years},
            "With the savings and every agreed scenario",
            shown=False,
        )
        deficits.append(with_pressures)
    if extra is not None:
        deficits.append(scenario("all_requests_convert", roll, {y: [extra[y]] for y in years}))
    return deficits, with_pressures


def second_names(deficit: Deficit) -> list[Traced]:
    """A declared scenario's figures under the names placeholders use besides their own:
    ``<id>.cfwd[year]``, ``<id>.in_year[year]`` and ``scenario.<id>.closing[year]``."""
    name = deficit.scenario
    return [
        figure
        for year in deficit.years
        for figure in (
            deficit.cfwd[year].named(f"{name}.cfwd[{year}]", deficit.cfwd[year].label),
            deficit.in_year[year].named(f"{name}.in_year[{year}]", deficit.in_year[year].label),
            deficit.cfwd[year].named(f"scenario.{name}.closing[{year}]", deficit.cfwd[year].label),
        )
    ]
