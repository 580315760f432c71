"""A run's steps the plain way, beside the fast one: each notebook run by papermill on a kernel
of its own, one after another, then the render in this process. No kernel is started ahead or
shared, no step works ahead of the gate, no render worker or partner is forked, no step is
reused. It makes the same bytes as a run (``tests/runner/execute/test_plain.py``): all the
speed machinery of :func:`highneeds.runner.execute.overlap.execute_steps` is for speed alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from highneeds.runner.archive.archive import normalise_notebook
from highneeds.runner.execute.kernels import KERNEL_NAME, ensure_kernel
from highneeds.runner.execute.options import run_environment
from highneeds.runner.execute.render_step import render_paper
from highneeds.runner.execute.steps import STEPS


def run_plainly(run_dir: Path, root: Path, plan: dict[str, dict[str, Any]], epoch: str) -> None:
    """Run every step of a run whose inputs are in ``run_dir/inputs``, in ``run_dir``, with
    each notebook's parameters from ``plan`` and the outputs dated ``epoch``."""
    import papermill

    ensure_kernel()
    (run_dir / "notebooks").mkdir(exist_ok=True)
    with run_environment(root, epoch):
        for step in STEPS:
            if not step.notebook:
                render_paper(run_dir, epoch)
                continue
            name = f"{step.name}.ipynb"
            papermill.execute_notebook(
                str(root / "notebooks" / name),
                str(run_dir / "notebooks" / name),
                parameters=plan.get(step.name, {}),
                kernel_name=KERNEL_NAME,
                cwd=str(run_dir),
                progress_bar=False,
            )
            normalise_notebook(run_dir / "notebooks" / name, f"notebooks/{name}")
