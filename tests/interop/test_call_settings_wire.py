"""Account and media settings whose effect is on the wire or in the speaker, checked
there: the hold style (`force_rfc3264_hold`), the caller ID of outgoing calls
(`caller_id`), the local ringback (`do_not_play_ringback`),
the local key tones (`disable_dtmf_sounds`) and the public address in our SDP
(`rport_media`).

Parley runs as `parley console --json`; SIPp plays the far end (and, for rport, the
registrar) and its message trace shows what Parley sent; the speaker is a WAV file.

What each hold choice sends (RFC 3264 §8.4), as checked below:
- off (default): the re-INVITE's audio says `a=sendonly`, with our real address in `c=`;
- on: `a=inactive`, with our real address in `c=`.
Neither sends the RFC 2543 `c=0.0.0.0`; a far end's hold of any style is understood.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
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


def is_call(state: str) -> Any:
    def match(e: Event) -> bool:
        return e.get("event") == "call" and e.get("state") == state

    return match


@dataclass
class Rig:
    tmp_path: Path
    consoles: list[ParleyConsole] = field(default_factory=list)
    sipps: list[Sipp] = field(default_factory=list)

    def parley(
        self, domain: str, *, account: dict[str, Any], media: dict[str, Any]
    ) -> ParleyConsole:
        data = {
            "name": "office",
            "domain": domain,
            "username": "1001",
            "password": "pass1001",
            "transport": "udp",
            "local_port": free_port("udp"),
            "codecs": ["pcmu"],
            **account,
        }
        config = write_config(self.tmp_path / "settings.toml", [data], media=media)
        console = ParleyConsole(config, log_dir=self.tmp_path, extra=["--devices"])
        self.consoles.append(console)
        console.wait_state("registered")
        return console

    def sipp(self, scenario: str, *, calls: int = 1) -> Sipp:
        sipp = Sipp(
            SCENARIOS / scenario,
            local_port=free_port("udp"),
            media_port=free_port("udp"),
            calls=calls,
            workdir=self.tmp_path,
        )
        self.sipps.append(sipp)
        return sipp.start()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    r = Rig(tmp_path)
    yield r
    for console in r.consoles:
        console.stop()
    for sipp in r.sipps:
        sipp.stop()


def finish(sipp: Sipp, timeout: float = 30.0) -> None:
    code = sipp.wait(timeout=timeout)
    assert code == 0, f"SIPp exit {code}\n{sipp.errors()}\n{sipp.messages()[-6000:]}"


def received(sipp: Sipp, method: str) -> list[str]:
    """The `method` requests SIPp received, each once (retransmissions dropped), in order."""
    found: dict[str, str] = {}
    for block in sipp.messages().split("message received")[1:]:
        # The block runs to the next received message: cut it at the next trace entry.
        text = block.split("\n", 1)[1].split("\n-----", 1)[0].strip()
        if not text.startswith(f"{method} "):
            continue
        cseq = re.search(r"^CSeq:\s*(\d+)", text, re.MULTILINE | re.IGNORECASE)
        found.setdefault(cseq.group(1) if cseq else text, text)
    return list(found.values())


def sdp_lines(message: str, prefix: str) -> list[str]:
    body = message.split("\n\n", 1)[1] if "\n\n" in message else ""
    return [line.strip() for line in body.splitlines() if line.strip().startswith(prefix)]


# ------------------------------------------------------------------ hold style


@pytest.mark.parametrize(
    ("force", "direction"), [(False, "a=sendonly"), (True, "a=inactive")], ids=["off", "on"]
)
def test_hold_reinvite_sends_what_the_hold_setting_says(
    rig: Rig, kamailio: Kamailio, force: bool, direction: str
) -> None:
    c = rig.parley(
        f"127.0.0.1:{kamailio.udp_port}",
        account={"force_rfc3264_hold": force},
        media={"input_device": "null", "output_device": "null"},
    )
    sipp = rig.sipp("call_ring_hold.xml")
    c.send(f"dial sip:callee@127.0.0.1:{sipp.local_port}")
    c.wait_for(is_call("connected"))
    c.send("hold")
    c.wait_for(lambda e: is_call("held")(e) or (is_call("connected")(e) and e.get("held")))
    # Hang up at once, while the re-INVITE may still wait for its 200: the 200 must
    # still be ACKed, and the BYE must come after that ACK (RFC 3261 §13.2.2.4; SIPp
    # aborts on a BYE where it waits for the ACK).
    c.send("hangup")
    c.wait_for(is_call("ended"))
    finish(sipp)
    first, hold = received(sipp, "INVITE")
    assert sdp_lines(first, "a=sendrecv") or not sdp_lines(first, "a=sendonly")
    assert sdp_lines(hold, "a=") and direction in sdp_lines(hold, "a="), hold
    others = {"a=sendonly", "a=inactive", "a=recvonly", "a=sendrecv"} - {direction}
    assert not others & set(sdp_lines(hold, "a=")), hold
    # Our real address stays in c= (no RFC 2543 0.0.0.0), and the port in m= too.
    assert sdp_lines(hold, "c=") == ["c=IN IP4 127.0.0.1"], hold
    assert sdp_lines(hold, "m=audio")[0].split()[1] == sdp_lines(first, "m=audio")[0].split()[1]
    assert c.quit() == 0


def test_hangup_while_our_200_to_a_hold_waits_for_its_ack_sends_bye_after_it(
    rig: Rig, kamailio: Kamailio
) -> None:
    """The far end holds us and ACKs our 200 late (SIPp, 1.5 s); we hang up at once.
    Our BYE must come after its ACK: SIPp fails the scenario on a BYE before it."""
    port = free_port("udp")
    data = {
        "name": "office",
        "domain": f"127.0.0.1:{kamailio.udp_port}",
        "username": "1001",
        "password": "pass1001",
        "transport": "udp",
        "local_port": port,
        "codecs": ["pcmu"],
    }
    config = write_config(
        rig.tmp_path / "settings.toml",
        [data],
        media={"input_device": "null", "output_device": "null"},
        functions={"allow_direct_calls": True},
    )
    c = ParleyConsole(config, log_dir=rig.tmp_path, extra=["--devices"])
    rig.consoles.append(c)
    c.wait_state("registered")
    sipp = Sipp(
        SCENARIOS / "call_holds_then_slow_ack.xml",
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        remote=f"127.0.0.1:{port}",
        extra_args=["-s", "1001"],
        workdir=rig.tmp_path,
    )
    rig.sipps.append(sipp)
    sipp.start()
    c.wait_for(is_call("incoming"))
    c.send("answer")
    c.wait_for(lambda e: is_call("held")(e) and e.get("held") == "them")
    c.send("hangup")  # while SIPp still holds back its ACK
    c.wait_for(is_call("ended"))
    finish(sipp)
    assert len(received(sipp, "BYE")) == 1
    assert c.quit() == 0


@pytest.mark.parametrize(
    ("caller_id", "display"), [("Office Desk", '"Office Desk" '), (None, "")], ids=["set", "unset"]
)
def test_caller_id_is_the_display_name_in_from(
    rig: Rig, kamailio: Kamailio, caller_id: str | None, display: str
) -> None:
    """The account's caller ID is what our outgoing INVITE's From shows (the PBX may
    replace it); without one, From has no display name (none is set either)."""
    account: dict[str, Any] = {"caller_id": caller_id} if caller_id else {}
    c = rig.parley(
        f"127.0.0.1:{kamailio.udp_port}",
        account=account,
        media={"input_device": "null", "output_device": "null"},
    )
    sipp = rig.sipp("call_ring_hold.xml")
    c.send(f"dial sip:callee@127.0.0.1:{sipp.local_port}")
    c.wait_for(is_call("connected"))
    c.send("hangup")
    c.wait_for(is_call("ended"))
    finish(sipp)
    [invite] = received(sipp, "INVITE")
    [from_line] = [line for line in invite.splitlines() if line.startswith("From:")]
    assert from_line.startswith(f"From: {display}<sip:1001@127.0.0.1"), from_line
    assert c.quit() == 0


# ------------------------------------------------------------------ ringback and key tones


def tone_windows(samples: np.ndarray, rate: int, bands: list[tuple[float, float]]) -> int:
    """How many 50 ms windows hold an audible tone with most (60 %) of their energy in
    `bands` (Hz ranges)."""
    step = rate // 20
    count = 0
    freqs = np.fft.rfftfreq(step, 1.0 / rate)
    for start in range(0, samples.size - step + 1, step):
        window = samples[start : start + step].astype(np.float64)
        if np.sqrt(np.mean(window**2)) < 100:
            continue
        spectrum = np.abs(np.fft.rfft(window * np.hanning(step))) ** 2
        total = spectrum[freqs > 60].sum()
        inside = sum(spectrum[(freqs >= lo) & (freqs <= hi)].sum() for lo, hi in bands)
        if total > 0 and inside / total > 0.6:
            count += 1
    return count


RINGBACK = [(400.0, 450.0)]  # Europe's 425 Hz
KEY_5 = [(750.0, 790.0), (1316.0, 1356.0)]  # DTMF 5: 770 + 1336 Hz


@pytest.mark.parametrize("settings_on", [False, True], ids=["default", "both-off"])
def test_local_ringback_and_key_tones_reach_the_speaker_unless_turned_off(
    rig: Rig, kamailio: Kamailio, settings_on: bool
) -> None:
    """While the far end rings (180, no early media) the speaker plays our ringback, and
    a key pressed in the call plays its tone there; `do_not_play_ringback` and
    `disable_dtmf_sounds` silence each."""
    speaker = rig.tmp_path / "speaker.wav"
    c = rig.parley(
        f"127.0.0.1:{kamailio.udp_port}",
        account={"do_not_play_ringback": settings_on, "dtmf_mode": "rfc4733"},
        media={
            "input_device": "null",
            "output_device": f"file:{speaker}",
            "tone_region": "europe",
            "disable_dtmf_sounds": settings_on,
        },
    )
    sipp = rig.sipp("call_ring_hold.xml")
    c.send(f"dial sip:callee@127.0.0.1:{sipp.local_port}")
    c.wait_for(is_call("ringing"))
    c.wait_for(is_call("connected"))
    c.send("dtmf 5")
    time.sleep(1.0)  # the key tone plays out
    c.send("hangup")
    c.wait_for(is_call("ended"))
    finish(sipp)
    assert c.quit() == 0
    samples, rate = read_wav(speaker)
    assert samples.size > rate // 2, "the speaker recording is too short"
    ringback = tone_windows(samples, rate, RINGBACK)
    keys = tone_windows(samples, rate, KEY_5)
    if settings_on:
        assert ringback == 0 and keys == 0, (ringback, keys)
    else:
        assert ringback >= 6, ringback  # Europe rings 1 s on: most of it in 2 s of ringing
        assert keys >= 1, keys


# ------------------------------------------------------------------ rport for media


@pytest.mark.parametrize(
    ("rport_media", "address"), [(False, "127.0.0.1"), (True, "127.0.0.33")], ids=["off", "on"]
)
def test_rport_media_puts_the_public_address_into_the_sdp(
    rig: Rig, rport_media: bool, address: str
) -> None:
    """The registrar says (Via received=, RFC 3581) it saw us at 127.0.0.33. With
    `rport_media` our INVITE's SDP gives that address in o= and c=; without it, our own
    (127.0.0.1). The m= port is our RTP port either way."""
    sipp = rig.sipp("reg_nat_call.xml", calls=2)
    c = rig.parley(
        f"127.0.0.1:{sipp.local_port}",
        account={"rport_media": rport_media},
        media={"input_device": "null", "output_device": "null"},
    )
    c.send(f"dial sip:callee@127.0.0.1:{sipp.local_port}")
    c.wait_for(is_call("connected"))
    c.send("hangup")
    c.wait_for(is_call("ended"))
    finish(sipp)
    [invite] = received(sipp, "INVITE")
    assert sdp_lines(invite, "c=") == [f"c=IN IP4 {address}"], invite
    assert sdp_lines(invite, "o=")[0].endswith(f" IN IP4 {address}"), invite
    port = int(sdp_lines(invite, "m=audio")[0].split()[1])
    assert port > 0
    # The registration learnt the address either way: its second REGISTER binds it.
    registers = received(sipp, "REGISTER")
    assert any("Contact: <sip:1001@127.0.0.33:" in r for r in registers[1:]), registers
