"""Every number a published paper or DfE return prints is a model output or an input cell.

The paper records each figure it prints (``paper_figures.json``: its text, where, and the
lineage key it traces); the return records each line's values with their keys
(``dfe_return_figures.json``). These helpers read a published cycle and list what neither
accounts for: a number in a paragraph or a table that is not the text of a figure recorded
there (besides years, paragraph and section numbers, and numbers in the author's own words),
a return value with no key, and a key whose lineage value is not the value printed.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from lxml import html as lxml_html

from highneeds.model.basis.lineage import read_lineage
from highneeds.model.forecast.backtest import INTERVAL

#: A number as the paper prints one: not a digit inside a name (SEN2, v3.0), not an ordinal
#: (the 90th percentile, the 1st of April), not the unit of a table (£000).
NUMBER = re.compile(r"(?<![A-Za-z\d.,/])\d[\d,]*(?:\.\d+)?(?:/\d\d)?(?![\d,]*(?:st|nd|rd|th)\b)")
#: Words with a number that is no figure: a table's unit, and the name of the history's
#: interval, made from its percentiles (the 80% interval).
_NOT_FIGURES = re.compile(rf"£000\b|{re.escape(INTERVAL)}")
_YEAR = re.compile(r"(19|20)\d\d(/\d\d)?")


def _author_words(inputs: Path) -> str:
    """The author's own words (the narrative and paper.yaml), as plain words."""
    text = " ".join(
        (inputs / name).read_text(encoding="utf-8")
        for name in ("narrative.md", "paper.yaml")
        if (inputs / name).is_file()
    )
    return _plain(text)


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[*_`#>\[\]\"'|]", " ", text).split())


#: A number the paper prints as a reference, not a figure: a section, a table, an item.
_REFERENCE = re.compile(r"(?:Section|section|paras?|Table|Figure|Appendix|item)\s*$")


def _words_around(text: str, start: int, end: int) -> str:
    """The number at ``text[start:end]`` with the two words before it and the one after, as
    they run in the text."""
    before = re.search(r"(?:\S+\s+){0,2}\S*$", text[:start])
    after = re.match(r"\S*(?:\s+\S+)?", text[end:])
    return _plain(
        (before.group() if before else "") + text[start:end] + (after.group() if after else "")
    )


def _blanked(match: re.Match[str]) -> str:
    """Text taken out, its length kept (so that a number's place in the text stays put)."""
    return "\0" * len(match.group())


def paper_residue(cycle_reports: Path) -> list[str]:
    """The numbers the paper's paragraphs and tables print that no figure recorded in that
    paragraph accounts for, besides years, references (a section, a table) and numbers in a
    phrase the author wrote; each with where it is and the words around it."""
    run = cycle_reports / "current"
    records = json.loads((run / "processed" / "paper_figures.json").read_text(encoding="utf-8"))
    lineage = read_lineage(run / "processed")
    texts: dict[str, list[str]] = defaultdict(list)
    problems = []
    for record in records:
        texts[str(record["paragraph"])].append(str(record["text"]))
        if str(record["traces"]).lstrip("-") not in lineage:
            problems.append(f"{record['id']}: traces {record['traces']}, not in the lineage")
    author = _author_words(run / "inputs")
    document = lxml_html.parse(str(cycle_reports / "cabinet-report.html")).getroot()
    for mark in document.xpath(
        "//sup[a[contains(@class, 'figure-note-mark')]]"
        " | //*[contains(@class, 'visually-hidden')] | //a[contains(@class, 'xref')]"
    ):
        mark.drop_tree()
    for paragraph in document.xpath("//div[contains(@class, 'para')][@id]"):
        number = paragraph.xpath("string(.//span[@class='para-number'])")
        recorded = sorted(texts.get(number, []), key=len, reverse=True)
        pieces = [("table", c.text_content()) for c in paragraph.xpath(".//td | .//figcaption")]
        for part in paragraph.xpath(".//table | .//figure"):
            part.drop_tree()
        pieces.append(("para", " ".join(paragraph.xpath(".//div[@class='para-body']//text()"))))
        for kind, text in pieces:
            rest = _NOT_FIGURES.sub(_blanked, text)
            for printed in recorded:  # a recorded figure's text, not inside a longer number
                found = re.compile(rf"(?<![\d.,]){re.escape(printed)}(?![\d])")
                rest = found.sub(_blanked, rest)
            for found in NUMBER.finditer(rest):
                value = found.group().rstrip(".,")
                words = _words_around(text, found.start(), found.end())
                if (
                    _YEAR.fullmatch(value)
                    or _REFERENCE.search(text[: found.start()])
                    or words in author
                ):
                    continue
                problems.append(f"{kind} in para {number}: {value!r} in '{words}'")
    return problems


def return_residue(cycle_reports: Path) -> list[str]:
    """The DfE return's values that carry no lineage key, or whose key's value is not the
    value printed, for a published cycle."""
    processed = cycle_reports / "current" / "processed"
    sheets = json.loads((processed / "dfe_return_figures.json").read_text(encoding="utf-8"))
    return return_problems(sheets, read_lineage(processed))


def return_problems(sheets: dict[str, Any], lineage: dict[str, Any]) -> list[str]:
    """The values of the return's sheets (as ``dfe_return_figures.json`` keeps them) with no
    lineage key, or whose key's value is not the value printed (a key written ``-key`` prints
    the figure with its sign turned)."""
    problems = []
    for sheet in sheets["template"] + sheets["beyond_template"]:
        for item in sheet["lines"]:
            line = item.get("line")
            if not line:
                continue
            keys = [*line.get("keys", []), *[""] * len(line["values"])]  # a key a year
            for value, key in zip(line["values"], keys, strict=False):
                where = f"{sheet['title']}: {' / '.join(line['labels'])}"
                if value is None:
                    continue
                if not key:
                    problems.append(f"{where}: {value} has no lineage key")
                    continue
                traced = lineage.get(key.lstrip("-"), {}).get("value")
                sign = -1 if key.startswith("-") else 1
                if not isinstance(traced, int | float) or not math.isclose(
                    sign * float(traced), float(value), abs_tol=1e-6
                ):
                    problems.append(f"{where}: {value} but {key} is {traced!r}")
    return problems
