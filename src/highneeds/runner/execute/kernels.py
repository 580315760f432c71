"""Execute a run's notebooks with papermill on kernels started ahead of need and shared.

Starting a kernel and importing the notebooks' libraries costs more than most notebooks do, so a
run starts a kernel as soon as it knows it needs one (the kernel boots while the pipeline does
other work) and runs a chain of notebooks on the same kernel. Before each notebook after the
first, the kernel's namespace is emptied and its execution counter set back to 1, so that every
executed notebook reads exactly as it would on a kernel of its own and re-runs on its own with
plain papermill. Only imported modules carry over, which is the point.
"""

from __future__ import annotations

import functools
import os
import queue
import shutil
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import IO, Any

from highneeds.common.errors import HighNeedsError, InputDataError, NarrativeError, NotebookFailed
from highneeds.runner.archive.storage_errors import os_error_from_kernel
from highneeds.runner.execute.failing_cells import CELL_TRACKER, failing_cell, first_lines
from highneeds.runner.ops.resources import MEMORY_ADVICE, limit_memory, memory_limit
from highneeds.runner.ops.secrets import without_secrets
from highneeds.runner.ops.signals import signals_held, stop_if_interrupted
from highneeds.runner.ops.temporary import temporary_folder

KERNEL_NAME = "highneeds"
#: Papermill engine name of :class:`SharedKernelEngine`.
ENGINE_NAME = "highneeds-shared-kernel"
#: Run silently before a notebook on a kernel that has run another one: an empty namespace
#: and ``In [1]`` again, as on a new kernel.
FRESH_NAMESPACE = "get_ipython().reset(new_session=True)"
#: The kernel keeps no IPython history database: each cell's code is in its executed notebook,
#: and the database (in the account's home, shared by every kernel) would grow with every run,
#: its lock taken by both kernels of a run and an fsync for each cell.
KERNEL_ARGUMENTS = ("--HistoryManager.enabled=False",)


#: nbclient's words for a cell whose output had not all arrived when it stopped waiting.
OUTPUT_WAIT_ERROR = "Timeout waiting for IOPub output"


#: A Unix socket's path holds at most 107 bytes; the kernel's five sockets are named
#: ``kernel-N`` (N up to five digits) in its folder, so the folder's path may take this many.
MAX_SOCKET_FOLDER_BYTES = 92


def remove_socket_folder(folder: Path, patience: float = 2.0) -> None:
    """Remove a kernel's socket folder. A kernel killed a moment ago may still be binding its
    sockets there as it dies (seen under load: the folder outlived a run stopped by SIGTERM),
    so the folder is removed again until it stays gone, for at most ``patience`` seconds."""
    import time

    deadline = time.monotonic() + patience
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists() or time.monotonic() > deadline:
            return
        time.sleep(0.05)


def socket_folder() -> Path:
    """A new private folder for a kernel's socket files: under the temporary folder
    (``TMPDIR``) where its path is short enough for a socket, else under ``/tmp`` (a deep
    ``TMPDIR`` would otherwise stop every kernel with "File name too long")."""
    folder = temporary_folder("kernel")
    if len(os.fsencode(folder)) <= MAX_SOCKET_FOLDER_BYTES:
        return folder
    folder.rmdir()
    return temporary_folder("kernel", "/tmp")


