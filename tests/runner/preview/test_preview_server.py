"""The preview's web side: the page with its bar, the state, the event stream, the port."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

import pytest
from starlette.testclient import TestClient

from highneeds.common.errors import UsageError
from highneeds.runner.preview.preview_engine import Problem, Snapshot
from highneeds.runner.preview.preview_server import bind, preview_app, preview_page, saved_names

PAPER = (
    '<!DOCTYPE html>\n<html lang="en-GB">\n<head><title>t</title></head>\n<body>\n'
    "<main><p>The paper.</p></main>\n</body>\n</html>"
)
HOSTILE = Problem(
    "narrative.md line 4: unknown label '<script>alert(1)</script>'",
    ("figures.csv, row 2, column 'value': found '<img src=x onerror=alert(1)>'",),
)


@dataclass
class FakeEngine:
    """What the web side reads of an engine: its cycle and its latest snapshot."""

    cycle: str = "2022-01"
    snapshot: Snapshot = field(default_factory=lambda: Snapshot(3, PAPER, None, 0.25))


def test_the_page_is_the_paper_with_the_reload_script_after_body() -> None:
    page = preview_page(Snapshot(3, PAPER, None, 0.25), "2022-01")
    head, body = page.split("<body>", 1)
    assert head == PAPER.split("<body>", 1)[0]
    assert '<script src="/_preview/reload.js" data-version="3"' in body
    assert 'role="alert"' not in body and "<p>The paper.</p>" in body


def test_a_problem_is_a_banner_over_the_last_good_paper_with_every_text_escaped() -> None:
    page = preview_page(Snapshot(4, PAPER, HOSTILE, 0.1), "2022-01")
    assert 'role="alert"' in page and "<p>The paper.</p>" in page
    assert "below is the last paper that built" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_before_any_paper_has_built_the_page_says_so_with_the_problem() -> None:
    page = preview_page(Snapshot(1, None, HOSTILE, 0.1), "2022-01")
    assert "No paper could be built" in page and "no paper has built yet" in page
    assert page.count('role="alert"') == 1 and "<script>alert" not in page


def test_the_routes_serve_the_page_state_script_and_events() -> None:
    engine = FakeEngine()
    stop = {"now": False}
    with TestClient(
        preview_app(engine, lambda: stop["now"], watch=False), base_url="http://127.0.0.1:8000"
    ) as client:
        page = client.get("/")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        assert "<p>The paper.</p>" in page.text
        engine.snapshot = Snapshot(4, PAPER, HOSTILE, 0.1)
        state = client.get("/_preview/state").json()
        assert state == {
            "cycle": "2022-01",
            "version": 4,
            "has_paper": True,
            "seconds": 0.1,
            "problem": {"message": HOSTILE.message, "details": list(HOSTILE.details)},
        }
        script = client.get("/_preview/reload.js")
        assert script.headers["content-type"].startswith("text/javascript")
        assert "new EventSource" in script.text and "location.reload" in script.text
        with client.stream("GET", "/_preview/events") as events:
            assert events.headers["content-type"].startswith("text/event-stream")
            lines = events.iter_lines()
            assert next(lines) == "event: version"
            assert next(lines) == "data: 4"
            stop["now"] = True  # the server is stopping: the stream ends by itself


def test_saved_names_leave_out_an_editors_temporary_files(tmp_path) -> None:
    from watchfiles import Change

    narrative = tmp_path / "narrative.md"
    narrative.write_text("x", encoding="utf-8")
    changes = {
        (Change.added, str(tmp_path / "sedAb12")),
        (Change.deleted, str(tmp_path / "sedAb12")),
        (Change.modified, str(narrative)),
        (Change.deleted, str(tmp_path / "old.csv")),
    }
    assert saved_names(changes) == ["narrative.md", "old.csv"]


def test_a_port_in_use_is_a_usage_error_that_says_what_to_do() -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        with pytest.raises(UsageError, match="--port 0 for any free one") as raised:
            bind("127.0.0.1", taken.getsockname()[1])
        assert raised.value.exit_code == 2
    finally:
        taken.close()


def test_port_zero_takes_a_free_port_on_loopback() -> None:
    listener = bind("127.0.0.1", 0)
    try:
        host, port = listener.getsockname()[:2]
        assert host == "127.0.0.1" and port > 0
    finally:
        listener.close()


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:8000", 200),
        ("localhost:8000", 200),
        ("[::1]:8000", 200),
        ("evil.example:8000", 400),
        ("127.0.0.1.evil.example", 400),
    ],
)
def test_only_loopback_hosts_are_answered(host: str, status: int) -> None:
    """DNS rebinding: a page whose own name resolves to 127.0.0.1 must not read the draft."""
    app = preview_app(FakeEngine(), lambda: True, watch=False)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        assert client.get("/_preview/state", headers={"host": host}).status_code == status


def test_claims_to_check_are_shown_above_the_paper_escaped() -> None:
    warning = "narrative.md, para 2.5: states c£500k a year <img src=x onerror=alert(1)>"
    page = preview_page(Snapshot(5, PAPER, None, 0.1, (warning,)), "2022-01")
    assert "<img src=x" not in page
    assert "states c£500k a year &lt;img src=x onerror=alert(1)&gt;" in page
    assert 'class="preview-warnings" role="status"' in page
