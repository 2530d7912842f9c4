"""ZRTP error codes (RFC 6189 §5.9) and the exception for everything refused.

`ZrtpError` is what the packet codec, the crypto helpers and the state machine raise
for input from the network that cannot be accepted; the session catches it, answers
with an Error message where the RFC says so, and never lets it out of `receive`.
"""

from __future__ import annotations

from enum import IntEnum


class ErrorCode(IntEnum):
    """The Error message codes of RFC 6189 §5.9."""

    MALFORMED_PACKET = 0x10
    CRITICAL_SOFTWARE_ERROR = 0x20
    UNSUPPORTED_VERSION = 0x30
    HELLO_COMPONENTS_MISMATCH = 0x40
    HASH_NOT_SUPPORTED = 0x51
    CIPHER_NOT_SUPPORTED = 0x52
    KEY_AGREEMENT_NOT_SUPPORTED = 0x53
    AUTH_TAG_NOT_SUPPORTED = 0x54
    SAS_NOT_SUPPORTED = 0x55
    NO_SHARED_SECRET = 0x56
    DH_BAD_PUBLIC_VALUE = 0x61
    DH_HVI_MISMATCH = 0x62
    UNTRUSTED_MITM = 0x63
    BAD_CONFIRM_MAC = 0x70
    NONCE_REUSE = 0x80
    EQUAL_ZIDS = 0x90
    SSRC_COLLISION = 0x91
    SERVICE_UNAVAILABLE = 0xA0
    PROTOCOL_TIMEOUT = 0xB0
    GOCLEAR_NOT_ALLOWED = 0x100


class ZrtpError(ValueError):
    """Input refused. `code` is the Error code the RFC has for it (malformed by default).

    The text is for logs; front-ends make their own words from `code`.
    """

    def __init__(self, detail: str, code: ErrorCode = ErrorCode.MALFORMED_PACKET) -> None:
        super().__init__(detail)
        self.code = code
