"""TLS contexts for SIP over TLS (RFC 3261 §26.3.1, RFC 5922 for server identity).

Verification is on unless the user turns it off. The manual tells users to import the
PBX's own certificate rather than its root, so a certificate given as `ca_file` is also
accepted as a trust anchor when it is a leaf (OpenSSL's partial-chain flag).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Literal

from parley.net.address import TransportError

# "Use only strong ciphers": AEAD suites with forward secrecy for TLS 1.2. TLS 1.3 has
# only such suites, and OpenSSL sets those apart (set_ciphers does not touch them).
STRONG_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL"
# Without it, OpenSSL's own default list: older PBXs may still need CBC or RSA suites.
COMPATIBLE_CIPHERS = "DEFAULT:!aNULL:!eNULL:!MD5:!RC4:!3DES:!EXP"

MinVersion = Literal["1.2", "1.3"]


@dataclass(frozen=True)
class TlsOptions:
    """What one account's TLS connections need (built from settings by the phone).

    `trust_files`: PEM files of certificates to trust (the account's PBX certificate, the
    domain certificate); none means the system store. `client_cert`: a PEM file with our
    certificate chain and its private key, shown when the server asks for one.
    """

    min_version: MinVersion = "1.2"
    strong_ciphers_only: bool = False
    verify: bool = True
    trust_files: tuple[str, ...] = ()
    client_cert: str | None = None


def build_client_context(options: TlsOptions) -> ssl.SSLContext:
    """The SSL context of an account; a bad file raises `TransportError` naming it."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = (
        ssl.TLSVersion.TLSv1_3 if options.min_version == "1.3" else ssl.TLSVersion.TLSv1_2
    )
    ctx.set_ciphers(STRONG_CIPHERS if options.strong_ciphers_only else COMPATIBLE_CIPHERS)
    if options.verify:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.check_hostname = True
        # The manual's users import the PBX certificate itself: accept it as an anchor.
        ctx.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
        if options.trust_files:
            for path in options.trust_files:
                _load_trust(ctx, path)
        else:
            ctx.load_default_certs(ssl.Purpose.SERVER_AUTH)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if options.client_cert:
        _load_client_cert(ctx, options.client_cert)
    return ctx


def _load_trust(ctx: ssl.SSLContext, path: str) -> None:
    try:
        ctx.load_verify_locations(cafile=path)
    except FileNotFoundError as exc:
        raise TransportError(
            f"TLS certificate file {path} not found — check the certificate file in the "
            "account's settings (ca_file) or [tls] domain_certificate"
        ) from exc
    except (OSError, ssl.SSLError) as exc:
        raise TransportError(
            f"TLS certificate file {path} could not be read ({_reason(exc)}) — it must be a "
            "PEM certificate (-----BEGIN CERTIFICATE-----), e.g. the PBX certificate"
        ) from exc


def _load_client_cert(ctx: ssl.SSLContext, path: str) -> None:
    try:
        ctx.load_cert_chain(path)
    except FileNotFoundError as exc:
        raise TransportError(
            f"TLS client certificate {path} not found — check tls_client_certificate"
        ) from exc
    except (OSError, ssl.SSLError) as exc:
        raise TransportError(
            f"TLS client certificate {path} could not be used ({_reason(exc)}) — it must be "
            "one PEM file with the certificate and its matching private key (unencrypted)"
        ) from exc


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def client_context(ca_file: str | None = None, *, verify: bool = True) -> ssl.SSLContext:
    """An SSL context for outgoing connections.

    `ca_file`: PEM file with the CA or the PBX certificate; None uses the system store.
    `verify=False` accepts any certificate (for test PBXs; the user must ask for it).
    """
    if not verify:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    try:
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_file)
    except FileNotFoundError as exc:
        raise TransportError(
            f"TLS certificate file {ca_file} not found — check ca_file in the account settings"
        ) from exc
    except ssl.SSLError as exc:
        raise TransportError(
            f"TLS certificate file {ca_file} could not be read ({exc.reason or exc}) — "
            "it must be a PEM certificate"
        ) from exc
    # Accept the PBX certificate itself as anchor, as the manual's users will import it.
    ctx.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return ctx


def server_context(certfile: str, keyfile: str | None = None) -> ssl.SSLContext:
    """An SSL context for accepting TLS connections with our own certificate."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as exc:
        raise TransportError(
            f"cannot load TLS certificate {certfile}: {exc} — check the certificate and key files"
        ) from exc
    return ctx


def describe_tls_error(exc: BaseException, where: str) -> str:
    """A sentence for a person about a failed TLS handshake with `where` ("host:port")."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = exc.verify_message or str(exc)
        hint = (
            "check the server name, or set the name the certificate carries as the "
            "account's override domain name (tls_server_name)"
            if "hostname" in detail.lower() or "ip address mismatch" in detail.lower()
            else "check ca_file (import the PBX certificate)"
        )
        return f"TLS handshake with {where} failed: certificate verify failed: {detail} — {hint}"
    if isinstance(exc, ssl.SSLError):
        detail = exc.reason or str(exc)
        known = _HANDSHAKE_HINTS.get(str(exc.reason or ""))
        if known is not None:
            return f"TLS handshake with {where} failed: {detail} — {known}"
        return (
            f"TLS handshake with {where} failed: {detail} — "
            "check that the server speaks TLS on this port"
        )
    return f"TLS handshake with {where} failed: {exc or type(exc).__name__}"


# OpenSSL's reasons for a refused handshake that a setting of ours explains.
_HANDSHAKE_HINTS = {
    "TLSV1_ALERT_PROTOCOL_VERSION": "the server does not speak the TLS version we ask for "
    '(TLS 1.3 only?); set [tls] protocols = "tls1.2+"',
    "UNSUPPORTED_PROTOCOL": "the server offers only an older TLS version than we allow; "
    'set [tls] protocols = "tls1.2+" (SSL and TLS 1.0/1.1 are refused)',
    "WRONG_VERSION_NUMBER": "the server answered with another protocol version, or does "
    "not speak TLS on this port",
    "SSLV3_ALERT_HANDSHAKE_FAILURE": "the server and we have no cipher suite in common "
    "(with [tls] strong_ciphers_only only AEAD suites with forward secrecy are offered), "
    "or the server wants a client certificate (tls_client_certificate_mode)",
    "NO_CIPHERS_AVAILABLE": "no cipher suite is left to offer; check [tls] strong_ciphers_only",
    "NO_SHARED_CIPHER": "the server and we have no cipher suite in common; check "
    "[tls] strong_ciphers_only",
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": "the server requires a client certificate; set "
    "tls_client_certificate_mode (file or self-signed)",
    "SSLV3_ALERT_BAD_CERTIFICATE": "the server refused our client certificate; check "
    "tls_client_certificate, or give the server our certificate to trust",
    "TLSV1_ALERT_UNKNOWN_CA": "the server does not trust our client certificate; give the "
    "server our certificate (or its CA) to trust",
}
