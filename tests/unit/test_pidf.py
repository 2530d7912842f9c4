"""The PIDF/RPID codec: our documents round-trip, real peers' documents are understood,
hostile XML is refused with a PidfError and nothing else."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.sip.pidf import (
    MAX_BODY,
    PidfError,
    PresenceState,
    build,
    parse,
)

ENTITY = "sip:1001@pbx.example.com"

# ------------------------------------------------------------------ our own documents

ROUND_TRIP = [s for s in PresenceState if s is not PresenceState.INVISIBLE]


@pytest.mark.parametrize("state", ROUND_TRIP)
def test_each_state_round_trips(state: PresenceState) -> None:
    body = build(ENTITY, state, "back at 2", "t42", "sip:1001@192.0.2.7:5060")
    doc = parse(body)
    assert doc.state is state
    assert doc.note == "back at 2"
    assert doc.entity == ENTITY
    (tup,) = doc.tuples
    assert tup.id == "t42"
    assert tup.contact == "sip:1001@192.0.2.7:5060"


def test_invisible_is_offline_to_everyone() -> None:
    invisible = build(ENTITY, PresenceState.INVISIBLE, "note", "t1")
    assert invisible == build(ENTITY, PresenceState.OFFLINE, "note", "t1")
    assert parse(invisible).state is PresenceState.OFFLINE


@pytest.mark.parametrize(
    ("state", "basic", "activity"),
    [
        (PresenceState.ONLINE, "open", None),
        (PresenceState.AWAY, "open", "away"),
        (PresenceState.BUSY, "open", "busy"),
        (PresenceState.LUNCH, "open", "meal"),
        (PresenceState.ON_THE_PHONE, "open", "on-the-phone"),
        (PresenceState.BRB, "open", "in-transit"),
        (PresenceState.OFFLINE, "closed", None),
        (PresenceState.INVISIBLE, "closed", None),
    ],
)
def test_what_peers_look_for_is_there(
    state: PresenceState, basic: str, activity: str | None
) -> None:
    text = build(ENTITY, state).decode()
    # baresip's subscriber: regular expressions on the raw text.
    assert re.search(rf"<basic[ \t]*>{basic}</basic[ \t]*>", text)
    if activity is None:
        assert "activities" not in text
    else:
        # dm:person/rpid:activities/rpid:X: Kamailio's pres_check_activities and
        # liblinphone's XPath; baresip matches <rpid:busy/> and friends literally.
        assert re.search(
            rf"<dm:person id=\"[^\"]+\">\s*<rpid:activities>\s*<rpid:{activity}/>", text
        )
    assert 'xmlns="urn:ietf:params:xml:ns:pidf"' in text
    assert 'xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"' in text
    assert 'xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"' in text


def test_pidf_schema_order_tuples_then_notes_then_person() -> None:
    text = build(ENTITY, PresenceState.BUSY, "in a meeting").decode()
    assert text.index("<tuple") < text.index("<note>") < text.index("<dm:person")


def test_note_and_entity_are_escaped_and_control_characters_dropped() -> None:
    body = build('sip:a"b@x', PresenceState.ONLINE, "<b>fish & chips</b>\x00\x07")
    doc = parse(body)
    assert doc.note == "<b>fish & chips</b>"
    assert doc.entity == 'sip:a"b@x'


def test_no_note_no_note_element() -> None:
    assert b"<note" not in build(ENTITY, PresenceState.AWAY, "  ")


def test_tuple_id_must_be_an_xml_id() -> None:
    with pytest.raises(ValueError):
        build(ENTITY, PresenceState.ONLINE, tuple_id="1 2")


@given(note=st.text(max_size=200), state=st.sampled_from(ROUND_TRIP))
@settings(max_examples=200, deadline=None)
def test_any_note_round_trips(note: str, state: PresenceState) -> None:
    doc = parse(build(ENTITY, state, note))
    assert doc.state is state
    cleaned = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", note).strip()
    # XML normalises line ends (§2.11); surrogates cannot be encoded at all.
    expected = cleaned.replace("\r\n", "\n").replace("\r", "\n").strip()
    assert doc.note == expected


# ------------------------------------------------------------------ real peers' documents

# baresip 1.0 modules/presence/publisher.c (PUBLISH) and notifier.c (NOTIFY): the same
# template; an empty activities element, basic open or closed.
BARESIP = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r
<presence xmlns="urn:ietf:params:xml:ns:pidf"\r
    xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"\r
    xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"\r
    entity="sip:1003@127.0.0.1">\r
  <dm:person id="p4159"><rpid:activities/></dm:person>\r
  <tuple id="t4109">\r
    <status>\r
      <basic>{basic}</basic>\r
    </status>\r
    <contact>sip:1003@127.0.0.1</contact>\r
  </tuple>\r
</presence>\r
"""


