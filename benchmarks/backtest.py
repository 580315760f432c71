"""How long the backtest of EHC plan forecasts takes: every council of the DfE's file, from
every origin January, every method, horizons 1 to 3; in this process (the command's own
start-up aside), five times. Run by ``make bench``, or ``python benchmarks/backtest.py``."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from highneeds.runner.commands.backtest_command import run_backtest  # noqa: E402

SEN2 = ROOT / "tests" / "fixtures" / "sen2" / "ehcp-caseload-2019-2022.csv"


def main() -> int:
    run_backtest(SEN2, None, 3)  # imports and the file cache, unmeasured
    seconds = []
    for _ in range(5):
        started = time.perf_counter()
        report = run_backtest(SEN2, None, 3)
        seconds.append(time.perf_counter() - started)
    councils = report.forecasts["la"].nunique()
    print(
        f"backtest: {councils} councils, origins {report.origins}, horizons 1-3, "
        f"{len(report.forecasts)} forecasts: median {statistics.median(seconds):.3f} s "
        f"(min {min(seconds):.3f}, max {max(seconds):.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
