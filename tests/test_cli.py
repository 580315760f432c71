from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from highneeds import __version__
from highneeds.cli import main


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_help_lists_exit_codes(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    assert "--cycle" in out and "3  input data failed validation" in out


def test_unknown_cycle_exits_2(capsys) -> None:
    assert main(["run", "--cycle", "1999-01"]) == 2
    assert "no inputs for cycle 1999-01" in capsys.readouterr().err


def test_unknown_parameter_exits_2(capsys) -> None:
    assert main(["run", "-p", "no_such_parameter=1"]) == 2
    assert "unknown parameter(s): no_such_parameter" in capsys.readouterr().err


def test_malformed_parameter_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["run", "-p", "novalue"])
    assert caught.value.code == 2


def test_pipeline_script_runs_from_any_directory(project_root: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(project_root / "pipeline.py"), "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_validate_passes_on_the_shipped_cycle(capsys) -> None:
    assert main(["validate", "--cycle", "2022-01", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Inputs of cycle 2022-01 passed all" in out
    assert "validation/summary.html" in out


def test_validate_unknown_cycle_exits_2(capsys) -> None:
    assert main(["validate", "--cycle", "2030-01"]) == 2
