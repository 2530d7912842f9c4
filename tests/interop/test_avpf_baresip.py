"""RTP/AVPF offers from Parley to baresip 1.0 (issue #11, section 5: "RTCP Feedback").

baresip 1.0 never offers RTP/AVPF for audio (no account parameter for it; only its
``dtls_srtp`` module offers UDP/TLS/RTP/SAVPF), and what it answers depends on its
modules: with the ``srtp`` module loaded (``mediaenc=srtp``, best-effort SDES) it takes
RTP/AVP, RTP/AVPF, RTP/SAVP and RTP/SAVPF offers and answers with the offered profile;
without it an RTP/AVPF offer gets 488. Both are shown here from baresip's own SIP trace:
an AVPF call with speech both ways, and the 488, after which Parley places the same call
again with RTP/AVP (`parley.phone.avpf_fallback`): speech both ways, hold stays plain.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_calls_baresip import PESQ_MARGIN, Rig, _score, call_event, recordings, speech_seconds

from audio_tools import TALKER_PEAKS, codec_ceiling, speech_wav
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


@pytest.fixture
def rig(kamailio: Kamailio, tmp_path: Path) -> Iterator[Rig]:
    """Kamailio, Parley (1001) and baresip (1002), as in the baresip call tests."""
    r = Rig(kamailio, tmp_path)
    try:
        yield r
    finally:
        r.close()


def sip_sdp_lines(trace: str, pattern: str) -> list[str]:
    return [line.strip() for line in re.findall(pattern, trace, re.MULTILINE)]


def test_avpf_offer_answered_avpf_by_baresip_with_srtp_module(rig: Rig, tmp_path: Path) -> None:
    peak = TALKER_PEAKS["normal"]
    speech = speech_wav(8000, peak)
    record_dir = tmp_path / "parley-heard"
    heard_by_baresip = tmp_path / "heard-by-baresip.wav"
    parley = rig.parley(
        codecs=["pcmu"], play=speech, record_dir=record_dir, account={"rtcp_feedback": True}
    )
    far = rig.baresip(
        codec="pcmu",
        play_wav=speech,
        record_wav=heard_by_baresip,
        record_rate=8000,
        auto_answer=True,
        sip_trace=True,
        mediaenc="srtp",
    )
    parley.send(f"dial {rig.uri('1002')}")
    connected = parley.wait_for(call_event("connected"), timeout=30)
    assert connected["media_encryption"] == "none", connected  # plain RTP: no keys offered
    far.wait_call_state("CALL_ESTABLISHED", timeout=30)
    assert far.wait_audio(20), "baresip heard nothing"
    time.sleep(2 * speech_seconds() + 1.0)
    parley.send("hangup")
    parley.wait_for(call_event("ended"), timeout=30)
    far.wait_call_state("CALL_CLOSED", timeout=30)
    trace = far.log_text()
    far.stop()
    assert parley.quit() == 0

    mlines = sip_sdp_lines(trace, r"^m=audio .*$")
    print(f"m-lines in baresip's trace: {mlines}")
    # The INVITE baresip received and its 200: both RTP/AVPF, our trr-int in the offer.
    assert len(mlines) >= 2 and all(" RTP/AVPF " in m for m in mlines), mlines
    assert "a=rtcp-fb:* trr-int 5000" in trace
    ceiling = codec_ceiling("pcmu", peak)
    files = recordings(record_dir)
    assert len(files) == 1, files
    to_baresip = _score("pcmu", "parley->baresip (avpf)", heard_by_baresip, peak)
    to_parley = _score("pcmu", "baresip->parley (avpf)", files[0], peak)
    assert to_baresip >= ceiling - PESQ_MARGIN, (to_baresip, ceiling)
    assert to_parley >= ceiling - PESQ_MARGIN, (to_parley, ceiling)


def test_avpf_offer_refused_by_plain_baresip_is_placed_again_with_avp(
    rig: Rig, tmp_path: Path
) -> None:
    """488 to the RTP/AVPF offer: the same call (same id) goes out again with RTP/AVP,
    connects with speech both ways, and its hold re-offer stays RTP/AVP."""
    peak = TALKER_PEAKS["normal"]
    speech = speech_wav(8000, peak)
    record_dir = tmp_path / "parley-heard"
    heard_by_baresip = tmp_path / "heard-by-baresip.wav"
    parley = rig.parley(
        codecs=["pcmu"], play=speech, record_dir=record_dir, account={"rtcp_feedback": True}
    )
    far = rig.baresip(
        codec="pcmu",
        play_wav=speech,
        record_wav=heard_by_baresip,
        record_rate=8000,
        auto_answer=True,
        sip_trace=True,
    )
    parley.send(f"dial {rig.uri('1002')}")
    dialing = parley.wait_for(call_event("dialing"), timeout=30)
    connected = parley.wait_for(call_event("connected"), timeout=30)
    assert connected["call"] == dialing["call"], (dialing, connected)
    assert connected["note"] is None, connected  # not a redirect: the same call
    assert not [e for e in parley.events if e.get("state") == "ended"], parley.events
    far.wait_call_state("CALL_ESTABLISHED", timeout=30)
    assert far.wait_audio(20), "baresip heard nothing"
    time.sleep(2 * speech_seconds() + 1.0)
    mark = far.mark()
    parley.send("hold")
    held = parley.wait_for(call_event("held"), timeout=20)
    assert held["held"] == "us", held
    far.wait_call_state("CALL_REMOTE_SDP", timeout=20, since=mark)
    parley.send("hangup")
    parley.wait_for(call_event("ended"), timeout=30)
    far.wait_call_state("CALL_CLOSED", timeout=30)
    trace = far.log_text()
    far.stop()
    assert parley.quit() == 0

    mlines = sip_sdp_lines(trace, r"^m=audio .*$")
    print(f"m-lines in baresip's trace: {mlines}")
    assert " RTP/AVPF " in mlines[0], mlines  # our first offer
    assert "SIP/2.0 488 Not Acceptable Here" in trace
    assert all(" RTP/AVP " in m for m in mlines[1:]), mlines  # again, the answer, the hold
    assert len(mlines) >= 4, mlines
    assert "a=sendonly" in trace
    ceiling = codec_ceiling("pcmu", peak)
    files = recordings(record_dir)
    assert len(files) == 1, files
    to_baresip = _score("pcmu", "parley->baresip (avpf refused)", heard_by_baresip, peak)
    to_parley = _score("pcmu", "baresip->parley (avpf refused)", files[0], peak)
    assert to_baresip >= ceiling - PESQ_MARGIN, (to_baresip, ceiling)
    assert to_parley >= ceiling - PESQ_MARGIN, (to_parley, ceiling)


def test_plain_call_from_baresip_stays_plain_on_hold_and_resume(rig: Rig) -> None:
    """baresip offers RTP/AVP to a Parley with RTCP feedback on: answered RTP/AVP, and
    Parley's hold and resume re-offers keep RTP/AVP (the setting is for new offers only),
    which baresip without AVPF accepts."""
    parley = rig.parley(
        codecs=["pcmu"], play=speech_wav(8000), auto_answer=True, account={"rtcp_feedback": True}
    )
    far = rig.baresip(codec="pcmu", sip_trace=True)
    far.dial(rig.uri("1001"))
    parley.wait_for(call_event("connected"), timeout=30)
    far.wait_call_state("CALL_ESTABLISHED", timeout=30)
    mark = far.mark()
    parley.send("hold")
    held = parley.wait_for(call_event("held"), timeout=20)
    assert held["held"] == "us", held
    far.wait_call_state("CALL_REMOTE_SDP", timeout=20, since=mark)
    mark = far.mark()
    parley.send("resume")  # a fresh re-offer (hold only copies the last SDP)
    resumed = parley.wait_for(call_event("connected"), timeout=20)
    assert resumed["held"] is None, resumed
    far.wait_call_state("CALL_REMOTE_SDP", timeout=20, since=mark)
    parley.send("hangup")
    parley.wait_for(call_event("ended"), timeout=30)
    trace = far.log_text()
    far.stop()
    assert parley.quit() == 0
    mlines = sip_sdp_lines(trace, r"^m=audio .*$")
    print(f"m-lines in baresip's trace: {mlines}")
    assert len(mlines) >= 5 and all(" RTP/AVP " in m for m in mlines), mlines
    assert "a=sendonly" in trace
    assert "488 Not Acceptable Here" not in trace
