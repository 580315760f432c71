"""The render step: the executed report notebook to the paper's files (HTML, tagged PDF,
large print PDF, Word, the auditor's edition and the DfE return) in the run folder.

The render runs in a process of its own (:class:`RenderWorker`), started while the report
notebook runs so that its libraries are imported by the time it is needed, and killed, with the
partner process it starts, if it overruns ``--render-timeout``: an input cannot hold the cycle
lock for ever, and the run fails (exit 4) with nothing published.

Once the HTML is written, the rest is done in two parts side by side, one per core (WeasyPrint
lays out in single-threaded Python): the large print PDF and the Word paper in a partner
process the worker starts (``--partner``), and the standard PDF, the auditor's edition and the
DfE return in the worker. Each part is about 2.5 s of work on the standard machine."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import traceback
from collections.abc import Mapping, Sequence
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from highneeds.errors import HighNeedsError
from highneeds.runner.outputs import (
    DFE_RETURN,
    PAPER_AUDIT,
    PAPER_DOCX,
    PAPER_HTML,
    PAPER_LARGE_PRINT,
    PAPER_PDF,
)


def render_paper(run_dir: Path, epoch: str, partner: RenderWorker | None = None) -> None:
    """Render the executed report notebook to the paper in the run folder: HTML, tagged PDF,
    large print PDF, Word, the auditor's edition and the DfE return. With ``partner`` (a
    :class:`RenderWorker` started with :data:`PARTNER_COMMAND`), the large print PDF and the
    Word paper are made there, side by side with the rest; without, here, after it."""
    try:
        meta, html = _write_html(run_dir, epoch)
        if partner is not None:
            partner.send(run_dir, epoch)
        _write_standard_part(run_dir, epoch, meta, html)
        if partner is not None:
            partner.finish(timeout=None)  # the whole render is bounded by its own worker's limit
        else:
            _write_partner_part(run_dir, epoch, meta, html)
    finally:
        if partner is not None:
            partner.stop()


def _paper_metadata(run_dir: Path) -> dict[str, Any]:
    from highneeds.gate.paper_yaml import read_paper_metadata

    return read_paper_metadata(run_dir / "inputs" / "paper.yaml")


def _write_html(run_dir: Path, epoch: str) -> tuple[dict[str, Any], str]:
    """The paper's HTML, written to the run folder; with the paper's metadata."""
    from highneeds.paper.render import render_html

    meta = _paper_metadata(run_dir)
    date = datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    html = render_html(run_dir / "notebooks" / "04_cabinet_report.ipynb", meta, date)
    (run_dir / PAPER_HTML).write_text(html, encoding="utf-8")
    return meta, html


def _write_standard_part(run_dir: Path, epoch: str, meta: dict[str, Any], html: str) -> None:
    """The tagged PDF, the auditor's edition and the DfE return."""
    from highneeds.model.lineage import read_lineage
    from highneeds.paper.render import render_pdf

    render_pdf(html, run_dir / PAPER_PDF, run_dir)
    derivations = read_lineage(run_dir / "processed")  # for the auditor's edition and the return
    _write_audit_edition(run_dir, html, derivations)
    _write_dfe_return(run_dir, epoch, meta, html, derivations)


def _write_partner_part(run_dir: Path, epoch: str, meta: dict[str, Any], html: str) -> None:
    """The large print PDF and the Word paper: the partner's part."""
    from highneeds.paper.render import LARGE_PRINT_CSS, fix_zip_dates, render_pdf
    from highneeds.paper.word import write_docx

    render_pdf(html, run_dir / PAPER_LARGE_PRINT, run_dir, LARGE_PRINT_CSS)
    charts = {  # each chart's PNG, drawn by 04, by its figure's id
        path.stem: path.read_bytes()
        for path in sorted((run_dir / "processed").glob("figure-*.png"))
    }
    write_docx(
        html,
        run_dir / PAPER_DOCX,
        str(meta["title"]),
        charts,
        datetime.fromtimestamp(int(epoch), UTC),
        subject=f"{meta['committee']}, {meta['meeting']}: report of the {meta['report_of']}",
        author=str(meta["report_of"]),
        running_head=f"{meta['committee']}, {meta['meeting']}: {meta['title']}",
    )
    fix_zip_dates(run_dir / PAPER_DOCX, int(epoch))


