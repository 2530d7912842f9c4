"""Run every benchmark, one after the other, and rewrite the figures of docs/benchmarks.md.

The text of docs/benchmarks.md stays as written; only the blocks between the
``<!-- figures:NAME:start -->`` and ``<!-- figures:NAME:end -->`` markers are replaced, and
one line is added to the run record. Nothing here asserts anything: figures are reported.

Run from the repository root::

    .venv/bin/python bench/run_all.py               # ~3 minutes, updates the doc
    .venv/bin/python bench/run_all.py --no-write    # prints only
    .venv/bin/python bench/run_all.py -n 20 --rounds 3   # quicker, noisier
    .venv/bin/python bench/run_all.py --calls            # also issue #3's call benchmarks (~35 min, root)
    .venv/bin/python bench/run_all.py --calls --no-register   # only the call benchmarks
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DOC = ROOT / "docs" / "benchmarks.md"
sys.path.insert(0, str(BENCH))

import bench_call_load  # noqa: E402
import bench_call_quality  # noqa: E402
import bench_latency  # noqa: E402
import bench_parse_compare  # noqa: E402
import bench_register  # noqa: E402
import bench_send_timing  # noqa: E402

# Issue #3's call benchmarks: (marker, script, arguments, markdown of its JSON).
CALL_BENCHES = [
    ("call-quality", "bench/bench_call_quality.py", [], bench_call_quality.markdown),
    ("latency", "bench/bench_latency.py", ["--rounds", "3"], bench_latency.markdown),
    ("send-timing", "bench/bench_send_timing.py", ["--rounds", "3"], bench_send_timing.markdown),
    ("call-load", "bench/bench_call_load.py", [], bench_call_load.markdown),
]


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def run_script(argv: list[str]) -> None:
    print(f"$ {' '.join(argv)}", file=sys.stderr, flush=True)
    subprocess.run([python(), *argv], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def replace_block(text: str, name: str, body: str) -> str:
    pattern = re.compile(
        rf"(<!-- figures:{name}:start -->\n).*?(\n<!-- figures:{name}:end -->)", re.DOTALL
    )
    if not pattern.search(text):
        raise SystemExit(f"run_all: no figures:{name} markers in {DOC}")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def machine(env: dict[str, Any]) -> str:
    load = env["loadavg_before"]
    return f"{env['nproc']} × {env['cpu']}, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=50, help="registrations per phone and transport")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the parse benchmarks")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument("--calls", action="store_true", help="also run issue #3's call benchmarks")
    parser.add_argument(
        "--no-register", action="store_true", help="skip issue #2's parse and REGISTER benchmarks"
    )
    args = parser.parse_args()
    if args.no_register:
        if not args.calls:
            raise SystemExit("run_all: --no-register without --calls runs nothing")
        run_calls(args.no_write)
        return

    env = bench_register.environment()  # load average before anything of ours runs
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        out = Path(tmp)
        # Engineer A's own benchmark, as it is (its JSON is kept in the run output).
        a_run = subprocess.run(
            [python(), "bench/bench_parse.py"], cwd=ROOT, capture_output=True, text=True
        )
        bench_parse_json = a_run.stdout.strip().splitlines()[-1] if a_run.stdout.strip() else ""
        parse_cmd = ["bench/bench_parse_compare.py", "--rounds", str(args.rounds)]
        run_script([*parse_cmd, "--json", str(out / "parse.json")])
        register_cmd = ["bench/bench_register.py", "-n", str(args.n)]
        run_script([*register_cmd, "--json", str(out / "register.json")])
        parse = json.loads((out / "parse.json").read_text())
        register = json.loads((out / "register.json").read_text())

    renv = register["environment"]
    stamp = (
        f"Measured {env['date']} on commit `{env['commit']}`: {machine(env)}; "
        f"Python {env['python']}."
    )
    parse_block = "\n".join(
        [
            stamp + f" Command: `.venv/bin/python {' '.join(parse_cmd)}`.",
            "",
            bench_parse_compare.markdown_parley(parse),
        ]
    )
    if bench_parse_json:
        parse_block += f"\n\n`bench/bench_parse.py` in the same run: `{bench_parse_json}`"
    reference = parse.get("reference") or "none"
    compare_block = "\n".join(
        [
            stamp + f" Reference: {reference}.",
            "",
            bench_parse_compare.markdown_compare(parse),
        ]
    )
    if parse.get("notes"):
        compare_block += "\n\n" + "\n".join(f"- {note}" for note in parse["notes"])
    register_block = "\n".join(
        [
            stamp
            + f" Kamailio {renv['kamailio']}, baresip {renv['baresip']}, tshark {renv['tshark']};"
            + f" {register['settings']['n']} registrations per phone and transport after"
            + f" {register['settings']['warmup']} warm-up rounds."
            + f" Command: `.venv/bin/python {' '.join(register_cmd)}`.",
            "",
            bench_register.markdown(register),
        ]
    )
    failed = (
        ", ".join(
            f"{t} {phone} {count}"
            for t, v in register["transports"].items()
            for phone, count in v["failed_runs"].items()
            if count
        )
        or "none"
    )
    record = (
        f"| {env['date']} | `{env['commit']}` | {machine(env)} | {env['python']} "
        f"| {renv['kamailio']} / {renv['baresip']} / {reference.split(' sip_')[0]} "
        f"| run_all.py -n {args.n} --rounds {args.rounds}; failed registrations: {failed} |"
    )

    print(parse_block + "\n\n" + compare_block + "\n\n" + register_block + "\n\n" + record)
    if args.no_write:
        return
    text = DOC.read_text()
    text = replace_block(text, "parse", parse_block)
    text = replace_block(text, "parse-compare", compare_block)
    text = replace_block(text, "register", register_block)
    text = text.replace("<!-- figures:runs:end -->", record + "\n<!-- figures:runs:end -->")
    DOC.write_text(text)
    print(f"\nwrote {DOC.relative_to(ROOT)}", file=sys.stderr)
    if args.calls:
        run_calls(args.no_write)


def run_calls(no_write: bool) -> None:
    """Issue #3's call benchmarks, one after the other; each block gets its own stamp."""
    env = bench_register.environment()
    blocks: dict[str, str] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        for name, script, extra, markdown in CALL_BENCHES:
            out = Path(tmp) / f"{name}.json"
            cmd = [script, *extra]
            try:
                run_script([*cmd, "--json", str(out)])
            except subprocess.CalledProcessError as exc:
                notes.append(f"{name} failed ({exc.returncode})")
                continue
            res = json.loads(out.read_text())
            stamp = (
                f"Measured {env['date']} on commit `{env['commit']}`: {machine(env)}; "
                f"Python {env['python']}. Command: `.venv/bin/python {' '.join(cmd)}`."
            )
            blocks[name] = stamp + "\n\n" + markdown(res)
    for block in blocks.values():
        print(block + "\n")
    record = (
        f"| {env['date']} | `{env['commit']}` | {machine(env)} | {env['python']} "
        f"| {env['kamailio']} / baresip / — "
        f"| run_all.py --calls: {', '.join(blocks) or 'nothing'}"
        f"{'; ' + '; '.join(notes) if notes else ''} |"
    )
    if no_write:
        return
    text = DOC.read_text()
    for name, block in blocks.items():
        text = replace_block(text, name, block)
    text = text.replace("<!-- figures:runs:end -->", record + "\n<!-- figures:runs:end -->")
    DOC.write_text(text)
    print(f"\nwrote {DOC.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
