"""The measures of how sure the forecast is, as traced figures: each range's ends and how they
were set, the model re-run at each end (the tornado), the break-even figures with the
equation solved, and the simulations' percentiles with everything needed to redo them (draws,
each distribution and its parameters, the seed and how it is derived, the generator, NumPy's
version, the percentile rule).

No formula redoes a simulation term by term, so these are ``described`` figures
(:func:`highneeds.domain.traced.described`): their words, the figures they start from, and a recipe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from highneeds.domain.amounts import as_written
from highneeds.domain.traced import Traced, described
from highneeds.model.basis.ranges import AssumptionRange
from highneeds.model.certainty.sensitivity import PERCENTILES, SEED_RECIPE

_WHERE = "02_deficit_model.ipynb: How sure is the forecast"


def _pct(share: float) -> str:
    return f"{share * 100:.4g}%"


def simulation_recipe(
    ranges: Sequence[AssumptionRange],
    cycle: str,
    seed: int,
    draws: int,
    pressures: Mapping[str, float] | None = None,
) -> list[tuple[str, str]]:
    """What an auditor needs to redo the simulations, as (what, how) pairs; ``pressures``,
    the agreed changes the run adds to every simulation's in-year movement, by year (£000)."""
    recipe = [
        ("draws", f"{draws:,}"),
        ("seed", f"{seed} = {SEED_RECIPE.format(cycle=cycle)}"),
        (
            "generator",
            f"numpy.random.default_rng(seed) (PCG64), NumPy {np.__version__}; each assumption "
            "drawn in this order with Generator.triangular(low, central, high, draws), or, for "
            "one end or the other, Generator.random(draws) < probability taking the high end",
        ),
    ]
    for index, rng in enumerate(ranges, start=1):
        if rng.high <= rng.low:
            shape = f"fixed at {rng.central!r} (a range of one value: no draw)"
        elif rng.draw == "held":
            shape = (
                f"held at {rng.central!r} (no draw: {rng.source}); its ends, {rng.low!r} and "
                f"{rng.high!r}, are shown one at a time"
            )
        elif rng.draw == "either":
            shape = (
                f"either(low={rng.low!r}, high={rng.high!r}, probability={rng.probability!r}) "
                f"(the high end with a {_pct(rng.probability or 0)} chance)"
            )
        else:
            shape = (
                f"triangular(low={rng.low!r}, mode={rng.peak!r}, high={rng.high!r}) "
                f"({_pct(rng.low)} to {_pct(rng.high)}, peak {_pct(rng.peak)})"
            )
            if rng.peak != rng.central:  # the evidence's centre; the lines move from the forecast's
                shape += (
                    "; the forecast's own value, from which each draw moves the lines, "
                    f"central={rng.central!r}"
                )
        if rng.moves_with and rng.drawn:
            shape += (
                f"; drawn together with {rng.moves_with}: one point u = Generator.random(draws) "
                "for the pair (at the first of the two in this order), each taking its value at "
                "u (its inverse cumulative distribution; for one end or the other, the high end "
                "where u >= 1 - probability)"
            )
        recipe.append((f"distribution {index}: {rng.name}", shape))
    if pressures is not None:
        recipe.append(
            (
                "agreed pressures",
                "added to every simulation's in-year movement (£000): "
                + "; ".join(f"{year} {amount!r}" for year, amount in pressures.items()),
            )
        )
    recipe += [
        (
            "model",
            "each draw moves the printed forecast's lines (placement costs by "
            "((1 + g) / (1 + g0))^n and ((1 + c) / (1 + c0))^n, the allocation by "
            "((1 + a) / (1 + a0))^n in the n-th year after the cycle's own, the transfer x s "
            "after it, the Recovery Plan Impact x r) and carries the deficit forward",
        ),
        (
            "percentile rule",
            f"numpy.percentile(values, [{', '.join(map(str, PERCENTILES))}]) over the draws, "
            "method 'linear' (NumPy's default)",
        ),
    ]
    return recipe


