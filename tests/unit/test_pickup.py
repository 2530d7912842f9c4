"""BLF pickup, the pure part: a pickup code where the account has a prefix, else an
INVITE to the caller with Replaces built from the dialog-info body — checked against
Parley's own RFC 3891 target logic on both phones of the ringing call."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from dialog_info_bodies import KAMAILIO_CALLEE_EARLY

from parley.phone.pickup import PickupError, PickupProblem, extension_of, pickup_target
from parley.phone.replaces_target import DialogMatch, find_replaced, verdict
from parley.settings.model import AccountSettings
from parley.sip.dialog_info import (
    BlfState,
    BlfView,
    Dialog,
    DialogInfo,
    DialogState,
    Direction,
    DocumentState,
    Participant,
    Target,
    blf_view,
    parse,
)
from parley.sip.replaces import Replaces
from parley.sip.uri import SipURI

# Kamailio (pua_dialoginfo + presence_dialoginfo): 1002 calls 1003, 1003 rings.
KAMAILIO_RINGING = KAMAILIO_CALLEE_EARLY

# Asterisk res_pjsip: rings, names the caller but not the call.
ASTERISK_RINGING = b"""<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="full" entity="sip:1003@pbx.example.com">
 <dialog id="1003" direction="recipient">
  <remote><identity display="Alice">sip:1002@pbx.example.com</identity><target uri="sip:1002@pbx.example.com"/></remote>
  <local><identity>sip:1003@pbx.example.com</identity><target uri="sip:1003@pbx.example.com"/></local>
  <state>early</state>
 </dialog>
