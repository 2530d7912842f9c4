"""A call: the INVITE session (signalling), its SDP, its RTP stream and its bridge slots.

`parley.sip.invite.InviteSession` decides what goes over the wire. It is attached to the
user-agent core as an `InviteUsage`, which routes its dialogs' requests to it, sends its
responses and fires its timers. This class gives it what it cannot have — where its
requests go (RFC 3263), SDP built from the account's codec list, audio — and turns its
events into the states a person sees: dialing, ringing, early media, incoming,
connected, held (by us, by them, both), ended.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from parley.media.codecs import get_codec
from parley.media.dtmf import DtmfDigit
from parley.media.stream import RtpStream
from parley.media.transport import RtpPortError, UdpMediaTransport
from parley.net.address import Address, TransportError
from parley.net.stun_client import StunFailure, media_socket_binding, resolve_server
from parley.phone.avpf_fallback import retry_without_avpf
from parley.phone.call_srtp import CallCrypto, signalling_of_request
from parley.phone.call_zrtp import CallZrtp
from parley.phone.context import CallContext
from parley.phone.events import (
    CallDirection,
    CallNote,
    CallPhase,
    CallStateChanged,
    DtmfReceived,
    EndCause,
    HeldBy,
    Party,
)
from parley.phone.large_requests import LargeRequests
from parley.phone.nat import effective_stun, rtp_port_range
from parley.phone.redirect import follow_redirect
from parley.sip.headers import NameAddr, SipParseError
from parley.sip.invite import Credentials, InviteSession, SessionConfig
from parley.sip.invite_events import (
    AnswerReceived,
    CallState,
    DtmfInfoReceived,
    OfferReceived,
    OfferRejected,
    OfferRequested,
    SendAck,
    SendRequest,
    SessionOutput,
    StateChanged,
)
from parley.sip.invite_usage import InviteUsage
from parley.sip.message import Request
from parley.sip.offer_answer import (
    CodecSpec,
    NegotiatedMedia,
    OfferAnswerError,
    SessionParams,
    hold_offer,
    make_answer,
    make_offer,
    process_answer,
)
from parley.sip.registration import proxy_uri
from parley.sip.request_client import ClientCallbacks
from parley.sip.sdes import CryptoError, SrtpKeys
from parley.sip.sdp import SdpParseError, SessionDescription, parse_sdp
from parley.sip.session_timer import SessionTimerConfig
from parley.sip.transaction_server import ServerTransaction
from parley.sip.uri import SipURI

if TYPE_CHECKING:
    from parley.media.engine import CallMedia
    from parley.phone.account import Account
    from parley.phone.redirect import RedirectTargets

log = logging.getLogger(__name__)

STUN_RTP_WAIT = 2.0  # seconds a call waits for its RTP port's STUN answer

_ids = itertools.count(1)

BUSY_STATUSES = (486, 600, 603)
BUSY_TONE_SECONDS = 3.0

INFO_DTMF_DURATION_MS = 160  # Duration= of a SIP INFO key press
INFO_DTMF_INTERVAL = 0.25  # seconds between INFO key presses of one `dtmf` command


class Call:
    """One call. Build with `Call.outgoing()` or `Call.incoming()`."""

    def __init__(self, ctx: CallContext, account: Account, direction: str) -> None:
        self.id = next(_ids)
        self.ctx = ctx
        self.account = account
        self.direction = direction
        self.state = "dialing" if direction == "outgoing" else "incoming"
        self.remote = ""
        self.remote_name: str | None = None
        self.session: InviteSession
        self.usage: InviteUsage
        self.stream: RtpStream | None = None
        self.media: CallMedia | None = None
        self.negotiated: NegotiatedMedia | None = None
        self.local_sdp: SessionDescription | None = None
        self._offer_sent: SessionDescription | None = None  # our offer awaiting an answer
        self._remote_offer: SessionDescription | None = None
        self.held_by_us = False
        self.held_by_them = False
        self.muted = False
        # Set while the call is in a local conference, which wires its audio itself.
        self.audio_hook: Callable[[Call], None] | None = None
        self.ended = False
        self.end_status: int | None = None
        self.end_cause: EndCause | None = None  # why it ended, once it did
        self.end_detail = ""  # the offer/answer problem behind MEDIA_FAILED
        self.ended_by: Party | None = None
        self.connected_at: float | None = None
        self.note: CallNote | None = None  # forwarded, deflected, replaced, auto answered...
        self.redirects: RedirectTargets | None = None  # the 3xx targets still to try
        self.avpf_refused = False  # our RTP/AVPF offer got 488: plain RTP/AVP from then on
        self._headers: list[tuple[str, str]] = []  # extra headers of our INVITE
        self._tasks: set[asyncio.Task[None]] = set()
        self._done = asyncio.Event()
        self._send_lock = asyncio.Lock()  # FIFO: requests leave in the order they were made
        self._large = LargeRequests(ctx.driver)  # big requests over TCP (RFC 3261 §18.1.1)
        self.crypto = CallCrypto(account.settings, self._account_signalling())
        self.zrtp = CallZrtp(
            account.settings.zrtp,
            ctx.zrtp_cache,
            lambda: self.now,
            lambda at, callback: asyncio.get_running_loop().call_at(at, callback),
            self._zrtp_changed,
        )
        self._rtp_mapped: tuple[str, int] | None = None  # the RTP socket's public address

    # ---------------------------------------------------------------- construction

    @classmethod
    async def outgoing(
        cls,
        ctx: CallContext,
        account: Account,
        target: SipURI,
        *,
        headers: list[tuple[str, str]] | None = None,
    ) -> Call:
        """`headers`: extra headers for the INVITE (Referred-By, Replaces...)."""
        call = cls(ctx, account, "outgoing")
        call._headers = list(headers or [])
        if target.scheme == "sips":
            call.crypto = CallCrypto(account.settings, "tls")
        call._new_session(target)
        if call.crypto.refuses_outgoing:
            # Mandatory SRTP, but the keys would go out in clear text: no INVITE at all.
            call.end_cause = EndCause.MEDIA_FAILED
            call._end(None, "", EndCause.MEDIA_FAILED, Party.LOCAL, "SRTP keys need TLS")
            call._done.set()
            return call
        await call._open_stream()
        offer = call._make_offer()
        call._offer_sent = offer
        call._run(call.session.invite(offer.to_bytes(), call.now))
        return call

    def _account_signalling(self) -> str:
        server = self.account.server
        transport = server.transport if server is not None else self.account.settings.transport
        return transport.lower() if transport.lower() in ("tcp", "tls") else "udp"

    def _new_session(self, target: SipURI) -> None:
        """Our INVITE session towards `target` (the first, or one a 3xx sent us to)."""
        s = self.account.settings
        aor = self.account.registration.aor
        from_ = NameAddr(s.caller_id or s.display_name, aor, {})
        routes = [f"<{proxy_uri(s.outbound_proxy, s.transport)}>"] if s.outbound_proxy else []
        self.remote = str(target)
        self.session = InviteSession.outgoing(
            target,
            from_=from_,
            to=NameAddr(None, target, {}),
            local=self.account.local_endpoint(),
            config=self._session_config(),
            routes=routes,
            credentials=self._credentials(),
            rng=self.ctx.driver.core.ids.rng,
            headers=self._headers,
        )
        self.usage = InviteUsage(self.ctx.driver.core, self.session, self._carry_out_all)

    def redirect(self, target: SipURI, *, note: CallNote | None = CallNote.REDIRECTED) -> None:
        """Place this outgoing call again, to `target` (a Contact of a 3xx): a new INVITE
        session, while the call — its id, its events, its RTP port — stays the one the
        person sees (`phone/redirect.py` decides when)."""
        self.ctx.media().stop_tone(self)
        self.note = note
        self.remote_name = None
        self.local_sdp = self.negotiated = None  # a new dialog: a fresh offer
        self._new_session(target)
        offer = self._make_offer()
        self._offer_sent = offer
        self._run(self.session.invite(offer.to_bytes(), self.now))

    @classmethod
    async def incoming(
        cls,
        ctx: CallContext,
        account: Account,
        invite: Request,
        tx: ServerTransaction,
        *,
        refuse: tuple[int, str] | None = None,
        refuse_headers: list[tuple[str, str]] | None = None,
        note: CallNote | None = None,
    ) -> Call:
        """`refuse` (status, reason): the policy turned the call away; it never rings.
        `refuse_headers`: on that answer (the Contact of a 302); `note`: on its events."""
        call = cls(ctx, account, "incoming")
        call.note = note
        call.crypto = CallCrypto(account.settings, signalling_of_request(invite))
        try:
            frm = invite.from_
            call.remote = str(frm.uri)
            call.remote_name = frm.display_name
        except SipParseError:
            call.remote = "unknown"
        try:  # RFC 3325: the identity the PBX asserts wins over what the caller wrote
            asserted = NameAddr.parse_list(invite.headers.get("P-Asserted-Identity") or "")[0]
            call.remote = str(asserted.uri)
            call.remote_name = asserted.display_name or call.remote_name
        except SipParseError:
            pass  # none, or unreadable: From stays
        call.session = InviteSession.incoming(
            invite,
            tx,
            local=account.local_endpoint(),
            config=call._session_config(),
            credentials=call._credentials(),
            rng=ctx.driver.core.ids.rng,
        )
        call.usage = InviteUsage(ctx.driver.core, call.session, call._carry_out_all, invite_tx=tx)
        outputs = call.session.receive_invite(call.now)
        offer = next((o for o in outputs if isinstance(o, OfferReceived) and o.initial), None)
        problem = call._offer_problem(offer.sdp) if offer is not None else None
        if problem is None and refuse is None:
            call._run(outputs)
        else:
            # Nothing we could answer (or busy): refuse at once (488, 486) instead of
            # ringing for a call that would fail the moment it is taken.
            status, reason = refuse or (488, "Not Acceptable Here")
            if refuse is None:
                call.end_cause, call.end_detail = EndCause.MEDIA_FAILED, problem or ""
                if call.crypto.problem is not None:
                    # RFC 3261 §20.43: say which media condition failed, for the far end.
                    warning = f'399 parley "{call.crypto.problem.value}"'
                    refuse_headers = [*(refuse_headers or []), ("Warning", warning)]
            call._run([o for o in outputs if not isinstance(o, StateChanged | OfferReceived)])
            call._run(call.session.reject(call.now, status, reason, headers=refuse_headers))
        return call

    def _offer_problem(self, sdp: bytes) -> str | None:
        """Why an initial offer cannot be answered, or None when it can (parse errors are
        answered later, with 400, by `_offer_received`)."""
        try:
            self._answer_offer(parse_sdp(sdp), "127.0.0.1", 9, trial=True)
        except SdpParseError:
            return None
        except OfferAnswerError as exc:
            return str(exc)
        except CryptoError as exc:
            self.crypto.problem = exc.problem
            return str(exc)
        return None

    def _answer_offer(
        self,
        offer: SessionDescription,
        address: str,
        port: int,
        *,
        direction: str | None = None,
        trial: bool = False,
    ) -> tuple[SessionDescription, NegotiatedMedia, SrtpKeys | None]:
        """Our answer to `offer` with its keys; raises OfferAnswerError, CryptoError."""
        self.crypto.check_offer(offer)
        answer, neg = make_answer(
            offer,
            self._codecs(),
            address,
            port,
            previous=None if trial else self.local_sdp,
            direction=direction,  # type: ignore[arg-type]
            params=SessionParams(address, port, rtcp_feedback=self.account.settings.rtcp_feedback),
            accept_protos=self.crypto.accept_protos(),
        )
        keys = self.crypto.answer(offer, answer, neg.stream_index)
        if not trial and keys is None:
            self.zrtp.decorate(answer, self.stream)
            self.zrtp.peer_sdp(offer)
        if not trial and self.local_sdp is not None:
            if answer.origin.session_version == self.local_sdp.origin.session_version:
                if answer.to_lines() != self.local_sdp.to_lines():
                    answer.origin.session_version += 1
        return answer, neg, keys

    def _session_config(self) -> SessionConfig:
        settings = self.ctx.settings()
        sip = settings.sip
        from parley.sip.timers import TimerConfig

        reject = 603 if settings.functions.reject_with == "decline" else 486
        return SessionConfig(
            timers=TimerConfig(t1=sip.t1, t2=sip.t2, t4=sip.t4),
            session_timer=SessionTimerConfig(),
            use_100rel=self.account.settings.use_100rel,
            reject_status=reject,
            allow=self.ctx.driver.core.capabilities.allow,
            extensions=tuple(sorted(self.ctx.driver.core.capabilities.extensions)),
        )

    def _credentials(self) -> Credentials:
        return Credentials(
            digest=self.account.registration.digest,
            username=self.account.settings.effective_auth_username,
            password=self.account.registration.config.password,
        )

    @property
    def now(self) -> float:
        return self.ctx.now

    # ---------------------------------------------------------------- SDP helpers

    def _codecs(self) -> list[CodecSpec]:
        return [CodecSpec.of(get_codec(key)) for key in self.account.settings.codecs]

    def _params(self, direction: str = "sendrecv") -> SessionParams:
        assert self.stream is not None
        reg = self.account.registration
        # "RPort media": put the public address learnt through rport into our SDP; without
        # it the SDP carries our own address and symmetric RTP does the NAT work.
        public = reg.public_host if self.account.settings.rport_media else None
        # STUN: the RTP socket's own public mapping (asked from that socket), else the
        # SIP socket's public host with our port.
        host, port = self._rtp_mapped or (None, self.stream.local_port)
        sip_mapped = reg.mapped_address[0] if reg.mapped_address is not None else None
        return SessionParams(
            address=(public or host or sip_mapped or reg.local_host).strip("[]"),
            port=port,
            direction=direction,  # type: ignore[arg-type]
            # RTP/AVPF (parley.sip.avpf), unless this call's far end refused it (488).
            rtcp_feedback=self.account.settings.rtcp_feedback and not self.avpf_refused,
        )

    def _make_offer(self, direction: str = "sendrecv") -> SessionDescription:
        offer = make_offer(self._params(direction), self._codecs(), previous=self.local_sdp)
        self.crypto.decorate_offer(offer, self.local_sdp)
        self.zrtp.decorate(offer, self.stream)
        self.local_sdp = offer
        return offer

    async def _open_stream(self) -> None:
        """Bind the RTP port pair before any SDP names it."""
        m = self.ctx.settings().media
        first = get_codec(self.account.settings.codecs[0])
        self.stream = RtpStream(
            first,
            first.static_pt if first.static_pt is not None else 96,
            symmetric=m.symmetric_rtp,
            on_dtmf=self._rtp_dtmf,
            name=f"call {self.id}",
            clock=asyncio.get_running_loop().time,
        )
        settings = self.ctx.settings()
        low, high = rtp_port_range(settings, self.account.settings)
        try:
            # A fixed RTP port: its own pair first, the next ones only when it is taken.
            first_pair = (low, low + 1) if self.account.settings.rtp_port else (low, high)
            await self.stream.open(self._rtp_host(), first_pair)
        except RtpPortError:
            if first_pair == (low, high):
                raise
            await self.stream.open(self._rtp_host(), (low, high))
        self.crypto.guard(self.stream)
        await self._ask_stun()

    async def _ask_stun(self) -> None:
        """STUN for the RTP port: the mapping of the call's own RTP socket, asked from
        that socket before any SDP names it (RFC 5389; bounded so a dead server delays
        the call by two seconds at most)."""
        server = effective_stun(self.ctx.settings(), self.account.settings)
        transport = self.stream.transport if self.stream is not None else None
        while transport is not None and not isinstance(transport, UdpMediaTransport):
            transport = getattr(transport, "inner", None)  # under SRTP/ZRTP adapters
        if server is None or transport is None:
            return
        try:
            where = await resolve_server(server)
            self._rtp_mapped = await asyncio.wait_for(
                media_socket_binding(transport, where), STUN_RTP_WAIT
            )
            log.info("call %s: STUN says our RTP address is %s:%d", self.id, *self._rtp_mapped)
        except (StunFailure, TimeoutError) as exc:
            log.warning("call %s: STUN for the RTP port failed: %s", self.id, exc or "no answer")

    def _rtp_host(self) -> str:
        """Where RTP binds: the phone's bind address, or its IPv6 twin for an account on an
        IPv6 server (as phone.IPV6_COMPANION pairs them for SIP)."""
        host = self.ctx.bind_host()
        if ":" in self.account.registration.local_host:
            return {"0.0.0.0": "::", "127.0.0.1": "::1"}.get(host, host)
        return host

    def _apply(self, neg: NegotiatedMedia) -> None:
        """Point the stream at the negotiated codec, address and direction."""
        assert self.stream is not None
        self.negotiated = neg
        codec = get_codec(neg.codec.name)
        fmtp = {k: v for k, v in neg.fmtp.items() if v is not None}
        receive_audio = frozenset(
            pt
            for pt, c in neg.receive_payload_types.items()
            if c.name.lower() == codec.name.lower()
        )
        receive_dtmf = frozenset(
            pt for pt, c in neg.receive_payload_types.items() if c.name.lower() == "telephone-event"
        )
        self.stream.set_codec(
            codec,
            neg.payload_type,
            dtmf_pt=neg.telephone_event_pt,
            ptime_ms=20,  # we always send 20 ms packets (the bridge period); any ptime is received
            fmtp=fmtp,
            receive_pts=receive_audio,
            receive_dtmf_pts=receive_dtmf,
        )
        self.stream.set_remote(neg.remote_address, neg.remote_port, neg.remote_rtcp_port)
        self.stream.set_direction(send=neg.can_send, receive=neg.can_receive)
        self.stream.report_interval_min = neg.feedback.trr_int_ms / 1000  # RFC 4585 trr-int
        self.held_by_them = neg.remote_hold
        if self.media is not None and self.media.port.sample_rate != self.stream.sample_rate:
            # A new codec at another rate: give the stream a fresh slot at its new rate.
            self.media.close()
            self.media = None
        self._wire_audio()

    def _wire_audio(self) -> None:
        """Connect the call to the microphone and speaker as its state allows."""
        if self.stream is None or self.ended:
            return
        engine = self.ctx.media()
        if self.media is None:
            self.media = engine.add_call(self.stream, f"call {self.id}")
            if self.ctx.record_dir is not None:
                self.media.record(
                    self.ctx.record_dir / f"call-{self.id}-{self.session.call_id[:8]}.wav"
                )
        m = self.ctx.settings().media
        held = self.state == "connected" and self.held_by_us
        engine.hold_music(self.media, m.music_on_hold if held else "off", m.music_on_hold_file)
        if self.audio_hook is not None:
            self.audio_hook(self)
        elif self.state == "connected" and not self.held_by_us:
            self.media.connect(speak=True, listen=True)
        elif self.state == "early media" and not self.ctx.settings().media.early_media_mute:
            self.media.connect(speak=False, listen=True)
        else:
            self.media.disconnect()

    def wire_audio(self) -> None:
        """Wire the call's audio again (after a conference let go of it)."""
        self._wire_audio()

    # ---------------------------------------------------------------- user commands

    def ring(self) -> None:
        """Tell the caller that we ring (180): the policy let this incoming call through."""
        if not self.ended:
            self._run(self.session.ring(self.now))

    def answer(self) -> None:
        """Take an incoming call (now, or as soon as its offer is known)."""
        if self.direction != "incoming" or self.state != "incoming":
            return
        self.ctx.silence(self)
        self._spawn(self._answer())

    async def _answer(self) -> None:
        if self.stream is None:
            await self._open_stream()
        assert self.stream is not None
        if self._remote_offer is not None:
            try:
                answer, neg, keys = self._answer_offer(
                    self._remote_offer, self._params().address, self.stream.local_port
                )
            except (OfferAnswerError, CryptoError) as exc:
                if isinstance(exc, CryptoError):
                    self.crypto.problem = exc.problem
                self._run(self.session.reject(self.now, 488, "Not Acceptable Here"))
                self._end(488, "", EndCause.MEDIA_FAILED, Party.LOCAL, str(exc))
                return
            self.local_sdp = answer
            # Media first: the "connected" event that accept() may raise names the codec.
            self.crypto.apply(self.stream, keys)
            self._apply(neg)
            self._run(self.session.accept(answer.to_bytes(), self.now))
        else:  # the INVITE had no SDP: we offer in the 200, the answer comes in the ACK
            offer = self._make_offer()
            self._offer_sent = offer
            self._run(self.session.accept(offer.to_bytes(), self.now))

    def reject(self) -> None:
        if self.direction == "incoming" and self.state == "incoming":
            self.ctx.silence(self)
            self._run(self.session.reject(self.now))

    def deflect(self, target: SipURI, note: CallNote = CallNote.DEFLECTED) -> None:
        """Send a ringing incoming call to `target`: 302 with it as Contact (RFC 3261
        §21.3.3). A call that no longer rings is left alone."""
        if self.direction == "incoming" and self.state == "incoming" and not self.ended:
            self.note = note
            self.ctx.silence(self)
            contact = [("Contact", f"<{target}>")]
            self._run(self.session.reject(self.now, 302, "Moved Temporarily", headers=contact))

    def hangup(self) -> None:
        """End the call whatever its state: CANCEL, reject or BYE as SIP says."""
        if self.ended:
            return
        if self.direction == "incoming" and self.state == "incoming":
            self.reject()
            return
        self._run(self.session.hangup(self.now))

    def hold(self) -> None:
        if self.state not in ("connected", "held") or self.held_by_us or self.local_sdp is None:
            return
        style = "inactive" if self.account.settings.force_rfc3264_hold else None
        offer = hold_offer(self.local_sdp)
        if style == "inactive":
            for m in offer.media:
                if m.media == "audio" and m.port:
                    m.set_direction("inactive")
        self.held_by_us = True
        self._reoffer(offer)

    def resume(self) -> None:
        if not self.held_by_us or self.local_sdp is None:
            return
        self.held_by_us = False
        self._reoffer(self._make_offer("sendrecv"))

    def address_changed(self) -> bool:
        """Our local address changed (phone/network_change.py): the dialog's Contact and
        a new offer (c= line) name the account's new address, sent in a re-INVITE (a
        target refresh, RFC 3261 §12.2). False when the call is in no state for it."""
        if self.state not in ("connected", "held") or self.local_sdp is None or self.ended:
            return False
        local = self.account.local_endpoint()
        self.session.local = local
        if self.session.dialog is not None:
            self.session.dialog.local = local
        self._rtp_mapped = None  # the old address's STUN mapping means nothing now
        try:
            self._reoffer(self._make_offer("sendonly" if self.held_by_us else "sendrecv"))
        except Exception as exc:  # an offer exchange under way: the next one carries it
            log.info("call %s: no re-INVITE for the new address now: %s", self.id, exc)
            return False
        return True

    def _reoffer(self, offer: SessionDescription) -> None:
        self.local_sdp = offer
        self._offer_sent = offer
        self._run(self.session.reinvite(offer.to_bytes(), self.now))
        self._wire_audio()
        self._report()

    def set_mute(self, muted: bool) -> None:
        """Mute: we keep sending (silence) without any re-INVITE."""
        changed = muted != self.muted
        self.muted = muted
        if self.stream is not None:  # in a conference: the conference mutes our microphone
            self.stream.muted = muted and self.audio_hook is None
        if self.audio_hook is not None and not self.ended:
            self.audio_hook(self)
        if changed and not self.ended:
            self._report()

    def send_dtmf(self, digits: str) -> None:
        mode = self.account.settings.dtmf_mode
        for d in digits:
            if not self.ctx.settings().media.disable_dtmf_sounds:
                self.ctx.media().dtmf_feedback(d)
        if mode == "info" or (
            mode == "rfc4733" and self.stream is not None and not self.stream.send_dtmf(digits)
        ):
            if mode == "rfc4733":
                log.info(
                    "call %s: far end has no telephone-event, sending DTMF as SIP INFO", self.id
                )
            # One INFO per key, paced like key presses (an IVR counts them as such).
            loop = asyncio.get_running_loop()
            for i, d in enumerate(digits):
                loop.call_later(i * INFO_DTMF_INTERVAL, self._send_info_digit, d)
        elif mode == "inband" and self.media is not None:
            self.media.play_inband(digits)

    def _send_info_digit(self, digit: str) -> None:
        if not self.ended:
            self._run(self.session.send_dtmf_info(digit, INFO_DTMF_DURATION_MS, self.now))

    def stats(self) -> dict[str, object]:
        data: dict[str, object] = {"call": self.id, "state": self.state}
        if self.stream is not None:
            data.update(self.stream.snapshot().as_dict())
        data.update(self.crypto.stats())
        data.update(self.zrtp.stats())
        data["media_encryption"] = self.media_encryption
        return data

    async def wait_ended(self) -> None:
        await self._done.wait()

    # ---------------------------------------------------------------- from the network
    # Requests, ACKs and stray 2xx of this call's dialogs reach the session through its
    # `InviteUsage` in the user-agent core; what the session says comes back here.

    def _rtp_dtmf(self, digit: DtmfDigit) -> None:
        if digit.phase == "end":
            self.ctx.emit(DtmfReceived(call=self.id, digit=digit.digit, via="rfc4733"))

    # ---------------------------------------------------------------- carrying out outputs

    def _run(self, outputs: list[SessionOutput]) -> None:
        """Carry out what a session command returned (through the usage, which sends
        the responses and hands the rest to `_carry_out_all`)."""
        self.usage.run(outputs, self.now)

    def _carry_out_all(self, outputs: list[SessionOutput]) -> None:
        for out in outputs:
            try:
                self._carry_out(out)
            except Exception:
                log.exception("call %s: while handling %r", self.id, out)
        if self.session.finished and not self._done.is_set():
            self._cleanup()

    def _carry_out(self, out: SessionOutput) -> None:
        if isinstance(out, SendRequest):
            self._spawn(self._send_request(out.request, out.next_hop))
        elif isinstance(out, SendAck):
            self._spawn(self._send_ack(out.ack, out.next_hop))
        elif isinstance(out, StateChanged):
            self._state_changed(out)
        elif isinstance(out, OfferReceived):
            self._offer_received(out.sdp, out.initial)
        elif isinstance(out, OfferRequested):
            if not out.initial:  # a re-INVITE without SDP: offer what we have (§14.2)
                offer = self._make_offer("sendonly" if self.held_by_us else "sendrecv")
                self._offer_sent = offer
                self._run(self.session.answer(offer.to_bytes(), self.now))
        elif isinstance(out, AnswerReceived):
            self._answer_received(out.sdp)
        elif isinstance(out, OfferRejected):
            if self.held_by_us and self._offer_sent is not None:
                log.info("call %s: the far end refused our re-offer", self.id)
        elif isinstance(out, DtmfInfoReceived):
            self.ctx.emit(DtmfReceived(call=self.id, digit=out.digit, via="info"))

    async def _send_request(self, request: Request, next_hop: SipURI | None) -> None:
        # In the session's order: resolving the next hop awaits, and a request that
        # overtakes one with a lower CSeq is refused by the far end (§12.2.2: 500).
        async with self._send_lock:
            try:
                dest = await self.account.resolve_next_hop(next_hop)
            except Exception as exc:
                log.warning("call %s: cannot reach %s: %s", self.id, next_hop, exc)
                self._run(self.session.on_transport_error(request, self.now))
                return
            request, dest = await self._large.route(request, dest)  # RFC 3261 §18.1.1
            self._send_now(request, dest)

    def _send_now(self, request: Request, dest: Address) -> None:
        self.usage.send(
            request,
            dest,
            reliable=dest.transport != "udp",
            on_timeout=lambda: self._timed_out(dest),
            now=self.now,
        )

    def _timed_out(self, dest: Address) -> None:
        """Nothing at all came back (Timer B/F; the session ends the call as NO_RESPONSE,
        "the server did not answer"): when it was our server, the account learns it may
        be unreachable."""
        if dest == self.account.server:
            self.account.watch.not_answered()

    def send_in_dialog(self, request: Request, callbacks: ClientCallbacks) -> None:
        """Send a request of another usage of this call's dialog (a REFER, a NOTIFY):
        after the call's own requests made before it (the far end checks the CSeq
        order), with the account's credentials."""
        self._spawn(self._send_in_dialog(request, callbacks))

    async def _send_in_dialog(self, request: Request, callbacks: ClientCallbacks) -> None:
        async with self._send_lock:
            dialog = self.session.dialog
            try:
                dest = await self.account.resolve_next_hop(dialog.next_hop if dialog else None)
            except Exception as exc:
                callbacks.on_transport_error(str(exc))
                return
            self.ctx.driver.core.send_request(
                request,
                dest,
                callbacks,
                self.now,
                reliable=dest.transport != "udp",
                credentials=self.session.credentials,
            )

    async def _send_ack(self, ack: Request, next_hop: SipURI | None) -> None:
        try:
            dest: Address = await self.account.resolve_next_hop(next_hop)
        except (TransportError, OSError, Exception) as exc:
            log.warning("call %s: cannot send ACK: %s", self.id, exc)
            return
        self.usage.send_ack(ack, dest)

    def _state_changed(self, change: StateChanged) -> None:
        state = change.state
        if state is CallState.ENDED:
            if self.direction == "outgoing" and retry_without_avpf(self, change):
                return  # placed again, with RTP/AVP (phone/avpf_fallback.py)
            if self.direction == "outgoing" and follow_redirect(self, change):
                return  # placed again, to a target a 3xx named
            self._end(change.status, change.reason, change.cause, change.by)
            return
        self.state = {
            CallState.CALLING: "dialing",
            CallState.PROCEEDING: "dialing",
            CallState.RINGING: "ringing",
            CallState.EARLY_MEDIA: "early media",
            CallState.INCOMING: "incoming",
            CallState.CONNECTED: "connected",
        }[state]
        engine = self.ctx.media()
        if state is CallState.RINGING and not self.account.settings.do_not_play_ringback:
            engine.play_tone("ringback", self)
        elif state is CallState.EARLY_MEDIA:
            if self.ctx.settings().media.early_media_mute:
                if not self.account.settings.do_not_play_ringback:
                    engine.play_tone("ringback", self)
            else:
                engine.stop_tone(self)
        elif state is CallState.CONNECTED:
            engine.stop_tone(self)
            self.connected_at = self.now
            if self.stream is not None:  # ZRTP runs once media is up (RFC 6189 §4)
                self.zrtp.start(self.stream, sdes_keys=self.crypto.keys is not None)
        elif state is CallState.INCOMING:
            self.ctx.ringing(self)
        self._wire_audio()
        self._report(change.status, change.reason)

    def _offer_received(self, sdp: bytes, initial: bool) -> None:
        try:
            offer = parse_sdp(sdp)
        except SdpParseError as exc:
            log.info("call %s: unusable SDP offer: %s", self.id, exc)
            self._run(
                self.session.reject_offer(self.now, 400)
                if not initial
                else self.session.reject(self.now, 400, "Bad SDP")
            )
            return
        self._remote_offer = offer
        if initial:
            return  # answered when the user takes the call (or auto-answer)
        # A re-INVITE or UPDATE (hold, resume, new codec, new address): answer at once.
        assert self.stream is not None
        direction = "sendonly" if self.held_by_us else None
        try:
            answer, neg, keys = self._answer_offer(
                offer, self._params().address, self.stream.local_port, direction=direction
            )
        except (OfferAnswerError, CryptoError) as exc:
            log.info("call %s: re-offer refused: %s", self.id, exc)
            self._run(self.session.reject_offer(self.now, 488))
            return
        self.local_sdp = answer
        self._run(self.session.answer(answer.to_bytes(), self.now))
        before = (self.held_by_them, self.negotiated.codec if self.negotiated else None)
        self.crypto.apply(self.stream, keys)
        self._apply(neg)
        if before != (self.held_by_them, neg.codec):
            self._report()  # hold/resume by them, or a new codec

    def _answer_received(self, sdp: bytes) -> None:
        try:
            answer = parse_sdp(sdp)
        except SdpParseError as exc:
            log.info("call %s: unusable SDP answer: %s", self.id, exc)
            return
        offer = self._offer_sent or self.local_sdp
        if offer is None:
            return
        try:
            neg = process_answer(offer, answer, self._codecs())
            keys = self.crypto.read(offer, answer, neg.stream_index)
        except (OfferAnswerError, CryptoError) as exc:
            log.info("call %s: %s", self.id, exc)
            if isinstance(exc, CryptoError):
                self.crypto.problem = exc.problem
            self.end_cause, self.end_detail = EndCause.MEDIA_FAILED, str(exc)
            self.hangup()
            return
        before = (self.held_by_them, self.negotiated.codec if self.negotiated else None)
        if keys is None:
            self.zrtp.peer_sdp(answer)
        if self.stream is not None:
            self.crypto.apply(self.stream, keys)
        self._apply(neg)
        if before != (self.held_by_them, neg.codec):
            self._report()  # hold/resume by them, or a new codec

    def _end(
        self,
        status: int | None,
        reason: str,
        cause: EndCause | None,
        by: Party | None,
        detail: str = "",
    ) -> None:
        if self.ended:
            return
        self.ended = True
        self.state = "ended"
        self.end_status = status
        self.end_cause = self.end_cause or cause  # an earlier, more precise cause wins
        self.end_detail = self.end_detail or detail
        self.ended_by = by
        self.ctx.media().stop_tone(self)
        self.ctx.silence(self)
        if status in BUSY_STATUSES and self.direction == "outgoing":
            # The far end is busy or declined: a few seconds of busy tone, as a phone does.
            engine = self.ctx.media()
            engine.play_tone("busy", self)
            asyncio.get_running_loop().call_later(BUSY_TONE_SECONDS, engine.stop_tone, self)
        self._report(status, reason)
        self._release_media()
        self.ctx.ended(self)

    def _release_media(self) -> None:
        self.zrtp.close()
        if self.media is not None:
            self.media.close()
            self.media = None
        if self.stream is not None:
            self.stream.close()
            self.stream = None

    def _cleanup(self) -> None:
        # The usage leaves the core by itself once the session is finished.
        self._release_media()
        self._done.set()

    @property
    def media_encryption(self) -> str:
        """ "zrtp" when ZRTP's keys run the media, else what SDES says."""
        return self.zrtp.media_encryption or self.crypto.media_encryption

    def set_sas_verified(self, verified: bool) -> None:
        """The user compared ZRTP's SAS with the other person (or withdrew it): kept in
        the ZRTP cache for the next call with this peer. RuntimeError without ZRTP keys."""
        self.zrtp.set_sas_verified(verified)

    def _zrtp_changed(self) -> None:
        if not self.ended:
            self._report()

    @property
    def held(self) -> str | None:
        if self.held_by_us and self.held_by_them:
            return "both"
        if self.held_by_us:
            return "us"
        if self.held_by_them:
            return "them"
        return None

    def _report(self, status: int | None = None, reason: str = "") -> None:
        state = self.state
        if state == "connected" and self.held is not None:
            state = "held"
        held = self.held
        codec = None
        if self.negotiated is not None:
            codec = f"{self.negotiated.codec.name}/{self.negotiated.codec.clock_rate}"
        self.ctx.emit(
            CallStateChanged(
                call=self.id,
                account=self.account.name,
                direction=CallDirection(self.direction),
                state=CallPhase(state),
                remote=self.remote,
                remote_name=self.remote_name,
                status=status,
                reason=reason,
                held=HeldBy(held) if held is not None else None,
                codec=codec,
                muted=self.muted,
                cause=self.end_cause if self.ended else None,
                ended_by=self.ended_by if self.ended else None,
                detail=self.end_detail if self.ended else "",
                note=self.note,
                at=time.time(),
                media_encryption=self.media_encryption,
                signalling=self.crypto.signalling,
                encryption_problem=self.crypto.problem,
                sas=self.zrtp.sas,
                sas_verified=self.zrtp.sas_verified,
                zrtp_cache_mismatch=self.zrtp.cache_mismatch,
            )
        )

    # ---------------------------------------------------------------- tasks

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
