"""``python pipeline.py preview``: the cycle's paper served to a browser, rebuilt on each save.

Starlette serves the paper at ``/`` with a small script that listens to ``/_preview/events``
(server-sent events) and reloads the page when a newer build is ready; watchfiles follows the
cycle's inputs, the expectation suites and the paper's templates; uvicorn runs it, bound to
127.0.0.1 unless told otherwise. Ctrl-C or SIGTERM stops it cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import tempfile
import threading
import webbrowser
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

from highneeds.common.errors import UsageError
from highneeds.common.templating import Markup, render_template
from highneeds.runner.ops.logs import LOGGER
from highneeds.runner.ops.resources import limit_memory, memory_limit, memory_unbounded
from highneeds.runner.ops.temporary import temporary_prefix
from highneeds.runner.preview.preview_engine import PreviewEngine, Snapshot, Stage

RELOAD_SCRIPT = Path(__file__).parents[1] / "templates" / "preview-reload.js"
#: How often an idle event stream says it is still there, and checks whether to stop.
KEEPALIVE_SECONDS = 15.0
POLL_SECONDS = 0.5
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def preview_page(snapshot: Snapshot, cycle: str) -> str:
    """The page the browser is given: the last good paper with the preview's bar after
    ``<body>`` (the problem, if the latest build failed, and the reload script)."""
    bar = render_template(
        "highneeds.runner",
        "preview-banner.html.j2",
        problem=snapshot.problem,
        warnings=snapshot.warnings,
        version=snapshot.version,
        has_paper=snapshot.html is not None,
    )
    if snapshot.html is None:
        return render_template(
            "highneeds.runner", "preview-waiting.html.j2", cycle=cycle, bar=Markup(bar)
        )
    return snapshot.html.replace("<body>", "<body>\n" + bar, 1)


class Builds:
    """Tells every open event stream that a new build is ready."""

    def __init__(self) -> None:
        self._next = asyncio.Event()

    def announce(self) -> None:
        done, self._next = self._next, asyncio.Event()
        done.set()

    async def wait(self, seconds: float) -> None:
        """Return when the next build is announced, or after ``seconds``."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._next.wait(), seconds)


def report_build(snapshot: Snapshot, changed: list[str]) -> None:
    """Say on the console what a build did."""
    what = f"{', '.join(changed)} changed: " if changed else ""
    if snapshot.problem is None:
        LOGGER.info(f"preview: {what}paper updated in {snapshot.seconds:.2f} s")
        for warning in snapshot.warnings:
            LOGGER.warning(f"preview: warning: {warning}")
    else:
        LOGGER.error(f"preview: {what}not updated:\n{snapshot.problem}")


async def follow_changes(engine: PreviewEngine, builds: Builds, stop: asyncio.Event) -> None:
    """Rebuild after each save under the watched folders, until ``stop`` is set."""
    import watchfiles

    async for changes in watchfiles.awatch(*engine.watched(), stop_event=stop, step=50):
        paths = sorted({Path(path) for _, path in changes})
        snapshot = await asyncio.to_thread(engine.refresh, engine.stage_for(paths))
        builds.announce()
        report_build(snapshot, saved_names(changes))


def saved_names(changes: set[tuple[Any, str]]) -> list[str]:
    """The files an author saved, by name: not an editor's temporary file, made and removed
    within the same batch of changes."""
    from watchfiles import Change

    kinds: dict[Path, set[Any]] = {}
    for kind, path in changes:
        kinds.setdefault(Path(path), set()).add(kind)
    return sorted(
        {
            path.name
            for path, seen in kinds.items()
            if path.exists() or not {Change.added, Change.deleted} <= seen
        }
    )


