"""A call that survives a change of local address (issue #11 §6): Parley runs in a
network namespace whose address is swapped in the middle of a call (new address added,
default route moved, old address removed — a DHCP renewal with a new lease, cable to
Wi-Fi), Kamailio and baresip sit behind the veth (tests/peers/roaming.py).

    home 10.1.0.2 -> 10.2.0.2 (Parley console, bound to all addresses)
      | veth
    net 198.51.100.10 (Kamailio :5060/:5061, baresip :5090)

What is observed, never a flag of Parley's own: the Contact Kamailio holds
(`kamcmd ul.lookup`), the re-INVITE with the new c= address in baresip's SIP trace,
each side's tone in what the other recorded after the change, and for a TCP account the
connection the kernel shows (`ss`) from the new address.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config
from transfer_rig import HEARD, is_call, tone_wav

from audio_tools import read_wav, tonal_windows
from peers.baresip import Baresip
from peers.nat import NamespacedKamailio
from peers.roaming import HOME_ADDRS, SERVER_ADDR, Roaming

pytestmark = pytest.mark.interop

PASSWORDS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}
TONES = {"1001": 500.0, "1002": 700.0, "1003": 1100.0}
LISTEN_SECONDS = 4.0
JUDGED_SECONDS = 3.0  # the end of each recording: after the change and the re-INVITE


class World:
    def __init__(self, roam: Roaming, kam: NamespacedKamailio, tmp: Path) -> None:
        self.roam, self.kam, self.tmp = roam, kam, tmp
        self.consoles: list[ParleyConsole] = []
        self.phones: list[Baresip] = []

    def parley(
        self, user: str, bind: str = "0.0.0.0", **account: Any
    ) -> tuple[ParleyConsole, Path]:
        """A Parley console in the home namespace, bound to `bind` (all its addresses,
        or the one it has now), playing its tone and recording every call into the
        folder returned with it."""
        n = len(self.consoles)
        data = {
            "name": "office",
            "domain": f"{SERVER_ADDR}:{self.kam.udp_port}",
            "username": user,
            "password": PASSWORDS[user],
            "transport": "udp",
            "codecs": ["pcmu"],
            "keepalive_interval": 10,
            **account,
        }
        config = write_config(self.tmp / f"parley-{user}-{n}.toml", [data])
        records = self.tmp / f"heard-{user}-{n}"
        log_dir = self.tmp / f"parley-{user}-{n}"
        log_dir.mkdir()
        tone = tone_wav(self.tmp / f"tone-{user}.wav", TONES[user], seconds=60)
        console = ParleyConsole(
            config,
            log_dir=log_dir,
            extra=["--play", str(tone), "--record-dir", str(records)],
            bind=bind,
            prefix=self.roam.exec_prefix(self.roam.home),
        )
        self.consoles.append(console)
        return console, records

    def baresip(self, user: str = "1002") -> Baresip:
        n = len(self.phones)
        phone = Baresip(
            self.tmp / f"baresip-{user}-{n}",
            sip_port=5090 + 2 * n,  # the net namespace is ours: no other user of these ports
            user=user,
            password=PASSWORDS[user],
            registrar=f"{SERVER_ADDR}:{self.kam.udp_port}",
            codecs=["PCMU/8000/1"],
            play_wav=tone_wav(self.tmp / f"tone-{user}.wav", TONES[user]),
            play_loop=True,
            record_wav=self.tmp / f"heard-{user}-{n}.wav",
            record_rate=8000,
            auto_answer=True,
            host=SERVER_ADDR,
            netns=self.roam.net,
            sip_trace=True,
        )
        self.phones.append(phone)
        phone.start()
        assert phone.wait_registered(15), phone.log_text()
        return phone

    def close(self) -> None:
        for console in self.consoles:
            if console.proc.poll() is None:
                try:
                    console.quit(timeout=10)
                except Exception:
                    console.proc.kill()
        for phone in self.phones:
            phone.stop()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("roaming")
    with Roaming() as roam:
        kam = NamespacedKamailio(tmp / "kamailio", PASSWORDS, netns=roam.net, address=SERVER_ADDR)
        kam.start()
        w = World(roam, kam, tmp)
        try:
            yield w
        finally:
            w.close()
            kam.close()


def is_network(change: str) -> Any:
    return lambda e: e.get("event") == "network" and e.get("change") == change


def tail_tone_seconds(path: Path, freq: float, seconds: float = JUDGED_SECONDS) -> float:
    """Seconds of `freq` in the last `seconds` of the recording `path`."""
    samples, rate = read_wav(path)
    tail = samples[-int(seconds * rate) :]
    count = tonal_windows(tail, rate, [(freq - 30, freq + 30)], per_second=20, min_rms=200)
    print(f"{path.name}: {count * 0.05:.2f} s of {freq:.0f} Hz in the last {seconds:g} s")
    return count * 0.05


def newest(records: Path) -> Path:
    files = sorted(records.glob("*.wav"), key=lambda p: p.stat().st_mtime)
    assert files, f"no recording in {records}"
    return files[-1]


def offers_to(phone: Baresip, address: str, since: int = 0) -> int:
    """How many SDP bodies baresip received naming `address` in c= (in its log from
    character `since` on)."""
    return len(re.findall(rf"c=IN IP4 {re.escape(address)}\b", phone.log_text()[since:]))


@pytest.mark.parametrize("bound", ["all", "one"])
def test_call_moves_to_the_new_address_with_audio_both_ways(world: World, bound: str) -> None:
    """Bound to all addresses, the sockets stay and what they announce changes; bound
    to the one address that goes away, the SIP and RTP sockets move to the new one."""
    phone = world.baresip("1002")
    old = world.roam.address
    new = HOME_ADDRS[1 - world.roam.network]
    bind = "0.0.0.0" if bound == "all" else old
    console, records = world.parley("1001", bind=bind, local_port=5070)
    console.wait_state("registered", timeout=30)
    assert any(f"@{old}:" in c for c in world.kam.lookup("1001"))
    mark = len(phone.log_text())
    console.send(f"dial sip:1002@{SERVER_ADDR}:{world.kam.udp_port}")
    up = console.wait_for(is_call("connected"), timeout=30)
    time.sleep(LISTEN_SECONDS)  # audio both ways on the old address
    assert offers_to(phone, new, mark) == 0

    world.roam.move()
    moved = console.wait_for(is_network("moved"), timeout=30)
    assert (moved["old"], moved["new"]) == (old, new), moved
    assert moved["calls"] == [up["call"]], moved
    console.wait_state("registered", timeout=30)
    # Kamailio holds the new Contact and no longer the old one; the re-INVITE reached
    # baresip with the new c=.
    contacts = world.kam.lookup("1001")
    assert any(f"@{new}:" in c for c in contacts), contacts
    assert not any(f"@{old}:" in c for c in contacts), contacts
    deadline = time.monotonic() + 20
    while offers_to(phone, new, mark) == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert offers_to(phone, new, mark) > 0, phone.log_text()[-4000:]
    time.sleep(LISTEN_SECONDS)  # audio both ways on the new address

    console.send(f"hangup {up['call']}")
    console.wait_for(is_call("ended"), timeout=20)
    assert not [
        e
        for e in console.events
        if e.get("event") == "call" and e.get("state") == "ended" and e.get("call") != up["call"]
    ]
    console.quit()
    phone.stop()
    assert phone.record_wav is not None
    assert tail_tone_seconds(newest(records), TONES["1002"]) > HEARD
    assert tail_tone_seconds(phone.record_wav, TONES["1001"]) > HEARD


def test_tcp_account_reopens_its_connection_from_the_new_address(world: World) -> None:
    old = world.roam.address
    new = HOME_ADDRS[1 - world.roam.network]
    console, _ = world.parley(
        "1003",
        transport="tcp",
        domain=f"{SERVER_ADDR}:{world.kam.tcp_port}",
        local_port=5072,
    )
    console.wait_state("registered", timeout=30)
    server = f"{SERVER_ADDR}:{world.kam.tcp_port}"
    assert f"{old}:" in established(world, server)

    world.roam.move()
    moved = console.wait_for(is_network("moved"), timeout=30)
    assert (moved["old"], moved["new"]) == (old, new), moved
    console.wait_state("registered", timeout=30)
    contacts = world.kam.lookup("1003")
    assert any(f"@{new}:" in c and "transport=tcp" in c for c in contacts), contacts
    assert not any(f"@{old}:" in c for c in contacts), contacts
    connections = established(world, server)
    assert f"{new}:" in connections, connections
    console.quit()


def established(world: World, server: str) -> str:
    """The home's established TCP connections to `server` (`ss` lines)."""
    out = world.roam.run(world.roam.home, "ss", "-Htn", "state", "established")
    return "\n".join(line for line in out.splitlines() if server in line)
