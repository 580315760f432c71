"""Notebooks on a shared kernel: each starts as on a kernel of its own; failures are named."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.channels import AsyncZMQSocketChannel
from nbformat.v4 import new_code_cell, new_notebook
from traitlets import Type

from highneeds.common.errors import HighNeedsError, Interrupted, NotebookFailed
from highneeds.runner.execute.kernel_client import QuickReadyClient
from highneeds.runner.execute.kernels import Kernel, ensure_kernel
from tests.conftest import ended


def notebook(folder: Path, name: str, *sources: str) -> Path:
    path = folder / name
    nbformat.write(new_notebook(cells=[new_code_cell(s) for s in sources]), path)
    return path


def text(cell: nbformat.NotebookNode) -> str:
    return "".join(
        o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs
    )


@pytest.fixture
def kernel(tmp_path: Path):
    ensure_kernel()
    started = Kernel(tmp_path)
    yield started
    started.shutdown()
    assert not started.alive()


def run(kernel: Kernel, source: Path) -> nbformat.NotebookNode:
    target = source.with_name(f"executed-{source.name}")
    kernel.execute(source, target, {}, cell_timeout=60, kernel_timeout=60)
    return nbformat.read(target, as_version=4)


def test_second_notebook_starts_with_an_empty_namespace_at_in_1(
    kernel: Kernel, tmp_path: Path
) -> None:
    first = run(kernel, notebook(tmp_path, "a.ipynb", "import json\nanswer = 41", "answer + 1"))
    assert text(first.cells[1]) == "42"
    assert [c.execution_count for c in first.cells] == [1, 2]

    second = run(
        kernel,
        notebook(tmp_path, "b.ipynb", "'answer' in globals(), 'json' in globals()", "import os"),
    )
    assert text(second.cells[0]) == "(False, False)"
    assert [c.execution_count for c in second.cells] == [1, 2]


def test_code_run_before_the_notebooks_leaves_its_imports_and_nothing_else(
    kernel: Kernel, tmp_path: Path
) -> None:
    """The model's kernel reads the tables ahead before notebook 02: the notebook still starts
    at In [1] on an empty namespace, with the modules imported (the point) already there."""
    kernel.run_code(
        "import fractions, sys\nread_ahead = 7\nprint('not kept')\n"
        "open('ran.txt', 'w').write(str('fractions' in sys.modules))",
        timeout=60,
    )
    assert (tmp_path / "ran.txt").read_text() == "True"  # in the kernel's folder
    executed = run(
        kernel,
        notebook(
            tmp_path,
            "n.ipynb",
            "import sys\n'read_ahead' in globals(), 'fractions' in sys.modules",
        ),
    )
    assert text(executed.cells[0]) == "(False, True)"
    assert executed.cells[0].execution_count == 1


def test_code_run_before_the_notebooks_raises_its_error(kernel: Kernel) -> None:
    with pytest.raises(HighNeedsError, match="InputDataError: figures.csv, row 3"):
        kernel.run_code(
            "from highneeds.common.errors import InputDataError\n"
            "raise InputDataError('figures.csv, row 3')",
            timeout=60,
        )


def test_code_run_before_the_notebooks_stops_waiting_when_the_kernel_is_stopped(
    kernel: Kernel, tmp_path: Path
) -> None:
    """A run that fails (or is stopped) while its gate runs shuts the model's kernel down: the
    read ahead waiting on it ends then, not at its time limit."""
    errors: list[BaseException] = []

    def read_ahead() -> None:
        try:
            kernel.run_code("open('started', 'w').close()\nimport time\ntime.sleep(600)", 600)
        except BaseException as error:
            errors.append(error)

    waiting = threading.Thread(target=read_ahead)
    waiting.start()
    deadline = time.monotonic() + 60
    while not (tmp_path / "started").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    kernel.shutdown()
    waiting.join(timeout=30)
    assert not waiting.is_alive()
    assert len(errors) == 1 and "ended before it replied" in str(errors[0])


def test_printed_lines_flushed_in_pieces_come_back_as_one_output(
    kernel: Kernel, tmp_path: Path
) -> None:
    """The kernel sends a cell's printing in as many pieces as its buffer was flushed (which
    depends on how busy the machine is): the executed notebook holds one output either way."""
    executed = run(
        kernel,
        notebook(
            tmp_path,
            "printing.ipynb",
            "import time\nprint('a.csv', flush=True)\ntime.sleep(0.3)\nprint('b.csv')",
        ),
    )
    assert [o.get("text") for o in executed.cells[0].outputs] == ["a.csv\nb.csv\n"]


_EXECUTE_AND_LIST_LOADED = """
import sys
from pathlib import Path
from highneeds.runner.archive.archive import normalise_notebook
from highneeds.runner.execute.kernels import Kernel
folder = Path(sys.argv[1])
kernel = Kernel(folder)
try:
    kernel.execute(folder / "n.ipynb", folder / "out.ipynb", {}, cell_timeout=60, kernel_timeout=60)
