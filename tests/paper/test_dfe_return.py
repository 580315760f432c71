"""The DfE management plan return: the template's seven categories, totals from the model,
and no split the cycle does not give."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from highneeds.categories import ALL_PLACEMENTS_LABEL as ALL_PLACEMENTS
from highneeds.categories import DFE_CATEGORIES
from highneeds.model.deficit import SCENARIO_LABELS
from highneeds.paper.dfe_return import write_dfe_return
from tests.conftest import shipped_model_outputs

CREATED = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)


def rows(path: Path, sheet: str) -> list[tuple]:
    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


def test_every_category_is_listed_and_only_the_total_is_filled(
    shipped_tables, tmp_path: Path
) -> None:
    outputs = shipped_model_outputs(shipped_tables)
    target = tmp_path / "return.xlsx"
    write_dfe_return(target, outputs.scenarios, SCENARIO_LABELS, outputs.demand, CREATED)
    plans = rows(target, "EHCPs and costs")
    assert plans[0][:6] == (
        "Placement category",
        "Measure",
        "2021/22",
        "2022/23",
        "2023/24",
        "2024/25",
    )
    categories = [r for r in plans[1:] if r[0] in DFE_CATEGORIES.values()]
    assert {r[0] for r in categories} == set(DFE_CATEGORIES.values()) and len(categories) == 14
    assert all(value is None for r in categories for value in r[2:6])
    totals = {r[1]: r[2:6] for r in plans if r[0] == ALL_PLACEMENTS}
    assert totals["Number of EHCPs"][0] == 274
    assert totals["Cost (£000)"] == (5164, 5814, 6271, 6823)
    balance = {(r[0], r[1]): r[2:] for r in rows(target, "High Needs balance")[1:]}
    assert balance[(SCENARIO_LABELS["unmitigated"], "Cumulative C/Fwd")][-1] == 3853
    assert balance[(SCENARIO_LABELS["mitigated"], "Cumulative C/Fwd")][-1] == 3592
    assert round(balance[(SCENARIO_LABELS["all_requests_convert"], "Cumulative C/Fwd")][-1]) == 5095


def test_a_cycle_without_a_demand_forecast_says_so(shipped_tables, tmp_path: Path) -> None:
    outputs = shipped_model_outputs(shipped_tables)
    target = tmp_path / "return.xlsx"
    write_dfe_return(target, outputs.scenarios, SCENARIO_LABELS, None, CREATED)
    (total,) = [r for r in rows(target, "EHCPs and costs") if r[0] == ALL_PLACEMENTS]
    assert total[2] == "the cycle gives no EHCP forecast"


def test_the_same_inputs_give_the_same_bytes(shipped_tables, tmp_path: Path) -> None:
    import time

    from highneeds.paper.render import fix_zip_dates

    outputs = shipped_model_outputs(shipped_tables)
    written = []
    for name in ("first.xlsx", "second.xlsx"):
        write_dfe_return(
            tmp_path / name, outputs.scenarios, SCENARIO_LABELS, outputs.demand, CREATED
        )
        fix_zip_dates(tmp_path / name, int(CREATED.timestamp()))
        written.append((tmp_path / name).read_bytes())
        time.sleep(1.1)  # a clock in the file would now differ
    assert written[0] == written[1]
