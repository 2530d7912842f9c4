"""SDES SRTP calls between Parley (the console process) and baresip's ``srtp`` module,
through Kamailio (issue #11, section 1).

- every suite both run, in both call directions, with baresip in ``srtp`` (RTP/AVP with
  keys) and ``srtp-mand`` (RTP/SAVP): speech both ways scored with PESQ as for plain
  calls (``test_calls_baresip``), and a capture of both RTP ports (tshark on ``lo``)
  shows only SRTP: every RTP packet is the codec's 160 bytes plus the suite's tag, and
  the payloads are random bytes, not G.711 speech;
- Parley ``mandatory`` against a plain baresip: 488 with the reason, both directions;
- ``optional`` over UDP without the explicit choice: a plain call that says why;
- over TLS through Kamailio: SRTP with the keys only on the encrypted signalling.
"""

from __future__ import annotations

import math
import shutil
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_calls_baresip import PESQ_MARGIN, Rig, _score, call_event, recordings, speech_seconds

from audio_tools import CODEC_SETUP, TALKER_PEAKS, codec_ceiling, speech_wav
from peers.common import free_port, wait_until
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

SUITES = [
    "AES_CM_128_HMAC_SHA1_80",
    "AES_CM_128_HMAC_SHA1_32",
    "AEAD_AES_128_GCM",
    "AEAD_AES_256_GCM",
]
TAG_LENGTH = {
    "AES_CM_128_HMAC_SHA1_80": 10,
    "AES_CM_128_HMAC_SHA1_32": 4,
    "AEAD_AES_128_GCM": 16,
    "AEAD_AES_256_GCM": 16,
}
PCMU_PAYLOAD = 160  # 20 ms of G.711


@pytest.fixture
def rig(kamailio: Kamailio, tmp_path: Path) -> Iterator[Rig]:
    r = Rig(kamailio, tmp_path)
    try:
        yield r
    finally:
        r.close()


_GIVEN: set[int] = set()


def rtp_pair() -> int:
    """An even port whose next one is free too: a one-pair RTP range (never one given
    out before in this session, so two phones of one test never share it)."""
    for _ in range(200):
        port = free_port("udp")
        if port % 2 or port in _GIVEN:
            continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        _GIVEN.add(port)
        return port
    raise RuntimeError("no free RTP port pair")


