"""Text edits word by word, as the change log's page shows them: the words removed and added,
with a few unchanged either side, bounded however long or strange the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.runner.changes.word_diff import (
    CONTEXT_WORDS,
    MAX_CHARS,
    MAX_PASSAGES,
    SHOWN_WHOLE_WORDS,
    WordDiff,
    word_diff,
)

OLD = (
    "# Update\n\n"
    "The deficit is expected to reach £3.9m by 2024/25, and the council will act to reduce "
    "it over the coming years with its partners in schools.\n\n"
    "Recommendations follow.\n"
)


def test_an_edited_sentence_shows_the_words_removed_and_added_with_their_line() -> None:
    new = OLD.replace("is expected", "is now expected").replace("£3.9m", "£4.1m")
    (passage,) = word_diff("narrative.md", OLD, new).passages
    assert passage.line == 3
    assert passage.parts == [
        ("same", "The deficit is"),
        ("added", "now"),
        ("same", "expected to reach"),
        ("removed", "£3.9m"),
        ("added", "£4.1m"),
        (
            "same",
            "by 2024/25, and the council will act to …",  # CONTEXT_WORDS of them
        ),
    ]


def test_an_added_and_a_removed_line_are_passages_of_their_own() -> None:
    new = OLD.replace("Recommendations follow.\n", "") + "A new closing line.\n"
    passages = word_diff("narrative.md", OLD, new).passages
    assert [(p.line, p.parts) for p in passages] == [
        (5, [("removed", "Recommendations follow."), ("added", "A new closing line.")])
    ]
    only_removed = word_diff("paper.yaml", "a: 1\nb: 2\n", "a: 1\n").passages
    assert [(p.line, p.parts) for p in only_removed] == [(2, [("removed", "b: 2")])]


def test_lines_broken_or_spaced_differently_are_no_edit() -> None:
    new = OLD.replace("will act to reduce ", "will act to reduce\n").replace(
        " it over", "  it over"
    )
    assert word_diff("narrative.md", OLD, new).passages == []


def test_many_edits_and_long_passages_are_bounded() -> None:
    old = "".join(f"line {i}\nunchanged\n" for i in range(MAX_PASSAGES + 10))
    new = "".join(f"line {i} edited\nunchanged\n" for i in range(MAX_PASSAGES + 10))
    diff = word_diff("narrative.md", old, new)
    assert len(diff.passages) == MAX_PASSAGES and diff.more == 10
    long_old, long_new = "a " * 1500, "b " * 1500
    (whole,) = word_diff("narrative.md", long_old, long_new).passages
    assert [kind for kind, _ in whole.parts] == ["removed", "added"]
    assert whole.parts[0][1] == " ".join(["a"] * SHOWN_WHOLE_WORDS) + " …"
    too_long = word_diff("narrative.md", "x" * (MAX_CHARS + 1), "y")
    assert too_long.passages == [] and too_long.not_shown.startswith("longer than")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_any_texts_give_a_diff_that_survives_json(old: str, new: str) -> None:
    diff = word_diff("narrative.md", old, new)
    assert WordDiff.from_json(diff.as_json()) == diff
    if old.split() == new.split():
        assert diff.passages == []
    for passage in diff.passages:
        assert all(kind in ("same", "removed", "added") and text for kind, text in passage.parts)


short_lines = st.lists(st.sampled_from(["a", "b", "c", "£1m", "2024/25"]), max_size=CONTEXT_WORDS)


@settings(max_examples=200, deadline=None)
@given(short_lines, short_lines)
def test_the_words_kept_removed_and_added_rebuild_each_line(old: list[str], new: list[str]) -> None:
    """On a line short enough that no unchanged words are cut, the unchanged and removed
    words are the old line's, and the unchanged and added the new line's, in order."""
    diff = word_diff("narrative.md", " ".join(old), " ".join(new))
    if old == new:
        assert diff.passages == []
        return
    (passage,) = diff.passages
    kept = {"same", "removed"}, {"same", "added"}
    for words, kinds in zip((old, new), kept, strict=True):
        rebuilt = " ".join(text for kind, text in passage.parts if kind in kinds).split()
        assert rebuilt == words
