"""Whether the narrative's handling grows linearly with its size: parsing 4,000 and 8,000
paragraphs, finding the placeholders of 20,000 and 40,000 unclosed ``{{``, and a heading of
20,000 and 40,000 spaces; each pair side by side, reported as the larger's time over the
smaller's (about 2 is linear; about 4 would be quadratic). Run by ``make bench``, or
``python benchmarks/narrative.py``."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from highneeds.paper.text.figure_trace import placeholders_in  # noqa: E402
from highneeds.paper.text.narrative import parse_narrative  # noqa: E402


def best_of(action: Callable[[str], object], text: str, times: int = 5) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        action(text)
        best = min(best, time.perf_counter() - started)
    return best


def story(paragraphs: int) -> str:
    return "## Section {#s}\n\n" + "".join(f"Text {i}.\n\n" for i in range(paragraphs))


CASES = (
    ("paragraphs", parse_narrative, story(4000), story(8000)),
    ("unclosed {{", placeholders_in, "{{ " * 20000, "{{ " * 40000),
    (
        "heading spaces",
        parse_narrative,
        "##" + " " * 20000 + "x\n\nText.\n",
        "##" + " " * 40000 + "x\n\nText.\n",
    ),
)


def main() -> int:
    for name, action, small, large in CASES:
        first, second = best_of(action, small), best_of(action, large)
        print(
            f"narrative, {name}: {first * 1000:.2f} ms, twice the size {second * 1000:.2f} ms: "
            f"{second / first:.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
