"""Parley's SIP parser side by side with libre's (the library under baresip).

The same message bytes (bench/messages/invite.txt and register.txt, identical to the
messages of bench/bench_parse.py) are decoded by:

- Parley: ``parse_message(data)`` (parse only) and ``parse_message(data).to_bytes()``
  (parse + serialise, with bench_parse.measure), in this Python process;
- libre: ``sip_msg_decode()`` in bench/re_parse_bench.c, compiled here with gcc into a
  temporary directory (never committed) against Debian's libre-dev.

Rounds alternate Parley and libre; each figure is the median of the rounds. The result
that matters is the ratio of time per message, Parley / libre (above 1: Parley is
slower). Both stacks split a message into its start line and a list of headers and keep
most values as text until asked; each also checks or decodes a few headers up front
(libre: Via, To, From, CSeq, Call-ID, Content-Type...; Parley: the checks of
parse_message). The work is similar, not identical: the ratio says how the two
receive paths compare, not that they do exactly the same thing.

Run from the repository root::

    .venv/bin/python bench/bench_parse_compare.py [--rounds 5] [--seconds 1] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
MESSAGES = BENCH / "messages"
C_SOURCE = BENCH / "re_parse_bench.c"
sys.path.insert(0, str(BENCH))

from parley.sip.parser import parse_message  # noqa: E402


def load_messages() -> tuple[dict[str, bytes], list[str]]:
    """The message files, checked against bench_parse.py's bytes (engineer A's)."""
    notes: list[str] = []
    messages = {
        "invite": (MESSAGES / "invite.txt").read_bytes(),
        "register": (MESSAGES / "register.txt").read_bytes(),
    }
    try:
        import bench_parse
    except ImportError as exc:
        notes.append(f"bench/bench_parse.py not importable ({exc}); using the message files")
        return messages, notes
    for name in messages:
        theirs = getattr(bench_parse, name.upper(), None)
        if isinstance(theirs, bytes) and theirs != messages[name]:
            notes.append(
                f"{name}: bench_parse.py's bytes differ from bench/messages/{name}.txt; "
                "using bench_parse.py's (refresh the file)"
            )
            messages[name] = theirs
    return messages, notes


def _rate(step: Any, data: bytes, seconds: float) -> float:
    """Messages per second for step(data), in batches, timed with perf_counter."""
    step(data)
    count, batch = 0, 200
    start = time.perf_counter()
    while True:
        for _ in range(batch):
            step(data)
        count += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def parley_parse(data: bytes, seconds: float) -> float:
    return _rate(parse_message, data, seconds)


def parley_serialise(data: bytes, seconds: float) -> float:
    message = parse_message(data)
    return _rate(lambda _d: message.to_bytes(), data, seconds)


def baseline(seconds: float) -> float:
    """A fixed pure-Python loop (calls per second): the yardstick of this machine and
    interpreter, so that runs on different machines can be compared through it."""

    def step(_d: bytes) -> int:
        total = 0
        for i in range(100):
            total += i
        return total

    return _rate(step, b"", seconds)


def parley_parse_serialise(data: bytes, seconds: float) -> float:
    try:
        import bench_parse

        measure = getattr(bench_parse, "measure", None)
    except ImportError:
        measure = None
    if measure is not None:
        try:
            return float(measure(data, seconds))
        except TypeError:  # a different signature: fall back to our own loop
            pass
    return _rate(lambda d: parse_message(d).to_bytes(), data, seconds)


def build_reference(workdir: Path) -> tuple[Path | None, str]:
    """Compile re_parse_bench.c; (binary, "") or (None, why not)."""
    gcc = shutil.which("gcc")
    pkg = shutil.which("pkg-config")
    if gcc is None:
        return None, "gcc is not installed"
    if not Path("/usr/include/re/re.h").exists():
        return None, "libre-dev is not installed (apt-get install libre-dev)"
    flags = ["-I/usr/include/re", "-lre"]
    if pkg is not None:
        out = subprocess.run([pkg, "--cflags", "--libs", "libre"], capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.split():
            flags = out.stdout.split()
    binary = workdir / "re_parse_bench"
    argv = [gcc, "-O2", "-Wall", "-o", str(binary), str(C_SOURCE), *flags]
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        return None, f"gcc failed: {result.stderr.strip()}"
    return binary, ""


def libre_version() -> str:
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "libre-dev"], capture_output=True, text=True
    )
    return out.stdout.strip() or "?"


def reference_rate(binary: Path, path: Path, seconds: float) -> float:
    out = subprocess.run(
        [str(binary), str(path), str(seconds)], capture_output=True, text=True, check=True
    )
    return float(json.loads(out.stdout)["msgs_per_s"])


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (median)")
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one measurement")
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    args = parser.parse_args(argv)

    messages, notes = load_messages()
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-parse-"))
    result: dict[str, Any] = {"benchmark": "parse_compare", "notes": notes, "messages": {}}
    try:
        binary, why = build_reference(workdir)
        result["reference"] = f"libre {libre_version()} sip_msg_decode" if binary else None
        if binary is None:
            notes.append(f"no reference: {why}")
        for name, data in messages.items():
            path = workdir / f"{name}.txt"
            path.write_bytes(data)
            rates: dict[str, list[float]] = {
                "parse": [],
                "parse_serialise": [],
                "serialise": [],
                "baseline": [],
                "libre": [],
            }
            for rnd in range(args.rounds + 1):  # round 0 is a warm-up, thrown away
                keep = rnd > 0
                steps: list[tuple[str, Callable[[], float]]] = [
                    ("parse", partial(parley_parse, data, args.seconds)),
                    ("parse_serialise", partial(parley_parse_serialise, data, args.seconds)),
                    ("serialise", partial(parley_serialise, data, args.seconds)),
                    ("baseline", partial(baseline, args.seconds)),
                ]
                if binary is not None:
                    steps.append(("libre", partial(reference_rate, binary, path, args.seconds)))
                if rnd % 2:
                    steps.reverse()
                for key, step in steps:
                    value = step()
                    if keep:
                        rates[key].append(value)
                print(f"{name} round {rnd}/{args.rounds} done", file=sys.stderr)
            entry: dict[str, Any] = {"bytes": len(data)}
            for key, values in rates.items():
                if values:
                    entry[f"{key}_msgs_per_s"] = spread(values)
            # Parley per baseline loop: comparable across machines (no reference needed).
            base = statistics.median(rates["baseline"])
            entry["parse_per_baseline"] = statistics.median(rates["parse"]) / base
            entry["parse_serialise_per_baseline"] = (
                statistics.median(rates["parse_serialise"]) / base
            )
            if rates["libre"]:
                libre = statistics.median(rates["libre"])
                # Time per message, Parley / libre: above 1 means Parley is slower.
                entry["ratio_parse_vs_libre"] = libre / statistics.median(rates["parse"])
                entry["ratio_parse_serialise_vs_libre"] = libre / statistics.median(
                    rates["parse_serialise"]
                )
            result["messages"][name] = entry
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    print()
    print(markdown(result))
    return result


LABELS = {"invite": "INVITE with SDP", "register": "REGISTER with Authorization"}


def _cell(e: dict[str, Any], key: str) -> str:
    return f"{e[key]['median']:,.0f}" if key in e else "—"


def markdown_parley(result: dict[str, Any]) -> str:
    """Parley's own figures (section 1 of docs/benchmarks.md)."""
    lines = [
        "| Message | Parse + serialise (messages/s) | Parse only (messages/s) "
        "| Serialise only (messages/s) | Size (bytes) | Parse per baseline loop |",
        "|---|---|---|---|---|---|",
    ]
    for name, e in result["messages"].items():
        lines.append(
            f"| {LABELS[name]} | {_cell(e, 'parse_serialise_msgs_per_s')} "
            f"| {_cell(e, 'parse_msgs_per_s')} | {_cell(e, 'serialise_msgs_per_s')} "
            f"| {e['bytes']} | {e['parse_per_baseline']:.3f} |"
        )
    return "\n".join(lines)


def markdown_compare(result: dict[str, Any]) -> str:
    """Parley against libre on the same bytes."""
    lines = [
        "| Message | Parley parse (msg/s) | libre decode (msg/s) "
        "| **Time per message, Parley parse / libre** | Parley parse + serialise / libre |",
        "|---|---|---|---|---|",
    ]
    for name, e in result["messages"].items():
        r1 = f"**{e['ratio_parse_vs_libre']:.1f}**" if "ratio_parse_vs_libre" in e else "—"
        r2 = (
            f"{e['ratio_parse_serialise_vs_libre']:.1f}"
            if "ratio_parse_serialise_vs_libre" in e
            else "—"
        )
        lines.append(
            f"| {LABELS[name]} | {_cell(e, 'parse_msgs_per_s')} "
            f"| {_cell(e, 'libre_msgs_per_s')} | {r1} | {r2} |"
        )
    return "\n".join(lines)


def markdown(result: dict[str, Any]) -> str:
    return markdown_parley(result) + "\n\n" + markdown_compare(result)


if __name__ == "__main__":
    main()
