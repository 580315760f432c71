"""How fast a paper comes out: the pipeline against the stock tools run by hand, side by side.

Run with ``make bench``. Each repetition runs, alternating, the baseline (papermill CLI per
notebook, ``jupyter nbconvert --to html`` with the template, the ``weasyprint`` CLI) and a
cold ``pipeline.py run --force``; then a no-change re-run and a one-input-changed re-run; and,
last, no-change re-runs once the project also has the month before's paper (the change log
then charts the forecast's history, as from a council's second month on).
Reports the median and spread of each, the ratios, a stage breakdown of a cold run (with when
each step started: steps overlap) and the peak memory (summed over the whole process tree, in a
cold run of its own, since sampling costs CPU), the CPU time a cold run's processes spend
together, how soon a save shows in the preview
(:mod:`preview_latency`), and writes ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
import preview_latency  # noqa: E402  (beside this file)
from project_copy import CYCLE, copy_project  # noqa: E402  (beside this file)

BIN = Path(sys.executable).parent
#: An earlier month, for a no-change run whose change log has a history to chart (not
#: ``DRIVERS_CYCLE``, which :func:`model_cost` makes).
EARLIER_CYCLE = "2021-11"
NOTEBOOKS = ["01_validate", "02_deficit_model", "03_interventions", "04_cabinet_report"]


class PeakMemory:
    """Samples the summed resident memory of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree_rss(self) -> int:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                pid = int(stat.parent.name)
                parents[pid] = int(fields[1])
                rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, ValueError, IndexError):
                continue
        tree, frontier = {self.pid}, [self.pid]
        while frontier:
            parent = frontier.pop()
            for pid, ppid in parents.items():
                if ppid == parent and pid not in tree:
                    tree.add(pid)
                    frontier.append(pid)
        return sum(rss.get(pid, 0) for pid in tree)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            time.sleep(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run a command; return its wall time and the peak memory of its process tree."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    memory = PeakMemory(process.pid)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    peak = memory.stop()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr}")
    return seconds, peak


