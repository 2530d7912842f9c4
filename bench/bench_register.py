"""REGISTER round-trip time against a real Kamailio: Parley side by side with baresip.

Both phones are measured the same way, on the wire: tshark captures the registrar's
port on ``lo`` for the whole run, and for each registration the time from the phone's
first REGISTER to the final 200 OK (the 401 digest challenge round included) is read
from the capture. Each registration is a fresh process, so the capture also gives the
time from process start (spawn) to that 200 OK. Parley (user 1001) and baresip (user
1002) take turns, the order swapped every round; the first rounds are warm-up and are
thrown away. The result that matters is the ratio Parley / baresip: the machine is
small and noisy, absolute times are for context only.

All traffic stays on 127.0.0.1; Kamailio, tshark and the phones are started here and
stopped by pid. This is a benchmark, never a test: it asserts nothing.

Run from the repository root::

    .venv/bin/python bench/bench_register.py                 # UDP and TCP, 20 each
    .venv/bin/python bench/bench_register.py -n 50 --json out.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from peers.common import free_port  # noqa: E402
from peers.kamailio import Kamailio  # noqa: E402

LOOPBACK = "127.0.0.1"
USERS = {"1001": "pass1001", "1002": "pass1002"}
PARLEY_USER = "1001"
BARESIP_USER = "1002"
PHONES = ("parley", "baresip")
SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin"])


def which(name: str) -> str:
    path = shutil.which(name, path=SBIN_PATH)
    if path is None:
        sys.exit(f"bench_register: {name} is not installed (./scripts/bootstrap.sh --peers)")
    return path


# --- the phones ----------------------------------------------------------------------


@dataclass
class Run:
    """One fresh phone process that registers once and exits (unregistering)."""

    phone: str
    transport: str
    round: int
    spawn: float = 0.0  # time.time() just before the process was created
    seen: float = 0.0  # when its own output said "registered" (context only)
    end: float = 0.0  # when the process had exited
    ok: bool = False
    # Filled from the capture:
    first_register: float | None = None
    final_ok: float | None = None
    registers: int = 0  # REGISTER requests up to the 200 (2 with a digest challenge)
    challenges: int = 0  # 401/407 answers up to the 200
    wire: dict[str, float] = field(default_factory=dict)


def _read_until(proc: subprocess.Popen[bytes], done: Callable[[str], bool], timeout: float) -> bool:
    """Read proc's stdout lines in a thread until ``done(line)``; False on timeout/EOF."""
    found = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            if not found.is_set() and done(raw.decode("utf-8", "replace")):
                found.set()
        # Keep draining so the child never blocks on a full pipe.

    threading.Thread(target=pump, daemon=True).start()
    return found.wait(timeout)