class RenderTimedOut(HighNeedsError):
    """The render step overran its time limit."""

    exit_code = 4


#: How the worker is started: this module, run by this Python.
WORKER_COMMAND = (sys.executable, "-m", "highneeds.runner.render_step")
#: How the worker starts its partner (which starts none of its own).
PARTNER_COMMAND = (*WORKER_COMMAND, "--partner")


class RenderWorker:
    """The render step, or its partner's part, in a process of its own: started ahead of need
    (it imports the render's libraries while it waits), given one run folder, and killed, with
    every process it started, if the render overruns its time limit."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        command: Sequence[str] = WORKER_COMMAND,
        own_process_group: bool = True,
    ) -> None:
        """Start the worker. With ``own_process_group`` (the pipeline's worker) it is killed
        as one with what it starts and is spared the terminal's Ctrl-C; without (the partner,
        started by a worker), it stays in its starter's group and is killed with it."""
        self.process = subprocess.Popen(
            list(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=own_process_group,
            env=None if env is None else dict(env),
        )
        self.own_process_group = own_process_group

    def render(self, run_dir: Path, epoch: str, timeout: float) -> None:
        """Render the paper of ``run_dir``; raise :class:`RenderTimedOut` after ``timeout``
        seconds (the worker and its children are killed), or the render's own error."""
        self.send(run_dir, epoch)
        self.finish(timeout)

    def send(self, run_dir: Path, epoch: str) -> None:
        """Give the worker its job: render (its part of) the paper of ``run_dir``."""
        job = {"run_dir": str(run_dir), "epoch": epoch}
        assert self.process.stdin is not None
        with suppress(BrokenPipeError):  # a worker that died says why in :meth:`finish`
            self.process.stdin.write(json.dumps(job) + "\n")
            self.process.stdin.flush()  # closed by :meth:`finish`

    def finish(self, timeout: float | None) -> None:
        """Wait for the job sent; raise :class:`RenderTimedOut` after ``timeout`` seconds
        (the worker and its children are killed), or the error the worker reported."""
        try:
            answer, errors = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise RenderTimedOut(
                f"rendering the paper timed out after {timeout:g} s (--render-timeout); the "
                "render was stopped and nothing was published"
            ) from None
        finally:
            if self.process.poll() is None:  # interrupted while waiting
                self.stop()
        _raise_reported_error(answer, errors, self.process.returncode)

    def stop(self) -> None:
        """Kill the worker (and, in its own group, every process it started) if running."""
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                if self.own_process_group:
                    os.killpg(self.process.pid, signal.SIGKILL)
                else:
                    self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None and not stream.closed:
                with suppress(OSError):
                    stream.close()


def _raise_reported_error(answer: str, errors: str, returncode: int) -> None:
    """Raise what the worker reported on its last line of output, if it did not succeed."""
    lines = answer.strip().splitlines()
    try:
        reported = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        reported = None
    if returncode == 0 and reported == {"ok": True}:
        return
    if isinstance(reported, dict) and "errno" in reported:
        raise OSError(reported["errno"], reported["message"], reported.get("filename"))
    if isinstance(reported, dict) and "message" in reported:
        error = HighNeedsError(reported["message"])
        error.exit_code = int(reported.get("exit_code", 1))
        raise error
    last = errors.strip().splitlines()[-1:] or [f"it stopped with exit {returncode}"]
    raise HighNeedsError(f"the paper could not be rendered: {last[0]}")


def _serve_one_render(as_partner: bool) -> None:
    """The worker's side of :class:`RenderWorker`: start the partner (unless this is it),
    import the render's libraries, wait for one job, do it and report on stdout."""
    partner = None if as_partner else RenderWorker(command=PARTNER_COMMAND, own_process_group=False)
    try:
        _prepare(as_partner)
        line = sys.stdin.readline()
        if not line:  # the run needed no render after all
            return
        job = json.loads(line)
        run_dir, epoch = Path(job["run_dir"]), job["epoch"]
        if as_partner:
            html = (run_dir / PAPER_HTML).read_text(encoding="utf-8")
            _write_partner_part(run_dir, epoch, _paper_metadata(run_dir), html)
        else:
            render_paper(run_dir, epoch, partner)
        report: dict[str, object] = {"ok": True}
    except HighNeedsError as error:
        report = {"message": str(error), "exit_code": error.exit_code}
    except OSError as error:
        report = {"errno": error.errno, "message": error.strerror, "filename": error.filename}
    except Exception as error:
        traceback.print_exc()
        report = {"message": f"the paper could not be rendered: {type(error).__name__}: {error}"}
    finally:
        if partner is not None:
            partner.stop()
    print(json.dumps(report), flush=True)
    # Its files are written and closed: end now, without tearing down the libraries it
    # imported (0.1-0.2 s that whoever waits for this process would wait for).
    sys.stderr.flush()
    os._exit(0)


def _prepare(as_partner: bool) -> None:
    """Done before the job arrives, while the kernels compute (the point of a worker): import
    the libraries its part uses and compile the paper's HTML template."""
    import weasyprint  # noqa: F401

    import highneeds.gate.paper_yaml  # noqa: F401

    if as_partner:
        import docx  # noqa: F401
    else:
        import openpyxl  # noqa: F401
        import pandas  # noqa: F401

        from highneeds.paper.render import prepare_html_exporter

        prepare_html_exporter()


def _write_audit_edition(run_dir: Path, html: str, derivations: dict[str, dict]) -> None:
    """The auditor's edition, from the figures the paper printed, the notebooks' lineage and
    the claims notebook 04 warned of."""
    from highneeds.paper.audit_edition import audit_edition
    from highneeds.runner.outputs import read_claims

    processed = run_dir / "processed"
    figures = json.loads((processed / "paper_figures.json").read_text(encoding="utf-8"))
    inputs = (
        sorted(p.name for p in (run_dir / "inputs").iterdir())
        if (run_dir / "inputs").is_dir()
        else []
    )
    edition = audit_edition(html, figures, derivations, read_claims(run_dir), inputs)
    (run_dir / PAPER_AUDIT).write_text(edition, encoding="utf-8")


def _notebook_parameter(notebook: Path, name: str) -> str:
    """A parameter the executed notebook ran with (papermill records them in its metadata):
    the run folder may be a copy anywhere (verify re-executes in a temporary folder)."""
    meta = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]
    return str(meta["papermill"]["parameters"][name])


