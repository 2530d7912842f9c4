"""Automatic call acceptance and intercom against real peers: SIPp callers through
Kamailio (the account's server) and directly (a stranger), Parley as `parley console
--json` registered at Kamailio.

What is checked is on the wire — each SIPp scenario fails on a message it does not
expect: a 180 before the 200 of a call to be answered without ringing, a 200 (or 302)
for a call that must only ring, a missing 403 — and in the console's events (the call's
note) and in the speaker's WAV file (the auto-answer sound). The call-waiting cases run a
Phone in this process so that the order of what it sent (hold re-INVITE, then 200) can
be read from its own trace.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from parley_console import Event, ParleyConsole, write_config

from audio_tools import read_wav, tonal_windows
from parley.settings import load_settings
from peers.common import free_port
from peers.kamailio import Kamailio
from peers.sipp import SCENARIOS, Sipp

pytestmark = pytest.mark.interop

USERS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}
NO_MARK = "X-Test: no mark"  # SIPp's [mark] needs a header: this one asks for nothing


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    port = free_port("both")
    k = Kamailio(
        tmp_path_factory.mktemp("kamailio"),
        USERS,
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
    )
    k.start()
    try:
        yield k
    finally:
        k.close()


@dataclass
class Parley:
    console: ParleyConsole
    port: int  # its SIP port (UDP)
    config: Path
    workdir: Path


def start_parley(
    workdir: Path,
    kam: Kamailio,
    *,
    functions: dict[str, Any],
    account: dict[str, Any] | None = None,
    media: dict[str, Any] | None = None,
    more_accounts: list[dict[str, Any]] | None = None,
) -> Parley:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port("udp")
    office = {
        "name": "office",
        "domain": f"127.0.0.1:{kam.udp_port}",
        "username": "1001",
        "password": "pass1001",
        "transport": "udp",
        "local_port": port,
        "codecs": ["pcmu"],
        **(account or {}),
    }
    config = write_config(
        workdir / "settings.toml",
        [office, *(more_accounts or [])],
        functions=functions,
        media={"input_device": "null", "output_device": "null", **(media or {})},
    )
    console = ParleyConsole(config, log_dir=workdir, extra=["--devices"])
    console.wait_state("registered")
    return Parley(console, port, config, workdir)


def sipp_call(
    workdir: Path, scenario: str, remote: str, mark: str, *, via_proxy: bool, callee: str = "1001"
) -> Sipp:
    args = ["-s", callee]
    keys = {"mark": mark, "caller": "1002"}
    if via_proxy:
        args += ["-au", "1002", "-ap", "pass1002"]
    sipp = Sipp(
        SCENARIOS / scenario,
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        remote=remote,
        keys=keys,
        extra_args=args,
        workdir=workdir,
    )
    return sipp.start()


def finish(sipp: Sipp, timeout: float = 30.0) -> None:
    try:
        code = sipp.wait(timeout=timeout)
    finally:
        sipp.stop()
    assert code == 0, f"SIPp exit {code}\n{sipp.errors()}\n{sipp.messages()[-6000:]}"


def call_event(state: str, *, old: set[int] | None = None, **fields: Any) -> Any:
    """A call event in `state` with `fields`, of a call not among `old`."""

    def match(e: Event) -> bool:
        return (
            e.get("event") == "call"
            and e.get("state") == state
            and e.get("call") not in (old or set())
            and all(e.get(k) == v for k, v in fields.items())
        )

    return match


def known_calls(console: ParleyConsole) -> set[int]:
    """The calls the console has told of so far (a shared console's earlier tests)."""
    return {e["call"] for e in console.events if e.get("event") == "call"}


def invite_answers(sipp: Sipp) -> list[str]:
    """The status lines of the INVITE responses SIPp received."""
    found = []
    for block in sipp.messages().split("message received")[1:]:
        text = block.split("\n", 1)[1].split("\n-----", 1)[0].strip()
        if text.startswith("SIP/2.0") and "INVITE" in text.split("CSeq:", 1)[-1][:30]:
            found.append(text.splitlines()[0])
    return found


# ------------------------------------------------------------------ intercom


@pytest.fixture(scope="module")
def intercom_parley(kam: Kamailio, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Parley]:
    p = start_parley(
        tmp_path_factory.mktemp("intercom"),
        kam,
        functions={"allow_direct_calls": True},  # so that a stranger's call rings at all
        account={"intercom": True, "intercom_prefix": "55"},
        more_accounts=[
            {
                "name": "home",
                "domain": f"127.0.0.1:{kam.udp_port}",
                "username": "1003",
                "password": "pass1003",
                "transport": "udp",
                "register_on_startup": False,
                "codecs": ["pcmu"],
            }
        ],
    )
    try:
        yield p
    finally:
        p.console.quit()
        p.console.stop()


INTERCOM_MARKS = [
    "Call-Info: <sip:127.0.0.1>;answer-after=0",
    "Alert-Info: <http://127.0.0.1/notused>;info=alert-autoanswer",
    "Alert-Info: Auto Answer",
    "Answer-Mode: Auto",
    "Answer-Mode: Auto;require",
    "Priv-Answer-Mode: Auto",
]


@pytest.mark.parametrize("mark", INTERCOM_MARKS)
def test_intercom_through_the_server_is_answered_without_ringing(
    intercom_parley: Parley, kam: Kamailio, mark: str
) -> None:
    """Through Kamailio each form of the mark is answered at once: 200 with no 180 first
    (the scenario fails on a 180), and the call's events say "intercom"."""
    p = intercom_parley
    old = known_calls(p.console)
    sipp = sipp_call(
        p.workdir,
        "intercom_answered_via_proxy.xml",
        f"127.0.0.1:{kam.udp_port}",
        mark,
        via_proxy=True,
    )
    finish(sipp)
    up = p.console.wait_for(call_event("connected", old=old, direction="incoming"))
    assert up.get("note") == "intercom", up
    assert "Intercom" in up.get("text", ""), up
    p.console.wait_for(call_event("ended", call=up["call"]))
    assert invite_answers(sipp)[-1].startswith("SIP/2.0 200"), invite_answers(sipp)


def test_intercom_answer_after_rings_first(intercom_parley: Parley, kam: Kamailio) -> None:
    """`answer-after=1`: the phone rings (180), then answers by itself (200) — the
    scenario requires that order."""
    p = intercom_parley
    old = known_calls(p.console)
    sipp = sipp_call(
        p.workdir,
        "call_rings_then_answered_via_proxy.xml",
        f"127.0.0.1:{kam.udp_port}",
        "Call-Info: <sip:127.0.0.1>;answer-after=1",
        via_proxy=True,
    )
    finish(sipp)
    up = p.console.wait_for(call_event("connected", old=old, direction="incoming"))
    assert up.get("note") == "intercom", up
    p.console.wait_for(call_event("ended", call=up["call"]))
    answers = invite_answers(sipp)
    assert [a.split()[1] for a in answers if a.split()[1] in ("180", "200")][:2] == [
        "180",
        "200",
    ], answers


@pytest.mark.parametrize("mark", INTERCOM_MARKS[:4] + INTERCOM_MARKS[5:])
def test_a_strangers_intercom_mark_only_rings(intercom_parley: Parley, mark: str) -> None:
    """The same marks sent straight to Parley, not through its server: the call rings
    (180) and is not answered while the caller waits (a 200 fails the scenario)."""
    p = intercom_parley
    old = known_calls(p.console)
    sipp = sipp_call(
        p.workdir, "call_rings_not_answered.xml", f"127.0.0.1:{p.port}", mark, via_proxy=False
    )
    finish(sipp)
    rang = p.console.wait_for(call_event("incoming", old=old, direction="incoming"))
    ended = p.console.wait_for(call_event("ended", call=rang["call"]))
    assert not any(
        e.get("call") == rang["call"] and e.get("state") == "connected" for e in p.console.events
    ), ended
    assert not any(a.startswith("SIP/2.0 200") for a in invite_answers(sipp))


def test_a_strangers_required_auto_answer_is_refused(intercom_parley: Parley) -> None:
    """RFC 5373: `Answer-Mode: Auto;require` that will not be honoured (a stranger) is
    refused with 403 — no 180 first (the scenario fails on one)."""
    p = intercom_parley
    sipp = sipp_call(
        p.workdir,
        "call_refused_403.xml",
        f"127.0.0.1:{p.port}",
        "Answer-Mode: Auto;require",
        via_proxy=False,
    )
    finish(sipp)
    assert invite_answers(sipp)[-1].startswith("SIP/2.0 403"), invite_answers(sipp)


def test_outgoing_intercom_dials_the_prefix(intercom_parley: Parley) -> None:
    """`intercom TARGET` puts the account's intercom prefix before the number: the far
    end gets INVITE sip:551003@…; an account without a prefix says so."""
    p = intercom_parley
    old = known_calls(p.console)
    uas = Sipp(
        SCENARIOS / "call_uas.xml",
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        workdir=p.workdir,
    ).start()
    try:
        p.console.send(f"intercom sip:1003@127.0.0.1:{uas.local_port}")
        up = p.console.wait_for(call_event("connected", old=old, direction="outgoing"))
        p.console.send(f"hangup {up['call']}")
        p.console.wait_for(call_event("ended", call=up["call"]))
        finish(uas)
    finally:
        uas.stop()
    assert "INVITE sip:551003@127.0.0.1" in uas.messages(), uas.messages()[:3000]
    p.console.send("intercom 1002 home")
    reply = p.console.wait_for(
        lambda e: e.get("event") == "reply" and e["text"].startswith("error")
    )
    assert "no intercom prefix" in reply["text"], reply


# ------------------------------------------------------------------ automatic acceptance


AUTO_SOUND = [(1370.0, 1430.0)]  # the auto-answer beeps: 1400 Hz


@pytest.mark.parametrize("sound", [True, False], ids=["sound", "no-sound"])
def test_auto_answer_after_n_seconds_rings_first_and_plays_the_sound(
    kam: Kamailio, tmp_path: Path, sound: bool
) -> None:
    """Automatic acceptance after 1 s: through Kamailio the call rings (180) and then is
    answered (200) — the scenario's order; its events say "auto answered"; with the
    sound on, the speaker's WAV holds the 1400 Hz beeps, with it off it does not."""
    speaker = tmp_path / "speaker.wav"
    p = start_parley(
        tmp_path / "parley",
        kam,
        functions={"auto_answer": True, "auto_answer_after": 1, "auto_answer_sound": sound},
        # 1003: the intercom tests' Parley stays registered as 1001 for the module.
        account={"username": "1003", "password": "pass1003"},
        media={"output_device": f"file:{speaker}", "ring_device": "null"},
    )
    try:
        sipp = sipp_call(
            tmp_path,
            "call_rings_then_answered_via_proxy.xml",
            f"127.0.0.1:{kam.udp_port}",
            NO_MARK,
            via_proxy=True,
            callee="1003",
        )
        finish(sipp)
        up = p.console.wait_for(call_event("connected", direction="incoming"))
        assert up.get("note") == "auto answered", up
        p.console.wait_for(call_event("ended", call=up["call"]))
        time.sleep(0.5)  # the beeps (0.3 s) play out into the file
        assert p.console.quit() == 0
    finally:
        p.console.stop()
    samples, rate = read_wav(speaker)
    beeps = tonal_windows(samples, rate, AUTO_SOUND)
    if sound:
        assert beeps >= 5, beeps  # two beeps of 120 ms: about 12 windows of 20 ms
    else:
        assert beeps == 0, beeps


# ------------------------------------------------------------------ keep settings after restart


@pytest.mark.parametrize("keep", [False, True], ids=["reset", "kept"])
def test_keep_settings_after_restart(kam: Kamailio, tmp_path: Path, keep: bool) -> None:
    """A settings file with forwarding on (instantly, to 1003) and automatic answer on
    (at once). With "keep settings after restart" off, Parley starts with both off: a
    direct call rings and is neither forwarded (302) nor answered (200) — the scenario
    fails on either — and the file says so. With it on, both are on: forwarding comes
    first, so the call is sent on with 302 before it rings."""
    p = start_parley(
        tmp_path / "parley",
        kam,
        functions={
            "allow_direct_calls": True,
            "auto_answer": True,
            "forwarding": "instant",
            "forward_to": "1003",
            "keep_after_restart": keep,
        },
    )
    try:
        scenario = "forwarded_at_once.xml" if keep else "call_rings_not_answered.xml"
        sipp = Sipp(
            SCENARIOS / scenario,
            local_port=free_port("udp"),
            media_port=free_port("udp"),
            remote=f"127.0.0.1:{p.port}",
            keys={"mark": NO_MARK},
            extra_args=["-s", "1001"],
            workdir=tmp_path,
        ).start()
        if keep:
            ended = p.console.wait_for(call_event("ended", direction="incoming"))
            assert ended["note"] == "forwarded", ended
        finish(sipp)
        assert p.console.quit() == 0
    finally:
        p.console.stop()
    stored = load_settings(p.config).functions
    if keep:
        assert (stored.forwarding, stored.auto_answer) == ("instant", True)
    else:
        assert (stored.forwarding, stored.auto_answer) == ("off", False)
        assert stored.forward_to == "1003"  # the destination is kept for next time
