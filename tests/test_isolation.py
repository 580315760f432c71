"""The test suite works on copies of the shipped cycles only: a council's own cycles in the
working tree (new-cycle 2022-02, another council's folder) and the operator's settings are
never what a test copies, reads or publishes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from highneeds.common.paths import CYCLE_RE, PROJECT_ROOT
from tests.conftest import SHIPPED_CYCLES, copy_project


def test_a_copy_of_the_project_holds_the_shipped_cycles_and_no_authors(tmp_path: Path) -> None:
    working = copy_project(PROJECT_ROOT, tmp_path / "working")  # a council's checkout
    raw = working / "data" / "raw"
    shutil.copytree(raw / "2022-01", raw / "2022-02")  # as new-cycle makes them
    shutil.copytree(raw / "2022-01", raw / "2022-03")
    (raw / "2022-03" / "narrative.md").write_text("## Edited {#e}\n\nBy the author.\n")
    shutil.copytree(raw / "slough" / "2023-10", raw / "newtown" / "2024-01")
    copy = copy_project(working, tmp_path / "copy")
    found = sorted(
        str(p.relative_to(copy / "data" / "raw"))
        for p in (copy / "data" / "raw").rglob("*")
        if p.is_dir() and CYCLE_RE.match(p.name)
    )
    assert found == sorted(SHIPPED_CYCLES)


def test_no_operator_setting_reaches_a_test() -> None:
    assert [name for name in os.environ if name.startswith("HIGHNEEDS_")] == []
