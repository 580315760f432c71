"""Tell someone what an unattended run did, through Apprise: Microsoft Teams, Slack, email,
a JSON webhook or any of Apprise's other services, with one setting.

Settings come from the job's environment, so that credentials never live in the repository:

- ``HIGHNEEDS_NOTIFY_URLS``: one or more Apprise URLs, separated by spaces or new lines
  (e.g. ``msteams://...``, ``slack://...``, ``mailtos://...``, ``json://...``);
- shorthand for email: ``HIGHNEEDS_NOTIFY_EMAIL`` (recipients, comma-separated),
  ``HIGHNEEDS_NOTIFY_FROM``, ``HIGHNEEDS_SMTP_HOST``, ``HIGHNEEDS_SMTP_PORT`` (default 587),
  ``HIGHNEEDS_SMTP_STARTTLS`` (``true``/``false``, default true), ``HIGHNEEDS_SMTP_USER``,
  ``HIGHNEEDS_SMTP_PASSWORD``;
- shorthand for a JSON webhook: ``HIGHNEEDS_WEBHOOK_URL`` (``http(s)://...``; Apprise posts
  ``{"version", "title", "message", "type", "attachments"}``);
- ``HIGHNEEDS_NOTIFY_ON``: ``failure`` (default) or ``always``.

A notification that cannot be delivered is logged (as its scheme and host, never the whole
URL) and never changes the run's exit code. Each message is redacted of every secret.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from highneeds.runner.logs import LOGGER
from highneeds.runner.secrets import redact, redact_url


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

    @property
    def body(self) -> str:
        lines = [
            f"Command: {self.command}",
            f"Cycle: {self.cycle or 'unknown'}",
            f"Result: {self.status} (exit code {self.exit_code})",
        ]
        if self.failed_step:
            lines.append(f"Failing step: {self.failed_step}")
        if self.log:
            lines.append(f"Log: {self.log}")
        if self.paper:
            lines.append(f"Paper: {self.paper}")
        return "\n".join(lines) + "\n\n" + self.message + "\n"


def split_urls(text: str) -> tuple[str, ...]:
    """Apprise URLs separated by spaces, new lines, or commas before a new ``scheme://``."""
    return tuple(u for u in re.split(r"\s+|,\s*(?=[a-z][a-z0-9+.-]*://)", text.strip()) if u)


def email_url(env: Mapping[str, str]) -> str | None:
    """The Apprise URL that the SMTP shorthand variables describe, if they are set."""
    recipients = [a.strip() for a in env.get("HIGHNEEDS_NOTIFY_EMAIL", "").split(",") if a.strip()]
    host = env.get("HIGHNEEDS_SMTP_HOST", "").strip()
    if not (recipients and host):
        return None
    starttls = env.get("HIGHNEEDS_SMTP_STARTTLS", "true").lower() not in ("0", "false", "no")
    user = env.get("HIGHNEEDS_SMTP_USER", "")
    password = env.get("HIGHNEEDS_SMTP_PASSWORD", "")
    login = f"{quote(user, safe='')}:{quote(password, safe='')}@" if user else ""
    query = urlencode(
        {
            "smtp": host,
            "from": env.get("HIGHNEEDS_NOTIFY_FROM", "highneeds@localhost"),
            "to": ",".join(recipients),
            "mode": "starttls" if starttls else "insecure",
        }
    )
    port = env.get("HIGHNEEDS_SMTP_PORT", "587").strip()
    return f"{'mailtos' if starttls else 'mailto'}://{login}{host}:{port}?{query}"


def webhook_url(url: str) -> str:
    """An ``http(s)://`` webhook as Apprise's JSON notification (``json(s)://``)."""
    parts = urlsplit(url.strip())
    scheme = {"http": "json", "https": "jsons"}.get(parts.scheme.lower(), parts.scheme)
    return urlunsplit((scheme, *parts[1:]))


@dataclass(frozen=True)
class NotifySettings:
    """Where notifications go (Apprise URLs), read from the environment."""

    urls: tuple[str, ...] = ()
    on_success: bool = False

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> NotifySettings:
        env = os.environ if env is None else env
        urls = split_urls(env.get("HIGHNEEDS_NOTIFY_URLS", ""))
        email = email_url(env)
        if email:
            urls += (email,)
        if env.get("HIGHNEEDS_WEBHOOK_URL", "").strip():
            urls += (webhook_url(env["HIGHNEEDS_WEBHOOK_URL"]),)
        on_success = env.get("HIGHNEEDS_NOTIFY_ON", "failure").lower() == "always"
        return cls(urls, on_success)

    @property
    def any(self) -> bool:
        return bool(self.urls)

    def __repr__(self) -> str:  # never print the URLs themselves
        shown = ", ".join(redact_url(u) for u in self.urls)
        return f"NotifySettings(urls=[{shown}], on_success={self.on_success})"


def notify(outcome: Outcome, settings: NotifySettings) -> list[str]:
    """Send to every URL; return those that failed, as scheme and host (each is logged)."""
    if outcome.exit_code == 0 and not settings.on_success:
        return []
    import apprise

    kind = apprise.NotifyType.SUCCESS if outcome.exit_code == 0 else apprise.NotifyType.FAILURE
    failed = []
    for url in settings.urls:
        shown = redact_url(url)
        channel = apprise.Apprise()
        if not channel.add(url):
            failed.append(shown)
            LOGGER.warning(f"warning: {shown}: not a notification URL that Apprise knows")
            continue
        delivered = channel.notify(
            title=redact(outcome.subject), body=redact(outcome.body), notify_type=kind
        )
        if delivered:
            LOGGER.info(f"notification sent to {shown}")
        else:
            failed.append(shown)
            LOGGER.warning(f"warning: the notification to {shown} could not be delivered")
    return failed
