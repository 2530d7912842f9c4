"""RFC 4235 dialog-info documents: real bodies of Kamailio, Asterisk and FreeSWITCH, the
BLF view of each state, partial documents with their version checks, hostile XML, and
the documents Parley writes about its own calls."""

from __future__ import annotations

import pytest
from dialog_info_bodies import KAMAILIO_CALLEE_EARLY
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.sip.dialog_info import (
    BlfState,
    Dialog,
    DialogInfo,
    DialogInfoError,
    DialogState,
    Direction,
    DocumentState,
    MergeOutcome,
    Participant,
    Target,
    blf_view,
    build,
    merge,
    parse,
    terminated,
)
from parley.sip.replaces import Replaces

# --- real bodies --------------------------------------------------------------------

# KAMAILIO_CALLEE_EARLY (from dialog_info_bodies): the callee's side of a call
# 1002 -> 1003 that rings, as Kamailio notifies it.

# The caller's side of the same call (direction initiator, early): the caller is busy.
KAMAILIO_CALLER_EARLY = b"""<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="4"           state="full" entity="sip:1002@127.0.0.1">
  <dialog id="padi-6567a1f3-53e1-1" call-id="a84b4c76e66710@127.0.0.1" local-tag="a-1002" remote-tag="b-1003" direction="initiator">
    <state>early</state>
    <remote>
      <identity>sip:1003@127.0.0.1</identity>
      <target uri="sip:1003@127.0.0.1:5090"/>
    </remote>
    <local>
      <identity>sip:1002@127.0.0.1</identity>
      <target uri="sip:1002@127.0.0.1:5080;transport=udp"/>
    </local>
  </dialog>
</dialog-info>
"""

# The answered call: Kamailio's confirmed publication carries no tags.
KAMAILIO_CONFIRMED = b"""<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="2" state="full" entity="sip:1003@127.0.0.1">
  <dialog id="padi-6567a1f3-53e1-1" call-id="a84b4c76e66710@127.0.0.1" direction="recipient">
    <state>confirmed</state>
    <remote><identity>sip:1002@127.0.0.1</identity><target uri="sip:1002@127.0.0.1:5080"/></remote>
    <local><identity>sip:1003@127.0.0.1</identity><target uri="sip:1003@127.0.0.1"/></local>
  </dialog>
</dialog-info>
"""

# force_dummy_dialog: the "nothing going on" document Kamailio makes without a publication.
KAMAILIO_DUMMY = b"""<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0"           state="full" entity="sip:1003@127.0.0.1">
  <dialog id="615293b33c62dec073e05d9421e9f48b" direction="recipient">
    <state>terminated</state>
  </dialog>
</dialog-info>
"""

# callee_trying: "Trying" (capitalised) before the phone answers anything, no tags;
# attribute_display: the user part as `display` on the target.
KAMAILIO_TRYING = b"""<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="sip:1003@127.0.0.1">
  <dialog id="x1" call-id="x1@127.0.0.1" direction="recipient">
    <state>Trying</state>
    <remote><identity>sip:1002@127.0.0.1</identity><target display="1002" uri="sip:1002@127.0.0.1"/></remote>
  </dialog>
</dialog-info>
"""

# Asterisk res_pjsip_dialog_info_body_generator: ringing, with the caller's name from
# the connected line; no call-id or tags at all, and <local>/<remote> before <state>.
ASTERISK_PJSIP_RINGING = b"""<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="full" entity="sip:1003@pbx.example.com">
 <dialog id="1003" direction="recipient">
  <remote>
   <identity display="Alice Caller">sip:1002@pbx.example.com</identity>
   <target uri="sip:1002@pbx.example.com"/>
  </remote>
  <local>
   <identity display="Bob">sip:1003@pbx.example.com</identity>
   <target uri="sip:1003@pbx.example.com"/>
  </local>
  <state>early</state>
 </dialog>
</dialog-info>
"""

