"""Notifications through Apprise: settings from the environment, the SMTP and webhook
shorthands, delivery failures logged by scheme and host, never raised."""

from __future__ import annotations

import socket
from urllib.parse import parse_qs, urlsplit

from highneeds.runner.ops.logs import LOGGER
from highneeds.runner.ops.notify import NotifySettings, Outcome, notify, split_urls

OUTCOME = Outcome("run", "2022-01", 4, "failed", "02_deficit_model", "boom", "/x/run.log", None)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_smtp_variables_are_a_shorthand_for_an_apprise_email_url() -> None:
    settings = NotifySettings.from_environment(
        {
            "HIGHNEEDS_NOTIFY_EMAIL": "a@example.org, b@example.org",
            "HIGHNEEDS_NOTIFY_FROM": "highneeds@example.org",
            "HIGHNEEDS_SMTP_HOST": "smtp.example.org",
            "HIGHNEEDS_SMTP_PORT": "25",
            "HIGHNEEDS_SMTP_STARTTLS": "true",
            "HIGHNEEDS_SMTP_USER": "svc highneeds",
            "HIGHNEEDS_SMTP_PASSWORD": "p@ss:w/rd?&",
            "HIGHNEEDS_NOTIFY_ON": "always",
        }
    )
    (url,) = settings.urls
    parts = urlsplit(url)
    assert (parts.scheme, parts.hostname, parts.port) == ("mailtos", "smtp.example.org", 25)
    assert (parts.username, parts.password) == ("svc%20highneeds", "p%40ss%3Aw%2Frd%3F%26")
    query = parse_qs(parts.query)
    assert query["to"] == ["a@example.org,b@example.org"]
    assert query["mode"] == ["starttls"] and query["from"] == ["highneeds@example.org"]
    assert settings.on_success and settings.any
    assert not NotifySettings.from_environment({}).any


def test_apprise_urls_and_the_webhook_shorthand_are_read_in_order() -> None:
    settings = NotifySettings.from_environment(
        {
            "HIGHNEEDS_NOTIFY_URLS": "msteams://a/b/c\n slack://x/y/z,json://h.example.org/p",
            "HIGHNEEDS_WEBHOOK_URL": "https://hooks.example.org/services/T0/B0",
        }
    )
    assert settings.urls == (
        "msteams://a/b/c",
        "slack://x/y/z",
        "json://h.example.org/p",
        "jsons://hooks.example.org/services/T0/B0",
    )
    assert split_urls("mailto://h.example.org?to=a@x.org,b@x.org") == (
        "mailto://h.example.org?to=a@x.org,b@x.org",
    )


def test_settings_never_show_their_urls() -> None:
    settings = NotifySettings(("slack://TokenAAAA/TokenBBBB/TokenCCCC",))
    assert repr(settings) == "NotifySettings(urls=[slack://...], on_success=False)"


def test_success_is_not_notified_unless_asked() -> None:
    settings = NotifySettings((f"json://127.0.0.1:{_closed_port()}/",))
    success = Outcome("run", "2022-01", 0, "succeeded", None, "", None, None)
    assert notify(success, settings) == []


def test_undeliverable_notifications_are_logged_by_scheme_and_host_not_raised(caplog) -> None:
    port = _closed_port()
    settings = NotifySettings(
        (
            f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&to=a@example.org&mode=insecure&cto=2",
            f"json://127.0.0.1:{port}/hook/SECRET-TOKEN-123",
            "nosuchservice://whatever",
        )
    )
    LOGGER.addHandler(caplog.handler)
    try:
        failed = notify(OUTCOME, settings)
    finally:
        LOGGER.removeHandler(caplog.handler)
    assert failed == ["mailto://127.0.0.1", "json://127.0.0.1", "nosuchservice://..."]
    assert "the notification to json://127.0.0.1 could not be delivered (" in caplog.text
    # With the reason the service's plugin gave (a refused connection here), no secret in it.
    reason = caplog.text.split("the notification to json://127.0.0.1 could not be delivered (")[1]
    assert reason.split(")")[0].strip()
    assert "nosuchservice://...: not a notification URL that Apprise knows" in caplog.text
    assert "SECRET-TOKEN" not in caplog.text


def test_subject_names_cycle_status_and_exit_code() -> None:
    assert OUTCOME.subject == "highneeds run 2022-01: failed (exit 4)"
    assert "Failing step: 02_deficit_model" in OUTCOME.body


def test_a_run_that_warned_is_told_of_unless_only_failures_are_asked(monkeypatch) -> None:
    import highneeds.runner.ops.notify as notify_module

    sent: list[str] = []
    monkeypatch.setattr(notify_module, "_deliver", lambda url, *a: sent.append(url))
    warned = Outcome("run", "2022-01", 0, "succeeded", None, "", None, None, True)
    quiet = Outcome("run", "2022-01", 0, "succeeded", None, "", None, None, False)
    url = "jsons://hooks.example.org/x"
    for setting, told in (
        ({}, [True, False]),
        ({"HIGHNEEDS_NOTIFY_ON": "warning"}, [True, False]),
        ({"HIGHNEEDS_NOTIFY_ON": "failure"}, [False, False]),
        ({"HIGHNEEDS_NOTIFY_ON": "always"}, [True, True]),
    ):
        settings = NotifySettings.from_environment({"HIGHNEEDS_NOTIFY_URLS": url, **setting})
        results = []
        for outcome in (warned, quiet):
            sent.clear()
            notify(outcome, settings)
            results.append(bool(sent))
        assert results == told, setting
