"""notify-failure (systemd OnFailure=) tells the channels when the run could not, and does
not repeat a failure the run already notified."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import HTTPServer
from pathlib import Path

import pytest

from highneeds.runner.commands.unit_failure import notify_unit_failure
from tests.runner.commands.test_unattended import _Webhook


@pytest.fixture
def webhook() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Webhook.received.clear()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook"
    finally:
        server.shutdown()


def test_a_unit_stopped_by_its_timeout_is_notified_with_the_cycles_status(
    project_root: Path, webhook: str
) -> None:
    env = {
        "HIGHNEEDS_WEBHOOK_URL": webhook,
        "MONITOR_SERVICE_RESULT": "timeout",
        "MONITOR_EXIT_CODE": "killed",
        "MONITOR_EXIT_STATUS": "TERM",
    }
    (said,) = notify_unit_failure(project_root, "highneeds.service", env)
    assert said == "highneeds.service failed (timeout); told 1 of 1 channel(s)"
    (posted,) = _Webhook.received
    assert posted["title"].startswith("highneeds scheduled run ") and "(exit 1)" in posted["title"]
    assert "The systemd unit highneeds.service failed (timeout; killed TERM)" in posted["message"]
    assert "journalctl -u highneeds.service" in posted["message"]


def test_a_failure_the_pipeline_exited_with_is_not_sent_twice(
    project_root: Path, webhook: str
) -> None:
    env = {
        "HIGHNEEDS_WEBHOOK_URL": webhook,
        "MONITOR_SERVICE_RESULT": "exit-code",
        "MONITOR_EXIT_CODE": "exited",
        "MONITOR_EXIT_STATUS": "3",
    }
    assert notify_unit_failure(project_root, "highneeds.service", env) == [
        "highneeds.service ended with the pipeline's exit code 3: the run notified it itself"
    ]
    assert _Webhook.received == []