@functools.cache
def kernel_specs() -> Any:
    """jupyter_client's kernel specs, looked for in Jupyter's own folders (this environment's
    among them, where ``make setup`` installs the ``highneeds`` kernel). Its default list also
    has IPython's legacy folder, and imports IPython to find it, in the pipeline's process
    before any kernel could start."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_core.paths import jupyter_path

    return KernelSpecManager(kernel_dirs=jupyter_path("kernels"))


def ensure_kernel() -> None:
    """Make sure the ``highneeds`` kernel runs this environment's Python, installing it if absent.

    The notebooks must never run on whatever ``python3`` kernel happens to be installed.
    """
    from jupyter_client.kernelspec import NoSuchKernel

    manager = kernel_specs()
    try:
        spec = manager.get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        from ipykernel.kernelspec import install

        install(kernel_name=KERNEL_NAME, display_name="Python (highneeds)", prefix=sys.prefix)
        spec = manager.get_kernel_spec(KERNEL_NAME)
    executable = spec.argv[0]
    if executable != "python" and Path(executable).resolve() != Path(sys.executable).resolve():
        raise HighNeedsError(
            f"the '{KERNEL_NAME}' kernel at {spec.resource_dir} runs {executable}, not this "
            f"environment's {sys.executable}; remove it or run 'make setup' again"
        )


_engine_lock = threading.Lock()
_engine_registered = False


def _register_engine() -> None:
    """Register the shared-kernel engine with papermill, once (papermill is imported here,
    not at module import: the CLI must start fast). Two threads may execute notebooks at the
    same moment, so the first registers while the other waits."""
    global _engine_registered
    with _engine_lock:
        if not _engine_registered:
            _define_and_register_engine()
            _engine_registered = True


#: What papermill imports at start-up for notebooks at http(s) addresses, which a run never
#: reads or writes: loaded on first use (:mod:`highneeds.common.deferred_imports`), which spares the
#: pipeline's process that import in a run.
PAPERMILL_DEFERRED = ("requests",)


def _define_and_register_engine() -> None:
    from highneeds.common.deferred_imports import defer_imports

    defer_imports(PAPERMILL_DEFERRED)  # a no-op where papermill (and requests) came before
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class FreshNamespaceClient(PapermillNotebookClient):
        """Papermill's client, emptying a shared kernel's namespace before the first cell."""

        def __init__(self, nb_man: Any, fresh_namespace: bool = False, **kwargs: Any) -> None:
            super().__init__(nb_man, **kwargs)
            self.fresh_namespace = fresh_namespace

        def papermill_execute_cells(self) -> None:
            if self.fresh_namespace:
                # Waits as long as a cell may (the execution timeout), and notices a dead kernel.
                reply = self.wait_for_reply(
                    self.kc.execute(FRESH_NAMESPACE, silent=True, store_history=False)
                )
                if reply is None or reply["content"]["status"] != "ok":
                    raise RuntimeError("the shared kernel's namespace could not be emptied")
            super().papermill_execute_cells()

    class SharedKernelEngine(NBClientEngine):
        """Papermill's nbclient engine on a kernel the caller started and keeps running."""

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: int | None = None,
            **kwargs: Any,
        ) -> Any:
            from papermill.engines import logger
            from papermill.iorw import write_ipynb

            kwargs.pop("input_path", None)
            written_on_failure = kwargs.pop("written_on_failure")
            client = FreshNamespaceClient(
                nb_man,
                km=kwargs.pop("km"),
                fresh_namespace=kwargs.pop("fresh_namespace", False),
                # A cell's printed lines as one output: the kernel sends them in as many pieces
                # as its buffer was flushed, which depends on how busy the machine is.
                coalesce_streams=True,
                timeout=execution_timeout,
                # After a cell's reply nbclient waits 4 s for the rest of its output, and then
                # (papermill's setting) fails the cell, which the run reported as a cell over
                # its time limit, whatever the cell took. A run waits as long as a cell may run,
                # and then says what was late.
                iopub_timeout=execution_timeout,  # Kernel.execute always gives the cell timeout
                raise_on_iopub_timeout=True,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                **kwargs,
            )
            try:
                return client.execute()
            except BaseException:
                # Cells are not saved as they run (each save validates and writes the whole
                # notebook, charts and all). Papermill writes a notebook whose cell raised;
                # one cut short (a timeout, a lost kernel) is written here, as far as it got.
                write_ipynb(nb_man.nb, written_on_failure)
                raise
            finally:
                # The kernel stays up for the next notebook; this notebook's client does not.
                if client.kc is not None:
                    with suppress(Exception):
                        client.kc.stop_channels()

    papermill_engines.register(ENGINE_NAME, SharedKernelEngine)


