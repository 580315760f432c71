"""Unattended runs: one run per cycle, bounded time, safe interruption, notifications, new
cycles. These run the real pipeline in the shared project copy."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import nbformat
import pytest

from tests.conftest import (
    APPENDICES,
    CYCLE,
    edited,
    ended,
    published_bytes,
    reports,
    run_pipeline,
)

pytestmark = pytest.mark.e2e


@contextmanager
def extra_cell(notebook: Path, source: str) -> Iterator[None]:
    """Insert a code cell after the notebook's first code cell, then restore the notebook."""
    original = notebook.read_bytes()
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(source))
    nbformat.write(nb, notebook)
    try:
        yield
    finally:
        notebook.write_bytes(original)


def newest_run(project: Path) -> Path:
    return sorted((reports(project) / "runs").iterdir())[-1]


def start_pipeline(
    project: Path, *args: str, env: dict[str, str] | None = None, command: str = "run"
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "pipeline.py", command, *args],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextmanager
def pipeline_process(
    project: Path, *args: str, env: dict[str, str] | None = None, command: str = "run"
) -> Iterator[subprocess.Popen[str]]:
    """A run in the background for the length of a ``with`` block; killed if still running."""
    process = start_pipeline(project, *args, env=env, command=command)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def terminate(process: subprocess.Popen[str]) -> str:
    """Send SIGTERM as a scheduler would; wait for the run to stop; return its stderr."""
    process.send_signal(signal.SIGTERM)
    return process.communicate(timeout=60)[1]


def assert_stopped_safely(
    process: subprocess.Popen[str], stderr: str, project: Path, before: dict[str, bytes]
) -> None:
    """Exit 143, the published paper as it was, the lock released."""
    assert process.returncode == 143, stderr
    assert published_bytes(project) == before
    assert not (reports(project) / ".lock").exists()


