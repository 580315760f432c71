"""The command line: gathers options and calls one library function; exit codes by failure."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from highneeds.cli_arguments import build_parser
from highneeds.common.errors import HighNeedsError, Interrupted, LastRunFailed, UsageError
from highneeds.common.garbage_collection import end_without_collecting
from highneeds.runner.ops.logs import LOGGER, configure_console, print_result, run_fields
from highneeds.runner.ops.secrets import install_redaction, redact
from highneeds.runner.ops.settings import load_settings_file
from highneeds.runner.ops.temporary import remove_own

if TYPE_CHECKING:
    from highneeds.runner.ops.notify import Outcome


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
    from highneeds.runner.execute.options import RunOptions
    from highneeds.runner.ops.resources import memory_limit, preview_seconds

    if args.command in ("run", "verify", "preview"):  # a bad bound stops it before it starts
        memory_limit(), preview_seconds()

    if args.command == "run" and args.all:
        from highneeds.runner.commands.every_council import run_every_council

        return Finished(None, run_every_council(args))
    if args.command == "run":
        from highneeds.runner.commands.cycle import run_cycle

        progress = (
            sys.stderr.isatty() and not args.quiet if args.progress is None else (args.progress)
        )
        result = run_cycle(
            RunOptions(
                cycle=args.cycle,
                council=args.council,
                parameters=dict(args.parameter),
                cell_timeout=args.cell_timeout,
                kernel_timeout=args.kernel_timeout,
                render_timeout=args.render_timeout,
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
                *result.summary,
            ],
            str(result.paper),
            result.run_id,
            tuple(result.warnings),
        )
    if args.command == "validate":
        from highneeds.runner.commands.validate import validate_only

        gate = validate_only(RunOptions(cycle=args.cycle, council=args.council))
        return Finished(
            gate.cycle,
            [
                f"Inputs of cycle {gate.cycle} passed all {gate.checks} checks.",
                f"  validation report: {gate.summary}",
            ],
            warnings=tuple(gate.warnings),
        )
    if args.command == "preview":
        from highneeds.common.paths import PROJECT_ROOT, which_council
        from highneeds.runner.archive.cycles import choose_cycle
        from highneeds.runner.preview.preview_server import serve_preview

        council = which_council(PROJECT_ROOT, args.council)
        cycle = choose_cycle(PROJECT_ROOT, args.cycle, council)
        parameters = dict(args.parameter)
        serve_preview(
            PROJECT_ROOT, cycle, parameters, args.host, args.port, args.open_browser, council
        )
        return Finished(cycle, [f"Preview of cycle {cycle} stopped."])
    if args.command == "explain":
        from highneeds.common.paths import PROJECT_ROOT, which_council
        from highneeds.runner.archive.cycles import choose_cycle
        from highneeds.runner.commands.explain import explain

        council = which_council(PROJECT_ROOT, args.council)
        if args.history:
            from highneeds.runner.changes.history import (
                forecast_history,
                history_json,
                history_text,
            )

            history = forecast_history(PROJECT_ROOT, council=council)
            _print_all(history_text(history) if args.output == "text" else history_json(history))
            return Finished(None, [])
        if not args.where:
            raise UsageError("explain needs WHERE (a paragraph such as 7.13, or a figure's name)")
        cycle = choose_cycle(PROJECT_ROOT, args.cycle, council)
        explained = explain(PROJECT_ROOT, cycle, args.where, args.run, council)
        _print_all(explained.as_text() if args.output == "text" else explained.as_json())
        return Finished(cycle, [])
    if args.command == "verify":
        from highneeds.runner.commands.verify import verify_run

        checked = verify_run(
            RunOptions(cycle=args.cycle, council=args.council, overlap=not args.sequential),
            args.run,
            plain=args.plain,
        )
        return Finished(
            checked.cycle,
            [
                f"Run {checked.run_id} of cycle {checked.cycle} reproduces: all "
                f"{checked.compared} outputs match its manifest."
            ],
            run_id=checked.run_id,
        )
    if args.command == "backtest":
        from highneeds.runner.commands.backtest_command import run_backtest

        report = run_backtest(args.sen2, args.origin, args.horizon)
        shown = {"text": report.as_text, "json": report.as_json, "csv": report.as_csv}
        _print_all(shown[args.output]().rstrip("\n"))
        return Finished(None, [])
    if args.command == "prune":
        return Finished(None, _prune_lines(args))
    if args.command == "status":
        return _status(args)
    if args.command == "notify-failure":
        from highneeds.common.paths import PROJECT_ROOT
        from highneeds.runner.commands.unit_failure import notify_unit_failure

        return Finished(None, notify_unit_failure(PROJECT_ROOT, args.unit, os.environ))
    from highneeds.common.paths import PROJECT_ROOT, which_council
    from highneeds.runner.archive.cycles import meeting_of, month_words, new_cycle

    council = which_council(PROJECT_ROOT, args.council)
    folder, left = new_cycle(PROJECT_ROOT, args.new_cycle, args.previous, council)
    named = f" --council {council}" if args.council else ""
    lines = [
        f"Cycle {args.new_cycle} created at {folder}: edit what changed, "
        f"then run: python pipeline.py run{named} --cycle {args.new_cycle}"
    ]
    if left:
        lines.append(f"  not copied (no input of a cycle): {', '.join(left)}")
    meeting = meeting_of(folder / "paper.yaml")
    if meeting is not None:
        moved = meeting == month_words(args.new_cycle)
        lines.append(
            f"  paper.yaml: meeting {'moved to' if moved else 'left as'} {meeting!r}"
            + ("" if moved else "; set it for this cycle's meeting")
        )
    return Finished(args.new_cycle, lines)


def _print_all(text: str) -> None:
    """Print a command's whole answer; a reader that stops early (head, a pager) is no error."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _status(args: argparse.Namespace) -> Finished:
    from highneeds.common.paths import PROJECT_ROOT, which_council
    from highneeds.runner.archive.cycles import available_cycles, choose_cycle
    from highneeds.runner.commands.status import cycle_status

    council = which_council(PROJECT_ROOT, args.council)
    cycles = (
        list(reversed(available_cycles(PROJECT_ROOT, council)))
        if args.all
        else [choose_cycle(PROJECT_ROOT, args.cycle, council)]
    )
    reports = [cycle_status(PROJECT_ROOT, cycle, council) for cycle in cycles]
    if args.output == "text":
        print("\n".join(line for report in reports for line in report.lines()), flush=True)
    elif args.all:
        print(json.dumps([json.loads(report.as_json()) for report in reports], indent=2))
    else:
        print(reports[0].as_json(), flush=True)
    for report in reports:  # newest cycle first: the first that did not succeed decides
        if report.exit_code:
            raise LastRunFailed(report.cycle, report.exit_code, report.last_run is None)
    return Finished(reports[0].cycle if reports else None, [])


