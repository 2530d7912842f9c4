"""Calls between Parley (the real console process) and linphonec, through a real Kamailio.

A second, independent far phone (Belledonne's stack, not libre/baresip): a PCMU call
each way with the speech scored by PESQ on both sides, and hold/resume from linphonec.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import Event, ParleyConsole, write_config

from audio_tools import codec_ceiling, pesq_score, read_wav, speech_wav
from peers.common import free_port
from peers.kamailio import Kamailio
from peers.linphone import CONNECTED, ENDED, MEDIA_UP, PAUSED, Linphone

pytestmark = pytest.mark.interop

PASSWORDS = {"1001": "pass1001", "1003": "pass1003"}
PESQ_MARGIN = 0.1  # the bar: within 0.1 of the codec's offline ceiling


def call_event(state: str) -> Callable[[Event], bool]:
    return lambda e: e.get("event") == "call" and e.get("state") == state


def speech_seconds() -> float:
    samples, rate = read_wav(speech_wav(8000))
    return samples.size / rate


class LinphoneRig:
    """Kamailio + Parley (1001) + linphonec (1003)."""

    def __init__(self, kam: Kamailio, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.registrar = f"{kam.host}:{kam.udp_port}"
        self.console: ParleyConsole | None = None
        self.phone: Linphone | None = None

    def parley(self, **extra_args: Any) -> ParleyConsole:
        account = {
            "name": "office",
            "domain": self.registrar,
            "username": "1001",
            "password": PASSWORDS["1001"],
            "transport": "udp",
            "codecs": ["pcmu"],
        }
        config = write_config(self.tmp / "parley.toml", [account])
        args: list[str] = []
        for key, value in extra_args.items():
            args.append("--" + key.replace("_", "-"))
            if value is not True:
                args.append(str(value))
        self.console = ParleyConsole(config, log_dir=self.tmp, extra=args)
        self.console.wait_state("registered", timeout=30)
        return self.console

    def linphone(self, **kw: Any) -> Linphone:
        self.phone = Linphone(
            self.tmp / "linphone-1003",
            sip_port=free_port("both"),
            user="1003",
            password=PASSWORDS["1003"],
            registrar=self.registrar,
            codecs=["PCMU"],
            **kw,
        )
        self.phone.start(timeout=30)
        return self.phone

    def uri(self, user: str) -> str:
        return f"sip:{user}@{self.registrar}"

    def close(self) -> None:
        if self.console is not None:
            if self.console.proc.poll() is None:
                try:
                    self.console.quit(timeout=15)
                except Exception:
                    pass
            self.console.stop()
        if self.phone is not None:
            self.phone.stop()


@pytest.fixture
def rig(kamailio: Kamailio, tmp_path: Path) -> Iterator[LinphoneRig]:
    r = LinphoneRig(kamailio, tmp_path)
    try:
        yield r
    finally:
        r.close()


@pytest.mark.parametrize("caller", ["parley", "linphonec"])
def test_pcmu_call_audio_both_ways(rig: LinphoneRig, tmp_path: Path, caller: str) -> None:
    speech = speech_wav(8000)
    record_dir = tmp_path / "parley-heard"
    heard_by_linphone = tmp_path / "heard-by-linphonec.wav"
    parley = rig.parley(
        play=speech, record_dir=record_dir, **({"auto_answer": True} if caller != "parley" else {})
    )
    lp = rig.linphone(play_wav=speech, record_wav=heard_by_linphone, auto_answer=caller == "parley")
    if caller == "parley":
        parley.send(f"dial {rig.uri('1003')}")
    else:
        lp.call(rig.uri("1001"))
    connected = parley.wait_for(call_event("connected"), timeout=30)
    assert (connected["codec"] or "").upper().startswith("PCMU"), connected
    lp.wait_output(CONNECTED, timeout=30)
    lp.wait_output(MEDIA_UP, timeout=30)
    time.sleep(2 * speech_seconds() + 1.0)
    mark = lp.mark()
    parley.send("hangup")
    parley.wait_for(call_event("ended"), timeout=30)
    lp.wait_output(ENDED, timeout=30, since=mark)
    lp.stop()  # completes its recording
    assert parley.quit() == 0

    ceiling = codec_ceiling("pcmu")
    files = sorted(record_dir.glob("*.wav"))
    assert len(files) == 1, files
    to_parley = pesq_score(speech, files[0], "nb")
    to_linphone = pesq_score(speech, heard_by_linphone, "nb")
    print(
        f"PESQ pcmu ({caller} calls): linphonec->parley {to_parley:.2f}, "
        f"parley->linphonec {to_linphone:.2f} (ceiling {ceiling:.2f})"
    )
    assert to_parley >= ceiling - PESQ_MARGIN, (to_parley, ceiling)
    assert to_linphone >= ceiling - PESQ_MARGIN, (to_linphone, ceiling)


def test_linphonec_holds_and_resumes(rig: LinphoneRig) -> None:
    parley = rig.parley(auto_answer=True, play=speech_wav(8000))
    lp = rig.linphone(play_wav=speech_wav(8000), auto_answer=False)
    lp.call(rig.uri("1001"))
    parley.wait_for(call_event("connected"), timeout=30)
    lp.wait_output(CONNECTED, timeout=30)
    time.sleep(1.0)

    mark = lp.mark()
    lp.pause()
    lp.wait_output(PAUSED, timeout=20, since=mark)
    held = parley.wait_for(call_event("held"), timeout=20)
    assert held["held"] == "them", held
    time.sleep(1.0)
    mark = lp.mark()
    lp.resume()
    resumed = parley.wait_for(call_event("connected"), timeout=20)
    assert resumed["held"] is None, resumed
    lp.wait_output(MEDIA_UP, timeout=20, since=mark)

    mark = lp.mark()
    lp.terminate()
    ended = parley.wait_for(call_event("ended"), timeout=30)
    assert ended["state"] == "ended"
    lp.wait_output(ENDED, timeout=30, since=mark)
