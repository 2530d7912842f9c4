"""The impairing relay of ``tests/peers/impair.py``, with a loss pattern fixed per RTP packet.

The test relay draws one random number per packet in arrival order, so which RTP packet
is lost depends on how the RTCP, SIP and both directions' packets happen to interleave:
two phones in turn do not get the same drops. For the call-quality benchmark every
phone must meet exactly the same conditions, so this relay decides per RTP packet from
its position in its own stream: packet ``i`` of direction ``a>b`` (counted from the
stream's first sequence number, RFC 3550 §5.1) is dropped, and delayed by how much, as
the ``i``-th draw of a generator seeded with ``seed`` and the direction. Two calls of
the same length with the same seed therefore lose the same packet indices, whichever
phone sends them. Everything that is not RTP (RTCP, SIP, anything else) passes clean.

Run only as ``python rtp_relay.py CONFIG.json`` by ``callrig.LossyLink``: same config
file, same TUN set-up and same SIGUSR1 statistics file as the test relay.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
import os
import random
import select
import signal
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from peers.impair import _MTU, _open_tun


class Pattern:
    """Seeded per-direction decisions, drawn lazily in packet-index order."""

    def __init__(self, seed: int, direction: str, loss: float, delay: float, jitter: float):
        self._rng = random.Random(f"{seed}:{direction}")
        self.loss, self.delay, self.jitter = loss, delay, jitter
        self._drawn: list[tuple[bool, float]] = []

    def at(self, index: int) -> tuple[bool, float]:
        while len(self._drawn) <= index:
            drop = self._rng.random() < self.loss
            offset = self._rng.uniform(-self.jitter, self.jitter)
            self._drawn.append((drop, self.delay + offset))
        return self._drawn[index]


def _rtp_seq(packet: bytes) -> tuple[int, int] | None:
    """(UDP source port, RTP sequence) of an IPv4/UDP packet carrying RTP, else None."""
    if packet[9] != 17:  # not UDP
        return None
    ihl = (packet[0] & 0x0F) * 4
    udp = packet[ihl:]
    if len(udp) < 8 + 12:
        return None
    rtp = udp[8:]
    if rtp[0] >> 6 != 2 or 192 <= rtp[1] <= 223:  # not version 2, or RTCP (RFC 5761 §4)
        return None
    return int.from_bytes(udp[0:2], "big"), int.from_bytes(rtp[2:4], "big")


def main(config_path: str) -> int:
    config = json.loads(Path(config_path).read_text())
    by_addr: dict[bytes, int] = {}
    names: dict[bytes, str] = {}
    fds: list[int] = []
    for ns, address in config["hosts"].items():
        fd = _open_tun(ns)
        packed = socket.inet_aton(address)
        by_addr[packed], names[packed] = fd, address
        fds.append(fd)
    impaired = {socket.inet_aton(a) for a in config["impaired"]}
    loss = float(config["loss"])
    delay = float(config["delay_ms"]) / 1000.0
    jitter = float(config["jitter_ms"]) / 1000.0
    seed = int(config["seed"])
    patterns: dict[str, Pattern] = {}
    first_seq: dict[tuple[bytes, bytes, int], int] = {}
    stats: dict[str, dict[str, int]] = {}
    queue: list[tuple[float, int, int, bytes]] = []
    order = itertools.count()
    stopping = False

    def write_stats(*_: object) -> None:
        tmp = config["stats"] + ".tmp"
        Path(tmp).write_text(json.dumps(stats))
        os.replace(tmp, config["stats"])

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGUSR1, write_stats)
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
                    continue
                src, dst = packet[12:16], packet[16:20]
                if dst not in by_addr:
                    continue  # never forwarded off the test network
                key = f"{names.get(src, socket.inet_ntoa(src))}>{names[dst]}"
                counters = stats.setdefault(key, {"forwarded": 0, "dropped": 0, "rtp": 0})
                due = time.monotonic()
                rtp = _rtp_seq(packet) if src in impaired and dst in impaired else None
                if rtp is not None:
                    port, seq = rtp
                    start = first_seq.setdefault((src, dst, port), seq)
                    index = (seq - start) % 65536
                    pattern = patterns.setdefault(key, Pattern(seed, key, loss, delay, jitter))
                    drop, wait = pattern.at(index)
                    counters["rtp"] += 1
                    if drop:
                        counters["dropped"] += 1
                        continue
                    due += wait
                counters["forwarded"] += 1
                heapq.heappush(queue, (due, next(order), by_addr[dst], packet))
    write_stats()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
