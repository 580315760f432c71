"""Secrets given to the job never reach its logs, messages, manifests or child processes."""

from __future__ import annotations

import logging

from highneeds.runner.ops.secrets import (
    REDACTED,
    install_redaction,
    redact,
    redact_url,
    secret_values,
    without_secrets,
)

ENV = {
    "HIGHNEEDS_SMTP_PASSWORD": "hunter2-hunter2",
    "HIGHNEEDS_SMTP_USER": "highneeds",
    "HIGHNEEDS_NOTIFY_URLS": (
        "msteams://TeamTokenA1/TeamTokenB2/TeamTokenC3 "
        "jsons://user:pa55word@hooks.example.org/hook?token=abcdef123456&format=json"
    ),
    "HIGHNEEDS_WEBHOOK_URL": "https://hooks.example.org/services/T000AAAA/B000BBBB/XXXXXXXXXXXX",
    "PATH": "/usr/bin",
}


def test_urls_are_shown_as_scheme_and_host() -> None:
    assert redact_url("https://hooks.example.org/services/T0/B0/x?token=1") == (
        "https://hooks.example.org"
    )
    assert redact_url("mailtos://user:pw@smtp.example.gov.uk:587?to=a@b.org") == (
        "mailtos://smtp.example.gov.uk"
    )
    assert redact_url("slack://TokenAAAA/TokenBBBB/TokenCCCC") == "slack://..."
    assert redact_url("not a url") == REDACTED


def test_every_secret_value_and_its_parts_are_redacted() -> None:
    text = (
        "password hunter2-hunter2; teams TeamTokenB2; json pa55word token abcdef123456; "
        "slack XXXXXXXXXXXX; whole https://hooks.example.org/services/T000AAAA/B000BBBB/XXXXXXXXXXXX"
    )
    cleaned = redact(text, ENV)
    for secret in ("hunter2", "TeamTokenB2", "pa55word", "abcdef123456", "XXXXXXXXXXXX"):
        assert secret not in cleaned
    assert "hooks.example.org/services" not in cleaned
    # What is not a secret stays readable: the SMTP user name, words like 'format', 'json'.
    assert redact("run by highneeds in json format", ENV) == "run by highneeds in json format"
    assert secret_values({"PATH": "/usr/bin"}) == []


def test_log_records_are_redacted(caplog, monkeypatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    logger = logging.getLogger("highneeds.test-secrets")
    install_redaction(logger)
    install_redaction(logger)  # installing again replaces, never doubles
    assert len(logger.filters) == 1
    logger.addHandler(caplog.handler)
    try:
        logger.warning("could not log in with %s", "hunter2-hunter2")
    finally:
        logger.removeHandler(caplog.handler)
    assert "hunter2" not in caplog.text and REDACTED in caplog.text


def test_child_processes_get_no_secret_variables() -> None:
    assert without_secrets(ENV) == {"HIGHNEEDS_SMTP_USER": "highneeds", "PATH": "/usr/bin"}


def test_an_ordinary_word_in_a_urls_path_is_no_secret() -> None:
    """The tool's own name in a webhook's path (the documented install folder is named after
    it): titles and paths keep the word; the URL itself and its tokens are still redacted."""
    env = {
        "HIGHNEEDS_WEBHOOK_URL": "http://127.0.0.1:8000/hooks/highneeds",
        "HIGHNEEDS_NOTIFY_URLS": "json://alerts.example.org/council-alerts/Kx9Qr2TzLm8Wp4Vb",
    }
    text = (
        "[highneeds] run 2022-01 failed; log /srv/highneeds/reports/2022-01/run.log; "
        "council-alerts; token Kx9Qr2TzLm8Wp4Vb; url http://127.0.0.1:8000/hooks/highneeds"
    )
    assert redact(text, env) == (
        "[highneeds] run 2022-01 failed; log /srv/highneeds/reports/2022-01/run.log; "
        "council-alerts; token [redacted]; url [redacted]"
    )
