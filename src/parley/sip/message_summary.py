"""Message summaries (RFC 3842 `application/simple-message-summary`), sans-IO.

What a voicemail server (Asterisk, FreeSWITCH; Kamailio `presence_mwi` passes on what was
published to it) NOTIFYs for the `message-summary` package:

    Messages-Waiting: yes
    Message-Account: sip:1001@pbx.example.com
    Voice-Message: 2/8 (1/0)

    (optional message headers, which we ignore)

`parse` is lenient with case, spaces and line ends (CRLF or LF), and with header lines
it does not know (extensions); it is strict with garbage: a line that is no header, a
count that is no number or absurdly large, no `Messages-Waiting` at all — each raises
`MessageSummaryError` (a ValueError) with a clear message, never anything else.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "MESSAGE_SUMMARY_TYPE",
    "MessageClass",
    "MessageCounts",
    "MessageSummary",
    "MessageSummaryError",
    "build",
    "parse",
]

MESSAGE_SUMMARY_TYPE = "application/simple-message-summary"

MAX_BODY = 64 * 1024
MAX_COUNT = 999_999  # a mailbox with a million messages is a broken server, not news

_TOKEN = re.compile(r"^[A-Za-z0-9.!%*_+`'~-]+$")  # RFC 3261 token: a header name
_COUNTS = re.compile(r"^([0-9]+)\s*/\s*([0-9]+)\s*(?:\(\s*([0-9]+)\s*/\s*([0-9]+)\s*\))?$")


class MessageSummaryError(ValueError):
    """A body that is not a readable message summary."""


class MessageClass(enum.StrEnum):
    """Message context classes (RFC 3458), as the summary lines name them."""

    VOICE = "voice-message"
    FAX = "fax-message"
    PAGER = "pager-message"
    MULTIMEDIA = "multimedia-message"
    TEXT = "text-message"
    NONE = "none"


_CLASSES = {c.value: c for c in MessageClass}


@dataclass(frozen=True)
class MessageCounts:
    new: int = 0
    old: int = 0
    urgent_new: int = 0
    urgent_old: int = 0


@dataclass(frozen=True)
class MessageSummary:
    waiting: bool  # "Messages-Waiting: yes"
    account: str = ""  # Message-Account: whose mailbox (a URI), when the server says
    counts: tuple[tuple[MessageClass, MessageCounts], ...] = ()

    def get(self, message_class: MessageClass) -> MessageCounts | None:
        """The counts of one class, None when the summary has no line for it."""
        for cls, counts in self.counts:
            if cls is message_class:
                return counts
        return None

    @property
    def voice(self) -> MessageCounts:
        """Voice messages (zero when the server sends no counts, e.g. only 'yes')."""
        return self.get(MessageClass.VOICE) or MessageCounts()


def _count(text: str, what: str) -> int:
    if len(text) > 6 or int(text) > MAX_COUNT:
        raise MessageSummaryError(f"{what}: {text} messages is not believable")
    return int(text)


def _counts(value: str, name: str) -> MessageCounts:
    match = _COUNTS.match(value)
    if match is None:
        raise MessageSummaryError(
            f"{name}: {value!r} is not 'new/old' or 'new/old (urgent/urgent)'"
        )
    numbers = [_count(g, name) if g is not None else 0 for g in match.groups()]
    return MessageCounts(*numbers)


def _text(body: bytes | str) -> str:
    if len(body) > MAX_BODY:
        raise MessageSummaryError(f"the message summary is larger than {MAX_BODY} bytes")
    if isinstance(body, str):
        return body
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise MessageSummaryError("the message summary is not UTF-8 text") from None


def parse(body: bytes | str) -> MessageSummary:
    """One message summary. Raises MessageSummaryError for anything else."""
    text = _text(body).lstrip("\ufeff")
    if not text.strip():
        raise MessageSummaryError("the message summary is empty")
    waiting: bool | None = None
    account = ""
    counts: dict[MessageClass, MessageCounts] = {}
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    started = False
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            if started:
                break  # the blank line: optional message headers follow, not ours
            continue
        started = True
        name, colon, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not _TOKEN.match(name):
            raise MessageSummaryError(f"line {number} is not a header: {line[:60]!r}")
        key = name.lower()
        if key == "messages-waiting":
            if value.lower() not in ("yes", "no"):
                raise MessageSummaryError(f"Messages-Waiting is {value[:20]!r}, not yes or no")
            if waiting is None:
                waiting = value.lower() == "yes"
        elif key == "message-account":
            account = account or value.strip("<>").strip()
        elif key in _CLASSES:
            counts.setdefault(_CLASSES[key], _counts(value, name))
        # any other header: an extension we do not know; RFC 3842 lets servers add them
    if waiting is None:
        raise MessageSummaryError("the message summary has no Messages-Waiting line")
    return MessageSummary(waiting, account, tuple(counts.items()))


_CLASS_NAMES = {
    MessageClass.VOICE: "Voice-Message",
    MessageClass.FAX: "Fax-Message",
    MessageClass.PAGER: "Pager-Message",
    MessageClass.MULTIMEDIA: "Multimedia-Message",
    MessageClass.TEXT: "Text-Message",
    MessageClass.NONE: "None",
}


def build(
    waiting: bool,
    account: str = "",
    counts: Iterable[tuple[MessageClass, MessageCounts]] = (),
) -> bytes:
    """A message summary body (CRLF lines, as RFC 3842 writes them)."""
    lines = [f"Messages-Waiting: {'yes' if waiting else 'no'}"]
    if account:
        if any(ch in account for ch in "\r\n"):
            raise ValueError("a Message-Account cannot hold a line break")
        lines.append(f"Message-Account: {account}")
    for cls, c in counts:
        for n in (c.new, c.old, c.urgent_new, c.urgent_old):
            if not 0 <= n <= MAX_COUNT:
                raise ValueError(f"{n} is not a message count")
        urgent = f" ({c.urgent_new}/{c.urgent_old})" if c.urgent_new or c.urgent_old else ""
        lines.append(f"{_CLASS_NAMES[cls]}: {c.new}/{c.old}{urgent}")
    return ("\r\n".join(lines) + "\r\n").encode("ascii")