# Asterisk on hold: the hold mark is a <local> after <state>, with +sip.rendering=no.
ASTERISK_PJSIP_HOLD = b"""<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="4" state="full" entity="sip:1003@pbx.example.com">
 <dialog id="1003">
  <state>confirmed</state>
  <local>
   <target uri="sip:1003@pbx.example.com">
    <param pname="+sip.rendering" pvalue="no"/>
   </target>
  </local>
 </dialog>
</dialog-info>
"""

ASTERISK_PJSIP_IDLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="5" state="full" entity="sip:1003@pbx.example.com">
 <dialog id="1003">
  <state>terminated</state>
 </dialog>
</dialog-info>
"""

# chan_sip (notifycid, pedantic): a made-up "pickup-" call-id that Asterisk recognises
# in the Replaces of the picking phone's INVITE.
ASTERISK_CHAN_SIP_RINGING = b"""<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="7" state="full" entity="sip:1003@pbx.example.com">
<dialog id="1003" call-id="pickup-3c2a9f0e@10.0.0.5" local-tag="as58f4201b" remote-tag="sub-tag-77" direction="recipient">
<remote>
<identity display="Alice">sip:1002@pbx.example.com</identity>
<target uri="sip:1002@pbx.example.com"/>
</remote>
<local>
<identity display="1003">sip:1003@pbx.example.com</identity>
<target uri="sip:1003@pbx.example.com"/>
</local>
<state>early</state>
</dialog>
</dialog-info>
"""

# FreeSWITCH mod_sofia: call-id and tags, +sip.rendering on the local target, and a
# remote target that is the intercept code (**1003).
FREESWITCH_HELD = b"""<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="12" state="full" entity="sip:1003@fs.example.com">
<dialog id="0c6b9c2e-3d4f-11ee-9c58-5b0d3a7d4c11" call-id="4b1f-33@10.0.0.9" local-tag="Kp9aF" remote-tag="77aa" direction="recipient">
 <state>confirmed</state>
 <local>
  <identity display="1003">sip:1003@fs.example.com</identity>
  <target uri="sip:1003@fs.example.com">
   <param pname="+sip.rendering" pvalue="no"/>
  </target>
 </local>
 <remote>
  <identity display="Alice">sip:1002@fs.example.com</identity>
  <target uri="sip:**1003@fs.example.com"/>
 </remote>
</dialog>
</dialog-info>
"""

# RFC 4235 §5 style with a namespace prefix, a state event and code, and a duration.
RFC_PREFIXED = b"""<?xml version="1.0"?>
<d:dialog-info xmlns:d="urn:ietf:params:xml:ns:dialog-info" version="0" state="partial" entity="sip:alice@example.com">
  <d:dialog id="as7d900as8" call-id="a84b4c76e66710" local-tag="1928301774" direction="initiator">
    <d:state event="rejected" code="486">terminated</d:state>
    <d:duration>274</d:duration>
  </d:dialog>