def _parley_registered(line: str) -> bool:
    try:
        event = json.loads(line)
    except ValueError:
        return False
    return bool(event.get("event") == "account" and event.get("state") == "registered")


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, grace: float = 10.0) -> None:
    """Stop one phone by its pid (its own process group), harder after ``grace``."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


class Parley:
    name = "parley"

    def __init__(self, workdir: Path, kam: Kamailio) -> None:
        self.workdir = workdir
        self.kam = kam
        self.python = str(ROOT / ".venv" / "bin" / "python")
        if not Path(self.python).exists():
            self.python = sys.executable

    def config(self, transport: str) -> Path:
        import tomli_w

        port = {"udp": self.kam.udp_port, "tcp": self.kam.tcp_port}[transport]
        account = {
            "name": "bench",
            "domain": f"{LOOPBACK}:{port}",
            "username": PARLEY_USER,
            "password": USERS[PARLEY_USER],
            "transport": transport,
        }
        path = self.workdir / f"parley-{transport}.toml"
        path.write_text(tomli_w.dumps({"accounts": [account]}))
        path.chmod(0o600)
        return path

    def run(self, run: Run, timeout: float) -> None:
        config = self.config(run.transport)
        argv = [self.python, "-m", "parley.cli.main", "console", "--config", str(config)]
        argv += ["--json", "--bind", LOOPBACK]
        log = (self.workdir / "parley.stderr").open("ab")
        run.spawn = time.time()
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
            cwd=ROOT,
            start_new_session=True,
        )
        try:
            run.ok = _read_until(proc, _parley_registered, timeout)
            run.seen = time.time()
            assert proc.stdin is not None
            with contextlib.suppress(OSError):
                proc.stdin.write(b"quit\n")
                proc.stdin.close()
            try:
                proc.wait(10)  # quit unregisters first
            except subprocess.TimeoutExpired:
                pass
        finally:
            _stop(proc)
            log.close()
            run.end = time.time()


class Baresip:
    name = "baresip"

    def __init__(self, workdir: Path, kam: Kamailio) -> None:
        self.binary = which("baresip")
        self.workdir = workdir
        self.kam = kam
        self.version = "?"

    def config_dir(self, transport: str) -> Path:
        directory = self.workdir / f"baresip-{transport}"
        directory.mkdir(exist_ok=True)
        # No audio or video modules at all: registering needs none, and ALSA's null
        # player would busy-loop a core. No resolver either (IP literals only; its DNS
        # client binds every address): dns_server points at a closed loopback port.
        (directory / "config").write_text(
            "poll_method\t\tepoll\n"
            f"sip_listen\t\t{LOOPBACK}:{free_port('both')}\n"
            f"net_interface\t\t{LOOPBACK}\n"
            f"dns_server\t\t{LOOPBACK}:1\n"
            "module_path\t\t/usr/lib/baresip/modules\n"
            "module_app\t\taccount.so\n"
        )
        port = {"udp": self.kam.udp_port, "tcp": self.kam.tcp_port}[transport]
        param = "" if transport == "udp" else f";transport={transport}"
        (directory / "accounts").write_text(
            f"<sip:{BARESIP_USER}@{LOOPBACK}:{port}{param}>;"
            f"auth_pass={USERS[BARESIP_USER]};regint=600\n"
        )
        return directory

    def run(self, run: Run, timeout: float) -> None:
        directory = self.config_dir(run.transport)
        log_path = self.workdir / "baresip.stdout"

        def registered(line: str) -> bool:
            with log_path.open("a") as log:
                log.write(line)
            if line.startswith("baresip v"):
                self.version = line.split()[1].lstrip("v")
            return f"{BARESIP_USER}@" in line and "200 OK" in line

        run.spawn = time.time()
        proc = subprocess.Popen(
            [self.binary, "-f", str(directory)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            run.ok = _read_until(proc, registered, timeout)
            run.seen = time.time()
        finally:
            _stop(proc)  # SIGTERM: baresip unregisters, then exits
            run.end = time.time()


# --- the capture ---------------------------------------------------------------------


class Capture:
    """tshark on lo, filtered on the registrar's port, writing a pcapng file."""

    def __init__(self, path: Path, port: int) -> None:
        self.binary = which("tshark")
        self.path = path
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None
        self.stderr = path.with_suffix(".stderr")

    def start(self, timeout: float = 15.0) -> None:
        argv = [self.binary, "-i", "lo", "-f", f"port {self.port}", "-w", str(self.path), "-q"]
        with self.stderr.open("wb") as err:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while "Capturing on" not in self.stderr.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"tshark did not start: {self.stderr.read_text()}")
            time.sleep(0.05)
        time.sleep(0.5)  # the capture loop is running a moment after the banner

    def stop(self) -> None:
        if self.proc is not None:
            time.sleep(0.5)  # let the last packets reach the file
            _stop(self.proc, signal.SIGINT)

    def messages(self) -> list[dict[str, str]]:
        """Every SIP message in the file, as tshark decodes it."""
        fields = [
            "frame.time_epoch",
            "sip.Method",
            "sip.Status-Code",
            "sip.CSeq.method",
            "sip.Call-ID",
            "sip.from.user",
            "sip.Expires",
        ]
        argv = [self.binary, "-r", str(self.path), "-n"]
        argv += ["-d", f"udp.port=={self.port},sip", "-d", f"tcp.port=={self.port},sip"]
        argv += ["-Y", "sip", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
        for name in fields:
            argv += ["-e", name]
        out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=120).stdout
        rows = []
        for line in out.splitlines():
            values = line.split("\t")
            rows.append(
                dict(
                    zip(
                        [
                            "time",
                            "method",
                            "status",
                            "cseq_method",
                            "call_id",
                            "from_user",
                            "expires",
                        ],
                        values,
                        strict=False,
                    )
                )
            )
        return rows


