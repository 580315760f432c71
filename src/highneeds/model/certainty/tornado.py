"""The measures of one assumption at a time, on the printed forecast: the deficit with each
assumption at the ends of its range (the tornado), where the forecast sits in each range,
which ranges rest on the model's choice alone (with any, the paper gives no odds), and what it
would take for the deficit to stop growing (the break-even)."""

from __future__ import annotations

import pandas as pd

from highneeds.model.basis.ranges import SHARES, AssumptionRange
from highneeds.model.certainty.sensitivity import ForecastBase, deficit_paths

#: Where the forecast sits in an assumption's range, by how far its deficit lies from the
#: lowest deficit the range gives towards the highest: the first third, the middle third, the
#: last third; or outside the range (a range from evidence need not hold the forecast's value).
POSITIONS = ("hopeful end", "middle", "cautious end", "below the range", "above the range")


def position_in_range(cfwd_at_low: float, central: float, cfwd_at_high: float) -> str:
    """Where the forecast's deficit ``central`` sits between the deficits at an assumption's
    two ends (:data:`POSITIONS`); "" for an assumption that does not move the deficit."""
    least, most = sorted((cfwd_at_low, cfwd_at_high))
    span = most - least
    if span <= 1e-9 * max(1.0, abs(most)):
        return ""
    share = (central - least) / span
    if share < -1e-9:
        return POSITIONS[3]
    if share > 1 + 1e-9:
        return POSITIONS[4]
    return POSITIONS[0] if share <= 1 / 3 else POSITIONS[2] if share >= 2 / 3 else POSITIONS[1]


def odds_evidence(ranges: list[AssumptionRange], tornado: pd.DataFrame) -> list[str]:
    """The assumptions whose range moves the deficit (drawn, with a swing) but rests on the
    model's choice alone: with any, the paper gives no odds."""
    swing = dict(zip(tornado["assumption"], tornado["swing"], strict=True))
    return [
        r.name for r in ranges if r.drawn and not r.sourced and float(swing.get(r.name, 0.0)) > 1e-9
    ]


#: The tornado's columns (a forecast no assumption moves has none of its rows).
TORNADO_COLUMNS = [
    "assumption",
    "label",
    "kind",
    "low",
    "central",
    "high",
    "cfwd_at_low",
    "cfwd_central",
    "cfwd_at_high",
    "swing",
    "position",
    "basis",
    "source",
    "drawn_how",
    "drawn_with",
    "probability",
    "moves_with",
    "evidence",
    "mode",
]


def tornado(base: ForecastBase, ranges: list[AssumptionRange]) -> pd.DataFrame:
    """The final year's carried-forward deficit (mitigated) with each assumption at its low
    and at its high value, the others central; biggest swing first."""
    central = float(deficit_paths(base, {})[1][0, -1])
    rows = []
    for assumption in ranges:
        at_low = float(deficit_paths(base, {assumption.name: assumption.low})[1][0, -1])
        at_high = float(deficit_paths(base, {assumption.name: assumption.high})[1][0, -1])
        rows.append(
            {
                "assumption": assumption.name,
                "label": assumption.label,
                "kind": "share" if assumption.name in SHARES else "rate",
                "low": assumption.low,
                "central": assumption.central,
                "high": assumption.high,
                "cfwd_at_low": at_low,
                "cfwd_central": central,
                "cfwd_at_high": at_high,
                "swing": abs(at_high - at_low),
                "position": position_in_range(at_low, central, at_high),
                "basis": assumption.basis,
                "source": assumption.source,
                "drawn_how": assumption.drawn_how,
                "drawn_with": assumption.drawn_with,
                "probability": assumption.probability,
                "moves_with": assumption.moves_with,
                "evidence": assumption.evidence,
                "mode": assumption.peak,
            }
        )
    frame = pd.DataFrame(rows, columns=TORNADO_COLUMNS)
    return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def break_even(base: ForecastBase) -> dict[str, float | bool]:
    """What it would take for the mitigated deficit to stop growing in the final year, each
    with the others central: the EHCP growth a year (a fraction; ``ehcp_growth_reachable``
    is false where no growth rate would do) and the extra saving the Recovery Plan would need
    that year (£000; 0 where the deficit already stops growing)."""
    _, mitigated = deficit_paths(base, {})
    in_year = float(
        mitigated[0, -1] - (mitigated[0, -2] if mitigated.shape[1] > 1 else base.opening)
    )
    years_on = int(base.steps[-1])
    placement = float(base.placement_costs[-1])
    # The placement costs that would make the final year's movement zero.
    needed = placement - in_year
    reachable = years_on > 0 and needed > 0 and placement > 0
    growth = (
        (1 + base.ehcp_growth) * (needed / placement) ** (1 / years_on) - 1
        if reachable
        else float("nan")
    )
    return {
        "final_year_in_year_mitigated": in_year,
        "final_year_placement_costs": placement,
        "years_after_base": years_on,
        "central_ehcp_growth": base.ehcp_growth,
        "ehcp_growth": growth,
        "ehcp_growth_reachable": reachable,
        "extra_saving_needed": max(in_year, 0.0),
    }
