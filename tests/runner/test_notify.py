from __future__ import annotations

import socket

from highneeds.runner.logs import LOGGER
from highneeds.runner.notify import NotifySettings, Outcome, notify

OUTCOME = Outcome("run", "2022-01", 4, "failed", "02_deficit_model", "boom", "/x/run.log", None)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_settings_come_from_the_environment() -> None:
    settings = NotifySettings.from_environment(
        {
            "HIGHNEEDS_NOTIFY_EMAIL": "a@example.org, b@example.org",
            "HIGHNEEDS_SMTP_HOST": "smtp.example.org",
            "HIGHNEEDS_SMTP_PORT": "25",
            "HIGHNEEDS_SMTP_STARTTLS": "false",
            "HIGHNEEDS_SMTP_USER": "u",
            "HIGHNEEDS_SMTP_PASSWORD": "p",
            "HIGHNEEDS_NOTIFY_ON": "always",
        }
    )
    assert settings.email_to == ("a@example.org", "b@example.org")
    assert (settings.smtp_port, settings.starttls, settings.on_success) == (25, False, True)
    assert settings.any
    assert not NotifySettings.from_environment({}).any


def test_success_is_not_notified_unless_asked() -> None:
    settings = NotifySettings(webhook_url=f"http://127.0.0.1:{_closed_port()}/")
    success = Outcome("run", "2022-01", 0, "succeeded", None, "", None, None)
    assert notify(success, settings) == []


def test_undeliverable_notifications_are_logged_not_raised(caplog) -> None:
    port = _closed_port()
    settings = NotifySettings(
        email_to=("a@example.org",),
        smtp_host="127.0.0.1",
        smtp_port=port,
        starttls=False,
        webhook_url=f"http://127.0.0.1:{port}/hook",
        timeout=2,
    )
    LOGGER.addHandler(caplog.handler)
    try:
        assert notify(OUTCOME, settings) == ["email", "webhook"]
    finally:
        LOGGER.removeHandler(caplog.handler)
    assert "could not be delivered" in caplog.text


def test_subject_names_cycle_status_and_exit_code() -> None:
    assert OUTCOME.subject == "highneeds run 2022-01: failed (exit 4)"
