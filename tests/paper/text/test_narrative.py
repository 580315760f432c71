from __future__ import annotations

import pytest

from highneeds.common.errors import NarrativeError
from highneeds.paper.text.narrative import (
    TextRenderer,
    find_typed_figures,
    parse_narrative,
    render_sections,
)

TEXT = """\
<!-- a comment
over two lines -->
## Purpose {#purpose}

{#vision} The vision.

## Context {#context}

{#funding} Funding is {{ fig.amount | gbp_k }}; see para {{ ref("later") }}.

- a list that belongs to 2.1

Unlabelled paragraph, still numbered.

### A sub-heading

{#later} Back to {{ ref("purpose") }} and {{ ref("funding", "later") }}.
"""


def test_sections_and_paragraphs_are_numbered_from_structure() -> None:
    story = parse_narrative(TEXT)
    assert [s.number for s in story.sections] == [1, 2]
    assert story.labels == {
        "purpose": "1",
        "vision": "1.1",
        "context": "2",
        "funding": "2.1",
        "later": "2.3",
    }
    kinds = [b.kind for b in story.sections[1].blocks]
    assert kinds == ["paragraph", "list", "paragraph", "subheading", "paragraph"]
    assert story.sections[1].blocks[0].line == 9


def test_cross_references_resolve_to_numbers_with_links() -> None:
    story = parse_narrative(TEXT)
    html = "\n".join(render_sections(story, TextRenderer(story, {"fig": {"amount": 822}})))
    assert 'Funding is £822k; see para <a class="xref" href="#para-2-3">2.3</a>' in html
    assert '<a class="xref" href="#sec-1">1</a>' in html
    assert '#para-2-1">2.1</a> – <a class="xref" href="#para-2-3">2.3</a>' in html
    assert '<div class="para" id="para-2-2"><span class="para-number">2.2</span>' in html


def test_reference_to_missing_label_stops_the_render_naming_it() -> None:
    story = parse_narrative(TEXT.replace('ref("later")', 'ref("latre")'))
    with pytest.raises(NarrativeError) as caught:
        render_sections(story, TextRenderer(story, {"fig": {"amount": 822}}))
    message = str(caught.value)
    assert "narrative.md line 9: cross-reference to unknown label 'latre'" in message
    assert "did you mean 'later'" in message


def test_undefined_placeholder_names_the_line_and_where_figures_come_from() -> None:
    story = parse_narrative(TEXT)
    with pytest.raises(NarrativeError) as caught:
        render_sections(story, TextRenderer(story, {"fig": {"amount_due": 1, "total": 2}}))
    assert str(caught.value) == (
        "narrative.md line 9: unknown 'amount' under fig (its names come from figures.csv "
        "(its 'name' column)); did you mean amount_due? (in {{ fig.amount | gbp_k }})"
    )


@pytest.mark.parametrize(
    ("placeholder", "message"),
    [
        (
            "{{ fig.dsg_deficit_projectd_march_2022 }}",
            "unknown 'dsg_deficit_projectd_march_2022' under fig (its names come from "
            "figures.csv (its 'name' column)); did you mean dsg_deficit_projected_march_2022?",
        ),
        (
            '{{ unmitigated.cfwd["2038/39"] }}',
            "unmitigated.cfwd has no year '2038/39': the years of the budget table are "
            "2020/21, 2021/22, 2022/23, 2023/24, 2024/25",
        ),
        ("{{ mitigatd.cfwd[last_year] }}", "unknown name 'mitigatd'; did you mean mitigated"),
        ("{{ mitigated.cfwdd[last_year] }}", "unknown 'cfwdd' under mitigated; did you mean cfwd?"),
    ],
)
def test_an_unknown_name_or_year_is_told_in_the_authors_words(
    shipped_tables, placeholder: str, message: str
) -> None:
    from highneeds.paper.content.assemble import narrative_context
    from tests.conftest import shipped_model_outputs

    context = narrative_context(shipped_model_outputs(shipped_tables))
    story = parse_narrative(f"## Title {{#t}}\n\nText {placeholder}.\n")
    with pytest.raises(NarrativeError) as caught:
        render_sections(story, TextRenderer(story, context))
    text = str(caught.value)
    assert message in text
    assert "object" not in text and "_ByYear" not in text and "highneeds" not in text


def test_repeated_label_is_refused() -> None:
    with pytest.raises(
        NarrativeError, match="line 17: the label 'funding' is already used on line 9"
    ):
        parse_narrative(TEXT.replace("{#later}", "{#funding}"))


def test_figures_typed_into_prose_are_refused() -> None:
    with pytest.raises(NarrativeError, match="line 5: '£822k'"):
        parse_narrative(TEXT.replace("The vision.", "The deficit is £822k."))


def test_typed_figure_detection_ignores_placeholders_and_comments() -> None:
    assert find_typed_figures("{{ x | pct }} and <!-- £5 --> 12% and £1.2m") == [
        (1, "12%"),
        (1, "£1.2m"),
    ]


def test_text_before_first_section_is_refused() -> None:
    with pytest.raises(NarrativeError, match="line 1: text before the first section"):
        parse_narrative("Orphan paragraph.\n\n## Section\n")


def test_shipped_narrative_has_the_reference_structure(shipped_raw) -> None:
    story = parse_narrative((shipped_raw / "narrative.md").read_text(encoding="utf-8"))
    assert len(story.sections) == 16
    counts = [sum(b.kind == "paragraph" for b in s.blocks) for s in story.sections]
    # The reference's sections 1-16; section 7 adds 7.13 (the demand forecast and what it
    # would be if all requests convert), 7.14 (the scenario comparison), 7.15-7.17 (how
    # certain the forecast is: sensitivity, break-even, uncertainty) and 7.18 (the DfE's
    # history of the council's EHC plans beside the forecast's growth).
    assert counts == [1, 12, 1, 4, 11, 2, 18, 1, 1, 1, 2, 1, 1, 1, 1, 1]
    assert story.labels["ehcp-history"] == "7.18"
    assert story.labels["demand-scenario"] == "7.13"
    assert story.labels["financial"] == "7"
    assert story.labels["eip-panel"] == "5.5"
