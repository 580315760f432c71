"""Tell someone what an unattended run did, through Apprise: Microsoft Teams, Slack, email,
a JSON webhook or any of Apprise's other services, with one setting.

Settings come from the job's environment (or the file ``HIGHNEEDS_SETTINGS_FILE`` names), so
that credentials never live in the repository:

- ``HIGHNEEDS_NOTIFY_URLS``: one or more Apprise URLs, separated by spaces or new lines
  (e.g. ``msteams://...``, ``slack://...``, ``mailtos://...``, ``json://...``);
- shorthand for email: ``HIGHNEEDS_NOTIFY_EMAIL`` (recipients, comma-separated),
  ``HIGHNEEDS_NOTIFY_FROM``, ``HIGHNEEDS_SMTP_HOST``, ``HIGHNEEDS_SMTP_PORT`` (default 587;
  465 means TLS from the start), ``HIGHNEEDS_SMTP_STARTTLS`` (``true``/``false``, default
  true), ``HIGHNEEDS_SMTP_USER``, ``HIGHNEEDS_SMTP_PASSWORD`` (never sent without TLS);
- shorthand for a JSON webhook: ``HIGHNEEDS_WEBHOOK_URL`` (``http(s)://...``; Apprise posts
  ``{"version", "title", "message", "type", "attachments"}``);
- ``HIGHNEEDS_NOTIFY_ON``: ``failure`` (default) or ``always``;
- ``HIGHNEEDS_NOTIFY_TIMEOUT``: seconds one whole delivery may take (default 30);
- ``HIGHNEEDS_CA_FILE``: a CA certificate (PEM) the council's servers are signed with,
  trusted besides the system's store.

TLS certificates are always verified. A notification that cannot be delivered in time is
logged (as its scheme and host, never the whole URL) and never changes the run's exit code.
Each message is redacted of every secret; a bad setting is a warning and its default.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote, urlencode, urlsplit, urlunsplit

from highneeds.runner.ops.logs import LOGGER
from highneeds.runner.ops.secrets import redact, redact_url
from highneeds.runner.ops.settings import SettingsReader, environment_set

if TYPE_CHECKING:  # imported when a notification is sent
    import apprise


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
    #: It succeeded, but with something an operator must hear of (a stale cycle).
    warned: bool = False

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


def email_url(settings: SettingsReader) -> str | None:
    """The Apprise URL that the SMTP shorthand variables describe, if they are set."""
    recipients = [a.strip() for a in settings.text("HIGHNEEDS_NOTIFY_EMAIL").split(",")]
    recipients = [a for a in recipients if a]
    host = settings.text("HIGHNEEDS_SMTP_HOST")
    if not (recipients and host):
        return None
    port = int(settings.number("HIGHNEEDS_SMTP_PORT", 587, 1, 65535))
    starttls = settings.flag("HIGHNEEDS_SMTP_STARTTLS", True)
    mode = "ssl" if port == 465 else "starttls" if starttls else "insecure"
    user = settings.text("HIGHNEEDS_SMTP_USER")
    password = settings.env.get("HIGHNEEDS_SMTP_PASSWORD", "")
    if user and mode == "insecure":
        settings.warnings.append(
            "warning: HIGHNEEDS_SMTP_USER is set but HIGHNEEDS_SMTP_STARTTLS is off: the login "
            "is never sent without TLS, so the email goes without it (turn STARTTLS on)"
        )
        user = ""
    login = f"{quote(user, safe='')}:{quote(password, safe='')}@" if user else ""
    query = urlencode(
        {
            "smtp": host,
            "from": settings.text("HIGHNEEDS_NOTIFY_FROM") or "highneeds@localhost",
            "to": ",".join(recipients),
            "mode": mode,
            "verify": "yes",
        }
    )
    return f"{'mailto' if mode == 'insecure' else 'mailtos'}://{login}{host}:{port}?{query}"


#: Apprise schemes that talk to their server without TLS (each has a secure twin ending in
#: ``s``: ``json``/``jsons``, ``mailto``/``mailtos``, ...).
PLAIN_SCHEMES = frozenset(
    {
        "http",
        "mailto",
        "json",
        "xml",
        "form",
        "ntfy",
        "gotify",
        "mqtt",
        "rocket",
        "matrix",
        "mmost",
        "nctalk",
        "ncloud",
        "apprise",
        "kodi",
        "xbmc",
        "emby",
        "jellyfin",
        "enigma2",
        "signal",
    }
)
#: Words that make a query key (or a ``+Header`` a webhook sends) a credential.
_CREDENTIAL_WORDS = ("user", "pass", "pwd", "login", "token", "key", "secret", "auth", "cookie")


def _credential_keys(query: str) -> list[str]:
    keys = parse_qs(query, keep_blank_values=True)
    return [k for k in keys if any(word in k.lower().lstrip("+-:") for word in _CREDENTIAL_WORDS)]


def credentials_without_tls(url: str, warnings: list[str]) -> bool:
    """Whether ``url`` would send a credential without TLS: a login in the URL (``user:pass@``)
    or a query key that carries one (``user=``, ``pass=``, ``token=``, a ``+Authorization``
    header, ...) on a scheme that talks in clear (:data:`PLAIN_SCHEMES`, or any with
    ``mode=insecure``). Such a URL is refused, with a warning naming it (scheme and host only);
    the rest are used. One rule for every notification URL, however it is given."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    insecure = scheme in PLAIN_SCHEMES or "insecure" in [
        v.lower() for v in parse_qs(parts.query).get("mode", [])
    ]
    try:
        login = bool(parts.username or parts.password)
    except ValueError:  # a port that is no number: the URL is no use either way
        login = True
    if not (insecure and (login or _credential_keys(parts.query))):
        return False
    warnings.append(
        f"warning: {redact_url(url)} would send a login or key without TLS: it is not used "
        "(use the scheme's TLS form, such as mailtos:// or https://, or leave the login out)"
    )
    return True


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
    #: Seconds one whole delivery may take, however slowly a server answers.
    timeout: float = 30.0
    ca_file: str | None = None
    #: What was wrong with the settings (each said once, when notifying).
    warnings: tuple[str, ...] = ()
    #: Whether a successful run that warned is told of (``HIGHNEEDS_NOTIFY_ON``: ``warning``,
    #: the default, and ``always`` do; ``failure`` tells of failures alone).
    on_warning: bool = True

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> NotifySettings:
        settings = SettingsReader(os.environ if env is None else env)
        given = list(split_urls(settings.text("HIGHNEEDS_NOTIFY_URLS")))
        email = email_url(settings)
        if email:
            given.append(email)
        if settings.text("HIGHNEEDS_WEBHOOK_URL"):
            given.append(webhook_url(settings.text("HIGHNEEDS_WEBHOOK_URL")))
        urls = tuple(u for u in given if not credentials_without_tls(u, settings.warnings))
        on = settings.choice("HIGHNEEDS_NOTIFY_ON", "warning", ("failure", "warning", "always"))
        return cls(
            urls,
            on == "always",
            settings.number("HIGHNEEDS_NOTIFY_TIMEOUT", 30.0, 1, 600),
            settings.readable_file("HIGHNEEDS_CA_FILE"),
            tuple(settings.warnings),
            on != "failure",
        )

    @property
    def any(self) -> bool:
        return bool(self.urls)

    def __repr__(self) -> str:  # never print the URLs themselves
        shown = ", ".join(redact_url(u) for u in self.urls)
        return f"NotifySettings(urls=[{shown}], on_success={self.on_success})"


