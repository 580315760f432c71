"""How the model read the council's figures, as the paper says it: ``reading.*`` placeholders
(``{{ reading.recovery_plan_impact_words }}``), in words written from the model's figures,
never typed, so that a reading the council has not declared is stated with what the other
reading would give."""

from __future__ import annotations

from typing import Any

import pandas as pd

from highneeds.paper.content.model_outputs import ModelOutputs
from highneeds.paper.text.formatting import gbp_k

#: Each way the Recovery Plan Impact line reads, in words.
IMPACT_WORDS = {"each_year": "each year's own saving", "running_total": "a running total"}
#: Why it reads so, by who chose it.
WHY = {
    "the council": "as the council states",
    "the run": "as this run was set to",
    "assumed": "as the model assumed: the council has not said whether it is that or a "
    "running total",
}


#: The savings of a forecast the driver model makes, which have one reading.
DRIVER_WORDS = (
    "the Recovery Plan Impact is each year's own saving, as the driver model computes it from "
    "the interventions' places: it has no other reading"
)


def impact_words(value: str, chosen_by: str, other: float, as_read: float, last: str) -> str:
    """The impact line's reading, who chose it, and what the other reading would give."""
    other_value = "running_total" if value == "each_year" else "each_year"
    words = (
        f"the Recovery Plan Impact line is read as {IMPACT_WORDS.get(value, value)}, "
        f"{WHY.get(chosen_by, WHY['the run'])}"
    )
    if abs(other - as_read) < 0.5:
        return words + "; read the other way, the deficit would be the same"
    return (
        f"{words}; read as {IMPACT_WORDS[other_value]}, the deficit with the Recovery Plan at "
        f"the end of {last} would be {gbp_k(other)} rather than {gbp_k(as_read)}"
    )


def readings_context(outputs: ModelOutputs) -> dict[str, Any]:
    """The ``reading`` placeholders, where the model recorded its readings: each reading's
    value and who chose it; for the impact line, the deficit read the other way
    (``recovery_plan_impact_other``, £000) and a sentence saying both
    (``recovery_plan_impact_other_words``)."""
    table = outputs.readings
    if table is None or table.empty:
        return {}
    out: dict[str, Any] = {}
    for rec in table.to_dict("records"):
        name = str(rec["reading"])
        out[name] = str(rec["value"])
        out[f"{name}_chosen_by"] = str(rec["chosen_by"])
    impact = table[table["reading"] == "recovery_plan_impact"]
    if not impact.empty and "other" in impact and pd.notna(impact["other"].iloc[0]):
        rec = impact.iloc[0]
        mitigated = outputs.scenarios[outputs.scenarios["scenario"] == "mitigated"]
        other = float(rec["other"])
        out["recovery_plan_impact_other"] = other
        out["recovery_plan_impact_other_words"] = (
            DRIVER_WORDS
            if bool(rec.get("one_reading", False))
            else impact_words(
                str(rec["value"]),
                str(rec["chosen_by"]),
                other,
                float(mitigated["cfwd"].iloc[-1]),
                str(mitigated["year"].iloc[-1]),
            )
        )
    return {"reading": out}
