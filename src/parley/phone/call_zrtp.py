"""A call's ZRTP (RFC 6189): the sans-IO `ZrtpSession` driven on the call's RTP socket.

`CallZrtp` owns one session per call, made when our first SDP with ZRTP goes out
(`decorate` puts `a=zrtp-hash` in it, §8.1; `peer_sdp` hands the peer's value over).
Two adapters go around the stream's transport:

- `ZrtpDemux` (below): takes the datagrams with the ZRTP header (first byte 0x10 and
  the magic cookie "ZRTP", §5) out of the RTP flow and gives them to the session; what
  the session sends goes out raw on the RTP socket, to where RTP goes.
- an `SrtpTransport` (above, from `start`): plain until `ZrtpSecure`, then keyed with
  ZRTP's SRTP keys — we protect with the keys of our role (initiator or responder) and
  unprotect with the other side's (the session already gives them as send/receive).

Media flows plain until the exchange ends (RFC 6189 §4: ZRTP runs alongside RTP), so a
peer without ZRTP is still heard; the call reports "zrtp" only once the keys are in use.
When the call got SDES keys (`parley.phone.call_srtp`) ZRTP is not started: one key
agreement per stream, SDES first (what linphone and baresip do too).

Time comes from the given `clock` (the engine loop's time) and one timer is armed with
the given `call_at`, so a unit test drives it with a fake clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from parley.media.srtp import SRTP_PROFILES, SrtpTransport
from parley.media.transport import Address, MediaTransport, TransportAdapter
from parley.media.zrtp import (
    CipherAlgorithm,
    ZidCache,
    ZrtpCacheMismatch,
    ZrtpConfig,
    ZrtpError,
    ZrtpFailed,
    ZrtpSecure,
    ZrtpSession,
    looks_like_zrtp,
)
from parley.media.zrtp.events import FailReason

if TYPE_CHECKING:
    from parley.media.stream import RtpStream
    from parley.sip.sdp import SessionDescription

log = logging.getLogger(__name__)

ZRTP_HASH = "zrtp-hash"


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


class ZrtpDemux(TransportAdapter):
    """Splits ZRTP from RTP on the way in; sends ZRTP packets untouched on the way out."""

    def __init__(self, inner: MediaTransport, on_zrtp: Callable[[bytes, Address], None]) -> None:
        super().__init__(inner)
        self._on_zrtp = on_zrtp

    def _rtp_in(self, data: bytes, source: Address) -> bool:
        if looks_like_zrtp(data):
            self._on_zrtp(data, source)
            return False  # never latches, never reaches the RTP session
        return self._on_rtp(data, source)

    def send_zrtp(self, packet: bytes) -> bool:
        return self.inner.send_rtp(packet)


def _audio(sdp: SessionDescription) -> int | None:
    for i, m in enumerate(sdp.media):
        if m.media.lower() == "audio" and m.port != 0:
            return i
    return None


class CallZrtp:
    """ZRTP for one call. `cache`: gives the ZID cache (made on first use); `clock` and
    `call_at`: the loop's time and timer; `changed`: the call reports itself again (SAS
    shown, verified, mismatch)."""

    def __init__(
        self,
        enabled: bool,
        cache: Callable[[], ZidCache],
        clock: Callable[[], float],
        call_at: Callable[[float, Callable[[], None]], TimerHandle],
        changed: Callable[[], None],
    ) -> None:
        self.enabled = enabled
        self._cache = cache
        self._clock = clock
        self._call_at = call_at
        self._changed = changed
        self.session: ZrtpSession | None = None
        self._demux: ZrtpDemux | None = None
        self.adapter: SrtpTransport | None = None
        self._timer: TimerHandle | None = None
        self.started = False
        self.skipped = False  # SDES keys won: no ZRTP on this call
        self.secure: ZrtpSecure | None = None
        self.failed: FailReason | None = None
        self.cache_mismatch = False
        self.sas_verified = False
        self._closed = False

    # ---------------------------------------------------------------- SDP

    def decorate(self, sdp: SessionDescription, stream: RtpStream | None) -> None:
        """Our a=zrtp-hash into the audio section of an offer or answer (§8.1)."""
        if not self.enabled or self.skipped or stream is None:
            return
        index = _audio(sdp)
        if index is None:
            return
        self._ensure_session(stream)
        assert self.session is not None
        media = sdp.media[index]
        media.remove_attr(ZRTP_HASH)
        media.add_attr(ZRTP_HASH, self.session.zrtp_hash)

    def peer_sdp(self, sdp: SessionDescription) -> None:
        """The peer's a=zrtp-hash (media level, else session level)."""
        if not self.enabled or self.session is None:
            return
        index = _audio(sdp)
        value = (sdp.media[index].attr(ZRTP_HASH) if index is not None else None) or sdp.attr(
            ZRTP_HASH
        )
        if not value:
            return
        try:
            self.session.set_peer_zrtp_hash(value)
        except ZrtpError as exc:
            log.info("ignoring the peer's a=zrtp-hash %r: %s", value, exc)
        self._pump()

    # ---------------------------------------------------------------- media

    def _ensure_session(self, stream: RtpStream) -> None:
        if self.session is not None:
            return
        config = ZrtpConfig(
            ssrc=stream.ssrc,
            # Only ciphers our SRTP adapter runs (AES-256 counter mode is not in libsrtp's
            # Python binding): AES1 with HS80 or HS32.
            ciphers=tuple(c for c in (CipherAlgorithm.AES1,) if _runs(c)),
        )
        self.session = ZrtpSession(config, self._cache(), self._clock())
        made: list[ZrtpDemux] = []

        def wrap(inner: MediaTransport) -> MediaTransport:
            made.append(ZrtpDemux(inner, self._received))
            return made[0]

        stream.wrap_transport(wrap)
        self._demux = made[0]

    def start(self, stream: RtpStream, sdes_keys: bool) -> None:
        """The call is up: run the exchange (once). `sdes_keys`: the call already has
        SRTP keys from its SDP, so ZRTP stays out."""
        if not self.enabled or self.started or self._closed:
            return
        if sdes_keys:
            self.skipped = True
            return
        if self.session is None:  # e.g. an answer made without our hash (none offered)
            self._ensure_session(stream)
        self.started = True
        made: list[SrtpTransport] = []

        def wrap(inner: MediaTransport) -> MediaTransport:
            made.append(SrtpTransport.pending(inner))
            return made[0]

        stream.wrap_transport(wrap)
        self.adapter = made[0]
        self.adapter.set_plain()  # plain until the keys are agreed (RFC 6189 allows)
        self._pump()

    def _received(self, data: bytes, source: Address) -> None:
        if self.session is None or self._closed:
            return
        self.session.receive(data, self._clock())
        self._pump()

    def _on_timer(self) -> None:
        self._timer = None
        if self.session is None or self._closed:
            return
        self.session.handle_timer(self._clock())
        self._pump()

    def _pump(self) -> None:
        """Send what the session has, take its events, re-arm its one timer."""
        session = self.session
        if session is None or not self.started or self._closed:
            return
        assert self._demux is not None
        for packet in session.send_pending():
            self._demux.send_zrtp(packet)
        changed = False
        while (event := session.next_event()) is not None:
            changed = self._event(event) or changed
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        at = session.get_timer()
        if at is not None:
            self._timer = self._call_at(at, self._on_timer)
        if changed:
            self._changed()

    def _event(self, event: object) -> bool:
        if isinstance(event, ZrtpCacheMismatch):
            log.warning("ZRTP: the retained secret does not match (possible man in the middle)")
            self.cache_mismatch = True
            return True
        if isinstance(event, ZrtpSecure):
            assert self.adapter is not None
            self.adapter.set_keys(
                event.srtp_profile,
                event.send_key + event.send_salt,
                event.receive_key + event.receive_salt,
            )
            self.secure = event
            self.sas_verified = event.sas_verified
            log.info(
                "ZRTP secure as %s with %s, SAS %s", event.role.value, event.srtp_profile, event.sas
            )
            return True
        if isinstance(event, ZrtpFailed):
            log.info(
                "ZRTP failed (%s, %s): media stays plain", event.reason.value, event.error_code
            )
            self.failed = event.reason
            return True
        log.debug("ZRTP: %r", event)
        return False

    # ---------------------------------------------------------------- the user

    def set_sas_verified(self, verified: bool) -> None:
        """The user compared the SAS (or withdrew it); RuntimeError before keys."""
        if self.session is None or self.secure is None:
            raise RuntimeError("no secure ZRTP session on this call")
        self.session.set_sas_verified(verified)
        self.sas_verified = verified
        if verified:
            self.cache_mismatch = False  # the user settled it by comparing the SAS
        self._changed()

    @property
    def media_encryption(self) -> str | None:
        """ "zrtp" once media runs under ZRTP's keys, else None (ask SDES)."""
        active = self.adapter is not None and self.adapter.active
        return "zrtp" if self.secure is not None and active else None

    @property
    def sas(self) -> str:
        return self.secure.sas if self.secure is not None else ""

    def stats(self) -> dict[str, object]:
        if not self.enabled:
            return {}
        data: dict[str, object] = {
            "zrtp_state": self.session.state.value if self.session is not None else "none",
            "sas": self.sas,
            "sas_verified": self.sas_verified,
        }
        if self.adapter is not None:
            c = self.adapter.counters
            data.update(
                zrtp_srtp_protected=c.protected,
                zrtp_srtp_unprotected=c.unprotected,
                zrtp_srtp_rejected_rtp=c.rejected_rtp,
            )
        return data

    def close(self) -> None:
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _runs(cipher: CipherAlgorithm) -> bool:
    suite = (
        "AES_CM_128_HMAC_SHA1_80" if cipher is CipherAlgorithm.AES1 else "AES_256_CM_HMAC_SHA1_80"
    )
    return suite in SRTP_PROFILES
