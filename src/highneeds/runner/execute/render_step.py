"""The render step: the executed report notebook to the paper's files (HTML, tagged PDF,
large print PDF, Word, the auditor's edition and the DfE return) in the run folder.

The render runs in a process of its own (:class:`RenderWorker`), started while the report
notebook runs so that its libraries are imported by the time it is needed, and killed, with the
partner process it starts, if it overruns ``--render-timeout``: an input cannot hold the cycle
lock for ever, and the run fails (exit 4) with nothing published.

Once the HTML is written, the rest is done in two parts side by side, one per core (WeasyPrint
lays out in single-threaded Python): the large print PDF and the auditor's edition in a partner
(:class:`RenderPartner`), and the standard PDF, the Word paper and the DfE return in the
worker (what each writes: :mod:`highneeds.runner.execute.render_parts`). The two parts are of
about the same work. The partner is forked from the worker once the worker has
imported the render's libraries, so they are imported once. A worker started for a run that
asked for HTML alone readies the HTML and the auditor's edition only, and forks no partner."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import NoReturn

from highneeds.common.errors import HighNeedsError
from highneeds.runner.archive.outputs import PAPER_HTML
from highneeds.runner.execute import render_parts
from highneeds.runner.ops.resources import MEMORY_ADVICE, limit_memory, memory_limit
from highneeds.runner.ops.temporary import die_with_parent


def render_paper(run_dir: Path, epoch: str, partner: RenderPartner | None = None) -> None:
    """Render the executed report notebook to the paper in the run folder: HTML, tagged PDF,
    large print PDF, Word, the auditor's edition and the DfE return (the HTML and the auditor's
    edition alone if the run asked for HTML only). With ``partner``, the large print PDF and the
    auditor's edition are made there, side by side with the rest; without, here, after it."""
    try:
        meta, html = render_parts.write_html(run_dir, epoch)
        if render_parts.html_only(run_dir):
            render_parts.write_audit_edition(run_dir, html)
            return
        if partner is not None:
            partner.send(run_dir, epoch)
        render_parts.write_standard_part(run_dir, epoch, meta, html)
        if partner is not None:
            partner.finish()  # bounded by the worker's own time limit
        else:
            render_parts.write_partner_part(run_dir, html)
    finally:
        if partner is not None:
            partner.stop()


class RenderTimedOut(HighNeedsError):
    """The render step overran its time limit."""

    exit_code = 4


#: The variable that tells the worker which process started it (to die with it).
PARENT_VARIABLE = "HIGHNEEDS_RENDER_PARENT"
#: How the worker is started: this module, run by this Python.
WORKER_COMMAND = (sys.executable, "-m", "highneeds.runner.execute.render_step")
#: The worker's argument for a run that asked for the paper as HTML alone: it readies the HTML
#: and the auditor's edition only (no WeasyPrint, python-docx or openpyxl, and no partner).
HTML_ONLY_ARGUMENT = "--html-only"


class RenderWorker:
    """The render step in a process of its own: started ahead of need (it imports the render's
    libraries while it waits), given one run folder, and killed, with every process it started
    (its partner), if the render overruns its time limit."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        command: Sequence[str] = WORKER_COMMAND,
        html_only: bool = False,
    ) -> None:
        """Start the worker, in a process group of its own: it is killed as one with its
        partner and is spared the terminal's Ctrl-C (the pipeline decides what a Ctrl-C stops).
        ``html_only``: the run asked for the paper as HTML alone, so the worker readies nothing
        the print formats need (a full render still works, importing as it goes).
        """
        self.process = subprocess.Popen(
            [*command, *([HTML_ONLY_ARGUMENT] if html_only else [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            env={**(os.environ if env is None else env), PARENT_VARIABLE: str(os.getpid())},
        )

    def render(self, run_dir: Path, epoch: str, timeout: float) -> None:
        """Render the paper of ``run_dir``; raise :class:`RenderTimedOut` after ``timeout``
        seconds (the worker and its children are killed), or the render's own error."""
        self.send(run_dir, epoch)
        self.finish(timeout)

    def send(self, run_dir: Path, epoch: str) -> None:
        """Give the worker its job: render (its part of) the paper of ``run_dir``."""
        assert self.process.stdin is not None
        with suppress(BrokenPipeError):  # a worker that died says why in :meth:`finish`
            self.process.stdin.write(_job_line(run_dir, epoch))
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
        """Kill the worker and every process it started (its group), if running."""
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None and not stream.closed:
                with suppress(OSError):
                    stream.close()


def _job_line(run_dir: Path, epoch: str) -> str:
    """A render job as the worker and the partner read it: one line of JSON."""
    return json.dumps({"run_dir": str(run_dir), "epoch": epoch}) + "\n"


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


