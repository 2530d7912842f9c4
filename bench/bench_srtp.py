"""Per-packet cost of SRTP: our AES-256 counter-mode transform (media/srtp_aes256.py)
against pylibsrtp (libsrtp2, C) on the same packets, in the same run.

A 20 ms G.711 packet (12-byte header + 160 bytes), protected and unprotected, and an
RTCP sender report. Rows: libsrtp AES_CM_128_HMAC_SHA1_80 (what most calls use), our
transform at AES-256 (AES_256_CM_HMAC_SHA1_80, the suite it exists for) and at AES-128
(the same code, to separate Python overhead from the key size). The rounds alternate
(libsrtp, ours-256, ours-128, ...); each figure is the median of the rounds, in
microseconds per packet. One call sends and receives 50 packets a second each way.

Run: .venv/bin/python bench/bench_srtp.py [--rounds 7] [--packets 20000]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import struct
import time
from collections.abc import Callable

import pylibsrtp

from parley.media.srtp_aes256 import AesCmSession

KEY30 = bytes(range(30))
KEY46 = bytes(range(46))


def rtp_packets(n: int) -> list[bytes]:
    payload = bytes((i * 37) & 0xFF for i in range(160))
    return [
        struct.pack("!BBHII", 0x80, 0, i & 0xFFFF, i * 160, 0x1234ABCD) + payload for i in range(n)
    ]


def rtcp_packets(n: int) -> list[bytes]:
    return [bytes.fromhex("80c80006") + struct.pack("!I", 0x1234ABCD) + bytes(20) for _ in range(n)]


def _lib(outbound: bool) -> pylibsrtp.Session:
    policy = pylibsrtp.Policy(
        key=KEY30,
        ssrc_type=(
            pylibsrtp.Policy.SSRC_ANY_OUTBOUND if outbound else pylibsrtp.Policy.SSRC_ANY_INBOUND
        ),
        srtp_profile=pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    )
    policy.window_size = 1024
    policy.allow_repeat_tx = True
    return pylibsrtp.Session(policy)


Pair = tuple[object, object]
MAKERS: dict[str, Callable[[], Pair]] = {
    "libsrtp AES_CM_128_HMAC_SHA1_80": lambda: (_lib(True), _lib(False)),
    "ours AES_256_CM_HMAC_SHA1_80": lambda: (
        AesCmSession("AES_256_CM_HMAC_SHA1_80", KEY46),
        AesCmSession("AES_256_CM_HMAC_SHA1_80", KEY46),
    ),
    "ours AES-128 (same code)": lambda: (
        AesCmSession((16, 10), KEY30),
        AesCmSession((16, 10), KEY30),
    ),
}


def one_round(name: str, packets: list[bytes], reports: list[bytes]) -> dict[str, float]:
    tx, rx = MAKERS[name]()
    t0 = time.perf_counter()
    protected = [tx.protect(p) for p in packets]  # type: ignore[attr-defined]
    t1 = time.perf_counter()
    for p in protected:
        rx.unprotect(p)  # type: ignore[attr-defined]
    t2 = time.perf_counter()
    srtcp = [tx.protect_rtcp(p) for p in reports]  # type: ignore[attr-defined]
    t3 = time.perf_counter()
    for p in srtcp:
        rx.unprotect_rtcp(p)  # type: ignore[attr-defined]
    t4 = time.perf_counter()
    n, m = len(packets), len(reports)
    return {
        "protect_us": (t1 - t0) / n * 1e6,
        "unprotect_us": (t2 - t1) / n * 1e6,
        "protect_rtcp_us": (t3 - t2) / m * 1e6,
        "unprotect_rtcp_us": (t4 - t3) / m * 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--packets", type=int, default=20000)
    args = parser.parse_args()
    packets = rtp_packets(args.packets)
    reports = rtcp_packets(max(args.packets // 10, 100))
    results: dict[str, list[dict[str, float]]] = {name: [] for name in MAKERS}
    for name in MAKERS:  # warm-up round, thrown away
        one_round(name, packets[:2000], reports[:200])
    for _ in range(args.rounds):
        for name in MAKERS:  # interleaved
            results[name].append(one_round(name, packets, reports))
    summary = {
        name: {key: round(statistics.median(r[key] for r in rounds), 2) for key in rounds[0]}
        | {
            "protect_spread_us": [
                round(min(r["protect_us"] for r in rounds), 2),
                round(max(r["protect_us"] for r in rounds), 2),
            ]
        }
        for name, rounds in results.items()
    }
    base = summary["libsrtp AES_CM_128_HMAC_SHA1_80"]
    ours = summary["ours AES_256_CM_HMAC_SHA1_80"]
    out = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "packets": args.packets,
        "rounds": args.rounds,
        "results": summary,
        "ratio_protect": round(ours["protect_us"] / base["protect_us"], 1),
        "ratio_unprotect": round(ours["unprotect_us"] / base["unprotect_us"], 1),
        # CPU share of one call's SRTP (50 packets/s each way, RTP only).
        "call_cpu_percent_ours": round((ours["protect_us"] + ours["unprotect_us"]) * 50 / 1e4, 3),
        "call_cpu_percent_libsrtp": round(
            (base["protect_us"] + base["unprotect_us"]) * 50 / 1e4, 3
        ),
    }
    print(json.dumps(out, indent=2))
    print()
    print("| transform | protect µs | unprotect µs | SRTCP protect µs | SRTCP unprotect µs |")
    print("|---|---|---|---|---|")
    for name, row in summary.items():
        print(
            f"| {name} | {row['protect_us']} | {row['unprotect_us']} | "
            f"{row['protect_rtcp_us']} | {row['unprotect_rtcp_us']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
