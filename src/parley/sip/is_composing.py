"""Typing notification (RFC 3994 isComposing), sans-IO.

The codec: `encode` writes an ``application/im-iscomposing+xml`` document, `decode`
reads one (through defusedxml: entity tricks and other bad XML are refused with
`IsComposingError`, never raised as anything else).

The two state machines, with the time passed in:

- `ComposingSender` (our side): typing makes the state active, announced at once and
  again every refresh/2 while typing goes on (the receiver would otherwise time it out);
  `IDLE_AFTER` seconds without a keystroke make it idle, announced. Sending the message
  itself makes it idle without a word: the receiver takes the message for the end of
  composing (RFC 3994 §3, §4).
- `ComposingWatch` (their side): an active state expires after its refresh interval
  (120 s when the document gives none, RFC 3994 §4) unless renewed; an idle document or
  a message from the same person ends it at once.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

__all__ = [
    "DEFAULT_RECEIVER_REFRESH",
    "IDLE_AFTER",
    "NAMESPACE",
    "SEND_REFRESH",
    "ComposingSender",
    "ComposingState",
    "ComposingWatch",
    "IsComposing",
    "IsComposingError",
    "decode",
    "encode",
]

NAMESPACE = "urn:ietf:params:xml:ns:im-iscomposing"
SEND_REFRESH = 60  # seconds: the refresh we announce with "active"
IDLE_AFTER = 15.0  # seconds without typing before we say idle (RFC 3994 §3: 15 s)
DEFAULT_RECEIVER_REFRESH = 120.0  # an active state without refresh lasts this long
MAX_DOCUMENT = 8 * 1024  # an isComposing document is a few hundred bytes


class IsComposingError(ValueError):
    """An isComposing body we cannot read; the message says why."""


class ComposingState(enum.StrEnum):
    ACTIVE = "active"
    IDLE = "idle"


@dataclass(frozen=True)
class IsComposing:
    """One isComposing document (RFC 3994 §5)."""

    state: ComposingState
    refresh: int | None = None  # seconds; only meaningful with active
    lastactive: datetime.datetime | None = None
    contenttype: str | None = None  # what is being composed, e.g. text/plain


def encode(doc: IsComposing) -> bytes:
    """The XML document for `doc`, UTF-8 with declaration."""
    root = Element("isComposing", {"xmlns": NAMESPACE})
    SubElement(root, "state").text = doc.state.value
    if doc.lastactive is not None:
        when = doc.lastactive
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.UTC)
        text = when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        SubElement(root, "lastactive").text = text
    if doc.contenttype:
        SubElement(root, "contenttype").text = doc.contenttype
    if doc.refresh is not None and doc.state is ComposingState.ACTIVE:
        SubElement(root, "refresh").text = str(int(doc.refresh))
    xml = tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml).encode("utf-8")


def _local(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return None, tag


def decode(body: bytes) -> IsComposing:
    """Read an isComposing document; `IsComposingError` for anything we cannot use."""
    if len(body) > MAX_DOCUMENT:
        raise IsComposingError(f"isComposing document too long ({len(body)} bytes)")
    try:
        root = safe_xml.fromstring(body)
    except DefusedXmlException as exc:
        raise IsComposingError(f"isComposing document refused: {type(exc).__name__}") from exc
    except Exception as exc:  # ParseError and whatever a broken document raises
        raise IsComposingError(f"isComposing document is not XML: {exc}") from exc
    ns, name = _local(root.tag)
    if name != "isComposing" or ns not in (NAMESPACE, None):
        raise IsComposingError(f"not an isComposing document (root {root.tag!r})")
    fields: dict[str, str] = {}
    for child in root:
        if not isinstance(child.tag, str):
            continue  # comments, processing instructions
        child_ns, child_name = _local(child.tag)
        if child_ns in (ns, None) and child_name not in fields:
            fields[child_name] = (child.text or "").strip()
    raw_state = fields.get("state", "").lower()
    try:
        state = ComposingState(raw_state)
    except ValueError:
        raise IsComposingError(
            f"isComposing state {raw_state!r} is neither active nor idle"
        ) from None
    refresh: int | None = None
    if fields.get("refresh"):
        try:
            refresh = int(fields["refresh"])
        except ValueError:
            raise IsComposingError(f"bad refresh {fields['refresh']!r}") from None
        if refresh <= 0 or refresh > 86400:
            raise IsComposingError(f"refresh {refresh} out of range")
    lastactive = _parse_time(fields.get("lastactive"))
    return IsComposing(state, refresh, lastactive, fields.get("contenttype") or None)


def _parse_time(text: str | None) -> datetime.datetime | None:
    """An xsd:dateTime; unreadable ones are dropped (the field is only informative)."""
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)


# ====================================================================== our side


class ComposingSender:
    """When to tell one chat partner that we type (RFC 3994 §3). Each method returns
    the document to send now, or None."""

    def __init__(self, refresh: int = SEND_REFRESH, idle_after: float = IDLE_AFTER) -> None:
        self.refresh = refresh
        self.idle_after = idle_after
        self.state = ComposingState.IDLE
        self._announced_at: float | None = None  # when the last "active" went out
        self._typed_at: float | None = None

    def typed(self, now: float) -> IsComposing | None:
        """A keystroke (or "still typing") at `now`."""
        self._typed_at = now
        due = self._announced_at is None or now - self._announced_at >= self.refresh / 2
        if self.state is ComposingState.ACTIVE and not due:
            return None
        self.state = ComposingState.ACTIVE
        self._announced_at = now
        return IsComposing(ComposingState.ACTIVE, refresh=self.refresh, contenttype="text/plain")

    def stopped(self, now: float) -> IsComposing | None:
        """The person stopped (cleared the field, closed the chat): idle, said at once."""
        if self.state is ComposingState.IDLE:
            return None
        return self._idle(now)

    def message_sent(self) -> None:
        """The message went out: idle, and the message says so itself."""
        self.state = ComposingState.IDLE
        self._announced_at = None

    def next_timer(self) -> float | None:
        if self.state is ComposingState.ACTIVE and self._typed_at is not None:
            return self._typed_at + self.idle_after
        return None

    def handle_timer(self, now: float) -> IsComposing | None:
        deadline = self.next_timer()
        if deadline is None or now < deadline:
            return None
        return self._idle(now)

    def _idle(self, now: float) -> IsComposing:
        self.state = ComposingState.IDLE
        self._announced_at = None
        return IsComposing(ComposingState.IDLE, contenttype="text/plain")


# ====================================================================== their side


class ComposingWatch:
    """Who is typing to us, keyed by peer: each returns whether the peer's state
    changed (so an event is due)."""

    def __init__(self, default_refresh: float = DEFAULT_RECEIVER_REFRESH) -> None:
        self.default_refresh = default_refresh
        self._active: dict[str, float] = {}  # peer -> when its active state runs out

    def active(self, peer: str) -> bool:
        return peer in self._active

    def received(self, peer: str, doc: IsComposing, now: float) -> bool:
        if doc.state is ComposingState.IDLE:
            return self._active.pop(peer, None) is not None
        was = peer in self._active
        self._active[peer] = now + float(doc.refresh or self.default_refresh)
        return not was

    def message_received(self, peer: str) -> bool:
        """A content message from `peer` ends its composing (RFC 3994 §4)."""
        return self._active.pop(peer, None) is not None

    def next_timer(self) -> float | None:
        return min(self._active.values(), default=None)

    def expire(self, now: float) -> list[str]:
        """The peers whose active state ran out by `now` (now idle)."""
        gone = [peer for peer, until in self._active.items() if until <= now]
        for peer in gone:
            del self._active[peer]
        return gone
