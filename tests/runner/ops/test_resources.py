"""Bounds on a paper's building: the memory of each process (the operator's setting, inherited
by the processes it starts) and the time of a preview build."""

from __future__ import annotations

import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from highneeds.common.errors import UsageError
from highneeds.runner.ops.resources import (
    DEFAULT_MEMORY_MB,
    MEMORY_VARIABLE,
    PREVIEW_SECONDS_VARIABLE,
    BuildTimedOut,
    memory_limit,
    preview_seconds,
    time_limited,
)

ROOT = Path(__file__).resolve().parents[3]
MB = 1024 * 1024


def test_the_bounds_are_the_operators_with_defaults() -> None:
    assert memory_limit({}) == DEFAULT_MEMORY_MB * MB
    assert memory_limit({MEMORY_VARIABLE: " 512 "}) == 512 * MB
    assert preview_seconds({PREVIEW_SECONDS_VARIABLE: "2.5"}) == 2.5


@pytest.mark.parametrize("text", ["0", "-1", "lots", "inf", "nan"])
def test_a_bound_that_is_not_a_positive_number_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match=rf"{MEMORY_VARIABLE}='{text}': expected a positive"):
        memory_limit({MEMORY_VARIABLE: text})


CHILD = """
import resource, subprocess, sys
from highneeds.runner.ops.resources import limit_memory, memory_unbounded
limit_memory(300 * 1024 * 1024)
inherited = subprocess.run(
    [sys.executable, "-c", "import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0])"],
    capture_output=True, text=True, check=True,
).stdout.strip()
with memory_unbounded():
    lifted = resource.getrlimit(resource.RLIMIT_AS)[0]
try:
    block = bytearray(600 * 1024 * 1024)
    print("allocated")
except MemoryError:
    print("MemoryError", inherited, lifted, resource.getrlimit(resource.RLIMIT_AS)[0])
"""


def test_a_bounded_process_and_those_it_starts_cannot_take_more() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src")},
        check=True,
    )
    error, inherited, lifted, after = result.stdout.split()
    assert error == "MemoryError"
    assert int(inherited) == int(after) == 300 * MB
    assert int(lifted) == resource.getrlimit(resource.RLIMIT_AS)[1]  # the hard limit


def test_a_build_over_its_time_is_stopped_and_one_within_it_is_left_alone() -> None:
    started = time.monotonic()
    expected = rf"longer than 0.3 s .*{PREVIEW_SECONDS_VARIABLE}"
    with pytest.raises(BuildTimedOut, match=expected), time_limited(0.3, "building the preview"):
        while True:  # an endless computation in Python
            pass
    assert time.monotonic() - started < 10
    with time_limited(0.3, "building the preview"):
        pass
    time.sleep(0.5)  # nothing is raised after the block that ended in time
    assert not any(t.name == "preview-time-limit" for t in threading.enumerate())