class Capture:
    """tshark on lo for some UDP ports; `packets()` gives (src port, dst port, payload)."""

    def __init__(self, path: Path, ports: list[int]) -> None:
        tshark = shutil.which("tshark")
        if tshark is None:
            pytest.skip("tshark is not installed")
        self.path = path
        flt = " or ".join(f"udp port {p}" for p in ports)
        self.proc = subprocess.Popen(
            [tshark, "-i", "lo", "-f", flt, "-w", str(path), "-a", "duration:120", "-q"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert wait_until(lambda: path.exists() and path.stat().st_size > 0, timeout=15), (
            "no capture"
        )
        time.sleep(0.5)

    def stop(self) -> list[tuple[int, int, bytes]]:
        time.sleep(0.5)
        self.proc.terminate()
        self.proc.wait(10)
        out = subprocess.run(
            ["tshark", "-r", str(self.path), "-T", "fields", "-e", "udp.srcport",
             "-e", "udp.dstport", "-e", "udp.payload"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        packets = []
        for line in out.splitlines():
            fields = line.split("\t")
            if len(fields) == 3 and fields[2]:
                packets.append((int(fields[0]), int(fields[1]), bytes.fromhex(fields[2])))
        return packets


def entropy(data: bytes) -> float:
    counts = Counter(data)
    return -sum(c / len(data) * math.log2(c / len(data)) for c in counts.values())


def assert_only_srtp(
    packets: list[tuple[int, int, bytes]], parley_port: int, far_port: int, suite: str
) -> None:
    """Every RTP packet between the two RTP ports, each way, is SRTP of `suite`."""
    for src, dst in ((parley_port, far_port), (far_port, parley_port)):
        rtp = [p for s, d, p in packets if (s, d) == (src, dst) and len(p) >= 12]
        audio = [p for p in rtp if p[1] & 0x7F == 0]  # PCMU, not telephone-event
        assert len(audio) > 100, f"{src}->{dst}: only {len(audio)} RTP packets captured"
        sizes = Counter(len(p) for p in audio)
        want = 12 + PCMU_PAYLOAD + TAG_LENGTH[suite]
        assert set(sizes) == {want}, f"{src}->{dst}: sizes {sizes}, want {want} ({suite})"
        payload = b"".join(p[12 : 12 + PCMU_PAYLOAD] for p in audio)
        # G.711 speech and silence have few distinct bytes (silence is one value);
        # ciphertext is uniform: close to 8 bits per byte.
        h = entropy(payload)
        assert h > 7.9, f"{src}->{dst}: payload entropy {h:.2f} bits: not encrypted"


def assert_only_srtcp(packets: list[tuple[int, int, bytes]], parley_port: int, suite: str) -> None:
    """Every RTCP packet Parley sent from its RTCP port (RTP + 1) is SRTCP: its E flag
    (RFC 3711 §3.4; RFC 7714 §9 for GCM) says the report is encrypted, before an 80-bit
    tag for the AES-CM suites (RFC 4568 §6.2: SRTCP keeps 80 bits with _32 too).

    Only Parley's side is held to it: baresip 1.0 sends a plain APP "PING"/"PONG" before
    its SRTP starts and a plain RTCP BYE after it stops, and (libre) a 32-bit SRTCP tag
    with AES_CM_128_HMAC_SHA1_32."""
    trailer = 4 if suite.startswith("AEAD") else 4 + 10
    rtcp = [p for s, d, p in packets if s == parley_port + 1]
    assert rtcp, "no RTCP captured from Parley"
    for p in rtcp:
        assert p[-trailer] & 0x80, f"RTCP from Parley without the SRTCP E flag: {p.hex()}"


def parley_account(mode: str, suites: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"srtp": mode, "srtp_over_plain_signalling": True}
    if suites is not None:
        data["srtp_suites"] = suites
    data.update(extra)
    return data


def _srtp_audio_call(
    rig: Rig, work: Path, suite: str, caller: str, mediaenc: str
) -> tuple[float, float]:
    codec = "pcmu"
    rate, _ = CODEC_SETUP[codec]
    speech = speech_wav(rate)
    work.mkdir(parents=True, exist_ok=True)
    record_dir = work / "parley-heard"
    heard_by_baresip = work / "heard-by-baresip.wav"
    p_port, b_port = rtp_pair(), rtp_pair()
    mode = "mandatory" if mediaenc == "srtp-mand" else "optional"
    parley = rig.parley(
        codecs=[codec],
        play=speech,
        record_dir=record_dir,
        auto_answer=caller == "baresip",
        account=parley_account(mode, [suite]),
        media={"rtp_port_min": p_port, "rtp_port_max": p_port + 1},
    )
    far = rig.baresip(
        codec=codec,
        play_wav=speech,
        record_wav=heard_by_baresip,
        record_rate=rate,
        auto_answer=caller == "parley",
        mediaenc=mediaenc,
        rtp_ports=(b_port, b_port + 1),
        sip_trace=True,
    )
    capture = Capture(work / "rtp.pcap", [p_port, b_port, p_port + 1, b_port + 1])
    if caller == "parley":
        parley.send(f"dial {rig.uri('1002')}")
    else:
        far.dial(rig.uri("1001"))
    connected = parley.wait_for(call_event("connected"), timeout=30)
    assert connected["media_encryption"] == "srtp", connected
    assert connected["signalling"] == "udp", connected
    far.wait_call_state("CALL_ESTABLISHED", timeout=30)
    assert far.wait_audio(20), "baresip heard nothing"
    time.sleep(2 * speech_seconds(rate) + 1.0)
    parley.send("hangup")
    parley.wait_for(call_event("ended"), timeout=30)
    far.wait_call_state("CALL_CLOSED", timeout=30)
    far.stop()
    assert parley.quit() == 0
    packets = capture.stop()

    # What went over the wire: the suite in both SDPs, only SRTP on the RTP ports.
    trace = far.log_text()
    assert f"a=crypto:1 {suite} inline:" in trace or f" {suite} inline:" in trace, suite
    if mediaenc == "srtp-mand" or (caller == "parley" and mode == "mandatory"):
        assert "RTP/SAVP" in trace
    assert_only_srtp(packets, p_port, b_port, suite)
    assert_only_srtcp(packets, p_port, suite)

    files = recordings(record_dir)
    assert len(files) == 1, files
    to_baresip = _score(
        codec,
        f"SRTP {suite} parley->baresip ({caller} calls)",
        heard_by_baresip,
        TALKER_PEAKS["normal"],
    )
    to_parley = _score(
        codec, f"SRTP {suite} baresip->parley ({caller} calls)", files[0], TALKER_PEAKS["normal"]
    )
    return to_baresip, to_parley


# baresip 1.0 offers one line (AES_CM_128_HMAC_SHA1_80) and answers every suite Parley
# runs: each suite is tried with Parley offering only that one.
BARESIP_OFFERS = "AES_CM_128_HMAC_SHA1_80"
CASES = [
    *((suite, "parley", "srtp-mand") for suite in SUITES),
    (BARESIP_OFFERS, "parley", "srtp"),
    (BARESIP_OFFERS, "baresip", "srtp"),
    (BARESIP_OFFERS, "baresip", "srtp-mand"),
]


@pytest.mark.parametrize(("suite", "caller", "mediaenc"), CASES)
def test_srtp_audio_both_ways(
    rig: Rig, tmp_path: Path, suite: str, caller: str, mediaenc: str
) -> None:
    ceiling = codec_ceiling("pcmu", TALKER_PEAKS["normal"])
    for attempt in (1, 2):
        to_baresip, to_parley = _srtp_audio_call(
            rig, tmp_path / f"call-{attempt}", suite, caller, mediaenc
        )
        if min(to_baresip, to_parley) >= ceiling - PESQ_MARGIN:
            break
        print(f"call {attempt} below the ceiling ({to_baresip:.2f}/{to_parley:.2f}); again")
    assert to_baresip >= ceiling - PESQ_MARGIN, (to_baresip, ceiling)
    assert to_parley >= ceiling - PESQ_MARGIN, (to_parley, ceiling)


# --- mandatory against plain ------------------------------------------------------------


def test_mandatory_parley_refuses_a_plain_caller_with_488(rig: Rig) -> None:
    parley = rig.parley(codecs=["pcmu"], auto_answer=True, account=parley_account("mandatory"))
    far = rig.baresip(codec="pcmu", sip_trace=True)
    far.dial(rig.uri("1001"))
    ended = parley.wait_for(call_event("ended"), timeout=30)
    assert ended["encryption_problem"] == "srtp required", ended
    assert ended["cause"] == "media failed" and ended["status"] == 488, ended
    assert "Encryption required" in ended["text"], ended
    closed = far.wait_call_state("CALL_CLOSED", timeout=30)
    assert "488" in str(closed.get("param")), closed
    trace = far.log_text()
    assert "SIP/2.0 488 Not Acceptable Here" in trace
    assert 'Warning: 399 parley "srtp required"' in trace
    assert not any(
        e.get("event") == "call" and e.get("state") == "connected" for e in parley.events
    )


def test_mandatory_parley_calling_a_plain_phone_never_connects_plainly(rig: Rig) -> None:
    parley = rig.parley(codecs=["pcmu"], account=parley_account("mandatory"))
    far = rig.baresip(codec="pcmu", auto_answer=True, sip_trace=True)
    parley.send(f"dial {rig.uri('1002')}")
    ended = parley.wait_for(call_event("ended"), timeout=30)
    trace = far.log_text()
    assert "m=audio" in trace and "RTP/SAVP" in trace  # our offer reached it
    # baresip without its srtp module refuses RTP/SAVP (488): Parley's offer said it.
    assert ended["status"] == 488 or ended["encryption_problem"] == "srtp required", ended
    assert not any(
        e.get("event") == "call" and e.get("state") == "connected" for e in parley.events
    )


def test_srtp_mand_baresip_refuses_plain_parley(rig: Rig) -> None:
    """The other way round: SRTP off at Parley, baresip insists (srtp-mand)."""
    parley = rig.parley(codecs=["pcmu"])
    rig.baresip(codec="pcmu", auto_answer=True, mediaenc="srtp-mand")
    parley.send(f"dial {rig.uri('1002')}")
    ended = parley.wait_for(call_event("ended"), timeout=30)
    assert ended["status"] == 488 or ended["cause"] == "media failed", ended


def test_srtp_mand_caller_is_refused_by_parley_with_srtp_off(rig: Rig) -> None:
    parley = rig.parley(codecs=["pcmu"], auto_answer=True)
    far = rig.baresip(codec="pcmu", mediaenc="srtp-mand", sip_trace=True)
    far.dial(rig.uri("1001"))
    ended = parley.wait_for(call_event("ended"), timeout=30)
    assert ended["encryption_problem"] == "srtp not enabled", ended
    assert ended["status"] == 488, ended
    far.wait_call_state("CALL_CLOSED", timeout=30)
    assert 'Warning: 399 parley "srtp not enabled"' in far.log_text()


@pytest.mark.parametrize("mode", ["optional", "mandatory"])
def test_no_common_suite_with_baresip(rig: Rig, mode: str) -> None:
    """Parley allows only a suite baresip does not offer: plain in optional mode (it
    says why), 488 "no common suite" in mandatory mode."""
    parley = rig.parley(
        codecs=["pcmu"], auto_answer=True, account=parley_account(mode, ["AEAD_AES_128_GCM"])
    )
    far = rig.baresip(codec="pcmu", mediaenc="srtp", sip_trace=True)
    far.dial(rig.uri("1001"))
    if mode == "optional":
        connected = parley.wait_for(call_event("connected"), timeout=30)
        assert connected["media_encryption"] == "none", connected
        far.wait_call_state("CALL_ESTABLISHED", timeout=30)
        far.hangup()
        parley.wait_for(call_event("ended"), timeout=30)
    else:
        ended = parley.wait_for(call_event("ended"), timeout=30)
        assert ended["status"] == 488, ended
        assert ended["encryption_problem"] == "no common suite", ended
        far.wait_call_state("CALL_CLOSED", timeout=30)
        assert 'Warning: 399 parley "no common suite"' in far.log_text()


# --- keys never over plain signalling without the explicit choice -----------------------


@pytest.mark.parametrize("caller", ["parley", "baresip"])
def test_optional_without_the_choice_stays_plain_over_udp(rig: Rig, caller: str) -> None:
    parley = rig.parley(
        codecs=["pcmu"],
        auto_answer=caller == "baresip",
        account={"srtp": "optional"},  # srtp_over_plain_signalling stays false
    )
    far = rig.baresip(codec="pcmu", auto_answer=caller == "parley", mediaenc="srtp", sip_trace=True)
    mark = far.mark()
    if caller == "parley":
        parley.send(f"dial {rig.uri('1002')}")
    else:
        far.dial(rig.uri("1001"))
    connected = parley.wait_for(call_event("connected"), timeout=30)
    assert connected["media_encryption"] == "none", connected
    assert connected["encryption_problem"] == "srtp needs tls", connected
    assert "only sent over TLS" in connected["text"], connected
    parley.send("accounts")  # the account says it too
    reply = parley.wait_for(lambda e: e.get("event") == "reply" and "office:" in e["text"])
    assert "only sent over TLS" in reply["text"], reply
    far.wait_call_state("CALL_ESTABLISHED", timeout=30, since=mark)
    parley.send("hangup")
    far.wait_call_state("CALL_CLOSED", timeout=30)
    # Parley's own SDP (the offer it sent or the answer it gave) carries no key.
    trace = far.log_text()
    sdps = [part for part in trace.split("v=0") if "o=- " in part or "Parley" in part]
    ours = [s for s in sdps if "s=Parley" in s]
    assert ours, "no SDP of Parley's in baresip's trace"
    assert all("a=crypto" not in s.split("\n\n")[0] for s in ours), ours


# --- over TLS through Kamailio ------------------------------------------------------------


@pytest.fixture
def nat_kamailio(tmp_path: Path) -> Iterator[Kamailio]:
    """Kamailio with its NAT helpers: a call to a TLS phone goes back over the phone's
    own connection (baresip has no server certificate to accept a new one)."""
    port = free_port("both")
    kam = Kamailio(
        tmp_path / "kamailio-nat",
        {"1001": "pass1001", "1002": "pass1002"},
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
        nat_helpers=True,
    )
    kam.start()
    try:
        yield kam
    finally:
        kam.close()


@pytest.mark.parametrize("caller", ["parley", "baresip"])
def test_srtp_over_tls_through_kamailio(
    nat_kamailio: Kamailio, tmp_path: Path, caller: str
) -> None:
    from peers.baresip import Baresip

    kamailio = nat_kamailio
    rig = Rig(kamailio, tmp_path)
    try:
        _tls_call(rig, kamailio, tmp_path, caller, Baresip)
    finally:
        rig.close()


def _tls_call(rig: Rig, kamailio: Kamailio, tmp_path: Path, caller: str, Baresip: Any) -> None:

    codec = "pcmu"
    rate, _ = CODEC_SETUP[codec]
    speech = speech_wav(rate)
    heard = tmp_path / "heard-by-baresip.wav"
    record_dir = tmp_path / "parley-heard"
    p_port, b_port = rtp_pair(), rtp_pair()
    tls = f"127.0.0.1:{kamailio.tls_port}"
    config = tmp_path / "parley-tls.toml"
    from parley_console import ParleyConsole, write_config

    write_config(
        config,
        [
            {
                "name": "office",
                "domain": tls,
                "username": "1001",
                "password": "pass1001",
                "transport": "tls",
                "ca_file": str(kamailio.ca_file),
                "codecs": [codec],
                "srtp": "mandatory",  # and no srtp_over_plain_signalling: TLS only
            }
        ],
        media={"rtp_port_min": p_port, "rtp_port_max": p_port + 1},
    )
    extra = ["--play", str(speech), "--record-dir", str(record_dir)]
    if caller == "baresip":
        extra.append("--auto-answer")
    parley = ParleyConsole(config, log_dir=tmp_path, extra=extra)
    rig.consoles.append(parley)
    parley.wait_state("registered", timeout=30)
    far = Baresip(
        tmp_path / "baresip-tls",
        sip_port=free_port("both"),
        user="1002",
        password="pass1002",
        registrar=tls,
        transport="tls",
        codecs=["PCMU/8000/1"],
        play_wav=speech,
        record_wav=heard,
        record_rate=rate,
        auto_answer=caller == "parley",
        mediaenc="srtp-mand",
        rtp_ports=(b_port, b_port + 1),
        ca_file=kamailio.ca_file,
    )
    rig.baresips.append(far)
    far.start(timeout=30)
    capture = Capture(tmp_path / "rtp.pcap", [p_port, b_port])
    if caller == "parley":
        parley.send(f"dial sips:1002@{tls}")
    else:
        far.dial(f"sip:1001@{tls};transport=tls")  # baresip 1.0 cannot dial sips:
    connected = parley.wait_for(call_event("connected"), timeout=30)
    assert connected["media_encryption"] == "srtp", connected
    assert connected["signalling"] == "tls", connected
    far.wait_call_state("CALL_ESTABLISHED", timeout=30)
    assert far.wait_audio(20), "baresip heard nothing"
    time.sleep(2 * speech_seconds(rate) + 1.0)
    parley.send("hangup")
    parley.wait_for(call_event("ended"), timeout=30)
    far.wait_call_state("CALL_CLOSED", timeout=30)
    far.stop()
    assert parley.quit() == 0
    packets = capture.stop()
    assert_only_srtp(packets, p_port, b_port, "AES_CM_128_HMAC_SHA1_80")
    (file,) = recordings(record_dir)
    ceiling = codec_ceiling(codec, TALKER_PEAKS["normal"])
    to_baresip = _score(
        codec, f"SRTP over TLS parley->baresip ({caller} calls)", heard, TALKER_PEAKS["normal"]
    )
    to_parley = _score(
        codec, f"SRTP over TLS baresip->parley ({caller} calls)", file, TALKER_PEAKS["normal"]
    )
    # One call only here (TLS set-up is slow): a lost packet may cost a little more.
    assert to_baresip >= ceiling - 0.3 and to_parley >= ceiling - 0.3, (to_baresip, to_parley)


# --- new keys on a re-INVITE ------------------------------------------------------------


def test_hold_and_resume_keep_the_srtp_keys_and_the_audio(rig: Rig, tmp_path: Path) -> None:
    """Parley holds and resumes an SRTP call: both re-offers keep Parley's key (baresip
    1.0 keeps its first receiving context whatever a re-offer says; a new key would
    silence the call), and the speech comes back after the resume."""
    from test_calls_baresip import longest_silence

    from audio_tools import read_wav, rms_windows

    heard = tmp_path / "heard-by-baresip.wav"
    parley = rig.parley(
        codecs=["pcmu"],
        play=speech_wav(8000),
        media={"music_on_hold": "off"},
        account=parley_account("mandatory"),
    )
    far = rig.baresip(
        codec="pcmu", record_wav=heard, record_rate=8000, auto_answer=True,
        mediaenc="srtp-mand", sip_trace=True,
    )  # fmt: skip
    parley.send(f"dial {rig.uri('1002')}")
    up = parley.wait_for(call_event("connected"), timeout=30)
    assert up["media_encryption"] == "srtp", up
    far.wait_call_state("CALL_ESTABLISHED", timeout=30)
    assert far.wait_audio(20)
    time.sleep(2.0)
    mark = far.mark()
    parley.send("hold")
    parley.wait_for(call_event("held"), timeout=20)
    far.wait_call_state("CALL_REMOTE_SDP", timeout=20, since=mark)
    time.sleep(4.0)
    mark = far.mark()
    parley.send("resume")
    resumed = parley.wait_for(call_event("connected"), timeout=20)
    assert resumed["media_encryption"] == "srtp", resumed
    far.wait_call_state("CALL_REMOTE_SDP", timeout=20, since=mark)
    time.sleep(3.0)
    parley.send("hangup")
    far.wait_call_state("CALL_CLOSED", timeout=30)
    far.stop()

    samples, rate = read_wav(heard)
    levels = rms_windows(samples, rate, 0.25)
    assert levels[:8].max() > 500, "no speech before the hold"
    assert longest_silence(samples, rate) >= 2.5, "audio did not stop while on hold"
    assert levels[-8:].max() > 500, "speech did not come back after the resume"
    # Parley's three offers as baresip received them: one key throughout.
    trace = far.log_text()
    offers: list[str] = []  # the tag-1 key of each INVITE, in order
    in_invite = False
    for line in trace.splitlines():
        if line.startswith(("INVITE ", "SIP/2.0 ", "ACK ", "BYE ")):
            in_invite = line.startswith("INVITE ")
        elif in_invite and line.startswith("a=crypto:1 "):
            offers.append(line.split("inline:")[1].split()[0])
            in_invite = False
    assert len(offers) >= 3, offers
    assert len(set(offers)) == 1, offers
