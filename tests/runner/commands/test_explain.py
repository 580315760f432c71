"""`pipeline.py explain` on the shipped paper: every printed figure is traced to input cells by
arithmetic that redoes it, and a changed input cell is named behind every figure that moved."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pytest

from highneeds.runner.commands.explain import explain, load_run
from tests.conftest import CYCLE, HTML_ONLY, edited, reports, run_pipeline
from tests.lineage_oracle import redo, redoes

pytestmark = pytest.mark.e2e


def test_every_printed_figure_is_traced_to_input_cells(published: Path) -> None:
    records, lineage = load_run(reports(published) / "current")
    assert len(records) > 150
    for record in records:
        key = str(record["traces"]).lstrip("-")
        assert key in lineage, record["id"]
        derivation = lineage[key]
        leaves = lineage.inputs_of(key)
        assert leaves and all(leaf.cell is not None for leaf in leaves), record["id"]
        if isinstance(record["value"], int | float) and not isinstance(record["value"], bool):
            # What the paper printed is the value the lineage records (before formatting).
            assert math.isclose(record["value"], float(derivation.value), abs_tol=1e-9), record
    for key in lineage:
        derivation = lineage[key]
        assert redoes(derivation, lineage), (key, derivation.value, redo(derivation, lineage))


def test_explain_traces_3853_in_para_7_13_to_four_budget_cells(published: Path) -> None:
    result = run_pipeline(published, "--cycle", CYCLE, "7.13", command="explain")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    start = text.index("£3,853k in para 7.13: Deficit carried forward at the end of 2024/25")
    block = text[start : text.index("\n\n", start)]
    assert "= B/Fwd + transfer + allocation + placement costs" in block
    assert "= 2,648 + (132) + (5,486) + 6,823 = 3,853" in block
    for cell in (
        "row 2, column '2024/25': 2,648",
        "row 3, column '2024/25': (132)",
        "row 4, column '2024/25': (5,486)",
        "row 5, column '2024/25': 6,823",
    ):
        assert f"from high_needs_budget.csv, {cell}" in block
    assert "02_deficit_model.ipynb: Roll forward and reconcile the typed table" in block


def test_explain_json_and_an_unknown_place(published: Path) -> None:
    result = run_pipeline(
        published, "--format", "json", "mitigated.cfwd[2024/25]", command="explain"
    )
    payload = json.loads(result.stdout)
    assert {f["printed"] for f in payload["figures"]} == {"£3,592k", "3,592"}  # para and table
    figure = payload["figures"][0]
    assert figure["key"] == "mitigated.cfwd[2024/25]"
    assert figure["derivation"]["rule"] == "sum"
    cells = {(c["row"], c["column"], c["text"]) for c in figure["input_cells"]}
    assert (7, "2024/25", "(135)") in cells  # the Recovery Plan Impact behind it
    missing = run_pipeline(published, "7.99", command="explain")
    assert missing.returncode == 2
    assert "nothing printed at '7.99'" in missing.stderr and "did you mean 7.9?" in missing.stderr


def test_a_changed_cell_is_named_behind_every_figure_that_moved(
    published: Path, project: Path
) -> None:
    copy = project
    budget = copy / "data" / "raw" / CYCLE / "high_needs_budget.csv"
    with edited(
        budget, "Recovery Plan Impact,,,(33),(93),(135)", "Recovery Plan Impact,,,(33),(93),(175)"
    ):
        assert run_pipeline(copy, "-q", *HTML_ONLY).returncode == 0
    before, _ = load_run(reports(published) / "current")
    after, lineage = load_run(reports(copy) / "current")
    shown = {r["id"]: r["text"] for r in before}
    moved = [r for r in after if shown.get(r["id"]) != r["text"]]
    assert len(moved) >= 5  # the mitigated line, the scenarios, the tornado, the simulations
    for record in moved:
        cells = {str(leaf.cell) for leaf in lineage.inputs_of(str(record["traces"]).lstrip("-"))}
        assert "high_needs_budget.csv, row 7, column '2024/25': (175)" in cells, record["id"]
    explained = explain(copy, CYCLE, "mitigated.cfwd[2024/25]")
    assert "from high_needs_budget.csv, row 7, column '2024/25': (175)" in explained.as_text()


def test_the_auditors_edition_links_every_paragraphs_figures_to_their_derivations(
    published: Path,
) -> None:
    from bs4 import BeautifulSoup

    folder = reports(published)
    edition = folder / "cabinet-report-audit.html"
    assert edition.is_symlink()  # a stable name, switched with the rest of the paper
    soup = BeautifulSoup(edition.read_text(encoding="utf-8"), "html.parser")
    records, _ = load_run(folder / "current")
    for paragraph in {r["paragraph"] for r in records if r.get("paragraph")}:
        listed = soup.find(id=f"para-{paragraph.replace('.', '-')}").find(class_="audit-figures")
        shown = listed.get_text(" ", strip=True)
        for record in (r for r in records if r.get("paragraph") == paragraph):
            assert f"{record['text']}:" in shown, (paragraph, record["id"])
    targets = {tag["id"] for tag in soup.find_all(id=True)}
    links = [a["href"] for a in soup.find_all("a", href=True) if a["href"].startswith("#")]
    assert len(links) > 100 and all(link[1:] in targets for link in links)
    # Each input cell links to the archived file, from the stable name and the run folder.
    files = {a["href"] for a in soup.find_all("a", href=True) if a["href"].startswith("inputs/")}
    assert "inputs/high_needs_budget.csv" in files
    run_folder = (folder / "current").resolve()
    assert all((folder / f).is_file() and (run_folder / f).is_file() for f in files)
    text = soup.find(id="derivations").get_text(" ", strip=True)
    assert "2,648 + (132) + (5,486) + 6,823 = 3,853" in text
    # The Cabinet paper itself carries none of it.
    assert "audit-figures" not in (folder / "cabinet-report.html").read_text(encoding="utf-8")


def test_every_figure_the_model_derived_carries_its_note_and_no_input_does(published: Path) -> None:
    from dataclasses import asdict

    from highneeds.domain.figure_kinds import marked_family

    records, lineage = load_run(reports(published) / "current")
    plain = {key: asdict(d) for key, d in lineage.derivations.items()}
    for record in records:
        key = str(record["traces"]).lstrip("-")
        source = lineage[key]
        while source.rule == "same" and len(source.terms) == 1:
            source = lineage[source.terms[0].key]
        given = source.rule in ("input", "constant") or key == "current_year"
        assert (record["note"] is None) == given, (record["id"], source.rule)
    paper = (reports(published) / "cabinet-report.html").read_text(encoding="utf-8")
    notes = paper[paper.index('id="figure-notes"') :]
    for record in records:
        if record["note"]:
            family = marked_family(str(record["traces"]), plain)
            start = notes.index(f'id="figure-note-{record["note"]}"')
            item = notes[start : notes.index("</li>", start)]
            assert family.note in html.unescape(item), item
    # The same figure carries the same mark wherever it is printed.
    marks: dict[str, set] = {}
    for record in records:
        marks.setdefault(str(record["traces"]).lstrip("-"), set()).add(record["note"])
    assert all(len(found) == 1 for found in marks.values()), marks
    assert not re.search(r"assumption \d", paper, re.IGNORECASE)


def test_explain_takes_a_value_as_printed_and_lists_every_place(published: Path) -> None:
    result = run_pipeline(published, "--cycle", CYCLE, "£3,853k", command="explain")
    assert result.returncode == 0, result.stderr
    assert "£3,853k in para 7.13" in result.stdout
    assert "3,853 in table high_needs_budget" in result.stdout  # the same value, printed as 3,853
    assert result.stdout.startswith("The value £3,853k, wherever it is printed, of cycle")
    # A value printed by two paragraphs is listed in both (12% in 7.5 and 7.13).
    twelve = run_pipeline(published, "--cycle", CYCLE, "12%", command="explain").stdout
    assert "12% in para 7.5" in twelve and "12% in para 7.13" in twelve
