"""Notifications are secure and bounded: certificates verified (no login to a server that
cannot prove who it is), a council's own CA trusted when named, and no server can hold a run
longer than the delivery deadline."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest

from highneeds.runner.ops.logs import LOGGER
from highneeds.runner.ops.notify import NotifySettings, Outcome, notify

OUTCOME = Outcome("run", "2022-01", 3, "failed", "01_validate", "bad input", None, None)


def self_signed(folder: Path, name: str = "127.0.0.1") -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no trust store knows, and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert, private = folder / "server.pem", folder / "server.key"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, private


class Inbox:
    """What the test SMTP server saw: logins attempted and messages received."""

    logins: ClassVar[list[tuple[bytes, bytes]]] = []
    messages: ClassVar[list[bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        Inbox.messages.append(envelope.content)
        return "250 OK"


def record_login(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any):
    from aiosmtpd.smtp import AuthResult

    Inbox.logins.append((auth_data.login, auth_data.password))
    return AuthResult(success=True)


@contextmanager
def smtp_server(**options: Any) -> Iterator[int]:
    """A local SMTP server on 127.0.0.1 that records logins and messages in :class:`Inbox`;
    yields its port."""
    from aiosmtpd.controller import Controller

    Inbox.logins.clear()
    Inbox.messages.clear()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Controller(
        Inbox(), hostname="127.0.0.1", port=port, authenticator=record_login, **options
    )
    server.start()
    try:
        yield port
    finally:
        server.stop()


@pytest.fixture
def tls_smtp(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """An SMTP server on 127.0.0.1 that offers STARTTLS with a self-signed certificate."""
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with smtp_server(tls_context=context, require_starttls=True) as port:
        yield port, cert


def email_settings(port: int, **extra: str) -> NotifySettings:
    return NotifySettings.from_environment(
        {
            "HIGHNEEDS_NOTIFY_EMAIL": "finance@example.org",
            "HIGHNEEDS_SMTP_HOST": "127.0.0.1",
            "HIGHNEEDS_SMTP_PORT": str(port),
            "HIGHNEEDS_SMTP_USER": "highneeds",
            "HIGHNEEDS_SMTP_PASSWORD": "s3cret-pass",
            "HIGHNEEDS_NOTIFY_TIMEOUT": "20",
            **extra,
        }
    )


def test_no_login_is_sent_to_a_server_whose_certificate_is_not_trusted(tls_smtp) -> None:
    port, _ = tls_smtp
    assert notify(OUTCOME, email_settings(port)) == ["mailtos://127.0.0.1"]
    assert Inbox.logins == [] and Inbox.messages == []


def test_a_ca_file_the_council_names_is_trusted(tls_smtp) -> None:
    port, cert = tls_smtp
    assert notify(OUTCOME, email_settings(port, HIGHNEEDS_CA_FILE=str(cert))) == []
    assert Inbox.logins == [(b"highneeds", b"s3cret-pass")]
    assert b"highneeds run 2022-01: failed (exit 3)" in Inbox.messages[0]


def test_a_login_is_never_sent_without_tls() -> None:
    settings = NotifySettings.from_environment(
        {
            "HIGHNEEDS_NOTIFY_EMAIL": "finance@example.org",
            "HIGHNEEDS_SMTP_HOST": "smtp.example.org",
            "HIGHNEEDS_SMTP_STARTTLS": "false",
            "HIGHNEEDS_SMTP_USER": "highneeds",
            "HIGHNEEDS_SMTP_PASSWORD": "s3cret-pass",
        }
    )
    (url,) = settings.urls
    assert url.startswith("mailto://smtp.example.org:587?") and "s3cret" not in url
    assert "the login is never sent without TLS" in settings.warnings[0]


@pytest.fixture
def dripping_server() -> Iterator[int]:
    """A server that answers one byte a second, for ever: each read succeeds in time."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))

    def drip() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                while not stop.wait(1.0):
                    try:
                        connection.sendall(b"2")
                    except OSError:
                        break

    threading.Thread(target=drip, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()


def test_a_server_that_drips_cannot_hold_the_run_past_the_deadline(
    dripping_server: int, caplog: pytest.LogCaptureFixture
) -> None:
    settings = NotifySettings.from_environment(
        {
            "HIGHNEEDS_WEBHOOK_URL": f"http://127.0.0.1:{dripping_server}/hook",
            "HIGHNEEDS_NOTIFY_EMAIL": "finance@example.org",
            "HIGHNEEDS_SMTP_HOST": "127.0.0.1",
            "HIGHNEEDS_SMTP_PORT": str(dripping_server),
            "HIGHNEEDS_NOTIFY_TIMEOUT": "2",
        }
    )
    LOGGER.addHandler(caplog.handler)
    started = time.monotonic()
    try:
        failed = notify(OUTCOME, settings)
    finally:
        LOGGER.removeHandler(caplog.handler)
    # Without the deadline each delivery would wait for ever (a byte a second never times out).
    assert time.monotonic() - started < 30
    assert sorted(failed) == ["json://127.0.0.1", "mailtos://127.0.0.1"]
    assert "did not finish within 2 s (HIGHNEEDS_NOTIFY_TIMEOUT); given up" in caplog.text


@pytest.mark.parametrize(
    ("name", "value", "warned"),
    [
        ("HIGHNEEDS_SMTP_PORT", "587  # submission", "is not a number from 1 to 65535; using 587"),
        ("HIGHNEEDS_SMTP_PORT", "", None),
        ("HIGHNEEDS_SMTP_STARTTLS", "maybe", "is not true or false; using True"),
        ("HIGHNEEDS_NOTIFY_ON", "sometimes", "is not failure or warning or always; using"),
        ("HIGHNEEDS_NOTIFY_TIMEOUT", "-1", "is not a number from 1 to 600; using 30.0"),
        ("HIGHNEEDS_CA_FILE", "/no/such/ca.pem", "is not a readable file; ignored"),
    ],
)
def test_a_bad_setting_is_a_warning_and_its_default(
    name: str, value: str, warned: str | None
) -> None:
    settings = NotifySettings.from_environment(
        {"HIGHNEEDS_NOTIFY_EMAIL": "a@example.org", "HIGHNEEDS_SMTP_HOST": "h", name: value}
    )
    assert ":587?" in settings.urls[0]
    if warned is None:
        assert settings.warnings == ()
    else:
        (warning,) = settings.warnings
        assert warning.startswith(f"warning: {name}=") and warned in warning


@pytest.fixture
def plain_smtp() -> Iterator[int]:
    """An SMTP server on 127.0.0.1 without TLS that would take any login offered."""
    with smtp_server(auth_require_tls=False) as port:
        yield port


def test_a_mail_url_with_a_login_but_no_tls_is_refused_and_sends_nothing(plain_smtp) -> None:
    port = plain_smtp
    settings = NotifySettings.from_environment(
        {
            "HIGHNEEDS_NOTIFY_URLS": f"mailto://bob:s3cret@127.0.0.1:{port}?to=ops@example.org "
            f"mailtos://bob:s3cret@127.0.0.1:{port}?mode=insecure",
            "HIGHNEEDS_NOTIFY_TIMEOUT": "10",
        }
    )
    assert settings.urls == ()
    assert len(settings.warnings) == 2
    assert all("would send a login or key without TLS" in w for w in settings.warnings)
    assert all("s3cret" not in w for w in settings.warnings)
    assert notify(OUTCOME, settings) == []
    assert Inbox.logins == [] and Inbox.messages == []


def test_input_text_is_escaped_in_the_emails_html_part(plain_smtp) -> None:
    port = plain_smtp
    hostile = Outcome(
        "run",
        "2022-01",
        3,
        "failed",
        "01_validate",
        'figures.csv, row 2: found "<img src=x onerror=alert(1)>"',
        None,
        None,
    )
    settings = NotifySettings.from_environment(
        {
            "HIGHNEEDS_NOTIFY_URLS": f"mailto://127.0.0.1:{port}?to=ops@example.org"
            "&from=highneeds@example.org&format=html",
            "HIGHNEEDS_NOTIFY_TIMEOUT": "10",
        }
    )
    assert notify(hostile, settings) == []
    import email
    from email import policy

    message = email.message_from_bytes(Inbox.messages[0], policy=policy.default)
    html = [part.get_content() for part in message.walk() if part.get_content_type() == "text/html"]
    assert html, message.as_string()[:500]
    assert all("<img" not in p for p in html)
    assert any("&lt;img" in p and "onerror=alert(1)&gt;" in p for p in html)


@pytest.fixture
def plain_http() -> Iterator[tuple[int, list[str]]]:
    """An HTTP server on 127.0.0.1 without TLS that records every request's headers."""
    import http.server
    import threading

    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(str(self.headers))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()


@pytest.mark.parametrize(
    "variable,url",
    [
        ("HIGHNEEDS_NOTIFY_URLS", "mailto://127.0.0.1:{smtp}?user=bob&pass=s3cret&to=o@x.org"),
        ("HIGHNEEDS_NOTIFY_URLS", "mailto://127.0.0.1:{smtp}?to=o@x.org&Password=s3cret"),
        ("HIGHNEEDS_WEBHOOK_URL", "http://bob:s3cret@127.0.0.1:{http}/hook"),
        ("HIGHNEEDS_WEBHOOK_URL", "http://127.0.0.1:{http}/hook?token=s3cret"),
        ("HIGHNEEDS_NOTIFY_URLS", "json://127.0.0.1:{http}/hook?+Authorization=s3cret"),
        ("HIGHNEEDS_NOTIFY_URLS", "jsons://bob:s3cret@127.0.0.1:{http}/hook?mode=insecure"),
    ],
)
def test_no_credential_goes_in_clear_however_it_is_written(
    plain_smtp, plain_http, variable: str, url: str
) -> None:
    http_port, seen = plain_http
    settings = NotifySettings.from_environment(
        {variable: url.format(smtp=plain_smtp, http=http_port), "HIGHNEEDS_NOTIFY_TIMEOUT": "10"}
    )
    assert settings.urls == ()
    assert len(settings.warnings) == 1 and "without TLS" in settings.warnings[0]
    assert "s3cret" not in settings.warnings[0]
    notify(OUTCOME, settings)
    assert Inbox.logins == [] and Inbox.messages == [] and seen == []


def test_a_plain_webhook_without_a_credential_is_used(plain_http) -> None:
    port, seen = plain_http
    settings = NotifySettings.from_environment(
        {"HIGHNEEDS_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook", "HIGHNEEDS_NOTIFY_TIMEOUT": "10"}
    )
    assert settings.warnings == ()
    notify(OUTCOME, settings)
    assert len(seen) == 1 and "Authorization" not in seen[0]
