"""Parley behind a home router (nftables masquerade in network namespaces): STUN gives
it the public address for Via, Contact and SDP, and calls with baresip outside carry
audio both ways; without STUN or rport the failure is the registrar's unreachable
Contact.

    home 10.0.0.2 (Parley console) -> router (masquerade to 203.0.113.1) -> wan 203.0.113.2
                                                   (Kamailio :5060, coturn :3478, baresip)

Parley runs as `parley console` inside the home namespace (`ip netns exec`), with
rport off, so every public address it uses must come from STUN. The far phone is
baresip in the wan namespace, registered at the same Kamailio. Audio is judged as in
the transfer tests: each side plays its own tone and must hear the other's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config
from transfer_rig import HEARD, is_call, tone_seconds, tone_wav

from peers.baresip import Baresip
from peers.coturn import Coturn
from peers.nat import HOME_ADDR, ROUTER_WAN, WAN_ADDR, HomeNat, NamespacedKamailio

pytestmark = pytest.mark.interop

PASSWORDS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}
TONES = {"1001": 500.0, "1002": 700.0, "1003": 1100.0}
LISTEN_SECONDS = 4.0
STUN_PORT = 3478


class World:
    def __init__(self, nat: HomeNat, kam: NamespacedKamailio, coturn: Coturn, tmp: Path) -> None:
        self.nat, self.kam, self.coturn, self.tmp = nat, kam, coturn, tmp
        self.consoles: list[ParleyConsole] = []
        self.phones: list[Baresip] = []

    def parley(self, user: str, account: dict[str, Any], **top: Any) -> tuple[ParleyConsole, Path]:
        """A Parley console in the home namespace for `user`, playing its tone and
        recording every call into the folder returned with it (answers by itself)."""
        n = len(self.consoles)
        data = {
            "name": "office",
            "domain": f"{WAN_ADDR}:{self.kam.udp_port}",
            "username": user,
            "password": PASSWORDS[user],
            "transport": "udp",
            "codecs": ["pcmu"],
            "rport": False,
            "keepalive_interval": 10,
            **account,
        }
        config = write_config(self.tmp / f"parley-{user}-{n}.toml", [data], **top)
        records = self.tmp / f"heard-{user}-{n}"
        log_dir = self.tmp / f"parley-{user}-{n}"
        log_dir.mkdir()
        tone = tone_wav(self.tmp / f"tone-{user}.wav", TONES[user], seconds=60)
        console = ParleyConsole(
            config,
            log_dir=log_dir,
            extra=["--play", str(tone), "--record-dir", str(records), "--auto-answer"],
            bind=HOME_ADDR,
            prefix=self.nat.exec_prefix(self.nat.home),
        )
        self.consoles.append(console)
        return console, records

    def baresip(self, user: str = "1002") -> Baresip:
        n = len(self.phones)
        phone = Baresip(
            self.tmp / f"baresip-{user}-{n}",
            sip_port=5090 + 2 * n,  # the wan namespace is ours: no other user of these ports
            user=user,
            password=PASSWORDS[user],
            registrar=f"{WAN_ADDR}:{self.kam.udp_port}",
            codecs=["PCMU/8000/1"],
            play_wav=tone_wav(self.tmp / f"tone-{user}.wav", TONES[user]),
            play_loop=True,
            record_wav=self.tmp / f"heard-{user}-{n}.wav",
            record_rate=8000,
            auto_answer=True,
            host=WAN_ADDR,
            netns=self.nat.wan,
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
    tmp = tmp_path_factory.mktemp("nat")
    with HomeNat() as nat:
        with Coturn(tmp / "coturn", WAN_ADDR, STUN_PORT, netns=nat.wan) as coturn:
            kam = NamespacedKamailio(tmp / "kamailio", PASSWORDS, netns=nat.wan, address=WAN_ADDR)
            kam.start()
            w = World(nat, kam, coturn, tmp)
            try:
                yield w
            finally:
                w.close()
                kam.close()


def newest(records: Path) -> Path:
    files = sorted(records.glob("*.wav"), key=lambda p: p.stat().st_mtime)
    assert files, f"no recording in {records}"
    return files[-1]


def stun_account() -> dict[str, Any]:
    return {"stun": "custom", "stun_server": WAN_ADDR, "stun_port": STUN_PORT}


def test_registered_contact_is_the_public_address_from_stun(world: World) -> None:
    console, _ = world.parley("1001", {**stun_account(), "local_port": 5070})
    console.wait_state("registered", timeout=30)
    contacts = world.kam.lookup("1001")
    assert any(f"@{ROUTER_WAN}:" in c for c in contacts), contacts
    assert not any(HOME_ADDR in c for c in contacts), contacts
    console.quit()


def test_call_out_through_the_nat_with_audio_both_ways(world: World) -> None:
    phone = world.baresip("1002")
    console, records = world.parley("1001", {**stun_account(), "local_port": 5072})
    console.wait_state("registered", timeout=30)
    console.send(f"dial sip:1002@{WAN_ADDR}:{world.kam.udp_port}")
    up = console.wait_for(is_call("connected"), timeout=30)
    time.sleep(LISTEN_SECONDS)
    console.send(f"hangup {up['call']}")
    console.wait_for(is_call("ended"), timeout=20)
    console.quit()
    phone.stop()
    # The offer baresip got names the router's public address (STUN of the RTP socket).
    offers = re.findall(r"c=IN IP4 (\S+)", phone.log_text())
    assert ROUTER_WAN in offers and HOME_ADDR not in offers, offers
    assert phone.record_wav is not None
    assert tone_seconds(newest(records), TONES["1002"]) > HEARD
    assert tone_seconds(phone.record_wav, TONES["1001"]) > HEARD


def test_called_through_the_nat_with_audio_both_ways(world: World) -> None:
    console, records = world.parley("1001", {**stun_account(), "local_port": 5074})
    console.wait_state("registered", timeout=30)
    phone = world.baresip("1002")
    phone.dial(f"sip:1001@{WAN_ADDR}:{world.kam.udp_port}")
    up = console.wait_for(is_call("connected"), timeout=30)
    time.sleep(LISTEN_SECONDS)
    console.send(f"hangup {up['call']}")
    console.wait_for(is_call("ended"), timeout=20)
    console.quit()
    phone.stop()
    answers = re.findall(r"c=IN IP4 (\S+)", phone.log_text())
    assert ROUTER_WAN in answers and HOME_ADDR not in answers, answers
    assert phone.record_wav is not None
    assert tone_seconds(newest(records), TONES["1002"]) > HEARD
    assert tone_seconds(phone.record_wav, TONES["1001"]) > HEARD


def test_without_stun_or_rport_the_registrar_keeps_an_unreachable_contact(world: World) -> None:
    """The explained failure: with neither STUN nor rport, Parley registers its private
    address; Kamailio (outside, with no route to 10.0.0.0/24) cannot deliver a call to
    it, so the caller's call fails and Parley never rings."""
    console, _ = world.parley("1003", {"stun": "none", "local_port": 5076})
    console.wait_state("registered", timeout=30)
    contacts = world.kam.lookup("1003")
    assert any(f"@{HOME_ADDR}:" in c for c in contacts), contacts
    phone = world.baresip("1002")
    mark = phone.mark()
    phone.dial(f"sip:1003@{WAN_ADDR}:{world.kam.udp_port}")
    closed = phone.wait_event(lambda e: e.get("type") == "CALL_CLOSED", timeout=60, since=mark)
    assert closed is not None, phone.log_text()[-3000:]
    assert "477" in closed["param"], closed  # Kamailio: "error on sending to next hop"
    assert not any(e.get("event") == "call" for e in console.events), console.events
    console.quit()
    phone.stop()


