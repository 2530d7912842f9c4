"""Calls between Parley (the real console process) and baresip, through a real Kamailio.

Each test starts Kamailio (fixture), one Parley console registered as 1001 and one
baresip registered as 1002, then places a call one way or the other and checks what
both phones say and hear:

- audio both ways for each codec (PCMU, PCMA, G.722, Opus): espeak speech played by
  one side, recorded by the other, scored with PESQ against the original and held to
  within 0.1 of the codec's offline ceiling (``audio_tools.codec_ceiling``); PCMU and
  PCMA also with a quiet talker (peaks near -20 dBFS), and the G.711 audio Parley
  received checked block by block against a reference decoder (``g711_fidelity``);
- hold and resume from either side; DTMF in each of Parley's send modes and from
  baresip; CANCEL, reject and busy.

Everything runs on 127.0.0.1; the waits are generous (a loaded 2-core machine) and
nothing asserts on wall-clock durations.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest
from parley_console import Event, ParleyConsole, write_config

from audio_tools import (
    CODEC_SETUP,
    TALKER_PEAKS,
    codec_ceiling,
    g711_fidelity,
    pesq_score,
    read_wav,
    rms_windows,
    speech_wav,
)
from peers.baresip import Baresip
from peers.common import free_port, wait_until
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

PASSWORDS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}

# The bar: a call scores within 0.1 of what the codec alone allows.
PESQ_MARGIN = 0.1

# Settings key -> baresip's exact codec name.
BARESIP_CODECS = {
    "pcmu": "PCMU/8000/1",
    "pcma": "PCMA/8000/1",
    "g722": "G722/16000/1",
    "opus": "opus/48000/2",
}

G711_LAWS: dict[str, Literal["alaw", "ulaw"]] = {"pcma": "alaw", "pcmu": "ulaw"}

# Scores measured by the audio tests, printed at the end of the session (-s / -rA).
MEASURED: list[tuple[str, str, float, float]] = []


def speech_seconds(rate: int = 8000) -> float:
    samples, r = read_wav(speech_wav(rate))
    return samples.size / r


# --- the two phones ------------------------------------------------------------------


class Rig:
    """Kamailio + one Parley console (1001) + one baresip (1002) for one test."""

    def __init__(self, kam: Kamailio, tmp_path: Path) -> None:
        self.kam = kam
        self.tmp = tmp_path
        self.registrar = f"{kam.host}:{kam.udp_port}"
        self.consoles: list[ParleyConsole] = []
        self.baresips: list[Baresip] = []

    def parley(
        self,
        *,
        codecs: list[str] | None = None,
        play: Path | None = None,
        record_dir: Path | None = None,
        auto_answer: bool = False,
        user: str = "1001",
        account: dict[str, Any] | None = None,
        **top: Any,
    ) -> ParleyConsole:
        data: dict[str, Any] = {
            "name": "office",
            "domain": self.registrar,
            "username": user,
            "password": PASSWORDS[user],
            "transport": "udp",
        }
        if codecs is not None:
            data["codecs"] = codecs
        data.update(account or {})
        config = write_config(self.tmp / f"parley-{len(self.consoles)}.toml", [data], **top)
        extra: list[str] = []
        if play is not None:
            extra += ["--play", str(play)]
        if record_dir is not None:
            extra += ["--record-dir", str(record_dir)]
        if auto_answer:
            extra.append("--auto-answer")
        log_dir = self.tmp / f"parley-{len(self.consoles)}"
        log_dir.mkdir(exist_ok=True)
        console = ParleyConsole(config, log_dir=log_dir, extra=extra)
        self.consoles.append(console)
        console.wait_state("registered", timeout=30)
        return console

    def baresip(self, *, user: str = "1002", codec: str = "pcmu", **kw: Any) -> Baresip:
        phone = Baresip(
            self.tmp / f"baresip-{user}-{len(self.baresips)}",
            sip_port=free_port("both"),
            user=user,
            password=PASSWORDS[user],
            registrar=self.registrar,
            codecs=[BARESIP_CODECS[codec]],
            **kw,
        )
        self.baresips.append(phone)
        phone.start(timeout=30)
        return phone

    def uri(self, user: str) -> str:
        return f"sip:{user}@{self.registrar}"

    def close(self) -> None:
        for console in self.consoles:
            if console.proc.poll() is None:
                try:
                    console.quit(timeout=15)
                except Exception:
                    pass
            console.stop()
        for phone in self.baresips:
            phone.stop()


@pytest.fixture
def rig(kamailio: Kamailio, tmp_path: Path) -> Iterator[Rig]:
    r = Rig(kamailio, tmp_path)
    try:
        yield r
    finally:
        r.close()


def call_event(state: str, **match: Any) -> Callable[[Event], bool]:
    def predicate(e: Event) -> bool:
        if e.get("event") != "call" or e.get("state") != state:
            return False
        return all(e.get(k) == v for k, v in match.items())

    return predicate


def recordings(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.wav"))


# --- audio, per codec, both call directions ---------------------------------------------


def _score(codec: str, direction: str, degraded: Path, peak_dbfs: float) -> float:
    rate, mode = CODEC_SETUP[codec]
    score = pesq_score(speech_wav(rate, peak_dbfs), degraded, mode)
    ceiling = codec_ceiling(codec, peak_dbfs)
    MEASURED.append((codec, direction, score, ceiling))
    print(f"PESQ {codec} {direction}: {score:.2f} (ceiling {ceiling:.2f})")
    return score


# Every codec with a normal talker; G.711 also with a quiet one (peaks near -20 dBFS),
# where its small-signal steps (A-law's coarser ones above all) decide the score.
AUDIO_CASES = [
    *((codec, "normal") for codec in ("pcmu", "pcma", "g722", "opus")),
    ("pcmu", "quiet"),
    ("pcma", "quiet"),
]


@pytest.mark.parametrize(("codec", "talker"), AUDIO_CASES)
@pytest.mark.parametrize("caller", ["parley", "baresip"])
def test_call_audio_both_ways(
    rig: Rig, tmp_path: Path, codec: str, talker: str, caller: str
) -> None:
    ceiling = codec_ceiling(codec, TALKER_PEAKS[talker])
    for attempt in (1, 2):
        to_baresip, to_parley, fidelity = _audio_call(
            rig, tmp_path / f"call-{attempt}", codec, talker, caller
        )
        if min(to_baresip, to_parley) >= ceiling - PESQ_MARGIN:
            break
        # One late or concealed packet on a loaded 2-core machine costs 0.1-0.3 PESQ in
        # one call (G.711: fidelity just under 1 shows it); a codec or path fault shows in
        # every call. So a second call is placed, and it must reach the ceiling itself.
        print(
            f"call {attempt} below the ceiling ({to_baresip:.2f}/{to_parley:.2f} vs "
            f"{ceiling:.2f}, fidelity {fidelity}); placing the call again"
        )
    assert to_baresip >= ceiling - PESQ_MARGIN, (to_baresip, ceiling)
    assert to_parley >= ceiling - PESQ_MARGIN, (to_parley, ceiling, fidelity)


def _audio_call(
    rig: Rig, work: Path, codec: str, talker: str, caller: str
) -> tuple[float, float, float | None]:
    """One call with speech both ways: the PESQ of what baresip and what Parley heard,
    and (G.711) the block fidelity of what Parley heard."""
    rate, _ = CODEC_SETUP[codec]
    peak = TALKER_PEAKS[talker]
    speech = speech_wav(rate, peak)
    work.mkdir(parents=True, exist_ok=True)
    record_dir = work / "parley-heard"
    heard_by_baresip = work / "heard-by-baresip.wav"
    parley = rig.parley(
        codecs=[codec],
        play=speech,
        record_dir=record_dir,
        auto_answer=caller == "baresip",
    )
    far = rig.baresip(
        codec=codec,
        play_wav=speech,
        record_wav=heard_by_baresip,
        record_rate=rate,
        auto_answer=caller == "parley",
    )
    if caller == "parley":
        parley.send(f"dial {rig.uri('1002')}")
    else:
        far.dial(rig.uri("1001"))
    connected = parley.wait_for(call_event("connected"), timeout=30)
    assert connected["codec"] and connected["codec"].lower().startswith(codec), connected
    far.wait_call_state("CALL_ESTABLISHED", timeout=30)
    assert far.wait_audio(20), "baresip heard nothing"
    # Parley's --play loops the speech: two lengths hold one whole copy wherever it starts.
    time.sleep(2 * speech_seconds(rate) + 1.0)
    parley.send("hangup")
    parley.wait_for(call_event("ended"), timeout=30)
    far.wait_call_state("CALL_CLOSED", timeout=30)
    far.stop()
    assert parley.quit() == 0

    files = recordings(record_dir)
    assert len(files) == 1, files
    to_baresip = _score(
        codec, f"parley->baresip ({caller} calls, {talker})", heard_by_baresip, peak
    )
    to_parley = _score(codec, f"baresip->parley ({caller} calls, {talker})", files[0], peak)
    fidelity = None
    if codec in G711_LAWS:
        # Beyond the score: what Parley received is what G.711 makes of baresip's
        # speech, block for block (no wrong table or bit, no gain, no smoothing).
        sent, _ = read_wav(speech)
        heard, _ = read_wav(files[0])
        fidelity = g711_fidelity(sent, heard, G711_LAWS[codec])
        print(f"G.711 fidelity {codec} baresip->parley ({caller} calls, {talker}): {fidelity:.3f}")
        assert fidelity >= 0.97, fidelity
    return to_baresip, to_parley, fidelity


# --- hold and resume ------------------------------------------------------------------


def longest_silence(samples: np.ndarray, rate: int, window: float = 0.1) -> float:
    """Seconds of the longest run of near-silent windows."""
    levels = rms_windows(samples, rate, window)
    best = run = 0
    for quiet in levels < 50:
        run = run + 1 if quiet else 0
        best = max(best, run)
    return best * window


def test_parley_holds_and_resumes(rig: Rig, tmp_path: Path) -> None:
    """Parley holds (music on hold off): a=sendonly goes out, baresip hears silence;
    resume brings speech back."""
    heard = tmp_path / "heard-by-baresip.wav"
    parley = rig.parley(codecs=["pcmu"], play=speech_wav(8000), media={"music_on_hold": "off"})
    far = rig.baresip(
        codec="pcmu", record_wav=heard, record_rate=8000, auto_answer=True, sip_trace=True
    )
    parley.send(f"dial {rig.uri('1002')}")
    parley.wait_for(call_event("connected"), timeout=30)
    far.wait_call_state("CALL_ESTABLISHED", timeout=30)
    assert far.wait_audio(20)
    time.sleep(2.0)

    mark = far.mark()
    parley.send("hold")
    held = parley.wait_for(call_event("held"), timeout=20)
    assert held["held"] == "us", held
    far.wait_call_state("CALL_REMOTE_SDP", timeout=20, since=mark)
    time.sleep(4.0)  # longer than any pause in the looped speech (at most 1 s)

    mark = far.mark()
    parley.send("resume")
    parley.wait_for(call_event("connected"), timeout=20)
    far.wait_call_state("CALL_REMOTE_SDP", timeout=20, since=mark)
    time.sleep(3.0)
    parley.send("hangup")
    far.wait_call_state("CALL_CLOSED", timeout=30)
    far.stop()

    # What went over the wire: the hold offer said sendonly, the resume sendrecv again.
    trace = far.log_text()
    assert "a=sendonly" in trace, "no a=sendonly hold offer reached baresip"
    samples, rate = read_wav(heard)
    levels = rms_windows(samples, rate, 0.25)
    assert levels[:8].max() > 500, "no speech before the hold"
    assert longest_silence(samples, rate) >= 2.5, "audio did not stop while on hold"
    assert levels[-8:].max() > 500, "speech did not come back after resume"


def test_baresip_holds_and_resumes(rig: Rig) -> None:
    """baresip holds Parley: Parley says "held" by "them", then "connected" again."""
    parley = rig.parley(codecs=["pcmu"], auto_answer=True, play=speech_wav(8000))
    far = rig.baresip(codec="pcmu", play_wav=speech_wav(8000))
    far.dial(rig.uri("1001"))
    parley.wait_for(call_event("connected"), timeout=30)
    far.wait_call_state("CALL_ESTABLISHED", timeout=30)
    time.sleep(1.0)

    far.hold()
    held = parley.wait_for(call_event("held"), timeout=20)
    assert held["held"] == "them", held
    assert "held" in held["text"].lower(), held
    time.sleep(1.0)
    far.resume()
    resumed = parley.wait_for(call_event("connected"), timeout=20)
    assert resumed["held"] is None, resumed
    far.hangup()
    parley.wait_for(call_event("ended"), timeout=30)


# --- DTMF -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["rfc4733", "info"])
def test_parley_sends_dtmf(rig: Rig, mode: str) -> None:
    parley = rig.parley(codecs=["pcmu"], account={"dtmf_mode": mode})
    far = rig.baresip(codec="pcmu", auto_answer=True, sip_trace=True)
    parley.send(f"dial {rig.uri('1002')}")
    parley.wait_for(call_event("connected"), timeout=30)
    far.wait_call_state("CALL_ESTABLISHED", timeout=30)
    time.sleep(0.5)
    parley.send("dtmf 123#")
    received = far.wait_event(
        lambda e: e.get("type") == "CALL_DTMF_END" and far.dtmf_received() == "123#", 20
    )
    assert received, f"baresip received {far.dtmf_received()!r}"
    trace = far.log_text()
    if mode == "info":
        assert "INFO sip:" in trace and "application/dtmf-relay" in trace
    else:
        assert "application/dtmf-relay" not in trace
    parley.send("hangup")
    far.wait_call_state("CALL_CLOSED", timeout=30)


def test_parley_sends_inband_dtmf(rig: Rig, tmp_path: Path) -> None:
    from parley.media.dtmf import InbandDetector

    heard = tmp_path / "heard-by-baresip.wav"
    parley = rig.parley(codecs=["pcmu"], account={"dtmf_mode": "inband"})
    far = rig.baresip(codec="pcmu", auto_answer=True, record_wav=heard, record_rate=8000)
    parley.send(f"dial {rig.uri('1002')}")
    parley.wait_for(call_event("connected"), timeout=30)
    far.wait_call_state("CALL_ESTABLISHED", timeout=30)
    assert far.wait_audio(20)
    time.sleep(0.5)
    parley.send("dtmf 123#")
    time.sleep(2.0)
    parley.send("hangup")
    far.wait_call_state("CALL_CLOSED", timeout=30)
    far.stop()

    samples, rate = read_wav(heard)
    detector = InbandDetector(rate)
    digits = "".join(detector.feed(samples))
    assert digits == "123#", digits
    assert far.dtmf_received() == "", "in-band mode must not send RTP events"


def test_parley_receives_dtmf(rig: Rig) -> None:
    parley = rig.parley(codecs=["pcmu"], auto_answer=True)
    far = rig.baresip(codec="pcmu")
    far.dial(rig.uri("1001"))
    parley.wait_for(call_event("connected"), timeout=30)
    far.wait_call_state("CALL_ESTABLISHED", timeout=30)
    time.sleep(0.5)
    far.send_dtmf("456*")
    digits = ""
    for _ in range(4):
        event = parley.wait_for(lambda e: e.get("event") == "dtmf", timeout=20)
        assert event["via"] == "rfc4733", event
        digits += event["digit"]
    assert digits == "456*"
    far.hangup()
    parley.wait_for(call_event("ended"), timeout=30)
    # Each key once: no duplicates from the three end packets of RFC 4733.
    time.sleep(0.5)
    parley.quit()
    assert [e["digit"] for e in parley.events if e.get("event") == "dtmf"] == list("456*")


# --- cancel, reject, busy ---------------------------------------------------------------


def test_parley_cancels_while_ringing(rig: Rig) -> None:
    parley = rig.parley(codecs=["pcmu"])
    far = rig.baresip(codec="pcmu", auto_answer=False)
    parley.send(f"dial {rig.uri('1002')}")
    far.wait_call_state("CALL_INCOMING", timeout=30)
    parley.wait_for(call_event("ringing"), timeout=30)
    mark = far.mark()
    parley.send("hangup")
    ended = parley.wait_for(call_event("ended"), timeout=30)
    # The call ends for the user at once; the 487 that closes the INVITE may follow.
    assert ended["status"] in (None, 487), ended
    assert "cancel" in ended["text"].lower(), ended
    far.wait_call_state("CALL_CLOSED", timeout=30, since=mark)
    trace = parley.stderr_path
    assert wait_until(lambda: "SIP/2.0 487" in trace.read_text(errors="replace"), timeout=20)
    assert "CANCEL sip:" in trace.read_text(errors="replace")


@pytest.mark.parametrize(("reject_with", "status"), [("busy", 486), ("decline", 603)])
def test_parley_rejects(rig: Rig, reject_with: str, status: int) -> None:
    parley = rig.parley(codecs=["pcmu"], functions={"reject_with": reject_with})
    far = rig.baresip(codec="pcmu")
    far.dial(rig.uri("1001"))
    parley.wait_for(call_event("incoming"), timeout=30)
    parley.send("reject")
    closed = far.wait_call_state("CALL_CLOSED", timeout=30)
    assert str(status) in str(closed.get("param", "")), closed
    ended = parley.wait_for(call_event("ended"), timeout=30)
    assert ended["status"] == status, ended


def test_busy_when_call_waiting_is_off(rig: Rig) -> None:
    parley = rig.parley(codecs=["pcmu"], auto_answer=True, media={"call_waiting": False})
    first = rig.baresip(user="1002", codec="pcmu")
    second = rig.baresip(user="1003", codec="pcmu")
    first.dial(rig.uri("1001"))
    parley.wait_for(call_event("connected"), timeout=30)
    first.wait_call_state("CALL_ESTABLISHED", timeout=30)
    second.dial(rig.uri("1001"))
    closed = second.wait_call_state("CALL_CLOSED", timeout=30)
    assert "486" in str(closed.get("param", "")), closed
    # The first call goes on undisturbed.
    time.sleep(0.5)
    assert first.wait_event(lambda e: e.get("type") == "CALL_CLOSED", 0.1) is None
    first.hangup()
    parley.wait_for(call_event("ended", direction="incoming"), timeout=30)