def _how_drawn(rec: Any, inputs: Sequence[Traced]) -> list[Traced]:
    """An assumption's own value in the forecast, and what its draws peak at or the chance of
    its high end where the paper says so (``sensitivity.<assumption>.central``, ``.mode``,
    ``.probability``)."""
    name = f"sensitivity.{rec.assumption}"
    out = [
        described(
            float(rec.central),
            f"{name}.central",
            f"{rec.label}: the forecast's value",
            "what the council's figures imply, as the model reads them",
            inputs,
            _WHERE,
        )
    ]
    if rec.drawn_how == "mode":
        out.append(
            described(
                float(rec.mode),
                f"{name}.mode",
                f"{rec.label}: where the simulations' draws peak",
                f"the evidence's own central value: {rec.basis}",
                inputs,
                _WHERE,
            )
        )
    if rec.drawn_how == "either":
        out.append(
            described(
                float(rec.probability or 0.0),
                f"{name}.probability",
                f"{rec.label}: the chance of the high end",
                f"as the council states it: {rec.source}",
                inputs,
                _WHERE,
            )
        )
    return out


def certainty_figures(
    tornado: pd.DataFrame,
    levels: pd.DataFrame,
    even: Mapping[str, Any],
    inputs: Sequence[Traced],
    draws: Traced,
    recipe: Sequence[tuple[str, str]],
    widening: Traced | None = None,
) -> list[Traced]:
    """The tornado, break-even and simulation figures, each described with the model figures
    it starts from (``inputs``); the 10th and 90th percentiles say when the council's track
    record widened them (``widening``, a factor over 1)."""
    last = str(levels["year"].iloc[-1])
    out: list[Traced] = []
    every_end: list[Traced] = []
    central = described(
        float(tornado["cfwd_central"].iloc[0]),
        "sensitivity.central",
        f"Deficit at the end of {last} with the Recovery Plan, as forecast",
        "the forecast's own deficit, every assumption central",
        inputs,
        _WHERE,
    )
    out.append(central)
    for rank, rec in enumerate(tornado.itertuples(index=False)):
        ends = {}
        for column in ("low", "high", "cfwd_at_low", "cfwd_at_high"):
            if column in ("low", "high"):
                words = f"the {column} end of the range: {rec.basis}"
            else:
                end = column.removeprefix("cfwd_at_")
                value = getattr(rec, end)
                words = (
                    f"the model re-run with {rec.label} at its {end} end ({_pct(value)}), the "
                    f"others central: the deficit at the end of {last}"
                )
            ends[column] = described(
                float(getattr(rec, column)),
                f"sensitivity.{rec.assumption}.{column}",
                f"{rec.label}: {column.replace('_', ' ')}",
                words,
                [central, *inputs],
                _WHERE,
            )
        out += ends.values()
        out += _how_drawn(rec, inputs)
        every_end += [ends["cfwd_at_low"], ends["cfwd_at_high"]]
        if rank == 0:
            out += [
                figure.named(f"sensitivity.biggest.{column}", figure.label)
                for column, figure in ends.items()
            ]
            out.append(
                described(
                    str(rec.assumption),
                    "sensitivity.biggest",
                    "The assumption that matters most",
                    "the assumption whose range moves the deficit most (the tornado's first row)",
                    [ends["cfwd_at_low"], ends["cfwd_at_high"]],
                    _WHERE,
                )
            )
    out.append(
        described(
            "; ".join(
                f"{rec.assumption}: {rec.position}" for rec in tornado.itertuples() if rec.position
            ),
            "sensitivity.position",
            "Where the forecast sits in each range",
            "for each assumption, how far the forecast's deficit lies from the lowest deficit its "
            "range gives towards the highest: the first third is the hopeful end, the middle "
            "third the middle, the last third the cautious end; beyond either end, below or "
            "above the range",
            [central, *every_end],
            _WHERE,
        )
    )
    out += _break_even(even, last, inputs)
    out.append(draws)
    out.append(
        described(
            float(even["probability_still_growing"]),
            "uncertainty.probability_still_growing",
            "Share of simulations still growing",
            "share of the simulations in which the deficit still grows in the final year",
            [draws, *inputs],
            _WHERE,
            recipe,
        )
    )
    inside = bool(even.get("pressures_inside", False))
    pressures = str(even.get("pressures_label", "")) or "the agreed pressures"
    against_each = [
        (
            "share_above_forecast",
            "the forecast with the savings"
            + (
                f" and the agreed pressures ({pressures}; inside the simulations)" if inside else ""
            ),
        )
    ]
    if "share_above_forecast_with_pressures" in even:
        against_each.append(
            (
                "share_above_forecast_with_pressures",
                f"the forecast {pressures[0].lower()}{pressures[1:]}"
                + (" (inside the simulations)" if inside else " (which the simulations leave out)"),
            )
        )
    for name, against in against_each:
        value = float(even[name.replace("share_above_", "")])
        out.append(
            described(
                float(even[name]),
                f"uncertainty.{name}",
                f"Share of simulations above {against}",
                f"share of the simulations in which the deficit carried forward at the end of "
                f"{last} with the savings is above {against}, {as_written(value)}",
                [draws, *inputs],
                _WHERE,
                recipe,
            )
        )
    assumed = str(even.get("assumed_ranges") or "")
    out.append(
        described(
            "withheld: " + ", ".join(assumed.split()) + " assumed" if assumed else "given",
            "uncertainty.odds",
            "Whether the paper gives odds",
            "given where every range that moves the deficit rests on the council's stated "
            "source or on the DfE's history; withheld where any rests on the model's choice "
            "alone (the ranges table's 'assumed in this analysis')",
            every_end,
            _WHERE,
        )
    )
    wider = widening is not None and float(widening) > 1
    for rec in levels.itertuples(index=False):
        for level in ("p10", "p50", "p90"):
            widened = wider and level != "p50"
            out.append(
                described(
                    float(getattr(rec, level)),
                    f"uncertainty.{rec.scenario}.{level}[{rec.year}]",
                    f"{level} of the deficit at the end of {rec.year}",
                    f"the {level[1:]}th percentile, over the simulations, of the deficit carried "
                    f"forward at the end of {rec.year} ({rec.scenario})"
                    + (
                        f", moved from the 50th by {float(widening):.2f} times its distance "  # type: ignore[arg-type]
                        "for the council's track record (track_record.widening)"
                        if widened
                        else ""
                    ),
                    [draws, *inputs, *([widening] if widened else [])],  # type: ignore[list-item]
                    _WHERE,
                    recipe,
                )
            )
    return out


