"""How certain the forecast is, as the paper prints it: the sensitivity table, and the
figures and words the narrative's placeholders take (``sensitivity``, ``break_even``,
``uncertainty``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from highneeds.common.templating import Markup, render_template
from highneeds.paper.charts.uncertainty_charts import assumption_value
from highneeds.paper.content.model_outputs import ModelOutputs
from highneeds.paper.text.figure_notes import FigureNotes
from highneeds.paper.text.formatting import gbp_k, num, pct, table_amount

#: Each assumption as a sentence names it.
ASSUMPTION_WORDS = {
    "ehcp_growth": "the growth in the number of EHCPs",
    "cost_per_plan_growth": "the growth in the average cost of a plan",
    "allocation_growth": "the growth in the High Needs allocation",
    "schools_block_transfer": "the transfer from the Schools block",
    "recovery_plan_delivery": "how much of the Recovery Plan's savings are delivered",
}
#: The data the placeholders of this part come from.
SOURCES = ["high_needs_budget", "ehcp_demand", "figures", "assumption_ranges"]


def _by_year(frame: pd.DataFrame, column: str) -> dict[str, float]:
    return dict(zip(frame["year"], frame[column].astype(float), strict=True))


def ehcp_break_even_words(break_even: Mapping[str, Any], central: float, after: str) -> str:
    """What EHCP growth would stop the deficit growing, in words, from the model's figures."""
    if not bool(break_even["ehcp_growth_reachable"]):
        return "no rate of growth in the number of EHCPs would stop it within the plan's years"
    # The break-even figure ends the words, so that its note's mark (placed after the words)
    # follows it, never the forecast's own growth.
    growth = float(break_even["ehcp_growth"])
    if growth < 0:
        return (
            f"rather than growing by {pct(central, 1)} a year after {after}, the number of EHCPs "
            f"would have to fall by {pct(-growth, 1)} a year"
        )
    return (
        f"growth in the number of EHCPs after {after} would have to slow to {pct(growth, 1)} a year"
    )


#: Each position in a range (the tornado's ``position``: the model's), as a sentence says it.
POSITION_PHRASES = {
    "hopeful end": "at the hopeful end of the range (the deficit near its lowest) for",
    "middle": "in the middle of the range for",
    "cautious end": "at the cautious end of the range (the deficit near its highest) for",
    "below the range": "beyond the hopeful end of the range (the deficit lower than at either "
    "end) for",
    "above the range": "beyond the cautious end of the range (the deficit higher than at either "
    "end) for",
}


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def position_words(rows: list[Mapping[str, Any]]) -> str:
    """Where the forecast sits in each assumption's range, as a sentence written from the
    tornado's positions (``rows``: its records), assumptions grouped by position."""
    groups: dict[str, list[str]] = {position: [] for position in POSITION_PHRASES}
    for rec in rows:
        position = str(rec.get("position") or "")
        if position in groups:
            groups[position].append(ASSUMPTION_WORDS[rec["assumption"]])
    parts = [f"{POSITION_PHRASES[p]} {_listed(names)}" for p, names in groups.items() if names]
    if not parts:
        return "No assumption's range moves the forecast"
    return "The forecast sits " + "; ".join(parts)


def likelier_words(share_above: float) -> str:
    """Whether the deficit is likelier to come out above or below the forecast, from the
    share of simulations above it."""
    if share_above > 0.55:
        return "more likely to be higher than forecast than lower"
    if share_above < 0.45:
        return "more likely to be lower than forecast than higher"
    return "about as likely to be higher than forecast as lower"


def assumed_words(names: list[str]) -> str:
    """The ranges that rest on the model's choice alone, in words ("" where none does)."""
    if not names:
        return ""
    ranges = "range" if len(names) == 1 else "ranges"
    return (
        f"the {ranges} of {_listed([ASSUMPTION_WORDS[n] for n in names])} "
        f"{'is' if len(names) == 1 else 'are'} assumed in this analysis, with no source given"
    )