</dialog-info>
"""


def account(prefix: str | None = None) -> AccountSettings:
    return AccountSettings(name="o", domain="127.0.0.1:5060", username="1001", pickup_prefix=prefix)


def test_replaces_pickup_invites_the_caller_with_the_callers_tag_as_to_tag() -> None:
    target, headers = pickup_target(blf_view(parse(KAMAILIO_RINGING)), account())
    assert target == "sip:1002@127.0.0.1"  # the caller's address of record: the PBX routes it
    assert headers == [
        ("Replaces", "a84b4c76e66710@127.0.0.1;to-tag=a-1002;from-tag=b-1003;early-only"),
        ("Require", "replaces"),
    ]


def test_without_an_address_of_record_the_callers_device_is_invited() -> None:
    body = KAMAILIO_RINGING.replace(b"<identity>sip:1002@127.0.0.1</identity>", b"")
    target, headers = pickup_target(blf_view(parse(body)), account())
    assert target == "sip:1002@127.0.0.1:5080;transport=udp"
    assert headers[0][0] == "Replaces"


def test_an_identity_that_is_no_sip_address_falls_back_to_the_target() -> None:
    body = KAMAILIO_RINGING.replace(b"sip:1002@127.0.0.1</identity>", b"tel:+4930123456</identity>")
    target, _ = pickup_target(blf_view(parse(body)), account())
    assert target == "sip:1002@127.0.0.1:5080;transport=udp"


@pytest.mark.parametrize(
    ("prefix", "line", "expected"),
    [
        ("*8", "", "*81003"),  # the entity the notifier names
        ("**", "1003", "**1003"),  # FreeSWITCH intercept, the line as configured
        (" *8 ", "sip:1003@pbx.example.com", "*81003"),
        ("*8", "<sips:1003@pbx.example.com;transport=tls>", "*81003"),
        ("*8", "1003@pbx.example.com", "*81003"),
    ],
)
def test_pickup_code_dials_prefix_and_extension_without_replaces(
    prefix: str, line: str, expected: str
) -> None:
    view = blf_view(parse(ASTERISK_RINGING))
    assert pickup_target(view, account(prefix), line) == (expected, [])


def test_pickup_code_is_dialled_even_when_our_state_lags() -> None:
    idle = BlfView(BlfState.UNKNOWN, entity="sip:1003@pbx.example.com")
    assert pickup_target(idle, account("*8")) == ("*81003", [])


def test_pickup_code_needs_an_extension() -> None:
    view = BlfView(BlfState.RINGING, entity="sip:pbx.example.com")
    with pytest.raises(PickupError) as caught:
        pickup_target(view, account("*8"))
    assert caught.value.problem is PickupProblem.NO_EXTENSION


def test_asterisk_body_without_call_identifiers_needs_the_prefix() -> None:
    with pytest.raises(PickupError) as caught:
        pickup_target(blf_view(parse(ASTERISK_RINGING)), account())
    assert caught.value.problem is PickupProblem.NO_DIALOG
    assert "no dialog identifiers" in str(caught.value)


@pytest.mark.parametrize("state", [BlfState.IDLE, BlfState.BUSY, BlfState.HELD, BlfState.UNKNOWN])
def test_nothing_to_pick_up_when_the_line_does_not_ring(state: BlfState) -> None:
    with pytest.raises(PickupError) as caught:
        pickup_target(BlfView(state, entity="sip:1003@h"), account())
    assert caught.value.problem is PickupProblem.NOT_RINGING


def test_a_ringing_dialog_that_names_no_caller_cannot_be_picked_up_with_replaces() -> None:
    dialog = Dialog("1", DialogState.EARLY, "c@h", "l", "r", Direction.RECIPIENT)
    view = blf_view(DialogInfo(1, DocumentState.FULL, "sip:1003@h", (dialog,)))
    assert view.pickup is not None
    with pytest.raises(PickupError) as caught:
        pickup_target(view, account())
    assert caught.value.problem is PickupProblem.NO_CALLER


def test_extension_of() -> None:
    assert extension_of("1003") == "1003"
    assert extension_of("sip:1003@h:5060;transport=tcp") == "1003"
    assert extension_of("sip:h") == ""
    assert extension_of("sip:@@bad") == ""


# --- the Replaces against Parley's own target logic ---------------------------------


def _phone_with_call(
    *, direction: str, local_tag: str, remote_tag: str, remote: str, call_id: str
) -> Any:
    """A phone holding one ringing call, as `find_replaced` reads calls."""
    dialog = SimpleNamespace(
        remote_tag=remote_tag,
        confirmed=False,
        terminated=False,
        remote_uri=SimpleNamespace(uri=SipURI.parse(remote)),
    )
    session = SimpleNamespace(
        call_id=call_id, local_tag=local_tag, dialog=None, early_dialogs=[dialog]
    )
    return SimpleNamespace(session=session, direction=direction, connected_at=None, remote=remote)


def test_the_caller_takes_our_invite_and_the_ringing_phone_would_refuse_it() -> None:
    """The caller (1002) began the early dialog: its local tag is the From-tag a-1002,
    the ringing phone (1003) has b-1003. Our Replaces must match the caller's dialog as
    one it may replace; at the ringing phone the same dialog is 481 (RFC 3891 §3)."""
    _, headers = pickup_target(blf_view(parse(KAMAILIO_RINGING)), account())
    replaces = Replaces.parse(dict(headers)["Replaces"])
    call_id = "a84b4c76e66710@127.0.0.1"
    caller = _phone_with_call(
        direction="outgoing",
        local_tag="a-1002",
        remote_tag="b-1003",
        remote="sip:1003@127.0.0.1",
        call_id=call_id,
    )
    callee = _phone_with_call(
        direction="incoming",
        local_tag="b-1003",
        remote_tag="a-1002",
        remote="sip:1002@127.0.0.1",
        call_id=call_id,
    )
    found = find_replaced(replaces, [caller])
    assert found is not None and found.match is DialogMatch.EARLY_OURS
    assert verdict(found, early_only=True, ended=False, from_server=True, names_party=False) is None
    # the ringing phone does not even find it (the tags are the other way round)
    assert find_replaced(replaces, [callee]) is None
    # and with the tags as the ringing phone sees them, it would refuse: not its to replace
    swapped = Replaces(replaces.call_id, replaces.from_tag, replaces.to_tag, early_only=True)
    at_callee = find_replaced(swapped, [callee])
    assert at_callee is not None and at_callee.match is DialogMatch.EARLY_THEIRS
    assert verdict(
        at_callee, early_only=True, ended=False, from_server=True, names_party=False
    ) == (
        481,
        "Call/Transaction Does Not Exist",
    )


def test_pickup_of_a_view_built_by_hand_uses_the_remote_target_params() -> None:
    dialog = Dialog(
        "1",
        DialogState.EARLY,
        "x@h",
        "mine",
        "theirs",
        Direction.RECIPIENT,
        remote=Participant("", "", Target("sips:caller@10.0.0.2:5061;transport=tls")),
    )
    view = blf_view(DialogInfo(1, DocumentState.FULL, "sip:1003@h", (dialog,)))
    target, headers = pickup_target(view, account())
    assert target == "sips:caller@10.0.0.2:5061;transport=tls"
    assert ("Replaces", "x@h;to-tag=theirs;from-tag=mine;early-only") in headers


def test_uri_headers_from_the_body_do_not_reach_the_request_uri() -> None:
    body = KAMAILIO_RINGING.replace(
        b"<identity>sip:1002@127.0.0.1</identity>",
        b"<identity>sip:1002@127.0.0.1?Replaces=evil%3Bto-tag%3D1%3Bfrom-tag%3D2</identity>",
    )
    target, headers = pickup_target(blf_view(parse(body)), account())
    assert target == "sip:1002@127.0.0.1"
    assert dict(headers)["Replaces"].startswith("a84b4c76e66710@127.0.0.1;")