def _write_dfe_return(
    run_dir: Path, epoch: str, meta: dict, html: str, derivations: dict[str, dict]
) -> None:
    """The DfE management plan return, from the model's tables in the run folder."""
    from highneeds import processed
    from highneeds.model.deficit import SCENARIO_LABELS
    from highneeds.paper.dfe_return import ReturnInputs, paper_paragraphs, write_dfe_return
    from highneeds.paper.render import fix_zip_dates

    folder = run_dir / "processed"
    scenarios = processed.read_table(folder, "scenarios")
    optional = {
        name: processed.read_table_if_present(folder, name)
        for name in ("demand", "placements_forecast", "dsg_blocks", "ehcps_by_age")
    }
    inputs = ReturnInputs(
        meta=meta,
        cycle=_notebook_parameter(run_dir / "notebooks" / "04_cabinet_report.ipynb", "cycle"),
        created=datetime.fromtimestamp(int(epoch), UTC),
        roll_forward=processed.read_table(folder, "roll_forward"),
        budget=processed.read_table(folder, "budget"),
        scenarios=scenarios,
        scenario_labels={
            k: v for k, v in SCENARIO_LABELS.items() if k in set(scenarios["scenario"])
        },
        business_cases=processed.read_table(folder, "business_cases"),
        savings=processed.read_table(folder, "intervention_savings"),
        derivations=derivations,
        paragraphs=paper_paragraphs(html),
        demand=optional["demand"],
        placements=optional["placements_forecast"],
        dsg_blocks=optional["dsg_blocks"],
        ehcps_by_age=optional["ehcps_by_age"],
    )
    target = run_dir / DFE_RETURN
    write_dfe_return(target, inputs)
    fix_zip_dates(target, int(epoch))


if __name__ == "__main__":
    _serve_one_render(as_partner=sys.argv[1:] == ["--partner"])