@pytest.mark.parametrize(
    ("basic", "state"), [("open", PresenceState.ONLINE), ("closed", PresenceState.OFFLINE)]
)
def test_baresip(basic: str, state: PresenceState) -> None:
    doc = parse(BARESIP.format(basic=basic).encode())
    assert doc.state is state
    assert doc.entity == "sip:1003@127.0.0.1"
    assert doc.persons[0].id == "p4159" and doc.persons[0].activities == ()
    assert doc.tuples[0].contact == "sip:1003@127.0.0.1"


# liblinphone PresenceModel::toXml (libxml2 text writer, indent 1): tuple with a
# pidfonline element when online, person with activities and a timestamp, a note in the
# person's activities and one in dm. linphone_core_set_presence_info: "be right back" is
# in-transit, "do not disturb" busy with basic closed.
LINPHONE = """<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:1002@127.0.0.1">
 <tuple id="ldvs0e">
  <status>
   <basic>{basic}</basic>
  </status>
  <contact priority="0.8">sip:1002@127.0.0.1</contact>
  <timestamp>2026-12-02T10:15:03Z</timestamp>
 </tuple>
 <dm:person id="ih9d5c">
  <rpid:activities>
   <rpid:{activity}/>
  </rpid:activities>
  <dm:note>{note}</dm:note>
  <dm:timestamp>2026-12-02T10:15:03Z</dm:timestamp>
 </dm:person>
</presence>
"""

LINPHONE_ONLINE = """<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:pidfonline="http://www.linphone.org/xsds/pidfonline.xsd" entity="sip:1002@127.0.0.1">
 <tuple id="zg2bfa">
  <status>
   <basic>open</basic>
   <pidfonline:online/>
  </status>
  <contact priority="0.8">sip:1002@127.0.0.1</contact>
  <timestamp>2026-12-02T10:15:03Z</timestamp>
 </tuple>
</presence>
"""


@pytest.mark.parametrize(
    ("basic", "activity", "state"),
    [
        ("open", "busy", PresenceState.BUSY),
        ("open", "away", PresenceState.AWAY),
        ("open", "on-the-phone", PresenceState.ON_THE_PHONE),
        ("open", "in-transit", PresenceState.BRB),
        ("open", "lunch", PresenceState.LUNCH),
        ("open", "meal", PresenceState.LUNCH),
        ("open", "vacation", PresenceState.AWAY),
        ("open", "meeting", PresenceState.BUSY),
        ("open", "unknown", PresenceState.ONLINE),
        ("closed", "busy", PresenceState.BUSY),  # "do not disturb"
        ("closed", "away", PresenceState.OFFLINE),
    ],
)
def test_linphone(basic: str, activity: str, state: PresenceState) -> None:
    doc = parse(LINPHONE.format(basic=basic, activity=activity, note="gone fishing").encode())
    assert doc.state is state
    assert doc.note == "gone fishing"
    assert doc.persons[0].activities == (activity,)


def test_linphone_online() -> None:
    doc = parse(LINPHONE_ONLINE.encode())
    assert doc.state is PresenceState.ONLINE
    assert doc.note == ""


# Kamailio presence_xml aggregate_xmls: the newest publication's root, with every child
# of the other publications (of other tuple ids) appended — several tuples, persons and
# notes under one root, namespaces declared where libxml2 reconciled them. Here a desk
# phone that is on the phone and a softphone that is plainly online.
KAMAILIO_AGGREGATED = """<?xml version="1.0"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:1001@127.0.0.1">
  <tuple id="t-soft">
    <status>
      <basic>open</basic>
    </status>
  </tuple>
  <tuple id="t-desk">
    <status>
      <basic>open</basic>
    </status>
    <contact>sip:1001@192.0.2.9:5062</contact>
  </tuple>
  <note>Telefoniert</note>
  <dm:person id="pt-desk">
    <rpid:activities>
      <rpid:on-the-phone/>
    </rpid:activities>
  </dm:person>
  <dm:person xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" id="p2">
    <dm:note>Im Büro</dm:note>
  </dm:person>
</presence>
"""

# pres_agg_nbody with an expired publication: offline_nbody keeps the tuple, basic closed.
KAMAILIO_OFFLINE = """<?xml version="1.0"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:1001@127.0.0.1">
  <tuple id="t1">
    <status>
      <basic>closed</basic>
    </status>
  </tuple>
</presence>
"""