finally:
    kernel.shutdown()
normalise_notebook(folder / "out.ipynb", "notebooks/n.ipynb")
print(sorted(m for m in ("nbconvert", "IPython", "urllib3") if m in sys.modules))
"""


def test_executing_and_storing_a_notebook_imports_neither_nbconvert_nor_ipython(
    tmp_path: Path,
) -> None:
    """The pipeline's own process executes and normalises notebooks: nbconvert, which only the
    render needs, would cost it 0.15 s to import, IPython (which jupyter_client imports to
    look for kernels in a legacy folder) 0.05 s before any kernel starts, and requests (with
    urllib3: papermill's, for notebooks at web addresses) 0.05 s."""
    ensure_kernel()
    notebook(tmp_path, "n.ipynb", "print('ran')")
    done = subprocess.run(
        [sys.executable, "-c", _EXECUTE_AND_LIST_LOADED, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]"]
    assert "ran" in (tmp_path / "out.ipynb").read_text()


def test_a_kernel_keeps_no_history_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IPython's history database (``$IPYTHONDIR``, in the home folder by default) would get
    every cell of every run; the executed notebooks keep them."""
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    ensure_kernel()
    kernel = Kernel(tmp_path)
    try:
        executed = run(kernel, notebook(tmp_path, "a.ipynb", "1 + 1", "2 + 2"))
    finally:
        kernel.shutdown()
    assert [c.execution_count for c in executed.cells] == [1, 2]
    assert (tmp_path / "ipython").is_dir()  # the kernel used the folder given
    assert not list((tmp_path / "ipython").rglob("history.sqlite*"))


@pytest.mark.parametrize("stopped_in", ["making its manager", "starting its process"])
def test_a_kernel_stopped_while_it_starts_leaves_no_socket_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stopped_in: str
) -> None:
    """SIGTERM (as :class:`Interrupted`) at any point of a kernel's start: its folder goes.
    A fresh-clone run once left one behind when the signal came while the kernel manager
    was being made, before the start's clean-up covered it."""
    import tempfile

    import jupyter_client.manager

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where socket folders are made
    ensure_kernel()

    def interrupted(*args: object, **kwargs: object) -> None:
        raise Interrupted("SIGTERM", 143)

    async def interrupted_start(*args: object, **kwargs: object) -> None:
        interrupted()

    if stopped_in == "making its manager":
        monkeypatch.setattr(jupyter_client.manager, "AsyncKernelManager", interrupted)
    else:
        manager = jupyter_client.manager.AsyncKernelManager
        monkeypatch.setattr(manager, "start_kernel", interrupted_start)
    with pytest.raises(Interrupted):
        Kernel(tmp_path)
    assert not list(tmp_path.glob("highneeds-kernel-*"))


def test_kernel_runs_in_its_folder(kernel: Kernel, tmp_path: Path) -> None:
    executed = run(kernel, notebook(tmp_path, "cwd.ipynb", "import os\nos.getcwd()"))
    assert text(executed.cells[0]) == repr(str(tmp_path))


def test_failing_cell_is_named_as_jupyter_shows_it(kernel: Kernel, tmp_path: Path) -> None:
    source = notebook(tmp_path, "bad.ipynb", "x = 1", "raise ValueError('no such year')")
    with pytest.raises(NotebookFailed) as failure:
        run(kernel, source)
    message = str(failure.value)
    assert "bad.ipynb failed in cell 2 (In [2]: raise ValueError('no such year'))" in message
    assert "ValueError: no such year" in message
    # The kernel survives a failing notebook and runs the next one from scratch.
    after = run(kernel, notebook(tmp_path, "next.ipynb", "'x' in globals()"))
    assert text(after.cells[0]) == "False"


def test_killed_kernel_is_reported_as_lost(kernel: Kernel, tmp_path: Path) -> None:
    source = notebook(tmp_path, "kill.ipynb", "import os, signal\nos.kill(os.getpid(), 9)")
    with pytest.raises(NotebookFailed, match=r"cell 1 \(In \[1\]: import os, signal\) lost its"):
        run(kernel, source)
    assert (tmp_path / "executed-kill.ipynb").is_file()  # kept, as far as it got


def test_notebook_cut_short_by_a_timeout_is_kept_as_far_as_it_got(
    kernel: Kernel, tmp_path: Path
) -> None:
    """Cells are not saved as they run: a notebook stopped mid-cell is written when it stops."""
    source = notebook(tmp_path, "slow.ipynb", "print('read')", "import time\ntime.sleep(60)")
    target = tmp_path / "executed-slow.ipynb"
    with pytest.raises(NotebookFailed, match=r"cell 2 \(In \[2\]: import time\) timed out"):
        kernel.execute(source, target, {}, cell_timeout=1, kernel_timeout=60)
    kept = nbformat.read(target, as_version=4)
    assert text(kept.cells[0]) == "read\n"
    assert kept.cells[1].execution_count == 2


class _IdleLosingChannel(AsyncZMQSocketChannel):
    """An IOPub channel that never delivers the kernel's 'idle' status: the message that tells
    a client a cell's output has all arrived."""

    async def get_msg(self, timeout: float | None = None) -> dict:
        while True:
            message = await super().get_msg(timeout)
            if message["msg_type"] != "status" or message["content"]["execution_state"] != "idle":
                return message


class OutputLosingClient(QuickReadyClient):
    iopub_channel_class = Type(_IdleLosingChannel)


def test_a_cell_whose_output_does_not_all_arrive_fails_its_notebook(
    kernel: Kernel, tmp_path: Path
) -> None:
    """A cell's output still arriving after its reply is waited for as long as a cell may run
    (nbclient's own wait is 4 s), and then the notebook fails saying so: not as a cell over its
    time limit, and never kept short of an output as if complete."""
    kernel.manager.client_class = f"{__name__}.{OutputLosingClient.__name__}"
    source = notebook(tmp_path, "n.ipynb", "'first'", "'second'")
    target = tmp_path / "executed-n.ipynb"
    with pytest.raises(
        NotebookFailed, match=r"cell 1 \(In \[1\]: 'first'\) ran, but its output had not all"
    ):
        kernel.execute(source, target, {}, cell_timeout=2, kernel_timeout=60)
    assert nbformat.read(target, as_version=4).cells[1].outputs == []  # it stopped there


def test_an_ended_kernel_is_gone_and_its_shutdown_only_tidies_up(tmp_path: Path) -> None:
    ensure_kernel()
    kernel = Kernel(tmp_path)
    run(kernel, notebook(tmp_path, "a.ipynb", "1 + 1"))
    pid = kernel.manager.provisioner.pid
    sockets = kernel._sockets
    kernel.end()
    assert ended([pid])
    kernel.shutdown()
    assert not kernel.alive() and not sockets.exists()


def test_a_deep_temporary_folder_still_starts_a_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A socket's path holds at most 107 bytes: under a deep TMPDIR the kernel's sockets go
    under /tmp instead, rather than every kernel failing with "File name too long"."""
    import tempfile

    deep = tmp_path / ("deep-folder-" * 6) / ("deeper-" * 4)
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    ensure_kernel()
    started = Kernel(tmp_path)
    try:
        assert run(started, notebook(tmp_path, "n.ipynb", "x = 6 * 7\nprint(x)")).cells
        assert str(started._sockets).startswith("/tmp/highneeds-kernel-")
    finally:
        started.shutdown()
    assert not started._sockets.exists()
    assert not list(deep.iterdir())  # nothing left behind in the deep folder either


def test_a_highneeds_kernel_running_another_python_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notebooks must never run on another environment's Python."""
    import json

    from jupyter_client.kernelspec import KernelSpecManager

    from highneeds.runner.execute import kernels

    spec = tmp_path / "kernels" / "highneeds"
    spec.mkdir(parents=True)
    argv = ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "x"}))
    specs = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")])
    monkeypatch.setattr(kernels, "kernel_specs", lambda: specs)
    with pytest.raises(HighNeedsError, match="runs /usr/bin/python3, not this environment's"):
        ensure_kernel()


def test_a_kernel_is_bounded_in_memory_and_a_cell_over_it_fails_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from highneeds.runner.ops.resources import MEMORY_VARIABLE

    monkeypatch.setenv(MEMORY_VARIABLE, "1536")  # above what the kernel reserves at start
    ensure_kernel()
    kernel = Kernel(tmp_path)
    try:
        source = notebook(tmp_path, "n.ipynb", "block = bytearray(2 * 1024 ** 3)")
        with pytest.raises(NotebookFailed, match=f"MemoryError.*\n.*{MEMORY_VARIABLE}"):
            kernel.execute(source, tmp_path / "out.ipynb", {}, cell_timeout=60, kernel_timeout=60)
    finally:
        kernel.shutdown()
