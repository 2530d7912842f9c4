"""Two hosts and a lossy link: network namespaces joined by an impairing relay.

Kernel netem is missing on these machines, so the link is our own: every
namespace gets a TUN device (``tun0``) holding its address, with a route for the
test network 10.77.0.0/16 through it and nothing else (no default route). One
relay process holds the other end of every TUN device: it reads each IPv4 packet,
looks its destination up among the namespaces, and writes it to that namespace's
TUN device, after dropping it with probability ``loss`` or holding it for
``delay_ms`` +- ``jitter_ms`` (uniform; packets may overtake each other when
``reorder`` is true, as with netem). The random generator is seeded: the same
seed drops the same packets for the same traffic.

::

    with ImpairedLink(loss=0.03, delay_ms=40, jitter_ms=20, seed=1) as link:
        link.a.ns, link.a.address       # "parley-a-1234-1", "10.77.1.2"
        link.b.ns, link.b.address       # "parley-b-1234-1", "10.77.2.2"
        link.server.address             # "10.77.3.2": clean link to both (a PBX)
        link.run(link.a, ["ping", "-c1", link.b.address])
        Process(link.argv(link.b, ["baresip", ...]), ...)
        sock = link.socket(link.a, socket.AF_INET, socket.SOCK_DGRAM)  # lives in ns a
        link.stats()                    # forwarded/dropped per direction

Only a<->b traffic is impaired; traffic to and from the ``server`` namespace
(for Kamailio) passes clean, unless ``paths`` names those links too
(``paths=("a-server", "b-server")``: only the signalling is lossy). Nothing touches the root namespace: no device,
address or route is added there, so nothing can leak to a real network; the
namespaces themselves can reach nothing but each other (and their own lo).
Namespaces are deleted on exit, even after a failure, and the TUN devices vanish
with the relay process.

While it runs the link can be changed: ``link.control(loss=1.0)`` sets the loss of
the impaired paths, ``link.control(cut=[link.a])`` takes host a off the network
(every packet from or to it dropped, the server's too: an outage), ``cut=[]`` brings
it back. The relay reads a control file on SIGUSR2 and confirms.

Run as a script (``python impair.py CONFIG.json``) this module is the relay.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import heapq
import itertools
import json
import os
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUBNET = "10.77.0.0/16"
_CLONE_NEWNET = 0x40000000
_TUNSETIFF = 0x400454CA
_IFF_TUN = 0x0001
_IFF_NO_PI = 0x1000
_MTU = 1500
_counter = itertools.count(1)


class ImpairError(RuntimeError):
    pass


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, _CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


@contextlib.contextmanager
def _in_netns(ns: str) -> Iterator[None]:
    """Switch the calling thread into namespace ``ns`` and back."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/var/run/netns/{ns}", os.O_RDONLY)
    try:
        _setns(target)
        try:
            yield
        finally:
            _setns(own)
    finally:
        os.close(target)
        os.close(own)


def _ip(*args: str) -> None:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10)
    if result.returncode != 0:
        raise ImpairError(f"ip {' '.join(args)}: {result.stderr.strip()}")


@dataclass(frozen=True)
class Host:
    """One namespace on the test network."""

    ns: str
    address: str


