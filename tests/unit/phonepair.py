"""Two `Phone`s wired back to back in one process, on a fake network and a fake clock.

The phone-level sibling of `uapair.py` (h11's connection pair, one floor up): each side
is a real `parley.phone.phone.Phone` — the incoming-call policy, `Account`, `Call`, the
media engine on null devices — and only the world is fake:

- **SIP wire**: `FakeTransport` stands in for `net/transport.py`'s `TransportLayer`
  (the driver makes it through its `transport_factory` seam). Every message is
  serialised, carried by `FakeNetwork` one loop step later, parsed again and recorded
  in `network.log` in delivery order, so a test reads exactly what crossed the wire.
- **Clock**: the pair runs on `VirtualTimeLoop`, an asyncio loop whose `time()` is
  virtual. When nothing is ready, the loop does not sleep: it jumps to its next timer.
  `await asyncio.sleep(30)` in a test lets 30 s pass at once — retransmissions, session
  timers, registration refreshes and the media clock all fire in order — and no test
  depends on the wall clock.
- **Registrar**: `FakeRegistrar` on 127.0.0.1:5060 challenges each REGISTER once
  (digest MD5, qop=auth, checked here with hashlib, not with Parley's own code) and
  then accepts it.
- **Media**: each call's RTP still runs on real UDP sockets on 127.0.0.1 (the streams
  bind their own ports); the audio devices are null.

    pair = PhonePair()
    pair.run(pair.start())
    call = pair.run(pair.a.phone.dial("sip:1002@127.0.0.1:5062"))
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import selectors
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from parley.media.engine import AudioConfig
from parley.net.address import Address, Source, TransportError
from parley.phone.call import Call
from parley.phone.events import AccountStateChanged, CallPhase, CallStateChanged, PhoneEvent
from parley.phone.phone import Phone
from parley.settings.model import AccountSettings, Settings
from parley.sip.headers import SipParseError
from parley.sip.message import Request, Response
from parley.sip.parser import parse_message
from parley.sip.responses import make_response

T = TypeVar("T")
Message = Request | Response
HOST = "127.0.0.1"
REGISTRAR_PORT = 5060
IDLE_REAL_SECONDS = 2.0  # a loop with nothing scheduled waits this long for a thread


# ------------------------------------------------------------------ the clock


class _VirtualSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """Looks at the sockets without waiting; a wait becomes a jump of the virtual clock."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def select(self, timeout: float | None = None) -> list[Any]:
        ready: list[Any] = super().select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None:  # nothing scheduled: only another thread can wake us
            ready = super().select(IDLE_REAL_SECONDS)
            if not ready:
                raise RuntimeError("the virtual-time loop is idle with nothing scheduled")
            return ready
        self.now += timeout
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An asyncio loop on a virtual clock that jumps from timer to timer."""

    def __init__(self, start: float = 1000.0) -> None:
        self._virtual = _VirtualSelector()
        self._virtual.now = start
        super().__init__(self._virtual)

    def time(self) -> float:
        return self._virtual.now

    def set_time(self, now: float) -> None:
        """Put the clock at `now` (tests of what happens at an exact instant)."""
        self._virtual.now = now


# ------------------------------------------------------------------ the SIP wire


@dataclass(frozen=True)
class Packet:
    """One SIP message as it was delivered: from (host, port) to (host, port)."""

    src: tuple[str, int]
    dst: tuple[str, int]
    message: Message

    @property
    def label(self) -> str:
        m = self.message
        if isinstance(m, Request):
            return f"{m.method} {m.cseq.seq}"
        return f"{m.status} {m.cseq.method}"


class FakeNetwork:
    """Carries datagrams between the fake transports (and the registrar)."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[str, int], Callable[[bytes, tuple[str, int]], None]] = {}
        self.log: list[Packet] = []
        self.drop: Callable[[Packet], bool] = lambda packet: False

    def attach(
        self, where: tuple[str, int], receive: Callable[[bytes, tuple[str, int]], None]
    ) -> None:
        if where in self.nodes:
            raise TransportError(f"address {where} in use")
        self.nodes[where] = receive

    def detach(self, where: tuple[str, int]) -> None:
        self.nodes.pop(where, None)

    def send(self, data: bytes, src: tuple[str, int], dst: tuple[str, int]) -> None:
        # One loop step later, as a datagram would: the sender finishes what it does first.
        asyncio.get_running_loop().call_soon(self._deliver, data, src, dst)

    def _deliver(self, data: bytes, src: tuple[str, int], dst: tuple[str, int]) -> None:
        packet = Packet(src, dst, parse_message(data))
        if self.drop(packet):
            return
        self.log.append(packet)
        receive = self.nodes.get(dst)
        if receive is not None:  # UDP: nobody there, nothing happens
            receive(data, src)

    # -- reading the log
    def between(self, src: int | None = None, dst: int | None = None) -> list[Packet]:
        return [
            p
            for p in self.log
            if (src is None or p.src[1] == src) and (dst is None or p.dst[1] == dst)
        ]

    def labels(self, src: int | None = None, dst: int | None = None) -> list[str]:
        return [p.label for p in self.between(src, dst)]

    def requests(self, method: str, src: int | None = None) -> list[Request]:
        return [
            p.message
            for p in self.between(src)
            if isinstance(p.message, Request) and p.message.method == method
        ]

    def responses(
        self, status: int, method: str | None = None, src: int | None = None
    ) -> list[Response]:
        return [
            p.message
            for p in self.between(src)
            if isinstance(p.message, Response)
            and p.message.status == status
            and (method is None or p.message.cseq.method == method)
        ]