</d:dialog-info>
"""

# A phone with nothing going on: no dialog elements at all.
EMPTY_FULL = b"""<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:1004@127.0.0.1"/>
"""


def test_kamailio_ringing_callee_is_parsed_with_every_part() -> None:
    doc = parse(KAMAILIO_CALLEE_EARLY)
    assert (doc.version, doc.state, doc.entity) == (1, DocumentState.FULL, "sip:1003@127.0.0.1")
    (dialog,) = doc.dialogs
    assert dialog.id == "padi-6567a1f3-53e1-1"  # Kamailio's own id, not the Call-ID
    assert dialog.call_id == "a84b4c76e66710@127.0.0.1"
    assert (dialog.local_tag, dialog.remote_tag) == ("b-1003", "a-1002")
    assert dialog.direction is Direction.RECIPIENT
    assert dialog.state is DialogState.EARLY
    assert dialog.remote == Participant(
        "sip:1002@127.0.0.1", "", Target("sip:1002@127.0.0.1:5080;transport=udp")
    )
    assert dialog.local.identity == "sip:1003@127.0.0.1"
    assert not dialog.held


def test_ringing_line_shows_ringing_and_the_pickup_pointer_names_the_callers_tag_as_to_tag() -> (
    None
):
    view = blf_view(parse(KAMAILIO_CALLEE_EARLY))
    assert view.state is BlfState.RINGING
    assert (view.caller, view.caller_uri) == ("sip:1002@127.0.0.1", "sip:1002@127.0.0.1")
    assert view.entity == "sip:1003@127.0.0.1"
    pointer = view.pickup
    assert pointer is not None
    # the INVITE goes to the caller: its own tag (remote-tag here) is the to-tag
    assert pointer.replaces == Replaces(
        "a84b4c76e66710@127.0.0.1", to_tag="a-1002", from_tag="b-1003", early_only=True
    )
    assert (
        str(pointer.replaces) == "a84b4c76e66710@127.0.0.1;to-tag=a-1002;from-tag=b-1003;early-only"
    )
    assert pointer.caller == "sip:1002@127.0.0.1"
    assert pointer.caller_target == "sip:1002@127.0.0.1:5080;transport=udp"


def test_both_sides_of_one_call_give_the_same_replaces() -> None:
    """Watching the caller or the callee of a call names one dialog for the INVITE to
    the caller — only the callee's line shows ringing, the caller's shows busy."""
    callee = blf_view(parse(KAMAILIO_CALLEE_EARLY))
    caller = blf_view(parse(KAMAILIO_CALLER_EARLY))
    assert caller.state is BlfState.BUSY
    assert caller.pickup is None
    assert caller.caller_uri == "sip:1003@127.0.0.1"  # the other party: whom 1002 calls
    assert callee.pickup is not None
    caller_dialog = parse(KAMAILIO_CALLER_EARLY).dialogs[0]
    assert callee.pickup.to_tag == caller_dialog.local_tag
    assert callee.pickup.from_tag == caller_dialog.remote_tag


def test_confirmed_call_is_busy() -> None:
    view = blf_view(parse(KAMAILIO_CONFIRMED))
    assert view.state is BlfState.BUSY
    assert view.caller_uri == "sip:1002@127.0.0.1"
    assert view.pickup is None


@pytest.mark.parametrize("body", [KAMAILIO_DUMMY, ASTERISK_PJSIP_IDLE, EMPTY_FULL])
def test_nothing_going_on_is_idle(body: bytes) -> None:
    view = blf_view(parse(body))
    assert view.state is BlfState.IDLE
    assert view.caller == "" and view.pickup is None


def test_kamailio_trying_capitalised_rings_but_names_no_dialog_to_pick_up() -> None:
    doc = parse(KAMAILIO_TRYING)
    assert doc.dialogs[0].state is DialogState.TRYING
    view = blf_view(doc)
    assert view.state is BlfState.RINGING
    assert view.pickup is None  # no tags yet: nothing to put in a Replaces
    assert view.dialog is not None and view.dialog.remote.display == "1002"  # from the target
    assert view.caller == "1002"


def test_asterisk_pjsip_ringing_with_local_and_remote_before_the_state() -> None:
    doc = parse(ASTERISK_PJSIP_RINGING)
    (dialog,) = doc.dialogs
    assert dialog.state is DialogState.EARLY and dialog.call_id == ""
    assert dialog.remote.display == "Alice Caller"
    view = blf_view(doc)
    assert view.state is BlfState.RINGING
    assert view.caller == "Alice Caller"
    assert view.caller_uri == "sip:1002@pbx.example.com"
    assert view.pickup is None  # Asterisk wants its pickup code instead


def test_asterisk_hold_mark_in_a_second_local_element_is_held() -> None:
    doc = parse(ASTERISK_PJSIP_HOLD)
    (dialog,) = doc.dialogs
    assert dialog.local.target is not None
    assert dialog.local.target.param("+SIP.rendering") == "no"
    assert dialog.local.target.rendering is False
    assert dialog.held
    assert blf_view(doc).state is BlfState.HELD


def test_asterisk_two_local_elements_are_read_together() -> None:
    body = ASTERISK_PJSIP_RINGING.replace(
        b"  <state>early</state>\n",
        b'  <state>confirmed</state>\n  <local><target uri="sip:1003@pbx.example.com">'
        b'<param pname="+sip.rendering" pvalue="no"/></target></local>\n',
    )
    (dialog,) = parse(body).dialogs
    assert dialog.local.identity == "sip:1003@pbx.example.com"
    assert dialog.local.display == "Bob"
    assert dialog.held
    view = blf_view(parse(body))
    assert view.state is BlfState.HELD
    assert view.caller == "Alice Caller"


def test_chan_sip_pickup_call_id_is_kept_for_the_replaces() -> None:
    view = blf_view(parse(ASTERISK_CHAN_SIP_RINGING))
    assert view.state is BlfState.RINGING
    assert view.pickup is not None
    assert view.pickup.call_id == "pickup-3c2a9f0e@10.0.0.5"
    # chan_sip matches to-tag against its own tag (remote-tag) and from-tag against
    # the subscriber's (local-tag): the same rule as for a real dialog
    assert (view.pickup.to_tag, view.pickup.from_tag) == ("sub-tag-77", "as58f4201b")


def test_freeswitch_rendering_no_is_held_and_yes_is_busy() -> None:
    doc = parse(FREESWITCH_HELD)
    (dialog,) = doc.dialogs
    assert dialog.remote.target == Target("sip:**1003@fs.example.com")
    assert blf_view(doc).state is BlfState.HELD
    talking = parse(FREESWITCH_HELD.replace(b'pvalue="no"', b'pvalue="yes"'))
    assert talking.dialogs[0].local.target is not None
    assert talking.dialogs[0].local.target.rendering is True
    assert blf_view(talking).state is BlfState.BUSY


def test_prefixed_namespace_state_event_code_and_duration() -> None:
    doc = parse(RFC_PREFIXED)
    assert doc.state is DocumentState.PARTIAL
    (dialog,) = doc.dialogs
    assert dialog.state is DialogState.TERMINATED
    assert (dialog.event, dialog.code, dialog.duration) == ("rejected", 486, 274)
    assert dialog.direction is Direction.INITIATOR
    assert dialog.remote_tag == ""


def test_elements_without_namespace_are_read_like_kamailio_copies_them() -> None:
    body = (
        b'<dialog-info version="1" state="full" entity="sip:1003@h">'
        b'<dialog id="d" direction="recipient"><state>early</state></dialog></dialog-info>'
    )
    assert blf_view(parse(body)).state is BlfState.RINGING


def test_a_text_body_and_a_latin1_declared_body_are_read() -> None:
    assert parse(KAMAILIO_CALLEE_EARLY.decode()).dialogs[0].local_tag == "b-1003"
    latin = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>'
        '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" '
        'entity="sip:1003@h"><dialog id="1" direction="recipient"><state>early</state>'
        '<remote><identity display="J\u00fcrgen">sip:1002@h</identity></remote></dialog></dialog-info>'
    ).encode("latin-1")
    assert blf_view(parse(latin)).caller == "J\u00fcrgen"


def test_unknown_direction_and_garbage_decorations_are_tolerated() -> None:
    body = (
        b'<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="FULL" '
        b'entity="sip:x@h"><dialog id="1" direction="sideways"><state code="abc">CONFIRMED</state>'
        b"<duration>-3</duration><extra xmlns='urn:x'><dialog id='no'/></extra></dialog></dialog-info>"
    )
    (dialog,) = parse(body).dialogs
    assert dialog.direction is None and dialog.code is None and dialog.duration is None
    assert dialog.state is DialogState.CONFIRMED


# --- every BLF state, and several dialogs -------------------------------------------


def _dialog(
    ident: str,
    state: DialogState,
    direction: Direction | None = Direction.RECIPIENT,
    *,
    tags: bool = True,
    held: bool = False,
    caller: str = "sip:1002@h",
) -> Dialog:
    params = (("+sip.rendering", "no"),) if held else ()
    return Dialog(
        id=ident,
        state=state,
        call_id=f"call-{ident}" if tags else "",
        local_tag=f"local-{ident}" if tags else "",
        remote_tag=f"remote-{ident}" if tags else "",
        direction=direction,
        local=Participant("sip:1003@h", "", Target("sip:1003@10.0.0.3", params)),
        remote=Participant(caller, "", Target("sip:c@10.0.0.2")),
    )


def _doc(
    *dialogs: Dialog, version: int = 1, state: DocumentState = DocumentState.FULL
) -> DialogInfo:
    return DialogInfo(version, state, "sip:1003@h", dialogs)


@pytest.mark.parametrize(
    ("dialogs", "expected"),
    [
        ((), BlfState.IDLE),
        ((_dialog("1", DialogState.TERMINATED),), BlfState.IDLE),
        ((_dialog("1", DialogState.EARLY),), BlfState.RINGING),
        ((_dialog("1", DialogState.PROCEEDING),), BlfState.RINGING),
        ((_dialog("1", DialogState.EARLY, None),), BlfState.RINGING),
        ((_dialog("1", DialogState.EARLY, Direction.INITIATOR),), BlfState.BUSY),
        ((_dialog("1", DialogState.TRYING, Direction.INITIATOR),), BlfState.BUSY),
        ((_dialog("1", DialogState.CONFIRMED),), BlfState.BUSY),
        ((_dialog("1", DialogState.CONFIRMED, held=True),), BlfState.HELD),
        # an early dialog whose local target says "not rendered" is still ringing
        ((_dialog("1", DialogState.EARLY, held=True),), BlfState.RINGING),
        # held and a second call talking: busy
        (
            (
                _dialog("1", DialogState.CONFIRMED, held=True),
                _dialog("2", DialogState.CONFIRMED),
            ),
            BlfState.BUSY,
        ),
        # held and dialling out: busy
        (
            (
                _dialog("1", DialogState.CONFIRMED, held=True),
                _dialog("2", DialogState.EARLY, Direction.INITIATOR),
            ),
            BlfState.BUSY,
        ),
        # on the phone and a second call rings: ringing wins
        ((_dialog("1", DialogState.CONFIRMED), _dialog("2", DialogState.EARLY)), BlfState.RINGING),
        # two held calls: held
        (
            (
                _dialog("1", DialogState.CONFIRMED, held=True),
                _dialog("2", DialogState.CONFIRMED, held=True),
            ),
            BlfState.HELD,
        ),
    ],
)
def test_every_blf_state(dialogs: tuple[Dialog, ...], expected: BlfState) -> None:
    assert blf_view(_doc(*dialogs)).state is expected


def test_second_ringing_call_while_on_the_phone_is_the_pickup_pointer() -> None:
    view = blf_view(
        _doc(
            _dialog("talk", DialogState.CONFIRMED, caller="sip:boss@h"),
            _dialog("ring", DialogState.EARLY, caller="sip:customer@h"),
        )
    )
    assert view.caller_uri == "sip:customer@h"
    assert view.pickup is not None and view.pickup.call_id == "call-ring"


def test_the_ringing_dialog_that_names_its_call_is_the_pickup_pointer() -> None:
    view = blf_view(
        _doc(
            _dialog("a", DialogState.TRYING, tags=False),
            _dialog("b", DialogState.TRYING),
            _dialog("c", DialogState.EARLY),
        )
    )
    assert view.pickup is not None
    assert (view.pickup.call_id, view.pickup.to_tag, view.pickup.from_tag) == (
        "call-c",
        "remote-c",
        "local-c",
    )
    # without an early one, a trying dialog with tags beats one without
    view = blf_view(
        _doc(_dialog("a", DialogState.TRYING, tags=False), _dialog("b", DialogState.TRYING))
    )
    assert view.pickup is not None and view.pickup.call_id == "call-b"


def test_busy_prefers_the_call_not_on_hold_for_the_party_shown() -> None:
    view = blf_view(
        _doc(
            _dialog("1", DialogState.CONFIRMED, held=True, caller="sip:held@h"),
            _dialog("2", DialogState.CONFIRMED, caller="sip:talking@h"),
        )
    )
    assert (view.state, view.caller_uri) == (BlfState.BUSY, "sip:talking@h")


# --- partial documents and versions -------------------------------------------------


def test_partial_updates_fold_into_the_full_state() -> None:
    first = merge(None, _doc(_dialog("1", DialogState.EARLY), version=5))
    assert first.outcome is MergeOutcome.APPLIED and first.document is not None
    assert blf_view(first.document).state is BlfState.RINGING

    answered = _doc(_dialog("1", DialogState.CONFIRMED), version=6, state=DocumentState.PARTIAL)
    second = merge(first.document, answered)
    assert second.outcome is MergeOutcome.APPLIED and second.document is not None
    assert second.document.state is DocumentState.FULL and second.document.version == 6
    assert [d.state for d in second.document.dialogs] == [DialogState.CONFIRMED]
    assert blf_view(second.document).state is BlfState.BUSY

    another = _doc(_dialog("2", DialogState.EARLY), version=7, state=DocumentState.PARTIAL)
    third = merge(second.document, another)
    assert third.document is not None
    assert [d.id for d in third.document.dialogs] == ["1", "2"]
    assert blf_view(third.document).state is BlfState.RINGING

    ended = _doc(
        terminated(_dialog("1", DialogState.CONFIRMED), "remote-bye"),
        terminated(_dialog("2", DialogState.EARLY), "cancelled", 487),
        version=8,
        state=DocumentState.PARTIAL,
    )
    fourth = merge(third.document, ended)
    assert fourth.document is not None
    # reported once as terminated (so a listener sees why) ...
    assert {(d.id, d.event) for d in fourth.document.dialogs} == {
        ("1", "remote-bye"),
        ("2", "cancelled"),
    }
    assert blf_view(fourth.document).state is BlfState.IDLE
    # ... and gone from the state after the next document
    fifth = merge(fourth.document, _doc(version=9, state=DocumentState.PARTIAL))
    assert fifth.document is not None and fifth.document.dialogs == ()


def test_a_version_gap_asks_for_a_new_subscribe_and_keeps_the_state() -> None:
    full = _doc(_dialog("1", DialogState.EARLY), version=3)
    lost = merge(
        full, _doc(_dialog("1", DialogState.CONFIRMED), version=5, state=DocumentState.PARTIAL)
    )
    assert lost.outcome is MergeOutcome.RESUBSCRIBE
    assert lost.document is full
    # the full document the new SUBSCRIBE brings repairs it, whatever its version
    repaired = merge(full, _doc(_dialog("1", DialogState.CONFIRMED), version=9))
    assert repaired.outcome is MergeOutcome.APPLIED
    assert repaired.document is not None and repaired.document.version == 9


def test_a_partial_document_without_a_full_one_asks_for_a_new_subscribe() -> None:
    result = merge(
        None, _doc(_dialog("1", DialogState.EARLY), version=0, state=DocumentState.PARTIAL)
    )
    assert (result.outcome, result.document) == (MergeOutcome.RESUBSCRIBE, None)


@pytest.mark.parametrize("version", [2, 3])
@pytest.mark.parametrize("state", [DocumentState.FULL, DocumentState.PARTIAL])
def test_old_or_repeated_versions_are_ignored(version: int, state: DocumentState) -> None:
    current = _doc(_dialog("1", DialogState.CONFIRMED), version=3)
    old = _doc(_dialog("1", DialogState.EARLY), version=version, state=state)
    result = merge(current, old)
    assert (result.outcome, result.document) == (MergeOutcome.STALE, current)


def test_real_partial_body_merges_into_a_real_full_body() -> None:
    full = parse(KAMAILIO_CALLEE_EARLY)
    partial = parse(
        KAMAILIO_CONFIRMED.replace(b'version="2" state="full"', b'version="2" state="partial"')
    )
    merged = merge(full, partial)
    assert merged.outcome is MergeOutcome.APPLIED and merged.document is not None
    assert merged.document.entity == "sip:1003@127.0.0.1"
    assert blf_view(merged.document).state is BlfState.BUSY


# --- hostile and broken bodies ------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="&lol4;"/>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="sip:a@b">
<dialog id="1"><state>early</state><remote><identity>&xxe;</identity></remote></dialog></dialog-info>
"""

