"""The auditor's edition of the paper: the Cabinet paper with the figures of each paragraph
listed under it, each linked to how it was computed, in an appendix that goes down to the
cells of the input files. Every run writes it beside the Cabinet paper, which stays as it is.

It is built from what the run recorded: the paper's printed figures (``paper_figures.json``:
text, paragraph, the model figure each is) and the notebooks' lineage (``lineage_*.json``),
both as plain data, so the paper stage needs nothing of the model's code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bs4 import BeautifulSoup, Tag

from highneeds.common.templating import render_template
from highneeds.domain.amounts import value_text, written_arithmetic
from highneeds.domain.figure_kinds import kind_of

_LEAVES = ("input", "constant")

Derivations = Mapping[str, Mapping[str, Any]]


def audit_edition(
    paper_html: str,
    figures: Sequence[Mapping[str, Any]],
    derivations: Derivations,
    claims: Sequence[str] = (),
    inputs: Sequence[str] = (),
) -> str:
    """The auditor's edition of ``paper_html`` (the Cabinet paper's HTML), listing first the
    ``claims`` of the narrative the run warned of (:mod:`highneeds.paper.text.claims`). Each input
    cell links to its file among ``inputs``, the run's archived inputs (``inputs/<file>``
    beside the edition, in its run folder and through the cycle's stable names)."""
    anchors = _number(figures, derivations)
    links = _InputLinks(inputs)
    listed: dict[str | None, list[dict[str, Any]]] = {}
    for record in figures:
        if _traced(record, derivations):
            listed.setdefault(record.get("paragraph"), []).append(
                _listed(record, derivations, anchors, links)
            )
    soup = BeautifulSoup(paper_html, "html.parser")
    if soup.title is not None and soup.title.string:
        soup.title.string = f"Auditor's edition: {soup.title.string}"
    main = soup.find("main")
    if not isinstance(main, Tag):
        raise ValueError("the paper has no <main> element for the auditor's notes")
    notice = render_template("highneeds.paper", "parts/audit-notice.html.j2", claims=claims)
    main.insert(0, _fragment(notice))
    unplaced = list(listed.get(None, []))
    for paragraph, items in listed.items():
        if paragraph is None:
            continue
        target = soup.find(id=f"para-{paragraph.replace('.', '-')}")
        if not isinstance(target, Tag):  # listed with the figures no paragraph holds
            unplaced += items
            continue
        html = render_template(
            "highneeds.paper",
            "parts/audit-figures.html.j2",
            place=f"paragraph {paragraph}",
            figures=_unique(items),
        )
        body = target.find(class_="para-body")
        (body if isinstance(body, Tag) else target).append(_fragment(html))
    appendix = render_template(
        "highneeds.paper",
        "parts/audit-derivations.html.j2",
        derivations=[_shown(key, derivations, anchors, links) for key in anchors],
        unplaced=_unique(unplaced),
    )
    main.append(_fragment(appendix))
    return str(soup)


def _fragment(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _number(figures: Sequence[Mapping[str, Any]], derivations: Derivations) -> dict[str, str]:
    """An anchor (``d-1``, ...) for every derivation the printed figures rest on, each once,
    in the order the paper first reaches it."""
    anchors: dict[str, str] = {}

    def visit(key: str) -> None:
        key = named_figure(key, derivations)
        if key in anchors or derivations[key]["rule"] in _LEAVES:
            return
        anchors[key] = f"d-{len(anchors) + 1}"
        for term in derivations[key]["terms"]:
            visit(term["key"])

    for record in figures:
        if _traced(record, derivations):
            visit(str(record["traces"]).lstrip("-"))
    return anchors


def _traced(record: Mapping[str, Any], derivations: Derivations) -> bool:
    """Whether the run recorded how the printed figure was computed."""
    return bool(record.get("traces")) and str(record["traces"]).lstrip("-") in derivations


class _InputLinks:
    """Where an input cell's file is among the run's archived inputs: a cell names its file
    as its author sees it (``budget.xlsx (sheet 'Forecast')``), which starts with the name."""

    def __init__(self, inputs: Sequence[str]) -> None:
        self.names = sorted(inputs, key=len, reverse=True)

    def href(self, item: Mapping[str, Any]) -> str | None:
        from urllib.parse import quote

        cell = item.get("cell")
        if not cell:
            return None
        named = str(cell["file"])
        found = next((n for n in self.names if named == n or named.startswith(f"{n} (")), None)
        return None if found is None else f"inputs/{quote(found)}"


def _cell_text(item: Mapping[str, Any]) -> str:
    cell = item["cell"]
    if cell["row"] is not None:
        return f"{cell['file']}, row {cell['row']}, column '{cell['column']}'"
    if cell["column"] == cell["text"]:
        return f"{cell['file']}, header row"
    return f"{cell['file']}, {cell['column']}" if cell["column"] else cell["file"]


def _listed(
    record: Mapping[str, Any],
    derivations: Derivations,
    anchors: dict[str, str],
    links: _InputLinks,
) -> dict[str, Any]:
    traces = str(record["traces"])
    key = named_figure(traces.lstrip("-"), derivations)
    item = derivations[key]
    return {
        "text": record["text"],
        "label": derivations[traces.lstrip("-")]["label"],
        "negated": traces.startswith("-"),
        "anchor": anchors.get(key),
        "cell": _cell_text(item) if item.get("cell") else None,
        "href": links.href(item),
    }


def _unique(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, kept = set(), []
    for item in items:
        marker = (item["text"], item["label"])
        if marker not in seen:
            seen.add(marker)
            kept.append(item)
    return kept


def _shown(
    key: str, derivations: Derivations, anchors: dict[str, str], links: _InputLinks
) -> dict[str, Any]:
    item = derivations[key]
    terms: list[dict[str, Any]] = []
    cells: dict[str, Any] = {}
    for term in item["terms"]:
        target = named_figure(term["key"], derivations)
        found = derivations[target]
        if item["rule"] == "described" and found.get("cell") and found["cell"]["row"]:
            cells.setdefault(found["cell"]["file"], set()).add(found["cell"]["row"])
            continue  # a simulation reads whole tables: its cells are summed up by row below
        terms.append(
            {
                "label": term["label"],
                "value": value_text(found["value"]),
                "anchor": anchors.get(target),
                "cell": _cell_text(found) if found.get("cell") else None,
                "href": links.href(found),
            }
        )
    values = [(derivations[t["key"]]["value"], t["sign"]) for t in item["terms"]]
    return {
        "anchor": anchors[key],
        "key": key,
        "label": item["label"],
        "value": value_text(item["value"]),
        "formula": item["formula"],
        "arithmetic": written_arithmetic(item["rule"], values),
        "computed_in": item["computed_in"],
        "kind": kind_of(key, derivations),
        "recipe": [tuple(pair) for pair in item.get("recipe", ())],
        "terms": terms,
        "cells": [
            f"{file}, row{'s' if len(rows) > 1 else ''} {', '.join(map(str, sorted(rows)))}"
            for file, rows in cells.items()
        ],
    }


def named_figure(key: str, derivations: Derivations) -> str:
    """The figure ``key`` names: itself, or, for a figure that is another's value under a
    second name (a table's line is its cell), the one it stands for."""
    item = derivations[key]
    while item["rule"] == "same" and len(item["terms"]) == 1 and not item["formula"]:
        key = item["terms"][0]["key"]
        item = derivations[key]
    return key
