"""What real PBXs do to a call, played by SIPp against the real console.

Parley registers at a Kamailio (so it has a server, as at a PBX) and talks to SIPp
directly: SIPp calls Parley's SIP port (``[functions] allow_direct_calls``) or Parley
dials ``sip:callee@127.0.0.1:SIPP_PORT``. Every scenario checks what Parley sends with
``check_it`` regexps, so a wrong message fails SIPp (exit code 1) and the test.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from parley_console import Event, ParleyConsole, write_config

from audio_tools import read_wav
from peers.common import free_port
from peers.kamailio import Kamailio
from peers.sipp import SCENARIOS, Sipp

pytestmark = pytest.mark.interop


def is_call(state: str, **fields: Any) -> Callable[[Event], bool]:
    def match(e: Event) -> bool:
        return (
            e.get("event") == "call"
            and e.get("state") == state
            and all(e.get(k) == v for k, v in fields.items())
        )

    return match


@dataclass
class Rig:
    """Kamailio, one Parley console and the SIPp peers of one test."""

    kamailio: Kamailio
    tmp_path: Path
    sipps: list[Sipp] = field(default_factory=list)
    consoles: list[ParleyConsole] = field(default_factory=list)
    sip_port: int = 0

    def parley(
        self,
        *extra: str,
        account: dict[str, Any] | None = None,
        media: dict[str, Any] | None = None,
        functions: dict[str, Any] | None = None,
    ) -> ParleyConsole:
        """A registered console that accepts direct calls on `self.sip_port`."""
        self.sip_port = free_port("udp")
        data: dict[str, Any] = {
            "name": "office",
            "domain": f"127.0.0.1:{self.kamailio.udp_port}",
            "username": "1001",
            "password": "pass1001",
            "transport": "udp",
            "local_port": self.sip_port,
            **(account or {}),
        }
        config = write_config(
            self.tmp_path / "settings.toml",
            [data],
            functions={"allow_direct_calls": True, **(functions or {})},
            media=media or {},
        )
        console = ParleyConsole(config, log_dir=self.tmp_path, extra=list(extra))
        self.consoles.append(console)
        console.wait_state("registered")
        return console

    def sipp(self, scenario: str, *, calls_parley: bool, **keys: str) -> Sipp:
        """SIPp running `scenario`: a caller towards Parley, or a callee Parley dials."""
        sipp = Sipp(
            SCENARIOS / scenario,
            local_port=free_port("udp"),
            media_port=free_port("udp"),
            remote=f"127.0.0.1:{self.sip_port}" if calls_parley else None,
            keys=keys,
            extra_args=["-s", "1001"] if calls_parley else [],
            workdir=self.tmp_path,
        )
        self.sipps.append(sipp)
        return sipp.start()


@pytest.fixture
def rig(kamailio: Kamailio, tmp_path: Path) -> Iterator[Rig]:
    r = Rig(kamailio, tmp_path)
    yield r
    for console in r.consoles:
        console.stop()
    for sipp in r.sipps:
        sipp.stop()


def stats(console: ParleyConsole, timeout: float = 10.0) -> dict[str, Any]:
    """The `stats` command's answer for the current call."""
    console.send("stats")
    reply = console.wait_for(
        lambda e: e.get("event") == "reply" and str(e.get("text", "")).startswith("{"), timeout
    )
    data: dict[str, Any] = json.loads(reply["text"])
    return data


def poll_stats(
    console: ParleyConsole, condition: Callable[[dict[str, Any]], bool], timeout: float = 10.0
) -> dict[str, Any]:
    """Ask for `stats` until `condition` holds; the last answer either way."""
    deadline = time.monotonic() + timeout
    while True:
        data = stats(console)
        if condition(data) or time.monotonic() > deadline:
            return data
        time.sleep(0.2)


def finish(sipp: Sipp, timeout: float = 30.0) -> None:
    """SIPp ran its scenario to the end with every check passing."""
    code = sipp.wait(timeout=timeout)
    assert code == 0, f"SIPp exit {code}\n{sipp.errors()}\n{sipp.messages()[-6000:]}"


# ---------------------------------------------------------------- the far end calls Parley


def test_reinvite_switches_codec_pcma_to_pcmu(rig: Rig) -> None:
    c = rig.parley("--auto-answer")
    sipp = rig.sipp("call_reinvite_codec.xml", calls_parley=True)
    connected = c.wait_for(is_call("connected"))
    assert connected["codec"] == "PCMA/8000", connected  # the event names the codec
    before = poll_stats(c, lambda s: s.get("packets_received", 0) > 0)
    assert before["codec"] == "PCMA/8000", before
    assert before["packets_received"] > 0, before
    # SIPp's re-INVITE offers PCMU only; its check_it regexps verify our 200 says PCMU.
    after = poll_stats(c, lambda s: s.get("codec") == "PCMU/8000")
    assert after["codec"] == "PCMU/8000", after
    assert after["state"] == "connected"
    # The switch is reported as an event too, not only visible in the statistics.
    c.wait_for(lambda e: e.get("event") == "call" and e.get("codec") == "PCMU/8000")
    c.send("hangup")
    c.wait_for(is_call("ended"))
    finish(sipp)
    assert c.quit() == 0


