"""``paper.yaml``: the paper's header block, recommendations and table wording, read as the
author wrote it and checked against a schema.

Every value is read as text (YAML's own typing turns ``01572722577`` into the number
233547135 and ``2022-01-18`` into a date); the schema then says what each key must be.
``key_decision`` is yes or no (``true``/``false`` too). Every text the author writes follows
the narrative's rule: figures come from the data through placeholders, never typed in.
A problem is an :class:`InputDataError` (exit 3) naming the key, the value and what is
expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from highneeds.common.control_characters import control_character
from highneeds.common.errors import InputDataError
from highneeds.domain.typed_figures import (
    arithmetic_advice,
    find_typed_figures,
    placeholder_arithmetic,
)
from highneeds.gate.read.author_yaml import TOO_DEEP, NoAliases, yaml_problem
from highneeds.gate.read.limits import InputLimits, check_input_file
from highneeds.gate.tables.readings import READINGS

_YES = {"yes", "true", "y"}
_NO = {"no", "false", "n"}


def _yes_or_no(value: Any) -> bool:
    text = str(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError("expected yes or no")


def _la_number(value: Any) -> str:
    text = str(value).strip()
    if len(text) != 3 or not (text.isascii() and text.isdigit()):
        raise ValueError("expected the DfE's three-digit local authority number, such as 857")
    return text


def _one_of(name: str) -> Any:
    """A validator of reading ``name`` (:data:`highneeds.gate.tables.readings.READINGS`)."""
    choices = READINGS[name]

    def check(value: Any) -> str:
        text = str(value).strip()
        if text not in choices:
            raise ValueError(f"expected {' or '.join(choices)}")
        return text

    return BeforeValidator(check)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


Text = Annotated[str, Field(min_length=1)]


class CabinetMember(_Strict):
    name: Text
    role: Text


class ContactOfficer(_Strict):
    name: Text
    role: Text
    phone: Text
    email: Text


class Recommendations(_Strict):
    lead: str = ""
    items: Annotated[list[Text], Field(min_length=1)]


class BusinessCaseWording(_Strict):
    current_position: str = ""
    described_in: list[Text] = []


class PaperMetadata(_Strict):
    """What ``paper.yaml`` holds: the keys every paper has, then those its committee needs
    (:data:`COMMITTEE_KEYS`; a key another committee's papers have is refused)."""

    council: Text
    committee: Text
    meeting: Text
    title: Text
    #: Which committee's layout the paper takes, where ``committee`` names it otherwise
    #: (``Children's Scrutiny Panel`` is found to be a scrutiny paper by its words).
    committee_kind: Text | None = None
    report_of: Text | None = None
    strategic_aim: Text | None = None
    key_decision: Annotated[bool, BeforeValidator(_yes_or_no)] | None = None
    forward_plan_reference: Text | None = None
    cabinet_members: Annotated[list[CabinetMember], Field(min_length=1)] | None = None
    contact_officers: Annotated[list[ContactOfficer], Field(min_length=1)] | None = None
    wards: Text | None = None
    #: A Schools Forum item: its number on the agenda, what it is for, who wrote it.
    item: Text | None = None
    report_type: Text | None = None
    author: Text | None = None
    recommendations: Recommendations | None = None
    large_print_phone: Text | None = None
    business_cases: dict[str, BusinessCaseWording] = {}
    #: The DfE's three-digit number for the authority, for the DSG management plan return.
    la_number: Annotated[str, BeforeValidator(_la_number)] | None = None
    #: How the council reads its own figures (:mod:`highneeds.gate.tables.readings`).
    recovery_plan_impact: Annotated[str, _one_of("recovery_plan_impact")] | None = None
    certainty_centre: Annotated[str, _one_of("certainty_centre")] | None = None


#: The committees whose papers have a layout of their own, by the words that name them.
COMMITTEE_KINDS = {
    "cabinet": "Cabinet",
    "schools forum": "Schools Forum",
    "scrutiny": "Scrutiny",
    "council": "Council",
}
#: What each committee's paper needs (``required``) and may have (``optional``) beyond the
#: keys every paper has; a key in neither is another committee's and is refused.
COMMITTEE_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "cabinet": {
        "required": (
            "report_of",
            "strategic_aim",
            "key_decision",
            "forward_plan_reference",
            "cabinet_members",
            "contact_officers",
            "wards",
            "recommendations",
            "large_print_phone",
        ),
        "optional": (),
    },
    "schools forum": {
        "required": ("item", "report_type", "author"),
        "optional": ("report_of", "contact_officers", "recommendations", "large_print_phone"),
    },
    "scrutiny": {
        "required": ("report_of", "contact_officers"),
        "optional": ("wards", "recommendations", "large_print_phone", "cabinet_members"),
    },
    "council": {
        "required": ("report_of", "contact_officers", "recommendations"),
        "optional": ("wards", "large_print_phone", "cabinet_members"),
    },
    "other": {
        "required": (),
        "optional": (
            "report_of",
            "contact_officers",
            "wards",
            "recommendations",
            "large_print_phone",
            "author",
            "item",
            "report_type",
        ),
    },
}
_ALWAYS_OPTIONAL = ("committee_kind", "business_cases", "la_number", *READINGS)


def committee_kind(committee: str, declared: str | None = None) -> str:
    """Which committee's layout a paper takes: ``committee_kind`` where given, else by the
    committee's name (``Schools Forum``, ``Cabinet``, a name with ``Scrutiny`` in it, the full
    ``Council``), else ``other``."""
    if declared is not None:
        return declared.strip().lower()
    words = " ".join(committee.lower().split())
    for kind in ("schools forum", "scrutiny", "cabinet"):
        if kind in words:
            return kind
    return "council" if words in ("council", "full council") else "other"