def notify(outcome: Outcome, settings: NotifySettings) -> list[str]:
    """Send to every URL at once, each delivery bounded by the settings' timeout; return
    those that failed or ran out of time, as scheme and host (each is logged)."""
    for warning in settings.warnings:
        LOGGER.warning(warning)
    if outcome.exit_code == 0 and not (
        settings.on_success or (outcome.warned and settings.on_warning)
    ):
        return []
    import apprise

    kind = apprise.NotifyType.SUCCESS if outcome.exit_code == 0 else apprise.NotifyType.FAILURE
    results: dict[str, bool | str] = {}
    deliveries = []
    with trusted_certificates(settings.ca_file):
        for url in settings.urls:
            delivery = threading.Thread(
                target=_deliver,
                args=(url, redact(outcome.subject), redact(outcome.body), kind, results),
                daemon=True,  # one still waiting at the deadline is left behind, not waited for
            )
            delivery.start()
            deliveries.append((url, delivery))
        deadline = time.monotonic() + settings.timeout
        for _, delivery in deliveries:
            delivery.join(max(0.0, deadline - time.monotonic()))
    failed = []
    for url, _ in deliveries:
        shown, result = redact_url(url), results.get(url)
        if result is True:
            LOGGER.info(f"notification sent to {shown}")
            continue
        failed.append(shown)
        if result is None:
            LOGGER.warning(
                f"warning: the notification to {shown} did not finish within "
                f"{settings.timeout:g} s (HIGHNEEDS_NOTIFY_TIMEOUT); given up"
            )
        elif result == "unknown":
            LOGGER.warning(f"warning: {shown}: not a notification URL that Apprise knows")
        else:
            reason = str(result).removeprefix("failed: ") if isinstance(result, str) else ""
            LOGGER.warning(
                f"warning: the notification to {shown} could not be delivered"
                + (f" ({reason})" if reason else "")
            )
    return failed


