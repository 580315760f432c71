"""The command line: gathers options and calls one library function; exit codes by failure."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import yaml

from highneeds import __version__
from highneeds.errors import HighNeedsError

EXIT_CODES = """exit codes:
  0  success
  1  anything unexpected
  2  usage error (unknown cycle, unknown parameter)
  3  input data failed validation (nothing was modelled or published)
  4  a notebook failed to execute (or the narrative could not be rendered)
  5  another run of the same cycle holds the lock
  6  verify: an archived run did not reproduce, or was edited after the run"""


def _parameter(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), yaml.safe_load(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipeline.py",
        description="Regenerate the High Needs (SEND) deficit Cabinet paper from a cycle's data.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"highneeds {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run",
        help="validate, model and render a cycle's paper",
        description="Run a cycle: validate its inputs, run the model notebooks, render the "
        "paper to HTML and PDF, and publish it under reports/<cycle>/.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
        "--cell-timeout",
        type=int,
        default=600,
        metavar="SECONDS",
        help="longest a notebook cell may run (default: 600)",
    )
    run.add_argument("--progress", action="store_true", help="show a progress bar per notebook")
    run.add_argument(
        "--force",
        action="store_true",
        help="execute every step, even those whose inputs, parameters and code are unchanged",
    )
    run.add_argument("-q", "--quiet", action="store_true", help="print only the result and errors")
    validate = commands.add_parser(
        "validate",
        help="run the input gate alone",
        description="Check a cycle's inputs with the same gate as 'run' (Great Expectations "
        "suites and the checks across tables), write the validation documents to "
        "reports/<cycle>/validation/, and exit 3 if any check fails. Nothing is "
        "modelled, rendered or published.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("--cycle", help="cycle to check, YYYY-MM (default: newest)")
    verify = commands.add_parser(
        "verify",
        help="re-execute an archived run and check it reproduces",
        description="Re-execute an archived run from its archived inputs in a temporary "
        "folder and compare every output's SHA-256 with its manifest. Exit 6, "
        "listing each file, if anything differs or was edited after the run.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument("--cycle", help="cycle of the run, YYYY-MM (default: newest)")
    verify.add_argument(
        "--run", help="run id under reports/<cycle>/runs/ (default: the published run)"
    )
    verify.add_argument(
        "-q", "--quiet", action="store_true", help="print only the result and errors"
    )
    validate.add_argument(
        "-q", "--quiet", action="store_true", help="print only the result and errors"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    say = (lambda _message: None) if args.quiet else (lambda m: print(m, flush=True))
    try:
        if args.command == "run":
            from highneeds.run import RunOptions, run_cycle

            result = run_cycle(
                RunOptions(
                    cycle=args.cycle,
                    parameters=dict(args.parameter),
                    cell_timeout=args.cell_timeout,
                    progress=args.progress,
                    force=args.force,
                    say=say,
                )
            )
            reused = f", reused {len(result.reused)}" if result.reused else ""
            print(
                f"Paper for cycle {result.cycle}, run {result.run_id} "
                f"({result.seconds:.1f} s; executed {len(result.executed)} step(s){reused}):"
            )
            print(f"  HTML: {result.html}")
            print(f"  PDF:  {result.pdf}")
            print(f"  what changed: {result.changes}")
            print(f"  manifest: {result.manifest}")
            return 0
        if args.command == "validate":
            from highneeds.run import RunOptions, validate_only

            gate = validate_only(RunOptions(cycle=args.cycle, say=say))
            print(f"Inputs of cycle {gate.cycle} passed all {gate.checks} checks.")
            print(f"  validation report: {gate.summary}")
            return 0
        if args.command == "verify":
            from highneeds.run import RunOptions, verify_run

            checked = verify_run(RunOptions(cycle=args.cycle, say=say), args.run)
            print(
                f"Run {checked.run_id} of cycle {checked.cycle} reproduces: all "
                f"{checked.compared} outputs match its manifest."
            )
            return 0
    except HighNeedsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
