"""Shared fixtures: the shipped cycle's folders and its typed tables."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from highneeds.gate.tables import read_cycle_tables
from highneeds.paths import PROJECT_FILES, PROJECT_ROOT

SHIPPED_CYCLE = CYCLE = "2022-01"
#: Debian's Chromium, as browser tests launch it (nothing is downloaded at run time).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


#: The shuffled order CI repeats (pytest-randomly's seed) unless ``--randomly-seed`` says
#: otherwise; ``-p no:randomly`` runs the tests in file order.
PINNED_ORDER_SEED = 3145421832


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("randomly") and (
        config.getoption("randomly_seed", None) == "default"
    ):
        config.option.randomly_seed = PINNED_ORDER_SEED


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


def run_pipeline(
    root: Path, *args: str, command: str = "run", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python pipeline.py COMMAND ARGS`` in a project copy, as a scheduler would run it."""
    return subprocess.run(
        [sys.executable, "pipeline.py", command, *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )


def copy_project(project_root: Path, root: Path) -> Path:
    """A copy of the project's files (code, notebooks, suites, inputs) at ``root``."""
    for name in PROJECT_FILES:
        source, target = project_root / name, root / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return root


@pytest.fixture(scope="session")
def project(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary copy of the project, shared by the end-to-end tests."""
    return copy_project(project_root, tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="session")
def first_run(project: Path) -> subprocess.CompletedProcess[str]:
    """The shipped cycle, run once cold in the project copy."""
    result = run_pipeline(project)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def reports(project: Path) -> Path:
    return project / "reports" / CYCLE


def published_bytes(project: Path) -> dict[str, bytes]:
    """The published paper, manifest and notebooks of the shipped cycle, byte for byte."""
    folder = reports(project)
    files = [
        "cabinet-report.html",
        "cabinet-report.pdf",
        "cabinet-report-large-print.pdf",
        "cabinet-report.docx",
        "dfe-management-plan.xlsx",
        "manifest.json",
        *(f"notebooks/{p.name}" for p in sorted((folder / "notebooks").glob("*.ipynb"))),
    ]
    return {name: (folder / name).read_bytes() for name in files}


@contextmanager
def edited(path: Path, old: str, new: str) -> Iterator[None]:
    """Edit a file for the length of a ``with`` block, then put it back."""
    original = path.read_text(encoding="utf-8")
    assert old in original, old
    path.write_text(original.replace(old, new, 1), encoding="utf-8")
    try:
        yield
    finally:
        path.write_text(original, encoding="utf-8")


def shipped_model_outputs(tables: dict[str, pd.DataFrame], cycle: str = CYCLE) -> Any:
    """The model's outputs for typed tables, wired as notebooks 02-04 wire them."""
    from highneeds.gate.figures import figure_values
    from highneeds.model import deficit, demand, interventions, sensitivity
    from highneeds.paper.model_outputs import ModelOutputs

    budget = tables["budget"]
    figures = figure_values(tables["figures"])
    roll = deficit.roll_forward(budget)
    years = list(roll["year"])
    year = deficit.financial_year_of(cycle)
    forecast = demand.forecast_from_figures(budget, tables["ehcp_demand"], figures, year)
    scenarios = deficit.build_scenarios(
        roll,
        deficit.recovery_plan_in_year(budget),
        deficit.topup_uplift_in_year(
            years, figures["cpi_topup_uplift_per_year"], figures["cpi_topup_uplift_from"]
        ),
        None if forecast is None else demand.extra_cost_if_all_convert(forecast, years),
    )
    base, ranges = sensitivity.ranges_for_cycle(budget, forecast, figures, year, None)
    paths = sensitivity.simulate(base, ranges, sensitivity.seed_of(cycle), 2_000)
    savings = interventions.intervention_savings(tables["interventions"], tables["placement_costs"])
    return ModelOutputs(
        budget=budget,
        budget_wide=deficit.budget_to_wide(budget),
        scenarios=scenarios,
        scenario_labels={
            k: v for k, v in deficit.SCENARIO_LABELS.items() if k in set(scenarios["scenario"])
        },
        savings=savings,
        business_cases=interventions.business_case_summary(savings, tables["business_cases"]),
        figures=figures,
        ehcp=demand.ehcp_growth(tables["ehcp_demand"]),
        current_year=year,
        demand=forecast,
        sensitivity=sensitivity.tornado(base, ranges),
        uncertainty=sensitivity.uncertainty(base, paths),
        break_even=sensitivity.break_even(base)
        | {"probability_still_growing": sensitivity.probability_still_growing(base, paths)}
        | {"draws": 2_000},
    )


def without_note_marks(html: str) -> str:
    """The paper's text as the reference paper has it: without the marks the pipeline adds
    after figures the model derived (tested in tests/runner/test_explain.py)."""
    import re

    return re.sub(r'<sup><a[^>]*class="figure-note-mark".*?</sup>', "", html)
