"""Registration and call setup under SIP packet loss: Parley side by side with baresip.

The phone under test runs in namespace a, Kamailio in namespace server, the callee
(baresip, answering by itself) in namespace b; the impairing relay
(tests/peers/impair.py, run here with a logging fate) drops a seeded share of the
packets between a and the server — the caller's signalling, both ways — and leaves
the callee's signalling and the media clean. Each round: set loss and seed, start
the phone (a fresh process), let it register, call the callee, hang up, stop it.
Parley (user 1001) and baresip (user 1003) take turns with the same loss and seed,
the order swapped every round.

Times are read from the relay's log of every SIP packet on the impaired path (its
arrival time, whether it was dropped), the same way for both phones:

- registration: the phone's first REGISTER reaching the relay -> the first 200 OK to
  a REGISTER delivered to the phone (the 401 challenge round included);
- call setup: the first INVITE -> the first 200 OK to the INVITE delivered to the
  caller (Kamailio's 407 challenge round included).

A round that did not finish within the deadlines counts as a failure. The result
that matters is the ratio Parley / baresip; the machine is small and shared.

Run from the repository root (root needed for the namespaces; PYTHONPATH=src makes
the Parley processes run this checkout)::

    PYTHONPATH=src .venv/bin/python bench/bench_sip_loss.py                   # 10 seeds x 0/10/20 %
    .venv/bin/python bench/bench_sip_loss.py -n 20 --json out.json

Benchmark only: asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from peers.impair import ImpairedLink, run_relay  # noqa: E402

PHONES = ("parley", "baresip")
LEVELS = (0.0, 0.1, 0.2)
USERS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}
DEADLINE = 90.0  # seconds a registration or a call may take before the round fails

_CSEQ = re.compile(rb"^(?:CSeq):\s*\d+\s+(\w+)", re.MULTILINE | re.IGNORECASE)
_CALL_ID = re.compile(rb"^(?:Call-ID|i):\s*(\S+)", re.MULTILINE | re.IGNORECASE)


# --- the relay: the impairing relay's fate, plus a line per SIP packet ---------------------


def relay_main(config_path: str) -> int:
    config = json.loads(Path(config_path).read_text())
    live = {"loss": float(config["loss"])}
    rng = random.Random(int(config["seed"]))
    log = Path(config["sip_log"]).open("a", buffering=1)

    def fate(packet: bytes, key: str, counters: dict[str, int], now: float) -> float | None:
        dropped = bool(live["loss"]) and rng.random() < live["loss"]
        ihl = (packet[0] & 0x0F) * 4
        if packet[9] == 17 and len(packet) > ihl + 8:
            payload = packet[ihl + 8 :]
            first = payload.split(b"\r\n", 1)[0][:80]
            match = _CSEQ.search(payload)
            call_id = _CALL_ID.search(payload)
            entry = {
                "t": now,
                "src": socket.inet_ntoa(packet[12:16]),
                "dst": socket.inet_ntoa(packet[16:20]),
                "line": first.decode("latin-1"),
                "method": match.group(1).decode("latin-1") if match else "",
                "dropped": dropped,
                "call_id": call_id.group(1).decode("latin-1") if call_id else "",
            }
            log.write(json.dumps(entry) + "\n")
        return None if dropped else now

    def on_control(order: dict[str, Any]) -> None:
        if "loss" in order:
            live["loss"] = float(order["loss"])
        if "seed" in order:
            rng.seed(int(order["seed"]))

    return run_relay(config, fate, on_control)


class LoggingLink(ImpairedLink):
    """The impaired link with this file's relay, logging every SIP packet it judges."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sip_log = self.workdir / "sip-packets.jsonl"

    def relay_argv(self, config_path: Path) -> list[str]:
        config = json.loads(config_path.read_text())
        config["sip_log"] = str(self.sip_log)
        config_path.write_text(json.dumps(config))
        return [sys.executable, str(Path(__file__).resolve()), "--relay", str(config_path)]

    def packets(self, since: float, until: float) -> list[dict[str, Any]]:
        out = []
        for line in self.sip_log.read_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if since <= entry["t"] <= until:
                out.append(entry)
        return out


