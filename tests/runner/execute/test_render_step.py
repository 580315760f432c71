"""The render worker: the render step in a process of its own, bounded in time, killed with
every process it started (its partner among them), and its failures (its partner's among them)
reported as the render's own errors."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest

from highneeds.common.errors import HighNeedsError
from highneeds.runner.archive.outputs import (
    DFE_RETURN,
    PAPER_AUDIT,
    PAPER_HTML,
    RENDERED_FILES,
)
from highneeds.runner.execute import render_parts, render_step
from highneeds.runner.execute.render_step import RenderTimedOut, RenderWorker
from tests.conftest import CYCLE, ended


def worker_running(program: str) -> RenderWorker:
    """A worker that runs ``program`` (Python) in place of the render."""
    return RenderWorker(command=(sys.executable, "-c", program))


def test_a_render_that_overruns_is_killed_with_its_children(tmp_path: Path) -> None:
    pids = tmp_path / "pids.json"
    worker = worker_running(
        "import json, os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(pids)!r}, 'w').write(json.dumps([os.getpid(), child.pid]))\n"
        "sys.stdin.readline()\n"
        "time.sleep(600)\n"
    )
    started = time.monotonic()
    with pytest.raises(RenderTimedOut, match=r"timed out after 2 s \(--render-timeout\)") as error:
        worker.render(tmp_path, "1640995200", timeout=2)
    assert time.monotonic() - started < 30
    assert error.value.exit_code == 4
    assert ended(json.loads(pids.read_text()))


def test_the_render_is_given_its_run_folder_and_date(tmp_path: Path) -> None:
    job = tmp_path / "job.json"
    worker = worker_running(
        f"import json, sys\nopen({str(job)!r}, 'w').write(sys.stdin.readline())\n"
        "print(json.dumps({'ok': True}))\n"
    )
    worker.render(tmp_path / "run", "1640995200", timeout=60)
    assert json.loads(job.read_text()) == {"run_dir": str(tmp_path / "run"), "epoch": "1640995200"}


def test_a_render_error_keeps_its_message_and_exit_code(tmp_path: Path) -> None:
    worker = worker_running(
        "import json\nprint(json.dumps({'message': 'narrative.md: line 3: no such figure', "
        "'exit_code': 4}))\n"
    )
    with pytest.raises(HighNeedsError, match="narrative.md: line 3: no such figure") as error:
        worker.render(tmp_path, "1640995200", timeout=60)
    assert error.value.exit_code == 4


def test_a_machine_error_in_the_render_comes_back_as_that_error(tmp_path: Path) -> None:
    """A full disk in the worker is a full disk to the run (exit 7), not a failed step."""
    worker = worker_running(
        "import errno, json\nprint(json.dumps({'errno': errno.ENOSPC, "
        "'message': 'No space left on device', 'filename': 'cabinet-report.pdf'}))\n"
    )
    with pytest.raises(OSError, match="No space left on device") as error:
        worker.render(tmp_path, "1640995200", timeout=60)
    assert error.value.filename == "cabinet-report.pdf"


def test_a_worker_that_dies_says_so_with_its_last_words(tmp_path: Path) -> None:
    worker = worker_running("import sys\nsys.stderr.write('MemoryError\\n')\nsys.exit(-9)\n")
    with pytest.raises(HighNeedsError, match="the paper could not be rendered: MemoryError"):
        worker.render(tmp_path, "1640995200", timeout=60)


def test_an_unused_worker_is_stopped(tmp_path: Path) -> None:
    worker = RenderWorker()
    worker.stop()
    assert worker.process.poll() is not None


def test_a_worker_forks_its_partner_into_its_own_group_and_both_are_stopped_together() -> None:
    worker = RenderWorker()
    children = Path(f"/proc/{worker.process.pid}/task/{worker.process.pid}/children")
    program = os.fsencode("\0".join(render_step.WORKER_COMMAND) + "\0")

    def forked() -> list[int]:  # the worker's program, not another it runs
        found = []
        for pid in children.read_text().split():
            with suppress(OSError):
                if Path(f"/proc/{pid}/cmdline").read_bytes() == program:
                    found.append(int(pid))
        return found

    deadline = time.monotonic() + 30
    while not forked() and time.monotonic() < deadline:
        time.sleep(0.05)
    (partner,) = forked()
    # Forked once WeasyPrint was imported: its libraries are in the partner's memory already.
    assert "libpango" in Path(f"/proc/{partner}/maps").read_text()
    assert os.getpgid(partner) == os.getpgid(worker.process.pid) == worker.process.pid
    worker.stop()
    assert ended([worker.process.pid, partner])


def failing_partner_part(*args: object) -> None:
    error = HighNeedsError("cabinet-report.docx: disk quota")
    error.exit_code = 7
    raise error


def test_the_partners_error_is_the_renders_error_and_the_partner_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "inputs").mkdir()
    shutil.copy(Path("data/raw") / CYCLE / "paper.yaml", tmp_path / "inputs")
    (tmp_path / PAPER_HTML).write_text("<html></html>")
    monkeypatch.setattr(render_parts, "write_html", lambda run_dir, epoch: ({}, "<html></html>"))
    monkeypatch.setattr(render_parts, "html_only", lambda run_dir: False)
    monkeypatch.setattr(render_parts, "write_standard_part", lambda *args: None)
    monkeypatch.setattr(render_parts, "write_partner_part", failing_partner_part)
    partner = render_step.RenderPartner()  # forked now: it takes the failing part with it
    with pytest.raises(HighNeedsError, match="cabinet-report.docx: disk quota") as error:
        render_step.render_paper(tmp_path, "1640995200", partner)
    assert error.value.exit_code == 7
    assert partner.returncode == 0 and ended([partner.pid])


def test_a_partner_that_dies_is_the_renders_error(tmp_path: Path) -> None:
    partner = render_step.RenderPartner()
    os.kill(partner.pid, signal.SIGKILL)
    partner.send(tmp_path, "1640995200")
    with pytest.raises(
        HighNeedsError, match="the paper could not be rendered: it stopped with exit -9"
    ):
        partner.finish()
    partner.stop()  # twice is harmless: nothing is killed or closed again


def test_an_unused_partner_is_stopped() -> None:
    partner = render_step.RenderPartner()
    partner.stop()
    assert partner.returncode == -signal.SIGKILL  # it was waiting for a job
    assert ended([partner.pid])


def published_run_copy(
    published: Path, tmp_path: Path, without: tuple[str, ...] = ()
) -> tuple[Path, Path, str]:
    """The published run, a copy of its folder (the archive's links followed) without the
    files ``without``, and the run's date: (published run, copy, epoch)."""
    run = (published / "reports" / CYCLE / "current").resolve()
    epoch = json.loads((run / "manifest.json").read_text())["source_date_epoch"]
    folder = shutil.copytree(run, tmp_path / "run")
    for name in without:
        (folder / name).unlink()
    return run, folder, str(epoch)


@pytest.mark.e2e
def test_the_paper_rendered_in_one_process_is_the_one_rendered_side_by_side(
    published: Path, tmp_path: Path
) -> None:
    """The published paper was rendered by a worker and its partner; rendered again here, in
    this one process, every file is the same, byte for byte."""
    run, folder, epoch = published_run_copy(published, tmp_path, without=RENDERED_FILES)
    render_step.render_paper(folder, epoch)
    for name in RENDERED_FILES:
        assert (folder / name).read_bytes() == (run / name).read_bytes(), name


@pytest.mark.e2e
def test_the_worker_writes_the_html_and_dfe_return_without_pandas_or_pydantic(
    published: Path, tmp_path: Path
) -> None:
    """Notebook 04 drew up the return's figures and kept the paper's metadata, so the worker
    (whose imports take CPU from the kernels it runs beside) writes the HTML and the return
    without pandas (0.25 s to import) or the paper.yaml reader's pydantic (0.1 s)."""
    import subprocess

    run, folder, epoch = published_run_copy(published, tmp_path, without=(PAPER_HTML, DFE_RETURN))
    program = f"""
import sys
from pathlib import Path
from highneeds.model.basis.lineage import read_lineage
from highneeds.runner.execute import render_parts
from highneeds.runner.execute import render_step
render_step._prepare_partner_part()
render_step._prepare_standard_part()
folder = Path({str(folder)!r})
meta, html = render_parts.write_html(folder, {epoch!r})
render_parts._write_dfe_return(
    folder, {epoch!r}, meta, html, read_lineage(folder / "processed")
)
print(sorted(name for name in ("pandas", "pydantic") if name in sys.modules))
"""
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]", done.stderr
    for name in (PAPER_HTML, DFE_RETURN):
        assert (folder / name).read_bytes() == (run / name).read_bytes(), name


