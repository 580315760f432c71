"""A notebook's code run in this process, as papermill runs it in a kernel: for the preview,
which keeps one warm interpreter (Great Expectations, pandas, the renderer imported once)
and so cannot differ from a run in what the notebooks compute."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import nbformat


def run_notebook_in_process(
    notebook: Path, parameters: Mapping[str, Any], skip_tags: Collection[str] = ()
) -> dict[str, Any]:
    """Execute ``notebook``'s code cells in order in a fresh namespace and return it.

    ``parameters`` override the defaults of the cell tagged ``parameters`` right after it
    runs, as papermill's injected cell does. Cells with a tag in ``skip_tags`` are left out
    (the preview renders the ``paper`` cells' HTML itself). What the cells print is not
    shown; an exception propagates with the cell named in its traceback.
    """
    cells = nbformat.read(notebook, as_version=4).cells
    namespace: dict[str, Any] = {"__name__": f"notebook_{notebook.stem}"}
    for index, cell in enumerate(cells):
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type != "code" or tags & set(skip_tags):
            continue
        code = compile(cell.source, f"{notebook.name}, cell {index}", "exec")
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, namespace)  # the project's own notebooks, never an input
        if "parameters" in tags:
            namespace.update(parameters)
    return namespace