def baseline(project: Path, work: Path) -> float:
    """The same notebooks and template, run by hand with the stock command-line tools."""
    run = work / "baseline"
    shutil.rmtree(run, ignore_errors=True)
    (run / "notebooks").mkdir(parents=True)
    shutil.copytree(project / "data" / "raw" / CYCLE, run / "inputs")
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    start = time.perf_counter()
    parameters = {
        "01_validate": [
            "raw_dir",
            "inputs",
            "processed_dir",
            "processed",
            "validation_dir",
            "validation",
        ],
        "02_deficit_model": ["processed_dir", "processed"],
        "03_interventions": ["processed_dir", "processed"],
        "04_cabinet_report": ["raw_dir", "inputs", "processed_dir", "processed"],
    }
    for name in NOTEBOOKS:
        args = [
            a
            for pair in zip(parameters[name][::2], parameters[name][1::2], strict=True)
            for a in ("-p", *pair)
        ]
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(project / "notebooks" / f"{name}.ipynb"),
                f"notebooks/{name}.ipynb",
                "-k",
                "highneeds",
                "--cwd",
                str(run),
                "--no-progress-bar",
                "--log-level",
                "ERROR",
                "-p",
                "cycle",
                CYCLE,
                *args,
            ],
            cwd=run,
            env=env,
            check=True,
            capture_output=True,
        )
    subprocess.run(
        [
            str(BIN / "jupyter"),
            "nbconvert",
            "--to",
            "html",
            "--template",
            "cabinet-paper",
            "--TemplateExporter.extra_template_basedirs="
            f"{project / 'src' / 'highneeds' / 'paper' / 'templates'}",
            "--no-input",
            "--output-dir",
            str(run),
            "notebooks/04_cabinet_report.ipynb",
        ],
        cwd=run,
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [str(BIN / "weasyprint"), "04_cabinet_report.html", "paper.pdf"],
        cwd=run,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


#: What the issue allows a cold run's processes to spend on the CPU, all of them together.
COLD_CPU_BUDGET_SECONDS = 15.0


def children_cpu() -> float:
    """CPU time (user and system) of this process's finished children so far: every process
    it started and waited for, with every process those waited for (kernels, the render's
    worker and its partner), as the kernel counts them."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def with_cpu(spent: list[float], measure: Callable[[], float]) -> float:
    """``measure()`` (a wall time), appending to ``spent`` the CPU its processes used."""
    before = children_cpu()
    seconds = measure()
    spent.append(children_cpu() - before)
    return seconds


def pipeline(project: Path, *args: str) -> float:
    """Wall time of ``pipeline.py run``, measured like the baseline: nothing sampled alongside."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "pipeline.py", "run", "--quiet", *args],
        cwd=project,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def publish_month_before(project: Path) -> None:
    """Give the project a cycle before ``CYCLE`` with a published paper (a copy of this
    cycle's inputs and paper, its links kept), as a council has from its second month on."""
    shutil.copytree(project / "data" / "raw" / CYCLE, project / "data" / "raw" / EARLIER_CYCLE)
    shutil.copytree(project / "reports" / CYCLE, project / "reports" / EARLIER_CYCLE, symlinks=True)


def peak_memory(project: Path) -> int:
    """Peak memory of a cold run's whole process tree (a run of its own: sampling costs CPU)."""
    return timed([sys.executable, "pipeline.py", "run", "--quiet", "--force"], project)[1]


def probe(code: str) -> float:
    """Wall time of a fresh interpreter running ``code``."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    return time.perf_counter() - start


def probe_timings(code: str) -> dict[str, float]:
    """Timings a fresh interpreter measures inside itself: ``code`` fills ``timings``."""
    prelude = "import json, time\ntimings = {}\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + code + "\nprint(json.dumps(timings))"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "GX_ANALYTICS_ENABLED": "false"},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def stage_breakdown(project: Path) -> dict[str, float]:
    """Where a cold run's time goes: fresh-process probes, and the manifest's step times."""
    manifest = json.loads((project / "reports" / CYCLE / "manifest.json").read_text())
    run_dir = (project / "reports" / CYCLE / "runs" / manifest["run_id"]).resolve()
    stages = {
        "interpreter_and_cli_imports": probe(
            "import highneeds.cli, highneeds.runner.commands.cycle"
        ),
        "kernel_start_and_stop": probe(
            "from jupyter_client.manager import start_new_kernel\n"
            "km, kc = start_new_kernel(kernel_name='highneeds')\n"
            "kc.stop_channels(); km.shutdown_kernel(now=True)"
        ),
    }
    stages |= probe_timings(
        "from pathlib import Path\n"
        "from highneeds.gate.checks import validation\n"
        "from highneeds.gate.tables.tables import read_cycle_tables\n"
        f"tables = read_cycle_tables(Path({str(run_dir / 'inputs')!r}))\n"
        "from highneeds.gate.checks.great_expectations_import import import_great_expectations\n"
        "t = time.perf_counter(); import_great_expectations()  # as the gate imports it\n"
        "timings['great_expectations_import'] = time.perf_counter() - t\n"
        "import tempfile\n"
        "t = time.perf_counter()\n"
        "validation.run_expectations(tables, Path(tempfile.mkdtemp()))\n"
        "timings['great_expectations_suites_and_data_docs'] = time.perf_counter() - t\n"
    )
    stages |= probe_timings(
        "from pathlib import Path\n"
        "t = time.perf_counter(); import nbconvert, weasyprint, docx\n"
        "timings['render_imports'] = time.perf_counter() - t\n"
        "from highneeds.gate.tables.paper_yaml import read_paper_metadata\n"
        "from highneeds.paper.formats.render import render_html, render_pdf\n"
        f"run = Path({str(run_dir)!r})\n"
        "meta = read_paper_metadata(run / 'inputs' / 'paper.yaml')\n"
        "t = time.perf_counter()\n"
        "html = render_html(run / 'notebooks' / '04_cabinet_report.ipynb', meta, '2022-01-01')\n"
        "timings['html_render'] = time.perf_counter() - t\n"
        # A real file: the PDF's table structure is repaired by reading it back (issue 18).
        "import tempfile\n"
        "target = Path(tempfile.mkdtemp()) / 'probe.pdf'\n"
        "t = time.perf_counter(); render_pdf(html, target, run)\n"
        "timings['pdf_layout'] = time.perf_counter() - t\n"
        "import shutil; shutil.rmtree(target.parent)\n"
    )
    for step in manifest["steps"]:
        stages[f"step_{step['step']}"] = step["seconds"]
    for step in manifest["steps"]:
        stages[f"step_{step['step']}_started_at"] = step["start_offset_seconds"]
    return stages


#: A cycle that forecasts from drivers: the shipped one with the seven-category fixture added.
DRIVERS_FIXTURE = ROOT / "tests" / "fixtures" / "seven-categories"
DRIVERS_CYCLE = "2021-12"
#: What the issue allows the model to add to a cold run.
MODEL_BUDGET_SECONDS = 0.3


def model_cost(project: Path) -> dict[str, float]:
    """What the model adds to a run: notebook 02's model calls timed in a fresh interpreter
    (median of five, after one warm-up) on the shipped cycle and on a seven-category driver
    cycle, the Monte Carlo's 10,000 draws and their percentiles (median of five), the import
    of the model's own modules (pandas, which every run imports anyway, imported first), and
    step 02's time in a cold run of each."""
    drivers_raw = project / "data" / "raw" / DRIVERS_CYCLE
    shutil.copytree(project / "data" / "raw" / CYCLE, drivers_raw)
    for table in DRIVERS_FIXTURE.glob("*.csv"):
        shutil.copy(table, drivers_raw / table.name)
    code = (
        "import statistics\n"
        "from pathlib import Path\n"
        "import pandas  # the run imports it anyway: not the model's cost\n"
        "t = time.perf_counter()\n"
        "from highneeds.model.wiring.run import ModelParameters, run_model\n"
        "timings['model_imports'] = time.perf_counter() - t\n"
        "from highneeds.gate.tables.figures import figure_values\n"
        "from highneeds.gate.tables.tables import read_cycle_tables\n"
        "def model(t, cycle):\n"
        "    run_model(t, figure_values(t['figures']), ModelParameters(cycle))\n"
        "for name, cycle in (('shipped', "
        f"{CYCLE!r}), ('seven_categories', {DRIVERS_CYCLE!r})):\n"
        f"    t = read_cycle_tables(Path({str(project / 'data' / 'raw')!r}) / cycle)\n"
        "    model(t, cycle)\n"
        "    spent = []\n"
        "    for _ in range(5):\n"
        "        start = time.perf_counter()\n"
        "        model(t, cycle)\n"
        "        spent.append(time.perf_counter() - start)\n"
        "    timings[f'model_calls_{name}'] = statistics.median(spent)\n"
        "from highneeds.model.certainty import sensitivity\n"
        f"t = read_cycle_tables(Path({str(project / 'data' / 'raw')!r}) / {CYCLE!r})\n"
        "f = run_model(t, figure_values(t['figures']), ModelParameters("
        f"{CYCLE!r}, uncertainty_draws=1))['demand']\n"
        "base, ranges = sensitivity.ranges_for_cycle(t['budget'], f,"
        " figure_values(t['figures']), '2021/22', None)\n"
        "spent = []\n"
        "for _ in range(5):\n"
        "    start = time.perf_counter()\n"
        f"    paths = sensitivity.simulate(base, ranges, sensitivity.seed_of({CYCLE!r}), 10_000)\n"
        "    sensitivity.uncertainty(base, paths)\n"
        "    spent.append(time.perf_counter() - start)\n"
        "timings['uncertainty_10000_draws'] = statistics.median(spent)\n"
    )
    cost = probe_timings(code)
    for name, cycle in (("shipped", CYCLE), ("seven_categories", DRIVERS_CYCLE)):
        pipeline(project, "--force", "--cycle", cycle)
        manifest = json.loads((project / "reports" / cycle / "manifest.json").read_text())
        step = next(s for s in manifest["steps"] if s["step"] == "02_deficit_model")
        cost[f"step_02_cold_{name}"] = step["seconds"]
    return cost


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": len(values),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=int(os.environ.get("BENCH_REPS", 3)))
    args = parser.parse_args()
    results: dict[str, list[float]] = {
        "baseline": [],
        "cold": [],
        "no_change": [],
        "one_input_changed": [],
    }
    cold_cpu: list[float] = []
    # The stock chain's CPU beside each cold run's: the machine's speed moves both (a slow
    # spell shows as both up; a change to the pipeline as the ratio moving).
    baseline_cpu: list[float] = []
    with tempfile.TemporaryDirectory(prefix="highneeds-bench-") as temporary:
        work = Path(temporary)
        project = copy_project(work / "project")
        pipeline(project)  # warm the file cache and the environment once, not measured
        narrative = project / "data" / "raw" / CYCLE / "narrative.md"
        original = narrative.read_text(encoding="utf-8")
        for repetition in range(args.repetitions):
            order = ["baseline", "cold"] if repetition % 2 == 0 else ["cold", "baseline"]
            for kind in order:
                if kind == "baseline":
                    seconds = with_cpu(baseline_cpu, lambda: baseline(project, work))
                else:
                    seconds = with_cpu(cold_cpu, lambda: pipeline(project, "--force"))
                results[kind].append(seconds)
            results["no_change"].append(pipeline(project))
            appendix = "Appendix A: How the figures were calculated."
            edit = original.replace(appendix, f"{appendix[:-1]} ({repetition}).")
            narrative.write_text(edit, encoding="utf-8")
            results["one_input_changed"].append(pipeline(project))
            narrative.write_text(original, encoding="utf-8")
            pipeline(project)  # back to the shipped paper
            print(
                f"repetition {repetition + 1}/{args.repetitions}: "
                + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in results.items()),
                flush=True,
            )
        peak = peak_memory(project)
        stages = stage_breakdown(project)
        model = model_cost(project)
        preview = preview_latency.measure(project, max(args.repetitions, 5))
        # Last, as it changes every later run: from a council's second month on, changes.html
        # compares with the month before's paper and charts the forecast's history.
        publish_month_before(project)
        pipeline(project)  # the page now has the earlier paper: drawn once
        results["no_change_with_history"] = [pipeline(project) for _ in range(args.repetitions)]
    report = {k: summary(v) for k, v in results.items()}
    cold = report["cold"]["median"]
    paired = [c / b for c, b in zip(results["cold"], results["baseline"], strict=True)]
    ratios = {
        "cold_over_baseline": cold / report["baseline"]["median"],
        # Each repetition's cold run over the baseline run beside it: machine drift cancels.
        "cold_over_baseline_paired_median": statistics.median(paired),
        "cold_over_baseline_paired_max": max(paired),
        "no_change_over_cold": report["no_change"]["median"] / cold,
        "no_change_with_history_over_cold": report["no_change_with_history"]["median"] / cold,
        "one_input_changed_over_cold": report["one_input_changed"]["median"] / cold,
    }
    out = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "timings_seconds": report,
        "ratios": ratios,
        "cold_cpu_seconds": summary(cold_cpu),
        "cold_cpu_budget_seconds": COLD_CPU_BUDGET_SECONDS,
        "baseline_cpu_seconds": summary(baseline_cpu),
        "cold_cpu_over_baseline_cpu_paired_median": statistics.median(
            c / b for c, b in zip(cold_cpu, baseline_cpu, strict=True)
        ),
        "peak_memory_mib_cold": peak / 2**20,
        "stages_seconds": stages,
        "model_seconds": model,
        "model_budget_seconds": MODEL_BUDGET_SECONDS,
        "preview_seconds": {k: summary(v) for k, v in preview.items()},
        "preview_targets_seconds": preview_latency.TARGETS,
    }
    target = ROOT / "benchmarks" / "results" / "latest.json"
    target.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"\n{'measure':<22}{'median s':>10}{'min':>8}{'max':>8}")
    for name, row in report.items():
        print(f"{name:<22}{row['median']:>10.2f}{row['min']:>8.2f}{row['max']:>8.2f}")
    print()
    for name, value in ratios.items():
        print(f"{name:<32}{value:>8.3f}")
    spent = out["cold_cpu_seconds"]
    verdict = "within" if spent["median"] <= COLD_CPU_BUDGET_SECONDS else "OVER"
    print(
        f"{'CPU of a cold run, all processes':<32}{spent['median']:>8.2f} s (min "
        f"{spent['min']:.2f}, max {spent['max']:.2f}), {verdict} the "
        f"{COLD_CPU_BUDGET_SECONDS:.0f} s budget"
    )
    stock = out["baseline_cpu_seconds"]
    print(
        f"{'CPU of the stock chain beside it':<32}{stock['median']:>8.2f} s (min "
        f"{stock['min']:.2f}, max {stock['max']:.2f}); cold over stock, paired median "
        f"{out['cold_cpu_over_baseline_cpu_paired_median']:.3f}"
    )
    print(f"{'peak memory, cold run (MiB)':<32}{out['peak_memory_mib_cold']:>8.0f}")
    print("\nstage breakdown of a cold run (s):")
    for name, value in stages.items():
        print(f"  {name:<46}{value:>7.2f}")
    print("\nwhat the model adds to a run (s):")
    for name, value in model.items():
        print(f"  {name:<46}{value:>7.3f}")
    added = model["model_imports"] + model["model_calls_seven_categories"]
    verdict = "within" if added <= MODEL_BUDGET_SECONDS else "OVER"
    print(
        f"  model imports + driver model calls: {added:.3f} s, {verdict} the "
        f"{MODEL_BUDGET_SECONDS} s budget"
    )
    draws = model["uncertainty_10000_draws"]
    print(f"  10,000 draws: {draws:.3f} s, {'within' if draws < 0.5 else 'OVER'} the 0.5 s budget")
    print("\npreview: from the save to the new text in the browser (s):")
    for kind, target_seconds in preview_latency.TARGETS.items():
        shown, built = statistics.median(preview[kind]), statistics.median(preview[f"{kind}_build"])
        verdict = "within" if shown <= target_seconds else "OVER"
        print(
            f"  {kind:<16} median {shown:.2f} (build {built:.2f}), {verdict} the "
            f"{target_seconds} s target; {len(preview[kind])} saves"
        )
    print(f"\nwritten to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
