"""Notes on the figures the model derives: which printed figures carry a mark, and what the
note under "Notes on figures" says, read from the table in ``docs/assumptions.md`` (one source:
the paper and the assumptions log cannot disagree)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import ascii_lowercase
from typing import Any

from highneeds.errors import HighNeedsError
from highneeds.paths import PROJECT_ROOT
from highneeds.templating import Markup, render_template

#: The assumptions log, whose "Notes on figures" table the paper prints from.
ASSUMPTIONS_FILE = PROJECT_ROOT / "docs" / "assumptions.md"
HEADING = "## Notes on figures"
_PATTERN = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class FigureNote:
    """One row of the table: the figures it covers (names, or prefixes ending in ``*``) and
    what it says."""

    patterns: tuple[str, ...]
    text: str

    def covers(self, key: str) -> bool:
        return any(key.startswith(p[:-1]) if p.endswith("*") else key == p for p in self.patterns)


def read_figure_notes(path: Path = ASSUMPTIONS_FILE) -> list[FigureNote]:
    """The rows of the "Notes on figures" table of the assumptions log, in order."""
    text = path.read_text(encoding="utf-8")
    if HEADING not in text:
        raise HighNeedsError(f"{path} has no '{HEADING}' section: the paper's notes come from it")
    notes = []
    for line in text.split(HEADING, 1)[1].splitlines():
        if line.startswith("## "):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and _PATTERN.search(cells[0]):
            notes.append(FigureNote(tuple(_PATTERN.findall(cells[0])), cells[1]))
    return notes


class FigureNotes:
    """The notes a paper uses, lettered a, b, c ... in the order it first marks them."""

    def __init__(self, notes: list[FigureNote], derived: set[str] | None = None) -> None:
        """``derived``: the figures the model calculated (see :func:`derived_figures`); a
        figure outside it carries no mark whatever its name. None: marked by name alone."""
        self.notes = notes
        self.derived = derived
        self.letters: dict[int, str] = {}

    def letter(self, key: str | None) -> str | None:
        """The letter of the note on figure ``key`` (``-key`` for one printed negated), giving
        the note the next letter when first used; ``None`` if no note covers the figure."""
        if not key or (self.derived is not None and key.lstrip("-") not in self.derived):
            return None
        for index, note in enumerate(self.notes):
            if note.covers(key.lstrip("-")):
                if index not in self.letters:
                    self.letters[index] = ascii_lowercase[len(self.letters) % 26]
                return self.letters[index]
        return None

    def mark(self, key: str | None) -> Markup:
        """The mark printed after figure ``key``: a link to its note, or nothing."""
        letter = self.letter(key)
        if letter is None:
            return Markup("")
        return Markup(
            render_template("highneeds.paper", "parts/figure-note-mark.html.j2", letter=letter)
        )

    def section_html(self) -> str:
        """Every note used, under "Notes on figures" (nothing if the paper marks none)."""
        used = sorted(self.letters.items(), key=lambda item: item[1])
        notes = [(letter, self.notes[index].text) for index, letter in used]
        return (
            render_template("highneeds.paper", "parts/figure-notes.html.j2", notes=notes)
            if notes
            else ""
        )


def derived_figures(derivations: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """The figures the model calculated rather than read: those whose derivation, followed
    through any second names, is not an input cell (or a constant)."""
    return {
        key
        for key in derivations
        if derivations[named_figure(key, derivations)]["rule"] not in ("input", "constant")
    }


def named_figure(key: str, derivations: Mapping[str, Mapping[str, Any]]) -> str:
    """The figure ``key`` names: itself, or, for a figure that is another's value under a
    second name (a table's line is its cell), the one it stands for."""
    item = derivations[key]
    while item["rule"] == "same" and len(item["terms"]) == 1 and not item["formula"]:
        key = item["terms"][0]["key"]
        item = derivations[key]
    return key
