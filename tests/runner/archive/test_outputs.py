"""The published files, declared once: what the command line lists of them."""

from __future__ import annotations

from pathlib import Path

from highneeds.runner.archive.outputs import OUTPUTS, summary_lines


def test_the_summary_lists_the_files_a_run_published_titles_aligned(tmp_path: Path) -> None:
    every = [output for output in OUTPUTS if output.title]
    for output in every:
        (tmp_path / output.name).write_text("")
    lines = summary_lines(tmp_path)
    assert [line.split(":")[0].strip() for line in lines] == [o.title for o in every]
    assert len({line.index(str(tmp_path)) for line in lines}) == 1  # one column of paths
    (tmp_path / "cabinet-report.pdf").unlink()  # as after a run for the HTML only
    assert [line.split(":")[0].strip() for line in summary_lines(tmp_path)] == [
        o.title for o in every if o.name != "cabinet-report.pdf"
    ]
