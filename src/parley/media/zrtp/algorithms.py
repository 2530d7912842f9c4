"""The algorithm names of a ZRTP Hello and Commit (RFC 6189 §5.1.2-§5.1.6).

On the wire every algorithm is a 4-character block. The enums hold the ones Parley
implements; lists read from a peer stay plain strings, since a peer may offer names
we do not know (Twofish, Skein, Curve25519 ...), and those are simply not chosen.
"""

from __future__ import annotations

from enum import StrEnum


class HashAlgorithm(StrEnum):
    """Negotiated hash (§5.1.2). S256 is mandatory and the only one implemented."""

    S256 = "S256"


class CipherAlgorithm(StrEnum):
    """Block cipher for Confirm/SASrelay and SRTP (§5.1.3). AES1 is mandatory."""

    AES1 = "AES1"
    AES3 = "AES3"

    @property
    def key_bytes(self) -> int:
        return 16 if self is CipherAlgorithm.AES1 else 32


class AuthTag(StrEnum):
    """SRTP authentication tag (§5.1.4): HMAC-SHA1 truncated to 32 or 80 bits."""

    HS32 = "HS32"
    HS80 = "HS80"


class KeyAgreement(StrEnum):
    """Key agreement types (§5.1.5). DH3k is mandatory; Mult and Prsh are the
    non-DH modes, recognised so that a Commit using them is refused cleanly."""

    DH2K = "DH2k"
    EC25 = "EC25"
    DH3K = "DH3k"
    MULT = "Mult"
    PRSH = "Prsh"

    @property
    def public_value_bytes(self) -> int:
        """Length of pvi/pvr in DHPart1/2 (§5.5)."""
        return _PV_BYTES[self]

    @property
    def is_dh_mode(self) -> bool:
        return self not in (KeyAgreement.MULT, KeyAgreement.PRSH)


_PV_BYTES = {
    KeyAgreement.DH2K: 256,
    KeyAgreement.EC25: 64,
    KeyAgreement.DH3K: 384,
    KeyAgreement.MULT: 0,
    KeyAgreement.PRSH: 0,
}

# §4.1.2: when the two parties' first choices differ, the faster one is used. The
# RFC's order from fastest to slowest (names Parley does not implement included, so
# that the ranking of the ones it does is right).
KEY_AGREEMENT_SPEED = ("DH2k", "EC25", "DH3k", "EC38", "EC52")


class SasType(StrEnum):
    """SAS rendering (§5.1.6). B32 (four base-32 characters) is mandatory."""

    B32 = "B32 "


# §5.1: algorithms every endpoint supports even when its Hello does not list them.
MANDATORY = {
    "hash": (HashAlgorithm.S256.value,),
    "cipher": (CipherAlgorithm.AES1.value,),
    "auth": (AuthTag.HS32.value, AuthTag.HS80.value),
    "key_agreement": (KeyAgreement.DH3K.value,),
    "sas": (SasType.B32.value,),
}