def _break_even(even: Mapping[str, Any], last: str, inputs: Sequence[Traced]) -> list[Traced]:
    """The break-even figures, each with the equation solved and its values."""
    in_year = float(even["final_year_in_year_mitigated"])
    saving = described(
        float(even["extra_saving_needed"]),
        "break_even.extra_saving_needed",
        "Break-even: extra saving needed",
        f"the movement in {last} with the Recovery Plan must reach 0: extra saving = "
        f"max(movement, 0) = max({as_written(in_year)}, 0) = "
        f"{as_written(float(even['extra_saving_needed']))}",
        inputs,
        _WHERE,
    )
    growth = float(even["ehcp_growth"])
    placement = float(even["final_year_placement_costs"])
    years_on, central = int(even["years_after_base"]), float(even["central_ehcp_growth"])
    if not bool(even["ehcp_growth_reachable"]):
        solved = (
            "no EHCP growth rate would do: the placement costs would have to fall below zero, "
            "or the forecast has no year after the cycle's own"
        )
    else:
        solved = (
            f"g = (1 + {_pct(central)}) x (({as_written(placement)} - {as_written(in_year)}) / "
            f"{as_written(placement)})^(1/{years_on}) - 1 = {_pct(growth)}"
        )
    equation = described(
        growth,
        "break_even.ehcp_growth",
        "Break-even: EHCP growth a year",
        f"solved for g so that the movement in {last} with the Recovery Plan is 0, everything "
        f"else as forecast: placement costs x ((1 + g) / (1 + g0))^n = placement costs - "
        f"movement, with placement costs {as_written(placement)}, movement "
        f"{as_written(in_year)}, g0 {_pct(central)} and n {years_on} years after the cycle's "
        f"own: {solved}",
        inputs,
        _WHERE,
    )
    return [saving, equation]
