"""How the model reads the council's figures where they could be read two ways, each reading
traced to who chose it: the run (``-p``), the council (``paper.yaml``), or the model's default
when neither did, which the paper then says it assumed.

- ``recovery_plan_impact``: the Recovery Plan Impact line as each year's own saving
  (``each_year``, the model's ``in_year`` basis) or as a running total (``running_total``,
  ``cumulative``);
- ``certainty_centre``: what the measures of how sure the forecast is centre on, the forecast
  with the agreed pressures (the default) or the finance table's forecast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from highneeds.domain.traced import Cell, Traced, cell, described
from highneeds.model.basis.inputs import parameter_cell, source_of

#: The model's switch value for each value a council declares, by reading.
SWITCH_OF = {
    "recovery_plan_impact": {"each_year": "in_year", "running_total": "cumulative"},
    "certainty_centre": {
        "with_agreed_pressures": "with_agreed_pressures",
        "finance_table": "finance_table",
    },
}
#: The run's parameter that overrides each reading (``-p NAME=VALUE``).
PARAMETER_OF = {
    "recovery_plan_impact": "recovery_plan_basis",
    "certainty_centre": "uncertainty_centre",
}
#: Where the council declares none and the run sets none.
DEFAULTS = {"recovery_plan_impact": "in_year", "certainty_centre": "with_agreed_pressures"}
#: Each reading of the Recovery Plan Impact line in words, by switch value.
BASIS_WORDS = {
    "in_year": "each year's own saving",
    "cumulative": "a running total of the savings to date (each year's saving the change on "
    "the year before)",
}
#: Who chose a reading, by how the figure was made.
BY_RUN, BY_COUNCIL, ASSUMED = "the run", "the council", "assumed"


@dataclass(frozen=True)
class Reading:
    """A reading the model uses: its switch value, who chose it, and the figure that says so
    (``reading.<name>``: a cell of paper.yaml, a run's parameter, or described as assumed)."""

    name: str
    value: str
    chosen_by: str
    figure: Traced

    def frame(self) -> dict[str, str]:
        """The reading as a row of the ``readings_used`` table."""
        written = next(w for w, v in SWITCH_OF[self.name].items() if v == self.value)
        return {"reading": self.name, "value": written, "chosen_by": self.chosen_by}

    @property
    def declared(self) -> bool:
        """Whether the council (or the run) chose it, rather than the model assuming it."""
        return self.chosen_by != ASSUMED


def reading(name: str, table: pd.DataFrame | None, run_value: str | None) -> Reading:
    """Reading ``name``: the run's ``-p`` value where given, else what paper.yaml declares,
    else the model's default, described as assumed."""
    key, label = f"reading.{name}", f"How the model reads {name.replace('_', ' ')}"
    if run_value is not None:
        figure = parameter_cell(PARAMETER_OF[name], run_value).named(key, label)
        return Reading(name, run_value, BY_RUN, figure)
    declared = None if table is None else table[table["reading"] == name]
    if declared is not None and not declared.empty:
        rec = declared.iloc[0]
        written = str(rec["value"])
        row = None if pd.isna(rec["row"]) else int(rec["row"])
        where = Cell(source_of(table, "paper.yaml"), row, name, written)
        figure = cell(written, where, f"paper.yaml's {name}").named(key, label)
        return Reading(name, SWITCH_OF[name][written], BY_COUNCIL, figure)
    value = DEFAULTS[name]
    written = next(w for w, v in SWITCH_OF[name].items() if v == value)
    # The assumption rests on what paper.yaml leaves out: that is the cell it traces to.
    absent = cell("", Cell("paper.yaml", None, name, "(not declared)"), f"no {name} declared")
    figure = described(
        written,
        key,
        label,
        f"assumed: the council declares no {name} in paper.yaml, so the model reads it as "
        f"{written}",
        [absent],
    )
    return Reading(name, value, ASSUMED, figure)


def other_reading(
    impact: Reading, recovery: Mapping[str, Traced], cfwd: Traced, other: Mapping[str, Traced]
) -> Traced:
    """The deficit with the Recovery Plan at the end of the last year had the impact line been
    read the other way (``other``: its savings so read; ``recovery``: as read; ``cfwd``: the
    mitigated deficit as read), traced to both readings' savings and to who chose the reading
    (``reading.recovery_plan_impact_other``); the same as ``cfwd`` where the readings agree."""
    changed = [(other[y], recovery[y]) for y in recovery if float(other[y]) != float(recovery[y])]
    value = float(cfwd) + sum(float(o) - float(r) for o, r in changed)
    flip = "cumulative" if impact.value == "in_year" else "in_year"
    return described(
        value,
        "reading.recovery_plan_impact_other",
        "The deficit with the Recovery Plan at the end of the forecast, read the other way",
        f"the deficit with the Recovery Plan as read ({cfwd.key}, the line read as "
        f"{BASIS_WORDS[impact.value]}), plus each year's saving read as {BASIS_WORDS[flip]} "
        "less the saving as read, carried forward",
        [cfwd, impact.figure, *(figure for pair in changed for figure in pair)],
    )


def one_reading(impact: Reading, cfwd: Traced) -> Traced:
    """``reading.recovery_plan_impact_other`` where the savings have one reading: the driver
    model's, each year's own saving from the interventions' places."""
    return described(
        float(cfwd),
        "reading.recovery_plan_impact_other",
        "The deficit with the Recovery Plan at the end of the forecast, read the other way",
        f"the same as {cfwd.key}: the forecast is the driver model's, whose savings are each "
        "year's own (the interventions' places), with no other reading",
        [cfwd, impact.figure],
    )
