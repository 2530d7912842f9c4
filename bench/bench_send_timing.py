"""RTP send-interval jitter without a sound card: Parley side by side with baresip.

One call at a time on 127.0.0.1 through Kamailio, PCMU at 20 ms, to the same far phone
(baresip 1002, auto-answer). The near phone is Parley (1001: console, no audio device,
silence; its bridge clock paces the sending) or baresip (1003: its ``aufile`` source
paces it, the same source the test rig uses). tshark captures the RTP on ``lo`` and the
spacing of consecutive packets of the near phone's stream, in sequence order, is read
from the capture timestamps: p50, p99, max and the share of gaps beyond 1.5 × ptime.
Phones alternate over the rounds.

    .venv/bin/python bench/bench_send_timing.py --rounds 3 --seconds 20

This is a benchmark: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from callrig import ROOT, USERS, ParleyPhone, which

sys.path.insert(0, str(ROOT / "tests"))

import itertools

from peers.baresip import Baresip
from peers.common import LOOPBACK, free_port
from peers.kamailio import Kamailio

BARESIP_RTP = (20000, 20999)
PARLEY_RTP = (21000, 21999)


class RtpCapture:
    """tshark on lo for the RTP port ranges, read back as (time, src port, ssrc, seq, ts, payload)."""

    def __init__(self, path: Path, low: int = 20000, high: int = 21999) -> None:
        self.binary = which("tshark")
        self.path = path
        self.filter = f"udp and portrange {low}-{high}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.stderr = path.with_suffix(".stderr")

    def start(self) -> None:
        with self.stderr.open("wb") as err:
            self.proc = subprocess.Popen(
                [self.binary, "-i", "lo", "-f", self.filter, "-w", str(self.path), "-q"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,
            )
        deadline = time.monotonic() + 15
        while "Capturing on" not in self.stderr.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"tshark did not start: {self.stderr.read_text()}")
            time.sleep(0.05)
        time.sleep(0.5)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            time.sleep(0.5)
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def packets(self, payload: bool = False) -> list[dict[str, Any]]:
        fields = ["frame.time_epoch", "udp.srcport", "udp.dstport", "rtp.ssrc", "rtp.seq"]
        fields += ["rtp.timestamp", "rtp.p_type"] + (["rtp.payload"] if payload else [])
        argv = [self.binary, "-r", str(self.path), "-n", "-o", "rtp.heuristic_rtp:TRUE"]
        argv += ["-Y", "rtp", "-T", "fields", "-E", "separator=\t"]
        for f in fields:
            argv += ["-e", f]
        out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=300).stdout
        rows = []
        for line in out.splitlines():
            v = line.split("\t")
            if len(v) < 7 or not v[4]:
                continue
            rows.append(
                {
                    "time": float(v[0]),
                    "src": int(v[1]),
                    "dst": int(v[2]),
                    "ssrc": v[3],
                    "seq": int(v[4]),
                    "ts": int(v[5]),
                    "pt": int(v[6]),
                    "payload": bytes.fromhex(v[7].replace(":", ""))
                    if payload and len(v) > 7
                    else b"",
                }
            )
        return rows


def streams_from(
    rows: list[dict[str, Any]], low: int, high: int, pts: tuple[int, ...] = (0,)
) -> list[list[dict[str, Any]]]:
    """Streams of payload types ``pts`` sent from ports in [low, high], in sequence order."""
    by_ssrc: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if low <= r["src"] <= high and r["pt"] in pts:
            by_ssrc.setdefault(r["ssrc"], []).append(r)
    out = []
    for packets in by_ssrc.values():
        # Unwrap the sequence (RFC 3550 A.1) in arrival order, then sort.
        ext, last = [], None
        cycles = 0
        for p in packets:
            if last is not None and p["seq"] < last and last - p["seq"] > 32768:
                cycles += 65536
            last = p["seq"]
            ext.append((p["seq"] + cycles, p))
        out.append([p for _, p in sorted(ext, key=lambda x: x[0])])
    return out


def spacing_ms(stream: list[dict[str, Any]], skip: float = 1.0) -> list[float]:
    """Gaps between consecutive packets (ms), the first ``skip`` seconds left out."""
    if not stream:
        return []
    start = stream[0]["time"] + skip
    kept = [p for p in stream if p["time"] >= start]
    return [(b["time"] - a["time"]) * 1000 for a, b in itertools.pairwise(kept)]


def percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {}
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "n": len(values),
        "p1": q[0],
        "p50": statistics.median(values),
        "p99": q[98],
        "max": max(values),
        "late_share": sum(1 for v in values if v > 30.0) / len(values),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    from bench_register import environment

    env = environment()
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-timing-"))
    port = free_port("both")
    kam = Kamailio(workdir / "kam", USERS, udp_port=port, tcp_port=port, tls_port=free_port("tcp"))
    registrar = f"{LOOPBACK}:{port}"
    capture = RtpCapture(workdir / "rtp.pcapng")
    gaps: dict[str, list[float]] = {"parley": [], "baresip": []}
    try:
        kam.start()
        far = Baresip(
            workdir / "far",
            sip_port=free_port("udp"),
            user="1002",
            password=USERS["1002"],
            registrar=registrar,
            codecs=["PCMU/8000/1"],
            auto_answer=True,
            rtp_ports=(20500, 20999),
        )
        far.start()
        capture.start()
        for rnd in range(args.rounds):
            order = ("parley", "baresip") if rnd % 2 == 0 else ("baresip", "parley")
            for phone in order:
                call_once(phone, workdir / f"{phone}-{rnd}", registrar, far, args.seconds)
                print(f"round {rnd + 1} {phone} done", file=sys.stderr, flush=True)
        capture.stop()
        rows = capture.packets()
        for phone, (low, high) in (("parley", PARLEY_RTP), ("baresip", (20000, 20499))):
            for stream in streams_from(rows, low, high):
                gaps[phone] += spacing_ms(stream)
        far.stop()
    finally:
        capture.stop()
        kam.close()
    res = {
        "benchmark": "send_timing",
        "environment": env,
        "settings": {"rounds": args.rounds, "seconds": args.seconds},
        "phones": {p: percentiles(v) for p, v in gaps.items()},
    }
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))
    print()
    print(markdown(res))
    shutil.rmtree(workdir, ignore_errors=True)
    return res


def call_once(phone: str, workdir: Path, registrar: str, far: Baresip, seconds: float) -> None:
    mark = far.mark()
    if phone == "parley":
        near = ParleyPhone(
            workdir,
            user="1001",
            registrar=registrar,
            media={"rtp_port_min": PARLEY_RTP[0], "rtp_port_max": PARLEY_RTP[1]},
        )
        near.start()
        try:
            near.send(f"dial sip:1002@{registrar}")
            near.wait_call("connected", 15)
            time.sleep(seconds)
            near.send("hangup")
            near.wait_call("ended", 10)
        finally:
            near.stop()
    else:
        b = Baresip(
            workdir,
            sip_port=free_port("udp"),
            user="1003",
            password=USERS["1003"],
            registrar=registrar,
            codecs=["PCMU/8000/1"],
            rtp_ports=(20000, 20499),
        )
        b.start()
        try:
            b.dial(f"sip:1002@{registrar}")
            b.wait_call_state("CALL_ESTABLISHED", timeout=15)
            time.sleep(seconds)
            b.hangup()
        finally:
            b.stop()
    far.wait_event(lambda e: e.get("type") == "CALL_CLOSED", 10, since=mark)
    time.sleep(0.5)


def markdown(res: dict[str, Any]) -> str:
    p, b = res["phones"]["parley"], res["phones"]["baresip"]

    def cell(d: dict[str, float], key: str, scale: float = 1.0, f: str = "{:.2f}") -> str:
        return f.format(d[key] * scale) if key in d else "—"

    lines = [
        "| Measure (PCMU, 20 ms) | Parley | baresip | **Parley / baresip** |",
        "|---|---|---|---|",
    ]
    for key, label in (("p50", "gap p50 (ms)"), ("p99", "gap p99 (ms)"), ("max", "gap max (ms)")):
        ratio = f"**{p[key] / b[key]:.2f}**" if key in p and key in b and b[key] else "—"
        lines.append(f"| {label} | {cell(p, key)} | {cell(b, key)} | {ratio} |")
    lines.append(
        f"| p99 − p1 spread (ms) | {p.get('p99', 0) - p.get('p1', 0):.2f} "
        f"| {b.get('p99', 0) - b.get('p1', 0):.2f} | — |"
    )
    lines.append(
        f"| gaps > 30 ms | {cell(p, 'late_share', 100, '{:.2f} %')} "
        f"| {cell(b, 'late_share', 100, '{:.2f} %')} | — |"
    )
    lines.append(f"| packet gaps measured | {p.get('n', 0)} | {b.get('n', 0)} | — |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