def call_out_and_listen(world: World, console: ParleyConsole, records: Path) -> tuple[float, float]:
    """Parley calls baresip (1002), both talk for a while; seconds of each one's tone
    the other heard: (Parley heard 1002, baresip heard Parley)."""
    phone = world.baresip("1002")
    console.wait_state("registered", timeout=30)
    console.send(f"dial sip:1002@{WAN_ADDR}:{world.kam.udp_port}")
    up = console.wait_for(is_call("connected"), timeout=30)
    time.sleep(LISTEN_SECONDS)
    console.send(f"hangup {up['call']}")
    console.wait_for(is_call("ended"), timeout=20)
    console.quit()
    phone.stop()
    assert phone.record_wav is not None
    user = str(console.config.stem).split("-")[1]
    return tone_seconds(newest(records), TONES["1002"]), tone_seconds(phone.record_wav, TONES[user])


def test_rport_without_rport_media_loses_the_far_ends_audio(world: World) -> None:
    """rport (RFC 3581) fixes signalling but not the SDP: it names 10.0.0.2, which the
    far phone cannot reach, so only our audio arrives — the manual's "NAT-related missing
    audio" that RPort media is for."""
    console, records = world.parley("1001", {"rport": True, "local_port": 5078})
    heard_by_us, heard_by_them = call_out_and_listen(world, console, records)
    assert heard_by_them > HEARD
    assert heard_by_us < 0.5


def test_rport_media_puts_the_rport_address_in_the_sdp_audio_both_ways(world: World) -> None:
    """RPort media: the address the registrar saw (rport) goes into the SDP; with our RTP
    sent first the router keeps the RTP port, so audio flows both ways without STUN."""
    console, records = world.parley(
        "1001", {"rport": True, "rport_media": True, "local_port": 5080}
    )
    heard_by_us, heard_by_them = call_out_and_listen(world, console, records)
    assert heard_by_them > HEARD
    assert heard_by_us > HEARD


def test_global_stun_gives_the_public_contact_too(world: World) -> None:
    console, _ = world.parley(
        "1003",
        {"stun": "global", "local_port": 5082},
        stun={"enabled": True, "server": WAN_ADDR, "port": STUN_PORT, "refresh": 30},
    )
    console.wait_state("registered", timeout=30)
    contacts = world.kam.lookup("1003")
    assert any(f"@{ROUTER_WAN}:" in c for c in contacts), contacts
    console.quit()
