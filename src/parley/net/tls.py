"""TLS contexts for SIP over TLS (RFC 3261 §26.3.1, RFC 5922 for server identity).

Verification is on unless the user turns it off. The manual tells users to import the
PBX's own certificate rather than its root, so a certificate given as `ca_file` is also
accepted as a trust anchor when it is a leaf (OpenSSL's partial-chain flag).
"""

from __future__ import annotations

import ssl

from parley.net.address import TransportError
from parley.net.problems import NetProblem


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
            f"TLS certificate file {ca_file} not found — check ca_file in the account settings",
            problem=NetProblem.CERTIFICATE_FILE,
            where=str(ca_file),
        ) from exc
    except ssl.SSLError as exc:
        raise TransportError(
            f"TLS certificate file {ca_file} could not be read ({exc.reason or exc}) — "
            "it must be a PEM certificate",
            problem=NetProblem.CERTIFICATE_FILE,
            where=str(ca_file),
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


def tls_problem(exc: BaseException) -> NetProblem:
    """The code of a failed TLS handshake (see `describe_tls_error`)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = (exc.verify_message or str(exc)).lower()
        if "hostname" in detail or "ip address mismatch" in detail:
            return NetProblem.TLS_NAME
        return NetProblem.TLS_UNTRUSTED
    return NetProblem.TLS_HANDSHAKE


def tls_error(exc: BaseException, where: str) -> TransportError:
    """A `TransportError` for a failed TLS handshake with `where` ("host:port")."""
    return TransportError(describe_tls_error(exc, where), problem=tls_problem(exc), where=where)


def describe_tls_error(exc: BaseException, where: str) -> str:
    """A sentence for a person about a failed TLS handshake with `where` ("host:port")."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = exc.verify_message or str(exc)
        hint = (
            "check the server name"
            if "hostname" in detail.lower() or "ip address mismatch" in detail.lower()
            else "check ca_file (import the PBX certificate)"
        )
        return f"TLS handshake with {where} failed: certificate verify failed: {detail} — {hint}"
    if isinstance(exc, ssl.SSLError):
        detail = exc.reason or str(exc)
        return (
            f"TLS handshake with {where} failed: {detail} — "
            "check that the server speaks TLS on this port"
        )
    return f"TLS handshake with {where} failed: {exc or type(exc).__name__}"