def test_hold_with_null_address_then_resume(rig: Rig) -> None:
    c = rig.parley("--auto-answer")
    sipp = rig.sipp("call_hold_c0.xml", calls_parley=True)
    c.wait_for(is_call("connected"))
    held = c.wait_for(is_call("held"))
    assert held["held"] == "them", held
    assert "other side" in held["text"].lower(), held
    resumed = c.wait_for(is_call("connected", held=None))
    assert resumed["status"] is None or resumed["status"] == 200
    c.send("calls")
    listing = c.wait_for(lambda e: e.get("event") == "reply" and "call " in e.get("text", ""))
    assert "held" not in listing["text"], listing
    c.send("hangup")
    c.wait_for(is_call("ended"))
    finish(sipp)
    assert c.quit() == 0


def test_late_offer_parley_offers_in_200_and_takes_answer_from_ack(rig: Rig) -> None:
    c = rig.parley("--auto-answer")
    sipp = rig.sipp("call_late_offer.xml", calls_parley=True)
    c.wait_for(is_call("connected"))
    # The answer in the ACK picks PCMA; SIPp then plays A-law from its pcap.
    data = poll_stats(c, lambda s: s.get("packets_received", 0) > 0 and s.get("codec") != "")
    assert data["codec"] == "PCMA/8000", data
    assert data["packets_received"] > 0, data
    c.send("hangup")
    ended = c.wait_for(is_call("ended"))
    assert ended["status"] != 488, ended  # not "no answer in ACK"
    finish(sipp)
    assert c.quit() == 0


# ---------------------------------------------------------------- Parley calls the far end


def dial(c: ParleyConsole, sipp: Sipp, user: str = "callee") -> None:
    c.send(f"dial sip:{user}@127.0.0.1:{sipp.local_port}")


def test_reinvite_glare_491_then_retry_succeeds(rig: Rig) -> None:
    c = rig.parley()
    sipp = rig.sipp("call_glare.xml", calls_parley=False)
    dial(c, sipp)
    c.wait_for(is_call("connected"))
    c.send("hold")
    held = c.wait_for(is_call("held"))
    assert held["held"] == "us", held
    # SIPp refuses the first hold with 491, sees our 491 to its own re-INVITE, then
    # accepts the retry and hangs up; a retry that never comes fails its scenario.
    ended = c.wait_for(is_call("ended"), timeout=30)
    assert ended["direction"] == "outgoing"
    finish(sipp)
    invites = sipp.received_count("INVITE")
    assert invites == 3, f"initial INVITE, hold, one retry; got {invites}"
    assert c.quit() == 0


def test_183_early_media_is_received_before_the_answer(rig: Rig) -> None:
    c = rig.parley()
    sipp = rig.sipp("call_early_media.xml", calls_parley=False)
    dial(c, sipp)
    early = c.wait_for(is_call("early media"))
    assert early["status"] == 183, early
    # SIPp answers 5 s after the 183: the audio must flow before that.
    data = poll_stats(c, lambda s: s.get("packets_received", 0) > 0, timeout=4)
    assert data["state"] == "early media", data
    assert data["packets_received"] > 0, data
    assert data["codec"] == "PCMA/8000", data
    c.wait_for(is_call("connected"), timeout=15)
    c.send("hangup")
    c.wait_for(is_call("ended"))
    finish(sipp)
    assert c.quit() == 0


def test_never_answered_call_is_cancelled(rig: Rig) -> None:
    c = rig.parley()
    sipp = rig.sipp("call_no_answer.xml", calls_parley=False)
    dial(c, sipp)
    ringing = c.wait_for(is_call("ringing"))
    assert ringing["status"] == 180
    c.send("hangup")
    ended = c.wait_for(is_call("ended"))
    # Ended at once when we hang up ("Cancelled"), or by the 487 that follows.
    assert ended["status"] in (None, 487), ended
    assert any(w in ended["text"].lower() for w in ("cancel", "terminated")), ended
    finish(sipp)  # the CANCEL, the 487 and its ACK were checked by SIPp
    assert c.quit() == 0


def tone_share(samples: np.ndarray, rate: int, low: float = 400.0, high: float = 450.0) -> float:
    """The share of the signal's energy (above 60 Hz) between `low` and `high` Hz."""
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1.0 / rate)
    audible = spectrum[freqs > 60].sum()
    band = spectrum[(freqs >= low) & (freqs <= high)].sum()
    return float(band / audible) if audible > 0 else 0.0


