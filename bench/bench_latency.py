"""Added latency of the receive path (wire → ear) on a clean path: Parley side by side with baresip.

The same sender for both: baresip 1002 plays a click train (10 ms tone bursts, one a
second, ``tests/audio_tools.click_train``) over PCMU to the phone under test, which
auto-answers and records what it plays out: Parley 1001 (``--record-dir``) or baresip
1003 (its paced speaker FIFO, ``tests/peers/baresip.PacedSink``). tshark captures the
RTP on ``lo``; the bench decodes the µ-law payloads, finds each click's onset and the
wire time of the packet carrying it, finds the same click in the recording, and
reports recording time − wire time (the onset's offset inside its packet taken off).

Placing the recordings on the wall clock:

- baresip: ``PacedSink.first_audio_at`` is the monotonic time of the first sample the
  speaker FIFO gave; it is converted to epoch time with one offset taken at start.
  This point includes what baresip holds in its ALSA file plugin and the one-page FIFO
  (at 48 kHz about 40–80 ms): the path a real sound card's buffer would take.
- Parley: its recorder and its RTP sender are fed by the same bridge tick, from the
  tick the call's media was set up, so recording frame ``k`` is the tick in which the
  ``k``-th packet of its own outgoing stream went on the wire (captured too). This point
  is the bridge, before any sound-card buffer (a headless console has none).

The mouth → wire half is the packetisation (one ptime) for both phones and is not
measured here. Clean path, so the figure is the jitter buffer's and playout's delay.

    .venv/bin/python bench/bench_latency.py --rounds 3

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

import numpy as np
from bench_send_timing import RtpCapture, streams_from
from callrig import ROOT, USERS, ParleyPhone

sys.path.insert(0, str(ROOT / "tests"))

from audio_tools import click_train, find_clicks, read_wav, write_wav
from peers.baresip import Baresip
from peers.common import LOOPBACK, free_port
from peers.kamailio import Kamailio

SENDER_RTP = (20000, 20499)
BARESIP_RTP = (20500, 20999)
PARLEY_RTP = (21000, 21999)
RATE = 8000
FRAME = 160


def ulaw_decode(data: bytes) -> np.ndarray:
    """G.711 µ-law to linear (ITU-T G.711 §2)."""
    u = ~np.frombuffer(data, dtype=np.uint8)
    sign = u & 0x80
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    magnitude = ((mantissa.astype(np.int32) << 3) + 0x84) << exponent
    value = magnitude - 0x84
    return np.where(sign != 0, -value, value).astype(np.int32)


def wire_clicks(stream: list[dict[str, Any]]) -> list[float]:
    """Wire time of each click's onset: packet time minus the onset's place in the packet."""
    if not stream:
        return []
    ts0 = stream[0]["ts"]
    total = (stream[-1]["ts"] - ts0) % 2**32 + FRAME
    pcm = np.zeros(total, dtype=np.int32)
    when = np.zeros(total // FRAME + 1)
    for p in stream:
        off = (p["ts"] - ts0) % 2**32
        samples = ulaw_decode(p["payload"])
        pcm[off : off + samples.size] = samples[: max(0, total - off)]
        when[off // FRAME] = p["time"]
    out = []
    for onset in find_clicks((pcm, RATE)):
        index = round(onset * RATE)
        packet_time = when[index // FRAME]
        if packet_time:
            # The packet left when its last sample was taken: the onset, k samples in,
            # was taken (FRAME - k) samples before.
            out.append(packet_time - (FRAME - index % FRAME) / RATE)
    return out


def match(wire: list[float], heard: list[float]) -> list[float]:
    """For each heard click the latest wire click before it (within 0.8 s): the delay."""
    delays = []
    for h in heard:
        before = [w for w in wire if 0 <= h - w < 0.8]
        if before:
            delays.append((h - max(before)) * 1000)
    return delays


def run_round(
    phone: str, workdir: Path, registrar: str, capture_rows: list[Any], args: Any, clicks: Path
) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    offset = time.time() - time.monotonic()
    sender = Baresip(
        workdir / "sender",
        sip_port=free_port("udp"),
        user="1002",
        password=USERS["1002"],
        registrar=registrar,
        codecs=["PCMU/8000/1"],
        play_wav=clicks,
        play_loop=True,
        play_seconds=args.seconds + 60,
        rtp_ports=SENDER_RTP,
    )
    capture = RtpCapture(workdir / "rtp.pcapng")
    result: dict[str, Any] = {"phone": phone}
    capture.start()
    sender.start()
    try:
        if phone == "parley":
            rec_dir = workdir / "rec"
            near = ParleyPhone(
                workdir / "parley",
                user="1001",
                registrar=registrar,
                record_dir=rec_dir,
                auto_answer=True,
                media={"rtp_port_min": PARLEY_RTP[0], "rtp_port_max": PARLEY_RTP[1]},
            )
            near.start()
            try:
                sender.dial(f"sip:1001@{registrar}")
                sender.wait_call_state("CALL_ESTABLISHED", timeout=15)
                time.sleep(args.seconds)
                sender.hangup()
                near.wait_call("ended", 10)
            finally:
                near.stop()
            recording = near.recordings()[-1]
        else:
            recording = workdir / "heard.wav"
            near_b = Baresip(
                workdir / "near",
                sip_port=free_port("udp"),
                user="1003",
                password=USERS["1003"],
                registrar=registrar,
                codecs=["PCMU/8000/1"],
                auto_answer=True,
                record_wav=recording,
                rtp_ports=BARESIP_RTP,
            )
            near_b.start()
            try:
                sender.dial(f"sip:1003@{registrar}")
                sender.wait_call_state("CALL_ESTABLISHED", timeout=15)
                time.sleep(args.seconds)
                sender.hangup()
            finally:
                time.sleep(0.5)
                near_b.stop()
            start_at = near_b.first_audio_at
    finally:
        sender.stop()
        capture.stop()
    rows = capture.packets(payload=True)
    sent = streams_from(rows, *SENDER_RTP)
    wire = wire_clicks(max(sent, key=len)) if sent else []
    samples, rate = read_wav(recording)
    onsets = find_clicks((samples, rate))
    if phone == "parley":
        own = streams_from(rows, *PARLEY_RTP)
        if not own:
            return result | {"error": "no Parley RTP captured"}
        stream = max(own, key=len)
        ts0 = stream[0]["ts"]
        tick_time = {((p["ts"] - ts0) % 2**32) // FRAME: p["time"] for p in stream}
        heard = []
        for t in onsets:
            k = int(t * rate) // (rate * 20 // 1000)
            if k in tick_time:
                heard.append(tick_time[k] + (t - k * 0.020))
    else:
        if start_at is None:
            return result | {"error": "baresip played nothing"}
        heard = [start_at + offset + t for t in onsets]
    delays = match(wire, heard)
    result["delays_ms"] = delays
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    from bench_register import environment

    env = environment()
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-latency-"))
    clicks = write_wav(
        workdir / "clicks.wav", click_train(RATE, count=2, interval=1.0, lead=0.2), RATE
    )
    port = free_port("both")
    kam = Kamailio(workdir / "kam", USERS, udp_port=port, tcp_port=port, tls_port=free_port("tcp"))
    registrar = f"{LOOPBACK}:{port}"
    runs: list[dict[str, Any]] = []
    try:
        kam.start()
        for rnd in range(args.rounds):
            order = ("parley", "baresip") if rnd % 2 == 0 else ("baresip", "parley")
            for phone in order:
                run = run_round(phone, workdir / f"{phone}-{rnd}", registrar, [], args, clicks)
                runs.append(run)
                d = run.get("delays_ms", [])
                print(
                    f"round {rnd + 1} {phone}: {len(d)} clicks, median "
                    f"{statistics.median(d) if d else float('nan'):.1f} ms {run.get('error', '')}",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        kam.close()
    phones = {}
    for phone in ("parley", "baresip"):
        values = [v for r in runs if r["phone"] == phone for v in r.get("delays_ms", [])]
        phones[phone] = (
            {
                "n": len(values),
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
                "p90": statistics.quantiles(values, n=10, method="inclusive")[8]
                if len(values) > 1
                else values[0],
            }
            if values
            else {}
        )
    res = {
        "benchmark": "latency",
        "environment": env,
        "settings": {"rounds": args.rounds, "seconds": args.seconds},
        "phones": phones,
        "runs": runs,
    }
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))
    print(json.dumps({k: v for k, v in res.items() if k != "runs"}, indent=2))
    print()
    print(markdown(res))
    shutil.rmtree(workdir, ignore_errors=True)
    return res


def markdown(res: dict[str, Any]) -> str:
    p, b = res["phones"]["parley"], res["phones"]["baresip"]

    def f(d: dict[str, float], k: str) -> str:
        return f"{d[k]:.1f}" if k in d else "—"

    ratio = f"**{p['median'] / b['median']:.2f}**" if p and b and b["median"] else "—"
    return "\n".join(
        [
            "| Receive path, PCMU, clean | Parley | baresip | **Parley / baresip** |",
            "|---|---|---|---|",
            f"| wire → ear median (ms) | {f(p, 'median')} | {f(b, 'median')} | {ratio} |",
            f"| p90 (ms) | {f(p, 'p90')} | {f(b, 'p90')} | — |",
            f"| min – max (ms) | {f(p, 'min')} – {f(p, 'max')} | {f(b, 'min')} – {f(b, 'max')} | — |",
            f"| clicks | {p.get('n', 0)} | {b.get('n', 0)} | — |",
        ]
    )


if __name__ == "__main__":
    main()
