from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from highneeds.common.errors import NarrativeError
from highneeds.gate.tables.paper_yaml import read_paper_metadata
from highneeds.paper.content.assemble import ModelOutputs, build_paper
from highneeds.paper.text.narrative import parse_narrative
from tests import reference as ref
from tests.conftest import shipped_model_outputs, without_note_marks


@pytest.fixture(scope="module")
def outputs(shipped_tables) -> ModelOutputs:
    return shipped_model_outputs(shipped_tables)


@pytest.fixture(scope="module")
def meta(shipped_raw: Path) -> dict:
    return read_paper_metadata(shipped_raw / "paper.yaml")


@pytest.fixture(scope="module")
def narrative_text(shipped_raw: Path) -> str:
    return (shipped_raw / "narrative.md").read_text(encoding="utf-8")


class _Rows(HTMLParser):
    """Collect the text of each table row's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


def test_para_7_3_table_is_reproduced_cell_for_cell(meta, narrative_text, outputs) -> None:
    parts = build_paper(meta, parse_narrative(narrative_text), outputs)
    section_7 = parts.sections[6]
    table = section_7[section_7.index('id="table-1"') : section_7.index("</table>")]
    rows = table_rows(table)
    assert rows[0][1:] == ref.YEARS
    body = rows[2:]
    for (label, figures), row in zip(ref.PARA_7_3, body, strict=False):
        assert row == [label, *figures]
    assert body[5] == [ref.RECOVERY_PLAN_IMPACT[0], *ref.RECOVERY_PLAN_IMPACT[1]]
    assert body[6][1:] == ["575", "1,028", "1,701", "2,522", "3,592"]


def test_prose_figures_come_from_the_data(meta, narrative_text, outputs) -> None:
    html = "\n".join(build_paper(meta, parse_narrative(narrative_text), outputs).sections)
    text = re.sub(r"<[^>]+>", "", without_note_marks(html))
    for phrase in [
        "in the region of £822k",
        "projected to be about £1m",
        "growing by c£500k per annum",
        "commit £357k over a 5-year plan",
        "current deficit (£1.028m)",
        "a saving of £135k by 24/25",
        "increased by 14 (5.4%)",
        "a 12% increase in demand",
        "additional c£170k being added",
        "applied from April 2022",
        "circa £75k yearly",
        "Over 100 children",
        "On 1 April 2021 there were 260",
    ]:
        assert phrase in text, phrase
    assert "{{" not in html and "{#" not in html


def test_cross_references_point_at_the_right_paragraphs(meta, narrative_text, outputs) -> None:
    html = "\n".join(build_paper(meta, parse_narrative(narrative_text), outputs).sections)
    text = re.sub(r"<[^>]+>", "", html)
    assert "can be found in Section 7 (Financial Implications)" in text
    assert "(paras 4.3 and 5.5)" in text
    assert "Nurture Provision (paras 4.1 – 4.4)" in text
    assert "see paras 5.5 – 5.7" in text


def test_business_cases_table_states_places_and_savings(meta, narrative_text, outputs) -> None:
    parts = build_paper(meta, parse_narrative(narrative_text), outputs)
    table = parts.sections[6].split('id="table-2"')[1].split("</table>")[0]
    rows = table_rows(without_note_marks(table))
    assert rows[1][1] == (
        "Assumes 1 independent special school place and 2 maintained "
        "special school places avoided (£113k)"
    )
    assert rows[2][1].endswith("(£279k)")
    # Last, the cases together against what the Recovery Plan Impact line counts.
    assert rows[3][:2] == [
        "All interventions",
        "Together £392k a year; the Recovery Plan Impact line counts £135k in 2024/25, £257k less",
    ]
    # Without the notebooks' lineage nothing is known to be derived: no marks.
    assert 'class="figure-note-mark"' not in table
    assert "designed to support 6 children and has supported 16" in rows[1][2]


def test_broken_cross_reference_fails_the_render(meta, narrative_text, outputs) -> None:
    broken = narrative_text.replace('ref("eip-panel")', 'ref("eip-pannel")')
    with pytest.raises(NarrativeError, match="cross-reference to unknown label 'eip-pannel'"):
        build_paper(meta, parse_narrative(broken), outputs)


def test_broken_cross_reference_in_paper_yaml_fails_the_render(
    narrative_text, outputs, meta
) -> None:
    bad = {
        **meta,
        "business_cases": {
            **meta["business_cases"],
            "eip": {**meta["business_cases"]["eip"], "current_position": '{{ ref("para-3-5") }}'},
        },
    }
    with pytest.raises(
        NarrativeError,
        match="paper.yaml \\(business_cases: eip: "
        "current_position\\): cross-reference to unknown label 'para-3-5'",
    ):
        build_paper(bad, parse_narrative(narrative_text), outputs)


def test_header_block_and_chart_alternative(meta, narrative_text, outputs) -> None:
    parts = build_paper(meta, parse_narrative(narrative_text), outputs)
    assert "Forward Plan Reference:</th><td>011021" in parts.header
    assert "dgodfrey@rutland.gov.uk" in parts.header
    chart = parts.sections[6][parts.sections[6].index("<figure") :]
    assert (
        "no interventions (unmitigated), from £575k to £3,853k; with the recovery plan "
        "(mitigated), from £575k to £3,592k"
    ) in chart


def test_charts_are_drawn_for_word_and_large_print_only_if_asked(
    meta, narrative_text, outputs
) -> None:
    story = parse_narrative(narrative_text)
    every = build_paper(meta, story, outputs)
    screen = build_paper(meta, story, outputs, word_charts=False, large_print_charts=False)
    assert sorted(every.chart_pngs) == ["figure-1", "figure-2", "figure-3"]
    assert all(png.startswith(b"\x89PNG") for png in every.chart_pngs.values())
    assert screen.chart_pngs == {}
    html, screen_html = "\n".join(every.sections), "\n".join(screen.sections)
    assert html.count('class="chart-large-print"') == 3
    assert 'class="chart-large-print"' not in screen_html
    assert screen_html.count('class="chart-standard"') == html.count('class="chart-standard"') == 3
