"""Running a chain of steps: the kernel the notebooks ran on is ended as soon as no step left
needs it, before the render, so that the run does not wait for it afterwards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from highneeds.runner.execute import kernels, steps
from highneeds.runner.execute.kernels import Kernels
from highneeds.runner.execute.options import RunOptions
from highneeds.runner.execute.steps import Step, StepRunner


class FakeKernel:
    def __init__(self, events: list[str]) -> None:
        self.events = events

    def execute(self, source: Path, target: Path, *args: Any, **kwargs: Any) -> None:
        self.events.append(f"notebook {source.stem}")

    def end(self) -> None:
        self.events.append("kernel ended")

    def shutdown(self) -> None:
        self.events.append("kernel shut down")


class FakeRenderWorker:
    def __init__(self, events: list[str]) -> None:
        self.events = events

    def render(self, *args: Any) -> None:
        self.events.append("render")


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StepRunner:
    monkeypatch.setattr(steps, "step_key", lambda *args: "key")
    monkeypatch.setattr(steps, "find_reusable", lambda *args: None)
    monkeypatch.setattr(steps, "normalise_notebook", lambda *args: None)
    return StepRunner(
        tmp_path,
        tmp_path,
        {"01_validate": {"cycle": "2022-01"}},
        RunOptions(root=tmp_path),
        "1640995200",
        {},
        [],
    )


def notebook(name: str) -> Step:
    return Step(name, (), ())


RENDER = Step("render", (), (), notebook=False)


def test_the_kernel_is_ended_before_the_render_once_no_notebook_is_left(
    runner: StepRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    monkeypatch.setattr(runner, "_take_render_worker", lambda: FakeRenderWorker(events))
    records: list[dict] = []
    runner.run(
        [notebook("03_interventions"), notebook("04_cabinet_report"), RENDER],
        tmp_path,
        lambda: FakeKernel(events),
        records,
    )
    assert events == [
        "notebook 03_interventions",
        "notebook 04_cabinet_report",
        "kernel ended",
        "render",
    ]
    assert [r["status"] for r in records] == ["ok", "ok", "ok"]


def test_no_kernel_is_started_only_to_be_ended_when_no_notebook_ran(
    runner: StepRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    monkeypatch.setattr(runner, "_take_render_worker", lambda: FakeRenderWorker(events))

    def no_kernel() -> FakeKernel:
        raise AssertionError("a kernel was started for the render alone")

    runner.run([RENDER], tmp_path, no_kernel, [])
    assert events == ["render"]


def test_no_kernel_is_started_for_a_run_whose_kernels_are_closed(monkeypatch) -> None:
    """A step working ahead that asks for a kernel after the run stopped gets none: nothing
    would stop that kernel or remove its socket folder."""
    started: list[Path] = []
    monkeypatch.setattr(kernels, "ensure_kernel", lambda: None)
    monkeypatch.setattr(kernels, "Kernel", lambda cwd: started.append(cwd) or FakeKernel([]))
    run = Kernels()
    run.start(Path("a"))
    run.close()
    with pytest.raises(RuntimeError, match="the run has stopped"):
        run.for_folder(Path("b"))()
    assert started == [Path("a")]
