"""The expectation suites of the forecast's tables (its drivers: placements by category, the
forecast's assumptions, places avoided, the assumptions' ranges; the council's scenarios, the
DfE's EHC plans and earlier papers' forecasts) and the DfE return's own (the other DSG blocks,
EHC plans by age band), in Great Expectations' own expectation classes, each list named by its
table in the catalog (:mod:`highneeds.domain.catalog`)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from highneeds.domain.categories import AGE_BANDS, CATEGORY_IDS, OTHER_DSG_BLOCKS
from highneeds.gate.checks.suites import explained, listed
from highneeds.gate.tables import scenarios, tables
from highneeds.gate.tables.tables import typed_columns

DSG_BLOCK_IDS = tuple(OTHER_DSG_BLOCKS)
AGE_BAND_IDS = tuple(AGE_BANDS)


def forecast_suites(gxe: ModuleType) -> dict[str, list[Any]]:
    """Each of these tables' expectations (``gxe``: ``great_expectations.expectations``)."""
    return {
        "placements_by_category": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=typed_columns("placements_by_category"),
                    exact_match=True,
                ),
                "the columns category, year, plans and cost_per_plan",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(column="category", value_set=[*CATEGORY_IDS]),
                f"a DfE placement category id: {listed(CATEGORY_IDS)}",
            ),
            explained(
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["category", "year"]),
                "each category once per year",
            ),
            explained(
                gxe.ExpectColumnValuesToMatchRegex(column="year", regex="^\\d{4}/\\d{2}$"),
                "a financial year written like 2021/22",
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(column="plans", min_value=0, max_value=100000),
                "EHCPs between 0 and 100,000",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInTypeList(column="plans", type_list=["int64", "Int64"]),
                "whole numbers of EHCPs",
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(
                    column="cost_per_plan", min_value=0, max_value=500
                ),
                "an average annual cost per EHCP in £000 between 0 and 500",
            ),
        ],
        "forecast_assumptions": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=typed_columns("forecast_assumptions"), exact_match=True
                ),
                "the columns year, assumption, category and value",
            ),
            explained(
                gxe.ExpectColumnValuesToMatchRegex(column="year", regex="^\\d{4}/\\d{2}$"),
                "a financial year written like 2022/23",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(
                    column="assumption",
                    value_set=[
                        "ehcp_growth",
                        "cost_per_plan_growth",
                        "allocation",
                        "allocation_growth",
                        "transfer",
                        "transfer_growth",
                    ],
                ),
                (
                    "an assumption: ehcp_growth, cost_per_plan_growth (percent, for every "
                    "category or one); allocation, transfer (£000); allocation_growth, "
                    "transfer_growth (percent)"
                ),
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(column="category", value_set=["", *CATEGORY_IDS]),
                f"a blank (every category) or a DfE placement category id: {listed(CATEGORY_IDS)}",
            ),
            explained(
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["year", "assumption", "category"]),
                "each assumption once per year and category",
            ),
            explained(gxe.ExpectColumnValuesToNotBeNull(column="value"), "a value"),
            explained(
                gxe.ExpectColumnValuesToBeBetween(
                    column="value", min_value=-100000, max_value=100000
                ),
                "a value between -100,000 and 100,000",
            ),
        ],
        "intervention_places": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=typed_columns("intervention_places"),
                    exact_match=True,
                ),
                "the columns intervention_id, from_category, to_category, places and start_year",
            ),
            explained(
                gxe.ExpectColumnValuesToMatchRegex(column="intervention_id", regex="^[a-z0-9_-]+$"),
                "an intervention id of lower-case letters, digits, - or _",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(column="from_category", value_set=[*CATEGORY_IDS]),
                f"a DfE placement category id: {listed(CATEGORY_IDS)}",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(
                    column="to_category", value_set=["", *CATEGORY_IDS]
                ),
                f"a blank (places avoided) or a DfE placement category id: {listed(CATEGORY_IDS)}",
            ),
            explained(
                gxe.ExpectCompoundColumnsToBeUnique(
                    column_list=["intervention_id", "from_category", "to_category"]
                ),
                "each move once per intervention",
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(column="places", min_value=0, max_value=1000),
                "places between 0 and 1,000",
            ),
            explained(
                gxe.ExpectColumnValuesToMatchRegex(column="start_year", regex="^\\d{4}/\\d{2}$"),
                "a financial year written like 2022/23",
            ),
        ],
        "assumption_ranges": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=["row", *tables.RANGE_COLUMNS, *tables.RANGE_OPTIONAL],
                    exact_match=True,
                ),
                (
                    "the columns assumption, low, high and source (distribution, probability and "
                    "moves_with may be added)"
                ),
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(
                    column="assumption",
                    value_set=[
                        "ehcp_growth",
                        "cost_per_plan_growth",
                        "allocation_growth",
                        "schools_block_transfer",
                        "recovery_plan_delivery",
                    ],
                ),
                (
                    "an assumption: ehcp_growth, cost_per_plan_growth, allocation_growth, "
                    "schools_block_transfer, recovery_plan_delivery"
                ),
            ),
            explained(
                gxe.ExpectColumnValuesToBeUnique(column="assumption"), "each assumption once"
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(column="low", min_value=-100, max_value=1000),
                "a low value in percent between -100 and 1,000",
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(column="high", min_value=-100, max_value=1000),
                "a high value in percent between -100 and 1,000",
            ),
            explained(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="high", column_B="low", or_equal=True
                ),
                "a high value at least the low value",
            ),
            explained(
                gxe.ExpectColumnValueLengthsToBeBetween(column="source", min_value=1),
                (
                    "a source for every range: where it comes from (the council's EHCP history, "
                    "a published inflation or funding forecast, an announced allocation)"
                ),
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(
                    column="distribution", value_set=["triangular", "either", "fixed"]
                ),
                (
                    "a distribution: triangular (the default), either (one end or the other) or "
                    "fixed (no range)"
                ),
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(column="probability", min_value=0, max_value=100),
                "a probability in percent from 0 to 100",
            ),
        ],
        "dsg_blocks": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=typed_columns("dsg_blocks"),
                    exact_match=True,
                ),
                "the columns block, year, bfwd, funding and spend",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(column="block", value_set=[*DSG_BLOCK_IDS]),
                f"a DSG block besides High Needs: {listed(DSG_BLOCK_IDS)}",
            ),
            explained(
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["block", "year"]),
                "each block once a year",
            ),
            explained(
                gxe.ExpectColumnValuesToNotBeNull(column="funding"),
                "the block's funding (£000) for every year",
            ),
            explained(
                gxe.ExpectColumnValuesToNotBeNull(column="spend"),
                "the block's spending (£000) for every year",
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(
                    column="funding", min_value=0, max_value=10000000
                ),
                "funding in £000, not negative, under £10bn",
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(column="spend", min_value=0, max_value=10000000),
                "spending in £000, not negative, under £10bn",
            ),
        ],
        "ehcps_by_age": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=typed_columns("ehcps_by_age"), exact_match=True
                ),
                "the columns age_band, year and plans",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(column="age_band", value_set=[*AGE_BAND_IDS]),
                f"an SEN2 age band: {listed(AGE_BAND_IDS)}",
            ),
            explained(
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["age_band", "year"]),
                "each age band once a year",
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(column="plans", min_value=0, max_value=1000000),
                "a count of EHCPs, not negative",
            ),
        ],
        "declared_scenarios": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=list(scenarios.COLUMNS),
                    exact_match=True,
                ),
                (
                    "the columns scenario, label, line, year, change and status (role, repeat, "
                    "on, source and builds_on optional)"
                ),
            ),
            explained(
                gxe.ExpectColumnValuesToMatchRegex(column="year", regex="^\\d{4}/\\d{2}$"),
                "a financial year written like 2022/23",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(
                    column="status",
                    value_set=["agreed", "proposed", "refused", "awaiting decision"],
                ),
                "a status: agreed, proposed, refused or awaiting decision",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(
                    column="on", value_set=["with_savings", "without_savings"]
                ),
                "with_savings or without_savings",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(column="repeat", value_set=["each year", "once"]),
                "each year or once",
            ),
            explained(
                gxe.ExpectColumnValuesToNotBeNull(column="change"), "an amount for each change"
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(
                    column="change", min_value=-5000000, max_value=5000000
                ),
                "a change between -£5bn and £5bn",
            ),
        ],
        "sen2": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=[
                        "row",
                        "january",
                        "level",
                        "la",
                        "la_name",
                        "region",
                        "plans",
                        "own",
                    ],
                    exact_match=True,
                ),
                (
                    "the DfE's caseload columns time_period, geographic_level, old_la_code, "
                    "la_name, region_name and ehcplans"
                ),
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(
                    column="level", value_set=["National", "Regional", "Local authority"]
                ),
                "a geographic level the DfE publishes: National, Regional or Local authority",
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(column="january", min_value=2010, max_value=2100),
                "a January the DfE has published",
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(column="plans", min_value=0, max_value=10000000),
                "a number of EHC plans (0 or more)",
            ),
            explained(
                gxe.ExpectCompoundColumnsToBeUnique(
                    column_list=["january", "level", "la", "region"]
                ),
                "each council, region and England once a January",
            ),
        ],
        "earlier_forecasts": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=typed_columns("earlier_forecasts"),
                    exact_match=True,
                ),
                "the columns paper, figure, year, forecast and source",
            ),
            explained(
                gxe.ExpectColumnValuesToMatchRegex(
                    column="paper", regex="^[0-9]{4}-(0[1-9]|1[0-2])$"
                ),
                "the cycle of the earlier paper, written like 2022-01",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(
                    column="figure", value_set=["unmitigated", "mitigated"]
                ),
                "unmitigated (no interventions) or mitigated (with the Recovery Plan)",
            ),
            explained(
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["paper", "figure", "year"]),
                "each paper's forecast of a figure once a year",
            ),
            explained(
                gxe.ExpectColumnValuesToNotBeNull(column="forecast"),
                "the forecast, £000, a deficit positive",
            ),
            explained(
                gxe.ExpectColumnValuesToNotBeNull(column="source"),
                "where the forecast was printed (the paper, its table or paragraph)",
            ),
        ],
    }