class ImpairedLink:
    """Namespaces ``a`` and ``b`` (and ``server``) joined by an impairing relay."""

    def __init__(
        self,
        loss: float = 0.0,
        delay_ms: float = 0.0,
        jitter_ms: float = 0.0,
        seed: int = 1,
        *,
        reorder: bool = True,
        with_server: bool = True,
        workdir: Path | None = None,
        paths: Sequence[str] = ("a-b",),
    ) -> None:
        if not 0.0 <= loss <= 1.0:
            raise ValueError("loss is a probability")
        if jitter_ms > delay_ms:
            raise ValueError("jitter_ms cannot exceed delay_ms (no negative delays)")
        self.loss = loss
        self.delay_ms = delay_ms
        self.jitter_ms = jitter_ms
        self.seed = seed
        self.reorder = reorder
        tag = f"{os.getpid()}-{next(_counter)}"
        self.a = Host(f"parley-a-{tag}", "10.77.1.2")
        self.b = Host(f"parley-b-{tag}", "10.77.2.2")
        self.server = Host(f"parley-s-{tag}", "10.77.3.2") if with_server else None
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="impair-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.stats_path = self.workdir / "relay-stats.json"
        self.control_path = self.workdir / "relay-control.json"
        self.log_path = self.workdir / "relay.log"
        self.paths = tuple(paths)
        self._control_generation = 0
        self._relay: subprocess.Popen[bytes] | None = None
        self._created: list[str] = []

    @property
    def hosts(self) -> list[Host]:
        return [h for h in (self.a, self.b, self.server) if h is not None]

    # --- life cycle ---------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> ImpairedLink:
        if os.geteuid() != 0 or not Path("/dev/net/tun").exists():
            from peers.common import missing_peer

            missing_peer("network namespaces and TUN devices need root and /dev/net/tun")
        try:
            for host in self.hosts:
                _ip("netns", "add", host.ns)
                self._created.append(host.ns)
                _ip("-n", host.ns, "link", "set", "lo", "up")
            self._start_relay(timeout)
            for host in self.hosts:
                _ip("-n", host.ns, "addr", "add", f"{host.address}/24", "dev", "tun0")
                _ip("-n", host.ns, "link", "set", "tun0", "up")
                _ip("-n", host.ns, "route", "add", SUBNET, "dev", "tun0")
        except BaseException:
            self.close()
            raise
        return self

    def _pairs(self) -> list[list[str]]:
        names = {"a": self.a, "b": self.b, "server": self.server}
        pairs = []
        for path in self.paths:
            one, _, two = path.partition("-")
            first, second = names.get(one), names.get(two)
            if first is None or second is None or first == second:
                raise ValueError(f"unknown path {path!r} (a-b, a-server, b-server)")
            pairs.append([first.address, second.address])
        return pairs

    def _start_relay(self, timeout: float) -> None:
        impaired = [self.a.address, self.b.address]
        config = {
            "hosts": {h.ns: h.address for h in self.hosts},
            "impaired": impaired,
            "pairs": self._pairs(),
            "control": str(self.control_path),
            "loss": self.loss,
            "delay_ms": self.delay_ms,
            "jitter_ms": self.jitter_ms,
            "seed": self.seed,
            "reorder": self.reorder,
            "stats": str(self.stats_path),
        }
        config_path = self.workdir / "relay.json"
        config_path.write_text(json.dumps(config))
        self.stats_path.unlink(missing_ok=True)
        with open(self.log_path, "ab") as log:
            self._relay = subprocess.Popen(
                self.relay_argv(config_path),
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,
            )
        assert self._relay.stdout is not None
        ready, _, _ = select.select([self._relay.stdout], [], [], timeout)
        line = self._relay.stdout.readline() if ready else b""
        if line.strip() != b"ready":
            raise ImpairError(f"relay did not start: {line!r}; see {self.log_path}")

    def relay_argv(self, config_path: Path) -> list[str]:
        """The relay's command line (a subclass may run another relay built on
        `run_relay` with the same configuration)."""
        return [sys.executable, str(Path(__file__).resolve()), str(config_path)]

    def close(self) -> None:
        """Stop the relay (by pid) and delete the namespaces; safe to call twice."""
        relay, self._relay = self._relay, None
        if relay is not None:
            if relay.poll() is None:
                relay.send_signal(signal.SIGTERM)
                try:
                    relay.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    relay.kill()
                    relay.wait(timeout=5)
            if relay.stdout is not None:
                relay.stdout.close()
        for ns in reversed(self._created):
            with contextlib.suppress(ImpairError):
                _ip("netns", "del", ns)
        self._created.clear()

    def __enter__(self) -> ImpairedLink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- using the namespaces ------------------------------------------------------

    @staticmethod
    def argv(host: Host, argv: Sequence[str]) -> list[str]:
        """``argv`` to run inside ``host``'s namespace (``ip netns exec`` execs it,
        so the pid is the program's own)."""
        return ["ip", "netns", "exec", host.ns, *[str(a) for a in argv]]

    def run(
        self, host: Host, argv: Sequence[str], *, timeout: float = 30.0, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run a command inside ``host``'s namespace and wait for it."""
        return subprocess.run(
            self.argv(host, argv), capture_output=True, text=True, timeout=timeout, check=check
        )

    @staticmethod
    def socket(
        host: Host, family: int = socket.AF_INET, kind: int = socket.SOCK_DGRAM
    ) -> socket.socket:
        """A socket living in ``host``'s namespace, usable from this process."""
        return netns_socket(host.ns, family, kind)

    def control(
        self,
        *,
        loss: float | None = None,
        cut: Sequence[Host] | None = None,
        seed: int | None = None,
        timeout: float = 5.0,
    ) -> None:
        """Change the running link: the loss of the impaired paths, the hosts cut off
        the network (all their packets dropped, to and from the server too; ``[]``
        restores them), a new seed for the generator. Returns once the relay has
        applied it."""
        relay = self._relay
        if relay is None or relay.poll() is not None:
            raise ImpairError("the relay is not running")
        if loss is not None and not 0.0 <= loss <= 1.0:
            raise ValueError("loss is a probability")
        self._control_generation += 1
        generation = self._control_generation
        order: dict[str, Any] = {"generation": generation}
        if loss is not None:
            order["loss"] = loss
            self.loss = loss
        if cut is not None:
            order["cut"] = [h.address for h in cut]
        if seed is not None:
            order["seed"] = seed
            self.seed = seed
        tmp = self.control_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(order))
        os.replace(tmp, self.control_path)
        done = self.control_path.with_suffix(".done")
        relay.send_signal(signal.SIGUSR2)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):
                if int(done.read_text()) >= generation:
                    return
            time.sleep(0.02)
        raise ImpairError(f"the relay did not apply {order}; see {self.log_path}")

    def stats(self) -> dict[str, Any]:
        """Counters of the relay: per direction "A>B" forwarded and dropped packets."""
        relay = self._relay
        if relay is not None and relay.poll() is None:
            self.stats_path.unlink(missing_ok=True)
            relay.send_signal(signal.SIGUSR1)
            deadline = time.monotonic() + 5
            while not self.stats_path.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
        return dict(json.loads(self.stats_path.read_text()))