def _deliver(
    url: str, title: str, body: str, kind: apprise.NotifyType, results: dict[str, bool | str]
) -> None:
    import apprise

    channel = apprise.Apprise()
    try:
        if not channel.add(url):
            results[url] = "unknown"
            return
        # The body is plain text: Apprise escapes it wherever a service takes HTML (an
        # email's HTML part), so text from an input never becomes markup.
        sent = channel.notify(
            title=title, body=body, notify_type=kind, body_format=apprise.NotifyFormat.TEXT
        )
        # Apprise keeps what the service's plugin said of this delivery on its result.
        said = [str(getattr(entry, "message", entry)) for entry in _logs(sent)]
        results[url] = True if sent else _reason(said)
    except Exception as error:  # a plugin's own error: reported as undelivered, never raised
        results[url] = _reason([f"{type(error).__name__}: {error}"])


def _logs(result: object) -> list[object]:
    """The log entries of an Apprise result (none from a version that keeps none)."""
    logs = getattr(result, "logs", None)
    try:
        return [e for e in logs() if str(getattr(e, "level", "")) != "DEBUG"] if logs else []
    except Exception:
        return []


def _reason(lines: list[str]) -> str:
    """Why a delivery failed, as the service's plugin said it (its last words, redacted of
    every secret and URL, and short)."""
    text = next((line for line in reversed(lines) if line.strip()), "no reason given")
    text = re.sub(r"[a-z][a-z0-9+.-]*://\S+", lambda m: redact_url(m.group(0)), redact(text))
    return "failed: " + " ".join(text.split())[:200]


@contextmanager
def trusted_certificates(ca_file: str | None) -> Iterator[None]:
    """Trust the council's CA besides the system's store while delivering: one bundle of
    both, named by the variables OpenSSL (SMTP) and requests (webhooks) read."""
    if not ca_file:
        yield
        return
    import ssl  # only where a notification is sent: the CLI starts without it

    system = ssl.get_default_verify_paths().cafile
    if system is None:  # no system store: the one requests ships with
        import certifi

        system = certifi.where()
    with tempfile.NamedTemporaryFile("w", suffix=".pem", encoding="utf-8") as bundle:
        for source in (system, ca_file):
            with suppress(OSError):
                bundle.write(Path(source).read_text(encoding="utf-8") + "\n")
        bundle.flush()
        with environment_set(dict.fromkeys(_CA_VARIABLES, bundle.name)):
            yield


_CA_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
