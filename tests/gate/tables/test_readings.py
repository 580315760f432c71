"""The council's readings of its own figures in paper.yaml: read with their lines, and any
value but the declared choices refused by paper.yaml's own check."""

from __future__ import annotations

from pathlib import Path

from highneeds.gate.tables.paper_yaml import read_paper_metadata
from highneeds.gate.tables.readings import read_readings
from tests.gate.tables.test_paper_yaml import problems_of

LA_NUMBER = 'la_number: "857"'


def test_each_declared_reading_is_read_with_its_line(raw_copy: Path) -> None:
    path = raw_copy / "paper.yaml"
    assert read_readings(path) is None  # the shipped council declares none
    text = path.read_text(encoding="utf-8").replace(
        LA_NUMBER,
        f"{LA_NUMBER}\nrecovery_plan_impact: running_total\ncertainty_centre: finance_table",
    )
    path.write_text(text, encoding="utf-8")
    table = read_readings(path)
    assert table is not None and table.attrs["source"] == "paper.yaml"
    lines = text.splitlines()
    found = {rec.reading: (rec.value, rec.row) for rec in table.itertuples()}
    assert found == {
        "recovery_plan_impact": (
            "running_total",
            lines.index("recovery_plan_impact: running_total") + 1,
        ),
        "certainty_centre": ("finance_table", lines.index("certainty_centre: finance_table") + 1),
    }
    # Every committee's paper may declare them.
    assert read_paper_metadata(path)["recovery_plan_impact"] == "running_total"


def test_a_value_that_is_no_reading_is_refused_naming_the_choices(raw_copy: Path) -> None:
    assert problems_of(raw_copy, LA_NUMBER, f"{LA_NUMBER}\nrecovery_plan_impact: cumulative") == [
        "paper.yaml: key 'recovery_plan_impact': found 'cumulative'; expected each_year or "
        "running_total"
    ]
    # The readings table leaves a wrong value to that check: it never reads it as a choice.
    assert read_readings(raw_copy / "paper.yaml") is None
