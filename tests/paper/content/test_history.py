"""The DfE's history in the paper: the table with its attribution, the placeholders, and
what an author is told when the cycle gives no history."""

from __future__ import annotations

import pytest

from highneeds.paper.content.assemble import narrative_context
from highneeds.paper.content.history import ATTRIBUTION, history_table_html
from highneeds.paper.text.narrative import (
    NarrativeError,
    TextRenderer,
    parse_narrative,
    render_sections,
)
from tests.conftest import shipped_model_outputs
from tests.paper.content.test_assemble import table_rows


@pytest.fixture(scope="module")
def outputs(shipped_tables):
    return shipped_model_outputs(shipped_tables)


def _render(text: str, context: dict) -> str:
    story = parse_narrative(f"## Title {{#t}}\n\n{text}\n")
    return "\n".join(render_sections(story, TextRenderer(story, context)))


def test_the_table_gives_the_councils_plans_and_each_growth_with_the_dfes_attribution(
    outputs,
) -> None:
    html = history_table_html(outputs, "9")
    rows = table_rows(html)
    assert rows[0][1:] == ["January 2019", "January 2020", "January 2021"]
    assert rows[1] == ["EHC plans, Rutland", "197", "222", "261"]
    assert rows[2][0] == "Growth in the year, Rutland" and rows[2][2] == "12.7%"
    assert [r[0] for r in rows[3:]] == [
        "Growth in the year, East Midlands",
        "Growth in the year, England",
    ]
    assert f'<p class="table-source">{ATTRIBUTION}</p>' in html


def test_the_placeholders_give_the_history_and_its_words(outputs) -> None:
    context = narrative_context(outputs)
    text = _render(
        "Plans rose to {{ history.plans[2021] | num }}, "
        "{{ history.growth[2021] | pct(1) }} in the year; {{ history.comparison }}.",
        context,
    )
    assert "Plans rose to 261, 17.6% in the year; the forecast assumes" in text
    assert context["history"]["method"]  # the chosen method in words


def test_a_name_from_the_dfes_file_is_escaped_in_the_table(shipped_tables) -> None:
    tables = dict(shipped_tables)
    sen2 = tables["sen2"].copy()
    own = sen2["own"].astype(str).str.lower() == "true"
    sen2.loc[own, "la_name"] = "<img src=x onerror=alert(1)>"
    tables["sen2"] = sen2
    html = history_table_html(shipped_model_outputs(tables), "9")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_without_the_dfes_file_the_author_is_told_what_gives_the_history(shipped_tables) -> None:
    tables = {k: v for k, v in shipped_tables.items() if k != "sen2"}
    outputs = shipped_model_outputs(tables)
    with pytest.raises(KeyError, match="only when the cycle gives sen2_caseload.csv"):
        history_table_html(outputs, "9")
    with pytest.raises(NarrativeError, match="'history' is there only when the cycle gives"):
        _render("{{ history.plans[2021] | num }}", narrative_context(outputs))
    with pytest.raises(NarrativeError, match="'history_growth' is there only when"):
        _render("{{ history_growth.cfwd[last_year] | gbp_k }}", narrative_context(outputs))
