"""Presence documents (RFC 3863 PIDF, RFC 4480 RPID, RFC 4479 data model), sans-IO.

`PresenceState` is the manual's eight states, spelt as the console and the settings file
spell them; the codec between them and PIDF/RPID bodies lives here too.

`build()` writes our own presence the way the peers we meet read it:

- the PIDF namespace is the default one, so `<basic>` carries no prefix (baresip finds
  it with a regular expression), and RPID activities are `<rpid:busy/>`-style children
  of `<rpid:activities>` in a `<dm:person>` (baresip's regular expressions, Kamailio's
  `pres_check_activities`, liblinphone's XPath all look there);
- the activities are the ones liblinphone writes for the same states
  (`linphone_core_set_presence_info`): busy, away, on-the-phone, in-transit for "be
  right back", and `meal` for lunch (liblinphone reads meal, lunch, breakfast and dinner
  alike); invisible and offline are `basic` closed with no activity, so a watcher cannot
  tell the two apart.

`parse()` reads what servers and phones send: several tuples, activities in person
elements (RFC 4479, or the older `pidf:person` Asterisk's chan_sip and eyeBeam write)
and in tuples, Kamailio's aggregated documents (the tuples, notes and persons of every
publication of a presentity under one root), any namespace prefixes. How a document
becomes one `PresenceState`:

- a tuple with `basic` open anywhere makes the presentity reachable (open beats closed);
- the activities (of the persons, else of the tuples) decide between busy, away and the
  rest; with several, the one that says most about reaching the person wins
  (on-the-phone, busy, lunch, be right back, away);
- closed with on-the-phone or busy is still that (Asterisk's PJSIP marks a line in use as
  closed, liblinphone its "do not disturb"); closed otherwise is offline, and so is a
  document without any tuple or activity, and an empty body.

Bytes from the network go through defusedxml (no DTDs, no entities, no external
references) under a size limit; whatever is wrong with them is a `PidfError`.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

__all__ = [
    "CONTENT_TYPE",
    "MAX_BODY",
    "NS_DATA_MODEL",
    "NS_PIDF",
    "NS_RPID",
    "PidfError",
    "PresenceDevice",
    "PresenceDocument",
    "PresencePerson",
    "PresenceState",
    "PresenceTuple",
    "build",
    "parse",
]

CONTENT_TYPE = "application/pidf+xml"
NS_PIDF = "urn:ietf:params:xml:ns:pidf"
NS_DATA_MODEL = "urn:ietf:params:xml:ns:pidf:data-model"
NS_RPID = "urn:ietf:params:xml:ns:pidf:rpid"

# A presence document of one presentity is a few kB; Kamailio's aggregate of many
# devices stays far below this. Anything larger is refused before parsing.
MAX_BODY = 256 * 1024


class PresenceState(enum.StrEnum):
    """What a person chooses in the status bar (and what we make of a watched body)."""

    ONLINE = "online"
    INVISIBLE = "invisible"  # others see us offline; we still see them
    AWAY = "away"
    BUSY = "busy"
    OFFLINE = "offline"
    LUNCH = "lunch"
    ON_THE_PHONE = "on-the-phone"
    BRB = "brb"  # briefly absent


class PidfError(ValueError):
    """A body that is no presence document we can read (or dare to read)."""


# ---------------------------------------------------------------------------- build

# Our state -> (basic open?, the RPID activity we publish for it).
_PUBLISHED: dict[PresenceState, tuple[bool, str | None]] = {
    PresenceState.ONLINE: (True, None),
    PresenceState.AWAY: (True, "away"),
    PresenceState.BUSY: (True, "busy"),
    PresenceState.LUNCH: (True, "meal"),
    PresenceState.ON_THE_PHONE: (True, "on-the-phone"),
    PresenceState.BRB: (True, "in-transit"),
    PresenceState.OFFLINE: (False, None),
    PresenceState.INVISIBLE: (False, None),
}

_XML_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
# Characters XML 1.0 does not allow at all (§2.2): a note must not break the document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def build(
    entity: str,
    state: PresenceState,
    note: str = "",
    tuple_id: str = "t1",
    contact: str | None = None,
) -> bytes:
    """Our presence as a PIDF document (UTF-8 bytes).

    `entity`: our address of record (``sip:1001@example.com``); `tuple_id`: the same for
    every publication of this device (a server aggregating several devices keeps one
    tuple per id); `contact`: where we are reached, optional. Invisible and offline give
    the same document (basic closed, no activity).
    """
    if not _XML_ID.match(tuple_id):
        raise ValueError(f"tuple id {tuple_id!r} is not an XML ID")
    is_open, activity = _PUBLISHED[PresenceState(state)]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<presence xmlns="{NS_PIDF}" xmlns:dm="{NS_DATA_MODEL}"'
        f' xmlns:rpid="{NS_RPID}" entity={quoteattr(_NOT_XML.sub("", entity))}>',
        f'  <tuple id="{tuple_id}">',
        "    <status>",
        f"      <basic>{'open' if is_open else 'closed'}</basic>",
        "    </status>",
    ]
    if contact:
        lines.append(f"    <contact>{_text(contact)}</contact>")
    lines.append("  </tuple>")
    # PIDF's schema order: tuples, notes, then elements of other namespaces (the person).
    if note.strip():
        lines.append(f"  <note>{_text(note.strip())}</note>")
    if activity is not None:
        lines += [
            f'  <dm:person id="p{tuple_id}">',
            "    <rpid:activities>",
            f"      <rpid:{activity}/>",
            "    </rpid:activities>",
            "  </dm:person>",
        ]
    lines.append("</presence>")
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------- parse


@dataclass(frozen=True)
class PresenceTuple:
    """One `<tuple>` (a service, RFC 3863 §4.1.2): its basic status (None when it has
    none, as Asterisk's digium-presence tuple), contact, first note and activities."""

    id: str
    basic: str | None  # "open" | "closed" | None
    contact: str = ""
    note: str = ""
    activities: tuple[str, ...] = ()


@dataclass(frozen=True)
class PresencePerson:
    """One person element (RFC 4479 `dm:person`): its RPID activities and note."""

    id: str
    activities: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class PresenceDevice:
    """One device element (RFC 4479 `dm:device`)."""

    id: str
    device_id: str = ""
    note: str = ""


@dataclass(frozen=True)
class PresenceDocument:
    """What a PIDF body says, and the one state we make of it."""

    entity: str
    state: PresenceState
    note: str = ""
    tuples: tuple[PresenceTuple, ...] = ()
    persons: tuple[PresencePerson, ...] = ()
    devices: tuple[PresenceDevice, ...] = ()

    @property
    def open(self) -> bool:
        """Some tuple is open: the presentity can be reached."""
        return any(t.basic == "open" for t in self.tuples)


# RPID activities (RFC 4480 §3.2, plus liblinphone's "lunch") -> our state. Activities
# not listed ("unknown", "other", "working"...) say nothing we show.
_ACTIVITY_STATE: dict[str, PresenceState] = {
    "on-the-phone": PresenceState.ON_THE_PHONE,
    "busy": PresenceState.BUSY,
    "appointment": PresenceState.BUSY,
    "meeting": PresenceState.BUSY,
    "presentation": PresenceState.BUSY,
    "performance": PresenceState.BUSY,
    "worship": PresenceState.BUSY,
    "spectator": PresenceState.BUSY,
    "meal": PresenceState.LUNCH,
    "lunch": PresenceState.LUNCH,
    "breakfast": PresenceState.LUNCH,
    "dinner": PresenceState.LUNCH,
    "in-transit": PresenceState.BRB,
    "steering": PresenceState.BRB,
    "away": PresenceState.AWAY,
    "sleeping": PresenceState.AWAY,
    "shopping": PresenceState.AWAY,
    "travel": PresenceState.AWAY,
    "vacation": PresenceState.AWAY,
    "holiday": PresenceState.AWAY,
    "permanent-absence": PresenceState.AWAY,
}

# With several activities, the first of these present wins.
_PRECEDENCE = (
    PresenceState.ON_THE_PHONE,
    PresenceState.BUSY,
    PresenceState.LUNCH,
    PresenceState.BRB,
    PresenceState.AWAY,
)

# Asterisk's PJSIP PIDF generator (res_pjsip_pidf_body_generator) marks a line in use
# as basic closed and says so only in these fixed notes (no activity without the
# eyeBeam supplement).
_ASTERISK_IN_USE_NOTES = frozenset({"on the phone", "ringing", "on hold"})


def _local(tag: object) -> str:
    """An element's name without its namespace ('{urn:...}basic' -> 'basic')."""
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag.rpartition("}")[2].lower()


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _first_text(element: Element, name: str) -> str:
    for child in _children(element, name):
        text = "".join(child.itertext()).strip()
        if text:
            return text
    return ""


def _activities(element: Element) -> tuple[str, ...]:
    """The activities inside `element`, at any depth (dm:person/rpid:activities, and
    pp:person/status/ep:activities of the pre-RFC RPID)."""
    found: list[str] = []
    for node in element.iter():
        if _local(node.tag) != "activities":
            continue
        for child in node:
            name = _local(child.tag)
            if name and name != "note" and name not in found:
                found.append(name)
    return tuple(found)


def _notes(element: Element) -> str:
    """A person's note: its own `dm:note`, else one in its activities."""
    own = _first_text(element, "note")
    if own:
        return own
    for activities in (n for n in element.iter() if _local(n.tag) == "activities"):
        text = _first_text(activities, "note")
        if text:
            return text
    return ""


def _tuple(element: Element) -> PresenceTuple:
    basic: str | None = None
    for status in _children(element, "status"):
        value = _first_text(status, "basic").lower()
        if value in ("open", "closed"):
            basic = value
            break
    return PresenceTuple(
        id=element.get("id", ""),
        basic=basic,
        contact=_first_text(element, "contact"),
        note=_first_text(element, "note"),
        activities=_activities(element),
    )


def _decide(
    tuples: tuple[PresenceTuple, ...],
    persons: tuple[PresencePerson, ...],
    note: str,
) -> PresenceState:
    activities = [a for p in persons for a in p.activities] or [
        a for t in tuples for a in t.activities
    ]
    states = {_ACTIVITY_STATE[a] for a in activities if a in _ACTIVITY_STATE}
    said = next((s for s in _PRECEDENCE if s in states), None)
    basics = {t.basic for t in tuples if t.basic is not None}
    if "open" in basics:
        return said or PresenceState.ONLINE
    if not basics:  # a document of persons only: their activity is all there is
        return said or PresenceState.OFFLINE
    if said in (PresenceState.ON_THE_PHONE, PresenceState.BUSY):
        return said
    if said is None and note.lower() in _ASTERISK_IN_USE_NOTES:
        return PresenceState.ON_THE_PHONE
    return PresenceState.OFFLINE


def _root(body: bytes | str) -> Element | None:
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    if len(data) > MAX_BODY:
        raise PidfError(f"presence document too large ({len(data)} bytes, at most {MAX_BODY})")
    if not data.strip():
        return None
    try:
        root: Any = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise PidfError(f"presence document refused: {type(exc).__name__}") from exc
    except ParseError as exc:
        raise PidfError(f"presence document is not well-formed XML: {exc}") from exc
    except (ValueError, LookupError, RecursionError, MemoryError) as exc:
        # Unknown encodings and the like: expat's other ways of saying no.
        raise PidfError(f"presence document unreadable: {exc}") from exc
    if not isinstance(root, Element) or _local(root.tag) != "presence":
        name = _local(getattr(root, "tag", "")) or "?"
        raise PidfError(f"not a presence document (root element <{name}>)")
    return root


def parse(body: bytes | str) -> PresenceDocument:
    """Read a PIDF body (see the module's docstring for how the state is decided).

    An empty body (a NOTIFY of a presentity that published nothing) is offline.
    Raises `PidfError`, and only that, for anything that is not a presence document.
    """
    root = _root(body)
    if root is None:
        return PresenceDocument(entity="", state=PresenceState.OFFLINE)
    tuples = tuple(_tuple(e) for e in _children(root, "tuple"))
    persons = tuple(
        PresencePerson(id=e.get("id", ""), activities=_activities(e), note=_notes(e))
        for e in _children(root, "person")
    )
    devices = tuple(
        PresenceDevice(
            id=e.get("id", ""), device_id=_first_text(e, "deviceid"), note=_first_text(e, "note")
        )
        for e in _children(root, "device")
    )
    # The note shown: the person's, else the document's, else an open tuple's, else any.
    ordered = sorted(tuples, key=lambda t: t.basic != "open")
    note = next(
        (
            n
            for n in (
                *(p.note for p in persons),
                _first_text(root, "note"),
                *(t.note for t in ordered),
            )
            if n
        ),
        "",
    )
    return PresenceDocument(
        entity=root.get("entity", ""),
        state=_decide(tuples, persons, note),
        note=note,
        tuples=tuples,
        persons=persons,
        devices=devices,
    )