#: The Host headers the preview answers (with any port): a page on another site that points
#: its own name at 127.0.0.1 (DNS rebinding) gets 400, never the unpublished draft.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def preview_app(
    engine: PreviewEngine,
    should_stop: Callable[[], bool],
    watch: bool = True,
    host: str = "127.0.0.1",
) -> Any:
    """The preview's web application (Starlette). With ``watch``, saves are followed while it
    runs; without, the tests drive ``engine`` themselves. It answers only requests whose Host
    is a loopback name, or ``host`` where the author chose another to listen on."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
    from starlette.routing import Route

    builds = Builds()
    no_store = {"Cache-Control": "no-store"}

    async def page(request: Request) -> Response:
        return HTMLResponse(preview_page(engine.snapshot, engine.cycle), headers=no_store)

    async def reload_script(request: Request) -> Response:
        script = RELOAD_SCRIPT.read_text(encoding="utf-8")
        return Response(script, media_type="text/javascript", headers=no_store)

    async def state(request: Request) -> Response:
        snapshot = engine.snapshot
        problem = snapshot.problem
        return JSONResponse(
            {
                "cycle": engine.cycle,
                "version": snapshot.version,
                "has_paper": snapshot.html is not None,
                "seconds": round(snapshot.seconds, 3),
                "problem": None
                if problem is None
                else {"message": problem.message, "details": list(problem.details)},
            },
            headers=no_store,
        )

    async def events(request: Request) -> Response:
        async def stream() -> AsyncIterator[str]:
            sent, quiet = -1, 0.0
            while not should_stop():
                version = engine.snapshot.version
                if version != sent:
                    sent, quiet = version, 0.0
                    yield f"event: version\ndata: {version}\n\n"
                elif quiet >= KEEPALIVE_SECONDS:
                    quiet = 0.0
                    yield ": still here\n\n"
                await builds.wait(POLL_SECONDS)
                quiet += POLL_SECONDS

        return StreamingResponse(stream(), media_type="text/event-stream", headers=no_store)

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        stop = asyncio.Event()
        follower = asyncio.create_task(follow_changes(engine, builds, stop)) if watch else None
        try:
            yield
        finally:
            stop.set()
            if follower is not None:
                await follower

    routes = [
        Route("/", page),
        Route("/_preview/reload.js", reload_script),
        Route("/_preview/state", state),
        Route("/_preview/events", events),
    ]
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    allowed = list(dict.fromkeys([*LOOPBACK_HOSTS, shown.lower()]))
    trusted = Middleware(TrustedHostMiddleware, allowed_hosts=allowed, www_redirect=False)
    return Starlette(routes=routes, lifespan=lifespan, middleware=[trusted])


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: any free port), or a usage error."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(64)
    except OSError as error:
        raise UsageError(
            f"the preview cannot listen on {host}:{port} ({error.strerror or error}); "
            "choose another port with --port, or --port 0 for any free one"
        ) from error
    return listener


def serve_preview(
    root: Path,
    cycle: str,
    overrides: dict[str, Any],
    host: str,
    port: int,
    open_browser: bool,
    council: str | None = None,
) -> str:
    """Serve the cycle's preview until Ctrl-C or SIGTERM; return the address it served."""
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, stopped by SIGINT or SIGTERM without raising the signal again
        when it has stopped (uvicorn does, which would end the preview as if killed)."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            signals = (signal.SIGINT, signal.SIGTERM)
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in signals}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    # The builds run in this process: each is bounded in memory (and in time, by the engine).
    limit_memory(memory_limit())
    with tempfile.TemporaryDirectory(prefix=temporary_prefix("preview")) as workdir:
        engine = PreviewEngine(root, cycle, overrides, Path(workdir), council)
        listener = bind(host, port)
        if host not in LOOPBACK:
            LOGGER.warning(
                f"preview: listening on {host}: anyone who can reach this machine can read "
                "the draft paper"
            )
        LOGGER.info(f"preview: building the paper of cycle {cycle} ...")
        report_build(engine.refresh(Stage.GATE), [])
        shown_host = f"[{host}]" if ":" in host else host
        url = f"http://{shown_host}:{listener.getsockname()[1]}/"
        server: Server
        app = preview_app(engine, lambda: server.should_exit, host=host)
        config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2)
        server = Server(config)
        print(f"Preview of cycle {cycle}: {url} (Ctrl-C to stop)", flush=True)
        if open_browser:
            with memory_unbounded():  # the browser is not the preview's to bound
                webbrowser.open(url)
        server.run(sockets=[listener])
    return url
