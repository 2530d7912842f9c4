"""ZRTP (RFC 6189): media-path key agreement for SRTP, as a sans-IO state machine.

`ZrtpSession` runs the exchange for one media stream; `ZidCache` / `FileZidCache`
keep our ZID and the retained secrets between calls. The SRTP keys come out in the
`ZrtpSecure` event; a transport adapter around the RTP socket feeds the session the
datagrams for which `looks_like_zrtp` is true.

Wiring one stream (the adapter's job):

- `ZrtpSession(ZrtpConfig(ssrc=<our RTP SSRC>), cache, now)` when media starts; put
  `a=zrtp-hash:{session.zrtp_hash}` in our SDP and give the peer's value to
  `set_peer_zrtp_hash` when its SDP arrives.
- Datagrams from the peer's RTP address with `looks_like_zrtp(data)` go to
  `receive(data, now)`; after every call, send `send_pending()` to that address and
  re-arm one timer at `get_timer()` that calls `handle_timer(now)`.
- Drain `next_event()`: on `ZrtpSecure` start SRTP with the master key `send_key` +
  `send_salt` outbound and `receive_key` + `receive_salt` inbound, profile
  `srtp_profile`; show `sas` and `sas_verified`; `ZrtpCacheMismatch` is the warning
  of a possible man in the middle; `ZrtpFailed` means no keys (plain RTP, or end the
  call if encryption is mandatory). "Verify"/"unverify" call `set_sas_verified`.
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
