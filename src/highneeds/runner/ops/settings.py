"""Operator settings: read from the environment, or from a file the environment names, and
read defensively: a bad value is a warning and the default, never a crash (least of all after
the paper was published).

``HIGHNEEDS_SETTINGS_FILE=/etc/highneeds/notify.env`` names a file of ``NAME=value`` lines
(``#`` comments, optional quotes, no shell expansion), for schedulers that cannot source it
themselves (cron as a service user); a variable already set in the environment wins.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from pathlib import Path

from highneeds.common.errors import UsageError

SETTINGS_FILE = "HIGHNEEDS_SETTINGS_FILE"
#: A setting's line, stripped first: greedy throughout, so no pattern backtracks over spaces.
_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
#: A bad line's start, shown only when it is one of the tool's own names (never a value).
_NAME_START = re.compile(r"^\s*(?:export\s+)?(HIGHNEEDS_[A-Z0-9_]{1,60})(?![A-Za-z0-9_])")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class SettingsReader:
    """Typed reads of ``HIGHNEEDS_*`` settings that collect a warning for each bad value."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.warnings: list[str] = []

    def text(self, name: str, default: str = "") -> str:
        return self.env.get(name, default).strip()

    def _bad(self, name: str, expected: str, default: object) -> None:
        self.warnings.append(
            f"warning: {name}={self.env[name]!r} is not {expected}; using {default!r}"
        )

    def flag(self, name: str, default: bool) -> bool:
        value = self.text(name).lower()
        if not value:
            return default
        if value in _TRUE or value in _FALSE:
            return value in _TRUE
        self._bad(name, "true or false", default)
        return default

    def number(self, name: str, default: float, low: float, high: float) -> float:
        value = self.text(name)
        if not value:
            return default
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not low <= number <= high:  # also false for nan
            self._bad(name, f"a number from {low:g} to {high:g}", default)
            return default
        return number

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.text(name).lower()
        if not value:
            return default
        if value not in choices:
            self._bad(name, " or ".join(choices), default)
            return default
        return value

    def readable_file(self, name: str) -> str | None:
        value = self.text(name)
        if value and not os.access(value, os.R_OK):
            self.warnings.append(f"warning: {name}={value!r} is not a readable file; ignored")
            return None
        return value or None


def read_settings_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines of a settings file, as systemd's ``EnvironmentFile=`` reads them."""
    settings: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith(("#", ";")):
            continue
        found = _LINE.match(line.strip())
        if not found:
            # Never the line itself: it may be a password missing its '='.
            start = _NAME_START.match(line)
            what = f"a line starting {start.group(1)} with no '='" if start else "no NAME="
            raise UsageError(
                f"{path}, line {number}: expected NAME=value, found {what} (the line is not "
                "shown: it may hold a password)"
            )
        name, value = found.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        settings[name] = value
    return settings


def load_settings_file(env: MutableMapping[str, str]) -> list[str]:
    """Add the settings of the file ``HIGHNEEDS_SETTINGS_FILE`` names to ``env`` (those not
    already set); return warnings. A named file that cannot be read stops the command (exit 2)
    before it starts: a schedule must not run silently without its settings."""
    name = env.get(SETTINGS_FILE, "").strip()
    if not name:
        return []
    path = Path(name)
    try:
        settings = read_settings_file(path)
        mode = path.stat().st_mode
    except OSError as exc:
        raise UsageError(
            f"{SETTINGS_FILE}={name}: cannot be read ({exc.strerror}); the service's user "
            "needs read access (for example root:highneeds, mode 640)"
        ) from None
    for key, value in settings.items():
        env.setdefault(key, value)
    if mode & stat.S_IROTH:
        return [f"warning: {name} is readable by every user; it may hold passwords (chmod 640)"]
    return []


@contextmanager
def environment_set(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the length of a ``with`` block, then put them back."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
