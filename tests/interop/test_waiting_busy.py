"""Call waiting's limit and the PBX's recall, through Kamailio with real phones: Parley as
`parley console --json` registered as 1001, baresips and SIPp calling it.

- A further caller while a call already waits gets busy (486) before anything rings: the
  SIPp scenario fails on a 180, and the console reports no new incoming call.
- After an unanswered blind transfer the PBX calls us back: that INVITE rings (180) like
  any other incoming call and can be taken. There is no standard mark of a recall in SIP
  (PBXs send an ordinary INVITE, at most with the transferred party as From), so Parley
  shows it as an ordinary incoming call.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import Event, ParleyConsole, write_config

from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio
from peers.sipp import SCENARIOS, Sipp

pytestmark = pytest.mark.interop

USERS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}


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


@pytest.fixture
def parley(kam: Kamailio, tmp_path: Path) -> Iterator[ParleyConsole]:
    office = {
        "name": "office",
        "domain": f"127.0.0.1:{kam.udp_port}",
        "username": "1001",
        "password": "pass1001",
        "transport": "udp",
        "local_port": free_port("udp"),
        "codecs": ["pcmu"],
    }
    config = write_config(
        tmp_path / "settings.toml",
        [office],
        media={"input_device": "null", "output_device": "null", "call_waiting": True},
    )
    console = ParleyConsole(config, log_dir=tmp_path, extra=["--devices"])
    try:
        console.wait_state("registered")
        yield console
    finally:
        console.quit()
        console.stop()


@pytest.fixture
def phones(kam: Kamailio, tmp_path: Path) -> Iterator[Any]:
    started: list[Baresip] = []

    def make(user: str, **options: Any) -> Baresip:
        phone = Baresip(
            tmp_path / f"baresip-{user}",
            sip_port=free_port("both"),
            user=user,
            password=USERS[user],
            registrar=f"127.0.0.1:{kam.udp_port}",
            **options,
        )
        started.append(phone)
        phone.start()
        assert phone.wait_registered(15)
        return phone

    yield make
    for phone in started:
        phone.stop()


def call_event(state: str, *, old: set[int] | None = None, **fields: Any) -> Any:
    def match(e: Event) -> bool:
        return (
            e.get("event") == "call"
            and e.get("state") == state
            and e.get("call") not in (old or set())
            and all(e.get(k) == v for k, v in fields.items())
        )

    return match


def sipp_via_proxy(tmp: Path, kam: Kamailio, scenario: str) -> Sipp:
    """SIPp calls 1001 through Kamailio as user 1002 (digest auth)."""
    return Sipp(
        SCENARIOS / scenario,
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        remote=f"127.0.0.1:{kam.udp_port}",
        keys={"caller": "1002", "mark": "X-Test: no mark"},
        extra_args=["-s", "1001", "-au", "1002", "-ap", "pass1002"],
        workdir=tmp,
    ).start()


def finish(sipp: Sipp, timeout: float = 30.0) -> None:
    try:
        code = sipp.wait(timeout=timeout)
    finally:
        sipp.stop()
    assert code == 0, f"SIPp exit {code}\n{sipp.errors()}\n{sipp.messages()[-6000:]}"


def test_a_further_caller_is_busy_while_a_call_waits(
    parley: ParleyConsole, phones: Any, kam: Kamailio, tmp_path: Path
) -> None:
    """1002 talks to us, 1003 waits (call waiting); a third caller (SIPp) gets 486 with
    no 180 first, and the waiting call still rings afterwards."""
    first = phones("1002")
    second = phones("1003")
    first.dial(f"sip:1001@127.0.0.1:{kam.udp_port}")
    one = parley.wait_for(call_event("incoming", direction="incoming"))
    parley.send(f"answer {one['call']}")
    parley.wait_for(call_event("connected", call=one["call"]))
    first.wait_call_state("CALL_ESTABLISHED", timeout=15)
    second.dial(f"sip:1001@127.0.0.1:{kam.udp_port}")
    two = parley.wait_for(call_event("incoming", old={one["call"]}, direction="incoming"))
    second.wait_call_state("CALL_RINGING", timeout=15)

    third = sipp_via_proxy(tmp_path, kam, "call_busy_via_proxy.xml")
    finish(third)  # 486 Busy Here, and no 180 before it

    known = {one["call"], two["call"]}
    refused = parley.wait_for(call_event("ended", old=known))  # for the history
    assert refused.get("status") == 486, refused
    others = [e for e in parley.events if e.get("event") == "call" and e["call"] not in known]
    assert {e["state"] for e in others} == {"ended"}, others  # never "incoming"
    # The waiting call was not touched: it still rings, and can be taken.
    assert not any(e.get("type") == "CALL_CLOSED" for e in second.events())
    parley.send(f"answer {two['call']}")
    parley.wait_for(call_event("connected", call=two["call"]))
    second.wait_call_state("CALL_ESTABLISHED", timeout=15)
    parley.send(f"hangup {two['call']}")
    parley.send(f"hangup {one['call']}")
    first.wait_call_state("CALL_CLOSED", timeout=15)


def test_the_pbx_recall_after_an_unanswered_transfer_rings(
    parley: ParleyConsole, phones: Any, kam: Kamailio, tmp_path: Path
) -> None:
    """We transfer 1002 (baresip) blind to 1003, which nobody answers (not registered:
    the transfer fails and our call is kept). The PBX then calls us back — SIPp as the
    PBX, From the transferred party 1002: the INVITE rings (180, required by the
    scenario), the console shows an incoming call, and answering it connects (200)."""
    far = phones("1002", auto_answer=True, call_transfer=True)
    parley.send("dial 1002")
    up = parley.wait_for(call_event("connected", direction="outgoing"))
    far.wait_call_state("CALL_ESTABLISHED", timeout=15)
    parley.send(f"transfer 1003 {up['call']}")
    failed = parley.wait_for(
        lambda e: e.get("event") == "transfer" and e.get("state") == "failed", timeout=40
    )
    assert failed["call"] == up["call"], failed
    parley.send(f"hangup {up['call']}")
    parley.wait_for(call_event("ended", call=up["call"]))

    recall = sipp_via_proxy(tmp_path, kam, "call_rings_then_answered_via_proxy.xml")
    rings = parley.wait_for(call_event("incoming", old={up["call"]}, direction="incoming"))
    assert "1002" in str(rings.get("number", "")) + str(rings.get("remote", "")), rings
    parley.send(f"answer {rings['call']}")
    parley.wait_for(call_event("connected", call=rings["call"]))
    finish(recall)  # 180, then 200; SIPp hangs up
    parley.wait_for(call_event("ended", call=rings["call"]))
