"""The notes on derived figures come from the table in docs/assumptions.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from highneeds.errors import HighNeedsError
from highneeds.paper.figure_notes import FigureNotes, derived_figures, read_figure_notes


def test_the_assumptions_log_gives_a_note_for_each_kind_of_derived_figure() -> None:
    notes = FigureNotes(read_figure_notes())  # marked by name alone
    assert notes.letter("mitigated.cfwd[2024/25]") == "a"
    assert notes.letter("fig.cpi_topup_uplift_per_year") is None  # no note covers it
    # The first row that covers a figure gives its note: all-requests-convert before demand.
    assert notes.letter("demand.plans_if_all_convert[2024/25]") == "b"
    assert notes.letter("demand.plans[2024/25]") == "c"
    assert notes.letter("-mitigated.in_year[2022/23]") == "a"
    assert notes.letter("mitigated_with_topup_uplift.cfwd[2024/25]") == "d"
    section = notes.section_html()
    assert section.index('id="figure-note-a"') < section.index('id="figure-note-d"')
    assert "Officer calculation from the budget table" in section


def test_only_figures_the_lineage_shows_derived_carry_a_mark() -> None:
    cell = {"rule": "input", "formula": "", "terms": [], "label": "C/Fwd as typed"}
    derivations = {
        "high_needs_budget.csv!6!2024/25": cell,
        "budget.cfwd[2024/25]": {
            "rule": "same",
            "formula": "",
            "label": "C/Fwd",
            "terms": [{"key": "high_needs_budget.csv!6!2024/25"}],
        },
        "budget.cfwd[2023/24]": {
            "rule": "same",
            "formula": "",
            "label": "C/Fwd",
            "terms": [{"key": "unmitigated.cfwd[2023/24]"}],
        },
        "unmitigated.cfwd[2023/24]": {
            "rule": "sum",
            "formula": "B/Fwd + ...",
            "terms": [],
            "label": "C/Fwd",
        },
    }
    derived = derived_figures(derivations)
    assert derived == {"budget.cfwd[2023/24]", "unmitigated.cfwd[2023/24]"}
    notes = FigureNotes(read_figure_notes(), derived)
    assert notes.letter("budget.cfwd[2024/25]") is None  # typed: read from its cell
    assert notes.letter("budget.cfwd[2023/24]") == "a"  # left blank: the roll-forward's
    assert "Calculated by the roll-forward" in notes.section_html()


def test_a_mark_links_to_its_note_and_says_note_to_a_screen_reader() -> None:
    notes = FigureNotes(read_figure_notes())
    mark = str(notes.mark("uncertainty.mitigated.p10[2024/25]"))
    assert 'href="#figure-note-a"' in mark and "note </span>a" in mark
    assert str(notes.mark("fig.anything")) == ""
    assert FigureNotes(read_figure_notes()).section_html() == ""  # none used, no section


def test_the_table_is_read_as_written(tmp_path: Path) -> None:
    log = tmp_path / "assumptions.md"
    log.write_text(
        "# Log\n\n## Notes on figures\n\n| figures | note |\n|---|---|\n"
        "| `x.*`, `y` | X & <y> |\n\n## Later\n\n| `z` | not a note |\n",
        encoding="utf-8",
    )
    [note] = read_figure_notes(log)
    assert note.patterns == ("x.*", "y") and note.text == "X & <y>"
    assert note.covers("x.a[1]") and note.covers("y") and not note.covers("yy")
    notes = FigureNotes([note])
    notes.letter("y")
    assert "X &amp; &lt;y&gt;" in notes.section_html()  # escaped like any text
    log.write_text("# Log\n", encoding="utf-8")
    with pytest.raises(HighNeedsError, match="Notes on figures"):
        read_figure_notes(log)
