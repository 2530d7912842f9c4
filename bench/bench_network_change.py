"""Time from a change of local address to re-registered and to audio flowing again.

The rig of tests/interop/test_network_change.py (tests/peers/roaming.py): the phone
under test runs in a network namespace whose address is swapped (new address added,
default route moved, old address removed), Kamailio and a far baresip sit behind the
veth. One call stays up while the address is swapped ``-n`` times (back and forth
between the two networks). For each swap, measured from the moment the old address is
gone:

- noticed: Parley's account goes to "registering" (the `at` of its account event);
- re-registered: its account is "registered" again (`at` of that event);
- audio again: both directions of RTP use the new address — the first RTP packet from
  the new address and the first one to it (tshark on the phone's veth; RTP told from
  RTCP by its even ports).

baresip 1.0.0 has a network check of its own (every 60 s it compares its default source
address and re-registers, `net_change` in its main.c): the same swap is made under a
baresip that roams (bound to all addresses) and the time until Kamailio holds its new
Contact is measured (``--baresip-runs``; 0 skips it).

Run as root from the repository root::

    .venv/bin/python bench/bench_network_change.py -n 5 --baresip-runs 3
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "interop"))

from parley_console import ParleyConsole, write_config  # noqa: E402
from transfer_rig import tone_wav  # noqa: E402

from peers.baresip import Baresip  # noqa: E402
from peers.nat import NamespacedKamailio  # noqa: E402
from peers.roaming import HOME_ADDRS, SERVER_ADDR, Roaming  # noqa: E402

PASSWORDS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}
SETTLE_SECONDS = 5.0  # after each swap, before the next: audio both ways again
BARESIP_WAIT = 150.0  # its check runs every 60 s


def is_account(state: str, since: float) -> Any:
    return lambda e: (
        e.get("event") == "account" and e.get("state") == state and e.get("at", 0) >= since
    )


class RoamingBaresip(Baresip):
    """A baresip bound to all addresses of its namespace, as a laptop's would be."""

    def config_text(self) -> str:
        lines = [
            line
            for line in super().config_text().splitlines()
            if not line.startswith(("sip_listen", "net_interface"))
        ]
        return "\n".join([*lines, f"sip_listen 0.0.0.0:{self.sip_port}"]) + "\n"


def capture_rtp(roam: Roaming, pcap: Path) -> subprocess.Popen[bytes]:
    argv = [*roam.exec_prefix(roam.home), "tshark", "-q", "-i", "hveth"]
    argv += ["-f", "udp and not port 5060", "-w", str(pcap)]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    for raw in proc.stderr:  # "Capturing on 'hveth'"
        if b"Capturing on" in raw:
            break
    return proc


