"""A placeholder is traced by what it names: the model figure, with subscripts evaluated."""

from __future__ import annotations

import pytest

from highneeds.paper.text.figure_trace import trace_placeholder
from highneeds.paper.text.sandbox import NarrativeSandbox

CONTEXT = {
    "last_year": "2024/25",
    "fig": {"cpi_topup_uplift_per_year": 170.0},
    "unmitigated": type("View", (), {"cfwd": {"2024/25": 3853.0}})(),
    "recovery_plan_impact": {"2024/25": -135.0},
    "break_even": {"ehcp_growth": -0.004},
}


@pytest.mark.parametrize(
    ("expression", "key", "value"),
    [
        ("unmitigated.cfwd[last_year] | gbp_k", "unmitigated.cfwd[2024/25]", 3853.0),
        ('unmitigated.cfwd["2024/25"]', "unmitigated.cfwd[2024/25]", 3853.0),
        ("-recovery_plan_impact[last_year] | gbp_k", "-recovery_plan_impact[2024/25]", -135.0),
        ("fig.cpi_topup_uplift_per_year | gbp_k", "fig.cpi_topup_uplift_per_year", 170.0),
        ("break_even.ehcp_growth_words", "break_even.ehcp_growth", None),
        ("last_year | fy_short", "last_year", "2024/25"),
    ],
)
def test_a_placeholder_names_its_figure(expression: str, key: str, value: object) -> None:
    traced, raw = trace_placeholder(expression, NarrativeSandbox(), CONTEXT)
    assert traced == key
    if value is not None:
        assert raw == value


@pytest.mark.parametrize(
    "expression",
    ["fig.a + fig.b", "3853 | gbp_k", "unmitigated.cfwd[years[0]]", "missing.cfwd", "{{"],
)
def test_what_is_not_one_figure_is_not_traced(expression: str) -> None:
    assert trace_placeholder(expression, NarrativeSandbox(), CONTEXT) == (None, None)