DTD_ONLY = b"""<?xml version="1.0"?>
<!DOCTYPE dialog-info SYSTEM "http://127.0.0.1:1/dialog-info.dtd">
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="sip:a@b"/>
"""

_NS = b'xmlns="urn:ietf:params:xml:ns:dialog-info"'


def _root(attrs: bytes, inner: bytes = b"") -> bytes:
    return b"<dialog-info " + _NS + b" " + attrs + b">" + inner + b"</dialog-info>"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (BILLION_LAUGHS, "forbidden"),
        (XXE, "forbidden"),
        (DTD_ONLY, "forbidden"),
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"<dialog-info", "not well-formed"),
        (b"\xff\xfe<\x00d\x00", "not well-formed"),
        (b"Messages-Waiting: yes\r\n", "not well-formed"),
        (
            b'<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"/>',
            "not dialog-info",
        ),
        (
            b'<dialog-info xmlns="urn:example:other" version="1" state="full"/>',
            "not dialog-info",
        ),
        (_root(b'state="full" entity="sip:a@b"'), "no version"),
        (_root(b'version="x1" state="full"'), "not a number"),
        (_root(b'version="-1" state="full"'), "not a number"),
        (_root(b'version="4294967296" state="full"'), "out of range"),
        (_root(b'version="99999999999999999999" state="full"'), "out of range"),
        (_root(b'version="\xd9\xa3" state="full"'), "not a number"),  # an Arabic-Indic 3
        (_root(b'version="1"'), "not 'full' or 'partial'"),
        (_root(b'version="1" state="most"'), "not 'full' or 'partial'"),
        (_root(b'version="1" state="full"', b'<dialog id="1"/>'), "has no state"),
        (_root(b'version="1" state="full"', b"<dialog><state>early</state></dialog>"), "no id"),
        (
            _root(b'version="1" state="full"', b'<dialog id="1"><state>ringing</state></dialog>'),
            "unknown state",
        ),
        (
            _root(
                b'version="1" state="full"', b'<dialog id="1"><state>early</state></dialog>' * 300
            ),
            "more than",
        ),
        (
            _root(b'version="1" state="full" entity="sip:' + b"a" * 5000 + b'@h"'),
            "longer than",
        ),
        (b"<a>" + b"x" * (300 * 1024) + b"</a>", "larger than"),
    ],
)
def test_hostile_and_broken_bodies_are_refused_clearly(body: bytes, says: str) -> None:
    with pytest.raises(DialogInfoError, match=says):
        parse(body)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_dialog_info_error(body: bytes) -> None:
    try:
        parse(body)
    except DialogInfoError:
        pass


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("<>/=\"' dialog-infostatevrsn1:early&;")), max_size=200)
)
def test_random_markup_raises_only_dialog_info_error(body: str) -> None:
    try:
        parse(body)
    except DialogInfoError:
        pass


