"""The council's readings of its own figures, declared in ``paper.yaml`` (each optional):

- ``recovery_plan_impact``: how the budget's Recovery Plan Impact line reads: ``each_year``
  (each year's own saving) or ``running_total`` (the savings to date, each year's saving the
  change on the year before);
- ``certainty_centre``: what the measures of how sure the forecast is centre on:
  ``with_agreed_pressures`` (the forecast with every scenario the council has agreed, such as
  an agreed scenario, inside every simulation; the default) or ``finance_table`` (the finance
  table's forecast, the agreed scenarios stated beside it).

The gate writes them as the typed table ``readings`` (``reading``, ``value``, ``row``: the
line of paper.yaml), so that the model traces what it read to the line the council wrote.
paper.yaml's own check (:mod:`highneeds.gate.tables.paper_yaml`) refuses any other value.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

#: Each reading and the values a council may declare.
READINGS: dict[str, tuple[str, ...]] = {
    "recovery_plan_impact": ("each_year", "running_total"),
    "certainty_centre": ("with_agreed_pressures", "finance_table"),
}
SOURCE = "paper.yaml"


def read_readings(path: Path) -> pd.DataFrame | None:
    """The readings ``paper.yaml`` declares, each with its line; ``None`` where it declares
    none (or cannot be read: its own check says why)."""
    from highneeds.common.errors import InputDataError
    from highneeds.gate.read.author_yaml import load_yaml

    if not path.is_file():
        return None
    try:
        data = load_yaml(path)
    except (InputDataError, OSError):
        return None
    if not isinstance(data, dict):
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = []
    for name, choices in READINGS.items():
        value = str(data.get(name) or "").strip()
        if value not in choices:
            continue  # not declared; or declared wrongly, which paper.yaml's check refuses
        pattern = re.compile(rf"^{re.escape(name)}\s*:")
        row = next((n for n, line in enumerate(lines, start=1) if pattern.match(line)), None)
        rows.append({"reading": name, "value": value, "row": row})
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["reading", "value", "row"])
    frame.attrs["source"] = SOURCE
    return frame
