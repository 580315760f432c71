"""paper.yaml is checked against a schema: each value as the author wrote it, each problem
naming the key, the value and what is expected (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from highneeds.common.errors import InputDataError
from highneeds.gate.tables.paper_yaml import read_paper_metadata


def problems_of(raw: Path, old: str, new: str) -> list[str]:
    path = raw / "paper.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputDataError) as caught:
        read_paper_metadata(path)
    assert caught.value.exit_code == 3
    return caught.value.problems


def read_with(raw: Path, old: str, new: str) -> dict:
    path = raw / "paper.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return read_paper_metadata(path)


@pytest.mark.parametrize(
    ("written", "meaning"),
    [
        ("true", True),
        ("Yes", True),
        ('"yes"', True),
        ("false", False),
        ("No", False),
        ('"No"', False),
    ],
)
def test_key_decision_is_yes_or_no_however_written(raw_copy: Path, written: str, meaning) -> None:
    assert read_with(raw_copy, "key_decision: true", f"key_decision: {written}")[
        "key_decision"
    ] is (meaning)


def test_key_decision_that_is_neither_is_refused(raw_copy: Path) -> None:
    assert problems_of(raw_copy, "key_decision: true", "key_decision: maybe") == [
        "paper.yaml: key 'key_decision': found 'maybe'; expected yes or no"
    ]


def test_values_are_text_as_written_not_yaml_numbers_or_dates(raw_copy: Path) -> None:
    meta = read_with(raw_copy, "large_print_phone: 01572 722577", "large_print_phone: 01572722577")
    assert meta["large_print_phone"] == "01572722577"  # not the octal number 233547135
    meta = read_with(raw_copy, "meeting: January 2022", "meeting: 2022-01-18")
    assert meta["meeting"] == "2022-01-18"
    assert meta["forward_plan_reference"] == "011021"


def test_missing_and_misspelt_keys_are_named(raw_copy: Path) -> None:
    assert problems_of(raw_copy, "strategic_aim:", "aim:") == [
        "paper.yaml: key 'strategic_aim' is missing: a Cabinet paper needs it",
        "paper.yaml: key 'aim': found 'Protecting the vulnerable'; not a key paper.yaml has "
        "(is it misspelt?)",
    ]


def test_wrong_shapes_are_named_with_their_place(raw_copy: Path) -> None:
    problems = problems_of(raw_copy, "    phone: 01572 758358\n", "    phone:\n")
    assert problems == ["paper.yaml: key 'contact_officers[0].phone': found a blank; expected text"]


def test_a_figure_typed_into_a_recommendation_is_refused(raw_copy: Path) -> None:
    problems = problems_of(
        raw_copy,
        "      Notes the update,",
        "      Approves £5.2m and a 12% uplift. Notes the update,",
    )
    assert problems == [
        "paper.yaml: key 'recommendations.items[0]': the figure '£5.2m' is typed into the text; "
        "figures must come from the data: use a placeholder such as {{ fig.name | gbp_m(1) }}",
        "paper.yaml: key 'recommendations.items[0]': the figure '12%' is typed into the text; "
        "figures must come from the data: use a placeholder such as {{ fig.name | gbp_m(1) }}",
    ]


def test_figures_in_placeholders_are_fine(raw_copy: Path) -> None:
    meta = read_with(
        raw_copy, "      Notes the update,", "      Notes {{ fig.x | pct(0) }} and the update,"
    )
    assert "{{ fig.x | pct(0) }}" in meta["recommendations"]["items"][0]


def test_yaml_aliases_are_refused(raw_copy: Path) -> None:
    path = raw_copy / "paper.yaml"
    path.write_text('a: &a ["x", "x"]\nb: [*a, *a]\n' + path.read_text(encoding="utf-8"))
    with pytest.raises(InputDataError, match=r"line 2: aliases \(\*a\) are not allowed"):
        read_paper_metadata(path)


def test_a_control_character_or_an_endless_value_is_refused_naming_its_key(
    raw_copy: Path,
) -> None:
    # Typed as such, YAML itself refuses it; written as an escape, the check does.
    path = raw_copy / "paper.yaml"
    shipped = path.read_text(encoding="utf-8")
    path.write_text(shipped.replace("title: SEND", "title: SEND\x1b[31m", 1), encoding="utf-8")
    with pytest.raises(InputDataError, match="unacceptable character #x001b") as caught:
        read_paper_metadata(path)
    assert caught.value.exit_code == 3
    path.write_text(shipped, encoding="utf-8")
    escaped = 'title: "SEND\\e[31m Recovery Plan - Update"'
    assert problems_of(raw_copy, "title: SEND Recovery Plan - Update", escaped) == [
        "paper.yaml: key 'title': holds the control character U+001B; remove it"
    ]
    path.write_text(shipped, encoding="utf-8")
    (problem,) = problems_of(
        raw_copy, "title: SEND Recovery Plan - Update", 'title: "' + "{{" * 40_000 + '"'
    )
    assert problem == (
        "paper.yaml: key 'title': holds 80,000 characters; a value may hold at most 5,000"
    )
    path.write_text(shipped.replace("title: SEND", "title: " + "{{" * 40_000, 1))
    with pytest.raises(InputDataError, match="nests too deeply") as caught:
        read_paper_metadata(path)
    assert caught.value.exit_code == 3


@pytest.mark.parametrize(
    "line,said",
    [
        ("title: SEND: Recovery Plan", 'put the value in quotes, e.g. title: "SEND: Update"'),
        ('title: "SEND Recovery Plan', "a quotation mark that is opened and never closed"),
        ("title: [draft] SEND Recovery Plan", "a value that starts with '['"),
    ],
)
def test_a_yaml_mistake_is_said_with_its_line_and_what_to_type(
    shipped_raw: Path, tmp_path: Path, line: str, said: str
) -> None:
    text = (shipped_raw / "paper.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    number = next(i for i, old in enumerate(lines) if old.startswith("title:"))
    lines[number] = line
    path = tmp_path / "paper.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError) as caught:
        read_paper_metadata(path)
    message = str(caught.value)
    assert message.startswith("paper.yaml, line ")
    assert said in message
    assert "mapping values" not in message and "while scanning" not in message
