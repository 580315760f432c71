"""Stated figures checked against each other: a figure declared as a sum or difference of
others (figures.csv's ``formula``) is checked within the rounding of the figures stated and
marked calculated; arithmetic typed inside a placeholder is refused, saying how to declare
the figure instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from highneeds.common.errors import InputDataError, NarrativeError
from highneeds.domain.figure_kinds import marked_family
from highneeds.domain.figure_registry import FORMULA_PATTERN
from highneeds.gate.tables.figures import figure_formula_problems, figure_values
from highneeds.gate.tables.tables import read_figures
from highneeds.model.basis.inputs import figure_cells
from highneeds.model.basis.lineage import Lineage
from highneeds.paper.text.narrative import parse_narrative

HEADER = "name,value,unit,description,source,formula\n"
STATED = (
    HEADER
    + "overspend_october,8.3,gbp_m,Overspend forecast in October,para 2.1,\n"
    + "additional_dfe_funding,1.7,gbp_m,Additional DfE funding,para 2.2,\n"
    + "net_overspend,6.6,gbp_m,Net overspend,para 2.3,overspend_october - additional_dfe_funding\n"
)


def _figures(tmp_path: Path, text: str):
    (tmp_path / "figures.csv").write_text(text, encoding="utf-8")
    return read_figures(tmp_path)


def test_a_figure_stated_as_a_difference_is_checked_and_calculated(tmp_path: Path) -> None:
    figures = _figures(tmp_path, STATED)
    assert figure_formula_problems(figures) == []
    values = figure_values(figures)
    assert values["net_overspend"] == pytest.approx(6600.0)  # £m read into £000
    cells = figure_cells(figures, values)
    net = cells["net_overspend"]
    assert float(net) == pytest.approx(6600.0)
    lineage = Lineage()
    lineage.record(net)
    derivations = lineage.as_plain()
    family = marked_family("fig.net_overspend", derivations)
    assert family is not None and family.kind == "calculated"
    assert family.patterns == (FORMULA_PATTERN,)
    # A figure stated as given stays given: no mark.
    lineage.record(cells["overspend_october"])
    derivations = lineage.as_plain()
    assert marked_family("fig.overspend_october", derivations) is None


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("net_overspend,6.6", "net_overspend,6.8"),
            "row 4, column 'value': net_overspend is 6.8 but overspend_october - "
            "additional_dfe_funding gives 6.6",
        ),
        (
            ("- additional_dfe_funding\n", "- extra_funding\n"),
            "'extra_funding' is not another figure of the file",
        ),
        (("- additional_dfe_funding\n", "* 2\n"), "expected names of other figures joined"),
    ],
)
def test_a_formula_that_does_not_hold_is_named(
    tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    problems = figure_formula_problems(_figures(tmp_path, STATED.replace(*edit)))
    assert any(expected in problem for problem in problems), problems


def test_the_rounding_of_the_figures_stated_is_allowed(tmp_path: Path) -> None:
    # 8.34 - 1.74 = 6.60, stated to one decimal each: 8.3 - 1.7 = 6.6 holds.
    assert figure_formula_problems(_figures(tmp_path, STATED)) == []
    text = STATED.replace("6.6,gbp_m", "6.65,gbp_m")
    assert figure_formula_problems(_figures(tmp_path, text)) == []


@pytest.mark.parametrize(
    "placeholder",
    ["{{ (a - b) | gbp_m(2) }}", "{{ a * 2 }}", '{{ "%099999999d" % 1 }}', "{{ a ~ b }}"],
)
def test_arithmetic_inside_a_placeholder_is_refused_with_the_way_out(placeholder: str) -> None:
    text = f"## Context\n\nThe net overspend is {placeholder}.\n"
    with pytest.raises(NarrativeError) as caught:
        parse_narrative(text)
    message = str(caught.value)
    assert "line 3" in message and "is arithmetic" in message
    assert "figures.csv with a formula" in message


def test_a_negated_figure_is_not_arithmetic() -> None:
    parse_narrative("## Context\n\nSaved {{ -recovery_plan_impact[last_year] | gbp_k }}.\n")


def test_arithmetic_in_paper_yaml_is_refused(raw_copy: Path) -> None:
    from highneeds.gate.tables.paper_yaml import read_paper_metadata

    path = raw_copy / "paper.yaml"
    path.write_text(path.read_text().replace("wards: All", "wards: '{{ 1 + 1 }}'"))
    with pytest.raises(InputDataError) as caught:
        read_paper_metadata(path)
    assert any("key 'wards': the placeholder" in p for p in caught.value.problems)
