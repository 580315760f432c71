"""Executed notebooks are stored so that the same inputs give the same bytes."""

from __future__ import annotations

from pathlib import Path

import nbformat

from highneeds.runner.archive import normalise_notebook


def executed(path: Path, pieces: list[str]) -> Path:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("for name in names: print(name)", id="print-names")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in pieces]
    notebook.cells = [cell]
    nbformat.write(notebook, path)
    return path


def test_printed_lines_flushed_in_pieces_are_stored_as_one_output(tmp_path: Path) -> None:
    split = executed(tmp_path / "split.ipynb", ["a.csv\nb.csv\n", "c.csv\n"])
    whole = executed(tmp_path / "whole.ipynb", ["a.csv\nb.csv\nc.csv\n"])
    for path in (split, whole):
        normalise_notebook(path, "notebooks/02_deficit_model.ipynb")
    assert split.read_bytes() == whole.read_bytes()
    (cell,) = nbformat.read(split, as_version=4).cells
    assert [o.text for o in cell.outputs] == ["a.csv\nb.csv\nc.csv\n"]
