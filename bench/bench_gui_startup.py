"""Desktop app start-up: time from process start to "registered" shown in the window,
and memory (RSS) of the idle app, next to baresip's start-to-registered and RSS in the
same run against the same Kamailio.

Parley runs as the real GUI process (`python -m parley.gui.app --report-ready`, on a
private Xvfb, or offscreen without one); the time is taken when its account row
shows "registered" (the line it prints then). baresip (headless, so a lower bound
for any phone) is timed to the "200 OK" of its REGISTER in its log. Each round starts
fresh processes, Parley and baresip alternately; RSS is read from /proc after
`--idle` seconds of idling. The ratios are what matter: the machine is small and noisy.

This is a benchmark, never a test: it asserts nothing.

    .venv/bin/python bench/bench_gui_startup.py            # 5 rounds, print
    .venv/bin/python bench/bench_gui_startup.py --write    # and append to docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

PASSWORDS = {"1001": "pass1001", "1002": "pass1002"}


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_xvfb() -> subprocess.Popen[bytes] | None:
    binary = shutil.which("Xvfb")
    if binary is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return None
    proc = subprocess.Popen(
        [binary, ":98", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(50):
        if Path("/tmp/.X11-unix/X98").exists():
            break
        time.sleep(0.1)
    os.environ["DISPLAY"] = ":98"
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    return proc


def parley_round(work: Path, port: int, idle: float) -> tuple[float, float]:
    config = work / "parley.toml"
    config.write_text(
        f"""[media]
input_device = "null"
output_device = "null"

[gui]
notify_incoming_calls = false

[[accounts]]
name = "Office"
domain = "127.0.0.1:{port}"
username = "1001"
password = "{PASSWORDS["1001"]}"
"""
    )
    argv = [
        sys.executable,
        "-m",
        "parley.gui.app",
        "--config",
        str(config),
        "--data-dir",
        str(work / "data"),
        "--bind",
        "127.0.0.1",
        "--no-keyring",
        "--report-ready",
    ]
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("registered"):
                break
        else:
            raise RuntimeError("the GUI exited before it showed a registration")
        elapsed = time.monotonic() - started
        time.sleep(idle)
        return elapsed, rss_mib(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def baresip_round(work: Path, port: int, idle: float) -> tuple[float, float]:
    from peers.baresip import Baresip
    from peers.common import free_port

    phone = Baresip(
        work / "baresip",
        sip_port=free_port("both"),
        user="1002",
        password=PASSWORDS["1002"],
        registrar=f"127.0.0.1:{port}",
    )
    seen: list[float] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if phone.log_path.exists() and " 200 OK" in phone.log_path.read_text(errors="replace"):
                seen.append(time.monotonic())
                return
            time.sleep(0.005)

    watcher = threading.Thread(target=watch, daemon=True)
    started = time.monotonic()
    watcher.start()
    try:
        phone.start()
        watcher.join(15)
        if not seen:
            raise RuntimeError("baresip did not log its registration")
        elapsed = seen[0] - started
        time.sleep(idle)
        assert phone.process is not None and phone.process.pid is not None
        return elapsed, rss_mib(phone.process.pid)
    finally:
        done.set()
        phone.stop()


def run(rounds: int, idle: float) -> dict[str, list[float]]:
    from peers.common import free_port
    from peers.kamailio import Kamailio

    work = Path(tempfile.mkdtemp(prefix="parley-bench-gui-"))
    port = free_port("both")
    kam = Kamailio(work / "kam", PASSWORDS, udp_port=port, tcp_port=port, tls_port=free_port("tcp"))
    xvfb = start_xvfb()
    kam.start()
    results: dict[str, list[float]] = {"p_time": [], "p_rss": [], "b_time": [], "b_rss": []}
    try:
        for n in range(rounds + 1):  # round 0 warms the caches and is thrown away
            order = ("parley", "baresip") if n % 2 == 0 else ("baresip", "parley")
            for who in order:
                folder = work / f"{who}-{n}"
                folder.mkdir()
                if who == "parley":
                    t, rss = parley_round(folder, port, idle)
                else:
                    t, rss = baresip_round(folder, port, idle)
                print(f"round {n} {who}: {t * 1000:.0f} ms to registered, {rss:.1f} MiB RSS")
                if n:
                    results[f"{who[0]}_time"].append(t)
                    results[f"{who[0]}_rss"].append(rss)
    finally:
        kam.close()
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)
        shutil.rmtree(work, ignore_errors=True)
    return results


def report(results: dict[str, list[float]], rounds: int, idle: float) -> str:
    med = {k: statistics.median(v) for k, v in results.items()}
    platform_name = "Xvfb (xcb)" if os.environ.get("QT_QPA_PLATFORM") == "xcb" else "offscreen"
    lines = [
        "",
        "## Desktop app: start-up to registered, idle memory (issue #4)",
        "",
        f"`bench/bench_gui_startup.py`, {rounds} rounds (after one warm-up round), "
        f"{time.strftime('%Y-%m-%d')}, {platform.machine()} with {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, Qt platform {platform_name}. Each round starts "
        "fresh processes against one Kamailio on 127.0.0.1: the Parley desktop app (time from "
        "process start until its window shows the account as registered) and headless baresip "
        "(time from process start to the 200 OK of its REGISTER in its log). RSS is read "
        f"from /proc after {idle:.0f} s of idling. Medians:",
        "",
        "| | Parley GUI | baresip (headless) | Parley / baresip |",
        "|---|---|---|---|",
        f"| start to registered | {med['p_time'] * 1000:.0f} ms | {med['b_time'] * 1000:.0f} ms "
        f"| {med['p_time'] / med['b_time']:.1f} × |",
        f"| idle RSS | {med['p_rss']:.0f} MiB | {med['b_rss']:.1f} MiB "
        f"| {med['p_rss'] / med['b_rss']:.1f} × |",
        "",
        "Parley's figure includes starting Python, importing Qt (PySide6) and the media stack "
        "(numpy, codecs), building the window and the engine thread; baresip is a C program "
        "without any window, so the ratio is the price of a Python/Qt desktop app, not of the "
        "SIP stack (see the REGISTER round-trip section for that).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--rounds", type=int, default=5)
    parser.add_argument("--idle", type=float, default=3.0, help="seconds idle before RSS")
    parser.add_argument("--write", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    results = run(args.rounds, args.idle)
    text = report(results, args.rounds, args.idle)
    print(text)
    if args.write:
        with (ROOT / "docs" / "benchmarks.md").open("a", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
