"""The real pipeline on cycles the shipped one is not: a fictional council that forecasts from
drivers in the DfE's seven placement categories, and a cycle of six financial years with
five-digit figures. Each runs as its own cycle in the session's project copy."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from openpyxl import load_workbook

from highneeds.domain.categories import DFE_CATEGORIES
from highneeds.runner.commands.explain import load_run
from tests.conftest import CYCLE, HTML_ONLY, copy_published, run_pipeline, without_note_marks
from tests.lineage_oracle import redoes
from tests.paper.content.test_assemble import table_rows

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).parent / "fixtures" / "seven-categories"
#: Cycles in the same financial year as the shipped one (2021/22), so its narrative reads true.
SEVEN_CATEGORIES, SIX_YEARS = "2021-12", "2021-11"


def add_cycle(project: Path, cycle: str) -> Path:
    raw = project / "data" / "raw" / cycle
    shutil.copytree(project / "data" / "raw" / CYCLE, raw)
    return raw


def remove_cycle(project: Path, cycle: str) -> None:
    for folder in ("data/raw", "data/processed", "reports"):
        shutil.rmtree(project / folder / cycle, ignore_errors=True)


@pytest.fixture(scope="module")
def project(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the published project for this module's cycles (each adds its own)."""
    return copy_published(published, tmp_path_factory.mktemp("forecast") / "project")


@pytest.fixture(scope="module")
def seven_categories(project: Path) -> Iterator[Path]:
    """The fictional seven-category council's inputs, as a cycle of the project copy."""
    raw = add_cycle(project, SEVEN_CATEGORIES)
    for table in FIXTURE.glob("*.csv"):
        shutil.copy(table, raw / table.name)
    narrative = (raw / "narrative.md").read_text(encoding="utf-8")
    addition = (FIXTURE / "narrative-placements.md").read_text(encoding="utf-8")
    demand_table = '{{ table("demand") }}\n'
    (raw / "narrative.md").write_text(
        narrative.replace(demand_table, f"{demand_table}\n{addition}", 1), encoding="utf-8"
    )
    yield project / "reports" / SEVEN_CATEGORIES
    remove_cycle(project, SEVEN_CATEGORIES)


def newest_run(reports: Path) -> Path:
    return sorted((reports / "runs").iterdir())[-1]


def budget_row(html: str, label_start: str) -> list[str]:
    rows = table_rows(html[html.index('id="table-1"') :])
    return next(row for row in rows if row[0].startswith(label_start))


def test_seven_category_council_prints_finance_forecast_and_explains_the_drivers(
    project: Path, seven_categories: Path
) -> None:
    result = run_pipeline(project, "--cycle", SEVEN_CATEGORIES)
    assert result.returncode == 0, result.stdout + result.stderr
    html = (seven_categories / "cabinet-report.html").read_text(encoding="utf-8")
    # Finance's typed forecast is what the paper prints (auto: it types every forecast year).
    assert budget_row(html, "High Needs DSG C/Fwd")[1:] == [
        "575",
        "1,028",
        "1,734",
        "2,648",
        "3,853",
    ]
    # The driver model, by category, in its own table with the narrative's figures from it.
    assert "Table 4: EHCPs, average annual cost per EHCP and placement costs by placement" in html
    rows = table_rows(html[html.index('id="table-4"') :])
    assert all([label] in rows for label in DFE_CATEGORIES.values())
    text = without_note_marks(html)
    assert "75 plans in 2021/22 become 88 in 2024/25, at £26.7k a plan" in text
    assert "75 plans" in html  # an actual, read from its cell: no mark

    run_dir = newest_run(seven_categories)
    comparison = pd.read_csv(run_dir / "processed" / "forecast_comparison.csv")
    costs = comparison[comparison["line"] == "placement_costs"].set_index("year")
    assert costs.loc["2024/25", "typed"] == 6823
    assert costs.loc["2024/25", "drivers"] == pytest.approx(6930.4, abs=0.05)
    notebook = nbformat.read(run_dir / "notebooks" / "02_deficit_model.ipynb", as_version=4)
    printed = [o.get("text", "") for c in notebook.cells for o in c.get("outputs", [])]
    assert "The paper prints finance's typed forecast.\n" in printed
    # Every figure the driver cycle's paper prints is traced, and every derivation redoes.
    records, lineage = load_run(run_dir)
    assert all(str(r["traces"]).lstrip("-") in lineage for r in records), [
        r["id"] for r in records if str(r["traces"]).lstrip("-") not in lineage
    ]
    assert all(redoes(lineage[key], lineage) for key in lineage)

    book = load_workbook(seven_categories / "dfe-management-plan.xlsx")
    plans = {(r[0], r[1]): r[2:-2] for r in book["EHCPs"].iter_rows(values_only=True)}
    special = plans[(DFE_CATEGORIES["maintained_special"], "Number of EHCPs")]
    # Whole children, as the template counts them: 75 x 1.054^3 = 87.8 is 88.
    assert special[:2] == (71, 75) and special[-1] == round(75 * 1.054**3) == 88
    assert plans[(DFE_CATEGORIES["maintained_special"], "Number of EHCPs, mitigated")][-1] == (
        round(75 * 1.054**3 - 2 + 3)  # 2 avoided, 3 moved in
    )