def _committee_problems(name: str, data: dict[str, Any]) -> list[str]:
    """Each key the paper's committee needs and it leaves out, and each it has that belongs
    to another committee's papers, named with the committee."""
    declared = data.get("committee_kind")
    kind = committee_kind(str(data.get("committee", "")), declared)
    if kind not in COMMITTEE_KEYS:
        return [
            f"{name}: key 'committee_kind': found {declared!r}; expected one of "
            f"{', '.join(COMMITTEE_KEYS)}"
        ]
    keys = COMMITTEE_KEYS[kind]
    paper = COMMITTEE_KINDS.get(kind, "this committee's")
    problems = [
        f"{name}: key '{key}' is missing: a {paper} paper needs it"
        for key in keys["required"]
        if data.get(key) in (None, "", [], {})
    ]
    allowed = {*keys["required"], *keys["optional"], *_ALWAYS_OPTIONAL}
    common = {"council", "committee", "meeting", "title"}
    problems += [
        f"{name}: key '{key}': a {paper} paper has no {key.replace('_', ' ')}; remove it (or "
        "set committee_kind for a committee whose papers have one)"
        for key in data
        if key in PaperMetadata.model_fields and key not in allowed | common
    ]
    return problems


class _TextLoader(NoAliases, yaml.BaseLoader):
    """YAML read as text: no implicit numbers, dates or booleans, and no aliases."""


def _key(location: tuple[int | str, ...]) -> str:
    """A pydantic location as the author would write the key: ``contact_officers[0].phone``."""
    key = ""
    for part in location:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


def _value_at(data: Any, location: tuple[int | str, ...]) -> Any:
    for part in location:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _expected(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "missing: every paper needs it"
    if kind == "extra_forbidden":
        return "not a key paper.yaml has (is it misspelt?)"
    if kind in ("string_type", "string_too_short"):
        return "expected text"
    if kind in ("list_type", "too_short"):
        return "expected a list of one or more entries ('- ...' lines)"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "expected keys and values ('key: value' lines, indented)"
    return f"expected {error['msg'].removeprefix('Value error, ').removeprefix('expected ')}"


def _texts(value: Any, key: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(key, value)]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _texts(v, f"{key}.{k}" if key else k)]
    if isinstance(value, list):
        return [t for i, v in enumerate(value) for t in _texts(v, f"{key}[{i}]")]
    return []


#: Characters of one value of paper.yaml (a title, a recommendation, a line of the header).
MAX_VALUE_CHARS = 5_000


def _check_texts(name: str, texts: list[tuple[str, str]]) -> None:
    """Refuse a value longer than :data:`MAX_VALUE_CHARS` or holding a control character,
    naming its key, before any pattern reads it."""
    problems = []
    for key, text in texts:
        if len(text) > MAX_VALUE_CHARS:
            problems.append(
                f"{name}: key '{key}': holds {len(text):,} characters; a value may hold at most "
                f"{MAX_VALUE_CHARS:,}"
            )
        elif (code := control_character(text)) is not None:
            problems.append(f"{name}: key '{key}': holds the control character {code}; remove it")
    if problems:
        raise InputDataError(f"{name} holds text the paper cannot take.", problems)


def read_paper_metadata(path: Path) -> dict[str, Any]:
    """Read and check ``paper.yaml``; return its fields (``key_decision`` as a bool)."""
    if not path.is_file():
        raise InputDataError(f"{path.name}: the file is missing from {path.parent}")
    check_input_file(path, path.parent, InputLimits.from_environment())
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.load(text, Loader=_TextLoader)
    except RecursionError:
        raise InputDataError(f"{path.name}: {TOO_DEEP}") from None
    except yaml.YAMLError as exc:
        raise InputDataError(yaml_problem(path.name, exc, text)) from None
    if not isinstance(data, dict):
        raise InputDataError(f"{path.name}: expected keys and values at the top level")
    _check_texts(path.name, _texts(data, ""))
    committee = _committee_problems(path.name, data)
    try:
        metadata = PaperMetadata.model_validate(data)
    except ValidationError as exc:
        problems = list(committee)
        for error in exc.errors():
            location = error["loc"]
            key = _key(location)
            if error["type"] in ("missing",):
                problems.append(f"{path.name}: key '{key}' is {_expected(error)}")
            else:
                value = _value_at(data, location)
                found = "a blank" if value in ("", None) else repr(value)
                problems.append(f"{path.name}: key '{key}': found {found}; {_expected(error)}")
        raise InputDataError(f"{path.name} does not hold what a paper needs.", problems) from None
    if committee:
        raise InputDataError(f"{path.name} does not hold what a paper needs.", committee)
    typed = [
        f"{path.name}: key '{key}': the figure '{figure}' is typed into the text; figures must "
        "come from the data: use a placeholder such as {{ fig.name | gbp_m(1) }}"
        for key, text in _texts(data, "")
        for _, figure in find_typed_figures(text)
    ]
    typed += [
        f"{path.name}: key '{key}': {arithmetic_advice(placeholder, operator)}"
        for key, text in _texts(data, "")
        for _, placeholder, operator in placeholder_arithmetic(text)
    ]
    if typed:
        raise InputDataError(f"{path.name} has figures typed into its text.", typed)
    dumped = metadata.model_dump()
    dumped["committee_kind"] = committee_kind(metadata.committee, metadata.committee_kind)
    return dumped
