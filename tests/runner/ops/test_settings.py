"""Settings from a file the environment names: read as systemd reads an EnvironmentFile,
the environment wins, and a named file that cannot be read stops the command at once."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from highneeds.common.errors import UsageError
from highneeds.runner.ops.settings import load_settings_file, read_settings_file
from tests.conftest import run_pipeline


def test_a_settings_file_is_read_as_name_value_lines(tmp_path: Path) -> None:
    path = tmp_path / "notify.env"
    path.write_text(
        "# notifications\n"
        "HIGHNEEDS_SMTP_HOST=smtp.example.org\n"
        "export HIGHNEEDS_NOTIFY_ON = always\n"
        "HIGHNEEDS_SMTP_PASSWORD='p a$$ #word'\n"
        '\nHIGHNEEDS_NOTIFY_FROM="highneeds@example.org"\n'
    )
    assert read_settings_file(path) == {
        "HIGHNEEDS_SMTP_HOST": "smtp.example.org",
        "HIGHNEEDS_NOTIFY_ON": "always",
        "HIGHNEEDS_SMTP_PASSWORD": "p a$$ #word",
        "HIGHNEEDS_NOTIFY_FROM": "highneeds@example.org",
    }


def test_the_environment_wins_and_a_file_every_user_can_read_is_warned_of(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notify.env"
    path.write_text("HIGHNEEDS_NOTIFY_ON=always\nHIGHNEEDS_SMTP_HOST=file.example.org\n")
    path.chmod(0o644)
    env = {"HIGHNEEDS_SETTINGS_FILE": str(path), "HIGHNEEDS_SMTP_HOST": "env.example.org"}
    warnings = load_settings_file(env)
    assert env["HIGHNEEDS_SMTP_HOST"] == "env.example.org"
    assert env["HIGHNEEDS_NOTIFY_ON"] == "always"
    assert warnings == [
        f"warning: {path} is readable by every user; it may hold passwords (chmod 640)"
    ]
    path.chmod(0o640)
    assert load_settings_file(dict(env)) == []


def test_a_line_that_is_not_a_setting_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "notify.env"
    path.write_text("HIGHNEEDS_NOTIFY_ON=always\nsource /etc/other\n")
    with pytest.raises(UsageError, match=r"notify.env, line 2: expected NAME=value"):
        load_settings_file({"HIGHNEEDS_SETTINGS_FILE": str(path)})


@pytest.mark.parametrize(
    "line",
    [
        "HIGHNEEDS_SMTP_PASSWORD hunter2-horse",
        "export HIGHNEEDS_SMTP_PASSWORD:hunter2-horse",
        "hunter2-horse",
        "  'hunter2-horse'",
        "HIGHNEEDS_WEBHOOK_URL https://hooks.example.org/hunter2-horse",
    ],
)
def test_a_bad_line_is_never_printed_it_may_be_a_password(tmp_path: Path, line: str) -> None:
    path = tmp_path / "notify.env"
    path.write_text(f"HIGHNEEDS_NOTIFY_ON=always\n{line}\n")
    with pytest.raises(UsageError) as caught:
        load_settings_file({"HIGHNEEDS_SETTINGS_FILE": str(path)})
    assert "line 2: expected NAME=value" in str(caught.value)
    assert "hunter2" not in str(caught.value)


@pytest.mark.e2e
def test_a_named_settings_file_that_cannot_be_read_stops_the_command_with_exit_2(
    project: Path,
) -> None:
    result = run_pipeline(
        project,
        command="validate",
        env={**os.environ, "HIGHNEEDS_SETTINGS_FILE": "/etc/highneeds/missing.env"},
    )
    assert result.returncode == 2
    assert "HIGHNEEDS_SETTINGS_FILE=/etc/highneeds/missing.env: cannot be read" in result.stderr


@pytest.mark.e2e
def test_a_run_that_cannot_read_its_settings_is_a_failed_run_status_reports(
    project: Path,
) -> None:
    """Under cron the message goes to a log nobody reads: the attempt is recorded in the
    cycle's archive, so status (what monitors poll) says the last run failed, and why."""
    import json

    env = {**os.environ, "HIGHNEEDS_SETTINGS_FILE": "/etc/highneeds/missing.env"}
    result = run_pipeline(project, env=env)
    assert result.returncode == 2
    assert "cannot be read" in result.stderr and "its log:" in result.stderr
    status = run_pipeline(project, "--format", "json", command="status")
    assert status.returncode == 2, status.stdout + status.stderr  # the last run's exit code
    cycle = json.loads(status.stdout)
    assert cycle["last_run"]["status"] == "failed" and cycle["last_run"]["exit_code"] == 2
    assert "missing.env: cannot be read" in cycle["last_run"]["error"]
    assert cycle["published"]["status"] == "ok"  # the last good paper is untouched


@pytest.mark.e2e
def test_a_bad_setting_never_changes_the_commands_exit_code(project: Path) -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    result = run_pipeline(
        project,
        command="validate",
        env={
            **os.environ,
            "HIGHNEEDS_NOTIFY_ON": "always",
            "HIGHNEEDS_NOTIFY_EMAIL": "finance@example.org",
            "HIGHNEEDS_SMTP_HOST": "127.0.0.1",
            "HIGHNEEDS_SMTP_PORT": "587  # submission",
            "HIGHNEEDS_NOTIFY_URLS": f"json://127.0.0.1:{port}/hook",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "HIGHNEEDS_SMTP_PORT='587  # submission' is not a number" in result.stderr
    assert "Traceback" not in result.stderr
