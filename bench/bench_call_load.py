"""CPU per call and the number of concurrent calls one headless Parley process sustains.

Two Parley consoles on 127.0.0.1 through Kamailio, no audio device: the caller (1001)
dials N calls to the callee (1002, auto-answer, call waiting on). Once all N are
connected, the caller's CPU time (utime + stime from ``/proc/PID/stat``) is read over
``--window`` seconds: CPU-seconds per call-second = ΔCPU / (N × window). tshark captures
the RTP the caller sends, and the spacing of each stream's packets gives the lateness
at that N: p99 of the gaps, and the share of gaps beyond 2 × ptime (40 ms). N grows
through ``--steps`` until that share passes 1 % (or the calls stop connecting).

baresip was not run this way here (its headless test rig plays one call per speaker
FIFO); its figures from the issue are printed next to Parley's for reference.

    .venv/bin/python bench/bench_call_load.py --codecs pcmu,opus --steps 1,10,20,40

This is a benchmark: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_send_timing import RtpCapture, spacing_ms, streams_from
from callrig import ROOT, USERS, ParleyPhone, cpu_seconds

sys.path.insert(0, str(ROOT / "tests"))

from peers.common import LOOPBACK, free_port
from peers.kamailio import Kamailio

CALLER_RTP = (21000, 23999)
CALLEE_RTP = (24000, 26999)
PTS = {"pcmu": (0,), "opus": tuple(range(96, 128))}
ISSUE_BARESIP = {"pcmu": 0.014, "opus": 0.031}


def step(codec: str, n: int, window: float, workdir: Path, registrar: str) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    capture = RtpCapture(workdir / "rtp.pcapng", CALLER_RTP[0], CALLER_RTP[1])

    def phone(name: str, user: str, ports: tuple[int, int], answer: bool) -> ParleyPhone:
        return ParleyPhone(
            workdir / name,
            user=user,
            registrar=registrar,
            codecs=[codec],
            auto_answer=answer,
            media={"rtp_port_min": ports[0], "rtp_port_max": ports[1], "call_waiting": True},
        )

    caller = phone("caller", "1001", CALLER_RTP, False)
    callee = phone("callee", "1002", CALLEE_RTP, True)
    out: dict[str, Any] = {"codec": codec, "n": n}
    try:
        callee.start()
        caller.start()
        for _ in range(n):
            caller.send(f"dial sip:1002@{registrar}")
            time.sleep(0.05)
        deadline = time.monotonic() + 30 + n * 0.2
        while caller.connected_calls() < n and time.monotonic() < deadline:
            time.sleep(0.2)
        out["connected"] = caller.connected_calls()
        time.sleep(2.0)  # let set-up work settle
        capture.start()
        c0, e0, w0 = cpu_seconds(caller.pid), cpu_seconds(callee.pid), time.monotonic()
        time.sleep(window)
        c1, e1, w1 = cpu_seconds(caller.pid), cpu_seconds(callee.pid), time.monotonic()
        capture.stop()
        calls = max(1, out["connected"])
        wall = w1 - w0
        out["caller_cpu_per_call_s"] = (c1 - c0) / (calls * wall)
        out["callee_cpu_per_call_s"] = (e1 - e0) / (calls * wall)
        out["caller_cpu_share"] = (c1 - c0) / wall
        gaps: list[float] = []
        for stream in streams_from(capture.packets(), *CALLER_RTP, pts=PTS[codec]):
            gaps += spacing_ms(stream, skip=0.0)
        if len(gaps) > 1:
            q = statistics.quantiles(gaps, n=100, method="inclusive")
            out["gap_p50_ms"] = statistics.median(gaps)
            out["gap_p99_ms"] = q[98]
            out["gap_max_ms"] = max(gaps)
            out["late_share"] = sum(1 for g in gaps if g > 40.0) / len(gaps)
            out["streams"] = len(streams_from(capture.packets(), *CALLER_RTP, pts=PTS[codec]))
    finally:
        capture.stop()
        caller.stop()
        callee.stop()
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codecs", default="pcmu,opus")
    parser.add_argument("--steps", default="1,5,10,20,40")
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    from bench_register import environment

    env = environment()
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-load-"))
    port = free_port("both")
    kam = Kamailio(workdir / "kam", USERS, udp_port=port, tcp_port=port, tls_port=free_port("tcp"))
    registrar = f"{LOOPBACK}:{port}"
    rows: list[dict[str, Any]] = []
    try:
        kam.start()
        for codec in args.codecs.split(","):
            for n in (int(s) for s in args.steps.split(",")):
                row = step(codec, n, args.window, workdir / f"{codec}-{n}", registrar)
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
                if row.get("connected", 0) < n or row.get("late_share", 0) > 0.01:
                    break
    finally:
        kam.close()
    res = {
        "benchmark": "call_load",
        "environment": env,
        "settings": vars(args) | {"json": str(args.json)},
        "steps": rows,
    }
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))
    print()
    print(markdown(res))
    shutil.rmtree(workdir, ignore_errors=True)
    return res


def markdown(res: dict[str, Any]) -> str:
    lines = [
        "| Codec | Calls (connected) | Parley CPU-s per call-second (caller) | callee | "
        "caller CPU share | send gap p50 / p99 / max (ms) | gaps > 40 ms | baresip in the issue |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in res["steps"]:
        gaps = (
            f"{r['gap_p50_ms']:.1f} / {r['gap_p99_ms']:.1f} / {r['gap_max_ms']:.1f}"
            if "gap_p99_ms" in r
            else "—"
        )
        late = f"{r['late_share'] * 100:.2f} %" if "late_share" in r else "—"
        lines.append(
            f"| {r['codec']} | {r['n']} ({r.get('connected', 0)}) "
            f"| {r.get('caller_cpu_per_call_s', float('nan')):.3f} "
            f"| {r.get('callee_cpu_per_call_s', float('nan')):.3f} "
            f"| {r.get('caller_cpu_share', float('nan')) * 100:.0f} % | {gaps} | {late} "
            f"| {ISSUE_BARESIP.get(r['codec'], float('nan')):.3f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
