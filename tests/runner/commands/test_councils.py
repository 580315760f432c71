"""Several councils in one repository: each council's cycles in a folder of its own under
data/raw/ (the cycles straight under data/raw/ are the project's own council), each with its
own default cycle, history, status, prune and new cycles."""

from __future__ import annotations

from pathlib import Path

import pytest

from highneeds.common.errors import UsageError
from highneeds.common.paths import CyclePaths, councils, which_council
from highneeds.runner.archive.cycles import available_cycles, choose_cycle, new_cycle
from highneeds.runner.archive.prune import _cycles


def _project(tmp_path: Path, shipped_raw: Path, layout: dict[str, list[str]]) -> Path:
    """A project whose data/raw/ holds, for each council ('' for none), these cycles: each a
    copy of the shipped cycle's inputs."""
    for council, cycles in layout.items():
        for cycle in cycles:
            folder = tmp_path / "data" / "raw" / council / cycle
            folder.mkdir(parents=True)
            for path in shipped_raw.iterdir():
                (folder / path.name).write_bytes(path.read_bytes())
    return tmp_path


def test_one_council_in_its_own_folder_needs_no_council_option(
    tmp_path: Path, shipped_raw: Path
) -> None:
    root = _project(tmp_path, shipped_raw, {"leeds": ["2022-01", "2022-03"]})
    assert councils(root) == ["leeds"]
    assert which_council(root, None) == "leeds"
    assert choose_cycle(root, None, "leeds") == "2022-03"
    assert CyclePaths(root, "2022-03", "leeds").reports == root / "reports" / "leeds" / "2022-03"


def test_several_councils_each_have_their_own_default_cycle(
    tmp_path: Path, shipped_raw: Path
) -> None:
    root = _project(tmp_path, shipped_raw, {"leeds": ["2022-01"], "york": ["2021-11", "2022-02"]})
    with pytest.raises(UsageError, match="several councils \\(leeds, york\\); say which"):
        which_council(root, None)
    assert choose_cycle(root, None, "leeds") == "2022-01"
    assert choose_cycle(root, None, "york") == "2022-02"
    assert available_cycles(root, "york") == ["2021-11", "2022-02"]
    with pytest.raises(UsageError, match="no inputs for cycle 2022-02 under data/raw/leeds/"):
        choose_cycle(root, "2022-02", "leeds")


def test_the_cycles_straight_under_data_raw_are_the_projects_own_council(
    tmp_path: Path, shipped_raw: Path
) -> None:
    root = _project(tmp_path, shipped_raw, {"": ["2022-01"], "york": ["2023-01"]})
    assert which_council(root, None) is None
    assert choose_cycle(root, None, None) == "2022-01"  # not york's newer cycle
    assert which_council(root, "york") == "york"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Leeds", "not a council's folder name"),
        ("../etc", "not a council's folder name"),
        ("hull", "no council 'hull' under data/raw/"),
    ],
)
def test_a_council_that_is_not_there_is_refused(
    tmp_path: Path, shipped_raw: Path, name: str, expected: str
) -> None:
    root = _project(tmp_path, shipped_raw, {"leeds": ["2022-01"]})
    with pytest.raises(UsageError, match=expected.replace("(", "\\(")):
        which_council(root, name)


def test_a_new_cycle_starts_from_the_councils_own(tmp_path: Path, shipped_raw: Path) -> None:
    root = _project(tmp_path, shipped_raw, {"leeds": ["2022-01"], "york": ["2022-05"]})
    folder, _ = new_cycle(root, "2022-02", council="leeds")
    assert folder == root / "data" / "raw" / "leeds" / "2022-02"
    assert "meeting: February 2022" in (folder / "paper.yaml").read_text()
    assert available_cycles(root, "york") == ["2022-05"]


def test_prune_finds_every_councils_cycles(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    for where in ("2022-01", "leeds/2022-01", "leeds/2022-02", "york/2023-01", ".store/x"):
        (reports / where / "runs").mkdir(parents=True)
    assert _cycles(reports, None) == [
        (None, "2022-01"),
        ("leeds", "2022-01"),
        ("leeds", "2022-02"),
        ("york", "2023-01"),
    ]
    assert _cycles(reports, None, "leeds") == [("leeds", "2022-01"), ("leeds", "2022-02")]
    assert _cycles(reports, "2023-01") == [("york", "2023-01")]


def test_a_councils_runs_share_the_one_store_under_reports(tmp_path: Path) -> None:
    from highneeds.common.paths import reports_root_of

    reports = tmp_path / "reports"
    assert reports_root_of(reports / "2022-01") == reports
    assert reports_root_of(reports / "york" / "2022-01") == reports
    with pytest.raises(UsageError, match="not a council's folder name"):
        which_council(tmp_path, "reports")  # a project folder's name is no council's
