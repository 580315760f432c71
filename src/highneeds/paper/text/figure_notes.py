"""Notes on the figures the paper prints: which carry a mark and what the note under "Notes
on figures" says, and the appendix "How the figures were calculated", all read from the
figure registry (:mod:`highneeds.domain.figure_registry`), so the marks, the notes, the appendix,
``explain`` and the docs cannot disagree. No document is read while the paper is made."""

from __future__ import annotations

from collections.abc import Mapping
from string import ascii_lowercase
from typing import Any

from highneeds.common.templating import Markup, render_template
from highneeds.domain.figure_kinds import marked_family
from highneeds.domain.figure_registry import KIND_WORDS, REGISTRY, FigureFamily, family_of

#: The appendix's heading, as every format prints it.
METHODS_TITLE = "How the figures were calculated"


class FigureNotes:
    """The notes a paper uses, lettered a, b, c ... in the order it first marks them, and the
    families of every figure it prints (for the appendix)."""

    def __init__(self, derivations: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        """``derivations``: the notebooks' lineage, which says which figures are the council's
        own (given: no mark). None: nothing is known to be derived, and nothing is marked."""
        self.derivations = derivations
        self.letters: dict[int, str] = {}
        self.printed: set[int] = set()

    def letter(self, key: str | None) -> str | None:
        """The letter of the note on figure ``key`` (``-key`` for one printed negated), giving
        the note the next letter when first used; ``None`` for a given figure."""
        if not key:
            return None
        marked = None if self.derivations is None else marked_family(key, self.derivations)
        if marked is None:  # given: the appendix lists the given family that covers it
            family = next(
                (f for f in REGISTRY if f.kind == "given" and f.covers(key.lstrip("-"))),
                family_of(key),
            )
            if family is not None:
                self.printed.add(REGISTRY.index(family))
            return None
        index = REGISTRY.index(marked)
        self.printed.add(index)
        if index not in self.letters:
            self.letters[index] = ascii_lowercase[len(self.letters) % 26]
        return self.letters[index]

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
        notes = [(letter, REGISTRY[index].note) for index, letter in used]
        return (
            render_template(
                "highneeds.paper",
                "parts/figure-notes.html.j2",
                notes=notes,
                methods_title=METHODS_TITLE,
            )
            if notes
            else ""
        )

    def methods_html(self) -> str:
        """The appendix: for each family of figures the paper prints, what it is, its kind
        and how it was calculated, in the registry's order."""
        families: list[FigureFamily] = [REGISTRY[i] for i in sorted(self.printed)]
        rows = [
            {
                "label": family.label,
                "kind": family.kind,
                "letter": self.letters.get(REGISTRY.index(family)),
                "method": family.method,
                "unit": family.unit,
            }
            for family in families
        ]
        return render_template(
            "highneeds.paper",
            "parts/figure-methods.html.j2",
            title=METHODS_TITLE,
            rows=rows,
            kinds=KIND_WORDS,
        )