# presence_xml's dummy body (force_dummy_presence) for a presentity nobody published.
KAMAILIO_DUMMY = """<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:c="urn:ietf:params:xml:ns:pidf:cipid" entity="sip:1009@127.0.0.1"><tuple xmlns="urn:ietf:params:xml:ns:pidf" id="615293b33c62dec073e05d9421e9f48b"><status><basic>open</basic></status></tuple><note xmlns="urn:ietf:params:xml:ns:pidf">Available</note><dm:person xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" id="1"><rpid:activities/><dm:note>Available</dm:note></dm:person></presence>"""


def test_kamailio_aggregated_document() -> None:
    doc = parse(KAMAILIO_AGGREGATED.encode())
    assert doc.state is PresenceState.ON_THE_PHONE  # the busiest device's activity
    assert [t.id for t in doc.tuples] == ["t-soft", "t-desk"]
    assert len(doc.persons) == 2
    assert doc.note == "Im Büro"  # a person's note comes first
    assert doc.open


def test_kamailio_offline_and_dummy_bodies() -> None:
    assert parse(KAMAILIO_OFFLINE.encode()).state is PresenceState.OFFLINE
    dummy = parse(KAMAILIO_DUMMY.encode())
    assert dummy.state is PresenceState.ONLINE
    assert dummy.note == "Available"


def test_open_beats_closed_across_tuples() -> None:
    doc = parse(
        b'<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:x@y">'
        b'<tuple id="a"><status><basic>closed</basic></status></tuple>'
        b'<tuple id="b"><status><basic>open</basic></status><note>here</note></tuple>'
        b'<tuple id="c"><status><basic>closed</basic></status><note>gone</note></tuple>'
        b"</presence>"
    )
    assert doc.state is PresenceState.ONLINE
    assert doc.note == "here"  # an open tuple's note before a closed one's
    assert [t.basic for t in doc.tuples] == ["closed", "open", "closed"]


# Asterisk res_pjsip_pidf_body_generator: note at the top, one tuple per extension,
# basic open only when the line is free ("Ready"); "On the phone" is closed.
ASTERISK_PJSIP = """<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:6001@10.24.18.124:5060" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>{note}</note>
 <tuple id="6001">
  <status>
   <basic>{basic}</basic>
  </status>
  <contact priority="1">sip:6002@10.24.18.124:5060</contact>
 </tuple>
 <dm:person />
</presence>
"""

# Asterisk chan_sip, and res_pjsip with the eyeBeam supplement: the pre-RFC person and
# RPID namespaces, activities inside pp:person/status, ISO-8859-1, plus Digium's tuple
# without basic status.
ASTERISK_CHAN_SIP = """<?xml version="1.0" encoding="ISO-8859-1"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
xmlns:pp="urn:ietf:params:xml:ns:pidf:person"
xmlns:es="urn:ietf:params:xml:ns:pidf:rpid:status:rpid-status"
xmlns:ep="urn:ietf:params:xml:ns:pidf:rpid:rpid-person"
entity="sip:6002@10.24.18.124">
<pp:person><status>
{activities}
</status></pp:person>
<note>{note}</note>
<tuple id="6002">
<contact priority="1">sip:6002@10.24.18.124</contact>
<status><basic>{basic}</basic></status>
</tuple>
<tuple id="digium-presence">
<status>
<digium_presence type="unavailable" subtype=""></digium_presence>
</status>
</tuple>
</presence>
"""


@pytest.mark.parametrize(
    ("note", "basic", "state"),
    [
        ("Ready", "open", PresenceState.ONLINE),
        ("On the phone", "closed", PresenceState.ON_THE_PHONE),
        ("Ringing", "closed", PresenceState.ON_THE_PHONE),
        ("On hold", "closed", PresenceState.ON_THE_PHONE),
        ("Unavailable", "closed", PresenceState.OFFLINE),
    ],
)
def test_asterisk_pjsip(note: str, basic: str, state: PresenceState) -> None:
    doc = parse(ASTERISK_PJSIP.format(note=note, basic=basic).encode())
    assert doc.state is state
    assert doc.note == note


@pytest.mark.parametrize(
    ("activities", "note", "basic", "state"),
    [
        ("", "Ready", "open", PresenceState.ONLINE),
        ("<ep:activities><ep:busy/></ep:activities>", "On the phone", "open", PresenceState.BUSY),
        (
            "<ep:activities><ep:away/></ep:activities>",
            "Unavailable",
            "closed",
            PresenceState.OFFLINE,
        ),
    ],
)
def test_asterisk_chan_sip(activities: str, note: str, basic: str, state: PresenceState) -> None:
    body = ASTERISK_CHAN_SIP.format(activities=activities, note=note, basic=basic)
    doc = parse(body.encode("iso-8859-1"))
    assert doc.state is state
    assert doc.note == note
    assert [t.basic for t in doc.tuples] == [basic, None]  # digium-presence has none


