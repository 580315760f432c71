"""The exit codes, declared once: the README's table and ``--help`` are made from the table,
and every error the pipeline raises exits with a code the table explains."""

from __future__ import annotations

import inspect
from pathlib import Path

from highneeds.cli_arguments import EXIT_CODES as HELP_EPILOG
from highneeds.common import errors
from highneeds.common.exit_codes import ALL_CODES, EXIT_CODES, help_text, readme_table
from highneeds.runner.commands.unit_failure import PIPELINE_EXIT_CODES

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_table_is_the_declared_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_table() in readme, "regenerate it: highneeds.common.exit_codes.readme_table()"


def test_help_lists_every_code_in_order() -> None:
    assert help_text() == HELP_EPILOG
    listed = [line.split()[0] for line in help_text().splitlines()[1:] if line[2:3].isdigit()]
    assert listed == [entry.label for entry in EXIT_CODES]


def test_every_error_exits_with_a_declared_code() -> None:
    classes = [
        c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__
    ]
    codes = {
        c.__name__: c.exit_code for c in classes if isinstance(getattr(c, "exit_code", None), int)
    }
    assert codes and set(codes.values()) <= ALL_CODES, codes
    assert errors.Interrupted("SIGTERM", 143).exit_code in ALL_CODES


def test_the_unit_failure_check_knows_every_failure_code_but_success() -> None:
    assert {str(code) for code in ALL_CODES} - {"0"} == PIPELINE_EXIT_CODES