class _NoKeepAlive:
    def cancel(self) -> None:
        pass


class FakeTransport:
    """What `SipDriver` needs of `TransportLayer`, on a `FakeNetwork` (UDP only)."""

    def __init__(
        self,
        network: FakeNetwork,
        on_message: Callable[[Message, Source], None],
        *,
        on_parse_error: Callable[[bytes, Source, SipParseError], None] | None = None,
        on_connection_lost: Callable[[Address], None] | None = None,
        on_trace: Callable[[str, bytes, Any], None] | None = None,
        **_: object,
    ) -> None:
        self.network = network
        self._deliver = on_message
        self._parse_error = on_parse_error
        self.ports: list[tuple[str, int]] = []

    async def listen_udp(self, host: str = HOST, port: int = 0) -> tuple[str, int]:
        if port == 0:
            port = 40000 + len(self.network.nodes)
        where = (host, port)
        self.network.attach(where, lambda data, src: self._receive(data, src, where))
        self.ports.append(where)
        return where

    async def listen_tcp(self, host: str = HOST, port: int = 0) -> tuple[str, int]:
        raise TransportError("the fake network carries UDP only")

    def configure_tls(self, ca_file: str | None = None, verify: bool = True) -> None:
        pass

    async def connect(self, dest: Address, **_: object) -> Source:
        raise TransportError("the fake network carries UDP only")

    def connection_id(self, dest: Address) -> int | None:
        return None

    def close_connection(self, connection_id: int) -> None:
        pass

    def local_address(self, dest: Address, local_port: int | None = None) -> tuple[str, int]:
        return self._local(local_port)

    def _local(self, local_port: int | None) -> tuple[str, int]:
        if not self.ports:
            raise TransportError("no UDP socket — call listen_udp first")
        return next((p for p in self.ports if p[1] == local_port), self.ports[0])

    async def send(
        self,
        message: Message | bytes,
        dest: Address,
        *,
        connection_id: int | None = None,
        local_port: int | None = None,
        **_: object,
    ) -> Source:
        if dest.transport != "udp":
            raise TransportError(f"the fake network carries UDP only, not {dest.transport}")
        data = message if isinstance(message, bytes) else message.to_bytes()
        local = self._local(local_port)
        self.network.send(data, local, (dest.host, dest.port))
        return Source("udp", dest.host, dest.port, local[0], local[1], None)

    def start_keepalive(self, dest: Address, interval: float, **_: object) -> _NoKeepAlive:
        return _NoKeepAlive()

    async def close(self) -> None:
        for where in self.ports:
            self.network.detach(where)
        self.ports = []

    def _receive(self, data: bytes, src: tuple[str, int], local: tuple[str, int]) -> None:
        source = Source("udp", src[0], src[1], local[0], local[1], None)
        try:
            message = parse_message(data)
        except SipParseError as exc:
            if self._parse_error is not None:
                self._parse_error(data, source, exc)
            return
        self._deliver(message, source)