def netns_socket(ns: str, family: int, kind: int) -> socket.socket:
    """Create a socket inside namespace ``ns`` (in a helper thread, so this thread's
    own namespace never changes)."""
    result: list[socket.socket | BaseException] = []

    def work() -> None:
        try:
            with _in_netns(ns):
                result.append(socket.socket(family, kind))
        except BaseException as exc:  # handed to the caller
            result.append(exc)

    thread = threading.Thread(target=work, name=f"netns-{ns}")
    thread.start()
    thread.join()
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


# --- the relay process ------------------------------------------------------------------


def _open_tun(ns: str) -> int:
    with _in_netns(ns):
        fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
        fcntl.ioctl(fd, _TUNSETIFF, struct.pack("16sH", b"tun0", _IFF_TUN | _IFF_NO_PI))
    return fd


# The relay's verdict on one packet between two impaired hosts, arrived at `now`: the
# time to send it on, or None to drop it. `counters` may be extended (e.g. "rtp").
Fate = Callable[[bytes, str, dict[str, int], float], float | None]


def run_relay(
    config: dict[str, Any],
    fate: Fate,
    on_control: Callable[[dict[str, Any]], None] | None = None,
) -> int:
    """Forward IPv4 packets between the hosts' TUN devices until SIGTERM.

    Packets of an impaired pair (``config["pairs"]``, else any two of
    ``config["impaired"]``) get `fate` (drop or delay); everything else is forwarded
    at once; nothing leaves the test network. SIGUSR1 writes per-direction counters to
    ``config["stats"]``. SIGUSR2 reads ``config["control"]``: ``cut`` (addresses whose
    every packet is dropped, counted as "cut"), the rest goes to `on_control`."""
    by_addr: dict[bytes, int] = {}
    names: dict[bytes, str] = {}
    fds: list[int] = []
    for ns, address in config["hosts"].items():
        fd = _open_tun(ns)
        packed = socket.inet_aton(address)
        by_addr[packed], names[packed] = fd, address
        fds.append(fd)
    impaired = {socket.inet_aton(a) for a in config["impaired"]}
    pairs = {frozenset(socket.inet_aton(a) for a in pair) for pair in config.get("pairs", ())}
    cut: set[bytes] = set()
    stats: dict[str, dict[str, int]] = {}
    queue: list[tuple[float, int, int, bytes]] = []  # (due, order, fd, packet)
    order = itertools.count()
    stopping = False

    def write_stats(*_: object) -> None:
        tmp = config["stats"] + ".tmp"
        Path(tmp).write_text(json.dumps(stats))
        os.replace(tmp, config["stats"])

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    def read_control(*_: object) -> None:
        path = Path(config["control"])
        order = json.loads(path.read_text())
        if "cut" in order:
            cut.clear()
            cut.update(socket.inet_aton(a) for a in order["cut"])
        if on_control is not None:
            on_control(order)
        done = path.with_suffix(".done")
        done.with_suffix(".tmp").write_text(str(order.get("generation", 0)))
        os.replace(done.with_suffix(".tmp"), done)

    def is_impaired(src: bytes, dst: bytes) -> bool:
        if pairs:
            return frozenset((src, dst)) in pairs
        return src in impaired and dst in impaired

    signal.signal(signal.SIGUSR1, write_stats)
    if "control" in config:
        signal.signal(signal.SIGUSR2, read_control)
    signal.signal(signal.SIGTERM, stop)
    poller = select.epoll()
    for fd in fds:
        poller.register(fd, select.EPOLLIN)
    print("ready", flush=True)

    while not stopping:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out_fd, packet = heapq.heappop(queue)
            with contextlib.suppress(OSError):
                os.write(out_fd, packet)
        timeout = max(0.0, queue[0][0] - now) if queue else 0.5
        try:
            events = poller.poll(timeout)
        except InterruptedError:
            continue
        for fd, _ in events:
            while True:
                try:
                    packet = os.read(fd, _MTU + 64)
                except (BlockingIOError, InterruptedError, OSError):
                    break
                if len(packet) < 20 or packet[0] >> 4 != 4:
                    continue  # IPv4 only (IPv6 router solicitations and the like)
                src, dst = packet[12:16], packet[16:20]
                if dst not in by_addr:
                    continue  # not on the test network: never forwarded
                key = f"{names.get(src, socket.inet_ntoa(src))}>{names[dst]}"
                counters = stats.setdefault(key, {"forwarded": 0, "dropped": 0})
                due = time.monotonic()
                if src in cut or dst in cut:
                    counters["cut"] = counters.get("cut", 0) + 1
                    continue  # that host is off the network (an outage)
                if is_impaired(src, dst):
                    verdict = fate(packet, key, counters, due)
                    if verdict is None:
                        counters["dropped"] += 1
                        continue
                    due = verdict
                counters["forwarded"] += 1
                heapq.heappush(queue, (due, next(order), by_addr[dst], packet))
    write_stats()
    return 0


def relay_main(config_path: str) -> int:
    """The test relay: one seeded draw per packet in arrival order."""
    config = json.loads(Path(config_path).read_text())
    live = {"loss": float(config["loss"])}  # changed at run time by link.control(loss=...)
    delay = float(config["delay_ms"]) / 1000.0
    jitter = float(config["jitter_ms"]) / 1000.0
    reorder = bool(config["reorder"])
    rng = random.Random(int(config["seed"]))
    last_due: dict[str, float] = {}

    def fate(packet: bytes, key: str, counters: dict[str, int], now: float) -> float | None:
        loss = live["loss"]
        if loss and rng.random() < loss:
            return None
        due = now + delay + (rng.uniform(-jitter, jitter) if jitter else 0.0)
        if not reorder:  # keep each direction in order: never due before its predecessor
            due = max(due, last_due.get(key, 0.0))
            last_due[key] = due
        return due

    def on_control(order: dict[str, Any]) -> None:
        if "loss" in order:
            live["loss"] = float(order["loss"])
        if "seed" in order:
            rng.seed(int(order["seed"]))

    return run_relay(config, fate, on_control)


if __name__ == "__main__":
    raise SystemExit(relay_main(sys.argv[1]))
