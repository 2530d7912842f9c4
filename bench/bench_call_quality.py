"""Speech quality of a call under loss and jitter: Parley↔Parley side by side with baresip↔baresip.

Set-up per call (both phones the same): two network namespaces joined by
``bench/rtp_relay.py`` (the test rig's impaired link with a loss pattern fixed per RTP
packet index, seeded), Kamailio in a third namespace on a clean path, the caller in
namespace ``a`` and the callee in ``b``. Both ends play the same test speech (espeak-ng,
``tests/audio_tools.speech_wav``) in a loop at the codec's rate and record what they
hear. After ``--seconds`` the caller hangs up, and each recording is cut into the
complete copies of the speech it holds, each aligned on its own and scored with PESQ
(narrow-band for G.711, wide-band for G.722 and Opus) against the original; the score of
a call direction is the mean over its copies, and the figure is the mean of both
directions (each direction has its own seeded pattern, identical for both phones).

Symmetric pairs, because a call's quality is the sender's work (Opus FEC, packet loss
hints) plus the receiver's (jitter buffer, FEC decoding, concealment): Parley↔Parley
against baresip↔baresip compares the whole of each phone. Defaults on both sides:
Parley as configured out of the box, baresip 1.0 with the test fixture's settings (its
jitter buffer 5–10 frames, Opus at 32 kbit/s).

Run from the repository root as root (namespaces)::

    .venv/bin/python bench/bench_call_quality.py                  # all codecs and conditions
    .venv/bin/python bench/bench_call_quality.py --codecs pcmu --conditions loss3 --json q.json

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
import traceback
from pathlib import Path
from typing import Any

import numpy as np
from callrig import ROOT, LossyLink, NsKamailio, ParleyPhone

sys.path.insert(0, str(ROOT / "tests"))

from audio_tools import CODEC_SETUP, find_delay, read_wav, resample, speech_wav
from peers.baresip import Baresip
from peers.common import free_port
from peers.impair import ImpairedLink

BARESIP_CODECS = {
    "opus": "opus/48000/2",
    "g722": "G722/16000/1",
    "pcmu": "PCMU/8000/1",
    "pcma": "PCMA/8000/1",
}
# name -> (loss, delay ms, jitter ms)
CONDITIONS: dict[str, tuple[float, float, float]] = {
    "clean": (0.0, 0.0, 0.0),
    "loss3": (0.03, 0.0, 0.0),
    "loss10": (0.10, 0.0, 0.0),
    "jitter40": (0.0, 40.0, 20.0),
}
LABELS = {
    "clean": "clean",
    "loss3": "3 % loss",
    "loss10": "10 % loss",
    "jitter40": "40 ± 20 ms jitter",
}
# baresip 1.0 as measured for the issue (reference only; this run measures its own).
ISSUE_BARESIP = {("opus", "loss3"): 2.65, ("g722", "loss3"): 2.28, ("pcmu", "loss3"): 3.35}
ISSUE_BARESIP |= {("opus", "loss10"): 1.63, ("pcmu", "loss10"): 2.24}
PORT = 5060


def score_copies(reference: Path, recording: Path, mode: str) -> list[float]:
    """PESQ of every complete copy of ``reference`` in a looped ``recording``."""
    from pesq import pesq

    rate = 8000 if mode == "nb" else 16000
    ref, ref_rate = read_wav(reference)
    deg, deg_rate = read_wav(recording)
    ref = resample(ref, ref_rate, rate)
    deg = resample(deg, deg_rate, rate)
    n = ref.size
    if deg.size < n or not np.any(deg):
        return []
    first = find_delay(ref, deg[: min(deg.size, 2 * n + rate)]) % n
    scores = []
    slack = int(0.3 * rate)  # a jitter buffer may have moved the copy a little
    start = first
    while start + n <= deg.size:
        lo = max(0, start - slack)
        window = deg[lo : min(deg.size, start + n + slack)]
        shift = find_delay(ref, window)
        cut = window[max(shift, 0) : max(shift, 0) + n]
        if cut.size == n and np.any(cut):
            try:
                scores.append(
                    float(pesq(rate, ref.astype(np.float64), cut.astype(np.float64), mode))
                )
            except Exception as exc:  # a silent or broken copy: reported, not scored
                print(f"  pesq failed on a copy: {exc}", file=sys.stderr)
        start += n
    return scores


def run_call(
    phone: str, codec: str, condition: str, seed: int, seconds: float, workdir: Path
) -> dict[str, Any]:
    loss, delay, jitter = CONDITIONS[condition]
    rate, mode = CODEC_SETUP[codec]
    speech = speech_wav(rate)
    result: dict[str, Any] = {"phone": phone, "codec": codec, "condition": condition}
    workdir.mkdir(parents=True, exist_ok=True)
    with LossyLink(
        loss=loss, delay_ms=delay, jitter_ms=jitter, seed=seed, workdir=workdir / "link"
    ) as link:
        assert link.server is not None
        kam = NsKamailio(
            workdir / "kamailio", link.server.address, link.server.ns, PORT, free_port("tcp")
        )
        registrar = f"{link.server.address}:{PORT}"
        heard_b = workdir / "heard-by-callee.wav"
        heard_a = workdir / "heard-by-caller.wav"
        kam.start()
        try:
            if phone == "parley":
                stats = _parley_call(link, registrar, codec, speech, seconds, workdir)
                recs = stats.pop("recordings")
                shutil.copy(recs["caller"], heard_a)
                shutil.copy(recs["callee"], heard_b)
                result["parley_stats"] = stats
            else:
                _baresip_call(link, registrar, codec, speech, seconds, workdir, heard_a, heard_b)
            result["relay"] = link.stats()
        finally:
            kam.close()
    a_to_b = score_copies(speech, heard_b, mode)
    b_to_a = score_copies(speech, heard_a, mode)
    result["pesq_a_to_b"] = a_to_b
    result["pesq_b_to_a"] = b_to_a
    means = [statistics.mean(s) for s in (a_to_b, b_to_a) if s]
    result["pesq"] = statistics.mean(means) if means else None
    return result


def _parley_call(
    link: ImpairedLink, registrar: str, codec: str, speech: Path, seconds: float, workdir: Path
) -> dict[str, Any]:
    def phone(name: str, user: str, host: Any, answer: bool) -> ParleyPhone:
        return ParleyPhone(
            workdir / name,
            user=user,
            registrar=registrar,
            bind=host.address,
            netns=host.ns,
            codecs=[codec],
            play=speech,
            record_dir=workdir / name / "rec",
            auto_answer=answer,
        )

    caller = phone("caller", "1001", link.a, False)
    callee = phone("callee", "1002", link.b, True)
    try:
        callee.start()
        caller.start()
        caller.send(f"dial sip:1002@{registrar}")
        if caller.wait_call("connected", 15) is None or callee.wait_call("connected", 15) is None:
            raise RuntimeError("Parley call did not connect")
        time.sleep(seconds)
        stats = {
            "caller": json.loads(caller.ask("stats")),
            "callee": json.loads(callee.ask("stats")),
        }
        caller.send("hangup")
        callee.wait_call("ended", 10)
    finally:
        caller.stop()
        callee.stop()
    stats["recordings"] = {"caller": caller.recordings()[-1], "callee": callee.recordings()[-1]}
    return stats


def _baresip_call(
    link: ImpairedLink,
    registrar: str,
    codec: str,
    speech: Path,
    seconds: float,
    workdir: Path,
    heard_a: Path,
    heard_b: Path,
) -> None:
    def phone(name: str, user: str, host: Any, answer: bool, record: Path) -> Baresip:
        return Baresip(
            workdir / name,
            sip_port=PORT,
            user=user,
            password=f"pass{user}",
            registrar=registrar,
            codecs=[BARESIP_CODECS[codec]],
            play_wav=speech,
            play_loop=True,
            play_seconds=seconds + 60,
            record_wav=record,
            auto_answer=answer,
            host=host.address,
            netns=host.ns,
            ctrl_port=free_port("tcp"),
        )

    caller = phone("caller", "1001", link.a, False, heard_a)
    callee = phone("callee", "1002", link.b, True, heard_b)
    try:
        callee.start()
        caller.start()
        caller.dial(f"sip:1002@{registrar}")
        caller.wait_call_state("CALL_ESTABLISHED", timeout=15)
        callee.wait_call_state("CALL_ESTABLISHED", timeout=15)
        time.sleep(seconds)
        caller.hangup()
        callee.wait_event(lambda e: e.get("type") == "CALL_CLOSED", 10)
    finally:
        caller.stop()
        callee.stop()


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def markdown(res: dict[str, Any]) -> str:
    lines = [
        "| Codec | Condition | Parley↔Parley PESQ | baresip↔baresip PESQ | **Parley − baresip** "
        "| baresip in the issue | Parley jitter buffer: late / lost / concealed (delay ms) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in res["table"]:
        p, b = row.get("parley"), row.get("baresip")
        diff = f"**{p - b:+.2f}**" if p is not None and b is not None else "—"
        js = row.get("parley_jb") or {}
        jb = (
            f"{js.get('late', 0)} / {js.get('packets_lost', 0)} / {js.get('concealed', 0)} "
            f"({js.get('jitter_buffer_ms', 0):.0f})"
            if js
            else "—"
        )
        lines.append(
            f"| {row['codec']} | {LABELS[row['condition']]} | {fmt(p)} | {fmt(b)} | {diff} "
            f"| {fmt(ISSUE_BARESIP.get((row['codec'], row['condition'])))} | {jb} |"
        )
    return "\n".join(lines)


def summarise(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    table = []
    keys = sorted({(c["codec"], c["condition"]) for c in calls}, key=_order)
    for codec, condition in keys:
        row: dict[str, Any] = {"codec": codec, "condition": condition}
        for phone in ("parley", "baresip"):
            values = [
                c["pesq"]
                for c in calls
                if (c["codec"], c["condition"], c["phone"]) == (codec, condition, phone)
                and c.get("pesq") is not None
            ]
            row[phone] = statistics.median(values) if values else None
            row[f"{phone}_runs"] = values
        parley = [
            c
            for c in calls
            if (c["codec"], c["condition"], c["phone"]) == (codec, condition, "parley")
        ]
        if parley and "parley_stats" in parley[-1]:
            row["parley_jb"] = parley[-1]["parley_stats"]["callee"]
        table.append(row)
    return table


def _order(key: tuple[str, str]) -> tuple[int, int]:
    codecs = ["opus", "g722", "pcma", "pcmu"]
    return codecs.index(key[0]), list(CONDITIONS).index(key[1])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codecs", default="opus,g722,pcmu")
    parser.add_argument("--conditions", default="loss3,loss10,jitter40")
    parser.add_argument("--seconds", type=float, default=24.0, help="call length after connect")
    parser.add_argument("--rounds", type=int, default=1, help="calls per phone and cell")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    from bench_register import environment

    env = environment()
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-quality-"))
    calls: list[dict[str, Any]] = []
    n = 0
    for rnd in range(args.rounds):
        for codec in args.codecs.split(","):
            for condition in args.conditions.split(","):
                order = ("parley", "baresip") if n % 2 == 0 else ("baresip", "parley")
                n += 1
                for phone in order:
                    tag = f"{codec}-{condition}-{phone}-{rnd}"
                    try:
                        call = run_call(
                            phone, codec, condition, args.seed + rnd, args.seconds, workdir / tag
                        )
                    except Exception as exc:
                        traceback.print_exc()
                        call = {"phone": phone, "codec": codec, "condition": condition}
                        call["error"] = str(exc)
                    calls.append(call)
                    print(f"{tag}: PESQ {fmt(call.get('pesq'))}", file=sys.stderr, flush=True)
    res = {
        "benchmark": "call_quality",
        "environment": env,
        "settings": vars(args) | {"json": str(args.json)},
        "table": summarise(calls),
        "calls": calls,
    }
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, default=str))
    print(json.dumps(res["table"], indent=2, default=str))
    print()
    print(markdown(res))
    if args.keep:
        print(f"work directory kept: {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return res


if __name__ == "__main__":
    main()
