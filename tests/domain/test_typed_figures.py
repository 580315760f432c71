"""Placeholders, comments and typed figures are found in linear time, with the same results
as the lazy patterns they replace (which rescanned the rest of a text from every opener)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.domain.typed_figures import (
    PLACEHOLDER_DELIMITERS,
    delimited,
    find_typed_figures,
    strip_comments,
)

PIECES = ["{{", "}}", "{%", "%}", "<!--", "-->", "a", " ", "\n", "£5", "5%", "1,2", ".", "{", "}"]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(texts)
def test_spans_are_the_lazy_patterns_spans(text: str) -> None:
    placeholder = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
    comment = re.compile(r"<!--.*?-->", re.DOTALL)
    assert list(delimited(text, PLACEHOLDER_DELIMITERS)) == [
        m.span() for m in placeholder.finditer(text)
    ]
    assert strip_comments(text) == comment.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def test_texts_built_to_be_slow_are_read_once() -> None:
    """40 KB of '{{' took 34 s with the lazy pattern; each of these is one linear scan."""
    assert find_typed_figures("{{" * 20_000) == []
    assert strip_comments("<!--" * 25_000) == "<!--" * 25_000
    assert find_typed_figures("1," * 50_000) == []
    assert find_typed_figures("Costs rose 12% to £5.2m {{ fig.x }}") == [(1, "12%"), (1, "£5.2m")]


def test_a_typed_figure_is_matched_to_the_placeholder_that_prints_it() -> None:
    from highneeds.domain.typed_figures import matching_placeholder

    figures = {"schools_forum_commitment": 357, "ehcp_growth_per_year": 5.4, "twice": 75, "x": 75}
    assert matching_placeholder("£357k", figures) == "{{ fig.schools_forum_commitment | gbp_k }}"
    assert matching_placeholder("5.4%", figures) == "{{ fig.ehcp_growth_per_year | pct_points }}"
    assert matching_placeholder("£75k", figures) is None  # two figures of that value
    assert matching_placeholder("£999k", figures) is None


def test_the_narrative_refusal_names_the_matching_figure() -> None:
    import pytest

    from highneeds.common.errors import NarrativeError
    from highneeds.paper.text.narrative import parse_narrative

    with pytest.raises(NarrativeError) as refused:
        parse_narrative("## A {#a}\n\nSchools Forum gave £357k.\n", figures={"sfc": 357})
    assert "line 3: '£357k' (write {{ fig.sfc | gbp_k }})" in str(refused.value)
