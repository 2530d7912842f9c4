"""Query calls, the local conference and music on hold, against two real far phones.

One Kamailio, one Parley console (1001) whose microphone is a WAV of a 2350 Hz tone,
and two baresips (1002 plays 440 Hz, 1003 plays 1090 Hz; both answer by themselves and
record what they hear). The tones are chosen so that no product of two of them through
G.711 (sums, differences, 2f1 - f2) comes near another tone or a music-on-hold note, nor
a tone near a product of two notes. The tests run in order on these module-scoped
peers, each one step of what a person at a PBX does:

1. Parley calls 1002, then 1003: the first call is held (a query call) and 1002 hears
   the built-in music on hold (its notes, none of the tones);
2. `conference`: each far phone hears the other's tone and Parley's, not its own;
3. `mute CALL` of 1002: 1003 no longer hears 1002's tone (still Parley's); 1002 still
   hears both;
4. `hold CALL` of 1002: it hears music on hold and nothing of the conference; 1003 no
   longer hears it;
5. `hold` of the whole conference: both hear music on hold, then `resume`;
6. `split CALL` of 1002: it is held (music on hold), the conference dissolves and 1003
   is an ordinary call with Parley.

What a far phone heard is cut from its recording between two file sizes taken during a
step (the recording is written in real time), and judged by the power in narrow bands
around each frequency, with wide margins (a loaded 2-core machine): a tone heard
measures -10 to -23 dBFS there, one not heard below -55.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from parley_console import Event, ParleyConsole, write_config

from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio
from tone_rig import MUSIC_NAMED, Heard, listen, tone_phone_options, tone_wav

pytestmark = pytest.mark.interop

USERS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}
PARLEY_HZ = 2350.0
TONE_HZ = {"1002": 440.0, "1003": 1090.0}
NAMED = {"parley": PARLEY_HZ, **TONE_HZ, **MUSIC_NAMED}


@dataclass
class Rig:
    parley: ParleyConsole
    far: dict[str, Baresip]
    call_of: dict[str, int] = field(default_factory=dict)  # user -> Parley's call id

    def listen(self) -> dict[str, Heard]:
        """Wait for the step to settle, then what each far phone hears for LISTEN_S."""
        return listen(self.far, NAMED)

    def wait(self, predicate: Callable[[Event], bool], timeout: float = 30) -> Event:
        return self.parley.wait_for(predicate, timeout)


def call_event(state: str, call: int | None = None, **match: Any) -> Callable[[Event], bool]:
    def predicate(e: Event) -> bool:
        if e.get("event") != "call" or e.get("state") != state:
            return False
        if call is not None and e.get("call") != call:
            return False
        return all(e.get(k) == v for k, v in match.items())

    return predicate


def conference_event(
    calls: list[int] | None = None, held: bool | None = None
) -> Callable[[Event], bool]:
    def predicate(e: Event) -> bool:
        if e.get("event") != "conference":
            return False
        if calls is not None and sorted(e["calls"]) != sorted(calls):
            return False
        return held is None or e.get("held") == held

    return predicate


def reply(text: str) -> Callable[[Event], bool]:
    return lambda e: e.get("event") == "reply" and text in str(e.get("text"))


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    tmp = tmp_path_factory.mktemp("conference")
    port = free_port("both")
    kam = Kamailio(tmp / "kamailio", USERS, udp_port=port, tcp_port=port, tls_port=free_port("tcp"))
    kam.start()
    registrar = f"{kam.host}:{kam.udp_port}"
    phones: dict[str, Baresip] = {}
    console: ParleyConsole | None = None
    try:
        for user in TONE_HZ:
            phone = Baresip(
                tmp / f"baresip-{user}",
                sip_port=free_port("both"),
                user=user,
                password=USERS[user],
                registrar=registrar,
                codecs=["PCMU/8000/1"],
                **tone_phone_options(tmp, user, TONE_HZ[user]),
            )
            phones[user] = phone
            phone.start(timeout=30)
        config = write_config(
            tmp / "parley.toml",
            [
                {
                    "name": "office",
                    "domain": registrar,
                    "username": "1001",
                    "password": USERS["1001"],
                    "transport": "udp",
                    "codecs": ["pcmu"],
                }
            ],
            media={"music_on_hold": "builtin"},
        )
        log_dir = tmp / "parley"
        log_dir.mkdir()
        console = ParleyConsole(
            config,
            log_dir=log_dir,
            extra=["--play", str(tone_wav(tmp / "tone-parley.wav", PARLEY_HZ))],
        )
        console.wait_state("registered", timeout=30)
        yield Rig(console, phones)
    finally:
        if console is not None:
            if console.proc.poll() is None:
                try:
                    console.quit(timeout=15)
                except Exception:
                    pass
            console.stop()
        for phone in phones.values():
            phone.stop()
        kam.close()


def dial(rig: Rig, user: str) -> int:
    rig.parley.send(f"dial sip:{user}@{rig.far[user].registrar}")
    connected = rig.wait(lambda e: call_event("connected")(e) and f"sip:{user}@" in e["remote"])
    rig.far[user].wait_call_state("CALL_ESTABLISHED", timeout=30)
    assert rig.far[user].wait_audio(20), f"{user} heard nothing"
    rig.call_of[user] = connected["call"]
    return int(connected["call"])


def test_query_call_holds_the_first_call_which_hears_music_on_hold(rig: Rig) -> None:
    first = dial(rig, "1002")
    dial(rig, "1003")
    held = rig.wait(call_event("held", first))
    assert held["held"] == "us", held
    heard = rig.listen()
    a, b = heard["1002"], heard["1003"]
    assert a.hears_music(), a.levels()
    assert a.silent_at(PARLEY_HZ) and a.silent_at(TONE_HZ["1003"]), a.levels()
    assert b.hears(PARLEY_HZ), b.levels()
    assert b.silent_at(TONE_HZ["1002"]) and b.no_music(), b.levels()
    assert "a=sendonly" in rig.parley.stderr_path.read_text(errors="replace")


def test_conference_each_hears_the_others_and_not_itself(rig: Rig) -> None:
    rig.parley.send("conference")
    both = sorted(rig.call_of.values())
    rig.wait(conference_event(both))
    rig.wait(reply("conference: calls"))
    heard = rig.listen()
    for user, other in (("1002", "1003"), ("1003", "1002")):
        h = heard[user]
        assert h.hears(PARLEY_HZ) and h.hears(TONE_HZ[other]), (user, h.levels())
        assert h.silent_at(TONE_HZ[user]), (user, h.levels())
        assert h.no_music(), (user, h.levels())


def test_muting_a_participant_takes_exactly_its_voice_out_of_the_mix(rig: Rig) -> None:
    a = rig.call_of["1002"]
    rig.parley.send(f"mute {a}")
    rig.wait(lambda e: conference_event()(e) and e.get("muted") == [a])
    heard = rig.listen()
    assert heard["1003"].hears(PARLEY_HZ), heard["1003"].levels()
    assert heard["1003"].silent_at(TONE_HZ["1002"]), heard["1003"].levels()
    # The muted participant still hears everyone.
    assert heard["1002"].hears(PARLEY_HZ), heard["1002"].levels()
    assert heard["1002"].hears(TONE_HZ["1003"]), heard["1002"].levels()

    rig.parley.send(f"unmute {a}")
    rig.wait(lambda e: conference_event()(e) and e.get("muted") == [])
    heard = rig.listen()
    assert heard["1003"].hears(TONE_HZ["1002"]), heard["1003"].levels()


def test_holding_a_participant_gives_it_music_and_takes_it_out(rig: Rig) -> None:
    a = rig.call_of["1002"]
    rig.parley.send(f"hold {a}")
    rig.wait(call_event("held", a))
    heard = rig.listen()
    assert heard["1002"].hears_music(), heard["1002"].levels()
    assert heard["1002"].silent_at(PARLEY_HZ), heard["1002"].levels()
    assert heard["1002"].silent_at(TONE_HZ["1003"]), heard["1002"].levels()
    assert heard["1003"].hears(PARLEY_HZ), heard["1003"].levels()
    assert heard["1003"].silent_at(TONE_HZ["1002"]), heard["1003"].levels()
    assert heard["1003"].no_music(), heard["1003"].levels()

    rig.parley.send(f"resume {a}")
    rig.wait(call_event("connected", a))
    heard = rig.listen()
    assert heard["1003"].hears(TONE_HZ["1002"]), heard["1003"].levels()
    assert heard["1002"].hears(TONE_HZ["1003"]), heard["1002"].levels()


def test_holding_the_whole_conference_gives_everyone_music(rig: Rig) -> None:
    rig.parley.send("hold")
    rig.wait(conference_event(held=True))
    heard = rig.listen()
    for user, other in (("1002", "1003"), ("1003", "1002")):
        h = heard[user]
        assert h.hears_music(), (user, h.levels())
        assert h.silent_at(PARLEY_HZ) and h.silent_at(TONE_HZ[other]), (user, h.levels())
    rig.parley.send("resume")
    rig.wait(conference_event(held=False))
    heard = rig.listen()
    assert heard["1002"].hears(TONE_HZ["1003"]), heard["1002"].levels()
    assert heard["1003"].hears(TONE_HZ["1002"]), heard["1003"].levels()


def test_split_takes_a_participant_out_into_a_held_call(rig: Rig) -> None:
    a, b = rig.call_of["1002"], rig.call_of["1003"]
    rig.parley.send(f"split {a}")
    rig.wait(conference_event([]))  # one left: the conference dissolves
    rig.wait(call_event("held", a))
    heard = rig.listen()
    assert heard["1002"].hears_music(), heard["1002"].levels()
    assert heard["1002"].silent_at(TONE_HZ["1003"]), heard["1002"].levels()
    assert heard["1003"].hears(PARLEY_HZ), heard["1003"].levels()
    assert heard["1003"].silent_at(TONE_HZ["1002"]), heard["1003"].levels()

    for call, user in ((b, "1003"), (a, "1002")):
        rig.parley.send(f"hangup {call}")
        rig.wait(call_event("ended", call))
        rig.far[user].wait_call_state("CALL_CLOSED", timeout=30)


def test_inactive_hold_sends_no_music(rig: Rig, tmp_path: Path) -> None:
    """With `force_rfc3264_hold` the hold offer says a=inactive: nothing is sent, so the
    held party hears no music although music on hold is on."""
    registrar = rig.far["1002"].registrar
    config = write_config(
        tmp_path / "inactive.toml",
        [
            {
                "name": "office",
                "domain": registrar,
                "username": "1001",
                "password": USERS["1001"],
                "transport": "udp",
                "codecs": ["pcmu"],
                "force_rfc3264_hold": True,
            }
        ],
        media={"music_on_hold": "builtin"},
    )
    console = ParleyConsole(
        config,
        log_dir=tmp_path,
        extra=["--play", str(tone_wav(tmp_path / "tone.wav", PARLEY_HZ))],
    )
    try:
        console.wait_state("registered", timeout=30)
        other = Rig(console, {"1002": rig.far["1002"]})
        call = dial(other, "1002")
        assert other.listen()["1002"].hears(PARLEY_HZ)
        console.send(f"hold {call}")
        console.wait_for(call_event("held", call), 30)
        heard = other.listen()["1002"]
        assert heard.no_music() and heard.silent_at(PARLEY_HZ), heard.levels()
        assert "a=inactive" in console.stderr_path.read_text(errors="replace")
        console.send(f"hangup {call}")
        console.wait_for(call_event("ended", call), 30)
        rig.far["1002"].wait_call_state("CALL_CLOSED", timeout=30)
    finally:
        if console.proc.poll() is None:
            console.quit(timeout=15)
        console.stop()