def wait_for_log(project: Path, started_after: set[str], text: str, timeout: float = 120) -> Path:
    """Wait until a new run's log contains ``text``; return that run's folder."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = [p for p in (reports(project) / "runs").iterdir() if p.name not in started_after]
        for run in runs:
            log = run / "run.log"
            if log.is_file() and text in log.read_text():
                return run
        time.sleep(0.2)
    raise AssertionError(f"no run logged {text!r} within {timeout} s")


def wait_for(probe, timeout: float):
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"nothing came within {timeout} s")


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def test_cell_timeout_exits_4_naming_the_notebook_and_cell(project: Path, first_run) -> None:
    before = published_bytes(project)
    with extra_cell(
        project / "notebooks" / "02_deficit_model.ipynb", "import time\ntime.sleep(60)"
    ):
        result = run_pipeline(project, "--cell-timeout", "3")
    assert result.returncode == 4, result.stderr
    assert "02_deficit_model.ipynb: cell 5 (In [4]: import time) timed out after 3 s" in (
        result.stderr
    )
    assert published_bytes(project) == before
    run = newest_run(project)
    assert (run / "notebooks" / "02_deficit_model.ipynb").is_file()
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert manifest["steps"][-1] == {
        **manifest["steps"][-1],
        "step": "02_deficit_model",
        "status": "failed",
    }


def test_killed_kernel_exits_4_naming_the_cell(project: Path, first_run) -> None:
    before = published_bytes(project)
    with extra_cell(
        project / "notebooks" / "03_interventions.ipynb",
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
    ):
        result = run_pipeline(project)
    assert result.returncode == 4, result.stderr
    assert "03_interventions.ipynb: cell 5 (In [4]: import os, signal) lost its kernel" in (
        result.stderr
    )
    assert published_bytes(project) == before


def test_cell_that_raises_exits_4_with_the_first_lines_of_the_error(
    project: Path, first_run
) -> None:
    with extra_cell(
        project / "notebooks" / "02_deficit_model.ipynb",
        "raise RuntimeError('model input missing')",
    ):
        result = run_pipeline(project)
    assert result.returncode == 4, result.stderr
    assert "02_deficit_model.ipynb failed in cell 5 (In [4]: raise RuntimeError" in result.stderr
    assert "RuntimeError: model input missing" in result.stderr


def test_second_run_exits_5_and_sigterm_mid_notebook_is_safe(project: Path, first_run) -> None:
    before = published_bytes(project)
    known = {p.name for p in (reports(project) / "runs").iterdir()}
    with (
        extra_cell(
            project / "notebooks" / "02_deficit_model.ipynb", "import time\ntime.sleep(120)"
        ),
        pipeline_process(project) as first,
    ):
        run = wait_for_log(project, known, "02_deficit_model ...")
        kernels = wait_for(lambda: children(first.pid), 120)
        time.sleep(1)  # inside the sleeping cell
        second = run_pipeline(project)
        assert second.returncode == 5, second.stderr
        assert f"is held by 'run' (process {first.pid}) since" in second.stderr
        stderr = terminate(first)
    assert_stopped_safely(first, stderr, project, before)
    assert "interrupted by SIGTERM" in stderr
    assert ended(kernels)
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert re.search(r"run \S+ interrupted in step 02_deficit_model", (run / "run.log").read_text())


def test_sigterm_mid_pdf_leaves_the_paper_and_no_lock(project: Path, first_run) -> None:
    before = published_bytes(project)
    known = {p.name for p in (reports(project) / "runs").iterdir()}
    narrative = project / "data" / "raw" / CYCLE / "narrative.md"
    with (
        edited(
            narrative,
            APPENDICES,
            "Appendix A, at length.",
        ),
        pipeline_process(project) as process,
    ):
        run = wait_for_log(project, known, "render ...")
        time.sleep(1)
        stderr = terminate(process)
    assert_stopped_safely(process, stderr, project, before)
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert manifest["steps"][-1]["step"] == "render"


def test_render_that_overruns_its_limit_exits_4_and_releases_the_lock(
    project: Path, first_run
) -> None:
    before = published_bytes(project)
    narrative = project / "data" / "raw" / CYCLE / "narrative.md"
    with edited(narrative, APPENDICES, "Appendix A, timed."):
        result = run_pipeline(project, "--render-timeout", "1")
    assert result.returncode == 4, result.stderr
    assert "rendering the paper timed out after 1 s (--render-timeout)" in result.stderr
    assert published_bytes(project) == before
    assert not (reports(project) / ".lock").exists()
    manifest = json.loads((newest_run(project) / "manifest.json").read_text())
    assert (manifest["status"], manifest["steps"][-1]["step"]) == ("failed", "render")


class _Webhook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Webhook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_failure_is_emailed_and_posted_to_a_webhook_and_no_secret_leaks(
    project: Path, first_run
) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Inbox(Message):
        messages: ClassVar[list] = []

        def handle_message(self, message) -> None:
            Inbox.messages.append(message)

        def prepare_message(self, session, envelope):
            return message_from_bytes(envelope.content)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(Inbox(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    webhook = HTTPServer(("127.0.0.1", 0), _Webhook)
    thread = threading.Thread(target=webhook.serve_forever, daemon=True)
    thread.start()
    _Webhook.received.clear()
    token = "s3cr3t-T0KEN-4a7f2c"
    env = {
        **os.environ,
        "HIGHNEEDS_SMTP_HOST": "127.0.0.1",
        "HIGHNEEDS_SMTP_PORT": str(smtp_port),
        "HIGHNEEDS_SMTP_STARTTLS": "false",
        "HIGHNEEDS_NOTIFY_EMAIL": "finance@example.org",
        "HIGHNEEDS_WEBHOOK_URL": f"http://127.0.0.1:{webhook.server_port}/hook/{token}",
        # An Apprise URL that cannot be delivered: reported by scheme and host only.
        "HIGHNEEDS_NOTIFY_URLS": f"jsons://127.0.0.1:1/hooks/{token}?token={token}",
    }
    budget = project / "data" / "raw" / CYCLE / "high_needs_budget.csv"
    started = {p.name for p in (reports(project) / "runs").iterdir()}
    try:
        with edited(budget, "Block,(126)", "Block,126"):  # nothing worked ahead to throw away
            result = run_pipeline(project, "--sequential", env=env)
    finally:
        smtp.stop()
        webhook.shutdown()
    assert result.returncode == 3, result.stderr
    assert len(Inbox.messages) == 1
    mail = Inbox.messages[0]
    assert mail["Subject"] == f"highneeds run {CYCLE}: failed (exit 3)"
    body = next(
        part.get_payload(decode=True).decode("utf-8")
        for part in mail.walk()
        if part.get_content_type() == "text/plain"
    )
    assert "Failing step: 01_validate" in body and "run.log" in body
    assert "row 3, column B ('2020/21')" in body
    assert len(_Webhook.received) == 1
    posted = _Webhook.received[0]
    assert posted["title"] == f"highneeds run {CYCLE}: failed (exit 3)"
    assert posted["type"] == "failure"
    assert "Failing step: 01_validate" in posted["message"]
    assert "run.log" in posted["message"]
    assert "the notification to jsons://127.0.0.1 could not be delivered" in result.stderr
    run = next(p for p in (reports(project) / "runs").iterdir() if p.name not in started)
    for text in (
        result.stdout,
        result.stderr,
        body,
        json.dumps(posted),
        (run / "run.log").read_text(),
        (run / "manifest.json").read_text(),
    ):
        assert token not in text


@pytest.fixture
def cycle_2022_02(project: Path) -> Iterator[str]:
    """A second cycle made by a test, removed afterwards: the other tests run the newest."""
    yield "2022-02"
    for folder in ("data/raw", "data/processed", "reports"):
        shutil.rmtree(project / folder / "2022-02", ignore_errors=True)


def test_new_cycle_copies_the_inputs_and_bad_names_are_refused(
    project: Path, first_run, cycle_2022_02: str
) -> None:
    """(The new cycle's run, and what its paper changes against the last cycle's, is
    ``test_a_cycle_never_edited_since_new_cycle_is_refused_or_warned_of``'s.)"""
    made = run_pipeline(project, "2022-02", "--from", CYCLE, command="new-cycle")
    assert made.returncode == 0, made.stderr
    made_from = project / "data" / "raw" / CYCLE
    copied = project / "data" / "raw" / "2022-02"
    assert sorted(p.name for p in copied.iterdir()) == sorted(p.name for p in made_from.iterdir())
    assert (copied / "narrative.md").read_bytes() == (made_from / "narrative.md").read_bytes()
    again = run_pipeline(project, "2022-02", command="new-cycle")
    assert again.returncode == 2 and "already exists" in again.stderr
    for bad in ("../2022-03", "2022/03", "2022-3", ".."):
        refused = run_pipeline(project, bad, command="new-cycle")
        assert refused.returncode == 2, bad
        assert "is not a cycle label" in refused.stderr
    assert not (project / "data" / "2022-03").exists()


def test_sigterm_while_the_gate_runs_stops_both_kernels_and_keeps_nothing_ahead(
    project: Path, first_run, tmp_path: Path
) -> None:
    before = published_bytes(project)
    known = {p.name for p in (reports(project) / "runs").iterdir()}
    temporary = tmp_path / "tmp"  # the run's own temporary folder, to see what it leaves
    temporary.mkdir()
    environment = {**os.environ, "TMPDIR": str(temporary)}
    with pipeline_process(project, "--force", "--cycle", CYCLE, env=environment) as process:
        run = wait_for_log(project, known, "(alongside the gate)")
        kernels = wait_for(lambda: len(children(process.pid)) >= 2 and children(process.pid), 60)
        stderr = terminate(process)
    assert_stopped_safely(process, stderr, project, before)
    assert ended(kernels)
    assert not list(temporary.glob("highneeds-*"))  # no model ahead, no kernel sockets
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert [s["step"] for s in manifest["steps"]] == ["01_validate"]


def test_notebook_failing_alongside_the_gate_is_kept_in_the_run_folder(
    project: Path, first_run
) -> None:
    before = published_bytes(project)
    with extra_cell(
        project / "notebooks" / "02_deficit_model.ipynb",
        "raise RuntimeError('model input missing')",
    ):
        result = run_pipeline(project, "--force", "--cycle", CYCLE)
    assert result.returncode == 4, result.stderr
    assert "02_deficit_model.ipynb failed in cell 5 (In [4]: raise RuntimeError" in result.stderr
    kept = Path(re.search(r"the executed notebook is kept at (\S+)", result.stderr).group(1))
    run = newest_run(project)
    assert kept == run / "notebooks" / "02_deficit_model.ipynb" and kept.is_file()
    manifest = json.loads((run / "manifest.json").read_text())
    assert [(s["step"], s["status"]) for s in manifest["steps"]] == [
        ("01_validate", "ok"),
        ("02_deficit_model", "failed"),
    ]
    assert published_bytes(project) == before


def test_sigterm_during_verify_stops_its_kernels_and_leaves_no_temporary_folder(
    project: Path, first_run, tmp_path: Path
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = {**os.environ, "TMPDIR": str(temporary)}
    with pipeline_process(project, env=environment, command="verify") as process:
        kernels = wait_for(lambda: children(process.pid), 60)
        wait_for(lambda: list(temporary.glob("highneeds-verify-*")), 60)
        stderr = terminate(process)
    assert process.returncode == 143, stderr
    assert "Traceback" not in stderr
    assert ended(kernels)
    assert not list(temporary.glob("highneeds-*"))
