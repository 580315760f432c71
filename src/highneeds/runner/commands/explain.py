"""``python pipeline.py explain``: how each figure a paragraph of the published paper prints was
computed, down to the input cells it came from.

The run's ``processed/paper_figures.json`` says what each paragraph printed and which model
figure each printed value is (its lineage key); ``processed/lineage_*.json``, written by the
notebooks that computed them, say from what and by what rule.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from highneeds.common.errors import UsageError
from highneeds.common.paths import CyclePaths
from highneeds.domain.amounts import OPERATORS, value_text, written_arithmetic
from highneeds.domain.figure_kinds import kind_of
from highneeds.model.basis.lineage import Derivation, Lineage
from highneeds.runner.archive.publishing import find_run

FIGURES_FILE = "paper_figures.json"


@dataclass(frozen=True)
class PrintedFigure:
    """One figure as the paper printed it, and the model figure it is."""

    text: str
    key: str
    negated: bool
    paragraph: str | None
    where: str

    @property
    def place(self) -> str:
        """Where the paper prints it: ``para 7.13``, or ``table scenarios (para 7.14)``."""
        para = f"para {self.paragraph}" if self.paragraph else ""
        if self.where.startswith("table "):
            return f"{self.where} ({para})" if para else self.where
        return para or self.where


@dataclass
class Explanation:
    """The figures printed at a place of one run's paper, with the run's lineage."""

    cycle: str
    run_id: str
    where: str
    figures: list[PrintedFigure]
    lineage: Lineage
    #: How ``where`` was read: a paragraph, a figure's name or a value as printed.
    asked: str = "paragraph"

    def as_text(self) -> str:
        heading = {
            "paragraph": _place(self.where),
            "figure": f"Figure {self.where}",
            "value": f"The value {self.where}, wherever it is printed,",
        }[self.asked]
        lines = [
            f"{heading} of cycle {self.cycle} (run {self.run_id}): {len(self.figures)} figure(s)."
        ]
        shown: set[str] = set()  # each figure's derivation once; later, "shown above"
        recipes: list[tuple[tuple[str, str], ...]] = []  # each simulation's recipe once
        plain = self.lineage.as_plain()
        for figure in self.figures:
            derivation = self.lineage[figure.key]
            negated = " (printed as its negative)" if figure.negated else ""
            at = f" in {figure.place}" if figure.place else ""
            kind = kind_of(derivation.key, plain)
            lines += [
                "",
                f"{figure.text}{at}{negated}: {derivation.label} [{derivation.key}] ({kind})",
            ]
            if derivation.key in shown:
                lines.append("  (its derivation is shown above)")
                continue
            lines += _tree(self.lineage.named(derivation.key), self.lineage, "  ", shown, recipes)
        return "\n".join(lines)

    def as_json(self) -> str:
        plain = self.lineage.as_plain()
        figures = [
            {
                "printed": f.text,
                "key": f.key,
                "negated": f.negated,
                "paragraph": f.paragraph,
                "where": f.where,
                "kind": kind_of(f.key, plain),
                "derivation": _nested(self.lineage[f.key], self.lineage, set()),
                "input_cells": [
                    d.cell.__dict__ for d in self.lineage.inputs_of(f.key) if d.cell is not None
                ],
            }
            for f in self.figures
        ]
        payload = {"cycle": self.cycle, "run": self.run_id, "where": self.where}
        return json.dumps(payload | {"figures": figures}, indent=1, ensure_ascii=False)


def load_run(run_dir: Path) -> tuple[list[dict[str, Any]], Lineage]:
    """A run's printed figures and its lineage (every notebook's, merged)."""
    processed = run_dir / "processed"
    figures = json.loads((processed / FIGURES_FILE).read_text(encoding="utf-8"))
    return figures, Lineage.read(processed)


def explain(
    root: Path, cycle: str, where: str, run: str | None = None, council: str | None = None
) -> Explanation:
    """The figures printed at ``where`` (a paragraph such as ``7.13``, a model figure such as
    ``unmitigated.cfwd[2024/25]``, or a value as printed, such as ``£3,853k``: every place
    that prints it) in the published run, or in ``run``."""
    run_dir = find_run(CyclePaths(root, cycle, council), run, "to explain")
    records, lineage = load_run(run_dir)
    if not lineage.derivations:
        raise UsageError(
            f"run {run_dir.name} of cycle {cycle} recorded no lineage (it was made by an older "
            "version): run the cycle again to explain its figures"
        )
    printed = [_printed(r) for r in records if str(r.get("traces") or "").lstrip("-") in lineage]
    chosen = [f for f in printed if f.paragraph == where]
    asked = "paragraph"
    if not chosen and where.lstrip("-") in lineage:
        asked = "figure"
        chosen = [f for f in printed if f.key == where.lstrip("-")] or [
            PrintedFigure("(not printed)", where.lstrip("-"), False, None, "")
        ]
    if not chosen:  # a value as the paper prints it ("£3,853k", "3,853", "5.4%"): every place
        asked = "value"
        wanted = _as_printed(where)
        chosen = [f for f in printed if wanted and _as_printed(f.text) == wanted]
    if not chosen:
        places = sorted({f.paragraph for f in printed if f.paragraph}, key=_number_order)
        nearest = difflib.get_close_matches(where, [*places, *lineage], n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(nearest)}?" if nearest else ""
        raise UsageError(
            f"nothing printed at {where!r} in cycle {cycle}: give a paragraph of the paper "
            f"that prints figures ({', '.join(places[:12])}, ...) or a figure's name such as "
            f"unmitigated.cfwd[{_last_year(lineage)}]{hint}"
        )
    return Explanation(cycle, run_dir.name, where, _unique(chosen), lineage, asked)


def _as_printed(text: str) -> str:
    """A printed value compared as a reader types it: no spaces, no £, no thousands commas,
    no trailing k (so '£3,853k', '3,853' and '3853' are one value)."""
    plain = "".join(text.split()).removeprefix("£").replace(",", "")
    return plain.removesuffix("k") if plain[:1].isdigit() or plain[:1] == "(" else plain


def _printed(record: dict[str, Any]) -> PrintedFigure:
    key = str(record["traces"])
    return PrintedFigure(
        str(record["text"]),
        key.lstrip("-"),
        key.startswith("-"),
        record.get("paragraph"),
        str(record.get("where", "")),
    )


def _unique(figures: list[PrintedFigure]) -> list[PrintedFigure]:
    """Each figure once in each place that prints it (a value printed in two paragraphs is
    listed in both; its derivation is given once)."""
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for figure in figures:
        if (figure.text, figure.key, figure.place) not in seen:
            seen.add((figure.text, figure.key, figure.place))
            kept.append(figure)
    return kept


def _tree(
    derivation: Derivation,
    lineage: Lineage,
    indent: str,
    shown: set[str],
    recipes_shown: list[tuple[tuple[str, str], ...]] | None = None,
) -> list[str]:
    """The derivation as indented lines: rule with values (a described figure's recipe, once),
    then each term's own derivation (a figure already shown above is named, not repeated)."""
    recipes_shown = [] if recipes_shown is None else recipes_shown
    if derivation.rule == "input" and derivation.cell is not None:
        return [f"{indent}from {derivation.cell}"]
    if derivation.rule == "constant":
        return [f"{indent}the constant {value_text(derivation.value)}"]
    shown.add(derivation.key)
    where = f"   [{derivation.computed_in}]" if derivation.computed_in else ""
    lines = []
    if derivation.rule in OPERATORS:
        terms = [(lineage[t.key].value, t.sign) for t in derivation.terms]
        sums = written_arithmetic(derivation.rule, terms)
        lines.append(f"{indent}= {derivation.formula}{where}")
        lines.append(f"{indent}= {sums} = {value_text(derivation.value)}")
    elif derivation.rule == "described":
        lines.append(f"{indent}{derivation.formula}{where}")
        if derivation.recipe and derivation.recipe not in recipes_shown:
            recipes_shown.append(derivation.recipe)
            lines.append(f"{indent}  to redo it:")
            lines += [f"{indent}    {what}: {how}" for what, how in derivation.recipe]
        elif derivation.recipe:
            lines.append(f"{indent}  redone as the simulations above")
    for term in derivation.terms:
        target = lineage.named(term.key)
        if target.rule == "constant":
            continue  # its value is in the line above
        if target.key in shown:
            lines.append(f"{indent}  {term.label}: {value_text(target.value)} (shown above)")
            continue
        if derivation.rule == "described" and target.rule != "input":
            lines.append(f"{indent}  {term.label}: {value_text(target.value)} [{target.key}]")
            continue
        lines.append(f"{indent}  {term.label}: {value_text(target.value)}")
        lines += _tree(target, lineage, indent + "    ", shown, recipes_shown)
    return lines


def _nested(derivation: Derivation, lineage: Lineage, path: set[str]) -> dict[str, Any]:
    node: dict[str, Any] = {
        "key": derivation.key,
        "label": derivation.label,
        "value": derivation.value,
        "rule": derivation.rule,
        "formula": derivation.formula,
        "computed_in": derivation.computed_in,
        "cell": None if derivation.cell is None else derivation.cell.__dict__,
        "recipe": [{"what": what, "how": how} for what, how in derivation.recipe],
    }
    if derivation.key not in path:
        inner = path | {derivation.key}
        node["terms"] = [
            {"label": t.label, "sign": t.sign} | _nested(lineage[t.key], lineage, inner)
            for t in derivation.terms
        ]
    return node


def _place(where: str) -> str:
    return f"Paragraph {where}" if where[:1].isdigit() else where


def _number_order(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split(".") if part.isdigit())


def _last_year(lineage: Lineage) -> str:
    return str(lineage["last_year"].value) if "last_year" in lineage else "2024/25"
