"""What an edit of a text input (the narrative, ``paper.yaml``) changed, word by word, for the
change log's page: each edited passage with its line number, the words removed and added,
and a few unchanged words either side.

The texts are an author's, so the work is bounded: lines are matched first and words only
within the lines that differ; a passage too long to match word by word is shown as removed and
added whole (cut short), and a text past :data:`MAX_CHARS` is not compared word by word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

Kind = Literal["same", "removed", "added"]

#: Unchanged words shown either side of a change.
CONTEXT_WORDS = 8
#: Passages shown per file; the rest are counted.
MAX_PASSAGES = 40
#: Words of a passage's old and new text together past which it is not matched word by word.
MAX_PASSAGE_WORDS = 2_000
#: Words of a passage shown when it is shown whole.
SHOWN_WHOLE_WORDS = 60
#: Characters of either text past which no word diff is made (a narrative is about 30,000).
MAX_CHARS = 400_000


@dataclass(frozen=True)
class Passage:
    """One edited passage: the line it starts on (in the new text, or the old where it was
    only removed) and its parts in order, each unchanged, removed or added words."""

    line: int
    parts: list[tuple[Kind, str]]


@dataclass(frozen=True)
class WordDiff:
    """A file's edit: its passages, how many more there were, and why none are shown."""

    file: str
    passages: list[Passage] = field(default_factory=list)
    more: int = 0
    #: Set when the texts were not compared word by word.
    not_shown: str = ""

    def as_json(self) -> dict[str, Any]:
        passages = [{"line": p.line, "parts": [list(x) for x in p.parts]} for p in self.passages]
        return {
            "file": self.file,
            "passages": passages,
            "more": self.more,
            "not_shown": self.not_shown,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WordDiff:
        passages = [
            Passage(int(p["line"]), [(kind, text) for kind, text in p["parts"]])
            for p in data["passages"]
        ]
        return cls(str(data["file"]), passages, int(data["more"]), str(data["not_shown"]))


def word_diff(file: str, old: str, new: str) -> WordDiff:
    """The edit from ``old`` to ``new``, word by word (:class:`WordDiff`)."""
    if len(old) > MAX_CHARS or len(new) > MAX_CHARS:
        return WordDiff(file, not_shown=f"longer than {MAX_CHARS:,} characters")
    old_lines, new_lines = old.splitlines(), new.splitlines()
    passages = []
    lines = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in lines.get_opcodes():
        if tag == "equal":
            continue
        before = " ".join(old_lines[i1:i2]).split()
        after = " ".join(new_lines[j1:j2]).split()
        if before == after:  # only spacing or line breaks moved: no word changed
            continue
        passages.append(Passage(j1 + 1 if j2 > j1 else i1 + 1, _words(before, after)))
    return WordDiff(file, passages[:MAX_PASSAGES], max(len(passages) - MAX_PASSAGES, 0))


def _words(before: list[str], after: list[str]) -> list[tuple[Kind, str]]:
    if len(before) + len(after) > MAX_PASSAGE_WORDS:
        whole: list[tuple[Kind, str]] = []
        if before:
            whole.append(("removed", _cut(before)))
        if after:
            whole.append(("added", _cut(after)))
        return whole
    parts: list[tuple[Kind, str]] = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    codes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag == "equal":
            parts.append(("same", _context(before[i1:i2], index, len(codes))))
            continue
        if i2 > i1:
            parts.append(("removed", " ".join(before[i1:i2])))
        if j2 > j1:
            parts.append(("added", " ".join(after[j1:j2])))
    return parts


def _context(words: list[str], index: int, count: int) -> str:
    """Unchanged words between changes: a few at each end that touches a change."""
    first, last = index == 0, index == count - 1
    keep = CONTEXT_WORDS
    if first and len(words) > keep:
        return "… " + " ".join(words[-keep:])
    if last and len(words) > keep:
        return " ".join(words[:keep]) + " …"
    if not first and not last and len(words) > 2 * keep:
        return " ".join(words[:keep]) + " … " + " ".join(words[-keep:])
    return " ".join(words)


def _cut(words: list[str]) -> str:
    shown = " ".join(words[:SHOWN_WHOLE_WORDS])
    return shown + (" …" if len(words) > SHOWN_WHOLE_WORDS else "")
