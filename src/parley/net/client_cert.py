"""The self-signed client certificate ("Use certificate as: generate self-signed").

Made with `cryptography` on first use (EC P-256, ten years), written as one PEM file with
the certificate and its private key, readable only by the user (0600, in a 0700 folder),
and reused afterwards as long as it still loads.
"""

from __future__ import annotations

import datetime
import logging
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from parley.net.address import TransportError

log = logging.getLogger(__name__)

VALID_DAYS = 3650


def ensure_self_signed(path: Path, common_name: str) -> Path:
    """`path` holding a usable self-signed certificate and key; made there when missing
    or unusable. Raises `TransportError` when it cannot be written."""
    if path.exists():
        if _usable(path):
            _restrict(path)
            return path
        log.warning("self-signed certificate %s does not load; making a new one", path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = _make(common_name)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        raise TransportError(
            f"cannot write the self-signed TLS certificate {path}: {exc.strerror or exc} — "
            "check that the folder is writable, or set tls_client_certificate"
        ) from exc
    log.info("made a self-signed TLS client certificate for %s at %s", common_name, path)
    return path


def _usable(path: Path) -> bool:
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain(path)
    except (OSError, ssl.SSLError):
        return False
    return True


def _restrict(path: Path) -> None:
    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
    except OSError as exc:
        log.warning("cannot make %s private: %s", path, exc)


def _make(common_name: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64] or "parley")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM) + key_pem