def attach_wire_times(runs: list[Run], messages: list[dict[str, str]]) -> None:
    """For each run: its first REGISTER and the 200 OK that completed it (same Call-ID)."""
    user_of = {"parley": PARLEY_USER, "baresip": BARESIP_USER}
    for run in runs:
        mine = [
            m
            for m in messages
            if m.get("from_user") == user_of[run.phone]
            and run.spawn <= float(m["time"]) <= run.end + 0.5
        ]
        start = next((m for m in mine if m.get("method") == "REGISTER"), None)
        if start is None:
            continue
        run.first_register = float(start["time"])
        for m in mine:
            if m.get("call_id") != start.get("call_id") or float(m["time"]) < run.first_register:
                continue
            if m.get("method") == "REGISTER":
                run.registers += 1
            elif m.get("status") in ("401", "407") and m.get("cseq_method") == "REGISTER":
                run.challenges += 1
            elif m.get("status") == "200" and m.get("cseq_method") == "REGISTER":
                run.final_ok = float(m["time"])
                break
        if run.final_ok is not None:
            run.wire = {
                "register_ms": (run.final_ok - run.first_register) * 1000,
                "start_to_registered_ms": (run.final_ok - run.spawn) * 1000,
            }


# --- statistics and report -------------------------------------------------------------


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    p90 = (
        statistics.quantiles(ordered, n=10, method="inclusive")[8]
        if len(ordered) > 1
        else ordered[0]
    )
    q = (
        statistics.quantiles(ordered, n=4, method="inclusive")
        if len(ordered) > 1
        else [ordered[0]] * 3
    )
    return {
        "n": len(ordered),
        "median": statistics.median(ordered),
        "p90": p90,
        "q1": q[0],
        "q3": q[2],
        "min": ordered[0],
        "max": ordered[-1],
    }


