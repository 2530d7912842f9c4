"""What a ZRTP session tells the layer above: frozen dataclasses with codes, no text."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from parley.media.zrtp.algorithms import AuthTag, CipherAlgorithm, KeyAgreement
from parley.media.zrtp.errors import ErrorCode


class Role(Enum):
    INITIATOR = "initiator"
    RESPONDER = "responder"


class FailReason(Enum):
    """Why a session ended without keys."""

    NO_HELLO_ANSWER = "no_hello_answer"  # T1 ran out: the peer does not speak ZRTP
    TIMEOUT = "timeout"  # T2 ran out in the middle of the exchange
    PEER_ERROR = "peer_error"  # the peer sent an Error message (code in error_code)
    PROTOCOL_ERROR = "protocol_error"  # we refused the peer's message with an Error
    HELLO_HASH_MISMATCH = "hello_hash_mismatch"  # peer Hello vs a=zrtp-hash (§8.1)


class DiscardReason(Enum):
    """Why a received packet was dropped without an answer (kept for the log)."""

    MALFORMED = "malformed"  # bad CRC, header, length or structure
    UNEXPECTED = "unexpected"  # not a message this state takes
    BAD_MAC = "bad_mac"  # a message MAC that does not verify (§9)
    HASH_CHAIN = "hash_chain"  # a revealed hash image that does not hash to the last
    HELLO_CHANGED = "hello_changed"  # a second, different Hello from the peer
    HELLO_HASH_MISMATCH = "hello_hash_mismatch"  # Hello does not match a=zrtp-hash
    NEWER_VERSION = "newer_version"  # the peer's Hello is of a later version (§4.1.1)
    LOST_CONTENTION = "lost_contention"  # the peer's Commit lost to ours (§4.2)
    ERROR_WHILE_SECURE = "error_while_secure"  # an Error after keys were agreed
    UNTRUSTED_SAS_RELAY = "untrusted_sas_relay"  # SASrelay: we trust no MiTM (§7.3)


@dataclass(frozen=True)
class ZrtpSecure:
    """Keys agreed and confirmed: SRTP may start. `send_*` protect what we send,
    `receive_*` what the peer sends (the initiator sends with the "Initiator" keys).
    The keys stay out of the repr, so that logging the event does not log them."""

    sas: str
    sas_verified: bool
    role: Role
    cipher: CipherAlgorithm
    auth_tag: AuthTag
    key_agreement: KeyAgreement
    peer_zid: bytes
    send_key: bytes = field(repr=False)
    send_salt: bytes = field(repr=False)
    receive_key: bytes = field(repr=False)
    receive_salt: bytes = field(repr=False)

    @property
    def srtp_profile(self) -> str:
        """The SRTP crypto suite name these keys are for (RFC 4568 / RFC 6188)."""
        size = "128" if self.cipher is CipherAlgorithm.AES1 else "256"
        tag = "80" if self.auth_tag is AuthTag.HS80 else "32"
        return f"AES_CM_128_HMAC_SHA1_{tag}" if size == "128" else f"AES_256_CM_HMAC_SHA1_{tag}"


@dataclass(frozen=True)
class ZrtpFailed:
    reason: FailReason
    error_code: ErrorCode | int | None = None


@dataclass(frozen=True)
class ZrtpCacheMismatch:
    """We held a retained secret for this peer and it did not match (§4.3.2): the
    SAS must be compared anew; a man in the middle is possible."""

    peer_zid: bytes


@dataclass(frozen=True)
class ZrtpGoClearRefused:
    """The peer asked to fall back to clear media (GoClear) and was told no."""


@dataclass(frozen=True)
class ZrtpDiscarded:
    reason: DiscardReason


ZrtpEvent = ZrtpSecure | ZrtpFailed | ZrtpCacheMismatch | ZrtpGoClearRefused | ZrtpDiscarded
