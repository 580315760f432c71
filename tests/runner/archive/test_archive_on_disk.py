"""The archive on a real run of the shipped cycle: a full disk (or a read-only or forbidden
folder) at each place a run writes is exit 7 with the last good paper kept, and re-runs that
change nothing add little."""

from __future__ import annotations

import errno
import importlib
import json
import os
import threading
from http.server import HTTPServer
from pathlib import Path
from typing import Any

import pytest

from highneeds.common.errors import StorageError
from highneeds.runner.archive.store import disk_usage
from highneeds.runner.commands.cycle import run_cycle
from highneeds.runner.execute.options import RunOptions
from tests.conftest import CYCLE, published_bytes, reports, run_pipeline
from tests.runner.commands.test_unattended import _Webhook, extra_cell

pytestmark = pytest.mark.e2e

#: Where a run writes, in the order it does: (module, function, errno, the file it names).
WRITE_SITES = [
    ("highneeds.runner.commands.cycle", "RunLog", errno.EACCES, "run.log"),
    ("highneeds.runner.commands.cycle", "copy_inputs", errno.EROFS, "inputs/high_needs_budget.csv"),
    ("highneeds.runner.execute.steps", "copy_outputs", errno.ENOSPC, "processed/budget.csv"),
    ("highneeds.runner.changes.changes", "write_changes", errno.ENOSPC, "changes.json"),
    ("highneeds.runner.commands.cycle", "write_json", errno.ENOSPC, "manifest.json"),
    ("highneeds.runner.archive.store.Store", "absorb_run", errno.ENOSPC, "notebooks"),
    ("highneeds.runner.commands.cycle", "publish", errno.ENOSPC, "../../.current.incoming"),
]
ADVICE = {
    errno.ENOSPC: "Free about",
    errno.EROFS: "read-only filesystem",
    errno.EACCES: "Permission denied on",
}


def runs_of(project: Path) -> set[str]:
    return {p.name for p in (reports(project) / "runs").iterdir()}


def newest_run(project: Path) -> Path:
    return sorted((reports(project) / "runs").iterdir())[-1]


@pytest.mark.parametrize(("module", "function", "code", "file"), WRITE_SITES)
def test_a_full_or_forbidden_disk_at_each_write_is_exit_7_and_keeps_the_paper(
    project: Path,
    first_run,
    monkeypatch: pytest.MonkeyPatch,
    module: str,
    function: str,
    code: int,
    file: str,
) -> None:
    before, earlier = published_bytes(project), runs_of(project)
    failed_at: list[Path] = []

    def fails(*args: Any, **kwargs: Any) -> None:
        failed_at.append(Path(os.path.normpath(newest_run(project) / file)))
        raise OSError(code, os.strerror(code), str(failed_at[-1]))

    owner, _, name = f"{module}.{function}".rpartition(".")
    target = importlib.import_module(owner) if owner.count(".") == 2 else None
    if target is None:  # a method: module.Class.method
        module_name, _, class_name = owner.rpartition(".")
        target = getattr(importlib.import_module(module_name), class_name)
    monkeypatch.setattr(target, name, fails)
    with pytest.raises(StorageError) as raised:
        run_cycle(RunOptions(root=project))
    message = str(raised.value)
    assert raised.value.exit_code == 7
    assert str(failed_at[0]) in message and ADVICE[code] in message
    assert message.endswith("The last good paper is left as it was.")
    assert published_bytes(project) == before
    assert not (reports(project) / ".lock").exists()
    assert [p.name for p in reports(project).iterdir() if p.name.startswith(".")] == []
    for run in runs_of(project) - earlier:  # marked failed, or removed when it could not be
        manifest = json.loads((reports(project) / "runs" / run / "manifest.json").read_text())
        assert manifest["status"] == "failed"


def test_a_notebook_that_finds_the_disk_full_is_exit_7_and_notified(
    project: Path, first_run
) -> None:
    webhook = HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=webhook.serve_forever, daemon=True).start()
    _Webhook.received.clear()
    before = published_bytes(project)
    full = "raise OSError(28, 'No space left on device', 'processed/budget.csv')"
    try:
        with extra_cell(project / "notebooks" / "02_deficit_model.ipynb", full):
            result = run_pipeline(
                project,
                env={
                    **os.environ,
                    "HIGHNEEDS_WEBHOOK_URL": f"http://127.0.0.1:{webhook.server_port}/",
                },
            )
    finally:
        webhook.shutdown()
    assert result.returncode == 7, result.stderr
    run = newest_run(project)
    assert f"The disk is full: could not write {run / 'processed' / 'budget.csv'}" in result.stderr
    assert "Free about" in result.stderr and "Traceback" not in result.stderr
    assert published_bytes(project) == before
    assert _Webhook.received[0]["title"] == f"highneeds run {CYCLE}: failed (exit 7)"


def test_ten_runs_that_change_nothing_add_under_1_mb(project: Path, first_run) -> None:
    before = disk_usage(project / "reports")
    for _ in range(10):
        result = run_cycle(RunOptions(root=project))
        assert result.executed == []
    grown = disk_usage(project / "reports") - before
    assert grown < 1_000_000, f"{grown / 1e6:.2f} MB for 10 runs"
