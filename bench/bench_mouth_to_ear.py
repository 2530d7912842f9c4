"""Mouth to ear through a real call, on one audio clock: Parley beside baresip.

All phones and the measuring client share one JACK dummy server (48 kHz, ``--period``
frames per cycle): the server is everyone's sound card, so its frame counter is one
clock for the mouth and the ear. Kamailio on 127.0.0.1 connects the calls; PCMU by
default, clean loopback path.

Per round, two calls: Parley 1001 → Parley 1002 (console, ``--devices``, the JACK
"system" device, echo cancellation/AGC/noise suppression off: they are not delay) and
baresip 1003 → baresip 1004 (its ``jack`` module; everything else as the test rig's
far phone: baresip's default jitter buffer of 5–10 frames). Each call is measured in
both directions, one after the other: the probe's output (a click train, one 10 ms
1 kHz burst every 1.0037 s, so that the clicks walk through every phase of a 20 ms
frame) is connected to the talker's capture port, the listener's playback port to
the probe's input.

- **port to port**: frames from a click's onset at the talker's capture port to its
  onset at the listener's playback port, counted on the JACK clock. The JACK graph
  runs the probe after the listener and before the talker in each cycle, so both
  connections are within one cycle: nothing of the rig is in this figure. Checked at
  the start of every run (``rig check``): two "phones" that add nothing (``jackrig.
  udp_end``: the talker sends each JACK block over UDP at once, the listener plays it
  in its next cycle) measure exactly one period, the cost of the hop itself; a rig
  that delayed would show three.
- **mouth to ear**: port to port plus two periods, the least any sound card adds at
  this period (the capture period, and one period of playback buffer).
- **halves** (PCMU): tshark on ``lo`` gives the wire time of the packet that carries each
  click; the probe notes the wall clock at every JACK cycle, which puts the frame
  counter on the same clock. Send = mouth (a period before the capture port had it) →
  packet on the wire; receive = packet on the wire → ear (a period after the playback
  port got it). The send half is counted from the first sample of the frame that
  carries the click (so it holds one whole ptime of packetisation, whatever the
  click's place in its frame), the receive half until that sample is heard. They add
  up to mouth to ear.

    PYTHONPATH=src .venv/bin/python bench/bench_mouth_to_ear.py --rounds 2 --seconds 12

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
from bench_latency import ulaw_decode
from bench_send_timing import RtpCapture, streams_from
from callrig import ROOT, USERS, ParleyPhone
from jackrig import RATE, JackBaresip, JackServer, Probe, new_ports

sys.path.insert(0, str(ROOT / "tests"))

from audio_tools import click_train, find_clicks
from peers.common import LOOPBACK, free_port
from peers.kamailio import Kamailio

PCMU_RATE = 8000
PCMU_FRAME = 160
CLICK_INTERVAL = 1.0037
RTP = {
    "1001": (21000, 21099),
    "1002": (21100, 21199),
    "1003": (20000, 20099),
    "1004": (20100, 20199),
}
CODECS = {
    "pcmu": ("pcmu", "PCMU/8000/1"),
    "g722": ("g722", "G722/16000/1"),
    "opus": ("opus", "opus/48000/2"),
}


def onset_offset() -> int:
    """Where ``find_clicks`` puts the onset inside one burst (samples at 48 kHz)."""
    burst = click_train(RATE, count=1, lead=0.1, interval=0.5)
    return round(find_clicks((burst, RATE))[0] * RATE) - int(0.1 * RATE)


def click_track(seconds: float) -> tuple[np.ndarray, list[int]]:
    count = int(seconds / CLICK_INTERVAL)
    one = click_train(RATE, count=1, lead=0.0, interval=0.1)
    track = np.zeros(int(seconds * RATE) + RATE, dtype=np.int16)
    starts = []
    for i in range(count):
        start = round((0.5 + i * CLICK_INTERVAL) * RATE)
        track[start : start + len(one)] = one
        starts.append(start)
    return track, starts


# --- the phones -----------------------------------------------------------------


class ParleyPair:
    label = "parley"

    def __init__(
        self, workdir: Path, registrar: str, codec: str, jack: JackServer, dsp: bool = False
    ) -> None:
        self.jack = jack

        def phone(user: str, answer: bool) -> ParleyPhone:
            lo, hi = RTP[user]
            return ParleyPhone(
                workdir / f"parley-{user}",
                user=user,
                registrar=registrar,
                codecs=[CODECS[codec][0]],
                auto_answer=answer,
                media={
                    "rtp_port_min": lo,
                    "rtp_port_max": hi,
                    "input_device": "system",
                    "output_device": "system",
                    "echo_cancellation": dsp,
                    "auto_gain_control": dsp,
                    "noise_suppression": dsp,
                },
                extra_args=("--devices",),
            )

        self.a, self.b = phone("1001", False), phone("1002", True)
        self.registrar = registrar
        self.ports: dict[str, dict[str, str]] = {}

    def start(self) -> None:
        for name, phone in (("a", self.a), ("b", self.b)):
            before = self.jack.ports()
            phone.start()
            self.ports[name] = new_ports(before, self.jack)

    def call(self) -> bool:
        self.a.send(f"dial sip:1002@{self.registrar}")
        return (
            self.a.wait_call("connected", 15) is not None
            and self.b.wait_call("connected", 15) is not None
        )

    def hangup(self) -> None:
        self.a.send("hangup")
        self.b.wait_call("ended", 10)

    def stop(self) -> None:
        for phone in (self.a, self.b):
            phone.stop()

    def capture_port(self, side: str) -> str:
        return next(p for p, d in self.ports[side].items() if d == "input")

    def playback_port(self, side: str) -> str:
        return next(p for p, d in self.ports[side].items() if d == "output")


class BaresipPair:
    label = "baresip"

    def __init__(
        self, workdir: Path, registrar: str, codec: str, jack: JackServer, dsp: bool = False
    ) -> None:
        self.jack = jack
        self.registrar = registrar

        def phone(user: str, answer: bool) -> JackBaresip:
            return JackBaresip(
                workdir / f"baresip-{user}",
                client=f"bs{user}",
                sip_port=free_port("udp"),
                user=user,
                password=USERS[user],
                registrar=registrar,
                codecs=[CODECS[codec][1]],
                auto_answer=answer,
                rtp_ports=RTP[user],
                play_seconds=600,
            )

        self.a, self.b = phone("1003", False), phone("1004", True)
        self.ports: dict[str, dict[str, str]] = {}

    def start(self) -> None:
        self.a.start()
        self.b.start()

    def call(self) -> bool:
        before = self.jack.ports()
        self.a.dial(f"sip:1004@{self.registrar}")
        self.a.wait_call_state("CALL_ESTABLISHED", timeout=15)
        # baresip opens its JACK clients with the call's audio.
        found = new_ports(before, self.jack)
        time.sleep(1.0)
        found = {k: v for k, v in self.jack.ports().items() if k not in before}
        self.ports = {
            "a": {k: v for k, v in found.items() if k.startswith("bs1003")},
            "b": {k: v for k, v in found.items() if k.startswith("bs1004")},
        }
        return all(len(set(p.values())) == 2 for p in self.ports.values())

    def hangup(self) -> None:
        self.a.hangup()
        time.sleep(0.5)

    def stop(self) -> None:
        for phone in (self.a, self.b):
            phone.stop()

    def capture_port(self, side: str) -> str:
        return next(p for p, d in self.ports[side].items() if d == "input")

    def playback_port(self, side: str) -> str:
        return next(p for p, d in self.ports[side].items() if d == "output")


# --- measuring ------------------------------------------------------------------


def measure_direction(
    jack: JackServer, mic: str, ear: str, probe: Probe, probe_ports: dict[str, str], seconds: float
) -> tuple[int, int]:
    """Connect the probe to the talker's microphone port ``mic`` and the listener's
    speaker port ``ear`` for ``seconds``; return the frame range measured."""
    p_out = next(p for p, d in probe_ports.items() if d == "output")
    p_in = next(p for p, d in probe_ports.items() if d == "input")
    jack.connect(p_out, mic)
    jack.connect(ear, p_in)
    start = probe.frame
    time.sleep(seconds)
    end = probe.frame
    jack.disconnect(p_out, mic)
    jack.disconnect(ear, p_in)
    return start, end


def delays_in(
    probe: Probe, starts: list[int], frames: tuple[int, int], settle: float
) -> list[tuple[int, int]]:
    """(mouth frame, ear frame) of each click heard in ``frames`` (after ``settle`` s)."""
    first, last = frames
    first += int(settle * RATE)
    segment = probe.recorded[first:last].astype(np.float64)
    if not len(segment) or float(np.abs(segment).max()) < 0.01:
        return []
    heard = [first + round(t * RATE) for t in find_clicks((segment, RATE))]
    offset = onset_offset()
    mouths = [s + offset for s in starts]
    pairs = []
    for h in heard:
        before = [m for m in mouths if 0 < h - m < 0.8 * RATE]
        if before and max(before) >= first - RATE:
            pairs.append((max(before), h))
    return pairs


def wire_onsets(stream: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """For each click in a PCMU stream: (wire time of its packet, its offset in the packet, s)."""
    if not stream:
        return []
    ts0 = stream[0]["ts"]
    total = (stream[-1]["ts"] - ts0) % 2**32 + PCMU_FRAME
    pcm = np.zeros(total, dtype=np.int32)
    when = np.zeros(total // PCMU_FRAME + 1)
    for p in stream:
        off = (p["ts"] - ts0) % 2**32
        samples = ulaw_decode(p["payload"])
        pcm[off : off + samples.size] = samples[: max(0, total - off)]
        when[off // PCMU_FRAME] = p["time"]
    out = []
    for onset in find_clicks((pcm, PCMU_RATE)):
        index = round(onset * PCMU_RATE)
        if when[index // PCMU_FRAME]:
            out.append((float(when[index // PCMU_FRAME]), (index % PCMU_FRAME) / PCMU_RATE))
    return out


def halves(
    pairs: list[tuple[int, int]], wire: list[tuple[float, float]], probe: Probe, period: int
) -> list[tuple[float, float]]:
    """(send, receive) in ms for each click found on the wire."""
    out = []
    for mouth, ear in pairs:
        t_mouth = probe.wall_time(mouth - period)  # captured a period before the port had it
        t_ear = probe.wall_time(ear + period)  # played a period after the port got it
        near = [(w, k) for w, k in wire if 0 < w - t_mouth < 0.3]
        if near:
            w, k = min(near)
            # From the start of the frame that carries the click (its onset is k s in)
            # to the packet on the wire; from there to the ear.
            out.append(((w - t_mouth + k) * 1000, (t_ear - w - k) * 1000))
    return out


def run_call(
    kind: type,
    workdir: Path,
    registrar: str,
    args: Any,
    jack: JackServer,
    probe: Probe,
    probe_ports: dict[str, str],
    starts: list[int],
) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    pair = kind(workdir, registrar, args.codec, jack, args.dsp)
    capture = RtpCapture(workdir / f"{pair.label}.pcapng")
    result: dict[str, Any] = {"phone": pair.label}
    capture.start()
    ranges = {}
    try:
        pair.start()
        if not pair.call():
            return result | {"error": "the call did not connect"}
        time.sleep(1.0)
        for talker, listener in (("a", "b"), ("b", "a")):
            ranges[f"{talker}→{listener}"] = measure_direction(
                jack,
                pair.capture_port(talker),
                pair.playback_port(listener),
                probe,
                probe_ports,
                args.seconds,
            )
        if pair.label == "parley":
            result["stats"] = {
                "a": pair.a.ask("stats"),
                "b": pair.b.ask("stats"),
            }
        pair.hangup()
    finally:
        pair.stop()
        capture.stop()
    rows = capture.packets(payload=True) if args.codec == "pcmu" else []
    users = ("1001", "1002") if pair.label == "parley" else ("1003", "1004")
    for direction, frames in ranges.items():
        pairs = delays_in(probe, starts, frames, settle=args.settle)
        port_ms = [(e - m) / RATE * 1000 for m, e in pairs]
        entry: dict[str, Any] = {"port_to_port_ms": port_ms}
        talker = users[0] if direction == "a→b" else users[1]
        if rows:
            sent = streams_from(rows, *RTP[talker])
            wire = wire_onsets(max(sent, key=len)) if sent else []
            entry["halves_ms"] = halves(pairs, wire, probe, jack.period)
        result[direction] = entry
    return result


def check_rig(
    jack: JackServer, probe: Probe, probe_ports: dict[str, str], starts: list[int]
) -> int:
    """Port to port through two "phones" that add nothing (``jackrig.udp_end``): the
    talker sends each JACK block over UDP at once, the listener plays it in its next
    cycle. One period is what the UDP hop costs (the listener ran earlier in that
    cycle); more would mean the rig itself delays. Returns the delay in samples."""
    import subprocess

    port = free_port("udp")
    ends: list[tuple[subprocess.Popen[str], dict[str, str]]] = []
    try:
        for role in ("rx", "tx"):
            before = jack.ports()
            child = subprocess.Popen(
                [
                    sys.executable,
                    str(Path(__file__).with_name("jackrig.py")),
                    role,
                    str(port),
                    "12",
                ],
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            ends.append((child, new_ports(before, jack)))
            assert child.stdout is not None
            child.stdout.readline()  # "open"
        (_, rx_ports), (_, tx_ports) = ends
        mic = next(p for p, d in tx_ports.items() if d == "input")
        ear = next(p for p, d in rx_ports.items() if d == "output")
        frames = measure_direction(jack, mic, ear, probe, probe_ports, 6.0)
        delays = sorted({e - m for m, e in delays_in(probe, starts, frames, settle=1.0)})
        return delays[len(delays) // 2] if delays else -1
    finally:
        for child, _ in ends:
            child.kill()  # by pid
            child.wait(10)


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "n": len(values),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "p90": statistics.quantiles(values, n=10, method="inclusive")[8]
        if len(values) > 1
        else values[0],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=12.0, help="per direction")
    parser.add_argument("--settle", type=float, default=2.0, help="left out at the start")
    parser.add_argument("--period", type=int, default=256, help="JACK frames per cycle")
    parser.add_argument(
        "--realtime", action="store_true", help="jackd -R (real-time threads; needs the right)"
    )
    parser.add_argument(
        "--dsp", action="store_true", help="Parley with echo cancellation, AGC and NS on"
    )
    parser.add_argument("--codec", choices=sorted(CODECS), default="pcmu")
    parser.add_argument("--phones", default="parley,baresip")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    from bench_register import environment

    env = environment()
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-m2e-"))
    port = free_port("both")
    kam = Kamailio(workdir / "kam", USERS, udp_port=port, tcp_port=port, tls_port=free_port("tcp"))
    registrar = f"{LOOPBACK}:{port}"
    jack = JackServer(workdir, args.period, realtime=args.realtime)
    kinds = {"parley": ParleyPair, "baresip": BaresipPair}
    phones = [p for p in args.phones.split(",") if p]
    per_call = 2 * args.seconds + 15
    total = args.rounds * len(phones) * per_call + 45
    track, starts = click_track(total)
    runs: list[dict[str, Any]] = []
    probe: Probe | None = None
    rig_check = -1
    try:
        kam.start()
        jack.start()
        before = jack.ports()
        probe = Probe(track, total)
        probe.start()
        probe_ports = new_ports(before, jack)
        rig_check = check_rig(jack, probe, probe_ports, starts)
        print(f"rig check: {rig_check} samples (one period: {args.period})", file=sys.stderr)
        for rnd in range(args.rounds):
            order = phones if rnd % 2 == 0 else phones[::-1]
            for phone in order:
                run = run_call(
                    kinds[phone],
                    workdir / f"{phone}-{rnd}",
                    registrar,
                    args,
                    jack,
                    probe,
                    probe_ports,
                    starts,
                )
                runs.append(run)
                for d in ("a→b", "b→a"):
                    v = run.get(d, {}).get("port_to_port_ms", [])
                    med = statistics.median(v) if v else float("nan")
                    print(
                        f"round {rnd + 1} {phone} {d}: {len(v)} clicks, port to port median "
                        f"{med:.1f} ms {run.get('error', '')}",
                        file=sys.stderr,
                        flush=True,
                    )
    finally:
        if probe is not None:
            probe.close()
            import sounddevice as sd

            sd._terminate()  # leave the JACK server before it stops (else PortAudio aborts)
        jack.stop()
        kam.close()
    period_ms = args.period / RATE * 1000
    results = {}
    for phone in phones:
        port = [
            v
            for r in runs
            if r["phone"] == phone
            for d in ("a→b", "b→a")
            for v in r.get(d, {}).get("port_to_port_ms", [])
        ]
        hv = [
            h
            for r in runs
            if r["phone"] == phone
            for d in ("a→b", "b→a")
            for h in r.get(d, {}).get("halves_ms", [])
        ]
        results[phone] = {
            "port_to_port": summary(port),
            "mouth_to_ear": summary([v + 2 * period_ms for v in port]),
            "send": summary([s for s, _ in hv]),
            "receive": summary([r for _, r in hv]),
        }
    res = {
        "benchmark": "mouth_to_ear",
        "environment": env,
        "settings": {
            "rounds": args.rounds,
            "seconds": args.seconds,
            "period": args.period,
            "realtime": args.realtime,
            "parley_dsp": args.dsp,
            "codec": args.codec,
            "probe_xruns": probe.xruns if probe else None,
            "jack_frames_per_wall_second": probe.rate_vs_wall() if probe else None,
            "rig_check_samples": rig_check,
        },
        "phones": results,
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
    s = res["settings"]
    p, b = res["phones"].get("parley", {}), res["phones"].get("baresip", {})

    def f(d: dict[str, Any], key: str, stat: str = "median") -> str:
        v = d.get(key, {})
        return f"{v[stat]:.1f}" if stat in v else "—"

    def ratio(key: str) -> str:
        pv, bv = p.get(key, {}).get("median"), b.get(key, {}).get("median")
        return f"**{pv / bv:.2f}**" if pv and bv else "—"

    period_ms = s["period"] / RATE * 1000
    note = (
        f"JACK dummy driver: {s['jack_frames_per_wall_second']:.0f} frames per wall-clock "
        f"second, {s['probe_xruns']} xruns seen by the probe; rig check "
        f"{s['rig_check_samples']} samples (one period = {s['period']}); load before: "
        f"{' '.join(f'{x:.2f}' for x in res['environment'].get('loadavg_before', ()))}"
    )
    rows = [
        note,
        "",
        f"| {s['codec'].upper()}, clean, JACK period {s['period']} ({period_ms:.1f} ms) | Parley↔Parley | baresip↔baresip | **Parley / baresip** |",
        "|---|---|---|---|",
        f"| mouth → ear median (ms) | {f(p, 'mouth_to_ear')} | {f(b, 'mouth_to_ear')} | {ratio('mouth_to_ear')} |",
        f"| p90 (ms) | {f(p, 'mouth_to_ear', 'p90')} | {f(b, 'mouth_to_ear', 'p90')} | — |",
        f"| min – max (ms) | {f(p, 'mouth_to_ear', 'min')} – {f(p, 'mouth_to_ear', 'max')} | {f(b, 'mouth_to_ear', 'min')} – {f(b, 'mouth_to_ear', 'max')} | — |",
        f"| port → port median (ms) | {f(p, 'port_to_port')} | {f(b, 'port_to_port')} | {ratio('port_to_port')} |",
        f"| send half: mouth → wire median (ms) | {f(p, 'send')} | {f(b, 'send')} | {ratio('send')} |",
        f"| receive half: wire → ear median (ms) | {f(p, 'receive')} | {f(b, 'receive')} | {ratio('receive')} |",
        f"| clicks | {p.get('port_to_port', {}).get('n', 0)} | {b.get('port_to_port', {}).get('n', 0)} | — |",
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    main()