class RenderPartner:
    """The partner's part of a render (the large print PDF and the auditor's edition) in a child
    forked from the render worker once it has imported the render's libraries: they are not
    imported twice, and the child is in the worker's process group, so it dies with the worker.

    Fork only from a process with a single thread (forking one with threads can leave the child
    holding a lock no thread will release): the worker forks before it imports numpy, whose
    OpenBLAS starts a thread."""

    def __init__(self) -> None:
        job_read, self._jobs = os.pipe()
        self._answers, answer_write = os.pipe()
        worker = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:  # the partner: never returns
            die_with_parent(worker)
            os.close(self._jobs)
            os.close(self._answers)
            _serve_partner(job_read, answer_write)
        os.close(job_read)
        os.close(answer_write)
        self._open = [self._jobs, self._answers]  # closed once, by whoever is done first
        self.returncode: int | None = None

    def send(self, run_dir: Path, epoch: str) -> None:
        """Give the partner its job: its part of the paper of ``run_dir``."""
        with suppress(BrokenPipeError):  # a partner that died says so in :meth:`finish`
            os.write(self._jobs, _job_line(run_dir, epoch).encode())

    def finish(self) -> None:
        """Wait for the partner's part (the worker's own time limit bounds the wait: the
        pipeline kills the worker's group, the partner with it); raise its error."""
        self._close(self._jobs)  # no more jobs: the partner's read ends once it has this one
        with os.fdopen(self._answers, "rb", closefd=False) as answers:
            answer = answers.read().decode("utf-8", errors="replace")
        self._wait()
        _raise_reported_error(answer, "", self.returncode or 0)

    def stop(self) -> None:
        """Kill the partner if it is still running, and release its pipes."""
        if self.returncode is None:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._wait()
        for descriptor in list(self._open):
            self._close(descriptor)

    def _close(self, descriptor: int) -> None:
        if descriptor in self._open:
            self._open.remove(descriptor)
            os.close(descriptor)

    def _wait(self) -> None:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)


def _serve_partner(jobs: int, answers: int) -> NoReturn:
    """The partner's side of :class:`RenderPartner`: one job from ``jobs``, its report on
    ``answers``; then end without running the worker's clean-up or tearing anything down."""
    try:
        with os.fdopen(jobs, "rb") as stream:
            line = stream.readline()
        if line:  # none if the worker stopped without rendering
            run_dir = Path(json.loads(line)["run_dir"])  # its part is the same on any date
            report = _report_of(
                lambda: render_parts.write_partner_part(
                    run_dir, (run_dir / PAPER_HTML).read_text(encoding="utf-8")
                )
            )
            os.write(answers, (json.dumps(report) + "\n").encode())
    finally:
        sys.stderr.flush()
        os._exit(0)


def _report_of(job: Callable[[], None]) -> dict[str, object]:
    """Do ``job``; what became of it, as :func:`_raise_reported_error` reads it."""
    try:
        job()
    except HighNeedsError as error:
        return {"message": str(error), "exit_code": error.exit_code}
    except OSError as error:
        return {"errno": error.errno, "message": error.strerror, "filename": error.filename}
    except MemoryError:
        return {"message": f"the paper could not be rendered: {MEMORY_ADVICE}"}
    except Exception as error:
        traceback.print_exc()
        return {"message": f"the paper could not be rendered: {type(error).__name__}: {error}"}
    return {"ok": True}


def _serve_one_render(html_only: bool) -> None:
    """The worker's side of :class:`RenderWorker`: import the render's libraries (forking the
    partner once it has those its part needs), wait for one job, do it and report on stdout.
    For a run that asked for HTML alone, only what the HTML and the auditor's edition need,
    and no partner (there is nothing to do beside the HTML)."""
    partner: RenderPartner | None = None
    if html_only:
        _prepare_html()
    else:
        _prepare_partner_part()
        partner = RenderPartner()  # before numpy starts its thread: forked single-threaded
    try:
        if partner is not None:
            _prepare_standard_part()
        line = sys.stdin.readline()
        if not line:  # the run needed no render after all
            return
        job = json.loads(line)
        run_dir, epoch = Path(job["run_dir"]), job["epoch"]
        report = _report_of(lambda: render_paper(run_dir, epoch, partner))
    finally:
        if partner is not None:
            partner.stop()
    print(json.dumps(report), flush=True)
    # Its files are written and closed: end now, without tearing down the libraries it
    # imported (whoever waits for this process would wait for that too).
    sys.stderr.flush()
    os._exit(0)


def _import_audit_edition() -> None:
    """Import the auditor's edition's HTML parser and the lineage it links (no thread)."""
    import highneeds.model.basis.lineage
    import highneeds.paper.formats.audit_edition  # noqa: F401


def _prepare_html() -> None:
    """Import what the HTML and the auditor's edition use, and ready the HTML exporter."""
    from highneeds.paper.formats.render import prepare_html_exporter

    _import_audit_edition()
    prepare_html_exporter()


def _prepare_partner_part() -> None:
    """Import what the partner's part uses (the worker's too): WeasyPrint and the auditor's
    edition's HTML parser, neither of which starts a thread."""
    import highneeds.paper.formats.render  # noqa: F401
    from highneeds.paper.formats.weasyprint_import import import_weasyprint

    _import_audit_edition()
    import_weasyprint()


def _prepare_standard_part() -> None:
    """Import what only the worker's part uses (python-docx, openpyxl, the return's workbook)
    and ready the HTML exporter (a sample paper rendered), while the kernels compute (the point
    of a worker). Neither pandas nor the paper.yaml reader (pydantic): notebook 04 drew up the
    return's figures and kept the paper's metadata."""
    import docx  # noqa: F401
    import openpyxl  # noqa: F401

    import highneeds.paper.formats.dfe_return_workbook
    import highneeds.paper.formats.word  # noqa: F401
    from highneeds.paper.formats.render import prepare_html_exporter

    prepare_html_exporter()


if __name__ == "__main__":
    # The worker dies with the run that started it (a killed run's worker ran on, else).
    die_with_parent(int(os.environ.get(PARENT_VARIABLE, os.getppid())))
    limit_memory(memory_limit())  # its partner, forked from it, inherits the bound
    _serve_one_render(html_only=sys.argv[1:] == [HTML_ONLY_ARGUMENT])
