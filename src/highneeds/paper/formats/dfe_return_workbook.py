"""The DfE return as a file: the figures' sheets notebook 04 drew up from the model's tables
(:mod:`highneeds.paper.formats.dfe_return`, kept in the run as
``processed/dfe_return_figures.json``),
with the cover (the authority, the version and date, sign-off by the Director of Children's
Services and the Chief Finance Officer) and the paper's own words as the narrative, written as
the workbook the council files. The render writes it without pandas: the figures are plain
numbers by then.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from highneeds.paper.formats.workbook import Line, Sheet, write_workbook

#: Where notebook 04 keeps the return's figures in a run's ``processed`` folder.
FIGURES_FILE = "dfe_return_figures.json"
SIGN_OFF = ("Director of Children's Services", "Chief Finance Officer (s151 officer)")


@dataclass
class ReturnFigures:
    """The return's sheets of figures: those the DfE's template has (before the narrative)
    and those it has no place for (after it)."""

    template: list[Sheet]
    beyond_template: list[Sheet] = field(default_factory=list)

    def to_json(self) -> str:
        """The sheets as JSON: each line's values plain numbers, a value not given ``null``."""
        return json.dumps(
            {
                "template": [_sheet_data(sheet) for sheet in self.template],
                "beyond_template": [_sheet_data(sheet) for sheet in self.beyond_template],
            },
            indent=1,
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> ReturnFigures:
        data = json.loads(text)
        return cls(
            [_sheet(sheet) for sheet in data["template"]],
            [_sheet(sheet) for sheet in data["beyond_template"]],
        )


def _number(value: Any) -> float | None:
    """A value as JSON holds it: a float, or None where not given (None or NaN)."""
    if value is None or value != value:
        return None
    return float(value)


def _sheet_data(sheet: Sheet) -> dict[str, Any]:
    lines: list[dict[str, Any]] = []
    for line in sheet.lines:
        if isinstance(line, Line):
            entry = asdict(line)
            entry["values"] = [_number(v) for v in line.values]
            lines.append({"line": entry})
        else:
            lines.append({"row": list(line)})
    return {
        "title": sheet.title,
        "header": list(sheet.header),
        "years": list(sheet.years),
        "lines": lines,
    }


def _sheet(data: Mapping[str, Any]) -> Sheet:
    lines: list[Line | tuple[Any, ...]] = []
    for entry in data["lines"]:
        if "line" in entry:
            line = dict(entry["line"])
            line["labels"] = tuple(line["labels"])
            lines.append(Line(**line))
        else:
            lines.append(tuple(entry["row"]))
    return Sheet(data["title"], tuple(data["header"]), list(data["years"]), lines)


def cover(meta: Mapping[str, Any], cycle: str, created: datetime) -> Sheet:
    number = meta.get("la_number") or "not given: add la_number (the DfE's number) to paper.yaml"
    rows: list[Line | tuple[Any, ...]] = [
        ("Local authority", meta["council"]),
        ("Local authority number", number),
        # The cycle is the version (one return a cycle); the date a date cell, as the
        # template's own field is.
        ("Version", cycle),
        ("Date", created.date()),
        ("Presented to", f"{meta['committee']}, {meta['meeting']}: {meta['title']}"),
        ("Money", "£000 (thousands of pounds); spending positive, income and savings in brackets"),
        ("Children", "whole numbers of children and young people with an EHCP"),
        (
            "Kind",
            "each line says whether its figures are given (an input of the cycle), "
            "calculated (arithmetic on the inputs) or modelled (resting on an assumption)",
        ),
        (),
        ("Sign-off", "Name", "Signature", "Date"),
        *((role, "", "", "") for role in SIGN_OFF),
    ]
    return Sheet("Cover", ("Dedicated schools grant (DSG) management plan",), lines=rows)


def narrative(paragraphs: Sequence[tuple[str, str, str]], committee: str) -> Sheet:
    rows: list[Line | tuple[Any, ...]] = [
        (section, number, text) for section, number, text in paragraphs
    ]
    section = f"Section of the {committee} paper"
    return Sheet("Narrative", (section, "Para", "Text"), lines=rows)


def write_dfe_return(
    target: Path,
    figures: ReturnFigures,
    *,
    meta: Mapping[str, Any],
    cycle: str,
    created: datetime,
    derivations: Mapping[str, Mapping[str, Any]],
    paragraphs: Sequence[tuple[str, str, str]],
) -> None:
    """Write the return as an XLSX workbook at ``target`` (metadata dated ``created``): the
    cover, the template's sheets, the narrative, then any sheet the template has no place for."""
    sheets = [
        cover(meta, cycle, created),
        *figures.template,
        narrative(paragraphs, str(meta["committee"])),
        *figures.beyond_template,
    ]
    author = str(meta.get("report_of") or meta.get("author") or meta["council"])
    write_workbook(target, sheets, created, author, derivations)


def paper_paragraphs(html: str) -> list[tuple[str, str, str]]:
    """Each numbered paragraph of the paper's HTML: its section's heading, its number, its
    text (the narrative tab, in the paper's own words); then the notes its figures are marked
    with ("note a"), so the tab has the key to its marks."""
    from highneeds.paper.formats.word import parse_html

    def clean(text: str) -> str:
        return " ".join(text.split())

    out = []
    for section in parse_html(html).find_all("section"):
        if "section" not in section.classes:
            continue
        heading = next(iter(section.find_all("h2")), None)
        title = clean(heading.text()) if heading else ""
        for para in (d for d in section.find_all("div") if "para" in d.classes):
            parts = [c for c in para.children if not isinstance(c, str)]
            number = next((clean(c.text()) for c in parts if "para-number" in c.classes), "")
            body = next((c for c in parts if "para-body" in c.classes), None)
            # The paragraph's words: its text paragraphs (a table or chart in it is not prose).
            texts = [
                clean(c.text())
                for c in (body.children if body else [])
                if not isinstance(c, str) and c.tag == "p"
            ]
            out.append((title, number, " ".join(texts)))
    # The key to the notes the paragraphs mark ("note a"), as the paper gives it.
    for item in parse_html(html).find_all("li"):
        letter = str(item.attrs.get("id", "")).removeprefix("figure-note-")
        if letter and letter != item.attrs.get("id"):
            text = clean(item.text())
            out.append(
                ("Notes on the figures", f"note {letter}", text.removeprefix(letter).strip())
            )
    return out
