"""Subscriptions follow the account against a real presence server (issue #9 §1):
restored after the server restarted, after a dropped TCP connection and after a
re-registration with a new Contact; unsubscribed at shutdown; a stop with the server
dead still returns.

Kamailio with presence (once for the module; restarted by some tests: it keeps
everything in memory, so a restart forgets every registration and subscription). The
subscription observed is MWI (account `mwi = true`): the rig's voicemail simulator
(`publish_mwi`) PUBLISHes counts and Kamailio NOTIFYs every watcher it holds. What the
server holds is seen from outside:

- a NOTIFY with the new counts reaching Parley (its `MwiChanged`, the console's `mwi`
  line) proves the server holds a subscription of Parley's that works;
- a socket of the test bound to an address Parley no longer uses (its port after it
  stopped, the TCP port of a connection that was dropped) catches every NOTIFY the server
  still sends there: none may carry the counts published afterwards — while a watcher of
  the rig (`SipUser`) on the same mailbox gets them, so the server did send its NOTIFYs.
  A Parley killed without unsubscribing shows that this catch works.

Registration is 600 s and `subscription_expiry` 600 s (a refresh at about 540 s): neither
refresh can be what brings a subscription back within these tests; the keep-alive (UDP,
5 s, the shortest allowed) and the lost connection (TCP) are what Parley notices.

Parley has no detection of a network change of its own (no watch on the host's
addresses); what exists is the re-registration, which the last test drives with the
console's `unregister` / `register` while the TCP connection is dropped in between, so
that the account comes back with a new Contact.
"""

from __future__ import annotations

import logging
import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config

from parley.app import Application
from parley.media.engine import AudioConfig
from parley.phone.events import (
    AccountStateChanged,
    MwiChanged,
    PhoneEvent,
    SubscriptionChanged,
    SubscriptionStatus,
)
from parley.settings import AccountSettings, Settings
from peers.common import LOOPBACK, free_port, missing_peer
from peers.kamailio import Kamailio, running_kamailio
from peers.presence_rig import SipUser, publish_mwi

pytestmark = pytest.mark.interop

WAIT = 60.0
QUIET = 3.0  # after the rig's watcher got a NOTIFY: the server has sent all of them
USERS = {f"33{i:02d}": f"pass33{i:02d}" for i in range(1, 21)}
PACKAGE = "message-summary"


# ---------------------------------------------------------------------------- helpers


class Recorder:
    """An Application's events (they arrive on its engine thread)."""

    def __init__(self) -> None:
        self.events: list[PhoneEvent] = []
        self.cond = threading.Condition()

    def __call__(self, event: PhoneEvent) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def wait(
        self, match: Callable[[PhoneEvent], bool], timeout: float = WAIT, since: int = 0
    ) -> Any:
        def found() -> PhoneEvent | None:
            return next((e for e in self.events[since:] if match(e)), None)

        with self.cond:
            self.cond.wait_for(lambda: found() is not None, timeout)
            event = found()
        assert event is not None, f"no matching event; got {self.events[since:]}"
        return event

    def mark(self) -> int:
        with self.cond:
            return len(self.events)


