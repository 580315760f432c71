"""Reading YAML an author wrote (``sources.yaml``, ``paper.yaml``) safely: safe types only,
no aliases, and a plain refusal of what is not valid. A module of its own so that what merely
names the files (the CLI, a run that reuses every step) does not import the YAML library."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from highneeds.common.errors import InputDataError


class NoAliases:
    """A YAML loader that refuses aliases (``*name``): a few lines of aliases can expand to
    billions of values (the "billion laughs"), and an author's YAML never needs them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):  # type: ignore[attr-defined]
            event = self.peek_event()  # type: ignore[attr-defined]
            raise yaml.YAMLError(
                f"line {event.start_mark.line + 1}: aliases (*{event.anchor}) are not allowed"
            )
        return super().compose_node(parent, index)  # type: ignore[misc]


class _SafeLoader(NoAliases, yaml.SafeLoader):
    """YAML's safe loader, without aliases."""


#: What a YAML file nested past the parser's depth is told (``{{{{...`` nests without end).
TOO_DEEP = (
    "not valid YAML: it nests too deeply (unquoted braces or brackets open a new level each); "
    "put text in quotes"
)


#: What an author is told for each of the YAML reader's usual complaints: the cause in their
#: words and what to type instead.
_ADVICE = (
    (
        "mapping values are not allowed",
        'a colon followed by a space inside a value ("title: SEND: Update"), or a line that '
        "is not 'key: value'; put a value with a colon in quotes: title: \"SEND: Update\"",
    ),
    ("'\\t'", "a tab; indent with spaces"),
    ("found unexpected end of stream", "a quotation mark that is opened and never closed"),
    ("expected ',' or ']'", "a '[' that is never closed; put text that starts with '[' in quotes"),
    ("expected ',' or '}'", "a '{' that is never closed; put text that starts with '{' in quotes"),
    ("expected <block end>", "a line indented differently from the lines around it"),
    ("could not find expected ':'", "a line that is not 'key: value' (is a colon missing?)"),
)


#: A line of ``key: value`` (a list item's too), its value unparsed.
_KEY_VALUE = re.compile(r"^\s*(?:-\s+)?[\w-]+:[ \t]+(\S.*)$")


def _value_problem(value: str) -> str | None:
    """What is wrong with one line's value, read as YAML reads a value on one line."""
    value = value.rstrip()
    if value[0] in "\"'":
        closed = value.count(value[0]) - (value.count("\\" + value[0]) if value[0] == '"' else 0)
        return None if closed >= 2 else "a quotation mark that is opened and never closed"
    if value[0] in "[{":
        if value.endswith("]" if value[0] == "[" else "}"):
            return None  # a list or a set of keys on one line, as YAML writes them
        return (
            f"a value that starts with '{value[0]}' (which YAML reads as a list or a set of "
            "keys); put it in quotes"
        )
    if ": " in value and not value.startswith(("|", ">")):
        return (
            "a colon followed by a space inside a value; put the value in quotes, e.g. "
            'title: "SEND: Update"'
        )
    return None


def suspect_line(text: str, before: int) -> tuple[int, str] | None:
    """The first line, up to line ``before``, whose value YAML cannot read as written, and
    why: the line an author should look at, often above the one the reader stopped at."""
    for number, line in enumerate(text.splitlines()[:before], start=1):
        found = _KEY_VALUE.match(line)
        if found is not None and not line.lstrip().startswith("#"):
            problem = _value_problem(found.group(1))
            if problem is not None:
                return number, problem
    return None


def yaml_problem(name: str, error: yaml.YAMLError, text: str = "") -> str:
    """The YAML reader's complaint as an author can act on it: the file, the line, the cause
    in plain words and what to type; the reader's own words only where none is known."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    # A syntax error is often caused above the line the reader stopped at; a refusal of ours
    # (an alias) says its own line.
    suspect = (
        suspect_line(text, mark.line + 1)
        if isinstance(error, yaml.MarkedYAMLError) and mark is not None
        else None
    )
    if suspect is not None:
        return f"{name}, line {suspect[0]}: not valid YAML: {suspect[1]}"
    where = f"{name}, line {mark.line + 1}" if mark is not None else name
    problem = str(getattr(error, "problem", "") or error)
    advice = next((words for found, words in _ADVICE if found in problem), None)
    if advice is None:
        return f"{where}: not valid YAML: {problem}"
    return f"{where}: not valid YAML: {advice}"


def load_yaml(path: Path) -> Any:
    """Read an author's YAML file (safe types only, no aliases); refuse it plainly if invalid."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.load(text, Loader=_SafeLoader)
    except RecursionError:
        raise InputDataError(f"{path.name}: {TOO_DEEP}") from None
    except yaml.YAMLError as exc:
        raise InputDataError(yaml_problem(path.name, exc, text)) from None