@pytest.mark.e2e
def test_a_run_for_the_html_only_renders_the_html_and_the_auditors_edition_alone(
    published: Path, tmp_path: Path
) -> None:
    """Notebook 04 run with ``html_only=True`` (papermill records it): the render writes the
    HTML and the auditor's edition, the same bytes as the full render's, and nothing else."""
    run, folder, epoch = html_only_run_folder(published, tmp_path)
    render_step.render_paper(folder, epoch, render_step.RenderPartner())
    made = sorted(name for name in RENDERED_FILES if (folder / name).exists())
    assert made == sorted((PAPER_HTML, PAPER_AUDIT))
    for name in made:
        assert (folder / name).read_bytes() == (run / name).read_bytes(), name


def html_only_run_folder(published: Path, tmp_path: Path) -> tuple[Path, Path, str]:
    """The published run, a copy of it as if it had asked for HTML alone (papermill's recorded
    parameter set) with no rendered file, and its date: (published run, copy, epoch)."""
    import nbformat

    run, folder, epoch = published_run_copy(published, tmp_path, without=RENDERED_FILES)
    notebook_path = folder / render_parts.EXECUTED_REPORT
    notebook = nbformat.read(notebook_path, as_version=4)
    assert render_parts.html_only(folder) is False  # the published run gave no html_only
    notebook.metadata["papermill"]["parameters"]["html_only"] = True
    nbformat.write(notebook, notebook_path)
    assert render_parts.html_only(folder) is True
    return run, folder, epoch