def odds_words(even: Mapping[str, Any], share: float, forecast: str) -> str:
    """The odds of the deficit coming out above the forecast (``forecast``: as printed), in
    words: "in 93 simulations in 100 ...", or, where a range that moves it is assumed, that
    the paper gives none, and why."""
    names = str(even.get("assumed_ranges") or "").split()
    if names:
        return (
            "the paper gives no odds of it coming out above or below the forecast of "
            f"{forecast}: {assumed_words(names)}, so the simulations show what those ranges "
            "give together, not how likely any outcome is"
        )
    return (
        f"in {round(share * 100)} simulations in 100 it comes out above the forecast of "
        f"{forecast}, so the deficit is {likelier_words(share)}"
    )


#: Why the simulations centre where they do, by who chose it (the model's readings.py).
CENTRE_CHOSEN_WORDS = {
    "assumed": "as the measures of how sure the forecast is centre on the forecast with every "
    "agreed pressure unless the council says otherwise",
    "the council": "as the council's paper asks (paper.yaml's certainty_centre)",
    "the run": "as this run was set to",
}


def pressures_words(even: Mapping[str, Any]) -> str:
    """Whether the simulations include the agreed pressures the finance table leaves out, in
    words naming the lines they change, and who chose that: the council (paper.yaml), the run
    (``-p uncertainty_centre``) or, where neither did, the default."""
    lines = str(even.get("pressures_lines") or "") or "the agreed changes"
    chosen = str(even.get("centre_chosen_by") or "the run")
    why = CENTRE_CHOSEN_WORDS.get(chosen, CENTRE_CHOSEN_WORDS["the run"])
    if bool(even.get("pressures_inside", False)):
        return f"the simulations add the {lines} to every year, {why}"
    if chosen == "assumed":  # no agreed pressure to put inside
        return f"the simulations move the finance table's lines, which leave the {lines} out"
    return f"the simulations move the finance table's lines, which leave the {lines} out, {why}"


def centre_words(even: Mapping[str, Any], mitigated: str | None) -> str:
    """What the measures of how sure the forecast is centre on, in words: the mitigated
    forecast's label ("with the Recovery Plan"), or the agreed scenario's where the run puts
    the agreed pressures inside; "as forecast" for a table without a saving line."""
    label = str(even.get("pressures_label") or "")
    if bool(even.get("pressures_inside", False)) and label:
        return f"{label[0].lower()}{label[1:]} (agreed)"
    if mitigated is None:
        return "as forecast"
    words = mitigated.removesuffix(" (mitigated)")
    return f"{words[0].lower()}{words[1:]}"


def centred_on(outputs: ModelOutputs) -> tuple[str, str]:
    """What the measures of how sure the forecast is centre on, in words ("with the Recovery
    Plan"), and the scenario that is (``mitigated``, or the agreed pressures' scenario where
    the simulations put them inside)."""
    even = dict(outputs.break_even or {})
    words = centre_words(even, outputs.scenario_labels.get("mitigated"))
    label = str(even.get("pressures_label") or "")
    if bool(even.get("pressures_inside", False)) and label:
        match = outputs.scenarios[outputs.scenarios["label"] == label]
        if not match.empty:
            return words, str(match["scenario"].iloc[0])
    return words, "mitigated"


def _given(value: Any) -> bool:
    """Whether a break-even figure is there (a CSV gives a figure the model left out as NaN)."""
    return value is not None and not (isinstance(value, float) and value != value)


def together_words(tornado: pd.DataFrame) -> str:
    """Which assumptions the simulations draw together (``moves_with``), in words."""
    pairs = []
    for rec in tornado.to_dict("records"):
        given = rec.get("moves_with")
        partner = "" if given is None or pd.isna(given) else str(given)
        if partner and rec["assumption"] < partner:
            pairs.append(f"{ASSUMPTION_WORDS[rec['assumption']]} and {ASSUMPTION_WORDS[partner]}")
    if not pairs:
        return "The simulations draw each assumption on its own, as if none moved with another"
    return (
        f"The simulations draw {'; '.join(pairs)} together, at the same point of each range, "
        "as the council states they move together; the others each on its own"
    )


