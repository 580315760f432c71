from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from highneeds.errors import LockHeld, UsageError
from highneeds.runner.cycles import choose_cycle
from highneeds.runner.locking import cycle_lock
from highneeds.runner.options import declared_parameters, plan_parameters, source_date_epoch


def _fake_root(tmp_path: Path, cycles: list[str]) -> Path:
    for cycle in cycles:
        (tmp_path / "data" / "raw" / cycle).mkdir(parents=True)
    return tmp_path


def test_newest_cycle_is_chosen_by_default(tmp_path: Path) -> None:
    root = _fake_root(tmp_path, ["2021-11", "2022-01", "notes", "2021-12"])
    assert choose_cycle(root, None) == "2022-01"


@pytest.mark.parametrize("cycle", ["../2022-01", "2022/01", "2022-13", "22-01", ""])
def test_cycle_names_that_are_not_labels_are_refused(tmp_path: Path, cycle: str) -> None:
    root = _fake_root(tmp_path, ["2022-01"])
    with pytest.raises(UsageError, match="not a cycle label"):
        choose_cycle(root, cycle)


def test_unknown_cycle_is_a_usage_error(tmp_path: Path) -> None:
    root = _fake_root(tmp_path, ["2022-01"])
    with pytest.raises(UsageError, match="no inputs for cycle 2023-01.*cycles: 2022-01"):
        choose_cycle(root, "2023-01")


def test_no_cycles_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no cycle folders"):
        choose_cycle(tmp_path, None)


def test_parameters_go_only_to_notebooks_that_declare_them(project_root: Path) -> None:
    plan = plan_parameters(project_root, "2022-01", {"recovery_plan_basis": "cumulative"})
    assert plan["02_deficit_model"]["recovery_plan_basis"] == "cumulative"
    assert "recovery_plan_basis" not in plan["01_validate"]
    assert plan["01_validate"]["validation_dir"] == "validation"
    assert plan["04_cabinet_report"] == {
        "cycle": "2022-01",
        "raw_dir": "inputs",
        "processed_dir": "processed",
    }


def test_undeclared_parameter_is_refused(project_root: Path) -> None:
    with pytest.raises(UsageError, match="unknown parameter\\(s\\): recovery_basis"):
        plan_parameters(project_root, "2022-01", {"recovery_basis": "x"})


def test_pipeline_set_parameter_cannot_be_overridden(project_root: Path) -> None:
    with pytest.raises(UsageError, match="set by the pipeline from --cycle"):
        plan_parameters(project_root, "2022-01", {"raw_dir": "/etc"})


def test_lock_held_by_a_live_process_refuses_a_second_run(tmp_path: Path) -> None:
    folder = tmp_path / "reports" / "2022-01"
    holder = f"process {os.getpid()}"
    # The second lock is tried while the first is held, and must refuse.
    with (
        cycle_lock(folder, "2022-01", print),
        pytest.raises(LockHeld, match=holder),
        cycle_lock(folder, "2022-01", print),
    ):
        pass
    assert not (folder / ".lock").exists()


def test_stale_lock_is_taken_over_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "reports" / "2022-01"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    folder.mkdir(parents=True)
    (folder / ".lock").write_text(json.dumps({"pid": int(dead.stdout), "since": "x"}))
    said: list[str] = []
    with cycle_lock(folder, "2022-01", said.append):
        assert json.loads((folder / ".lock").read_text())["pid"] == os.getpid()
    assert said and "taking over the lock" in said[0]
    assert not (folder / ".lock").exists()


def test_declared_parameters_are_read_without_running_the_notebook(project_root: Path) -> None:
    assert declared_parameters(project_root / "notebooks" / "02_deficit_model.ipynb") == [
        "cycle",
        "processed_dir",
        "recovery_plan_basis",
    ]


def test_source_date_epoch_is_the_cycles_first_day(monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_date_epoch("2022-01") == "1640995200"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "42")
    assert source_date_epoch("2022-01") == "42"


def test_a_zombie_does_not_hold_the_lock(tmp_path: Path) -> None:
    """A killed run that its parent has not reaped yet must not block the next run."""
    folder = tmp_path / "reports" / "2022-01"
    folder.mkdir(parents=True)
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while Path(f"/proc/{zombie.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    (folder / ".lock").write_text(json.dumps({"pid": zombie.pid, "since": "x"}))
    said: list[str] = []
    with cycle_lock(folder, "2022-01", said.append):
        pass
    assert "taking over the lock" in said[0]
    zombie.wait()