def test_any_prefixes_and_activities_in_the_tuple() -> None:
    doc = parse(
        b'<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" '
        b'xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:x@y">'
        b'<p:tuple id="a"><p:status><p:basic> Open </p:basic></p:status>'
        b"<r:activities><r:away/></r:activities></p:tuple></p:presence>"
    )
    assert doc.state is PresenceState.AWAY
    assert doc.tuples[0].activities == ("away",)


def test_person_activity_wins_over_tuple_activity() -> None:
    doc = parse(
        b'<presence xmlns="urn:ietf:params:xml:ns:pidf" '
        b'xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" '
        b'xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:x@y">'
        b'<tuple id="a"><status><basic>open</basic></status>'
        b"<r:activities><r:away/></r:activities></tuple>"
        b'<dm:person id="p"><r:activities><r:busy/></r:activities></dm:person></presence>'
    )
    assert doc.state is PresenceState.BUSY


def test_data_model_device_elements() -> None:
    doc = parse(
        b'<presence xmlns="urn:ietf:params:xml:ns:pidf" '
        b'xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:x@y">'
        b'<tuple id="sg89ae"><status><basic>open</basic></status>'
        b"<dm:deviceID>mac:8asd7d7d70</dm:deviceID></tuple>"
        b'<dm:person id="p1"/>'
        b'<dm:device id="pc122"><dm:note>laptop</dm:note>'
        b"<dm:deviceID>mac:8asd7d7d70</dm:deviceID></dm:device></presence>"
    )
    assert doc.state is PresenceState.ONLINE
    (device,) = doc.devices
    assert (device.id, device.device_id, device.note) == ("pc122", "mac:8asd7d7d70", "laptop")


def test_only_a_person_with_an_activity() -> None:
    doc = parse(
        b'<presence xmlns="urn:ietf:params:xml:ns:pidf" '
        b'xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" '
        b'xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:x@y">'
        b'<dm:person id="p"><rpid:activities><rpid:on-the-phone/></rpid:activities>'
        b"</dm:person></presence>"
    )
    assert doc.state is PresenceState.ON_THE_PHONE


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"  \r\n",
        b'<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:x@y"/>',
        b'<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:x@y">'
        b'<tuple id="a"><status/></tuple></presence>',
    ],
)
def test_nothing_said_is_offline(body: bytes) -> None:
    assert parse(body).state is PresenceState.OFFLINE


def test_str_bodies_are_accepted() -> None:
    assert parse(build(ENTITY, PresenceState.BUSY).decode()).state is PresenceState.BUSY


# ------------------------------------------------------------------ hostile and broken XML

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:x@y"><note>&lol3;</note></presence>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE presence [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:x@y"><note>&xxe;</note></presence>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE presence SYSTEM "http://127.0.0.1:9/pidf.dtd">
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:x@y"/>
"""


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (BILLION_LAUGHS, "refused"),
        (EXTERNAL_ENTITY, "refused"),
        (EXTERNAL_DTD, "refused"),
        (b"<presence xmlns='urn:ietf:params:xml:ns:pidf'><tuple>", "not well-formed"),
        (b"\xff\xfe\x00<", "not well-formed"),
        (b"<?xml version='1.0' encoding='x-klingon'?><presence/>", "unreadable"),
        (b"<dialog-info xmlns='urn:ietf:params:xml:ns:dialog-info'/>", "not a presence"),
        (b"just text", "not well-formed"),
        (b"<presence/><presence/>", "not well-formed"),
        (b"<presence>" + b"x" * MAX_BODY + b"</presence>", "too large"),
    ],
)
def test_hostile_or_broken_xml_is_a_pidf_error(body: bytes, words: str) -> None:
    with pytest.raises(PidfError, match=words):
        parse(body)


def test_deep_nesting_is_handled() -> None:
    depth = 20000
    body = (
        b'<presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple id="a">'
        + b"<x>" * depth
        + b"</x>" * depth
        + b"<status><basic>open</basic></status></tuple></presence>"
    )
    try:
        doc = parse(body)
    except PidfError:
        return  # refusing is fine too
    assert doc.state is PresenceState.ONLINE


@given(st.binary(max_size=400))
@settings(max_examples=300, deadline=None)
def test_random_bytes_give_a_document_or_a_pidf_error(data: bytes) -> None:
    try:
        parse(data)
    except PidfError:
        pass


@given(
    st.text(
        alphabet=st.sampled_from(list("<>/=\"' abcnot:xmlns&;!?-[]tuplestatusbasicopen")),
        max_size=300,
    )
)
@settings(max_examples=300, deadline=None)
def test_xml_like_noise_gives_a_document_or_a_pidf_error(text: str) -> None:
    try:
        parse("<presence>" + text)
    except PidfError:
        pass
