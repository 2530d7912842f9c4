"""ZRTP (RFC 6189): media-path key agreement for SRTP, as a sans-IO state machine.

`ZrtpSession` runs the exchange for one media stream; `ZidCache` / `FileZidCache`
keep our ZID and the retained secrets between calls. The SRTP keys come out in the
`ZrtpSecure` event; a transport adapter around the RTP socket feeds the session the
datagrams for which `looks_like_zrtp` is true.
"""

from parley.media.zrtp.algorithms import AuthTag, CipherAlgorithm, KeyAgreement
from parley.media.zrtp.cache import FileZidCache, PeerSecrets, ZidCache, ZrtpCacheCorrupt
from parley.media.zrtp.errors import ErrorCode, ZrtpError
from parley.media.zrtp.events import (
    DiscardReason,
    FailReason,
    Role,
    ZrtpCacheMismatch,
    ZrtpDiscarded,
    ZrtpEvent,
    ZrtpFailed,
    ZrtpGoClearRefused,
    ZrtpSecure,
)
from parley.media.zrtp.packets import looks_like_zrtp
from parley.media.zrtp.session import State, ZrtpConfig, ZrtpSession, parse_zrtp_hash

__all__ = [
    "AuthTag",
    "CipherAlgorithm",
    "DiscardReason",
    "ErrorCode",
    "FailReason",
    "FileZidCache",
    "KeyAgreement",
    "PeerSecrets",
    "Role",
    "State",
    "ZidCache",
    "ZrtpCacheCorrupt",
    "ZrtpCacheMismatch",
    "ZrtpConfig",
    "ZrtpDiscarded",
    "ZrtpError",
    "ZrtpEvent",
    "ZrtpFailed",
    "ZrtpGoClearRefused",
    "ZrtpSecure",
    "ZrtpSession",
    "looks_like_zrtp",
    "parse_zrtp_hash",
]