class Kernel:
    """One ``highneeds`` kernel started now in ``cwd``, reached over a local socket file.

    :meth:`execute` runs notebooks on it one after another; :meth:`shutdown` stops it.
    """

    def __init__(self, cwd: Path) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        from highneeds.runner.execute.kernel_client import CLIENT_CLASS

        self.cwd = cwd
        #: Whether anything has run on the kernel: the next notebook then empties its namespace.
        self.used = False
        self.manager: Any = None
        self._output: IO[bytes] | None = None
        self._sockets: Path | None = None
        try:  # from here on, a signal or a failure leaves nothing behind
            # Talk to the kernel over a local socket file, not unencrypted TCP.
            with signals_held():  # the folder made and known to this kernel, or neither
                self._sockets = socket_folder()
            stop_if_interrupted()  # a signal held meanwhile stops the start now, not later
            self.manager = AsyncKernelManager(
                kernel_name=KERNEL_NAME,
                transport="ipc",
                ip=str(self._sockets / "kernel"),
                client_class=CLIENT_CLASS,  # papermill's clients and ours: ready at once
                kernel_spec_manager=kernel_specs(),
            )
            # What the kernel prints goes to a file beside its sockets, not the run's console.
            self._output = (self._sockets / "kernel.log").open("ab")
            run_sync(self.manager.start_kernel)(
                cwd=str(cwd),
                extra_arguments=list(KERNEL_ARGUMENTS),
                env=without_secrets(os.environ),
                stdout=self._output,
                stderr=self._output,
            )
            # Bounded in memory from its first moments (it is still importing its libraries).
            limit_memory(memory_limit(), self.manager.provisioner.process.pid)
        except BaseException:  # interrupted or failed while starting: leave nothing behind
            self.shutdown()
            raise

    def execute(
        self,
        source: Path,
        target: Path,
        parameters: dict[str, Any],
        *,
        cell_timeout: int,
        kernel_timeout: int,
        progress: bool = False,
        shown_as: Path | None = None,
    ) -> None:
        """Execute the notebook ``source`` into ``target``, turning a failure into the right
        error; ``shown_as`` is where the executed notebook will be kept, for messages."""
        _register_engine()  # first: it imports papermill
        import papermill
        from nbclient.exceptions import CellTimeoutError, DeadKernelError
        from papermill.exceptions import PapermillExecutionError

        kept = shown_as or target
        fresh, self.used = self.used, True
        with CELL_TRACKER.tracking() as started:
            try:
                papermill.execute_notebook(
                    str(source),
                    str(target),
                    parameters=parameters,
                    engine_name=ENGINE_NAME,
                    kernel_name=KERNEL_NAME,
                    progress_bar=progress,
                    log_output=True,  # papermill then reports each cell's start to the tracker
                    execution_timeout=cell_timeout,
                    start_timeout=kernel_timeout,
                    request_save_on_cell_execute=False,  # written once, at its end
                    written_on_failure=str(target),
                    km=self.manager,
                    fresh_namespace=fresh,
                )
            except PapermillExecutionError as exc:
                if exc.ename in ("InputDataError", "ReconciliationError"):
                    raise InputDataError(exc.evalue) from None
                if exc.ename == "NarrativeError":
                    raise NarrativeError(f"{source.stem}: {exc.evalue}") from None
                machine = os_error_from_kernel(exc.ename, exc.evalue)
                if machine is not None:  # the run decides whether the machine is to blame
                    raise machine from None
                cell = failing_cell(target, started.cell)
                advice = f"\n  {MEMORY_ADVICE}" if exc.ename == "MemoryError" else ""
                raise NotebookFailed(
                    f"{source.name} failed in {cell}: {exc.ename}: {exc.evalue}{advice}\n"
                    + first_lines(exc.traceback)
                    + f"\n  the executed notebook is kept at {kept}"
                ) from None
            except Exception as exc:  # a cell timed out, the kernel died or could not start
                name = type(exc).__name__
                if isinstance(exc, CellTimeoutError) and OUTPUT_WAIT_ERROR in str(exc):
                    what = (
                        f"ran, but its output had not all arrived {cell_timeout} s after it "
                        "ended (--cell-timeout)"
                    )
                elif isinstance(exc, CellTimeoutError):
                    what = f"timed out after {cell_timeout} s (--cell-timeout)"
                elif isinstance(exc, DeadKernelError) or not self.alive():
                    what = "lost its kernel (killed, or out of memory)"
                else:
                    what = f"could not run: {name}: {str(exc).splitlines()[0] if str(exc) else ''}"
                raise NotebookFailed(
                    f"{source.name}: {failing_cell(target, started.cell)} {what}\n"
                    f"  the executed notebook is kept at {kept}"
                ) from None

    def run_code(self, code: str, timeout: float) -> None:
        """Run ``code`` on the kernel outside any notebook, silently and in no history, once
        the kernel is ready: work that readies the notebooks to come (only the modules it
        imports stay for them: their namespace is emptied first). Its error is raised as a
        :class:`HighNeedsError`, as is the kernel's end (stopped by the run, or killed) before
        it replied; a timeout as :class:`TimeoutError`."""
        from jupyter_core.utils import run_sync

        content = run_sync(self._run_silently)(code, timeout)
        if content["status"] != "ok":
            raise HighNeedsError(f"{content.get('ename')}: {content.get('evalue')}")

    async def _run_silently(self, code: str, timeout: float) -> dict[str, Any]:
        client = self.manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=timeout)
            self.used = True
            request = client.execute(code, silent=True, store_history=False)
            reply = await self._reply(client, request, time.monotonic() + timeout)
        finally:
            client.stop_channels()
        content: dict[str, Any] = reply["content"]
        return content

    async def _reply(self, client: Any, request: str, deadline: float) -> dict[str, Any]:
        """The kernel's reply to ``request``, waited for while the kernel lives."""
        while time.monotonic() < deadline:
            try:
                reply: dict[str, Any] = await client.get_shell_msg(timeout=0.2)
            except queue.Empty:
                if not await self.manager.is_alive():
                    raise HighNeedsError("the kernel ended before it replied") from None
                continue
            if reply["parent_header"].get("msg_id") == request:
                return reply
        raise TimeoutError("the kernel did not reply in time")

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        try:
            return bool(run_sync(self.manager.is_alive)())
        except Exception:
            return False

    def end(self) -> None:
        """Kill the kernel's process now, without waiting for it to go: its notebooks are done.
        :meth:`shutdown` then finds it gone and only tidies up (it would otherwise wait, polling,
        for the process to end, at the end of every run)."""
        from jupyter_core.utils import run_sync

        with suppress(Exception):  # a kernel already gone
            if self.manager.provisioner is not None:
                run_sync(self.manager.provisioner.kill)()

    def shutdown(self) -> None:
        """Stop the kernel at once (it holds nothing to save) and remove its socket files."""
        from jupyter_core.utils import run_sync

        if self.manager is not None:
            with suppress(Exception):
                run_sync(self.manager.shutdown_kernel)(now=True)
            self.end()  # a kernel whose start was cut short is not yet the manager's to stop
            # Gone before its folder goes: a dying kernel may still bind its sockets there.
            process = getattr(getattr(self.manager, "provisioner", None), "process", None)
            if process is not None:
                with suppress(Exception):
                    process.wait(timeout=2)
        if self._output is not None:
            self._output.close()
        if self._sockets is not None:
            remove_socket_folder(self._sockets)


class Kernels:
    """The kernels of one run: started on demand, each shut down when the run's steps end."""

    def __init__(self) -> None:
        self._started: list[Kernel] = []
        self._lock = threading.Lock()
        self._checked = False
        self._closed = False

    def start(self, cwd: Path) -> Kernel:
        with self._lock:
            # A step working ahead may ask after the run has stopped: nothing would stop
            # that kernel or remove its folder.
            if self._closed:
                raise RuntimeError("the run has stopped: no kernel is started for it")
            if not self._checked:
                ensure_kernel()
                self._checked = True
            kernel = Kernel(cwd)
            self._started.append(kernel)
            return kernel

    def for_folder(self, cwd: Path) -> Callable[[], Kernel]:
        """A kernel for the notebooks run in ``cwd``: started at the first call, then shared."""
        started: list[Kernel] = []

        def kernel() -> Kernel:
            if not started:
                started.append(self.start(cwd))
            return started[0]

        return kernel

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for kernel in self._started:
                kernel.shutdown()
            self._started.clear()
