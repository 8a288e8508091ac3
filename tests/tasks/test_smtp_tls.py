"""TLS still works, and is still verified, with the lazily built SMTP TLS context."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

import apprise
import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kinerja.tasks import smtp_tls
from kinerja.tasks.delivery import send_one
from kinerja.tasks.mailcatcher import free_port


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def starttls_server(tmp_path):
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = free_port("127.0.0.1")
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True
    )
    controller.start()
    yield port, inbox
    controller.stop()


def url(port: int, verify: str) -> str:
    return (
        f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=starttls&verify={verify}"
        "&from=kinerja@test.id&to=someone@test.id&format=text"
    )


def test_the_shim_is_installed():
    from apprise.plugins.email import smtp

    assert smtp_tls.install()
    assert isinstance(smtp.ssl.create_default_context(), smtp_tls.LazyTLSContext)
    assert apprise is not None


def test_starttls_delivers_when_the_certificate_check_is_off(starttls_server):
    port, inbox = starttls_server
    assert send_one(url(port, "no"), title="TLS", body="lewat TLS / over TLS") is None
    assert len(inbox.messages) == 1 and b"over TLS" in inbox.messages[0]


def test_starttls_still_verifies_certificates(starttls_server):
    port, inbox = starttls_server
    error = send_one(url(port, "yes"), title="TLS", body="must not arrive")
    assert error is not None
    assert inbox.messages == []


def test_the_context_keeps_what_apprise_sets():
    lazy = smtp_tls.LazyTLSContext()
    lazy.check_hostname = False
    lazy.verify_mode = ssl.CERT_NONE
    real = lazy.materialize()
    assert (real.check_hostname, real.verify_mode) == (False, ssl.CERT_NONE)
    default = smtp_tls.LazyTLSContext().materialize()
    assert (default.check_hostname, default.verify_mode) == (True, ssl.CERT_REQUIRED)
    with pytest.raises(AttributeError):
        lazy.options = 0
