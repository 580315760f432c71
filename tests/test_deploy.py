"""The deploy recipes work as documented: set up as root with `make setup`, then the cron job
runs as an unprivileged user with cron's PATH, the code read-only and only reports/ and
data/processed/ writable, reads its settings itself, logs JSON lines, passes exit codes
through and notifies; the systemd units verify and score an exposure of 4.0 or less."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import HTTPServer
from pathlib import Path

import pytest

from highneeds.common.paths import PROJECT_FILES, PROJECT_ROOT
from tests.conftest import CYCLE, edited
from tests.runner.commands.test_unattended import _Webhook

pytestmark = pytest.mark.e2e

#: Debian's unprivileged user, whose home (/nonexistent) cannot be written: the harshest case.
USER, GROUP = "nobody", "nogroup"
CRON_PATH = "/usr/bin:/bin"
DEPLOY_FILES = (*PROJECT_FILES, "README.md", "Makefile", "scripts", "deploy")


@dataclass
class Server:
    code: Path  # what /srv/highneeds is on a real server
    settings: Path  # /etc/highneeds/notify.env
    logs: Path  # /var/log/highneeds
    webhook: HTTPServer


def _deployable() -> str | None:
    if os.geteuid() != 0:
        return "deploying needs root (to set up, then drop to an unprivileged user)"
    for tool in ("uv", "setpriv", "make"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not Path("/usr/bin/python3").exists():
        return "no system Python (/usr/bin/python3) for the service's environment"
    return None


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """A server as docs/operations.md sets it up, in a temporary folder (not under pytest's
    own, which only root may enter)."""
    reason = _deployable()
    if reason:
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="highneeds-server-"))
    root.chmod(0o755)
    code = root / "srv" / "highneeds"
    for name in DEPLOY_FILES:
        source, target = PROJECT_ROOT / name, code / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    # As root: the environment from the lock file, on the system's Python (the service user
    # cannot reach a Python under /root); links from uv's cache keep the test quick.
    setup = subprocess.run(
        ["make", "setup", "UV_LINK_MODE=hardlink", "UV_COMPILE_BYTECODE=0"],
        cwd=code,
        env={**os.environ, "UV_PYTHON": "/usr/bin/python3"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    for writable in (code / "reports", code / "data" / "processed", root / "log"):
        writable.mkdir(parents=True, exist_ok=True)
        shutil.chown(writable, USER, GROUP)
    webhook = HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=webhook.serve_forever, daemon=True).start()
    settings = root / "etc" / "notify.env"
    settings.parent.mkdir()
    settings.write_text(
        f"HIGHNEEDS_WEBHOOK_URL=http://127.0.0.1:{webhook.server_port}/hook\n"
        "HIGHNEEDS_NOTIFY_TIMEOUT=20\n"
    )
    shutil.chown(settings, "root", GROUP)
    settings.chmod(0o640)
    try:
        yield Server(code, settings, root / "log", webhook)
    finally:
        webhook.shutdown()
        shutil.rmtree(root, ignore_errors=True)


def cron_job(server: Server) -> tuple[dict[str, str], str]:
    """The environment and command of deploy/highneeds.cron, with this server's paths."""
    text = (server.code / "deploy" / "highneeds.cron").read_text()
    for real, here in (
        ("/srv/highneeds", str(server.code)),
        ("/etc/highneeds/notify.env", str(server.settings)),
        ("/var/log/highneeds", str(server.logs)),
    ):
        text = text.replace(real, here)
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    env = dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z_]+=", line))
    (job,) = [line for line in lines if not re.match(r"^[A-Z_]+=", line)]
    fields = job.split(None, 6)
    assert fields[5] == "highneeds"  # the service user (here: nobody)
    return env, fields[6]


def run_as_service_user(server: Server) -> subprocess.CompletedProcess[str]:
    """Run the cron job as cron would: the user's id, cron's environment and nothing else."""
    env, command = cron_job(server)
    cron_env = {"HOME": "/nonexistent", "LOGNAME": USER, **env}
    return subprocess.run(
        [
            "setpriv",
            f"--reuid={USER}",
            f"--regid={GROUP}",
            "--clear-groups",
            "env",
            "-i",
            *(f"{k}={v}" for k, v in cron_env.items()),
            "/bin/sh",
            "-c",
            command,
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )


def snapshot(code: Path) -> dict[str, tuple[int, int]]:
    """Every file outside the two output folders, with its size and modification time."""
    outputs = (code / "reports", code / "data" / "processed")
    return {
        str(p): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in code.rglob("*")
        if not any(p == o or o in p.parents for o in outputs)
    }


def test_the_cron_job_runs_as_a_service_user_and_touches_only_its_outputs(
    server: Server,
) -> None:
    env, command = cron_job(server)
    assert env["PATH"] == CRON_PATH
    assert "make" not in command.split() and "apt-get" not in command
    before = snapshot(server.code)
    result = run_as_service_user(server)
    assert result.returncode == 0, result.stderr + (server.logs / "highneeds.log").read_text()
    paper = server.code / "reports" / CYCLE / "cabinet-report.pdf"
    assert paper.read_bytes().startswith(b"%PDF")
    assert snapshot(server.code) == before  # the code, the environment and the inputs
    log = (server.logs / "highneeds.log").read_text().splitlines()
    entries = [json.loads(line) for line in log]
    assert entries[-1]["message"].startswith("Pruned: removed 0 run(s)")
    assert any(e["message"].startswith("Paper for cycle") for e in entries)
    assert all({"time", "level", "message"} <= set(e) for e in entries)


def test_a_failed_scheduled_run_exits_with_its_own_code_and_is_notified(
    server: Server,
) -> None:
    _Webhook.received.clear()
    budget = server.code / "data" / "raw" / CYCLE / "high_needs_budget.csv"
    with edited(budget, "Block,(126)", "Block,126"):
        result = run_as_service_user(server)
    assert result.returncode == 3  # through cron's shell unchanged (not make's 2)
    (posted,) = _Webhook.received
    assert posted["title"] == f"highneeds run {CYCLE}: failed (exit 3)"
    assert "row 3, column B ('2020/21')" in posted["message"]
    entries = [
        json.loads(line) for line in (server.logs / "highneeds.log").read_text().splitlines()
    ]
    error = next(e for e in reversed(entries) if e["level"] == "error")
    assert (error["exit_code"], error["step"], error["cycle"]) == (3, "01_validate", CYCLE)


@pytest.mark.parametrize("unit", ["highneeds.service", "highneeds-failed.service"])
def test_the_systemd_units_verify_and_are_sandboxed(
    server: Server, unit: str, tmp_path: Path
) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for name in ("highneeds.service", "highneeds-failed.service", "highneeds.timer"):
        text = (server.code / "deploy" / name).read_text()
        text = text.replace("/srv/highneeds", str(server.code)).replace(
            "=highneeds\n", f"={USER}\n"
        )
        text = text.replace(f"Group={USER}", f"Group={GROUP}")
        text = text.replace("/etc/highneeds/notify.env", str(server.settings))
        (tmp_path / name).write_text(text)
    verify = subprocess.run(
        [analyze, "verify", unit], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    security = subprocess.run(
        [analyze, "security", "--offline=true", unit],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    exposure = float(re.search(r"Overall exposure level for \S+: ([\d.]+)", security.stdout)[1])
    assert exposure <= 4.0, security.stdout