def certainty_context(outputs: ModelOutputs) -> dict[str, Any]:
    """The placeholders of "how certain is the forecast", where the model measured it."""
    if outputs.sensitivity is None or outputs.uncertainty is None or outputs.break_even is None:
        return {}
    rows = {
        rec["assumption"]: {**rec, "words": ASSUMPTION_WORDS[rec["assumption"]]}
        for rec in outputs.sensitivity.to_dict("records")
    }
    biggest = next(iter(rows.values()))
    even = dict(outputs.break_even)
    ehcp = rows.get("ehcp_growth")
    even["ehcp_growth_words"] = ehcp_break_even_words(
        even, float(ehcp["central"]) if ehcp else 0.0, outputs.current_year
    )
    levels = outputs.uncertainty
    uncertainty: dict[str, Any] = {
        "draws": int(even["draws"]),
        "probability_still_growing": float(even["probability_still_growing"]),
    }
    if _given(even.get("forecast_with_pressures")):
        uncertainty |= {
            "forecast_with_pressures": float(even["forecast_with_pressures"]),
            "share_above_forecast_with_pressures": float(
                even["share_above_forecast_with_pressures"]
            ),
        }
    odds = bool(even.get("odds_given", True))
    if not odds:  # no odds where a range that moves the deficit is assumed
        for name in ("probability_still_growing", "share_above_forecast_with_pressures"):
            uncertainty.pop(name, None)
    if "share_above_forecast" in even:
        share = float(even["share_above_forecast"])
        uncertainty |= {
            "forecast": float(even["forecast"]),
            "pressures_words": pressures_words(even),
            "odds_given": odds,
            # Words written from a figure trace to it (``<figure>_words``).
            "odds_words": odds_words(even, share, gbp_k(float(even["forecast"]))),
        }
        if odds:
            uncertainty |= {
                "share_above_forecast": share,
                "share_above_forecast_words": likelier_words(share),
            }
    uncertainty["draws_words"] = together_words(outputs.sensitivity)
    for scenario, group in levels.groupby("scenario", sort=False):
        uncertainty[str(scenario)] = {p: _by_year(group, p) for p in ("p10", "p50", "p90")}
    return {
        "sensitivity": {
            **rows,
            "biggest": biggest,
            "central": biggest["cfwd_central"],
            "centre_words": centre_words(even, outputs.scenario_labels.get("mitigated")),
            "position_words": position_words(list(rows.values())),
            "assumed_words": assumed_words(str(even.get("assumed_ranges") or "").split()),
        },
        "break_even": even,
        "uncertainty": uncertainty,
    }


def sensitivity_table_html(
    outputs: ModelOutputs,
    number: str,
    figures: list[dict[str, Any]] | None = None,
    notes: FigureNotes | None = None,
) -> str:
    """The tornado as a table: each assumption's range and the final year's deficit (with the
    Recovery Plan) at its low and its high value, biggest swing first."""
    if outputs.sensitivity is None:
        raise KeyError("no table named 'sensitivity' in this cycle")
    last = str(outputs.budget["year"].iloc[-1])
    centre, _ = centred_on(outputs)
    rows = []
    for rec in outputs.sensitivity.itertuples(index=False):
        row = {
            "label": rec.label,
            "low": assumption_value(rec.low, rec.kind),
            "central": assumption_value(rec.central, rec.kind),
            "high": assumption_value(rec.high, rec.kind),
            "cfwd_at_low": table_amount(rec.cfwd_at_low),
            "cfwd_at_high": table_amount(rec.cfwd_at_high),
        }
        rows.append(row)
        if figures is not None:
            figures.extend(
                {
                    "id": f"sensitivity: {rec.label}, {column}",
                    "where": "table sensitivity",
                    "text": row[column],
                    "sources": SOURCES,
                    "rows": [],
                    "traces": f"sensitivity.{rec.assumption}.{column}",
                    "value": float(getattr(rec, column)),
                    "note": None
                    if notes is None
                    else notes.letter(f"sensitivity.{rec.assumption}.{column}"),
                }
                for column in ("low", "central", "high", "cfwd_at_low", "cfwd_at_high")
            )
    return render_template(
        "highneeds.paper",
        "parts/sensitivity-table.html.j2",
        number=number,
        caption=f"The deficit carried forward at the end of {last} {centre}, "
        "with each assumption at its low and its high value, the others as forecast",
        source="The forecast's own value of each assumption is what the council's figures "
        "imply, as the model reads them: finance did not state it.",
        last_year=last,
        rows=rows,
        # Every figure of the table is the model's: one mark, on its caption.
        note=Markup("") if notes is None else notes.mark("sensitivity.table"),
    )


