"""The command line: gathers options and calls one library function; exit codes by failure."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from highneeds import __version__
from highneeds.errors import HighNeedsError, Interrupted, LastRunFailed, UsageError
from highneeds.runner.logs import LOGGER, configure_console, print_result, run_fields
from highneeds.runner.secrets import install_redaction, redact
from highneeds.runner.settings import load_settings_file

EXIT_CODES = """exit codes:
  0  success
  1  anything unexpected
  2  usage error (unknown cycle, unknown parameter)
  3  input data failed validation (nothing was modelled or published)
  4  a notebook failed to execute (or the narrative could not be rendered)
  5  another run of the same cycle holds the lock
  6  verify: an archived run did not reproduce, or was edited after the run
  7  the machine, not the data: disk full, folder read-only, vanished or not writable
     (the message names the path and what to free or fix; the last good paper is kept)
  8  run --require-changes: the cycle's inputs are the previous cycle's, unedited
     (nothing was run or published)
  130/143  interrupted by SIGINT/SIGTERM (the last good paper is left as it was)"""


def _parameter(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), yaml.safe_load(value)


def _command(commands: Any, name: str, help_text: str, description: str) -> argparse.ArgumentParser:
    sub = commands.add_parser(
        name,
        help=help_text,
        description=description,
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub.add_argument(
        "-q", "--quiet", action="store_true", help="print only the result line and errors"
    )
    sub.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="console messages as text or as one JSON object per line",
    )
    return sub


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipeline.py",
        description="Regenerate the High Needs (SEND) deficit Cabinet paper from a cycle's data.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"highneeds {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = _command(
        commands,
        "run",
        "validate, model and render a cycle's paper",
        "Run a cycle: validate its inputs, run the model notebooks, render the "
        "paper to HTML and PDF, and publish it under reports/<cycle>/. Steps whose "
        "inputs, parameters and code are unchanged are reused, not executed.",
    )
    run.add_argument("--cycle", help="cycle to run, YYYY-MM (default: newest under data/raw/)")
    run.add_argument(
        "-p",
        "--parameter",
        action="append",
        type=_parameter,
        default=[],
        metavar="NAME=VALUE",
        help="set a notebook parameter (YAML value), e.g. -p recovery_plan_basis=cumulative; "
        "given to every notebook that declares it; overrides the notebook's default",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="execute every step, even those whose inputs are unchanged",
    )
    run.add_argument(
        "--sequential",
        action="store_true",
        help="run the model only after the input gate has passed, one step at a time "
        "(default: alongside the gate, kept only if the gate passes on the same tables)",
    )
    run.add_argument(
        "--require-changes",
        action="store_true",
        help="exit 8 without publishing if the cycle's inputs are byte for byte the previous "
        "cycle's (started with new-cycle and never edited); for scheduled runs",
    )
    run.add_argument(
        "--cell-timeout",
        type=int,
        default=600,
        metavar="SECONDS",
        help="longest a notebook cell may run (default: 600)",
    )
    run.add_argument(
        "--kernel-timeout",
        type=int,
        default=120,
        metavar="SECONDS",
        help="longest a notebook kernel may take to start (default: 120)",
    )
    run.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar per notebook (default: when stderr is a terminal)",
    )

    validate = _command(
        commands,
        "validate",
        "run the input gate alone",
        "Check a cycle's inputs with the same gate as 'run', write the "
        "validation documents to reports/<cycle>/validation/, and exit 3 if "
        "any check fails. Nothing is modelled, rendered or published.",
    )
    validate.add_argument("--cycle", help="cycle to check, YYYY-MM (default: newest)")

    verify = _command(
        commands,
        "verify",
        "re-execute an archived run and check it reproduces",
        "Re-execute an archived run from its archived inputs in a temporary "
        "folder and compare every output's SHA-256 with its manifest. Exit 6, "
        "listing each file, if anything differs or was edited after the run.",
    )
    verify.add_argument("--cycle", help="cycle of the run, YYYY-MM (default: newest)")
    verify.add_argument(
        "--run", help="run id under reports/<cycle>/runs/ (default: the published run)"
    )

    prune = _command(
        commands,
        "prune",
        "remove old runs and the stored files no kept run uses",
        "Remove old run folders under reports/<cycle>/runs/ and the stored files and "
        "folders that no kept run uses. Never removes a cycle's published run, a failed "
        "run newer than it, or anything a kept run needs. A cycle being run is skipped.",
    )
    prune.add_argument("--cycle", help="prune one cycle, YYYY-MM (default: every cycle)")
    prune.add_argument("--keep", type=int, metavar="N", help="keep the newest N runs of each cycle")
    prune.add_argument(
        "--older-than",
        type=float,
        metavar="DAYS",
        help="remove only runs older than DAYS days (with --keep: beyond the newest N too)",
    )
    prune.add_argument(
        "--dry-run", action="store_true", help="say what would be removed; remove nothing"
    )

    status = _command(
        commands,
        "status",
        "what a cycle published, how its last run ended, whether one is running",
        "For monitors: the cycle's published run, its last run and exit code, whether a run "
        "is in progress (process and since when), and the archive's size. Exits 0 when the "
        "last run succeeded, else that run's exit code (1 if it never finished or none ran).",
    )
    status.add_argument("--cycle", help="cycle to report, YYYY-MM (default: newest)")
    status.add_argument("--format", choices=("text", "json"), default="text", dest="output")

    new = _command(
        commands,
        "new-cycle",
        "start a cycle from the previous cycle's inputs",
        "Create data/raw/<CYCLE>/ from a previous cycle's inputs and narrative, so "
        "that the author edits only what changed. Never overwrites a cycle.",
    )
    new.add_argument("new_cycle", metavar="CYCLE", help="the new cycle, YYYY-MM")
    new.add_argument(
        "--from", dest="previous", metavar="PREVIOUS", help="cycle to copy (default: the newest)"
    )
    return parser


@dataclass
class Finished:
    """What a command that succeeded says: its cycle, the lines to print, and for a run the
    paper, the run's id and any warning an operator must hear of (it is notified)."""

    cycle: str | None
    lines: list[str]
    paper: str | None = None
    run_id: str | None = None
    warnings: tuple[str, ...] = ()


