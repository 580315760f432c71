"""The exceptions the pipeline raises, each mapped to the exit code the CLI returns, and how
their messages name a place in a spreadsheet."""

from __future__ import annotations

from typing import Any


class HighNeedsError(Exception):
    """Base class for every error the pipeline reports to its user."""

    exit_code = 1
    #: The step that failed, the run's log and id, when a run got that far (for notifications
    #: and log lines).
    step: str | None = None
    log: str | None = None
    run_id: str | None = None


class UsageError(HighNeedsError):
    """The command was called wrongly: unknown cycle, unknown parameter, bad option."""

    exit_code = 2


class InputDataError(HighNeedsError):
    """A cycle's input data could not be read or failed validation."""

    exit_code = 3

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class ReconciliationError(InputDataError):
    """The budget table's carried-forward figures do not follow from its own lines."""


class NarrativeError(HighNeedsError):
    """The narrative or paper metadata cannot be rendered (unknown label, undefined figure)."""

    exit_code = 4


class NotebookFailed(HighNeedsError):
    """A notebook raised, timed out or lost its kernel."""

    exit_code = 4


class VerificationFailed(HighNeedsError):
    """An archived run did not reproduce, or its archive was edited after the run."""

    exit_code = 6

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join([super().__str__(), *(f"  - {p}" for p in self.problems)])


class LockHeld(HighNeedsError):
    """Another run of the same cycle holds the cycle's lock."""

    exit_code = 5


class StorageError(HighNeedsError):
    """The machine, not the data: the disk is full, a folder is read-only, vanished or not
    writable by the pipeline's user. The last good paper is left as it was."""

    exit_code = 7


class StaleCycle(HighNeedsError):
    """``--require-changes``: the cycle's inputs are the previous cycle's, unedited."""

    exit_code = 8


class LastRunFailed(HighNeedsError):
    """``status``: the cycle's last run did not succeed; exits with that run's code."""

    def __init__(self, cycle: str, exit_code: int, never_run: bool = False) -> None:
        super().__init__(
            f"cycle {cycle} has not been run yet"
            if never_run
            else f"the last run of cycle {cycle} did not succeed (exit {exit_code})"
        )
        self.exit_code = exit_code


class Interrupted(BaseException):
    """SIGINT or SIGTERM stopped the run (a BaseException, like KeyboardInterrupt, so that no
    ``except Exception`` on the way swallows it)."""

    step: str | None = None
    log: str | None = None
    run_id: str | None = None

    def __init__(self, signal_name: str, exit_code: int) -> None:
        super().__init__(f"interrupted by {signal_name}")
        self.exit_code = exit_code


def column_words(heading: str, letter: str | None = None) -> str:
    """A column as people who work in Excel find it: ``column C ('2022/23')``, or by its
    heading alone where the letter is not known."""
    return f"column {letter} ('{heading}')" if letter else f"column '{heading}'"


def column_in(frame: Any, heading: str) -> str:
    """:func:`column_words` for a column of a typed table, whose ``attrs['letters']`` the gate
    filled from the file's header (a table built in code has none: the heading alone)."""
    return column_words(heading, frame.attrs.get("letters", {}).get(heading))
