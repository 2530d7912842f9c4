"""The network tables of the settings: global STUN (Functions › Advanced › Global STUN)
and TLS (Functions › Advanced › TLS), issue #11."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, field_validator

from parley.settings.types import (
    _MODEL_CONFIG,
    OptHost,
    OptPath,
    _lower,
)


class StunSettings(BaseModel):
    """Global STUN (Functions › Advanced › Global STUN), for accounts with stun = "global"."""

    model_config = _MODEL_CONFIG

    enabled: bool = Field(
        default=False, description="Use the server below for accounts set to global STUN."
    )
    server: OptHost = Field(default=None, description="STUN server: host name or IP address.")
    port: int = Field(default=3478, ge=1, le=65535, description="Port of the STUN server.")
    refresh: int = Field(
        default=60,
        ge=0,
        le=86400,
        description="Seconds between STUN requests that keep the mapping fresh; 0: only once.",
    )


# --- [tls]: Functions › Advanced › TLS (issue #11 §4, helper TLS) ---------------------
TlsProtocols = Literal["tls1.2+", "tls1.3"]
_SSL_NAMES = ("ssl", "sslv2", "sslv3", "sslv23", "ssl2", "ssl3", "sslv2/3", "ssl v2/3")


def _check_protocols(value: Any) -> Any:
    """Refuse the manual's "SSL v2/3" choice with the reason, not just "not a choice"."""
    if isinstance(value, str) and value.strip().lower().replace(" ", "") in {
        n.replace(" ", "") for n in _SSL_NAMES
    }:
        raise ValueError(
            "SSL v2 and v3 are broken (POODLE, DROWN) and Parley does not speak them; "
            'use "tls1.2+" (TLS 1.2 and 1.3) or "tls1.3"'
        )
    return _lower(value)


class TlsSettings(BaseModel):
    """How TLS connections to SIP servers are made, for every account."""

    model_config = _MODEL_CONFIG

    protocols: Annotated[TlsProtocols, BeforeValidator(_check_protocols)] = Field(
        default="tls1.2+",
        description='Protocol suite: "tls1.2+" (TLS 1.2 or 1.3, what the server offers) or '
        '"tls1.3" (TLS 1.3 only). SSL v2/v3 are refused: they are broken.',
    )
    strong_ciphers_only: bool = Field(
        default=False,
        description="Use only AEAD cipher suites with forward secrecy (ECDHE with AES-GCM or "
        "ChaCha20-Poly1305; every TLS 1.3 suite is such a one). Off also allows older suites "
        "some PBXs still need (CBC, RSA key exchange).",
    )
    disable_verification: bool = Field(
        default=False,
        description="Accept any server certificate on every TLS account. Anyone on the path "
        "can then listen in; each account using TLS reports that it is not verified.",
    )
    domain_certificate: OptPath = Field(
        default=None,
        description="The manual's 'load domain certificate': a PEM file of certificates "
        "trusted for all TLS accounts, besides each account's ca_file; when it also holds a "
        'private key, it is the client certificate of accounts set to "default".',
    )

    @field_validator("domain_certificate", mode="after")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None