# --- documents we write -------------------------------------------------------------


def test_build_round_trips_every_field_and_escapes_markup() -> None:
    dialog = Dialog(
        id='id-<1>&"2"',
        state=DialogState.TERMINATED,
        call_id="c&d@h",
        local_tag="l'1",
        remote_tag="r<2>",
        direction=Direction.INITIATOR,
        event="rejected",
        code=486,
        duration=12,
        local=Participant(
            "sip:1001@h", 'Me & "I"', Target("sip:1001@10.0.0.1;ob", (("+sip.rendering", "no"),))
        ),
        remote=Participant("sip:1002@h", "J\u00fcrgen <x>", Target("sip:1002@10.0.0.2")),
    )
    early = Dialog(id="2", state=DialogState.EARLY, direction=Direction.RECIPIENT)
    body = build("sip:1001@h", [dialog, early], 17)
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    doc = parse(body)
    assert doc == DialogInfo(17, DocumentState.FULL, "sip:1001@h", (dialog, early))


def test_build_partial_and_the_view_of_what_we_report() -> None:
    ringing = Dialog(
        "9",
        DialogState.EARLY,
        "call9@h",
        "ours",
        "theirs",
        Direction.RECIPIENT,
        remote=Participant("sip:1002@h", "Alice"),
    )
    doc = parse(build("sip:1001@h", [ringing], 0, DocumentState.PARTIAL))
    assert doc.state is DocumentState.PARTIAL
    full = merge(DialogInfo(4294967294, DocumentState.FULL, "sip:1001@h"), replace_version(doc))
    assert full.document is not None
    view = blf_view(full.document)
    assert (view.state, view.caller) == (BlfState.RINGING, "Alice")
    assert view.pickup is not None and view.pickup.replaces.to_tag == "theirs"