def rtp_packets(pcap: Path) -> list[tuple[float, str, str]]:
    out = subprocess.run(
        [
            *("tshark", "-r", str(pcap), "-T", "fields", "-e", "frame.time_epoch"),
            *("-e", "ip.src", "-e", "ip.dst", "-e", "udp.srcport", "-e", "udp.dstport"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    packets = []
    for line in out.splitlines():
        when, src, dst, sport, dport = line.split("\t")
        if int(sport) % 2 == 0 and int(dport) % 2 == 0:
            packets.append((float(when), src, dst))
    return packets


def first_after(
    packets: list[tuple[float, str, str]], t0: float, *, src: str = "", dst: str = ""
) -> float | None:
    for when, s, d in packets:
        if when >= t0 and (not src or s == src) and (not dst or d == dst):
            return when - t0
    return None


def bench_parley(runs: int, tmp: Path) -> list[dict[str, float | None]]:
    with Roaming() as roam:
        kam = NamespacedKamailio(tmp / "kamailio", PASSWORDS, netns=roam.net, address=SERVER_ADDR)
        kam.start()
        far = Baresip(
            tmp / "baresip-1002",
            sip_port=5090,
            user="1002",
            password=PASSWORDS["1002"],
            registrar=f"{SERVER_ADDR}:{kam.udp_port}",
            codecs=["PCMU/8000/1"],
            play_wav=tone_wav(tmp / "tone-1002.wav", 700.0),
            play_loop=True,
            record_rate=8000,
            auto_answer=True,
            host=SERVER_ADDR,
            netns=roam.net,
        )
        far.start()
        pcap = tmp / "rtp.pcap"
        tshark = capture_rtp(roam, pcap)
        config = write_config(
            tmp / "parley.toml",
            [
                {
                    "name": "office",
                    "domain": f"{SERVER_ADDR}:{kam.udp_port}",
                    "username": "1001",
                    "password": PASSWORDS["1001"],
                    "transport": "udp",
                    "codecs": ["pcmu"],
                    "local_port": 5070,
                }
            ],
        )
        (tmp / "parley").mkdir()
        console = ParleyConsole(
            config,
            log_dir=tmp / "parley",
            extra=["--play", str(tone_wav(tmp / "tone-1001.wav", 500.0, seconds=120))],
            bind="0.0.0.0",
            prefix=roam.exec_prefix(roam.home),
        )
        swaps: list[tuple[float, str, float, float]] = []
        try:
            console.wait_state("registered", timeout=30)
            console.send(f"dial sip:1002@{SERVER_ADDR}:{kam.udp_port}")
            console.wait_for(
                lambda e: e.get("event") == "call" and e.get("state") == "connected", 30
            )
            time.sleep(SETTLE_SECONDS)
            for _ in range(runs):
                gone = roam.move()
                noticed = console.wait_for(is_account("registering", gone), timeout=60)
                registered = console.wait_for(is_account("registered", gone), timeout=60)
                swaps.append((gone, roam.address, noticed["at"] - gone, registered["at"] - gone))
                # A random pause: swaps at a fixed period would lock onto the watcher's
                # 1 s polling and always hit the same point of it.
                time.sleep(SETTLE_SECONDS + random.uniform(0.0, 1.0))
            console.send("hangup")
            time.sleep(1)
            console.quit()
        finally:
            console.stop()
            tshark.terminate()
            tshark.wait(10)
            far.stop()
            kam.close()
        packets = rtp_packets(pcap)
    results: list[dict[str, float | None]] = []
    for gone, new, noticed, registered in swaps:
        out = first_after(packets, gone, src=new)
        back = first_after(packets, gone, dst=new)
        both = max(out, back) if out is not None and back is not None else None
        results.append(
            {
                "noticed": noticed,
                "registered": registered,
                "rtp_out": out,
                "rtp_in": back,
                "audio_again": both,
            }
        )
    return results


def bench_baresip(runs: int, tmp: Path) -> list[float | None]:
    """Each run in a fresh rig: Kamailio keeps a moved phone's old binding until it
    expires, and a swap back would find it there at once."""
    times: list[float | None] = []
    for run in range(runs):
        with Roaming() as roam:
            kam = NamespacedKamailio(
                tmp / f"kamailio-b{run}", PASSWORDS, netns=roam.net, address=SERVER_ADDR
            )
            kam.start()
            phone = RoamingBaresip(
                tmp / f"baresip-1003-{run}",
                sip_port=5090,
                user="1003",
                password=PASSWORDS["1003"],
                registrar=f"{SERVER_ADDR}:{kam.udp_port}",
                codecs=["PCMU/8000/1"],
                netns=roam.home,
            )
            try:
                phone.start()
                time.sleep(2 + 15 * run)  # a different phase of its 60 s check each run
                gone = roam.move()
                new = roam.address
                found = None
                while time.time() - gone < BARESIP_WAIT:
                    if any(f"@{new}:" in c for c in kam.lookup("1003")):
                        found = time.time() - gone
                        break
                    time.sleep(0.25)
                times.append(found)
                if found is None:
                    print(kam.lookup("1003"), phone.log_text()[-1500:], file=sys.stderr)
            finally:
                phone.stop()
                kam.close()
    return times


def median(values: list[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return statistics.median(got) if got else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=5)
    parser.add_argument("--baresip-runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    assert HOME_ADDRS
    with tempfile.TemporaryDirectory(prefix="bench-netchange-") as tmp_name:
        tmp = Path(tmp_name)
        parley = bench_parley(args.runs, tmp)
        baresip = bench_baresip(args.baresip_runs, tmp) if args.baresip_runs else []
    print("Parley, seconds after the old address was removed (one call up all along):")
    print(
        f"{'run':>4} {'noticed':>8} {'re-registered':>14} {'RTP out':>8} {'RTP in':>7} {'audio both ways':>16}"
    )
    for i, r in enumerate(parley, 1):
        cells = [r["noticed"], r["registered"], r["rtp_out"], r["rtp_in"], r["audio_again"]]
        text = [f"{c:.2f}" if c is not None else "-" for c in cells]
        print(f"{i:>4} {text[0]:>8} {text[1]:>14} {text[2]:>8} {text[3]:>7} {text[4]:>16}")
    summary: dict[str, Any] = {
        key: median([r[key] for r in parley])
        for key in ("noticed", "registered", "rtp_out", "rtp_in", "audio_again")
    }
    print("median:", {k: None if v is None else round(v, 2) for k, v in summary.items()})
    if baresip:
        print("baresip 1.0.0, seconds until Kamailio holds its new Contact:")
        print("  ", [None if t is None else round(t, 1) for t in baresip])
        summary["baresip_registered"] = median(baresip)
        print("median:", summary["baresip_registered"])
    if args.json:
        args.json.write_text(
            json.dumps({"parley": parley, "baresip": baresip, "median": summary}, indent=2)
        )


if __name__ == "__main__":
    main()
