"""Secrets stay secret: passwords, tokens and webhook addresses given to the job never appear
in its logs, manifests, error messages or notifications, and never reach the notebooks'
kernels or the PDF worker.

A URL is shown as its scheme and host (``mailtos://smtp.example.gov.uk``); any other text is
shown with each secret value replaced by ``[redacted]``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, unquote, urlsplit

#: Environment variables whose values are secrets, or hold secrets inside a URL.
SECRET_VARIABLES = ("HIGHNEEDS_SMTP_PASSWORD", "HIGHNEEDS_NOTIFY_URLS", "HIGHNEEDS_WEBHOOK_URL")
REDACTED = "[redacted]"
_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
#: Parts of a URL shorter than this are not treated as secrets (``/hook``, ``json``).
_SHORTEST_SECRET = 6


def redact_url(url: str) -> str:
    """A URL as its scheme and host only (``https://hooks.example.org/T0/B0/x`` ->
    ``https://hooks.example.org``); a "host" that is not a domain name or address, as in
    ``slack://TokenA/...``, is a token and is not shown."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return REDACTED
    if not parts.scheme:
        return REDACTED
    return f"{parts.scheme}://{host if '.' in host or ':' in host else '...'}"


#: Query parameters whose values are credentials in Apprise and webhook URLs.
_SECRET_PARAMETERS = re.compile(r"token|key|secret|pass|auth|sig|code|webhook", re.IGNORECASE)
#: Path segments (and host-position tokens) at least this long may be credentials.
_SHORTEST_TOKEN = 8
#: An ordinary word of a path (``hooks``, ``highneeds``, ``services``, ``council-alerts``):
#: lower-case letters, with hyphens or underscores between them. A word is never redacted, for
#: it is also found in ordinary text (the tool's own name in a webhook's path redacted every
#: "highneeds" in titles and paths); a token mixes cases or digits, or runs on unbroken.
_WORD = re.compile(r"[a-z]{1,19}(?:[-_][a-z]{1,19})*")


def _token_like(segment: str) -> bool:
    """Whether a path segment (or a host-position name) could be a credential: long enough
    and not an ordinary word."""
    return len(segment) >= _SHORTEST_TOKEN and _WORD.fullmatch(segment) is None


def _url_secrets(url: str) -> list[str]:
    try:
        parts = urlsplit(url)
        # As written (``hostname`` is lower-cased, and a token's case is its own).
        host = parts.netloc.rpartition("@")[2].partition(":")[0]
    except ValueError:
        return [url]
    found = [url, parts.password or "", unquote(parts.password or "")]
    found += [s for s in parts.path.split("/") if _token_like(s)]
    if "." not in host and _token_like(host):
        found.append(host)
    found += [v for k, v in parse_qsl(parts.query) if _SECRET_PARAMETERS.search(k)]
    return found


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """Every secret the job was given, longest first (so a whole URL goes before its parts)."""
    environ = os.environ if environ is None else environ
    found: list[str] = []
    for name in SECRET_VARIABLES:
        value = environ.get(name, "").strip()
        if not value:
            continue
        found.append(value)
        for url in _URL.findall(value):
            found += _url_secrets(url.rstrip(","))
    return sorted({s for s in found if len(s) >= _SHORTEST_SECRET}, key=len, reverse=True)


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """``text`` with every secret value replaced by ``[redacted]``."""
    for secret in secret_values(environ):
        text = text.replace(secret, REDACTED)
    return text


def without_secrets(environ: Mapping[str, str]) -> dict[str, str]:
    """An environment for child processes (kernels, the PDF worker): no secret variables."""
    return {k: v for k, v in environ.items() if k not in SECRET_VARIABLES}


def install_redaction(logger: logging.Logger) -> None:
    """Redact the job's secrets from everything ``logger`` writes (replacing an earlier filter,
    so that a process that runs several commands redacts each one's secrets once)."""
    for old in [f for f in logger.filters if isinstance(f, RedactSecrets)]:
        logger.removeFilter(old)
    logger.addFilter(RedactSecrets())


class RedactSecrets(logging.Filter):
    """A logging filter that redacts secrets from every message (console and run log)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.secrets = secret_values(environ)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            for secret in self.secrets:
                message = message.replace(secret, REDACTED)
            record.msg, record.args = message, None
        return True
