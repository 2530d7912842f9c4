"""SRTP and SRTCP (RFC 3711, RFC 6188, RFC 7714) as a transport adapter, on pylibsrtp
(the AES-256 counter-mode suites of RFC 6188 on our own `parley.media.srtp_aes256`).

`SrtpTransport` wraps the call's media transport (`parley.media.transport`): every RTP
and RTCP packet is protected on the way out and unprotected on the way in; the RTP
session above it never sees a key. A packet that fails authentication (or is a replay)
is counted and dropped, never raised: a stray or forged packet cannot end a call, and
since a dropped packet never reaches the session it cannot move symmetric-RTP latching.

Keys may change mid-call (a re-INVITE with new SDES keys, RFC 4568 §7.1.4):
`set_keys` starts new contexts, and the previous receiving context is still tried for
packets that were under way with the old key.

An adapter made with `SrtpTransport.pending` has no keys yet and drops every packet both
ways: put in place before an SRTP offer goes out, it keeps the far end's early SRTP
packets from latching or playing as noise and keeps us from sending one plain packet.
`set_plain` opens it for plain RTP (the optional mode, when the answer had no keys); an
adapter that once had keys never turns plain.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pylibsrtp

from parley.media.srtp_aes256 import AES_CM_SUITES, AesCmSession, SrtpError
from parley.media.transport import MediaTransport, TransportAdapter

log = logging.getLogger(__name__)

__all__ = ["SRTP_PROFILES", "SrtpCounters", "SrtpTransport", "supported_suites"]

# RFC 4568 / RFC 7714 suite names -> libsrtp profiles.
SRTP_PROFILES: dict[str, int] = {
    "AES_CM_128_HMAC_SHA1_80": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    "AES_CM_128_HMAC_SHA1_32": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_32,
    "AEAD_AES_128_GCM": pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_128_GCM,
    "AEAD_AES_256_GCM": pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_256_GCM,
}


def supported_suites() -> tuple[str, ...]:
    return (*SRTP_PROFILES, *AES_CM_SUITES)


# What can go wrong in a session's four methods (libsrtp's error or our own).
_ERRORS = (pylibsrtp.Error, SrtpError)


@dataclass
class SrtpCounters:
    """What went through the adapter; `rejected` counts packets dropped by the checks."""

    protected: int = 0
    unprotected: int = 0
    rejected_rtp: int = 0
    rejected_rtcp: int = 0


def _session(suite: str, key: bytes, *, outbound: bool) -> pylibsrtp.Session | AesCmSession:
    if suite.upper() in AES_CM_SUITES:  # no libsrtp profile: our own transform
        return AesCmSession(suite, key)
    profile = SRTP_PROFILES.get(suite.upper())
    if profile is None:
        raise ValueError(f"unsupported SRTP suite {suite}")
    policy = pylibsrtp.Policy(
        key=key,
        ssrc_type=(
            pylibsrtp.Policy.SSRC_ANY_OUTBOUND if outbound else pylibsrtp.Policy.SSRC_ANY_INBOUND
        ),
        srtp_profile=profile,
    )
    policy.allow_repeat_tx = True  # a retransmitted RTCP report is not an error
    policy.window_size = 1024  # generous replay window: jitter reorders packets
    return pylibsrtp.Session(policy)


class SrtpTransport(TransportAdapter):
    """SRTP around `inner`. `suite`: an RFC 4568 name; keys are key||salt."""

    def __init__(
        self, inner: MediaTransport, suite: str, send_key: bytes, receive_key: bytes
    ) -> None:
        super().__init__(inner)
        self.counters = SrtpCounters()
        self.suite: str | None = None
        self.plain = False
        self._tx: pylibsrtp.Session | AesCmSession | None = None
        self._rx: pylibsrtp.Session | AesCmSession | None = None
        self._old_rx: pylibsrtp.Session | AesCmSession | None = None
        self._keys: tuple[str, bytes, bytes] | None = None
        if suite:
            self.set_keys(suite, send_key, receive_key)

    @classmethod
    def pending(cls, inner: MediaTransport) -> SrtpTransport:
        """An adapter without keys yet: nothing passes until `set_keys` or `set_plain`."""
        return cls(inner, "", b"", b"")

    @property
    def active(self) -> bool:
        """Whether media runs under SRTP keys."""
        return self._keys is not None

    def set_plain(self) -> None:
        """Let plain RTP through (no keys were agreed); refused once keys were in use."""
        if self._keys is None:
            self.plain = True

    def set_keys(self, suite: str, send_key: bytes, receive_key: bytes) -> None:
        """New keys (a re-INVITE): nothing happens when they are the ones in use."""
        keys = (suite.upper(), send_key, receive_key)
        if keys == self._keys:
            return
        old = self._keys
        if old is None or keys[:2] != old[:2]:
            self._tx = _session(suite, send_key, outbound=True)
        if old is None or keys[0::2] != old[0::2]:
            self._old_rx = self._rx
            self._rx = _session(suite, receive_key, outbound=False)
        self.suite = keys[0]
        self._keys = keys
        self.plain = False

    def protect_rtp(self, data: bytes) -> bytes | None:
        if self._tx is None:
            return data if self.plain else None
        try:
            out: bytes = self._tx.protect(data)
        except _ERRORS as exc:  # e.g. a malformed packet of our own
            log.debug("SRTP protect failed: %s", exc)
            return None
        self.counters.protected += 1
        return out

    def protect_rtcp(self, data: bytes) -> bytes | None:
        if self._tx is None:
            return data if self.plain else None
        try:
            out: bytes = self._tx.protect_rtcp(data)
        except _ERRORS as exc:
            log.debug("SRTCP protect failed: %s", exc)
            return None
        return out

    def unprotect_rtp(self, data: bytes) -> bytes | None:
        if self._rx is None and self.plain:
            return data
        for session in (self._rx, self._old_rx):
            if session is None:
                continue
            try:
                plain: bytes = session.unprotect(data)
            except _ERRORS:
                continue
            except Exception:  # never let a packet kill the engine
                log.exception("SRTP unprotect crashed")
                break
            self.counters.unprotected += 1
            return plain
        self.counters.rejected_rtp += 1
        return None

    def unprotect_rtcp(self, data: bytes) -> bytes | None:
        if self._rx is None and self.plain:
            return data
        for session in (self._rx, self._old_rx):
            if session is None:
                continue
            try:
                plain: bytes = session.unprotect_rtcp(data)
            except _ERRORS:
                continue
            except Exception:
                log.exception("SRTCP unprotect crashed")
                break
            return plain
        self.counters.rejected_rtcp += 1
        return None
