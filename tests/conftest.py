"""Shared fixtures: the shipped cycle's folders and its typed tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from highneeds.inputs import read_cycle_tables
from highneeds.paths import PROJECT_ROOT

SHIPPED_CYCLE = "2022-01"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def shipped_raw(project_root: Path) -> Path:
    return project_root / "data" / "raw" / SHIPPED_CYCLE


@pytest.fixture(scope="session")
def shipped_tables(shipped_raw: Path) -> dict[str, pd.DataFrame]:
    return read_cycle_tables(shipped_raw)


@pytest.fixture
def raw_copy(shipped_raw: Path, tmp_path: Path) -> Path:
    """A writable copy of the shipped cycle's raw inputs, for breaking on purpose."""
    target = tmp_path / "raw" / SHIPPED_CYCLE
    target.mkdir(parents=True)
    for path in shipped_raw.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target