def replace_version(doc: DialogInfo) -> DialogInfo:
    return DialogInfo(4294967295, doc.state, doc.entity, doc.dialogs)


def test_build_refuses_a_version_out_of_range() -> None:
    with pytest.raises(ValueError, match="out of range"):
        build("sip:a@h", [], 2**32)
    with pytest.raises(ValueError, match="out of range"):
        build("sip:a@h", [], -1)


def test_build_drops_characters_xml_cannot_carry_and_needs_dialog_ids() -> None:
    dialog = Dialog(
        "1",
        DialogState.CONFIRMED,
        remote=Participant("sip:a\x01@h", "Bad\x00Name\x1b", Target("sip:a@h")),
    )
    (back,) = parse(build("sip:me@h", [dialog], 1)).dialogs
    assert (back.remote.identity, back.remote.display) == ("sip:a@h", "BadName")
    with pytest.raises(ValueError, match="needs an id"):
        build("sip:me@h", [Dialog("", DialogState.EARLY)], 1)


@pytest.mark.parametrize(
    ("attrs", "why"),
    [
        (
            b'call-id="x&#13;&#10;Evil: 1" local-tag="l" remote-tag="r"',
            "a line break in the Call-ID",
        ),
        (b'call-id="x@h" local-tag="l;to-tag=q" remote-tag="r"', "a parameter smuggled in a tag"),
        (b'call-id="x@h" local-tag="l" remote-tag="r r"', "a space in a tag"),
        (b'call-id="x@h@i" local-tag="l" remote-tag="r"', "two @ in the Call-ID"),
        (b'call-id="x@h" remote-tag="r"', "no local tag"),
    ],
)
def test_identifiers_unfit_for_a_replaces_header_give_no_pickup_pointer(
    attrs: bytes, why: str
) -> None:
    body = _root(
        b'version="1" state="full" entity="sip:1003@h"',
        b'<dialog id="1" direction="recipient" '
        + attrs
        + b"><state>early</state><remote><identity>sip:1002@h</identity></remote></dialog>",
    )
    view = blf_view(parse(body))
    assert view.state is BlfState.RINGING, why
    assert view.pickup is None, why


def test_odd_but_legal_call_ids_are_kept() -> None:
    body = _root(
        b'version="1" state="full" entity="sip:1003@h"',
        b'<dialog id="1" direction="recipient" call-id="{abc}/[1]:2@host.example" local-tag="a.b~c" '
        b'remote-tag="9%x"><state>early</state></dialog>',
    )
    pointer = blf_view(parse(body)).pickup
    assert pointer is not None
    assert str(pointer.replaces) == "{abc}/[1]:2@host.example;to-tag=9%x;from-tag=a.b~c;early-only"
