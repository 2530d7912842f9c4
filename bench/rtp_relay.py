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

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from peers.impair import run_relay


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
    loss = float(config["loss"])
    delay = float(config["delay_ms"]) / 1000.0
    jitter = float(config["jitter_ms"]) / 1000.0
    seed = int(config["seed"])
    patterns: dict[str, Pattern] = {}
    first_seq: dict[tuple[str, int], int] = {}

    def fate(packet: bytes, key: str, counters: dict[str, int], now: float) -> float | None:
        rtp = _rtp_seq(packet)
        if rtp is None:
            return now  # RTCP, SIP, anything else: clean
        port, seq = rtp
        start = first_seq.setdefault((key, port), seq)
        index = (seq - start) % 65536
        pattern = patterns.setdefault(key, Pattern(seed, key, loss, delay, jitter))
        drop, wait = pattern.at(index)
        counters["rtp"] = counters.get("rtp", 0) + 1
        return None if drop else now + wait

    return int(run_relay(config, fate))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
