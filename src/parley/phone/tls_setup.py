"""An account's TLS settings made into what the transport needs (issue #11 §4).

The global `[tls]` table (protocols, strong ciphers, verification, the domain certificate)
and the account's own keys (its PBX certificate `ca_file`, the override name
`tls_server_name`, "Use certificate as") become one `TlsOptions` and then one
`ssl.SSLContext` per account. The self-signed client certificate is made here on first
use, in the config folder.
"""

from __future__ import annotations

import re
import ssl
from pathlib import Path

from parley.net.address import TransportError
from parley.net.client_cert import ensure_self_signed
from parley.net.tls import TlsOptions, build_client_context
from parley.settings.model import AccountSettings
from parley.settings.network import TlsSettings
from parley.settings.store import default_config_path


def verification_off(account: AccountSettings, tls: TlsSettings) -> bool:
    """True when this account's TLS connections accept any certificate."""
    return tls.disable_verification or not account.verify_tls


def self_signed_path(account: AccountSettings, config_dir: Path | None) -> Path:
    """Where the account's self-signed certificate lives: `tls_client_certificate`, or
    `tls/<account>.pem` in the config folder."""
    if account.tls_client_certificate is not None:
        return account.tls_client_certificate
    base = config_dir if config_dir is not None else default_config_path().parent
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", account.name) or "account"
    return base / "tls" / f"{safe}.pem"


def client_certificate(
    account: AccountSettings, tls: TlsSettings, config_dir: Path | None
) -> str | None:
    """The PEM file (certificate and key) we show the server, per "Use certificate as"."""
    mode = account.tls_client_certificate_mode
    if mode == "file":
        if account.tls_client_certificate is None:
            raise TransportError(
                f'account {account.name}: tls_client_certificate_mode is "file" but no '
                "tls_client_certificate is given — set the PEM file with certificate and key"
            )
        return str(account.tls_client_certificate)
    if mode == "self-signed":
        path = self_signed_path(account, config_dir)
        return str(ensure_self_signed(path, f"{account.username}@{account.domain_host}"))
    if mode == "default" and tls.domain_certificate is not None:
        return str(tls.domain_certificate) if _holds_key(tls.domain_certificate) else None
    return None


def _holds_key(path: Path) -> bool:
    try:
        return b"PRIVATE KEY-----" in path.read_bytes()
    except OSError:
        return False  # the trust loading names the file and the problem


def tls_options(
    account: AccountSettings, tls: TlsSettings, config_dir: Path | None = None
) -> TlsOptions:
    trust = [str(p) for p in (account.ca_file, tls.domain_certificate) if p is not None]
    return TlsOptions(
        min_version="1.3" if tls.protocols == "tls1.3" else "1.2",
        strong_ciphers_only=tls.strong_ciphers_only,
        verify=not verification_off(account, tls),
        trust_files=tuple(trust),
        client_cert=client_certificate(account, tls, config_dir),
    )


def account_context(
    account: AccountSettings, tls: TlsSettings, config_dir: Path | None = None
) -> ssl.SSLContext:
    """The SSL context for `account`; raises `TransportError` with a sentence naming the
    file and what to do when a certificate file cannot be used."""
    return build_client_context(tls_options(account, tls, config_dir))
