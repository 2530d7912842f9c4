"""The building blocks of the settings model: the choices (literal types), the
validators that turn a setting's text into a checked value, and the model configuration
every table shares (unknown keys are errors, assignments are validated)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict

from parley.settings.addresses import (
    check_dns_server,
    check_host,
    check_hostname,
    check_no_control_chars,
    check_sip_uri_or_host_port,
    split_host_port,
)
from parley.settings.keys import check_key_sequence

Transport = Literal["udp", "tcp", "tls", "auto"]
IpVersion = Literal["auto", "ipv4", "ipv6"]
Codec = Literal["opus", "g722", "pcma", "pcmu"]
DtmfMode = Literal["rfc4733", "info", "inband"]
SrtpMode = Literal["off", "optional", "mandatory"]
# SDES suites Parley runs (the same names as `parley.sip.sdes.SRTP_SUITES`).
SrtpSuite = Literal[
    "AES_CM_128_HMAC_SHA1_80",
    "AES_CM_128_HMAC_SHA1_32",
    "AEAD_AES_128_GCM",
    "AEAD_AES_256_GCM",
    "AES_256_CM_HMAC_SHA1_80",
    "AES_256_CM_HMAC_SHA1_32",
]
LogLevel = Literal["debug", "info", "warning", "error"]
# The manual's eight presence states, as the console and the settings file spell them
# (the same values as `parley.sip.pidf.PresenceState`).
TlsClientCertMode = Literal["none", "default", "file", "self-signed"]
PresenceName = Literal[
    "online", "invisible", "away", "busy", "offline", "lunch", "on-the-phone", "brb"
]

DEFAULT_CODECS: tuple[Codec, ...] = ("opus", "g722", "pcma", "pcmu")


# The fields a recording's file name may use (`recording_name`); case is ignored.
RECORDING_FIELDS = (
    "DNID", "name", "phone", "number", "account",
    "YYYY", "MM", "DD", "hh", "NN", "ss", "recording_part",
)  # fmt: skip
DEFAULT_RECORDING_NAME = (
    "recorded_conversation_{YYYY}-{MM}-{DD}-{hh}_{NN}_{ss}_{account}_{number}_part{recording_part}"
)


def check_recording_name(value: str) -> str:
    """Only known fields in braces, and no folder separators."""
    if not value.strip():
        raise ValueError("a recording needs a file name; e.g. " + DEFAULT_RECORDING_NAME)
    if "/" in value or "\\" in value:
        raise ValueError("the recording name is a file name: no / or \\ (set recording_dir)")
    known = {f.casefold() for f in RECORDING_FIELDS}
    for field in re.findall(r"\{([^{}]*)\}", value):
        if field.casefold() not in known:
            raise ValueError(
                f"{{{field}}} is not a recording name field; use "
                + ", ".join("{" + f + "}" for f in RECORDING_FIELDS)
            )
    return value


def _lower(value: Any) -> Any:
    """Accept ``"UDP"`` for ``"udp"``: choices are compared without case."""
    return value.strip().lower() if isinstance(value, str) else value


def _blank_to_none(value: Any) -> Any:
    """TOML has no null: an empty string means "not set" for optional settings."""
    return None if isinstance(value, str) and not value.strip() else value


def _check_domain(value: str) -> str:
    split_host_port(value)
    return value.strip()


def _check_extension(value: str) -> str:
    check_no_control_chars(value)
    if not value or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not a dialable extension (no spaces allowed)")
    return value


def _check_name(value: str) -> str:
    check_no_control_chars(value)
    if value != value.strip():
        raise ValueError(f"{value!r} starts or ends with spaces")
    return value


def _check_user(value: str) -> str:
    check_no_control_chars(value)
    if any(c.isspace() for c in value):
        raise ValueError(f"{value!r} contains spaces")
    return value


PlainText = Annotated[str, AfterValidator(check_no_control_chars)]
KeySequence = Annotated[str, AfterValidator(check_key_sequence)]  # "" = off
LowerTransport = Annotated[Transport, BeforeValidator(_lower)]
LowerCodec = Annotated[Codec, BeforeValidator(_lower)]
LowerDtmfMode = Annotated[DtmfMode, BeforeValidator(_lower)]
LowerLogLevel = Annotated[LogLevel, BeforeValidator(_lower)]
DnsServer = Annotated[str, AfterValidator(check_dns_server)]
OptText = Annotated[PlainText | None, BeforeValidator(_blank_to_none)]
OptPort = Annotated[int | None, BeforeValidator(_blank_to_none)]  # "" (a blank field) = not set
OptUser = Annotated[
    Annotated[str, AfterValidator(_check_user)] | None, BeforeValidator(_blank_to_none)
]
OptExtension = Annotated[
    Annotated[str, AfterValidator(_check_extension)] | None, BeforeValidator(_blank_to_none)
]
OptProxy = Annotated[
    Annotated[str, AfterValidator(check_sip_uri_or_host_port)] | None,
    BeforeValidator(_blank_to_none),
]
OptHostname = Annotated[
    Annotated[str, AfterValidator(check_hostname)] | None, BeforeValidator(_blank_to_none)
]
OptHost = Annotated[  # a name, an IPv4 address or a bracketed IPv6 address
    Annotated[str, AfterValidator(check_host)] | None, BeforeValidator(_blank_to_none)
]
OptPath = Annotated[Path | None, BeforeValidator(_blank_to_none)]

_MODEL_CONFIG = ConfigDict(
    extra="forbid",
    frozen=False,
    validate_assignment=True,
    validate_default=True,
    str_strip_whitespace=False,
)
