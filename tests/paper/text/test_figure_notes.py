"""Notes on figures and the methods appendix come from the figure registry: a figure's mark
follows its kind (given by the council: none), and the same figure carries the same mark."""

from __future__ import annotations

import re

from highneeds.common.paths import PROJECT_ROOT
from highneeds.domain.figure_kinds import kind_of, marked_family
from highneeds.domain.figure_registry import KINDS, REGISTRY, notes_markdown
from highneeds.paper.text.figure_notes import METHODS_TITLE, FigureNotes


def _same(key: str, target: str) -> dict:
    return {"rule": "same", "formula": "", "label": key, "terms": [{"key": target}]}


CELL = {"rule": "input", "formula": "", "terms": [], "label": "a cell"}
DERIVATIONS = {
    "high_needs_budget.csv!6!2024/25": CELL,
    "budget.cfwd[2024/25]": _same("C/Fwd", "high_needs_budget.csv!6!2024/25"),
    "budget.cfwd[2023/24]": _same("C/Fwd", "unmitigated.cfwd[2023/24]"),
    "unmitigated.cfwd[2023/24]": {"rule": "sum", "formula": "B/Fwd + ...", "terms": []},
    "mitigated.cfwd[2024/25]": {"rule": "sum", "formula": "C/Fwd + ...", "terms": []},
    "the run's parameters!header!uncertainty_draws": CELL,
    "uncertainty.draws": _same("draws", "the run's parameters!header!uncertainty_draws"),
    "uncertainty.mitigated.p10[2024/25]": {"rule": "described", "formula": "", "terms": []},
    "fig.ehcp_growth_per_year": _same("5.4", "high_needs_budget.csv!6!2024/25"),
    "budget.transfer[2023/24]": _same("transfer", "drivers.transfer[2023/24]"),
    "drivers.transfer[2023/24]": {"rule": "described", "formula": "driver", "terms": []},
}


def test_a_given_cfwd_is_unmarked_and_a_derived_one_carries_the_roll_forwards_note() -> None:
    notes = FigureNotes(DERIVATIONS)
    assert notes.letter("budget.cfwd[2024/25]") is None  # the finance team's own cell
    assert notes.letter("budget.cfwd[2023/24]") == "a"  # left blank: the roll-forward's
    assert notes.letter("unmitigated.cfwd[2023/24]") == "b"
    assert notes.letter("budget.cfwd[2023/24]") == "a"  # the same figure, the same mark
    assert "B/Fwd is the C/Fwd of the year before" in notes.section_html()


def test_parameters_and_stated_figures_carry_no_mark() -> None:
    notes = FigureNotes(DERIVATIONS)
    assert notes.letter("uncertainty.draws") is None
    assert notes.letter("fig.ehcp_growth_per_year") is None
    assert notes.letter("uncertainty.mitigated.p10[2024/25]") == "a"
    assert kind_of("uncertainty.draws", DERIVATIONS) == "given"
    assert kind_of("uncertainty.mitigated.p10[2024/25]", DERIVATIONS) == "modelled"
    assert kind_of("mitigated.cfwd[2024/25]", DERIVATIONS) == "calculated"


def test_a_budget_line_the_driver_model_forecast_carries_the_driver_models_note() -> None:
    family = marked_family("budget.transfer[2023/24]", DERIVATIONS)
    assert family is not None and family.kind == "modelled" and "drivers.*" in family.patterns


def test_without_a_lineage_nothing_is_marked_and_there_is_no_notes_section() -> None:
    notes = FigureNotes(None)
    assert str(notes.mark("uncertainty.mitigated.p10[2024/25]")) == ""
    assert notes.section_html() == ""


def test_a_mark_links_to_its_note_and_says_note_to_a_screen_reader() -> None:
    notes = FigureNotes(DERIVATIONS)
    mark = str(notes.mark("uncertainty.mitigated.p10[2024/25]"))
    assert 'href="#figure-note-a"' in mark and "note </span>a" in mark


def test_the_appendix_lists_every_family_printed_with_its_kind_and_method() -> None:
    notes = FigureNotes(DERIVATIONS)
    for key in ("fig.ehcp_growth_per_year", "mitigated.cfwd[2024/25]", "uncertainty.draws"):
        notes.letter(key)
    html = notes.methods_html()
    assert f"Appendix A: {METHODS_TITLE}" in html
    assert html.count("<li>") == 3
    assert "<strong>Figures the council states</strong> (given):" in html
    assert '(calculated; note <a href="#figure-note-a">a</a>)' in html


def test_every_family_has_a_kind_and_notes_in_plain_words() -> None:
    for family in REGISTRY:
        assert family.kind in KINDS
        assert not re.search(r"assumption \d", family.note + family.method, re.IGNORECASE)
        if family.kind != "given":
            assert family.note and family.method


def test_the_docs_notes_table_is_the_registrys() -> None:
    """docs/assumptions.md shows the registry's table (``python -m
    highneeds.domain.figure_registry`` writes it); the paper never reads the docs."""
    docs = (PROJECT_ROOT / "docs" / "assumptions.md").read_text(encoding="utf-8")
    assert notes_markdown() in docs
