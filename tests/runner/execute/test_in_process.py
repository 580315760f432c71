"""Notebooks run in this process, as the preview runs them."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from highneeds.runner.execute.in_process import run_notebook_in_process


def _notebook(tmp_path: Path, *cells) -> Path:
    path = tmp_path / "example.ipynb"
    nbformat.write(new_notebook(cells=list(cells)), path)
    return path


def test_parameters_override_the_defaults_and_tagged_cells_are_skipped(tmp_path, capsys) -> None:
    path = _notebook(
        tmp_path,
        new_markdown_cell("# not code"),
        new_code_cell("before = 'ran'"),
        new_code_cell("cycle = '2021-01'\ndraws = 10", metadata={"tags": ["parameters"]}),
        new_code_cell("print('hidden')\nseen = (cycle, draws)"),
        new_code_cell("raise AssertionError('never run')", metadata={"tags": ["paper"]}),
    )
    namespace = run_notebook_in_process(path, {"cycle": "2022-01"}, skip_tags={"paper"})
    assert namespace["before"] == "ran"
    assert namespace["seen"] == ("2022-01", 10)
    assert capsys.readouterr().out == ""


def test_an_error_names_the_notebook_and_cell(tmp_path) -> None:
    path = _notebook(tmp_path, new_code_cell("x = 1"), new_code_cell("y = x / 0"))
    with pytest.raises(ZeroDivisionError) as raised:
        run_notebook_in_process(path, {})
    assert any(str(entry.path) == "example.ipynb, cell 1" for entry in raised.traceback), (
        raised.traceback
    )