def _prune_lines(args: argparse.Namespace) -> list[str]:
    from highneeds.common.paths import PROJECT_ROOT
    from highneeds.runner.archive.prune import prune

    result = prune(
        PROJECT_ROOT,
        args.cycle,
        args.keep,
        args.older_than,
        args.dry_run,
        council=args.council,
    )
    verb = "would remove" if result.dry_run else "removed"
    freed = f"{result.freed_bytes / 1e6:.1f} MB"
    lines = [
        f"Prune{' (dry run: nothing removed)' if result.dry_run else 'd'}: {verb} "
        f"{len(result.removed)} run(s), kept {result.kept}; "
        f"{'would free' if result.dry_run else 'freed'} {freed} of disk under reports/ (the "
        "stored files only the removed runs used)."
    ]
    lines += [f"  {verb} reports/{name}" for name in result.removed]
    if args.keep == 0:
        lines.append(
            "  --keep 0 keeps no run for its age alone: each cycle keeps only its published run, "
            "the run its validation documents come from, and any failed run newer than the "
            "published one"
        )
    if result.skipped:
        lines.append(f"  skipped (being run): {', '.join(result.skipped)}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    end_without_collecting()
    args = build_parser().parse_args(argv)
    configure_console(quiet=args.quiet, log_format=args.log_format)
    install_redaction(LOGGER)
    unreadable = None
    try:  # before anything runs: a schedule must not run without the settings it names
        for warning in load_settings_file(os.environ):
            LOGGER.warning(warning)
    except UsageError as exc:
        if args.command != "run" or getattr(args, "all", False):
            LOGGER.error(f"error: {exc}", extra={"exit_code": exc.exit_code})
            return exc.exit_code
        unreadable = exc  # a run that cannot start: recorded as a failed run, and notified
    cycle = getattr(args, "cycle", None) or getattr(args, "new_cycle", None) or _newest_cycle()
    with run_fields(cycle=cycle):
        return _run_command(args, cycle, unreadable)


def _failed_start(args: argparse.Namespace, error: UsageError) -> UsageError:
    """The run that could not start, recorded in its cycle's archive (``status`` reports it)."""
    from highneeds.common.paths import PROJECT_ROOT
    from highneeds.runner.commands.cycle import record_failed_start

    recorded = record_failed_start(
        PROJECT_ROOT, args.cycle, getattr(args, "council", None), str(error), error.exit_code
    )
    if recorded is not None:
        error.run_id, log = recorded
        error.log = str(log)
    return error


def _run_command(
    args: argparse.Namespace, cycle: str | None, unreadable: UsageError | None = None
) -> int:
    """Run the command, print its result or its error, notify; return the exit code."""
    run_id, warned = None, False
    try:
        if unreadable is not None:
            raise _failed_start(args, unreadable)
        done = _dispatch(args)
        cycle, paper, run_id = done.cycle, done.paper, done.run_id
        print_result(done.lines, cycle=cycle, run_id=run_id, exit_code=0)
        code, status, step, log = 0, "succeeded", None, None
        message = "\n".join([*done.warnings, *done.lines])
        if done.warnings:
            status, warned = "succeeded with a warning", True
    except (HighNeedsError, Interrupted) as exc:
        code, status, message = exc.exit_code, "failed", str(exc)
        step, log, paper, run_id = exc.step, exc.log, None, exc.run_id
        if isinstance(exc, Interrupted):
            status = "interrupted"
            # Tasks of the kernels stopped on the way end in errors nobody will collect:
            # asyncio would print each as a traceback at exit.
            logging.getLogger("asyncio").setLevel(logging.CRITICAL)
            remove_own()  # the kernels are stopped: what a step cut short left goes too
        where = f"\n  run {run_id}" if run_id else ""
        where += f" stopped in step {step}" if run_id and step else ""
        where += f"; its log: {log}" if run_id and log else ""
        LOGGER.error(
            f"error: {exc}{where}", extra={"exit_code": code, "step": step, "run_id": run_id}
        )
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
    # Each council's run of run --all notified for itself.
    if args.command in ("run", "validate") and not getattr(args, "all", False):
        from highneeds.runner.ops.notify import Outcome

        _notify(Outcome(args.command, cycle, code, status, step, message, log, paper, warned))
    return code


def _keep_traceback(exc: BaseException, log: str | None, cycle: str | None) -> str:
    """Write the traceback of an unexpected error to the run's log (or, outside a run, to
    ``reports/<cycle>/last-error.log``), redacted of secrets; return where it is."""
    from highneeds.common.paths import PROJECT_ROOT

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
    """The cycle a command without ``--cycle`` works on, for messages and notifications: the
    newest of the council it works on without ``--council``."""
    from highneeds.common.paths import PROJECT_ROOT, which_council
    from highneeds.runner.archive.cycles import available_cycles

    try:
        council = which_council(PROJECT_ROOT, None)
    except UsageError:  # several councils: the command itself says so
        return None
    cycles = available_cycles(PROJECT_ROOT, council)
    return cycles[-1] if cycles else None


def _notify(outcome: Outcome) -> None:
    """Tell the configured channels what the command did."""
    from highneeds.runner.ops.notify import NotifySettings, notify

    settings = NotifySettings.from_environment()
    if settings.any:
        notify(outcome, settings)


if __name__ == "__main__":
    sys.exit(main())
