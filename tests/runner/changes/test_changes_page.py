"""changes.html is copied from the published run where it would read the same, drawn by the same
code, and drawn again in every other case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from highneeds.runner.archive.archive import hash_files, hashes_kept
from highneeds.runner.changes import changes_page
from highneeds.runner.changes.changes import CellChange, FigureChange
from highneeds.runner.changes.changes_page import PAGE_KEY, PageContent, write_page

CODE = {"code": "c0de", "uv_lock": "10ck"}


def content(final_deficit: float = 3853.0, edited: str = "narrative.md (edited)") -> PageContent:
    figure = FigureChange("para 2.5", "para 2.5", "£1m", "£2m", ["figures.csv: cpi, value: 1 → 2"])
    cell = CellChange("figures", "figures.csv", "cpi", "value", "1", "2", 4)
    comparison = {
        "compared_with": "the previously published paper of cycle 2022-01",
        "figures": [figure],
        "cells": [cell],
        "texts": [edited],
    }
    history = [
        {"cycle": "2021-12", "final_year": "2024/25", "values": _values(3700.0)},
        {"cycle": "2022-01", "final_year": "2024/25", "values": _values(final_deficit)},
    ]
    return PageContent([comparison], "no earlier paper", history)


def _values(unmitigated: float) -> dict[str, float | None]:
    return {"unmitigated": unmitigated, "mitigated": 3592.0, "cost_per_plan": 20.2, "plans": 338}


def published_run(folder: Path, page: PageContent, code: dict[str, str] = CODE) -> Path:
    """A run folder as a published run leaves it: its page, the page's key in changes.json and
    the page's hash among its manifest's documents."""
    folder.mkdir(parents=True)
    key = write_page(folder, page, code, None)
    (folder / "changes.json").write_text(json.dumps({PAGE_KEY: key}))
    documents = hash_files(folder, [folder / "changes.html"])
    (folder / "manifest.json").write_text(json.dumps({"status": "ok", "documents": documents}))
    return folder


def no_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        changes_page, "render_page", lambda content: pytest.fail("the page was drawn again")
    )


def test_a_page_that_would_read_the_same_is_copied_from_the_published_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = published_run(tmp_path / "published", content())
    drawn = (published / "changes.html").read_bytes()
    assert b"<img src=" in drawn  # two papers: the history chart is on the page
    no_drawing(monkeypatch)
    run = tmp_path / "run"
    run.mkdir()
    with hashes_kept():
        write_page(run, content(), CODE, published)
    assert (run / "changes.html").read_bytes() == drawn


@pytest.mark.parametrize(
    ("page", "code"),
    [
        (content(final_deficit=3900.0), CODE),  # a paper's headline figure moved
        (content(edited="paper.yaml (edited)"), CODE),  # another text file was edited
        (content(), CODE | {"code": "changed"}),  # the package that draws the page changed
        (content(), CODE | {"uv_lock": "changed"}),  # the libraries it is drawn with changed
    ],
)
def test_a_page_that_would_read_otherwise_or_be_drawn_otherwise_is_drawn_again(
    tmp_path: Path, page: PageContent, code: dict[str, str]
) -> None:
    published = published_run(tmp_path / "published", content())
    run = tmp_path / "run"
    run.mkdir()
    with hashes_kept():
        key = write_page(run, page, code, published)
    assert key != json.loads((published / "changes.json").read_text())[PAGE_KEY]
    expected = changes_page.render_page(page) + "\n"
    assert (run / "changes.html").read_text(encoding="utf-8") == expected


def test_a_published_page_edited_since_its_run_is_not_copied(tmp_path: Path) -> None:
    published = published_run(tmp_path / "published", content())
    page = published / "changes.html"
    page.write_text(page.read_text().replace("What changed", "Nothing changed"))
    run = tmp_path / "run"
    run.mkdir()
    with hashes_kept():
        write_page(run, content(), CODE, published)
    assert "Nothing changed" not in (run / "changes.html").read_text()
    assert "What changed" in (run / "changes.html").read_text()


@pytest.mark.parametrize("recorded", ["{}", "not json", None])
def test_a_published_run_that_recorded_no_page_key_has_its_page_drawn_again(
    tmp_path: Path, recorded: str | None
) -> None:
    published = published_run(tmp_path / "published", content())
    (published / "changes.html").write_text("an older run's page")  # its manifest agrees:
    documents = hash_files(published, [published / "changes.html"])
    (published / "manifest.json").write_text(json.dumps({"status": "ok", "documents": documents}))
    if recorded is None:
        (published / "changes.json").unlink()
    else:
        (published / "changes.json").write_text(recorded)
    run = tmp_path / "run"
    run.mkdir()
    with hashes_kept():
        write_page(run, content(), CODE, published)
    assert "What changed in the paper" in (run / "changes.html").read_text()


def test_a_page_copied_after_it_and_its_hash_were_edited_is_caught_by_verify(
    tmp_path: Path,
) -> None:
    """A published page edited together with its manifest's hash is copied by the next run
    whose content is the same (nothing proves the bytes but the manifest); verify draws the
    copy again from the content the run recorded, and names it."""
    from highneeds.runner.changes.changes import page_redraw_problems

    published = published_run(tmp_path / "published", content())
    assert page_redraw_problems(published) == []  # the page is its content's
    page = published / "changes.html"
    page.write_text(page.read_text().replace("£2m", "£9m"))
    documents = hash_files(published, [page])
    (published / "manifest.json").write_text(json.dumps({"status": "ok", "documents": documents}))
    run = tmp_path / "run"
    run.mkdir()
    write_page(run, content(), CODE, published)
    assert "£9m" in (run / "changes.html").read_text()  # copied: its hash was made to agree
    assert page_redraw_problems(run) == [
        "changes.html: differs when drawn again from its content (changes-page.json)"
    ]
    assert page_redraw_problems(tmp_path / "published") != []  # the edited page itself too


def test_a_run_from_before_the_content_was_recorded_has_nothing_to_redraw(tmp_path: Path) -> None:
    from highneeds.runner.changes.changes import page_redraw_problems

    published = published_run(tmp_path / "published", content())
    (published / "changes-page.json").unlink()
    assert page_redraw_problems(published) == []
    (published / "changes-page.json").write_text("{not json")
    assert page_redraw_problems(published)[0].startswith("changes-page.json: cannot be read")