# ------------------------------------------------------------------ the registrar


class FakeRegistrar:
    """A registrar on the fake network: one digest challenge per REGISTER, then 200.
    `accounts`: user → password. Bindings are kept by user (the last Contact)."""

    realm = "pair.test"

    def __init__(self, network: FakeNetwork, accounts: dict[str, str]) -> None:
        self.network = network
        self.accounts = accounts
        self.where = (HOST, REGISTRAR_PORT)
        self.bindings: dict[str, str] = {}
        self._nonce = 0
        network.attach(self.where, self._receive)

    def _receive(self, data: bytes, src: tuple[str, int]) -> None:
        message = parse_message(data)
        if not isinstance(message, Request) or message.method == "ACK":
            return
        if message.method != "REGISTER":
            self._answer(make_response(message, 200 if message.method == "OPTIONS" else 405), src)
            return
        user = message.to.uri.user or ""
        auth = message.headers.get("Authorization")
        if auth is None or not self._valid(auth, message, user):
            if auth is not None and user in self.accounts:
                self._answer(make_response(message, 403, to_tag="reg"), src)
                return
            self._nonce += 1
            challenge = (
                f'Digest realm="{self.realm}", nonce="n{self._nonce}", qop="auth", algorithm=MD5'
            )
            self._answer(
                make_response(
                    message, 401, to_tag="reg", headers=[("WWW-Authenticate", challenge)]
                ),
                src,
            )
            return
        contact = message.headers.get("Contact") or ""
        expires = message.headers.get("Expires") or "3600"
        if "expires=0" in contact.replace(" ", "") or expires.strip() == "0":
            self.bindings.pop(user, None)
            headers = [("Expires", "0")]
        else:
            self.bindings[user] = contact
            headers = [("Contact", f"{contact.split(';')[0]};expires=3600"), ("Expires", "3600")]
        self._answer(make_response(message, 200, to_tag="reg", headers=headers), src)

    def _valid(self, header: str, request: Request, user: str) -> bool:
        params = {k: a or b for k, a, b in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', header)}
        password = self.accounts.get(user)
        if password is None or params.get("username") != user:
            return False

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1 = md5(f"{user}:{self.realm}:{password}")
        ha2 = md5(f"REGISTER:{params.get('uri', '')}")
        expected = md5(
            f"{ha1}:{params.get('nonce')}:{params.get('nc')}:{params.get('cnonce')}:auth:{ha2}"
        )
        return params.get("response") == expected

    def _answer(self, response: Response, dst: tuple[str, int]) -> None:
        self.network.send(response.to_bytes(), self.where, dst)


# ------------------------------------------------------------------ the phones


def account(name: str, user: str, port: int, **kw: Any) -> AccountSettings:
    data: dict[str, Any] = {
        "name": name,
        "domain": f"{HOST}:{REGISTRAR_PORT}",
        "username": user,
        "transport": "udp",
        "local_port": port,
        "codecs": ["pcmu"],
        "keepalive_interval": 0,
        **kw,
    }
    return AccountSettings(**data)


def settings_for(acct: AccountSettings, **sections: dict[str, Any]) -> Settings:
    data: dict[str, Any] = {"accounts": [acct]}
    data.setdefault("functions", {"allow_direct_calls": True})
    for section, values in sections.items():
        merged = dict(data.get(section, {}))
        merged.update(values)
        data[section] = merged
    return Settings(**data)


class Side:
    """One phone of the pair, with everything it reported."""

    def __init__(
        self, pair: PhonePair, name: str, user: str, port: int, password: str, settings: Settings
    ) -> None:
        self.pair = pair
        self.name = name
        self.user = user
        self.port = port
        self.events: list[PhoneEvent] = []
        self.phone = Phone(
            settings,
            {settings.accounts[0].name: password},
            self.events.append,
            bind_host=HOST,
            audio=AudioConfig(
                input="null",
                output="null",
                echo_cancellation=False,
                auto_gain_control=False,
                noise_suppression=False,
            ),
            transport_factory=lambda *a, **kw: FakeTransport(pair.network, *a, **kw),
        )

    @property
    def uri(self) -> str:
        return f"sip:{self.user}@{HOST}:{self.port}"

    def call_events(self, call: int | None = None) -> list[CallStateChanged]:
        return [
            e
            for e in self.events
            if isinstance(e, CallStateChanged) and (call is None or e.call == call)
        ]

    def phases(self, call: int | None = None) -> list[CallPhase]:
        """The call states reported, repeats folded."""
        out: list[CallPhase] = []
        for e in self.call_events(call):
            if not out or out[-1] != e.state:
                out.append(e.state)
        return out

    def account_events(self) -> list[AccountStateChanged]:
        return [e for e in self.events if isinstance(e, AccountStateChanged)]

    def calls(self) -> list[Call]:
        return list(self.phone.calls.values())

    def only_call(self) -> Call:
        calls = self.calls()
        assert len(calls) == 1, calls
        return calls[0]

    def sent(self) -> list[str]:
        """Labels of what this phone sent, in order ("INVITE 1", "200 BYE"...)."""
        return self.pair.network.labels(src=self.port)


class PhonePair:
    """Alice (1001 on :5061) and Bob (1002 on :5062), a registrar on :5060.

    Both register on start. The registrar is no proxy: calls go from phone to phone
    (`Side.uri`), so `allow_direct_calls` is on unless a test's `functions` turn it off.
    `a`/`b`: settings sections per phone (``{"media": {"call_waiting": False}}``);
    `a_account`/`b_account`: account keys."""

    def __init__(
        self,
        *,
        a: dict[str, dict[str, Any]] | None = None,
        b: dict[str, dict[str, Any]] | None = None,
        a_account: dict[str, Any] | None = None,
        b_account: dict[str, Any] | None = None,
        a_password: str = "secret1",
        b_password: str = "secret2",
    ) -> None:
        self.loop = VirtualTimeLoop()
        asyncio.set_event_loop(self.loop)
        self.network = FakeNetwork()
        self.registrar = FakeRegistrar(self.network, {"1001": "secret1", "1002": "secret2"})
        defaults: dict[str, Any] = {"register_on_startup": True}
        a_acct = account("alice", "1001", 5061, **{**defaults, **(a_account or {})})
        b_acct = account("bob", "1002", 5062, **{**defaults, **(b_account or {})})
        self.a = Side(self, "alice", "1001", 5061, a_password, settings_for(a_acct, **(a or {})))
        self.b = Side(self, "bob", "1002", 5062, b_password, settings_for(b_acct, **(b or {})))
        self._started: list[Side] = []

    @property
    def now(self) -> float:
        return self.loop.time()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def do(self, command: Callable[[], T]) -> T:
        """Run a phone command on the loop, as the engine thread does (then return)."""

        async def on_loop() -> T:
            return command()

        return self.run(on_loop())

    async def start(self, *sides: Side) -> None:
        for side in sides or (self.a, self.b):
            await side.phone.start()
            self._started.append(side)

    async def until(
        self, predicate: Callable[[], bool], within: float = 10.0, step: float = 0.01
    ) -> None:
        """Let virtual time pass in small steps until `predicate()` holds (or fail)."""
        end = self.now + within
        while not predicate():
            if self.now >= end:
                raise AssertionError(f"not within {within} s (virtual) of waiting")
            await asyncio.sleep(step)

    async def settle(self, seconds: float = 0.5) -> None:
        """Let `seconds` of virtual time pass (messages in flight arrive)."""
        await asyncio.sleep(seconds)

    def close(self) -> None:
        async def stop() -> None:
            for side in self._started:
                try:
                    await side.phone.stop(timeout=2.0)
                except Exception:  # a test that broke a phone must still free the sockets
                    pass

        try:
            self.run(stop())
            pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                self.run(asyncio.wait(pending, timeout=1.0))
        finally:
            self.loop.close()
            asyncio.set_event_loop(None)
