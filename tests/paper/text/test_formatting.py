from __future__ import annotations

from datetime import date

import pytest

from highneeds.paper.text import formatting as f


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1028, "1,028"),
        (-4224, "(4,224)"),
        (0, "0"),
        (float("nan"), ""),
        (None, ""),
        (-0.4, "0"),
        (2.5, "3"),
    ],
)
def test_table_amount(value, text) -> None:
    assert f.table_amount(value) == text


def test_prose_money() -> None:
    assert f.gbp_k(822) == "£822k"
    assert f.gbp_k(3853) == "£3,853k"
    assert f.gbp_m(1028) == "£1.028m"
    assert f.gbp_m(1028, 0) == "£1m"


def test_round_to_is_half_up() -> None:
    assert f.round_to(453, 100) == 500
    assert f.round_to(450, 100) == 500
    assert f.round_to(449, 100) == 400


def test_percentages() -> None:
    assert f.pct(14 / 260, 1) == "5.4%"
    assert f.pct(32 / 260, 0) == "12%"
    assert f.pct_points(0.5) == "0.5%"


def test_years_and_dates() -> None:
    assert f.fy_short("2024/25") == "24/25"
    assert f.fy_start_month("2022/23") == "April 2022"
    assert f.long_date(date(2021, 4, 1)) == "1 April 2021"


@pytest.mark.parametrize(
    ("function", "value", "printed"),
    [
        (f.gbp_k, -0.4, "£0k"),
        (f.gbp_m, -0.4, "£0.000m"),
        (f.num, -0.4, "0"),
        (f.pct, -0.0001, "0.0%"),
        (f.table_amount, -0.4, "0"),
        (f.gbp_k, -0.5, "-£1k"),
        (f.gbp_k, -126, "-£126k"),
        (f.gbp_m, -1500, "-£1.500m"),
    ],
)
def test_a_value_that_rounds_to_zero_has_no_minus_sign(function, value, printed) -> None:
    assert function(value) == printed