def _dispatch(args: argparse.Namespace) -> Finished:
    """Run the command; say what it did."""
    from highneeds.runner.options import RunOptions

    if args.command == "run":
        from highneeds.runner.cycle import run_cycle

        progress = (
            sys.stderr.isatty() and not args.quiet if args.progress is None else (args.progress)
        )
        result = run_cycle(
            RunOptions(
                cycle=args.cycle,
                parameters=dict(args.parameter),
                cell_timeout=args.cell_timeout,
                kernel_timeout=args.kernel_timeout,
                progress=progress,
                force=args.force,
                overlap=not args.sequential,
                require_changes=args.require_changes,
            )
        )
        reused = f", reused {len(result.reused)}" if result.reused else ""
        return Finished(
            result.cycle,
            [
                f"Paper for cycle {result.cycle}, run {result.run_id} ({result.seconds:.1f} s; "
                f"executed {len(result.executed)} step(s){reused}):",
                f"  HTML: {result.html}",
                f"  PDF:  {result.pdf}",
                f"  what changed: {result.changes}",
                f"  manifest: {result.manifest}",
            ],
            str(result.pdf),
            result.run_id,
            tuple(result.warnings),
        )
    if args.command == "validate":
        from highneeds.runner.validate import validate_only

        gate = validate_only(RunOptions(cycle=args.cycle))
        return Finished(
            gate.cycle,
            [
                f"Inputs of cycle {gate.cycle} passed all {gate.checks} checks.",
                f"  validation report: {gate.summary}",
            ],
        )
    if args.command == "verify":
        from highneeds.runner.verify import verify_run

        checked = verify_run(RunOptions(cycle=args.cycle), args.run)
        return Finished(
            checked.cycle,
            [
                f"Run {checked.run_id} of cycle {checked.cycle} reproduces: all "
                f"{checked.compared} outputs match its manifest."
            ],
            run_id=checked.run_id,
        )
    if args.command == "prune":
        return Finished(None, _prune_lines(args))
    if args.command == "status":
        return _status(args)
    from highneeds.paths import PROJECT_ROOT
    from highneeds.runner.cycles import new_cycle

    folder = new_cycle(PROJECT_ROOT, args.new_cycle, args.previous)
    return Finished(
        args.new_cycle,
        [
            f"Cycle {args.new_cycle} created at {folder}: edit what changed, "
            f"then run: python pipeline.py run --cycle {args.new_cycle}"
        ],
    )


def _status(args: argparse.Namespace) -> Finished:
    from highneeds.paths import PROJECT_ROOT
    from highneeds.runner.cycles import choose_cycle
    from highneeds.runner.status import cycle_status

    report = cycle_status(PROJECT_ROOT, choose_cycle(PROJECT_ROOT, args.cycle))
    print("\n".join(report.lines()) if args.output == "text" else report.as_json(), flush=True)
    if report.exit_code:
        raise LastRunFailed(report.cycle, report.exit_code)
    return Finished(report.cycle, [])


