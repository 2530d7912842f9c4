"""The Phone: the user agent that owns the SIP driver, the accounts, the audio and the calls.

It is the assembler of the feature modules, each given a narrow context rather than
the phone: the incoming-call policy (`incoming`, with `IncomingContext`), outgoing calls
(`outgoing`), the ringer (`ringer`), the calls themselves (`CallContext`, built once
here), instant messages (`messages`, with `MessagesContext` and the message store the
application gives it) and the accounts (settings, password, driver, emit).

One Phone per process. It lives on one asyncio loop, the engine thread of
`parley.app.Application` (for the desktop app and the console alike; `parley call` runs
it on its own loop), and reports what happens through a single event callback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from parley import __version__
from parley.media.engine import AudioConfig, AudioNotice, AudioProblem, MediaEngine
from parley.media.zrtp import FileZidCache, ZidCache, ZrtpCacheCorrupt
from parley.messages.store import MessageStore
from parley.net.address import Source, TransportError
from parley.net.driver import SipDriver, TransportFactory
from parley.net.transport import TransportLayer
from parley.phone.account import Account
from parley.phone.blf import Blf, BlfContext
from parley.phone.call import Call
from parley.phone.conference import Conference, ConferenceContext
from parley.phone.context import CallContext
from parley.phone.events import CallNote, PhoneError, PhoneErrorCode, PhoneEvent
from parley.phone.forwarding import Forwarding
from parley.phone.incoming import Decision, IncomingCalls, IncomingContext
from parley.phone.messages import Messages, MessagesContext
from parley.phone.nat import effective_stun
from parley.phone.network_change import NetworkChangeContext, NetworkChanges
from parley.phone.outgoing import DialError, OutgoingCalls
from parley.phone.presence import Presence, PresenceContext
from parley.phone.publications import Publications, PublicationsContext
from parley.phone.recording import RecordingContext, Recordings
from parley.phone.replaces_target import EXTENSION as REPLACES
from parley.phone.replaces_target import ReplacesContext, ReplacesTarget
from parley.phone.ringer import Ringer
from parley.phone.subscriptions import SubscriptionContext, Subscriptions
from parley.phone.transfer import TransferContext, Transfers
from parley.phone.voicemail import Voicemail, VoicemailContext
from parley.settings.model import AccountSettings, MediaSettings, Settings
from parley.sip.answer_mode import ANSWERMODE_TAG
from parley.sip.core import UserAgentCore
from parley.sip.invite_usage import register_invite_usage
from parley.sip.message import Request
from parley.sip.refer import register_refer_usage
from parley.sip.timers import TimerConfig
from parley.sip.transaction_server import ServerTransaction

# A sound device's problem as the phone reports it (`PhoneError.code`).
_AUDIO_CODES = {
    AudioProblem.UNAVAILABLE: PhoneErrorCode.AUDIO_UNAVAILABLE,
    AudioProblem.FALLBACK: PhoneErrorCode.AUDIO_FALLBACK,
    AudioProblem.LOST: PhoneErrorCode.AUDIO_LOST,
    AudioProblem.RING_ALSO: PhoneErrorCode.RING_ALSO_FAILED,
    AudioProblem.RING_DEVICE: PhoneErrorCode.RING_DEVICE_FAILED,
    AudioProblem.MUSIC_ON_HOLD: PhoneErrorCode.MUSIC_ON_HOLD_FAILED,
}
log = logging.getLogger(__name__)

__all__ = ["USER_AGENT", "DialError", "Phone", "listen_ports", "ring_also_devices"]

USER_AGENT = f"Parley/{__version__}"


def listen_ports(settings: Settings) -> list[int]:
    """The SIP ports the phone listens on: each enabled account's local_port, in order,
    and 0 (one random port) for the accounts without one, or when there is no account."""
    ports: list[int] = []
    for account in settings.accounts:
        if account.enabled and account.local_port not in ports:
            ports.append(account.local_port)
    return ports or [0]


def ring_also_devices(m: MediaSettings) -> tuple[str, ...]:
    """The further devices of "ring also through the PC speaker": the PC's loudspeaker is
    the hands-free output device, which rings beside the ringing device (and the output
    device, through `AudioConfig.ring_also_output`); a device that already rings rings
    once."""
    return (m.speaker_output_device,) if m.ring_also_pc_speaker else ()


IPV6_COMPANION = {"0.0.0.0": "::", "127.0.0.1": "::1"}
"""Dual stack: the IPv6 address that goes with an IPv4 bind address (all addresses, or
the loopback). Any other bind address is one family only."""


class Phone:
    def __init__(
        self,
        settings: Settings,
        passwords: dict[str, str],
        on_event: Callable[[PhoneEvent], None],
        *,
        bind_host: str = "0.0.0.0",
        audio: AudioConfig | None = None,
        auto_answer: bool | None = None,
        transport_factory: TransportFactory = TransportLayer,
        message_store: MessageStore | None = None,
        zrtp_dir: Path | None = None,
        config_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self.config_dir = config_dir  # the settings file's folder (self-signed certificates)
        self._passwords = passwords
        self._zrtp_dir = zrtp_dir  # where the ZRTP cache lives (None: kept in memory)
        self._zrtp_cache: ZidCache | None = None
        self._on_event = on_event
        self.bind_host = bind_host
        sip = settings.sip
        core = UserAgentCore(TimerConfig(t1=sip.t1, t2=sip.t2, t4=sip.t4), user_agent=USER_AGENT)
        register_invite_usage(core)  # calls: INVITE usages with 100rel and session timers
        core.capabilities.add(extensions=[ANSWERMODE_TAG])  # RFC 5373 (phone/auto_answer.py)
        core.on_request("INVITE", self._on_invite)
        core.capabilities.add(extensions=(REPLACES,))  # we are a transfer target (RFC 3891)
        register_refer_usage(core)  # transfers: REFER and its NOTIFYs (phone/transfer.py)
        self.driver = SipDriver(core, transport_factory=transport_factory)
        self.driver.trace_enabled = settings.log.sip_trace
        self.accounts: dict[str, Account] = {}
        self.calls: dict[int, Call] = {}
        m = settings.media
        self.audio_config = audio or AudioConfig(
            input=m.input_device, output=m.output_device, tone_region=m.tone_region
        )
        self.audio_config.dtmf_feedback = not m.disable_dtmf_sounds
        if audio is None:  # a front-end that sets its own audio decides ringing too
            self.audio_config.ring = None if m.ring_device == m.output_device else m.ring_device
            self.audio_config.ring_also = ring_also_devices(m)
        self.audio_config.ring_also_output = m.ring_also_pc_speaker
        self.audio_config.echo_cancellation = m.echo_cancellation
        self.audio_config.auto_gain_control = m.auto_gain_control
        self.audio_config.noise_suppression = m.noise_suppression
        self.auto_answer = settings.functions.auto_answer if auto_answer is None else auto_answer
        # A front-end that sets its own audio decides the ringing devices; one that fixes
        # auto-answer keeps it: settings changes leave those alone.
        self._own_ringing = audio is not None
        self._fixed_auto_answer = auto_answer is not None
        self.media: MediaEngine = None  # type: ignore[assignment]  # made in start()
        self.sip_ports: dict[int, int] = {}  # an account's local_port (0: random) -> bound
        self.ringer = Ringer(lambda: self.media, lambda: self.settings.media.ringtone)
        self.incoming = IncomingCalls(
            IncomingContext(
                settings=lambda: self.settings,
                auto_answer=lambda: self.auto_answer,
                accounts=lambda: self.accounts.values(),
                calls=lambda: self.calls.values(),
                respond=self._respond,
                start_call=self._start_incoming,
                ringer=self.ringer,
                presence=lambda: self.presence.effective(),
            )
        )
        # What every call gets instead of the phone.
        self.call_context = CallContext(
            emit=self.emit,
            media=lambda: self.media,
            driver=self.driver,
            settings=lambda: self.settings,
            bind_host=lambda: self.bind_host,
            record_dir=self.audio_config.record_dir,
            ringing=self.incoming_ringing,
            silence=self.stop_ringing,
            ended=self.call_ended,
            zrtp_cache=self.zrtp_cache,
        )
        self.outgoing = OutgoingCalls(self.call_context, lambda: self.accounts, self._track)
        self.recordings = Recordings(
            RecordingContext(
                self.emit, lambda: self.media, lambda: self.settings, lambda: self.calls
            )
        )
        self.forwarding = Forwarding(lambda: self.settings, self.emit, asyncio.get_running_loop)
        self.replaces = ReplacesTarget(
            ReplacesContext(
                settings=lambda: self.settings,
                servers=lambda: [a.server for a in self.accounts.values() if a.server],
                calls=lambda: self.calls.values(),
                respond=self._respond,
                start_call=self._start_replacing,
                keep_quiet=self.ringer.keep_quiet,
            )
        )
        self.transfers = Transfers(
            TransferContext(
                self.emit, core, lambda: self.settings, lambda: self.calls, self.outgoing.dial
            )
        )
        # RFC 6665 subscriptions of every package, ours and those to us (SUBSCRIBE, NOTIFY).
        self.subscriptions = Subscriptions(
            SubscriptionContext(
                emit=self.emit,
                driver=self.driver,
                settings=lambda: self.settings,
                accounts=lambda: self.accounts,
            )
        )
        # Voicemail counts (MWI): message-summary subscriptions, unsolicited NOTIFYs.
        self.voicemail = Voicemail(
            VoicemailContext(self.emit, self.subscriptions, lambda: self.accounts)
        )
        self.conference = Conference(
            ConferenceContext(
                emit=self.emit,
                media=lambda: self.media,
                calls=lambda: list(self.calls.values()),
                dial=self.outgoing.dial,
            )
        )
        # Our published event state (presence): PUBLISH, refreshed, removed at stop.
        self.publications = Publications(
            PublicationsContext(self.driver, self.emit, lambda: self.settings)
        )
        # BLF: colleagues' lines (dialog-info), pickup, our own line served.
        self.blf = Blf(
            BlfContext(
                emit=self.emit,
                settings=lambda: self.settings,
                accounts=lambda: self.accounts,
                subscriptions=self.subscriptions,
                dial=self.outgoing.dial,
                calls=lambda: list(self.calls.values()),
            )
        )
        # Presence: ours published and served, the watched addresses subscribed.
        self.presence = Presence(
            PresenceContext(
                emit=self.emit,
                settings=lambda: self.settings,
                accounts=lambda: self.accounts,
                calls=lambda: self.calls.values(),
                publications=self.publications,
                subscriptions=self.subscriptions,
            )
        )
        # Instant messages and typing (MESSAGE in Allow/Accept before any REGISTER).
        self.messages = Messages(
            MessagesContext(
                emit=self.emit,
                driver=self.driver,
                settings=lambda: self.settings,
                accounts=lambda: self.accounts,
                store=message_store if message_store is not None else MessageStore(":memory:"),
            )
        )
        # A new local address: re-bind, re-register, re-INVITE (phone/network_change.py).
        self.network = NetworkChanges(
            NetworkChangeContext(
                emit=self.emit,
                driver=self.driver,
                accounts=lambda: self.accounts,
                calls=lambda: list(self.calls.values()),
                bind_host=lambda: self.bind_host,
                rebind=self._rebind,
            )
        )
        # Recording a conference participant's call records the whole mix.
        self.recordings.far_slots = self.conference.recorded_far
        self.recordings.near_heard = self.conference.recorded_near
        self.recordings.heir = self.conference.recording_heir

    def emit(self, event: PhoneEvent) -> None:
        """Hand `event` to the feature modules that follow the phone's events and to the
        front-end, in that order: transfers first (they act on a call's end before the
        front-end reports it), recordings last ("connected" is told before "recording
        started"), then subscriptions (restored when an account registers again), voicemail, the
        BLF (a failed line, our calls told to our watchers), then presence (it publishes
        once an account has registered, and shows "on the phone"). One that fails is
        logged; the others still hear the event."""
        listeners: tuple[tuple[str, Callable[[PhoneEvent], None]], ...] = (
            ("transfers", self.transfers.observe),
            ("front-end", self._on_event),
            ("recordings", self.recordings.on_event),
            ("subscriptions", self.subscriptions.observe),
            ("voicemail", self.voicemail.observe),
            ("blf", self.blf.observe),
            ("presence", self.presence.observe),
            ("network", self.network.observe),
        )
        for name, listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("%s failed on %r", name, event)

    def zrtp_cache(self) -> ZidCache:
        """Our ZID and retained ZRTP secrets, read from the data dir on first use. An
        unreadable file is moved aside (`ZrtpCacheCorrupt`) and a new cache begins."""
        if self._zrtp_cache is None:
            if self._zrtp_dir is None:
                self._zrtp_cache = ZidCache()
            else:
                try:
                    self._zrtp_cache = FileZidCache(self._zrtp_dir)
                except ZrtpCacheCorrupt as exc:
                    log.warning("%s", exc)
                    self._zrtp_cache = FileZidCache(self._zrtp_dir)
        return self._zrtp_cache

    async def start(self) -> None:
        """Open the listeners and the audio, and register the accounts set to do so."""
        self.media = MediaEngine(self.audio_config, self._audio_problem)
        self.media.start()
        await self.driver.start()
        await self._listen()
        for account_settings in self.settings.accounts:
            if not account_settings.enabled:
                continue
            self.add_account(account_settings)
        self.presence.start()  # our state, told to the front-ends
        self.network.start()  # the local address towards each server, watched
        for account in self.accounts.values():
            if account.settings.register_on_startup:
                await account.register()

    def _audio_problem(self, notice: AudioNotice) -> None:
        code = _AUDIO_CODES[notice.problem]
        detail = notice.replacement if notice.problem is AudioProblem.FALLBACK else notice.detail
        self.emit(PhoneError(text=notice.text, code=code, subject=notice.device, detail=detail))

    def add_account(self, settings: AccountSettings) -> Account:
        password = self._passwords.get(settings.name, "")
        account = Account(
            settings,
            password,
            self.driver,
            self.emit,
            stun=lambda: effective_stun(self.settings, account.settings),
            tls=lambda: self.settings.tls,
            config_dir=self.config_dir,
        )
        account.local_port = self.sip_ports.get(settings.local_port) or self.sip_ports.get(0)
        self.accounts[settings.name] = account
        self.blf.sync()  # its BLF lines
        return account

    async def remove_account(self, name: str) -> None:
        """Unregister the account named `name` and forget it (KeyError: no such account)."""
        self.subscriptions.close_account(name)
        self.presence.forget_account(name)
        account = self.accounts.pop(name)
        self.blf.sync()
        try:
            await self.publications.remove_all(account=account)
            await account.unregister()
        finally:
            await account.close()

    def apply_settings(self, new: Settings) -> None:
        """Use `new` from now on, where a change takes effect while running: the SIP
        trace, "ring also through the PC speaker" (from the next call that rings),
        auto-answer, and whatever calls read as they go. Accounts are added and removed
        one by one (`add_account`, `remove_account`); devices and ports wait for a restart."""
        self.settings = new
        self.driver.trace_enabled = new.log.sip_trace
        self.audio_config.ring_also_output = new.media.ring_also_pc_speaker
        if not self._own_ringing:
            self.audio_config.ring_also = ring_also_devices(new.media)
        if not self._fixed_auto_answer:
            self.auto_answer = new.functions.auto_answer
        self.blf.sync()  # BLF lines added or removed, use_blf switched
        self.presence.apply_settings()

    async def _listen(self) -> None:
        """A UDP listener (and a TCP one when an account on it uses TCP) on each
        account's local_port; accounts with none share one random port above 32000."""
        transport = self.driver.transport
        enabled = [a for a in self.settings.accounts if a.enabled]
        self.sip_ports = {}
        for port in listen_ports(self.settings):
            tcp = any(a.transport == "tcp" for a in enabled if a.local_port == port)
            try:
                _host, bound = await transport.listen_udp(self.bind_host, port)
                if tcp:
                    await transport.listen_tcp(self.bind_host, bound)
            except (TransportError, OSError) as exc:
                self.emit(
                    PhoneError(
                        text=f"Cannot open the SIP port {port}: {exc}",
                        code=PhoneErrorCode.SIP_PORT,
                        subject=str(port),
                        detail=str(exc),
                    )
                )
                raise
            self.sip_ports[port] = bound
            if self.bind_host in IPV6_COMPANION:
                await self._listen_ipv6(IPV6_COMPANION[self.bind_host], bound, tcp)

    async def _listen_ipv6(self, host: str, port: int, tcp: bool) -> None:
        """Dual stack: the same SIP port on the IPv6 twin of the bind address too, so
        accounts on IPv6 servers (or names with AAAA records) work. A machine without
        IPv6 goes on with IPv4 alone (logged, not an error)."""
        transport = self.driver.transport
        try:
            await transport.listen_udp(host, port)
            if tcp:
                await transport.listen_tcp(host, port)
        except (TransportError, OSError) as exc:
            log.info("no IPv6 SIP listener on port %d: %s", port, exc)

    async def _rebind(self, old: str, new: str) -> None:
        """The address the phone was bound to is gone: its SIP sockets move to `new`."""
        await self.driver.transport.rebind(old, new)
        self.bind_host = new

    async def stop(self, timeout: float = 5.0) -> None:
        """Hang up every call, unregister every account (bounded) and close everything."""
        await self.network.stop()
        for call in list(self.calls.values()):
            call.hangup()
        if self.calls:
            waits = [c.wait_ended() for c in self.calls.values()]
            try:
                await asyncio.wait_for(asyncio.gather(*waits), timeout)
            except TimeoutError:
                log.info("some calls did not end cleanly within %.0f s", timeout)
        # Unsubscribe and take back what we published while still registered (bounded).
        await asyncio.gather(
            self.subscriptions.close_all(timeout),
            self.publications.remove_all(timeout),
            return_exceptions=True,
        )
        await asyncio.gather(
            *(a.unregister(timeout) for a in self.accounts.values()), return_exceptions=True
        )
        for account in self.accounts.values():
            await account.close()
        self.recordings.stop_all()
        self.messages.close()
        if self.media is not None:
            self.media.stop()
        await self.driver.close()

    # -- calls

    async def dial(self, target: str, account_name: str | None = None) -> Call:
        """Call `target` (see `parley.phone.outgoing`); `DialError` when it cannot be."""
        return await self.outgoing.dial(target, account_name)

    def _track(self, call: Call) -> None:
        self.calls[call.id] = call
        self.transfers.track(call)

    def _on_invite(self, tx: ServerTransaction, request: Request, now: float) -> None:
        source = tx.peer
        if not isinstance(source, Source):
            self.driver.answer(tx, 500)
            return
        handler = self.replaces if self.replaces.claims(request) else self.incoming
        asyncio.get_running_loop().create_task(handler.handle(tx, request, source))

    def _respond(self, tx: ServerTransaction, request: Request, status: int, reason: str) -> None:
        self.driver.answer(tx, status, reason)

    async def _start_incoming(
        self, account: Account, request: Request, tx: ServerTransaction, decision: Decision
    ) -> Call:
        refuse, headers, note = decision.refusal_for(self.settings), None, None
        if decision is Decision.REJECT:
            note = CallNote.AUTO_REJECTED
        plan = self.forwarding.plan(account)
        if plan is not None and plan.mode == "instant":  # 302 before anything rings
            refuse, headers = (302, "Moved Temporarily"), [("Contact", f"<{plan.target}>")]
            note = CallNote.FORWARDED
        call = await Call.incoming(
            self.call_context,
            account,
            request,
            tx,
            refuse=refuse,
            refuse_headers=headers,
            note=note,
        )
        self._track(call)
        if refuse is None and decision is not Decision.ANSWER:  # answered at once: no 180
            call.ring()
            self.forwarding.arm(call, plan)
        return call

    async def _start_replacing(
        self, account: Account, request: Request, tx: ServerTransaction
    ) -> Call:
        """The call an INVITE with Replaces starts: tracked, never rung (it is answered)."""
        call = await Call.incoming(self.call_context, account, request, tx, note=CallNote.REPLACED)
        self._track(call)
        return call

    # -- hooks for calls

    def incoming_ringing(self, call: Call) -> None:
        self.ringer.ring(call, self.calls.values())

    def stop_ringing(self, call: Call) -> None:
        self.ringer.silence(call)

    def call_ended(self, call: Call) -> None:
        asyncio.get_running_loop().call_later(30, self.calls.pop, call.id, None)
        self.ringer.call_ended(call, self.calls.values())
        self.conference.call_ended(call)