# --- measuring -----------------------------------------------------------------------------


def span(packets: list[dict[str, Any]], phone: str, method: str) -> float | None:
    """First `method` request from `phone` -> first 200 to it delivered to `phone`."""
    start = next(
        (p["t"] for p in packets if p["src"] == phone and p["line"].startswith(method + " ")),
        None,
    )
    if start is None:
        return None
    for p in packets:
        if (
            p["dst"] == phone
            and not p["dropped"]
            and p["line"].startswith("SIP/2.0 200")
            and p["method"].upper() == method
            and p["t"] >= start
        ):
            return float(p["t"] - start)
    return None


@dataclass
class Round:
    phone: str
    loss: float
    seed: int
    register: float | None = None
    call: float | None = None
    error: str = ""
    dropped: int = 0
    sip_packets: int = 0


@dataclass
class Results:
    rounds: list[Round] = field(default_factory=list)


class Bench:
    def __init__(self, tmp: Path) -> None:
        from peers.baresip import Baresip
        from peers.common import free_port
        from peers.kamailio import Kamailio

        self.tmp = tmp
        self.link = LoggingLink(workdir=tmp / "link", paths=("a-server",)).start()
        server = self.link.server
        assert server is not None
        port = free_port("both")
        self.kam = Kamailio(
            tmp / "kamailio",
            USERS,
            udp_port=port,
            tcp_port=port,
            tls_port=free_port("tcp"),
            realm=server.address,
            host=server.address,
            netns=server.ns,
        )
        self.kam.start()
        self.registrar = f"{server.address}:{port}"
        self.callee = Baresip(
            tmp / "callee",
            sip_port=free_port("both"),
            user="1002",
            password=USERS["1002"],
            registrar=self.registrar,
            auto_answer=True,
            host=self.link.b.address,
            netns=self.link.b.ns,
        )
        self.callee.start()
        self.count = 0

    def close(self) -> None:
        self.callee.stop()
        self.kam.stop()
        self.link.close()

    def bye_done(self, since: float, timeout: float = 20.0) -> None:
        """Wait until the caller's BYE got its 200 (or give up): a caller stopped before
        would leave the callee with a call that never ends (baresip has no RTP
        timeout) and, after four of them, a callee answering 486."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            packets = self.link.packets(since, time.monotonic())
            if span(packets, self.link.a.address, "BYE") is not None:
                return
            time.sleep(0.1)

    def run_parley(self, work: Path, bye_done: Callable[[], None]) -> str:
        from callrig import ParleyPhone

        phone = ParleyPhone(
            work,
            user="1001",
            registrar=self.registrar,
            bind=self.link.a.address,
            netns=self.link.a.ns,
            media={},
        )
        try:
            phone.start(timeout=DEADLINE)
            mark = phone.mark()
            phone.send(f"dial sip:1002@{self.registrar}")
            up = phone.wait_call("connected", DEADLINE, since=mark)
            if up is None:
                return "no call"
            phone.send(f"hangup {up['call']}")
            phone.wait_call("ended", DEADLINE, since=mark)
            bye_done()
            return ""
        except RuntimeError as exc:
            return str(exc)
        finally:
            phone.stop()

    def run_baresip(self, work: Path, bye_done: Callable[[], None]) -> str:
        from peers.baresip import Baresip, BaresipError
        from peers.common import free_port

        phone = Baresip(
            work,
            sip_port=free_port("both"),
            user="1003",
            password=USERS["1003"],
            registrar=self.registrar,
            host=self.link.a.address,
            netns=self.link.a.ns,
        )
        try:
            phone.start(timeout=DEADLINE)
            mark = phone.mark()
            phone.dial(f"sip:1002@{self.registrar}")
            phone.wait_call_state("CALL_ESTABLISHED", DEADLINE, since=mark)
            phone.hangup()
            phone.wait_event(lambda e: e.get("type") == "CALL_CLOSED", DEADLINE, since=mark)
            bye_done()
            return ""
        except BaresipError as exc:
            return str(exc)
        finally:
            phone.stop()

    def round(self, phone: str, loss: float, seed: int) -> Round:
        self.count += 1
        work = self.tmp / f"{phone}-{self.count}"
        self.link.control(loss=loss, seed=seed)
        since = time.monotonic()
        run = self.run_parley if phone == "parley" else self.run_baresip
        error = run(work, lambda: self.bye_done(since))
        time.sleep(0.3)  # the relay's last lines
        packets = self.link.packets(since, time.monotonic())
        address = self.link.a.address
        mine = [p for p in packets if address in (p["src"], p["dst"])]
        result = Round(phone, loss, seed, error=error)
        result.register = span(mine, address, "REGISTER")
        result.call = span(mine, address, "INVITE")
        result.dropped = sum(1 for p in mine if p["dropped"])
        result.sip_packets = len(mine)
        return result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summary(results: Results) -> list[dict[str, Any]]:
    rows = []
    for loss in sorted({r.loss for r in results.rounds}):
        row: dict[str, Any] = {"loss": loss}
        for phone in PHONES:
            rounds = [r for r in results.rounds if r.loss == loss and r.phone == phone]
            for what in ("register", "call"):
                values = [getattr(r, what) for r in rounds if getattr(r, what) is not None]
                row[f"{phone}_{what}_n"] = len(values)
                row[f"{phone}_{what}_failed"] = len(rounds) - len(values)
                if values:
                    row[f"{phone}_{what}_median"] = statistics.median(values)
                    row[f"{phone}_{what}_p90"] = percentile(values, 0.9)
        rows.append(row)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| SIP loss | step | Parley median | Parley p90 | baresip median | baresip p90 "
        "| ratio median | ratio p90 | done (Parley / baresip) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        for what, name in (("register", "registration"), ("call", "call setup")):
            pm, pp = row.get(f"parley_{what}_median"), row.get(f"parley_{what}_p90")
            bm, bp = row.get(f"baresip_{what}_median"), row.get(f"baresip_{what}_p90")

            def ms(v: float | None) -> str:
                return "–" if v is None else f"{v * 1000:.0f} ms"

            def ratio(a: float | None, b: float | None) -> str:
                return "–" if a is None or not b else f"{a / b:.2f}"

            done = (
                f"{row[f'parley_{what}_n']}/{row[f'parley_{what}_n'] + row[f'parley_{what}_failed']}"
                f" / {row[f'baresip_{what}_n']}/"
                f"{row[f'baresip_{what}_n'] + row[f'baresip_{what}_failed']}"
            )
            lines.append(
                f"| {row['loss'] * 100:.0f} % | {name} | {ms(pm)} | {ms(pp)} | {ms(bm)} "
                f"| {ms(bp)} | {ratio(pm, bm)} | {ratio(pp, bp)} | {done} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", "--seeds", type=int, default=10, help="seeds per loss level")
    parser.add_argument(
        "--loss", type=float, nargs="*", default=list(LEVELS), help="loss levels (0..1)"
    )
    parser.add_argument("--json", type=Path, help="write every round and the summary here")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sip-loss-"))
    bench = Bench(tmp)
    results = Results()
    started = time.time()
    try:
        for seed in range(1, args.seeds + 1):
            for loss in args.loss:
                order = PHONES if (seed + int(loss * 100)) % 2 == 0 else PHONES[::-1]
                for phone in order:
                    r = bench.round(phone, loss, seed)
                    results.rounds.append(r)
                    print(
                        f"seed {seed:2d} loss {loss:.0%} {phone:8s} register "
                        f"{r.register if r.register is None else round(r.register, 3)} "
                        f"call {r.call if r.call is None else round(r.call, 3)} "
                        f"({r.dropped}/{r.sip_packets} dropped) {r.error}",
                        flush=True,
                    )
    finally:
        bench.close()
    rows = summary(results)
    print()
    print(
        f"{platform.node()} {platform.python_version()}, {args.seeds} seeds per level, "
        f"{time.time() - started:.0f} s"
    )
    print(table(rows))
    if args.json is not None:
        data = {"rounds": [asdict(r) for r in results.rounds], "summary": rows}
        args.json.write_text(json.dumps(data, indent=1))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--relay":
        raise SystemExit(relay_main(sys.argv[2]))
    raise SystemExit(main())