def results(runs: list[Run], transports: list[str], warmup: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for transport in transports:
        per: dict[str, Any] = {}
        for metric in ("register_ms", "start_to_registered_ms"):
            entry: dict[str, Any] = {}
            for phone in PHONES:
                values = [
                    r.wire[metric]
                    for r in runs
                    if r.phone == phone
                    and r.transport == transport
                    and r.round >= warmup
                    and metric in r.wire
                ]
                entry[phone] = summary(values)
            p, b = entry["parley"], entry["baresip"]
            if p and b and b["median"] > 0:
                entry["ratio_median"] = p["median"] / b["median"]
                entry["ratio_p90"] = p["p90"] / b["p90"]
            per[metric] = entry
        rounds = [r for r in runs if r.transport == transport and r.round >= warmup]
        per["failed_runs"] = {
            ph: sum(1 for r in rounds if r.phone == ph and not r.wire) for ph in PHONES
        }
        per["challenge_rounds"] = {
            ph: sorted({r.challenges for r in rounds if r.phone == ph and r.wire}) for ph in PHONES
        }
        out[transport] = per
    return out


def _version(argv: list[str], pick: Callable[[str], str]) -> str:
    try:
        text = subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout
        return pick(text)
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def environment() -> dict[str, Any]:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = _version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], str.strip)
    dirty = _version(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"], str.strip
    )
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "commit": commit + ("+dirty" if dirty else ""),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "loadavg_before": os.getloadavg(),
        "python": platform.python_version(),
        "kamailio": _version([which("kamailio"), "-v"], lambda t: t.split()[2]),
        "tshark": _version([which("tshark"), "--version"], lambda t: t.split()[2]),
    }


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def markdown(res: dict[str, Any]) -> str:
    lines = [
        "| Transport | Measure | Parley median (p90) ms | baresip median (p90) ms "
        "| **Parley / baresip** median (p90) | Runs (Parley, baresip) |",
        "|---|---|---|---|---|---|",
    ]
    labels = {
        "register_ms": "first REGISTER → 200 OK (401 round included)",
        "start_to_registered_ms": "process start → 200 OK",
    }
    for transport, per in res["transports"].items():
        for metric, label in labels.items():
            e = per[metric]
            p, b = e["parley"], e["baresip"]
            ratio = (
                f"**{e['ratio_median']:.2f}** ({e['ratio_p90']:.2f})"
                if "ratio_median" in e
                else "—"
            )
            lines.append(
                f"| {transport.upper()} | {label} | {fmt(p.get('median'))} ({fmt(p.get('p90'))}) "
                f"| {fmt(b.get('median'))} ({fmt(b.get('p90'))}) | {ratio} "
                f"| {p.get('n', 0)}, {b.get('n', 0)} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=20, help="registrations per phone and transport")
    parser.add_argument("--warmup", type=int, default=2, help="rounds thrown away first")
    parser.add_argument("--transports", default="udp,tcp", help="comma list of udp,tcp")
    parser.add_argument("--timeout", type=float, default=20.0, help="per registration, seconds")
    parser.add_argument("--json", type=Path, help="also write the full result to this file")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    transports = [t.strip().lower() for t in args.transports.split(",") if t.strip()]
    for t in transports:
        if t not in ("udp", "tcp"):
            sys.exit(f"bench_register: transport {t!r}: only udp and tcp are visible to tshark")

    which("kamailio"), which("baresip"), which("tshark")
    env = environment()
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-reg-"))
    port = free_port("both")
    kam = Kamailio(
        workdir / "kamailio", USERS, udp_port=port, tcp_port=port, tls_port=free_port("tcp")
    )
    capture = Capture(workdir / "register.pcapng", port)
    runs: list[Run] = []
    baresip = Baresip(workdir, kam)
    try:
        kam.start()
        capture.start()
        phones: dict[str, Parley | Baresip] = {"parley": Parley(workdir, kam), "baresip": baresip}
        for transport in transports:
            for rnd in range(args.warmup + args.n):
                order = PHONES if rnd % 2 == 0 else PHONES[::-1]
                for name in order:
                    run = Run(name, transport, rnd)
                    phones[name].run(run, args.timeout)
                    runs.append(run)
                    if not run.ok:
                        print(
                            f"warning: {name} {transport} round {rnd} did not register",
                            file=sys.stderr,
                        )
                    time.sleep(0.1)  # let the unregistration settle before the next phone
                print(f"{transport} round {rnd + 1}/{args.warmup + args.n} done", file=sys.stderr)
        capture.stop()
        attach_wire_times(runs, capture.messages())
    finally:
        capture.stop()
        kam.close()
    env["baresip"] = baresip.version
    res = {
        "benchmark": "register",
        "environment": env,
        "settings": {"n": args.n, "warmup": args.warmup, "transports": transports},
        "transports": results(runs, transports, args.warmup),
        "runs": [asdict(r) for r in runs],
    }
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))
    brief = {k: v for k, v in res.items() if k != "runs"}
    print(json.dumps(brief, indent=2))
    print()
    print(markdown(res))
    if args.keep:
        print(f"\nwork directory kept: {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return res


if __name__ == "__main__":
    main()
