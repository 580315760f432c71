"""Tell someone what an unattended run did: email over SMTP and/or a JSON webhook.

Settings come from the environment, so that credentials never live in the repository:

- ``HIGHNEEDS_NOTIFY_EMAIL``: recipient(s), comma-separated; ``HIGHNEEDS_NOTIFY_FROM``;
- ``HIGHNEEDS_SMTP_HOST``, ``HIGHNEEDS_SMTP_PORT`` (default 587), ``HIGHNEEDS_SMTP_STARTTLS``
  (``true``/``false``, default true), ``HIGHNEEDS_SMTP_USER``, ``HIGHNEEDS_SMTP_PASSWORD``;
- ``HIGHNEEDS_WEBHOOK_URL``: where to POST a JSON message;
- ``HIGHNEEDS_NOTIFY_ON``: ``failure`` (default) or ``always``.

A notification that cannot be delivered is logged and never changes the run's exit code.
"""

from __future__ import annotations

import json
import os
import smtplib
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from email.message import EmailMessage

from highneeds.runner.logs import LOGGER


@dataclass(frozen=True)
class Outcome:
    """What a run did, as a notification tells it."""

    command: str
    cycle: str | None
    exit_code: int
    status: str
    failed_step: str | None
    message: str
    log: str | None
    paper: str | None

    @property
    def subject(self) -> str:
        cycle = self.cycle or "unknown cycle"
        return f"highneeds {self.command} {cycle}: {self.status} (exit {self.exit_code})"


@dataclass(frozen=True)
class NotifySettings:
    """Where notifications go, read from the environment."""

    email_to: tuple[str, ...] = ()
    email_from: str = "highneeds@localhost"
    smtp_host: str | None = None
    smtp_port: int = 587
    starttls: bool = True
    user: str | None = None
    password: str | None = None
    webhook_url: str | None = None
    on_success: bool = False
    timeout: float = 20.0

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> NotifySettings:
        env = os.environ if env is None else env
        recipients = tuple(
            a.strip() for a in env.get("HIGHNEEDS_NOTIFY_EMAIL", "").split(",") if a.strip()
        )
        return cls(
            email_to=recipients,
            email_from=env.get("HIGHNEEDS_NOTIFY_FROM", "highneeds@localhost"),
            smtp_host=env.get("HIGHNEEDS_SMTP_HOST") or None,
            smtp_port=int(env.get("HIGHNEEDS_SMTP_PORT", "587")),
            starttls=env.get("HIGHNEEDS_SMTP_STARTTLS", "true").lower() not in ("0", "false", "no"),
            user=env.get("HIGHNEEDS_SMTP_USER") or None,
            password=env.get("HIGHNEEDS_SMTP_PASSWORD") or None,
            webhook_url=env.get("HIGHNEEDS_WEBHOOK_URL") or None,
            on_success=env.get("HIGHNEEDS_NOTIFY_ON", "failure").lower() == "always",
        )

    @property
    def any(self) -> bool:
        return bool((self.email_to and self.smtp_host) or self.webhook_url)


def _body(outcome: Outcome) -> str:
    lines = [
        f"Command: {outcome.command}",
        f"Cycle: {outcome.cycle or 'unknown'}",
        f"Result: {outcome.status} (exit code {outcome.exit_code})",
    ]
    if outcome.failed_step:
        lines.append(f"Failing step: {outcome.failed_step}")
    if outcome.log:
        lines.append(f"Log: {outcome.log}")
    if outcome.paper:
        lines.append(f"Paper: {outcome.paper}")
    return "\n".join(lines) + "\n\n" + outcome.message + "\n"


def send_email(outcome: Outcome, settings: NotifySettings) -> None:
    message = EmailMessage()
    message["Subject"] = outcome.subject
    message["From"] = settings.email_from
    message["To"] = ", ".join(settings.email_to)
    message.set_content(_body(outcome))
    assert settings.smtp_host
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(message)


def post_webhook(outcome: Outcome, settings: NotifySettings) -> None:
    assert settings.webhook_url
    payload = json.dumps({"subject": outcome.subject, **asdict(outcome)}).encode("utf-8")
    request = urllib.request.Request(
        settings.webhook_url,
        data=payload,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=settings.timeout) as response:
        response.read()


def notify(outcome: Outcome, settings: NotifySettings) -> list[str]:
    """Send what is configured; return the channels that failed (each is logged, not raised)."""
    if outcome.exit_code == 0 and not settings.on_success:
        return []
    failed = []
    channels = []
    if settings.email_to and settings.smtp_host:
        channels.append(("email", send_email))
    if settings.webhook_url:
        channels.append(("webhook", post_webhook))
    for name, send in channels:
        try:
            send(outcome, settings)
            LOGGER.info(f"notification sent by {name}")
        except Exception as exc:  # delivery must never change the run's result
            failed.append(name)
            LOGGER.warning(
                f"warning: the {name} notification could not be delivered: "
                f"{type(exc).__name__}: {exc}"
            )
    return failed
