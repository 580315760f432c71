"""The expectation suites of the tables a council gives about its budget, its business cases,
its figures and its EHC plans, in Great Expectations' own expectation classes: one list for
each table of the catalog (:mod:`highneeds.domain.catalog`), each expectation saying in its
``explain`` what is expected, in the words an author reads beside a failing cell. The
forecast's tables are :mod:`highneeds.gate.checks.forecast_suites`'."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from highneeds.gate.tables import budget
from highneeds.gate.tables.tables import typed_columns


def explained(expectation: Any, explain: str) -> Any:
    """``expectation``, with what it expects in an author's words (its ``meta``)."""
    expectation.meta = {**(expectation.meta or {}), "explain": explain}
    return expectation


def listed(items: tuple[str, ...]) -> str:
    return ", ".join(items)


def table_suites(gxe: ModuleType) -> dict[str, list[Any]]:
    """Each of these tables' expectations (``gxe``: ``great_expectations.expectations``)."""
    return {
        "budget": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=list(budget.COLUMNS),
                    exact_match=True,
                ),
                "the columns row, line, label, role, year, amount and written",
            ),
            explained(
                gxe.ExpectColumnValuesToMatchRegex(column="year", regex="^\\d{4}/\\d{2}$"),
                "a financial year written like 2021/22",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(
                    column="role",
                    value_set=["opening", "funding", "spending", "movement", "closing", "saving"],
                ),
                "a role for every line: opening, funding, spending, movement, closing or saving",
            ),
            explained(
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["line", "year"]),
                "each line once for each year",
            ),
            explained(
                gxe.ExpectColumnValuesToNotBeNull(
                    column="amount",
                    row_condition='role not in ["opening", "closing", "saving"]',
                    condition_parser="pandas",
                ),
                (
                    "an amount for every year (only the saving line, and the opening and closing "
                    "balances the model derives after the first year, may be blank)"
                ),
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(
                    column="amount",
                    max_value=0,
                    row_condition='role=="funding"',
                    condition_parser="pandas",
                ),
                (
                    "each funding line to be income: in brackets where a deficit is written "
                    "positive (positive where the table declares deficit: negative)"
                ),
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(
                    column="amount",
                    min_value=0,
                    row_condition='role=="spending"',
                    condition_parser="pandas",
                ),
                (
                    "each spending line to be a cost: positive where a deficit is written "
                    "positive (in brackets where the table declares deficit: negative)"
                ),
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(
                    column="amount",
                    max_value=0,
                    row_condition='role=="saving"',
                    condition_parser="pandas",
                ),
                (
                    "the saving line to be a saving: in brackets where a deficit is written "
                    "positive (positive where the table declares deficit: negative)"
                ),
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(
                    column="amount", min_value=-5000000, max_value=5000000
                ),
                "an amount between -£5bn and £5bn (is the table's unit declared in sources.yaml?)",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInTypeList(
                    column="amount", type_list=["float64", "Float64"]
                ),
                "amounts to be numbers (£000)",
            ),
        ],
        "ehcp_demand": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=typed_columns("ehcp_demand"), exact_match=True
                ),
                "the columns measure, count, since and description",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(
                    column="measure",
                    value_set=["plans_at_start", "new_plans_to_date", "requests_for_assessment"],
                ),
                "one of plans_at_start, new_plans_to_date, requests_for_assessment",
            ),
            explained(gxe.ExpectColumnValuesToBeUnique(column="measure"), "each measure once"),
            explained(
                gxe.ExpectColumnValuesToBeBetween(column="count", min_value=0, max_value=100000),
                "a count of plans between 0 and 100,000",
            ),
            explained(gxe.ExpectColumnValuesToNotBeNull(column="since"), "a date"),
            explained(
                gxe.ExpectColumnValuesToBeBetween(
                    column="count",
                    min_value=1,
                    row_condition='measure=="plans_at_start"',
                    condition_parser="pandas",
                ),
                "a plans-in-place count above zero (growth is a share of it)",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInTypeList(column="count", type_list=["int64", "Int64"]),
                "whole-number counts",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInTypeList(
                    column="since",
                    type_list=[
                        "datetime64[s]",
                        "datetime64[ms]",
                        "datetime64[us]",
                        "datetime64[ns]",
                    ],
                ),
                "dates",
            ),
        ],
        "placement_costs": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=typed_columns("placement_costs"),
                    exact_match=True,
                ),
                (
                    "the columns placement_type, annual_cost_per_place and basis (and, "
                    "optionally, balances)"
                ),
            ),
            explained(
                gxe.ExpectColumnValuesToBeUnique(column="placement_type"),
                "each placement type once",
            ),
            explained(
                gxe.ExpectColumnValueLengthsToBeBetween(column="placement_type", min_value=1),
                "a placement type",
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(
                    column="annual_cost_per_place", min_value=0, max_value=500
                ),
                "an annual cost per place in £000 between 0 and 500",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInTypeList(
                    column="annual_cost_per_place", type_list=["float64", "Float64"]
                ),
                "costs to be numbers (£000)",
            ),
        ],
        "interventions": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=typed_columns("interventions"),
                    exact_match=True,
                ),
                "the columns intervention_id, placement_type and places_avoided",
            ),
            explained(
                gxe.ExpectCompoundColumnsToBeUnique(
                    column_list=["intervention_id", "placement_type"]
                ),
                "each placement type once per intervention",
            ),
            explained(
                gxe.ExpectColumnValuesToMatchRegex(column="intervention_id", regex="^[a-z0-9_-]+$"),
                "an intervention id of lower-case letters, digits, - or _",
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(
                    column="places_avoided", min_value=0, max_value=1000
                ),
                "places avoided between 0 and 1,000",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInTypeList(
                    column="places_avoided", type_list=["int64", "Int64"]
                ),
                "whole numbers of places",
            ),
        ],
        "business_cases": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=typed_columns("business_cases"),
                    exact_match=True,
                ),
                "the columns intervention_id, intervention and business_case_saving",
            ),
            explained(
                gxe.ExpectColumnValuesToBeUnique(column="intervention_id"), "each intervention once"
            ),
            explained(
                gxe.ExpectColumnValueLengthsToBeBetween(column="intervention", min_value=1),
                "the intervention's name",
            ),
            explained(
                gxe.ExpectColumnValuesToBeBetween(
                    column="business_case_saving", min_value=0, max_value=10000
                ),
                "a business case saving in £000 between 0 and 10,000",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInTypeList(
                    column="business_case_saving", type_list=["float64", "Float64"]
                ),
                "savings to be numbers (£000)",
            ),
        ],
        "figures": [
            explained(
                gxe.ExpectTableColumnsToMatchSet(
                    column_set=typed_columns("figures"),
                    exact_match=True,
                ),
                (
                    "the columns name, value, unit, description and source (formula and "
                    "dfe_return optional)"
                ),
            ),
            explained(gxe.ExpectColumnValuesToBeUnique(column="name"), "each figure name once"),
            explained(
                gxe.ExpectColumnValuesToMatchRegex(column="name", regex="^[a-z][a-z0-9_]*$"),
                "a figure name of lower-case letters, digits and _",
            ),
            explained(
                gxe.ExpectColumnValuesToBeInSet(
                    column="unit",
                    value_set=[
                        "gbp_000",
                        "gbp",
                        "gbp_m",
                        "percent",
                        "count",
                        "years",
                        "year",
                        "financial_year",
                    ],
                ),
                "a unit: gbp_000, percent, count, years, year or financial_year",
            ),
            explained(
                gxe.ExpectColumnValuesToMatchRegex(
                    column="value",
                    regex="^\\d{4}/\\d{2}$",
                    row_condition='unit=="financial_year"',
                    condition_parser="pandas",
                ),
                "a financial year written like 2022/23",
            ),
            explained(
                gxe.ExpectColumnValueLengthsToBeBetween(column="source", min_value=1),
                "a source in the paper or elsewhere for every figure",
            ),
            explained(
                gxe.ExpectColumnValuesToMatchRegex(
                    column="formula",
                    regex="^$|^\\s*[a-z][a-z0-9_]*(?:\\s*[-+]\\s*[a-z][a-z0-9_]*)*\\s*$",
                ),
                (
                    "blank, or a sum or difference of other figures' names, such as "
                    "overspend_october - additional_dfe_funding"
                ),
            ),
            explained(
                gxe.ExpectColumnValuesToMatchRegex(
                    column="dfe_return", regex="^(?:whole_dsg_cfwd [0-9]{4}/[0-9]{2})?$"
                ),
                (
                    "blank, or the DfE return's line the figure is: whole_dsg_cfwd and a "
                    "financial year, such as whole_dsg_cfwd 2021/22"
                ),
            ),
        ],
    }
