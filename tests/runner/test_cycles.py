"""Choosing a cycle: the newest by default, names that are cycle labels, clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from highneeds.errors import UsageError
from highneeds.runner.cycles import choose_cycle


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
    from highneeds.runner.cycles import new_cycle

    raw = _shipped_copy(tmp_path, shipped_raw)
    (raw / "notes.txt").write_text("call finance")
    (raw / ".secret").write_text("hidden")
    (raw / "old").mkdir()
    folder, left = new_cycle(tmp_path, "2022-02")
    assert sorted(left) == [".secret", "notes.txt", "old"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in shipped_raw.iterdir())


def test_new_cycle_refuses_a_link_and_copies_nothing(tmp_path: Path, shipped_raw: Path) -> None:
    from highneeds.errors import InputDataError
    from highneeds.runner.cycles import new_cycle

    raw = _shipped_copy(tmp_path, shipped_raw)
    secret = tmp_path / "notify.env"
    secret.write_text("HIGHNEEDS_SMTP_PASSWORD=s3cret")
    (raw / "notes.txt").symlink_to(secret)
    with pytest.raises(InputDataError, match="notes.txt: is a symbolic link") as caught:
        new_cycle(tmp_path, "2022-02")
    assert caught.value.exit_code == 3
    assert not (tmp_path / "data" / "raw" / "2022-02").exists()
