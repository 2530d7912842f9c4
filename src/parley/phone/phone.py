"""The Phone: the user agent that owns the SIP endpoint, the accounts, the audio and the calls.

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
from parley.net.address import Source, TransportError
from parley.phone.account import Account
from parley.phone.call import Call
from parley.phone.endpoint import SipEndpoint
from parley.phone.events import PhoneError, PhoneEvent
from parley.phone.media import AudioConfig, MediaEngine
from parley.settings.model import AccountSettings, MediaSettings, Settings
from parley.sip.headers import SipParseError
from parley.sip.message import Request
from parley.sip.registration import split_host_port
from parley.sip.timers import TimerConfig
from parley.sip.transaction_server import ServerTransaction
from parley.sip.uri import SipURI

log = logging.getLogger(__name__)

USER_AGENT = f"Parley/{__version__}"


class DialError(ValueError):
    """A target or account that cannot be dialled; the message says why."""


def ring_also_devices(m: MediaSettings) -> tuple[str, ...]:
    """The further devices of "ring also through the PC speaker": the PC's loudspeaker is
    the hands-free output device, which rings beside the ringing device (and the output
    device, through `AudioConfig.ring_also_output`); a device that already rings rings
    once."""
    return (m.speaker_output_device,) if m.ring_also_pc_speaker else ()


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
    ) -> None:
        self.settings = settings
        self._passwords = passwords
        self._on_event = on_event
        self.bind_host = bind_host
        sip = settings.sip
        self.endpoint = SipEndpoint(
            TimerConfig(t1=sip.t1, t2=sip.t2, t4=sip.t4), user_agent=USER_AGENT
        )
        self.endpoint.trace_enabled = settings.log.sip_trace
        self.endpoint.on_request("INVITE", self._on_invite)
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
        self.record_dir: Path | None = self.audio_config.record_dir
        self.auto_answer = settings.functions.auto_answer if auto_answer is None else auto_answer
        self.media: MediaEngine = None  # type: ignore[assignment]  # made in start()

    def emit(self, event: PhoneEvent) -> None:
        try:
            self._on_event(event)
        except Exception:
            log.exception("event handler failed for %r", event)

    async def start(self) -> None:
        """Open the listeners and the audio, and register the accounts set to do so."""
        self.media = MediaEngine(self.audio_config, lambda text: self.emit(PhoneError(text=text)))
        self.media.start()
        await self.endpoint.start()
        await self._listen()
        for account_settings in self.settings.accounts:
            if not account_settings.enabled:
                continue
            self.add_account(account_settings)
        for account in self.accounts.values():
            if account.settings.register_on_startup:
                await account.register()

    def add_account(self, settings: AccountSettings) -> Account:
        password = self._passwords.get(settings.name, "")
        account = Account(settings, password, self.endpoint, self.emit)
        self.accounts[settings.name] = account
        return account

    async def _listen(self) -> None:
        """One UDP listener (and a TCP one when an account uses TCP) on the SIP port:
        the first account's local_port, or a random port above 32000."""
        ports = [a.local_port for a in self.settings.accounts if a.enabled and a.local_port]
        port = ports[0] if ports else 0
        transport = self.endpoint.transport
        try:
            _host, port = await transport.listen_udp(self.bind_host, port)
            if any(a.transport == "tcp" for a in self.settings.accounts):
                await transport.listen_tcp(self.bind_host, port)
        except (TransportError, OSError) as exc:
            self.emit(PhoneError(text=f"Cannot open the SIP port {port}: {exc}"))
            raise

    async def stop(self, timeout: float = 5.0) -> None:
        """Hang up every call, unregister every account (bounded) and close everything."""
        for call in list(self.calls.values()):
            call.hangup()
        if self.calls:
            waits = [c.wait_ended() for c in self.calls.values()]
            try:
                await asyncio.wait_for(asyncio.gather(*waits), timeout)
            except TimeoutError:
                log.info("some calls did not end cleanly within %.0f s", timeout)
        await asyncio.gather(
            *(a.unregister(timeout) for a in self.accounts.values()), return_exceptions=True
        )
        for account in self.accounts.values():
            await account.close()
        if self.media is not None:
            self.media.stop()
        await self.endpoint.close()

    # -- calls

    def account_for(self, name: str | None) -> Account:
        if name:
            account = self.accounts.get(name)
            if account is None:
                raise DialError(f"no account named {name!r}")
            return account
        for account in self.accounts.values():
            if account.state.value == "registered":
                return account
        if not self.accounts:
            raise DialError("no account to call from")
        return next(iter(self.accounts.values()))

    def target_uri(self, target: str, account: Account) -> SipURI:
        """A number is dialled on the account's domain; a SIP URI is used as it is."""
        text = target.strip()
        if not text:
            raise DialError("nothing to dial")
        if text.lower().startswith(("sip:", "sips:", "tel:")):
            try:
                return SipURI.parse(text)
            except SipParseError as exc:
                raise DialError(f"{text!r} is not a valid address: {exc}") from exc
        cleaned = "".join(ch for ch in text if ch not in " -/()")
        if "@" in cleaned:
            user, _, host = cleaned.partition("@")
        else:
            user, host = cleaned, account.settings.domain
        h, port = split_host_port(host)
        params: dict[str, str | None] = (
            {"transport": "tcp"} if account.settings.transport == "tcp" else {}
        )
        scheme = "sips" if account.settings.transport == "tls" else "sip"
        return SipURI(scheme, user, None, h, port, params, {})

    async def dial(self, target: str, account_name: str | None = None) -> Call:
        account = self.account_for(account_name)
        uri = self.target_uri(target, account)
        if account.server is None:
            raise DialError(f"account {account.name} has no server yet (not registered?)")
        call = await Call.outgoing(self, account, uri)
        self.calls[call.id] = call
        return call

    def _on_invite(self, tx: ServerTransaction, request: Request, source: Source) -> None:
        asyncio.get_running_loop().create_task(self._incoming(tx, request, source))

    async def _incoming(self, tx: ServerTransaction, request: Request, source: Source) -> None:
        account = self._account_for_request(request)
        if account is None:
            self.endpoint.send_response(tx, self.endpoint.make_response(request, 404, "Not Found"))
            return
        if not self._trusted(source, account):
            log.info("INVITE from %s:%s refused: not our server", source.host, source.port)
            self.endpoint.send_response(tx, self.endpoint.make_response(request, 403, "Forbidden"))
            return
        live = [c for c in self.calls.values() if not c.ended]
        # Busy when call waiting is off and we are on a call, and always when a call
        # is already waiting: one waiting call at a time, like a desk phone.
        busy = bool(live) and (
            not self.settings.media.call_waiting
            or any(c.direction == "incoming" and c.state == "incoming" for c in live)
        )
        call = await Call.incoming(self, account, request, tx)
        self.calls[call.id] = call
        if busy:
            call._run(call.session.reject(call.now, 486, "Busy Here"))
            return
        if not call.ended:
            call._run(call.session.ring(call.now))
            if self.auto_answer:
                call.answer()

    def _account_for_request(self, request: Request) -> Account | None:
        """The account a call is for: by the Request-URI's user, else the only account."""
        user = request.uri.user if isinstance(request.uri, SipURI) else None
        for account in self.accounts.values():
            if account.settings.username == user:
                return account
        return next(iter(self.accounts.values()), None)

    def _trusted(self, source: Source, account: Account) -> bool:
        """No ghost calls: INVITEs only from the account's server, unless direct calls
        are allowed."""
        if self.settings.functions.allow_direct_calls:
            return True
        for a in self.accounts.values():
            server = a.server
            if server is None or server.host != source.host:
                continue
            # Over UDP the server sends from its own port; a stream may be a connection
            # the server opened to us, from any port of its host.
            if source.transport != "udp" or source.port == server.port:
                return True
        return False

    # -- hooks for calls

    def incoming_ringing(self, call: Call) -> None:
        others = [
            c for c in self.calls.values() if c is not call and c.state in ("connected", "held")
        ]
        if others:
            self.media.play_tone("call_waiting", call)
        elif not self.auto_answer:
            self.media.play_ringtone(call, self.settings.media.ringtone)

    def stop_ringing(self, call: Call) -> None:
        self.media.stop_tone(call)

    def call_ended(self, call: Call) -> None:
        asyncio.get_running_loop().call_later(30, self.calls.pop, call.id, None)
        # The active call is over: a call that was waiting now rings properly.
        live = [c for c in self.calls.values() if not c.ended]
        waiting = [c for c in live if c.direction == "incoming" and c.state == "incoming"]
        if waiting and not any(c.state in ("connected", "held") for c in live):
            self.incoming_ringing(waiting[-1])