def test_forecast_source_drivers_prints_the_driver_model(
    project: Path, seven_categories: Path
) -> None:
    result = run_pipeline(
        project, "--cycle", SEVEN_CATEGORIES, "-p", "forecast_source=drivers", *HTML_ONLY
    )
    assert result.returncode == 0, result.stdout + result.stderr
    html = (seven_categories / "cabinet-report.html").read_text(encoding="utf-8")
    printed = pd.read_csv(newest_run(seven_categories) / "processed" / "forecast_budget.csv")
    cfwd = printed[printed["line"] == "cfwd"].set_index("year")["amount"]
    row = budget_row(html, "High Needs DSG C/Fwd")
    assert row[1:3] == ["575", "1,028"]  # the actual years are the typed table's
    assert row[-1] == f"{cfwd['2024/25']:,.0f}" != "3,853"
    placements = budget_row(html, "Placement costs")
    assert placements[-1] == "6,930"


def test_a_six_year_cycle_with_five_digit_figures_runs_end_to_end(project: Path) -> None:
    raw = add_cycle(project, SIX_YEARS)
    (raw / "high_needs_budget.csv").write_text(
        "line,2020/21,2021/22,2022/23,2023/24,2024/25,2025/26\n"
        'High Needs DSG B/Fwd Deficit / (Surplus),"4,570","5,750","10,280","17,340","26,480",'
        '"38,530"\n'
        'Transfer From Schools Block,"(1,260)","(1,320)","(1,320)","(1,320)","(1,320)","(1,320)"\n'
        'High Needs Allocation*,"(42,240)","(45,790)","(49,760)","(52,250)","(54,860)","(57,600)"\n'
        'Placement costs,"44,680","51,640","58,140","62,710","68,230","74,000"\n'
        'High Needs DSG C/Fwd Deficit / (Surplus),"5,750","10,280","17,340","26,480","38,530",'
        '"53,610"\n'
        'Recovery Plan Impact,,,(330),(930),"(1,350)","(1,800)"\n',
        encoding="utf-8",
    )
    try:
        result = run_pipeline(project, "--cycle", SIX_YEARS)
        assert result.returncode == 0, result.stdout + result.stderr
        html = (project / "reports" / SIX_YEARS / "cabinet-report.html").read_text("utf-8")
        assert budget_row(html, "High Needs DSG C/Fwd")[1:] == [
            "5,750",
            "10,280",
            "17,340",
            "26,480",
            "38,530",
            "53,610",
        ]
        assert budget_row(html, "High Needs Allocation")[-1] == "(57,600)"
        assert "at the end of 2025/26" in html
    finally:
        remove_cycle(project, SIX_YEARS)