@pytest.mark.parametrize("mute", [False, True], ids=["played", "muted"])
def test_early_media_played_or_replaced_by_local_ringback(rig: Rig, mute: bool) -> None:
    """What reaches the speaker while a 183 announcement plays: the announcement
    itself, or with [media] early_media_mute our own ringback (425 Hz, Europe)."""
    speaker = rig.tmp_path / "speaker.wav"
    c = rig.parley(
        "--devices",
        media={
            "input_device": "null",
            "output_device": f"file:{speaker}",
            "early_media_mute": mute,
            "tone_region": "europe",
        },
    )
    sipp = rig.sipp("call_early_media_cancel.xml", calls_parley=False)
    dial(c, sipp)
    c.wait_for(is_call("early media"))
    # About 2 s of the announcement (33 packets a second) reach the phone either way.
    data = poll_stats(c, lambda s: s.get("packets_received", 0) >= 60, timeout=8)
    assert data["packets_received"] >= 60, data
    c.send("hangup")
    c.wait_for(is_call("ended"))
    finish(sipp)
    assert c.quit() == 0
    samples, rate = read_wav(speaker)
    assert samples.size > rate, "the speaker recording is too short"
    assert float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) > 100, "silent speaker"
    share = tone_share(samples, rate)
    if mute:
        assert share > 0.5, f"expected local ringback on the speaker, 425 Hz share {share:.2f}"
    else:
        assert share < 0.2, f"expected the announcement, not a tone: 425 Hz share {share:.2f}"


def test_bye_right_after_200_is_acked_and_answered(rig: Rig) -> None:
    c = rig.parley()
    sipp = rig.sipp("call_bye_after_200.xml", calls_parley=False)
    dial(c, sipp)
    ended = c.wait_for(is_call("ended"))
    assert ended["direction"] == "outgoing"
    finish(sipp)  # SIPp saw the ACK and the 200 for its BYE, and nothing else
    assert c.proc.poll() is None
    assert c.quit() == 0


def test_100rel_callee_gets_its_prack(rig: Rig) -> None:
    c = rig.parley()
    sipp = rig.sipp("call_100rel.xml", calls_parley=False)
    dial(c, sipp)
    c.wait_for(is_call("ringing"))
    c.wait_for(is_call("connected"))
    c.send("hangup")
    c.wait_for(is_call("ended"))
    finish(sipp)
    assert sipp.received_count("PRACK") == 1  # one reliable 180, one PRACK
    assert c.quit() == 0


def test_session_timer_refreshed_by_parley_as_uac(rig: Rig) -> None:
    """Takes about 50 s: 90 s is the smallest interval RFC 4028 allows."""
    c = rig.parley()
    sipp = rig.sipp("call_session_timer.xml", calls_parley=False)
    dial(c, sipp)
    c.wait_for(is_call("connected"))
    ended = c.wait_for(is_call("ended"), timeout=70)
    assert ended["status"] != 408, ended  # not "Session expired"
    finish(sipp, timeout=30)
    assert sipp.received_count("UPDATE") + sipp.received_count("INVITE") >= 2
    assert c.quit() == 0


def test_bye_before_ack_ends_the_call_cleanly(rig: Rig) -> None:
    c = rig.parley("--auto-answer")
    sipp = rig.sipp("call_bye_before_ack.xml", calls_parley=True)
    c.wait_for(is_call("connected"))
    ended = c.wait_for(is_call("ended"))
    assert ended["direction"] == "incoming"
    finish(sipp)  # 200 for the BYE, then silence: no more 200s, no BYE from us
    assert c.quit() == 0


def test_offer_without_common_codec_gets_488(rig: Rig) -> None:
    c = rig.parley("--auto-answer")
    sipp = rig.sipp("call_g729_only.xml", calls_parley=True)
    ended = c.wait_for(is_call("ended"))
    assert ended["status"] == 488, ended
    # A sentence that names the problem ("No common codec").
    assert "codec" in ended["text"].lower(), ended
    finish(sipp)
    assert c.quit() == 0


def test_offer_without_common_codec_is_refused_without_ringing(rig: Rig) -> None:
    c = rig.parley()  # no auto-answer: nobody will take the call
    sipp = rig.sipp("call_g729_only.xml", calls_parley=True)
    try:
        ended = c.wait_for(is_call("ended"), timeout=8)
        assert ended["status"] == 488, ended
        assert not any(e.get("state") == "incoming" for e in c.events), c.events
        assert "180 Ringing" not in sipp.messages()
    finally:
        c.send("hangup")
        sipp.stop()


def test_malformed_sdp_is_refused_and_parley_lives_on(rig: Rig) -> None:
    c = rig.parley("--auto-answer")
    sipp = rig.sipp("call_bad_sdp.xml", calls_parley=True)
    finish(sipp)  # 400/488, then 200 to an OPTIONS
    assert c.proc.poll() is None
    assert not any(e.get("state") in ("connected", "incoming") for e in c.events), c.events
    assert c.quit() == 0


def test_ghost_call_from_a_stranger_is_refused(rig: Rig) -> None:
    """No ghost calls: with direct calls not allowed, an INVITE that does not come from
    the registrar (here SIPp on another port) gets 403 and never rings."""
    c = rig.parley(functions={"allow_direct_calls": False})
    sipp = rig.sipp("call_ghost.xml", calls_parley=True)
    finish(sipp)  # the scenario checks the 403
    assert not any(e.get("event") == "call" for e in c.events), c.events
    assert c.quit() == 0