def ranges_table_html(
    outputs: ModelOutputs,
    number: str,
    figures: list[dict[str, Any]] | None = None,
    notes: FigureNotes | None = None,
) -> str:
    """Where each assumption's range comes from (the council's source, or the cycle's own
    figures), the range, and how the simulations draw it; each figure recorded."""
    if outputs.sensitivity is None:
        raise KeyError("no table named 'ranges' in this cycle")
    rows = []
    for rec in outputs.sensitivity.itertuples(index=False):
        ends = RANGE if rec.high > rec.low else RANGE[:1]  # a fixed range prints one end
        printed = {column: assumption_value(getattr(rec, column), rec.kind) for column in ends}
        if rec.drawn_how == "mode":
            printed["mode"] = assumption_value(rec.mode, "rate")
        if rec.drawn_how == "either":
            printed["probability"] = chance(rec.probability)
        for column, text in printed.items():
            if figures is not None:
                key = f"sensitivity.{rec.assumption}.{column}"
                figures.append(
                    {
                        "id": f"ranges: {rec.label}, {column}",
                        "where": "table ranges",
                        "text": text,
                        "sources": SOURCES,
                        "rows": [],
                        "traces": key,
                        "value": float(getattr(rec, column)),
                        "note": None if notes is None else notes.letter(key),
                    }
                )
        low, high = printed["low"], printed.get("high")
        rows.append(
            {
                "label": rec.label,
                "range": f"fixed at {low}" if high is None else f"{low} to {high}",
                "drawn_as": drawn_as(rec.drawn_how, _text(rec.drawn_with), printed),
                "source": f"{rec.source} ({rec.basis})",
            }
        )
    return render_template(
        "highneeds.paper",
        "parts/ranges-table.html.j2",
        number=number,
        caption="Where each assumption's range comes from, and how the simulations draw it "
        "(each on its own: no two are taken to move together)",
        rows=rows,
    )


def _text(value: object) -> str:
    """A text cell of a table read back from its CSV: a blank reads as NaN, not as ''."""
    return str(value) if _given(value) else ""


#: The ends of a range, as the ranges table prints them.
RANGE = ("low", "high")


def chance(probability: float) -> str:
    """A stated chance as a percentage: whole where it is whole, else to one decimal."""
    percent = float(probability) * 100
    return f"{num(percent, 0 if percent.is_integer() else 1)}%"


def drawn_as(drawn: str, drawn_with: str, printed: Mapping[str, str]) -> str:
    """How the simulations draw an assumption, in words (``drawn``: the model's
    ``AssumptionRange.drawn_how``; ``printed``: its figures as the table prints them)."""
    if drawn == "held":
        return "held at the forecast's value"
    together = f"; drawn with {drawn_with}" if drawn_with else ""
    if drawn == "either":
        return (
            f"the high end with a {printed['probability']} chance, otherwise the low end{together}"
        )
    near = printed["mode"] if drawn == "mode" else "the forecast's value"
    return f"anywhere in the range, most often near {near}{together}"