class Wire(logging.Handler):
    """Parley's SIP trace (what it sent and received): (direction, text) in order."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[tuple[str, str]] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        head, _, text = record.getMessage().partition("\n")
        with self._guard:
            self.messages.append(("out" if head.startswith(">>") else "in", text))

    def sent(self, start: str) -> list[str]:
        with self._guard:
            return [m for d, m in self.messages if d == "out" and m.startswith(start)]

    def received(self, start: str) -> list[str]:
        with self._guard:
            return [m for d, m in self.messages if d == "in" and m.startswith(start)]


class Catcher:
    """A socket of the test on an address Parley used before: what arrives there."""

    def __init__(self, transport: str, port: int) -> None:
        self.data: list[bytes] = []
        self.lock = threading.Lock()
        kind = socket.SOCK_DGRAM if transport == "udp" else socket.SOCK_STREAM
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((LOOPBACK, port))
        self.sock.settimeout(0.2)
        if transport == "tcp":
            self.sock.listen()
        self.closed = False
        target = self._udp if transport == "udp" else self._tcp
        self.thread = threading.Thread(target=target, daemon=True)
        self.thread.start()

    def _keep(self, chunk: bytes) -> None:
        with self.lock:
            self.data.append(chunk)

    def _udp(self) -> None:
        while not self.closed:
            try:
                self._keep(self.sock.recv(65535))
            except TimeoutError:
                continue
            except OSError:
                return

    def _tcp(self) -> None:
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        with conn:
            while not self.closed:
                try:
                    chunk = conn.recv(65535)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                self._keep(chunk)

    def text(self) -> str:
        with self.lock:
            return b"".join(self.data).decode("utf-8", "replace")

    def close(self) -> None:
        self.closed = True
        self.sock.close()


def counts_line(new: int, old: int) -> str:
    return f"Voice-Message: {new}/{old}"


def contact_ports(kam: Kamailio, user: str) -> list[int]:
    """The ports of the Contacts the registrar holds for `user`."""
    ports = []
    for contact in kam.lookup(user):
        found = re.search(r"@127\.0\.0\.1:(\d+)", contact)
        if found:
            ports.append(int(found.group(1)))
    return ports


def drop_tcp_connection(kam: Kamailio, client_port: int) -> None:
    """Close Kamailio's end of the TCP connection from `client_port` (the peer gets an
    RST), as a NAT box or a server that drops idle connections would: the server keeps
    its registrations and subscriptions."""
    filter_ = f"( sport = :{kam.tcp_port} and dport = :{client_port} )"
    try:
        done = subprocess.run(
            ["ss", "-K", "-t", "state", "established", filter_],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except FileNotFoundError:
        missing_peer("ss (iproute2) is not installed: cannot close a TCP connection")
        raise
    killed = [line for line in done.stdout.splitlines()[1:] if line.strip()]
    if done.returncode != 0 or not killed:
        missing_peer(f"ss -K closed no socket here (needs CAP_NET_ADMIN): {done.stderr}")


def account(kam: Kamailio, user: str, transport: str, **extra: Any) -> AccountSettings:
    return AccountSettings(
        name="office",
        domain=f"{LOOPBACK}:{kam.udp_port}",
        username=user,
        transport=transport,
        codecs=["pcmu"],
        local_port=free_port("both"),
        mwi=True,
        expires=600,
        subscription_expiry=600,
        keepalive_interval=5,
        retry_interval=5,
        **extra,
    )


def start_app(
    kam: Kamailio, user: str, transport: str, data: Path
) -> tuple[Application, Recorder, Wire]:
    settings = Settings(accounts=[account(kam, user, transport)])
    settings.log.sip_trace = True
    wire = Wire()
    trace = logging.getLogger("parley.sip.trace")
    trace.addHandler(wire)
    trace.setLevel(logging.INFO)
    app = Application(
        settings=settings,
        passwords={"office": USERS[user]},
        use_keyring=False,
        data_dir=data,
        bind_host=LOOPBACK,
        audio=AudioConfig(),
    )
    events = Recorder()
    app.subscribe(events)
    try:
        app.start().result(WAIT)
        events.wait(registered)
    except BaseException:
        stop_app(app, wire)
        raise
    return app, events, wire


def stop_app(app: Application, wire: Wire) -> None:
    try:
        app.stop()
    finally:
        logging.getLogger("parley.sip.trace").removeHandler(wire)


def registered(event: PhoneEvent) -> bool:
    return isinstance(event, AccountStateChanged) and event.state == "registered"


def mwi_active(event: PhoneEvent) -> bool:
    return (
        isinstance(event, SubscriptionChanged)
        and event.package == PACKAGE
        and event.state is SubscriptionStatus.ACTIVE
    )


def shows(new: int, old: int) -> Callable[[PhoneEvent], bool]:
    return lambda e: isinstance(e, MwiChanged) and (e.new, e.old) == (new, old)


def console_config(kam: Kamailio, user: str, transport: str, path: Path) -> Path:
    settings = account(kam, user, transport)
    entry = settings.model_dump(
        mode="json",
        include={
            "name",
            "domain",
            "username",
            "transport",
            "codecs",
            "local_port",
            "mwi",
            "expires",
            "subscription_expiry",
            "keepalive_interval",
            "retry_interval",
        },
    )
    entry["password"] = USERS[user]
    return write_config(path, [entry])


def console_mwi_active(event: dict[str, Any]) -> bool:
    return (
        event.get("event") == "subscription"
        and event.get("package") == PACKAGE
        and event.get("state") == "active"
    )


def trace_blocks(console: ParleyConsole) -> list[str]:
    """The SIP messages in the console's `--trace` output (stderr), in order."""
    text = console.stderr_path.read_text(errors="replace")
    return re.split(r"\n(?=\S.*?(?:>>|<<) )", text)


