"""The exit codes the command line returns, declared once: the CLI's help, the README's table
and the systemd recipe's list of the pipeline's own codes are made from (or checked against)
this table, and every error class's ``exit_code`` is one of them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExitCode:
    """Codes that mean one thing, said briefly (``--help``) and in full (the README)."""

    codes: tuple[int, ...]
    brief: str
    full: str

    @property
    def label(self) -> str:
        return "/".join(str(code) for code in self.codes)


EXIT_CODES: tuple[ExitCode, ...] = (
    ExitCode((0,), "success", "success: the paper was published"),
    ExitCode((1,), "anything unexpected", "anything unexpected"),
    ExitCode(
        (2,),
        "usage error (unknown cycle, unknown parameter)",
        "usage error: unknown cycle, unknown or fixed parameter, a port the preview cannot "
        "listen on, a bound (`HIGHNEEDS_MAX_...`) that is not a positive number",
    ),
    ExitCode(
        (3,),
        "input data failed validation (nothing was modelled or published)",
        "the input data failed validation: nothing was modelled or published",
    ),
    ExitCode(
        (4,),
        "a notebook failed to execute (or the narrative could not be rendered)",
        "a notebook failed to execute, or the narrative could not be rendered (e.g. an "
        "unknown cross-reference label), or a step ran out of its time or memory",
    ),
    ExitCode(
        (5,),
        "another run of the same cycle holds the lock",
        "another run of the same cycle holds the lock (`reports/<cycle>/.lock`)",
    ),
    ExitCode(
        (6,),
        "verify: an archived run did not reproduce, or was edited after the run",
        "`verify`: the run did not reproduce, or its archive was edited after the run",
    ),
    ExitCode(
        (7,),
        "the machine, not the data: disk full, folder read-only, vanished or not writable\n"
        "(the message names the path and what to free or fix; the last good paper is kept)",
        "the machine, not the data: the disk is full, or a folder is read-only, vanished or "
        "not writable; the message names the path and what to free or fix",
    ),
    ExitCode(
        (8,),
        "run --require-changes: the cycle's inputs are the previous cycle's, unedited\n"
        "(nothing was run or published)",
        "`run --require-changes`: the cycle's inputs are the previous cycle's, unedited; "
        "nothing was run or published",
    ),
    ExitCode(
        (130, 143),
        "interrupted by SIGINT/SIGTERM (the last good paper is left as it was)",
        "interrupted by SIGINT / SIGTERM: the kernel is stopped, the lock released, the last "
        "good paper left as it was",
    ),
)

#: Every code the pipeline itself returns (anything else came from outside it).
ALL_CODES = frozenset(code for entry in EXIT_CODES for code in entry.codes)


def help_text() -> str:
    """The exit codes as ``--help`` lists them."""
    lines = ["exit codes:"]
    for entry in EXIT_CODES:
        first, *rest = entry.brief.split("\n")
        lines.append(f"  {entry.label}  {first}")
        lines += [f"     {more}" for more in rest]
    return "\n".join(lines)


def readme_table() -> str:
    """The exit codes as the README's table."""
    rows = [f"| {entry.label.replace('/', ' / ')} | {entry.full} |" for entry in EXIT_CODES]
    return "\n".join(["| exit code | meaning |", "|---|---|", *rows])
