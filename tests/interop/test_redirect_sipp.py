"""Redirection, deflection, forwarding and Replaces against SIPp, with the real console.

Parley registers at Kamailio and talks to SIPp directly (as in `test_calls_sipp.py`,
whose rig this module uses): SIPp redirects Parley's calls (302 with several Contacts,
an endless chain of 302s), or calls Parley and gets redirected, or replaces a call
with an INVITE carrying Replaces. What SIPp received is read from its message trace.
No wall-clock assertion: delays are checked by the order of messages only.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from test_calls_sipp import Rig, finish, is_call, poll_stats, rig  # noqa: F401 (fixture)

from peers.common import free_port
from peers.kamailio import Kamailio
from peers.sipp import SCENARIOS, Sipp, header, received

pytestmark = pytest.mark.interop


def uas(rig: Rig, scenario: str, calls: int = 1, **keys: str) -> Sipp:  # noqa: F811
    """A SIPp callee (Parley dials it) on a free port."""
    sipp = Sipp(
        SCENARIOS / scenario,
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        calls=calls,
        keys=keys,
        workdir=rig.tmp_path,
    )
    rig.sipps.append(sipp)
    return sipp.start()


def tag_of(value: str) -> str:
    match = re.search(r";\s*tag=([^;>\s]+)", value)
    assert match, value
    return match.group(1)


# ---------------------------------------------------------------- Parley follows 3xx


def test_302_with_two_contacts_first_fails_second_answers(rig: Rig) -> None:  # noqa: F811
    c = rig.parley()
    busy = uas(rig, "redirect_target_busy.xml")
    ok = uas(rig, "call_uas.xml")
    contacts = (
        f"<sip:ok@127.0.0.1:{ok.local_port}>;q=0.5, <sip:busy@127.0.0.1:{busy.local_port}>;q=0.9"
    )
    redirector = uas(rig, "redirect_302.xml", contacts=contacts)
    c.send(f"dial sip:callee@127.0.0.1:{redirector.local_port}")
    dialing = c.wait_for(is_call("dialing"))
    connected = c.wait_for(is_call("connected"), timeout=20)
    # One call for the person: the same number from dialling to connected.
    assert connected["call"] == dialing["call"]
    assert connected["note"] == "redirected", connected
    assert connected["remote"].startswith("sip:ok@"), connected
    assert "redirected" in connected["text"]
    events = [e for e in c.events if e.get("event") == "call"]
    assert all(e["call"] == dialing["call"] for e in events)
    assert not any(e["state"] == "ended" for e in events)
    # The higher q first (busy, 486), then the other one, which answered.
    assert received(busy, "INVITE sip:busy@"), busy.messages()
    assert received(ok, "INVITE sip:ok@"), ok.messages()
    finish(redirector)
    finish(busy)
    c.send("hangup")
    c.wait_for(is_call("ended"))
    finish(ok)  # it got our BYE
    assert c.quit() == 0


def test_302_loop_is_stopped_by_the_limit(rig: Rig) -> None:  # noqa: F811
    from parley.phone.redirect import MAX_REDIRECTS

    c = rig.parley()
    loop = uas(rig, "redirect_loop.xml", calls=50)
    c.send(f"dial sip:callee@127.0.0.1:{loop.local_port}")
    ended = c.wait_for(is_call("ended"), timeout=30)
    assert ended["status"] == 302, ended
    assert ended["note"] == "redirected", ended
    loop.stop()
    invites = received(loop, "INVITE ")
    # The first target and MAX_REDIRECTS more, each a new Call-ID, never the same URI.
    assert len({header(m, "Call-ID") for m in invites}) == 1 + MAX_REDIRECTS, invites
    uris = [m.splitlines()[0].split()[1] for m in invites]
    assert len(set(uris)) == len(uris) == 1 + MAX_REDIRECTS, uris
    assert c.quit() == 0


def test_follow_redirects_off_fails_with_the_302(rig: Rig) -> None:  # noqa: F811
    c = rig.parley(functions={"follow_redirects": False})
    target = uas(rig, "call_uas.xml")
    redirector = uas(rig, "redirect_302.xml", contacts=f"<sip:ok@127.0.0.1:{target.local_port}>")
    c.send(f"dial sip:callee@127.0.0.1:{redirector.local_port}")
    ended = c.wait_for(is_call("ended"), timeout=20)
    assert ended["status"] == 302 and ended["note"] is None, ended
    assert ended["text"] == "Moved", ended
    finish(redirector)
    assert received(target, "INVITE") == []
    assert c.quit() == 0


# ---------------------------------------------------------------- Parley redirects callers


def test_deflection_gives_the_caller_302_with_the_target(rig: Rig) -> None:  # noqa: F811
    c = rig.parley()
    caller = rig.sipp("deflected_after_ringing.xml", calls_parley=True)
    incoming = c.wait_for(is_call("incoming"))
    c.send(f"deflect 1003 {incoming['call']}")
    ended = c.wait_for(is_call("ended"))
    assert ended["note"] == "deflected" and ended["status"] == 302, ended
    assert ended["text"] == "Deflected."
    finish(caller)
    (moved,) = received(caller, "SIP/2.0 302")
    # A number goes on the account's domain (Kamailio's address).
    assert f"<sip:1003@127.0.0.1:{rig.kamailio.udp_port}>" in header(moved, "Contact")
    c.send("history 1")
    line = c.wait_for(lambda e: e.get("event") == "reply" and "deflected" in e.get("text", ""))
    assert "deflected" in line["text"]
    assert c.quit() == 0


def test_deflect_without_a_ringing_call_says_so(rig: Rig) -> None:  # noqa: F811
    c = rig.parley()
    c.send("deflect 1003")
    reply = c.wait_for(lambda e: e.get("event") == "reply")
    assert "no call is ringing" in reply["text"]
    assert c.quit() == 0


def test_instant_forwarding_302_before_any_ringing(rig: Rig) -> None:  # noqa: F811
    c = rig.parley(functions={"forwarding": "instant", "forward_to": "sip:desk@127.0.0.1:5999"})
    caller = rig.sipp("forwarded_at_once.xml", calls_parley=True)
    finish(caller)  # a 180 would have failed the scenario
    (moved,) = received(caller, "SIP/2.0 302")
    assert "<sip:desk@127.0.0.1:5999>" in header(moved, "Contact")
    ended = c.wait_for(is_call("ended"))
    assert ended["note"] == "forwarded", ended
    assert not any(e.get("state") == "incoming" for e in c.events if e.get("event") == "call")
    assert c.quit() == 0


def test_delayed_forwarding_302_comes_after_the_180(rig: Rig) -> None:  # noqa: F811
    c = rig.parley(functions={"forwarding": "delayed", "forward_to": "1003", "forward_after": 1})
    caller = rig.sipp("deflected_after_ringing.xml", calls_parley=True)
    c.wait_for(is_call("incoming"))
    ended = c.wait_for(is_call("ended"), timeout=15)
    assert ended["note"] == "forwarded", ended
    finish(caller)  # 180, then 302: the scenario's order
    (moved,) = received(caller, "SIP/2.0 302")
    assert f"<sip:1003@127.0.0.1:{rig.kamailio.udp_port}>" in header(moved, "Contact")
    assert c.quit() == 0


# ---------------------------------------------------------------- Replaces


def test_replaces_for_an_unknown_dialog_gets_481(rig: Rig) -> None:  # noqa: F811
    c = rig.parley()
    sipp = rig.sipp("replaces_unknown.xml", calls_parley=True)
    finish(sipp)
    assert not any(e.get("event") == "call" for e in c.events)  # nothing rang
    assert c.quit() == 0


def test_replaces_takes_over_a_confirmed_call(rig: Rig) -> None:  # noqa: F811
    c = rig.parley("--auto-answer")
    transferor = rig.sipp("call_answered.xml", calls_parley=True)
    first = c.wait_for(is_call("connected"))
    # The dialog as the transferor sees it: its own tag is from-tag, ours the to-tag
    # (SIPp writes its trace with a delay: wait for the 200 to show).
    deadline = time.monotonic() + 10
    while not received(transferor, "SIP/2.0 200") and time.monotonic() < deadline:
        time.sleep(0.1)
    (ok,) = received(transferor, "SIP/2.0 200")
    sent = transferor.messages().split("message sent")[1:]
    (invite,) = [m for m in sent if "INVITE sip:" in m]
    call_id = header(ok, "Call-ID")
    ours, theirs = tag_of(header(ok, "To")), tag_of(header(invite, "From"))
    replaces = f"{call_id};to-tag={ours};from-tag={theirs}"
    transferee = Sipp(
        SCENARIOS / "replaces_confirmed.xml",
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        remote=f"127.0.0.1:{rig.sip_port}",
        keys={
            "replaces": replaces,
            "referred_by": f"<sip:caller@127.0.0.1:{transferor.local_port}>",
        },
        extra_args=["-s", "1001"],
        workdir=rig.tmp_path,
    )
    rig.sipps.append(transferee)
    transferee.start()
    new = c.wait_for(lambda e: is_call("connected")(e) and e["call"] != first["call"])
    assert new["note"] == "replaced", new
    old_end = c.wait_for(is_call("ended", call=first["call"]))
    assert old_end["note"] == "replaced", old_end
    finish(transferor)  # the old call got our BYE
    # The new call has audio: SIPp's A-law pcap arrives.
    data = poll_stats(c, lambda s: s.get("packets_received", 0) > 50)
    assert data["call"] == new["call"] and data["packets_received"] > 50, data
    c.send(f"hangup {new['call']}")
    c.wait_for(is_call("ended", call=new["call"]))
    finish(transferee)  # no 180 came, and it got our BYE
    assert c.quit() == 0


def test_send_to_voicemail_deflects_to_the_voicemail_extension(
    kamailio: Kamailio, tmp_path: Path
) -> None:
    from parley.app import AppError, Application
    from parley.media.engine import AudioConfig
    from parley.settings import AccountSettings, Settings

    port = free_port("udp")
    settings = Settings(
        accounts=[
            AccountSettings(
                name="office",
                domain=f"127.0.0.1:{kamailio.udp_port}",
                username="1001",
                transport="udp",
                local_port=port,
                voicemail_extension="*55",
            )
        ],
        functions={"allow_direct_calls": True},
    )
    app = Application(
        settings=settings,
        passwords={"office": "pass1001"},
        use_keyring=False,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
    )
    caller = Sipp(
        SCENARIOS / "deflected_after_ringing.xml",
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        remote=f"127.0.0.1:{port}",
        extra_args=["-s", "1001"],
        workdir=tmp_path,
    )
    try:
        app.start().result(20)
        caller.start()
        deadline = time.monotonic() + 15
        while not [c for c in app.list_calls() if c.state == "incoming"]:
            assert time.monotonic() < deadline, "the call did not ring"
            time.sleep(0.05)
        (ringing,) = app.list_calls()
        app.calls.send_to_voicemail(ringing).result(10)
        code = caller.wait(timeout=20)
        assert code == 0, caller.errors()
        (moved,) = received(caller, "SIP/2.0 302")
        assert f"<sip:*55@127.0.0.1:{kamailio.udp_port}>" in header(moved, "Contact")
        # Only a ringing call can be sent on.
        with pytest.raises(AppError):
            app.calls.send_to_voicemail(ringing).result(10)
    finally:
        caller.stop()
        app.stop()