def unsubscribed_and_answered(blocks: list[str]) -> bool:
    """A SUBSCRIBE for message-summary with Expires: 0 went out and got a 200."""
    for block in blocks:
        if not re.search(r"^SUBSCRIBE sip:", block, re.MULTILINE):
            continue
        if not re.search(r"^Expires: 0\s*$", block, re.MULTILINE | re.IGNORECASE):
            continue
        call_id = re.search(r"^Call-ID: (\S+)", block, re.MULTILINE | re.IGNORECASE)
        cseq = re.search(r"^CSeq: (\d+) SUBSCRIBE", block, re.MULTILINE | re.IGNORECASE)
        if call_id is None or cseq is None:
            continue
        for answer in blocks:
            if (
                re.search(r"^SIP/2.0 200", answer, re.MULTILINE)
                and f"Call-ID: {call_id.group(1)}" in answer
                and re.search(rf"^CSeq: {cseq.group(1)} SUBSCRIBE", answer, re.MULTILINE)
            ):
                return True
    return False


def wait_for(check: Callable[[], bool], timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def assert_nothing_caught(catcher: Catcher, line: str) -> None:
    time.sleep(QUIET)  # the server sends its NOTIFYs together: give a stray one time
    assert line not in catcher.text(), (
        f"the server still NOTIFYs an address Parley left:\n{catcher.text()}"
    )


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    with running_kamailio(
        tmp_path_factory.mktemp("restore") / "kamailio", USERS, presence=True
    ) as server:
        yield server


@pytest.fixture
def running(kam: Kamailio) -> Iterator[Kamailio]:
    """The module's Kamailio, running again after a test that stopped it."""
    if not kam.running:
        kam.start()
    yield kam
    if not kam.running:
        kam.start()


# ---------------------------------------------------------------------------- 1. restart


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_restarted_server_gets_the_subscription_again(
    running: Kamailio, transport: str, tmp_path: Path
) -> None:
    kam = running
    user = {"udp": "3301", "tcp": "3302"}[transport]
    app, events, wire = start_app(kam, user, transport, tmp_path / "data")
    try:
        events.wait(mwi_active)
        assert publish_mwi(kam, user, 1, 0).status == 200
        events.wait(shows(1, 0))

        since = events.mark()
        if transport == "udp":
            # Over UDP nothing tells: the keep-alive probe goes unanswered (it counts
            # once a probe was answered: a server that never answers is not dead).
            assert wait_for(lambda: any(" OPTIONS" in m for m in wire.received("SIP/2.0 "))), (
                "no keep-alive probe was answered"
            )
            kam.stop()
            events.wait(
                lambda e: isinstance(e, AccountStateChanged) and e.state == "unreachable",
                since=since,
            )
            kam.start()
        else:
            kam.restart()  # the connection closes with the old process
        events.wait(registered, since=since)
        events.wait(mwi_active, since=since)
        assert contact_ports(kam, user), "registered, but the registrar has no binding"
        # The new server knows nothing but what Parley subscribed anew.
        assert publish_mwi(kam, user, 4, 2).status == 200
        shown = events.wait(shows(4, 2), since=since)
        assert shown.account == "office"
        assert app.voicemail.summary("office") == shown
        # It was a new subscription (a SUBSCRIBE without To tag after the restart).
        initial = [m for m in wire.sent("SUBSCRIBE ") if not re.search(r"^To:.*;tag=", m, re.M)]
        assert len(initial) >= 2, initial
    finally:
        stop_app(app, wire)


# ---------------------------------------------------------------------------- 2. TCP drop


def test_dropped_tcp_connection_subscribes_over_the_new_one(
    running: Kamailio, tmp_path: Path
) -> None:
    kam = running
    user = "3303"
    app, events, wire = start_app(kam, user, "tcp", tmp_path / "data")
    catcher: Catcher | None = None
    try:
        events.wait(mwi_active)
        [old_port] = contact_ports(kam, user)
        with SipUser(kam, user, USERS[user]) as rig:
            watch = rig.subscribe(user, PACKAGE, accept="application/simple-message-summary")

            since = events.mark()
            drop_tcp_connection(kam, old_port)  # the server keeps what it holds
            events.wait(registered, since=since)
            events.wait(mwi_active, since=since)
            new_ports = [p for p in contact_ports(kam, user) if p != old_port]
            assert new_ports, f"no binding on a new connection: {kam.lookup(user)}"
            catcher = Catcher("tcp", old_port)

            assert publish_mwi(kam, user, 5, 1).status == 200
            events.wait(shows(5, 1), since=since)  # over the new connection
            rig.wait_notify(
                lambda m: counts_line(5, 1) in m.body, call_id=watch.call_id, timeout=WAIT
            )
            # The subscription of the dropped connection was ended, not left behind.
            assert_nothing_caught(catcher, counts_line(5, 1))
            restored = wire.sent("SUBSCRIBE ")[-1]
            assert f"127.0.0.1:{new_ports[0]}" in restored or any(
                f"127.0.0.1:{p}" in restored for p in new_ports
            ), restored
    finally:
        if catcher is not None:
            catcher.close()
        stop_app(app, wire)


# ---------------------------------------------------------------------------- 3. stop


def test_console_unsubscribes_when_it_stops(running: Kamailio, tmp_path: Path) -> None:
    kam = running
    user, left_behind = "3304", "3305"
    config = console_config(kam, user, "udp", tmp_path / "parley.toml")
    port = int(re.search(r"local_port = (\d+)", config.read_text()).group(1))  # type: ignore[union-attr]
    console = ParleyConsole(config, log_dir=tmp_path)
    catcher: Catcher | None = None
    try:
        console.wait_state("registered", timeout=WAIT)
        console.wait_for(console_mwi_active, timeout=WAIT)
        assert console.quit() == 0
        assert unsubscribed_and_answered(trace_blocks(console)), console.stderr_tail()
        catcher = Catcher("udp", port)
        with SipUser(kam, user, USERS[user]) as rig:
            watch = rig.subscribe(user, PACKAGE, accept="application/simple-message-summary")
            assert publish_mwi(kam, user, 2, 0).status == 200
            rig.wait_notify(
                lambda m: counts_line(2, 0) in m.body, call_id=watch.call_id, timeout=WAIT
            )
            assert_nothing_caught(catcher, counts_line(2, 0))
    finally:
        if catcher is not None:
            catcher.close()
        console.stop()

    # The catch works: a Parley killed without unsubscribing is still NOTIFYed there.
    config = console_config(kam, left_behind, "udp", tmp_path / "killed.toml")
    port = int(re.search(r"local_port = (\d+)", config.read_text()).group(1))  # type: ignore[union-attr]
    (tmp_path / "killed").mkdir()
    killed = ParleyConsole(config, log_dir=tmp_path / "killed")
    catcher = None
    try:
        killed.wait_state("registered", timeout=WAIT)
        killed.wait_for(console_mwi_active, timeout=WAIT)
        killed.stop()  # SIGKILL: no unsubscribe
        catcher = Catcher("udp", port)
        assert publish_mwi(kam, left_behind, 3, 0).status == 200
        caught = catcher
        assert wait_for(lambda: counts_line(3, 0) in caught.text()), caught.text()
    finally:
        if catcher is not None:
            catcher.close()
        killed.stop()


def test_stop_with_the_server_dead_returns(running: Kamailio, tmp_path: Path) -> None:
    kam = running
    user = "3306"
    app, events, wire = start_app(kam, user, "udp", tmp_path / "data")
    stopper: threading.Thread | None = None
    try:
        events.wait(mwi_active)
        kam.stop()
        stopper = threading.Thread(target=app.stop, daemon=True)
        stopper.start()
        stopper.join(WAIT)
        assert not stopper.is_alive(), "Application.stop did not return with the server dead"
        # It tried to unsubscribe, then gave up.
        assert [m for m in wire.sent("SUBSCRIBE ") if re.search(r"^Expires: 0", m, re.M)]
    finally:
        if stopper is None:
            stop_app(app, wire)
        logging.getLogger("parley.sip.trace").removeHandler(wire)


# ---------------------------------------------------------------------------- 4. new Contact


def test_reregistration_with_a_new_contact_moves_the_subscription(
    running: Kamailio, tmp_path: Path
) -> None:
    kam = running
    user = "3307"
    config = console_config(kam, user, "tcp", tmp_path / "parley.toml")
    console = ParleyConsole(config, log_dir=tmp_path)
    catcher: Catcher | None = None
    try:
        console.wait_state("registered", timeout=WAIT)
        console.wait_for(console_mwi_active, timeout=WAIT)
        [old_port] = contact_ports(kam, user)

        console.send("unregister office")
        console.wait_state("not registered", timeout=WAIT)
        # While it is offline its connection goes (a new network, a NAT that forgot it).
        drop_tcp_connection(kam, old_port)
        console.send("register office")
        console.wait_state("registered", timeout=WAIT)
        console.wait_for(console_mwi_active, timeout=WAIT)
        ports = contact_ports(kam, user)
        assert ports and old_port not in ports, (old_port, ports)
        catcher = Catcher("tcp", old_port)

        with SipUser(kam, user, USERS[user]) as rig:
            watch = rig.subscribe(user, PACKAGE, accept="application/simple-message-summary")
            assert publish_mwi(kam, user, 6, 3).status == 200
            line = console.wait_for(lambda e: e.get("event") == "mwi", timeout=WAIT)
            assert (line["new"], line["old"]) == (6, 3), line
            rig.wait_notify(
                lambda m: counts_line(6, 3) in m.body, call_id=watch.call_id, timeout=WAIT
            )
            assert_nothing_caught(catcher, counts_line(6, 3))
        assert console.quit() == 0
    finally:
        if catcher is not None:
            catcher.close()
        console.stop()
