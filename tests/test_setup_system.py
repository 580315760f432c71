"""scripts/setup-system.sh: one line for what it installs, apt's own output only when apt fails.

Run with stand-ins for ``ldconfig`` (which finds no Pango, so a package is needed) and
``apt-get`` on the PATH, as root, where the script installs with apt-get."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "scripts" / "setup-system.sh"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the script installs only as root")


def run_setup(
    tmp_path: Path, apt_exit: int, *arguments: str, office: Path | None = None
) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_ins = {
        "ldconfig": "#!/bin/sh\nexit 0\n",  # lists no library: Pango is needed
        "apt-get": (
            "#!/bin/sh\n"
            'echo "apt-get $*" >> "$APT_CALLS"\n'
            'echo "debconf: delaying package configuration, since apt-utils is not installed" >&2\n'
            'echo "Selecting previously unselected package libpango-1.0-0."\n'
            f"exit {apt_exit}\n"
        ),
    }
    for name, body in stand_ins.items():
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env["APT_CALLS"] = str(tmp_path / "apt-calls")
    if office is not None:
        env["HIGHNEEDS_OFFICE_PROGRAM"] = str(office)
    return subprocess.run(
        ["bash", str(SCRIPT), *arguments], capture_output=True, text=True, env=env, timeout=60
    )


def test_a_successful_install_prints_one_line(tmp_path: Path) -> None:
    result = run_setup(tmp_path, apt_exit=0)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith("Installing system packages (the PDF; with --browser, the test")
    assert "libpango-1.0-0 libpangoft2-1.0-0" in line
    assert result.stderr == ""
    calls = (tmp_path / "apt-calls").read_text().splitlines()
    assert calls[0] == "apt-get update -qq"
    assert calls[1].startswith("apt-get install -y -qq --no-install-recommends libpango-1.0-0")


def test_a_failed_install_shows_what_apt_said_and_fails(tmp_path: Path) -> None:
    result = run_setup(tmp_path, apt_exit=100)
    assert result.returncode == 1
    assert "debconf: delaying package configuration" in result.stderr
    assert "Selecting previously unselected package libpango-1.0-0." in result.stderr
    assert "with apt-get failed (its output is above)" in result.stderr
    # It stopped at the update that failed: nothing was installed after it.
    assert (tmp_path / "apt-calls").read_text().splitlines() == ["apt-get update -qq"]


def test_calc_is_installed_when_only_writer_is(tmp_path: Path) -> None:
    """soffice comes with Writer alone: Calc (the DfE return's client) is looked for itself."""
    office = tmp_path / "program"
    office.mkdir()
    (office / "libswlo.so").write_text("")  # Writer, and soffice with it
    result = run_setup(tmp_path, 0, "--browser", office=office)
    assert result.returncode == 0, result.stderr
    installed = (tmp_path / "apt-calls").read_text().splitlines()[1]
    assert "libreoffice-calc-nogui" in installed
    assert "libreoffice-writer-nogui" not in installed


def test_a_python_no_other_user_can_reach_is_noted() -> None:
    import tempfile

    check = Path(__file__).parents[1] / "scripts" / "check-interpreter.sh"
    # Under /tmp itself: pytest's own folders are root's alone (0700), like /root.
    with tempfile.TemporaryDirectory(dir="/tmp", prefix="check-interpreter-") as folder:
        tmp_path = Path(folder)
        tmp_path.chmod(0o755)
        _check_both(check, tmp_path)


def _check_both(check: Path, tmp_path: Path) -> None:
    for mode, noted in ((0o700, True), (0o755, False)):
        home = tmp_path / f"home-{mode:o}"
        (home / "bin").mkdir(parents=True)
        (home / "bin" / "python3").write_text("")
        home.chmod(mode)
        link = tmp_path / f"python-{mode:o}"
        link.symlink_to(home / "bin" / "python3")
        result = subprocess.run(
            ["bash", str(check), str(link)], capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 0
        assert ("which other users cannot enter" in result.stderr) is noted, result.stderr
