"""ZRTP calls (RFC 6189, issue #11 section 2) between real processes through Kamailio.

- Parley ↔ Parley (two console processes, each with its own data dir): both show the
  same SAS, speech scored with PESQ both ways, and a capture of the RTP ports shows the
  ZRTP packets and, after them, SRTP only (the codec's 160 bytes plus the HS80 tag,
  payloads of random bytes); after `sas-verify` on both sides a second call (new
  processes, same data dirs) starts verified from the cache; with one side's retained
  secrets wiped (its ZID kept) the other side warns of a cache mismatch.
- Parley ↔ linphonec (bzrtp), each calling: both show the same SAS (linphonec prints
  it), SRTP counted both ways, speech scored both ways; a second call finds the
  retained secret of the first (no mismatch, the secrets rotate in the cache).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import Event, ParleyConsole, write_config
from test_srtp_baresip import Capture, entropy, rtp_pair

from audio_tools import TALKER_PEAKS, codec_ceiling, pesq_score, read_wav, speech_wav
from peers.common import free_port
from peers.kamailio import Kamailio
from peers.linphone import CONNECTED, ENDED, Linphone

pytestmark = pytest.mark.interop

PASSWORDS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}
PESQ_MARGIN = 0.1
PCMU_PAYLOAD = 160
HS80 = 10


def call_event(state: str) -> Callable[[Event], bool]:
    return lambda e: e.get("event") == "call" and e.get("state") == state


def zrtp_secure(e: Event) -> bool:
    return e.get("event") == "call" and e.get("media_encryption") == "zrtp"


def speech_seconds() -> float:
    samples, rate = read_wav(speech_wav(8000))
    return samples.size / rate


class Rig:
    """Kamailio and Parley consoles whose data dirs stay the same per user across
    restarts (the ZRTP cache lives there)."""

    def __init__(self, kam: Kamailio, tmp: Path) -> None:
        self.tmp = tmp
        self.registrar = f"{kam.host}:{kam.udp_port}"
        self.consoles: list[ParleyConsole] = []

    def parley(
        self,
        user: str,
        *,
        rtp_port: int,
        play: Path | None = None,
        record_dir: Path | None = None,
        auto_answer: bool = False,
    ) -> ParleyConsole:
        account = {
            "name": "office",
            "domain": self.registrar,
            "username": user,
            "password": PASSWORDS[user],
            "transport": "udp",
            "codecs": ["pcmu"],
            "zrtp": True,
        }
        home = self.tmp / f"parley-{user}"
        home.mkdir(exist_ok=True)
        config = write_config(
            home / f"user{user}.toml",
            [account],
            media={"rtp_port_min": rtp_port, "rtp_port_max": rtp_port + 1},
        )
        extra: list[str] = []
        if play is not None:
            extra += ["--play", str(play)]
        if record_dir is not None:
            extra += ["--record-dir", str(record_dir)]
        if auto_answer:
            extra.append("--auto-answer")
        console = ParleyConsole(config, log_dir=home, extra=extra)
        self.consoles.append(console)
        console.wait_state("registered", timeout=30)
        return console

    def cache_file(self, user: str) -> Path:
        return self.tmp / f"parley-{user}" / f"data-user{user}" / "zrtp-cache.json"

    def uri(self, user: str) -> str:
        return f"sip:{user}@{self.registrar}"

    def close(self) -> None:
        for c in self.consoles:
            if c.proc.poll() is None:
                try:
                    c.quit(timeout=15)
                except Exception:
                    pass
            c.stop()


@pytest.fixture
def rig(kamailio: Kamailio, tmp_path: Path) -> Iterator[Rig]:
    r = Rig(kamailio, tmp_path)
    try:
        yield r
    finally:
        r.close()


def _call(
    rig: Rig, work: Path, ports: tuple[int, int], *, audio: bool, capture: bool
) -> tuple[Event, Event, dict[str, Any]]:
    """1001 calls 1002 (auto-answer); both wait for ZRTP; returns both secure events
    and what was measured."""
    work.mkdir(parents=True, exist_ok=True)
    speech = speech_wav(8000)
    a = rig.parley(
        "1001", rtp_port=ports[0], play=speech if audio else None, record_dir=work / "heard-a"
    )
    b = rig.parley(
        "1002",
        rtp_port=ports[1],
        play=speech if audio else None,
        record_dir=work / "heard-b",
        auto_answer=True,
    )
    cap = Capture(work / "rtp.pcap", list(ports)) if capture else None
    a.send(f"dial {rig.uri('1002')}")
    a.wait_for(call_event("connected"), timeout=30)
    sec_a = a.wait_for(zrtp_secure, timeout=30)
    sec_b = b.wait_for(zrtp_secure, timeout=30)
    out: dict[str, Any] = {"a": a, "b": b}
    if audio:
        time.sleep(2 * speech_seconds() + 1.0)
    else:
        time.sleep(1.0)
    a.send("stats")
    stats = a.wait_for(lambda e: e.get("event") == "reply" and "zrtp_state" in e["text"])
    out["stats_a"] = json.loads(stats["text"])
    out["packets"] = None
    return sec_a, sec_b, out | {"capture": cap}


def _hang_up(out: dict[str, Any]) -> None:
    a, b = out["a"], out["b"]
    a.send("hangup")
    a.wait_for(call_event("ended"), timeout=30)
    b.wait_for(call_event("ended"), timeout=30)
    assert a.quit() == 0
    assert b.quit() == 0
    if out["capture"] is not None:
        out["packets"] = out["capture"].stop()


def assert_zrtp_then_srtp(packets: list[tuple[int, int, bytes]], src: int, dst: int) -> None:
    """From `src` to `dst`: ZRTP packets, then, once they stop, only SRTP audio."""
    flow = [p for s, d, p in packets if (s, d) == (src, dst) and len(p) >= 12]
    zrtp = [i for i, p in enumerate(flow) if p[0] == 0x10 and p[4:8] == b"ZRTP"]
    assert zrtp, f"{src}->{dst}: no ZRTP packet"
    after = [p for p in flow[zrtp[-1] + 1 :] if p[1] & 0x7F == 0]
    assert len(after) > 100, f"{src}->{dst}: only {len(after)} RTP packets after ZRTP"
    # The exchange's last packets may overlap the first SRTP ones by a round trip.
    tail = after[5:]
    sizes = Counter(len(p) for p in tail)
    assert set(sizes) == {12 + PCMU_PAYLOAD + HS80}, f"{src}->{dst}: sizes {sizes}"
    h = entropy(b"".join(p[12 : 12 + PCMU_PAYLOAD] for p in tail))
    assert h > 7.9, f"{src}->{dst}: payload entropy {h:.2f}: not encrypted"
    before = [p for p in flow[: zrtp[0]] if p[1] & 0x7F == 0]
    print(f"{src}->{dst}: {len(before)} plain RTP before ZRTP, {len(tail)} SRTP after")


def test_parley_to_parley_zrtp(rig: Rig, tmp_path: Path) -> None:
    ports = (rtp_pair(), rtp_pair())
    # 1. The first call: same SAS, SRTP on the wire, audio both ways.
    sec_a, sec_b, out = _call(rig, tmp_path / "call-1", ports, audio=True, capture=True)
    assert sec_a["sas"] and sec_a["sas"] == sec_b["sas"], (sec_a, sec_b)
    assert not sec_a["sas_verified"] and not sec_b["sas_verified"]
    assert not sec_a["zrtp_cache_mismatch"] and not sec_b["zrtp_cache_mismatch"]
    assert "SAS " + sec_a["sas"] in sec_a["text"], sec_a
    stats = out["stats_a"]
    assert stats["zrtp_srtp_protected"] > 0 and stats["zrtp_srtp_unprotected"] > 0, stats
    # Verify on both sides (as both people would, having compared the SAS by voice).
    for side, sec in (("a", sec_a), ("b", sec_b)):
        console = out[side]
        console.send(f"sas-verify {sec['call']}")
        verified = console.wait_for(lambda e: zrtp_secure(e) and e.get("sas_verified") is True)
        assert verified["sas"] == sec_a["sas"]
    _hang_up(out)
    assert_zrtp_then_srtp(out["packets"], ports[0], ports[1])
    assert_zrtp_then_srtp(out["packets"], ports[1], ports[0])
    ceiling = codec_ceiling("pcmu", TALKER_PEAKS["normal"])
    heard_a = sorted((tmp_path / "call-1" / "heard-a").glob("*.wav"))
    heard_b = sorted((tmp_path / "call-1" / "heard-b").glob("*.wav"))
    assert len(heard_a) == 1 and len(heard_b) == 1, (heard_a, heard_b)
    to_a = pesq_score(speech_wav(8000), heard_a[0], "nb")
    to_b = pesq_score(speech_wav(8000), heard_b[0], "nb")
    print(f"PESQ pcmu over ZRTP: 1002->1001 {to_a:.2f}, 1001->1002 {to_b:.2f} ({ceiling:.2f})")
    assert to_a >= ceiling - PESQ_MARGIN and to_b >= ceiling - PESQ_MARGIN, (to_a, to_b)

    # 2. A second call, new processes, same data dirs: verified from the cache.
    cache_a = json.loads(rig.cache_file("1001").read_text())
    assert len(cache_a["peers"]) == 1 and next(iter(cache_a["peers"].values()))["verified"]
    sec_a2, sec_b2, out2 = _call(rig, tmp_path / "call-2", ports, audio=False, capture=False)
    assert sec_a2["sas"] == sec_b2["sas"]
    assert sec_a2["sas_verified"] is True and sec_b2["sas_verified"] is True, (sec_a2, sec_b2)
    assert "(verified)" in sec_a2["text"]
    assert not sec_a2["zrtp_cache_mismatch"] and not sec_b2["zrtp_cache_mismatch"]
    _hang_up(out2)

    # 3. 1001's retained secrets wiped (its ZID kept): 1002 warns of a mismatch.
    path = rig.cache_file("1001")
    data = json.loads(path.read_text())
    assert data["zid"] == cache_a["zid"]
    data["peers"] = {}
    path.write_text(json.dumps(data))
    sec_a3, sec_b3, out3 = _call(rig, tmp_path / "call-3", ports, audio=False, capture=False)
    assert sec_a3["sas"] == sec_b3["sas"]
    assert sec_b3["zrtp_cache_mismatch"] is True and sec_b3["sas_verified"] is False, sec_b3
    assert "WARNING" in sec_b3["text"], sec_b3
    assert sec_a3["zrtp_cache_mismatch"] is False and sec_a3["sas_verified"] is False, sec_a3
    _hang_up(out3)


# --- linphonec (bzrtp) ---------------------------------------------------------------------


class ZrtpLinphone(Linphone):
    """linphonec with media_encryption=zrtp (not mandatory)."""

    def rc_text(self) -> str:
        return super().rc_text().replace("media_encryption=none", "media_encryption=zrtp")


@pytest.mark.parametrize("caller", ["parley", "linphonec"])
def test_parley_and_linphonec_zrtp(rig: Rig, tmp_path: Path, caller: str) -> None:
    speech = speech_wav(8000)
    record_dir = tmp_path / "heard-by-parley"
    parley = rig.parley(
        "1001",
        rtp_port=rtp_pair(),
        play=speech,
        record_dir=record_dir,
        auto_answer=caller == "linphonec",
    )
    lp = ZrtpLinphone(
        tmp_path / "linphone-1003",
        sip_port=free_port("both"),
        user="1003",
        password=PASSWORDS["1003"],
        registrar=rig.registrar,
        codecs=["PCMU"],
        play_wav=speech,
        record_wav=tmp_path / "heard-by-linphonec.wav",
        auto_answer=caller == "parley",
    )
    lp.start(timeout=30)
    try:
        mark = lp.mark()
        if caller == "parley":
            parley.send(f"dial {rig.uri('1003')}")
        else:
            lp.call(rig.uri("1001"))
        parley.wait_for(call_event("connected"), timeout=30)
        lp.wait_output(CONNECTED, timeout=30, since=mark)
        secure = parley.wait_for(zrtp_secure, timeout=30)
        assert secure["sas"], secure
        lp.wait_output(rf"auth token is {secure['sas']}", timeout=30, since=mark)
        time.sleep(2 * speech_seconds() + 1.0)
        parley.send("stats")
        stats = json.loads(
            parley.wait_for(lambda e: e.get("event") == "reply" and "zrtp_state" in e["text"])[
                "text"
            ]
        )
        assert stats["zrtp_srtp_unprotected"] > 100, stats  # linphonec's SRTP, decrypted
        assert stats["zrtp_srtp_protected"] > 100, stats
        mark = lp.mark()
        parley.send("hangup")
        parley.wait_for(call_event("ended"), timeout=30)
        lp.wait_output(ENDED, timeout=30, since=mark)

        # A second call: Parley holds linphonec's retained secret from the first, and
        # no mismatch means it matched (RFC 6189 §4.3.2); linphonec shows the new SAS.
        cache = json.loads(rig.cache_file("1001").read_text())
        (peer,) = cache["peers"].values()
        assert peer["rs1"], cache
        lp.command(f"record {tmp_path / 'second-call.wav'}")  # the first one's stays
        mark = lp.mark()
        if caller == "parley":
            parley.send(f"dial {rig.uri('1003')}")
        else:
            lp.call(rig.uri("1001"))
        second = parley.wait_for(
            lambda e: zrtp_secure(e) and e["call"] != secure["call"], timeout=30
        )
        assert second["zrtp_cache_mismatch"] is False, second
        lp.wait_output(rf"auth token is {second['sas']}", timeout=30, since=mark)
        mark = lp.mark()
        parley.send("hangup")
        parley.wait_for(lambda e: call_event("ended")(e) and e["call"] == second["call"])
        lp.wait_output(ENDED, timeout=30, since=mark)
        (peer2,) = json.loads(rig.cache_file("1001").read_text())["peers"].values()
        assert peer2["rs2"] == peer["rs1"] and peer2["rs1"] != peer["rs1"], (peer, peer2)
    finally:
        lp.stop()
    assert parley.quit() == 0
    files = sorted(record_dir.glob(f"call-{secure['call']}-*.wav"))
    assert len(files) == 1, files
    ceiling = codec_ceiling("pcmu")
    to_parley = pesq_score(speech, files[0], "nb")
    to_lp = pesq_score(speech, tmp_path / "heard-by-linphonec.wav", "nb")
    print(
        f"PESQ pcmu ZRTP ({caller} calls): linphonec->parley {to_parley:.2f}, "
        f"parley->linphonec {to_lp:.2f} (ceiling {ceiling:.2f})"
    )
    assert to_parley >= ceiling - PESQ_MARGIN, (to_parley, ceiling)
    assert to_lp >= ceiling - PESQ_MARGIN, (to_lp, ceiling)
