"""The `notify-failure` command, for systemd's ``OnFailure=``: tell the notification channels
that the scheduled unit failed when the pipeline could not say so itself (stopped by a
timeout, killed, out of memory, or never started). A failure the pipeline exited with was
already notified by the run, so it is not sent twice.

systemd gives the unit's end in ``MONITOR_SERVICE_RESULT`` (``exit-code``, ``timeout``,
``signal``, ``oom-kill`` ...), ``MONITOR_EXIT_CODE`` (``exited``, ``killed`` ...) and
``MONITOR_EXIT_STATUS`` (the number, or the signal's name).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from highneeds.common.exit_codes import ALL_CODES
from highneeds.runner.archive.cycles import available_cycles
from highneeds.runner.commands.every_council import every_council
from highneeds.runner.commands.status import cycle_status
from highneeds.runner.ops.notify import NotifySettings, Outcome, notify

#: Exit codes with which the pipeline itself has already notified.
PIPELINE_EXIT_CODES = frozenset(str(code) for code in ALL_CODES if code)


def notify_unit_failure(root: Path, unit: str, env: Mapping[str, str]) -> list[str]:
    """Send the unit's failure (unless the run already did); return what was done."""
    result = env.get("MONITOR_SERVICE_RESULT", "unknown")
    how = env.get("MONITOR_EXIT_CODE", "")
    status = env.get("MONITOR_EXIT_STATUS", "")
    if result == "exit-code" and how == "exited" and status in PIPELINE_EXIT_CODES:
        return [f"{unit} ended with the pipeline's exit code {status}: the run notified it itself"]
    reports = []
    for council in every_council(root):  # each council's newest cycle
        cycles = available_cycles(root, council)
        if cycles:
            reports.append(cycle_status(root, cycles[-1], council))
    report = reports[0] if reports else None
    message = (
        f"The systemd unit {unit} failed ({result}; {how} {status}) without the pipeline "
        f"reporting it: it was stopped, timed out, killed or could not start. The last good "
        f"paper is left as it was. See: journalctl -u {unit}\n\n"
        + (
            "\n\n".join("\n".join(r.lines()) for r in reports)
            if reports
            else "No cycle folders under data/raw/."
        )
    )
    settings = NotifySettings.from_environment(env)
    if not settings.any:
        return [f"{unit} failed, but no notification channel is configured"]
    outcome = Outcome(
        "scheduled run",
        report.cycle if report else None,
        int(status) if status.isdigit() else 1,
        "failed",
        None,
        message,
        None,
        None,
    )
    failed = notify(outcome, settings)
    sent = len(settings.urls) - len(failed)
    return [f"{unit} failed ({result}); told {sent} of {len(settings.urls)} channel(s)"]
