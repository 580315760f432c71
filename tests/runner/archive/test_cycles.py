"""Choosing a cycle: the newest by default, names that are cycle labels, clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from highneeds.common.errors import UsageError
from highneeds.runner.archive.cycles import choose_cycle


def _fake_root(tmp_path: Path, cycles: list[str]) -> Path:
    for cycle in cycles:
        (tmp_path / "data" / "raw" / cycle).mkdir(parents=True)
    return tmp_path


def test_newest_cycle_is_chosen_by_default(tmp_path: Path) -> None:
    root = _fake_root(tmp_path, ["2021-11", "2022-01", "notes", "2021-12"])
    assert choose_cycle(root, None) == "2022-01"


@pytest.mark.parametrize("cycle", ["../2022-01", "2022/01", "2022-13", "22-01", ""])
def test_cycle_names_that_are_not_labels_are_refused(tmp_path: Path, cycle: str) -> None:
    root = _fake_root(tmp_path, ["2022-01"])
    with pytest.raises(UsageError, match="not a cycle label"):
        choose_cycle(root, cycle)


def test_unknown_cycle_is_a_usage_error(tmp_path: Path) -> None:
    root = _fake_root(tmp_path, ["2022-01"])
    with pytest.raises(UsageError, match="no inputs for cycle 2023-01.*cycles: 2022-01"):
        choose_cycle(root, "2023-01")


def test_no_cycles_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no cycle folders"):
        choose_cycle(tmp_path, None)


def _shipped_copy(tmp_path: Path, shipped_raw: Path) -> Path:
    raw = tmp_path / "data" / "raw" / "2022-01"
    raw.mkdir(parents=True)
    for path in shipped_raw.iterdir():
        (raw / path.name).write_bytes(path.read_bytes())
    return raw


def test_new_cycle_copies_only_inputs_and_says_what_it_left(
    tmp_path: Path, shipped_raw: Path
) -> None:
    from highneeds.runner.archive.cycles import new_cycle

    raw = _shipped_copy(tmp_path, shipped_raw)
    (raw / "notes.txt").write_text("call finance")
    (raw / ".secret").write_text("hidden")
    (raw / "old").mkdir()
    folder, left = new_cycle(tmp_path, "2022-02")
    assert sorted(left) == [".secret", "notes.txt", "old"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in shipped_raw.iterdir())


def test_new_cycle_refuses_a_link_and_copies_nothing(tmp_path: Path, shipped_raw: Path) -> None:
    from highneeds.common.errors import InputDataError
    from highneeds.runner.archive.cycles import new_cycle

    raw = _shipped_copy(tmp_path, shipped_raw)
    secret = tmp_path / "notify.env"
    secret.write_text("HIGHNEEDS_SMTP_PASSWORD=s3cret")
    (raw / "notes.txt").symlink_to(secret)
    with pytest.raises(InputDataError, match="notes.txt: is a symbolic link") as caught:
        new_cycle(tmp_path, "2022-02")
    assert caught.value.exit_code == 3
    assert not (tmp_path / "data" / "raw" / "2022-02").exists()


def test_new_cycle_moves_the_meeting_to_its_own_month(tmp_path: Path, shipped_raw: Path) -> None:
    from highneeds.runner.archive.cycles import new_cycle, unchanged_from_previous

    _shipped_copy(tmp_path, shipped_raw)
    folder, _ = new_cycle(tmp_path, "2022-02")
    before = (shipped_raw / "paper.yaml").read_text(encoding="utf-8")
    after = (folder / "paper.yaml").read_text(encoding="utf-8")
    assert "meeting: January 2022\n" in before
    assert after == before.replace("meeting: January 2022\n", "meeting: February 2022\n")
    # Moving the meeting is new-cycle's, not an edit: the cycle still counts as unedited.
    assert unchanged_from_previous(tmp_path, "2022-02") == "2022-01"
    narrative = folder / "narrative.md"
    narrative.write_text(narrative.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    assert unchanged_from_previous(tmp_path, "2022-02") is None


@pytest.mark.parametrize(
    ("line", "kept"),
    [("meeting: 18 January 2022 (special)", True), ("meeting: 'January 2022'", False)],
)
def test_a_meeting_that_is_not_the_previous_month_is_left_as_written(line: str, kept: bool) -> None:
    from highneeds.runner.archive.cycles import moved_meeting

    text = f"council: Rutland\n{line}\ntitle: SEND\n"
    moved = moved_meeting(text, "2022-01", "2022-03")
    assert moved == (text if kept else "council: Rutland\nmeeting: March 2022\ntitle: SEND\n")


def test_a_cycle_folder_that_is_a_link_is_no_cycle_and_refused_by_name(tmp_path: Path) -> None:
    from highneeds.common.errors import InputDataError
    from highneeds.runner.archive.cycles import available_cycles, choose_cycle

    raw = tmp_path / "project" / "data" / "raw"
    (raw / "2022-01").mkdir(parents=True)
    outside = tmp_path / "elsewhere" / "2023-01"
    outside.mkdir(parents=True)
    (raw / "2023-01").symlink_to(outside, target_is_directory=True)
    root = tmp_path / "project"
    assert available_cycles(root) == ["2022-01"]
    assert choose_cycle(root, None) == "2022-01"  # the schedule never takes the link
    with pytest.raises(InputDataError, match="2023-01 is a link to another folder") as caught:
        choose_cycle(root, "2023-01")
    assert caught.value.exit_code == 3
