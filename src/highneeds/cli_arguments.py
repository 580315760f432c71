"""The command line's arguments: every command, its options and the exit codes it documents."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from highneeds import __version__
from highneeds.common.exit_codes import help_text

EXIT_CODES = help_text()


def _parameter(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    import yaml  # here: most commands take no parameter, and the import costs the CLI's start

    return name.strip(), yaml.safe_load(value)


def _parameter_option(sub: argparse.ArgumentParser, help_text: str) -> None:
    sub.add_argument(
        "-p",
        "--parameter",
        action="append",
        type=_parameter,
        default=[],
        metavar="NAME=VALUE",
        help=help_text,
    )


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


def _council_option(sub: argparse.ArgumentParser, group: Any = None) -> None:
    (group or sub).add_argument(
        "--council",
        metavar="NAME",
        help="the council, in a project of several (its folder under data/raw/; default: "
        "the project's only council)",
    )


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
    _council_option(run)
    run.add_argument(
        "--all",
        action="store_true",
        help="run every council's newest cycle, several at once (one process each, up to the "
        "machine's cores), and print one line a council; exits with the first failure's code",
    )
    _parameter_option(
        run,
        "set a notebook parameter (YAML value), e.g. -p recovery_plan_basis=cumulative; "
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
        "--render-timeout",
        type=int,
        default=600,
        metavar="SECONDS",
        help="longest the render (HTML, PDFs, Word, DfE return) may take (default: 600)",
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
    _council_option(validate)

    preview = _command(
        commands,
        "preview",
        "serve the cycle's paper to a browser, updated on every save",
        "Serve the cycle's paper at http://127.0.0.1:PORT/ and rebuild it whenever one of "
        "its inputs, the expectation suites or the paper's templates is saved: a narrative "
        "or paper.yaml edit re-renders the paper; a table edit validates and models again "
        "first. A mistake is shown over the last good paper until it is fixed. Nothing is "
        "published and no lock is taken: it is safe beside a scheduled run. Ctrl-C stops it.",
    )
    preview.add_argument("--cycle", help="cycle to preview, YYYY-MM (default: newest)")
    _council_option(preview)
    preview.add_argument(
        "--port", type=int, default=8000, help="port to serve on (default: 8000; 0: any free)"
    )
    preview.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    preview.add_argument(
        "--open", action="store_true", dest="open_browser", help="open it in the browser"
    )
    _parameter_option(preview, "set a notebook parameter, as for 'run'")

    explain = _command(
        commands,
        "explain",
        "show how each figure of a paragraph was computed, down to the input cells",
        "For each figure the published paper prints at WHERE (a paragraph such as 7.13, or a "
        "model figure such as unmitigated.cfwd[2024/25]): the printed value, the formula with "
        "its values, the notebook that computed it, and the chain down to the cells of the "
        "input files (file, row, column, value). Exit 2 for a place that prints nothing.",
    )
    explain.add_argument("--cycle", help="cycle of the paper, YYYY-MM (default: newest)")
    _council_option(explain)
    explain.add_argument(
        "--run", help="run id under reports/<cycle>/runs/ (default: the published run)"
    )
    explain.add_argument("--format", choices=("text", "json"), default="text", dest="output")
    explain.add_argument(
        "--history",
        action="store_true",
        help="instead: how the forecast's headline figures moved from paper to paper, across "
        "every cycle with a published paper",
    )
    explain.add_argument(
        "where", metavar="WHERE", nargs="?", help="a paragraph (7.13) or a figure's name"
    )

    verify = _command(
        commands,
        "verify",
        "re-execute an archived run and check it reproduces",
        "Re-execute an archived run from its archived inputs in a temporary "
        "folder and compare every output's SHA-256 with its manifest. Exit 6, "
        "listing each file, if anything differs or was edited after the run.",
    )
    verify.add_argument("--cycle", help="cycle of the run, YYYY-MM (default: newest)")
    _council_option(verify)
    verify.add_argument(
        "--run", help="run id under reports/<cycle>/runs/ (default: the published run)"
    )
    verify.add_argument(
        "--sequential",
        action="store_true",
        help="re-execute one step at a time, as the notebooks would be run by hand (default: "
        "the model alongside the gate, as a run does); the outputs must be the same bytes",
    )
    verify.add_argument(
        "--plain",
        action="store_true",
        help="re-execute with stock papermill, a kernel of its own for each notebook, and "
        "the render in this process: none of a run's speed machinery (slower); the outputs "
        "must be the same bytes",
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
    _council_option(prune)
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
    which = status.add_mutually_exclusive_group()
    which.add_argument("--cycle", help="cycle to report, YYYY-MM (default: newest)")
    _council_option(status)
    which.add_argument(
        "--all",
        action="store_true",
        help="every cycle, newest first; exits with the code of the newest that did not succeed",
    )
    status.add_argument("--format", choices=("text", "json"), default="text", dest="output")

    failed = _command(
        commands,
        "notify-failure",
        "tell the notification channels that a scheduled unit failed (systemd OnFailure=)",
        "For systemd's OnFailure=: send a notification that the unit failed, with the cycle's "
        "status, when the pipeline could not say so itself (timed out, killed, out of memory, "
        "never started). A failure the pipeline exited with was already notified by the run.",
    )
    failed.add_argument("--unit", required=True, help="the unit that failed, e.g. %%i")

    tested = _command(
        commands,
        "backtest",
        "score the ways of forecasting EHC plans on the DfE's SEN2 file",
        "From each origin January (or --origin), forecast every council's EHC plans 1 to "
        "--horizon years ahead with each method the tool offers, using only the Januaries up "
        "to the origin, and score each against what followed: mean and median absolute "
        "percentage error, bias, and how often the actual fell inside the 80% interval. Says "
        "which method the tool uses (the best on the history up to the origin).",
    )
    tested.add_argument(
        "--sen2",
        required=True,
        type=Path,
        metavar="FILE",
        help="the DfE's 'Education, health and care plans' caseload file (CSV)",
    )
    tested.add_argument(
        "--origin",
        type=int,
        metavar="YYYY",
        help="forecast from January YYYY only (the DfE's time_period (YYYY-1)YYYY); default: "
        "every January after the first",
    )
    tested.add_argument(
        "--horizon", type=int, default=3, metavar="N", help="years ahead (default 3)"
    )
    tested.add_argument("--format", choices=("text", "json", "csv"), default="text", dest="output")

    new = _command(
        commands,
        "new-cycle",
        "start a cycle from the previous cycle's inputs",
        "Create data/raw/<CYCLE>/ from a previous cycle's inputs and narrative, so "
        "that the author edits only what changed. Never overwrites a cycle.",
    )
    new.add_argument("new_cycle", metavar="CYCLE", help="the new cycle, YYYY-MM")
    _council_option(new)
    new.add_argument(
        "--from", dest="previous", metavar="PREVIOUS", help="cycle to copy (default: the newest)"
    )
    return parser