PRINT_LIBRARIES = ("weasyprint", "docx", "openpyxl")


def imported_by_html_only_worker(folder: Path, epoch: str) -> set[str]:
    """The top-level packages a render worker started for an HTML-only run imported to render
    ``folder`` (``-X importtime`` lists every import on its standard error)."""
    command = (sys.executable, "-X", "importtime", *render_step.WORKER_COMMAND[1:])
    worker = RenderWorker(command=command, html_only=True)
    worker.send(folder, epoch)
    answer, errors = worker.process.communicate(timeout=120)
    assert json.loads(answer.splitlines()[-1]) == {"ok": True}, errors[-2000:]
    imports = [line.split("|")[-1] for line in errors.splitlines() if "import time:" in line]
    return {name.strip().split(".")[0] for name in imports}


@pytest.mark.e2e
def test_a_worker_for_an_html_only_run_imports_nothing_the_print_formats_need(
    published: Path, tmp_path: Path
) -> None:
    """Started for a run that asked for HTML alone, the worker readies the HTML and the
    auditor's edition only: no WeasyPrint, python-docx or openpyxl (about 1 s of CPU beside
    the kernels), and no partner (forked only once WeasyPrint is imported). It writes the same
    two files. (A full run's worker has WeasyPrint loaded when it forks its partner:
    ``test_a_worker_forks_its_partner_into_its_own_group_and_both_are_stopped_together``.)"""
    run, folder, epoch = html_only_run_folder(published, tmp_path)
    imported = imported_by_html_only_worker(folder, epoch)
    assert {"highneeds", "nbconvert", "jinja2"} <= imported  # what the HTML needs, seen
    assert not imported & set(PRINT_LIBRARIES)
    made = sorted(name for name in RENDERED_FILES if (folder / name).exists())
    assert made == sorted((PAPER_HTML, PAPER_AUDIT))
    for name in made:
        assert (folder / name).read_bytes() == (run / name).read_bytes(), name