def _prune_lines(args: argparse.Namespace) -> list[str]:
    from highneeds.paths import PROJECT_ROOT
    from highneeds.runner.prune import prune

    result = prune(PROJECT_ROOT, args.cycle, args.keep, args.older_than, args.dry_run)
    verb = "would remove" if result.dry_run else "removed"
    freed = f"{result.freed_bytes / 1e6:.1f} MB"
    lines = [
        f"Prune{' (dry run)' if result.dry_run else 'd'}: {verb} {len(result.removed)} "
        f"run(s), kept {result.kept}; {'would free' if result.dry_run else 'freed'} {freed}."
    ]
    if result.skipped:
        lines.append(f"  skipped (being run): {', '.join(result.skipped)}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_console(quiet=args.quiet, log_format=args.log_format)
    install_redaction(LOGGER)
    try:  # before anything runs: a schedule must not run without the settings it names
        for warning in load_settings_file(os.environ):
            LOGGER.warning(warning)
    except UsageError as exc:
        LOGGER.error(f"error: {exc}", extra={"exit_code": exc.exit_code})
        return exc.exit_code
    cycle = getattr(args, "cycle", None) or getattr(args, "new_cycle", None) or _newest_cycle()
    with run_fields(cycle=cycle):
        return _run_command(args, cycle)


def _run_command(args: argparse.Namespace, cycle: str | None) -> int:
    """Run the command, print its result or its error, notify; return the exit code."""
    run_id = None
    try:
        done = _dispatch(args)
        cycle, paper, run_id = done.cycle, done.paper, done.run_id
        print_result(done.lines, cycle=cycle, run_id=run_id, exit_code=0)
        code, status, step, log = 0, "succeeded", None, None
        message = "\n".join([*done.warnings, *done.lines])
        if done.warnings:
            status = "succeeded with a warning"
    except (HighNeedsError, Interrupted) as exc:
        code, status, message = exc.exit_code, "failed", str(exc)
        step, log, paper, run_id = exc.step, exc.log, None, exc.run_id
        if isinstance(exc, Interrupted):
            status = "interrupted"
            # Tasks of the kernels stopped on the way end in errors nobody will collect:
            # asyncio would print each as a traceback at exit.
            logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        LOGGER.error(f"error: {exc}", extra={"exit_code": code, "step": step, "run_id": run_id})
    except KeyboardInterrupt:
        code, status, message, step, log, paper = (
            130,
            "interrupted",
            "interrupted",
            None,
            None,
            None,
        )
        LOGGER.error("interrupted", extra={"exit_code": code})
    except Exception as exc:  # a bug, or something the checks did not foresee: never a traceback
        code, status, paper = 1, "failed", None
        step = getattr(exc, "__highneeds_step__", None)
        log = _keep_traceback(exc, getattr(exc, "__highneeds_log__", None), cycle)
        message = redact(f"unexpected error: {type(exc).__name__}: {exc}")
        LOGGER.error(
            f"error: {message} (the details are in {log})",
            extra={"exit_code": code, "step": step},
        )
    if args.command in ("run", "validate"):
        _notify(args.command, cycle, code, status, step, message, log, paper)
    return code


def _keep_traceback(exc: BaseException, log: str | None, cycle: str | None) -> str:
    """Write the traceback of an unexpected error to the run's log (or, outside a run, to
    ``reports/<cycle>/last-error.log``), redacted of secrets; return where it is."""
    from highneeds.paths import PROJECT_ROOT

    text = f"\nunexpected error (exit 1):\n{redact(''.join(traceback.format_exception(exc)))}"
    if log is None:
        log = str(PROJECT_ROOT / "reports" / (cycle or "") / "last-error.log")
    try:
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError:  # the reports folder itself may be what is wrong
        handle_fd, log = tempfile.mkstemp(prefix="highneeds-error-", suffix=".log")
        with os.fdopen(handle_fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    return log


def _newest_cycle() -> str | None:
    """The cycle a command without ``--cycle`` works on, for messages and notifications."""
    from highneeds.paths import PROJECT_ROOT
    from highneeds.runner.cycles import available_cycles

    cycles = available_cycles(PROJECT_ROOT)
    return cycles[-1] if cycles else None


def _notify(
    command: str,
    cycle: str | None,
    code: int,
    status: str,
    step: str | None,
    message: str,
    log: str | None,
    paper: str | None,
) -> None:
    from highneeds.runner.notify import NotifySettings, Outcome, notify

    settings = NotifySettings.from_environment()
    if settings.any:
        notify(Outcome(command, cycle, code, status, step, message, log, paper), settings)


if __name__ == "__main__":
    sys.exit(main())
