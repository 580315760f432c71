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

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from highneeds.errors import InputDataError
from highneeds.gate.author_yaml import TOO_DEEP, NoAliases
from highneeds.gate.cell_checks import control_character
from highneeds.gate.limits import InputLimits, check_input_file
from highneeds.typed_figures import find_typed_figures

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
    if len(text) != 3 or not text.isdigit():
        raise ValueError("expected the DfE's three-digit local authority number, such as 857")
    return text


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
    """What ``paper.yaml`` holds."""

    council: Text
    committee: Text
    meeting: Text
    title: Text
    report_of: Text
    strategic_aim: Text
    key_decision: Annotated[bool, BeforeValidator(_yes_or_no)]
    forward_plan_reference: Text
    cabinet_members: Annotated[list[CabinetMember], Field(min_length=1)]
    contact_officers: Annotated[list[ContactOfficer], Field(min_length=1)]
    wards: Text
    recommendations: Recommendations
    large_print_phone: Text
    business_cases: dict[str, BusinessCaseWording] = {}
    #: The DfE's number for the authority (Rutland: 857), for the DSG management plan return.
    la_number: Annotated[str, BeforeValidator(_la_number)] | None = None


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


def _expected(error: dict[str, Any]) -> str:
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
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextLoader)
    except RecursionError:
        raise InputDataError(f"{path.name}: {TOO_DEEP}") from None
    except yaml.YAMLError as exc:
        raise InputDataError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InputDataError(f"{path.name}: expected keys and values at the top level")
    _check_texts(path.name, _texts(data, ""))
    try:
        metadata = PaperMetadata.model_validate(data)
    except ValidationError as exc:
        problems = []
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
    typed = [
        f"{path.name}: key '{key}': the figure '{figure}' is typed into the text; figures must "
        "come from the data: use a placeholder such as {{ fig.name | gbp_m(1) }}"
        for key, text in _texts(data, "")
        for _, figure in find_typed_figures(text)
    ]
    if typed:
        raise InputDataError(f"{path.name} has figures typed into its text.", typed)
    return metadata.model_dump()
