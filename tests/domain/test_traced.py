"""Traced arithmetic: each operation computes the value and records how, so a formula is
written once and its explanation comes from the same code."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.domain.traced import Cell, Traced, cell, described, total
from highneeds.model.basis.lineage import Lineage
from tests.lineage_oracle import assert_every_figure_redoes_and_ends_at_cells


def _cell(value: float, row: int, role: str) -> Traced:
    return cell(value, Cell("t.csv", row, "x", f"{value:g}"), f"{role} (row {row})", role=role)


def test_a_chain_of_sums_is_one_formula_in_the_roles_words() -> None:
    b, t, a, p = (
        _cell(v, i, r)
        for i, (v, r) in enumerate(
            [(2648, "B/Fwd"), (-132, "transfer"), (-5486, "allocation"), (6823, "placement costs")],
            start=2,
        )
    )
    cfwd = (b + t + a + p).named("cfwd", "C/Fwd")
    assert cfwd.value == 3853 and cfwd.rule == "sum" and len(cfwd.parts) == 4
    assert cfwd.written_formula == "B/Fwd + transfer + allocation + placement costs"
    less = (b - t).named("less", "less")
    assert less.written_formula == "B/Fwd - transfer" and less.value == 2780


def test_a_named_figure_stays_a_term_and_naming_it_again_is_a_second_name() -> None:
    x = _cell(3, 2, "x")
    doubled = (x * 2).named("doubled", "x twice")
    again = (doubled + 1).named("again", "plus one")
    assert [part.key for part, _ in again.parts] == ["doubled", "constant:1"]
    alias = doubled.named("alias", "the same figure")
    assert alias.rule == "same" and alias.parts[0][0] is doubled and alias.value == 6


def test_the_lineage_is_what_the_arithmetic_built() -> None:
    plans, growth = _cell(274, 2, "plans"), _cell(5.4, 3, "growth")
    later = (plans * (1 + growth / 100)).named("plans_later", "plans a year on")
    lineage = Lineage()
    lineage.record(later)
    derivation = lineage["plans_later"]
    assert derivation.rule == "product"
    assert [t.key for t in derivation.terms] == ["t.csv!2!x", "plans_later/2"]
    assert lineage["plans_later/2"].formula == "1 + (growth / 100)"
    assert_every_figure_redoes_and_ends_at_cells(lineage)


def test_a_described_step_keeps_its_recipe() -> None:
    x = _cell(1, 2, "x")
    step = described(0.5, "sim", "a simulation", "drawn", [x], recipe=[("seed", "42")])
    lineage = Lineage()
    lineage.record(step)
    assert lineage["sim"].recipe == (("seed", "42"),)
    assert Lineage.from_json(lineage.to_json()).derivations == lineage.derivations


def test_a_total_of_nothing_is_zero_and_of_one_is_itself() -> None:
    assert total([]).value == 0 and total([]).key == "constant:0"
    one = _cell(7, 2, "seven")
    assert total([one]) is one
    with pytest.raises(ValueError, match="unknown rule"):
        Traced(1, "guess")


numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(lambda v: abs(v) > 1e-3)


@settings(max_examples=200, deadline=None)
@given(st.lists(numbers, min_size=2, max_size=6), st.lists(st.sampled_from("+-*/"), min_size=5))
def test_any_arithmetic_gives_pythons_value_and_a_lineage_that_redoes_it(values, operators):
    figures = [_cell(v, i, f"v{i}") for i, v in enumerate(values, start=2)]
    result, plain = figures[0], values[0]
    for figure, value, op in zip(figures[1:], values[1:], operators, strict=False):
        result = {
            "+": result + figure,
            "-": result - figure,
            "*": result * figure,
            "/": result / figure,
        }[op]
        plain = {"+": plain + value, "-": plain - value, "*": plain * value, "/": plain / value}[op]
    assert math.isclose(float(result), plain, rel_tol=1e-12, abs_tol=1e-9)
    lineage = Lineage()
    lineage.record(result.named("result", "the result"))
    assert_every_figure_redoes_and_ends_at_cells(lineage)
