"""The expectation suites run only on tables that changed: for the preview, which validates
again on every save. A table's results are reused while its content (cells, row numbers,
source file) is byte for byte what it was (the suites are the package's own code: a process
runs one version of them)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from highneeds.common.content_digest import content_digest
from highneeds.gate.checks.validation import CheckResult, run_expectations


class RememberedExpectations:
    """A drop-in for :func:`run_expectations` that keeps each table's last results."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[str, list[CheckResult]]] = {}
        #: The tables the last call validated afresh (the others' results were reused).
        self.validated: list[str] = []

    def __call__(self, tables: dict[str, pd.DataFrame], docs_dir: Path | None) -> list[CheckResult]:
        if docs_dir is not None:  # Data Docs cover every table: nothing to reuse
            self.validated = list(tables)
            return run_expectations(tables, docs_dir)
        keys = {name: content_digest(name, frame) for name, frame in tables.items()}
        changed = {name: frame for name, frame in tables.items() if self._stale(name, keys[name])}
        self.validated = list(changed)
        if changed:
            fresh = run_expectations(changed, None)
            for name in changed:
                self._kept[name] = (keys[name], [c for c in fresh if c.table == name])
        return [check for name in tables for check in self._kept[name][1]]

    def _stale(self, name: str, key: str) -> bool:
        return name not in self._kept or self._kept[name][0] != key
