"""status tells a monitor what a cycle published, how its last run ended and whether one is
running; stale cycles are warned of, and refused with --require-changes."""

from __future__ import annotations

import json
import os
import threading
from http.server import HTTPServer
from pathlib import Path

import pytest

from highneeds.common.paths import CyclePaths
from highneeds.runner.archive.locking import cycle_lock, lock_holder
from highneeds.runner.changes.changes import CYCLE_MOVED
from highneeds.runner.commands.status import cycle_status
from tests.conftest import HTML_ONLY, run_pipeline
from tests.runner.archive.test_publishing import CYCLE, store_and_publish, write_run
from tests.runner.commands.test_unattended import _Webhook, cycle_2022_02  # noqa: F401 (a fixture)


def test_status_names_the_published_run_the_last_failure_and_a_run_in_progress(
    tmp_path: Path,
) -> None:
    paths = CyclePaths(tmp_path, CYCLE)
    store_and_publish(write_run(paths, "20260101T060000000000Z-1"), paths)
    failed = write_run(paths, "20260201T060000000000Z-1", status="failed")
    manifest = json.loads((failed / "manifest.json").read_text())
    (failed / "manifest.json").write_text(
        json.dumps(manifest | {"exit_code": 3, "error": "InputDataError: row 3\n  more"})
    )
    report = cycle_status(tmp_path, CYCLE)
    assert report.published["run_id"] == "20260101T060000000000Z-1"
    assert report.last_run["run_id"] == "20260201T060000000000Z-1"
    assert report.exit_code == 3 and report.in_progress is None and report.runs == 2
    assert "failed (exit 3): InputDataError: row 3" in report.lines()[2]
    with cycle_lock(paths.reports, CYCLE, lambda message: None):
        write_run(paths, "20260301T060000000000Z-1").joinpath("manifest.json").unlink()
        during = cycle_status(tmp_path, CYCLE)
        assert during.in_progress["pid"] == os.getpid()
        assert during.last_run["run_id"] == "20260201T060000000000Z-1"  # not the running one
    assert lock_holder(paths.reports) is None
    assert json.loads(during.as_json())["exit_code"] == 3


def test_a_cycle_with_no_run_is_not_a_success(tmp_path: Path) -> None:
    assert cycle_status(tmp_path, CYCLE).exit_code == 1
    from highneeds.common.errors import LastRunFailed

    assert str(LastRunFailed(CYCLE, 1, never_run=True)) == f"cycle {CYCLE} has not been run yet"


@pytest.mark.e2e
def test_a_cycle_never_edited_since_new_cycle_is_refused_or_warned_of(
    project: Path,
    first_run,
    cycle_2022_02: str,  # noqa: F811
) -> None:
    assert run_pipeline(project, cycle_2022_02, command="new-cycle").returncode == 0
    webhook = HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=webhook.serve_forever, daemon=True).start()
    _Webhook.received.clear()
    env = {**os.environ, "HIGHNEEDS_WEBHOOK_URL": f"http://127.0.0.1:{webhook.server_port}/"}
    try:
        refused = run_pipeline(
            project, "--cycle", "2022-02", "--require-changes", *HTML_ONLY, env=env
        )
        # The refusal is the cycle's last run: status says so, with its exit code.
        after_refusal = run_pipeline(project, "--cycle", "2022-02", command="status")
        warned = run_pipeline(project, "--cycle", "2022-02", *HTML_ONLY, env=env)
    finally:
        webhook.shutdown()
    assert refused.returncode == 8, refused.stderr
    assert after_refusal.returncode == 8, after_refusal.stderr
    assert "failed (exit 8): the inputs of cycle 2022-02 are byte for byte" in (
        after_refusal.stdout
    )
    assert "error: the last run of cycle 2022-02 did not succeed (exit 8)" in (after_refusal.stderr)
    assert "byte for byte those of cycle 2022-01" in refused.stderr
    assert "nothing was run or published (--require-changes)" in refused.stderr
    assert warned.returncode == 0, warned.stderr
    assert "warning: the inputs of cycle 2022-02 are byte for byte those of cycle 2022-01" in (
        warned.stderr
    )
    # Its paper against the last cycle's: the same inputs print the same figures, but for the
    # simulations' percentiles (each cycle draws with its own seed) and those computed from the
    # cycle's month (growth to date is over one more month); the change log says which.
    changes = json.loads((project / "reports" / "2022-02" / "changes.json").read_text())
    assert changes["compared_with"] == "the paper of cycle 2022-01"
    moved = {f["figure"]: f["moved_by"] for f in changes["figures"]}
    assert moved["para demand-scenario: demand.months_to_date | num"] == [CYCLE_MOVED]
    assert all(
        figure.startswith(("para ", "demand:", "sensitivity:", "ranges:", "uncertainty"))
        for figure in moved
    )
    # The finance table and the scenarios built on it are the same figures.
    assert not [f for f in moved if f.startswith(("high_needs_budget:", "scenarios:"))]
    titles = [posted["title"] for posted in _Webhook.received]
    assert titles == [
        "highneeds run 2022-02: failed (exit 8)",
        "highneeds run 2022-02: succeeded with a warning (exit 0)",
    ]
    status = run_pipeline(project, "--cycle", "2022-02", "--format", "json", command="status")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["last_run"]["status"] == "ok"
    # The warning is in the run's own log and manifest, not only on the console.
    published = project / "reports" / "2022-02" / "current"
    assert "are byte for byte those of cycle 2022-01" in (published / "run.log").read_text()
    manifest = json.loads((published / "manifest.json").read_text())
    assert any("byte for byte those of cycle 2022-01" in w for w in manifest["warnings"])
    every = run_pipeline(project, "--all", "--format", "json", command="status")
    cycles = json.loads(every.stdout)
    assert [c["cycle"] for c in cycles] == ["2022-02", "2022-01"]
    assert [c["exit_code"] for c in cycles] == [0, 0] and every.returncode == 0
