"""Instant messages outside dialogs (RFC 3428 MESSAGE, "pager mode"), sans-IO.

Two halves, both pure functions:

- `build_message` makes the request we send: Request-URI and To the recipient, From our
  address of record with a fresh tag, a new Call-ID, CSeq 1, Max-Forwards 70, Via and
  Contact from the account's endpoint, a Route for an outbound proxy, and the body as
  ``text/plain;charset=UTF-8`` or ``application/im-iscomposing+xml`` (RFC 3994).
  `next_hop` says where it goes first (the proxy, else the Request-URI).
- `read_message` judges one we received: a body we can show (text/plain in any charset,
  decoded safely: the declared charset, else UTF-8 (Windows-1252 for an undeclared body
  that is not UTF-8), bytes that do not fit replaced, never an exception) or an isComposing document; anything else is refused with the status to
  answer — 413 for a body over `MAX_BODY`, 415 with Accept for a type we do not read.
  A `Date` header (RFC 3261 §20.17) gives the time the sender wrote it: a server that
  stored the message while we were offline keeps it.

`register_pager(core, handler)` puts MESSAGE and the two body types into the core's
capabilities (Allow, Accept) and routes out-of-dialog MESSAGEs to `handler`.
"""

from __future__ import annotations

import codecs
import datetime
import email.utils
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from parley.sip.core import RequestHandler, UserAgentCore
from parley.sip.dialog import LocalEndpoint
from parley.sip.headers import NameAddr, SipParseError
from parley.sip.ids import new_branch, new_call_id, new_tag
from parley.sip.message import Headers, Request
from parley.sip.uri import SipURI

__all__ = [
    "ACCEPTED_TYPES",
    "IS_COMPOSING_TYPE",
    "MAX_BODY",
    "TEXT_PLAIN",
    "TEXT_PLAIN_UTF8",
    "IncomingMessage",
    "Refusal",
    "build_message",
    "decode_text",
    "format_date",
    "next_hop",
    "parse_date",
    "read_message",
    "register_pager",
]

TEXT_PLAIN = "text/plain"
TEXT_PLAIN_UTF8 = "text/plain;charset=UTF-8"
IS_COMPOSING_TYPE = "application/im-iscomposing+xml"
ACCEPTED_TYPES = (TEXT_PLAIN, IS_COMPOSING_TYPE)
# RFC 3428 §7 keeps pager-mode messages small (under 1300 bytes unless congestion-safe
# transport); servers and phones send longer ones over TCP. 64 KiB is far beyond any
# chat line and still bounded: more is refused with 413.
MAX_BODY = 64 * 1024

# C0 controls other than tab and line breaks have no place in a chat line.
_CONTROLS = {c: None for c in range(32) if c not in (9, 10, 13)} | {127: None}


def register_pager(core: UserAgentCore, handler: RequestHandler) -> None:
    """Out-of-dialog MESSAGEs go to `handler`; Allow and Accept say we take them."""
    core.on_request("MESSAGE", handler)
    core.capabilities.add(accept=ACCEPTED_TYPES, accept_for=("MESSAGE",))


# ====================================================================== sending


def build_message(
    target: SipURI,
    body: bytes,
    *,
    from_: NameAddr,
    local: LocalEndpoint,
    content_type: str = TEXT_PLAIN_UTF8,
    routes: Iterable[str] = (),
    to: NameAddr | None = None,
    call_id: str | None = None,
    cseq: int = 1,
    headers: Iterable[tuple[str, str]] = (),
    date: str | None = None,
    rng: random.Random | None = None,
) -> Request:
    """A MESSAGE to `target` (RFC 3428 §4). `from_` is our address (a tag is added),
    `routes` pre-loaded Route values (``<sip:proxy;lr>``), `date` a Date value."""
    rng = rng or random.SystemRandom()
    uri = target.copy()
    uri.headers = {}
    hdrs = Headers()
    hdrs.add("Via", local.via(new_branch(rng)))
    hdrs.add("Max-Forwards", "70")
    for route in routes:
        hdrs.add("Route", route)
    hdrs.add("From", str(NameAddr(from_.display_name, from_.uri.copy(), {}).with_tag(new_tag(rng))))
    recipient = to or NameAddr(None, uri.without_params("transport", "lr", "method"), {})
    hdrs.add("To", str(NameAddr(recipient.display_name, recipient.uri.copy(), {})))
    hdrs.add("Call-ID", call_id or new_call_id(local.host, rng))
    hdrs.add("CSeq", f"{cseq} MESSAGE")
    if local.contact:
        hdrs.add("Contact", local.contact)
    if date:
        hdrs.add("Date", date)
    for name, value in headers:
        hdrs.add(name, value)
    if local.user_agent:
        hdrs.add("User-Agent", local.user_agent)
    hdrs.add("Content-Type", content_type)
    return Request(method="MESSAGE", uri=uri, headers=hdrs, body=body)


def next_hop(request: Request) -> SipURI:
    """Where a request outside any dialog goes first: its top Route (loose routing,
    RFC 3261 §8.1.2), else its Request-URI."""
    routes = request.routes
    if routes:
        return routes[0].uri
    assert isinstance(request.uri, SipURI)
    return request.uri


# ====================================================================== receiving


@dataclass(frozen=True)
class Refusal:
    """A MESSAGE we do not take: the answer to send."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...] = ()
    detail: str = ""  # for the log


@dataclass(frozen=True)
class IncomingMessage:
    """A MESSAGE we take: who sent it, and either text or an isComposing document."""

    sender: str  # the From URI without parameters, e.g. sip:1002@pbx.example.com
    sender_name: str | None
    content_type: str  # text/plain or application/im-iscomposing+xml
    text: str = ""  # the decoded text (text/plain)
    body: bytes = b""  # the raw body (isComposing: parse with `is_composing.decode`)
    date: float | None = None  # the Date header as epoch seconds, when readable
    charset: str = "utf-8"  # the charset the text was decoded with
    replaced: bool = field(default=False)  # some bytes did not decode and were replaced

    @property
    def is_composing(self) -> bool:
        return self.content_type == IS_COMPOSING_TYPE


def _accept_header() -> tuple[tuple[str, str], ...]:
    return (("Accept", ", ".join(ACCEPTED_TYPES)),)


def read_message(request: Request, *, max_body: int = MAX_BODY) -> IncomingMessage | Refusal:
    """Judge a received MESSAGE: what it says, or how to refuse it. Never raises."""
    try:
        sender = request.from_
        content_type = request.content_type
    except SipParseError as exc:
        return Refusal(400, "Bad Request", detail=str(exc))
    if len(request.body) > max_body:
        return Refusal(413, "Request Entity Too Large", detail=f"{len(request.body)} bytes")
    encoding = (request.headers.get("Content-Encoding") or "").strip().lower()
    if encoding not in ("", "identity"):
        return Refusal(415, "Unsupported Media Type", (("Accept-Encoding", "identity"),), encoding)
    if content_type is None:
        if request.body:
            return Refusal(415, "Unsupported Media Type", _accept_header(), "no Content-Type")
        mime, params = TEXT_PLAIN, {}
    else:
        mime, params = content_type.mime, content_type.params
    if mime not in ACCEPTED_TYPES:
        return Refusal(415, "Unsupported Media Type", _accept_header(), mime)
    try:  # RFC 3325: the identity the PBX asserts wins over what the sender wrote
        asserted = request.headers.get("P-Asserted-Identity")
        if asserted:
            first = NameAddr.parse_list(asserted)[0]
            sender = NameAddr(first.display_name or sender.display_name, first.uri, {})
    except SipParseError:
        pass  # unreadable: From stays
    uri = sender.uri.copy()
    uri.params, uri.headers = {}, {}
    common = {
        "sender": str(uri),
        "sender_name": sender.display_name or None,
        "content_type": mime,
        "date": parse_date(request.headers.get("Date")),
    }
    if mime == IS_COMPOSING_TYPE:
        return IncomingMessage(body=request.body, **common)  # type: ignore[arg-type]
    charset = next((v for k, v in params.items() if k.lower() == "charset" and v), None)
    text, used, replaced = decode_text(request.body, charset)
    return IncomingMessage(
        text=text,
        body=request.body,
        charset=used,
        replaced=replaced,
        **common,  # type: ignore[arg-type]
    )


def decode_text(body: bytes, charset: str | None) -> tuple[str, str, bool]:
    """`body` as text: (text, charset used, whether bytes were replaced). The declared
    charset when Python knows it, else UTF-8 (RFC 3428 §9 asks UTF-8 of senders); bytes
    that do not fit become U+FFFD. With no charset declared at all, a body that is not
    UTF-8 is read as Windows-1252: store-and-forward servers (Kamailio's msilo) drop
    the parameter, and an old phone's Latin-1 "Grüße" should not become "Gr��e".
    Line breaks become ``\\n``; other control characters are dropped."""
    if charset is None:
        try:
            return _clean(body.decode("utf-8")), "utf-8", False
        except UnicodeDecodeError:
            text = body.decode("cp1252", errors="replace")  # 5 bytes have no character
            return _clean(text), "cp1252", "\ufffd" in text
    name = (charset or "utf-8").strip().strip('"').lower()
    try:
        codec = codecs.lookup(name)
        if not _is_text_codec(codec):
            raise LookupError(name)
    except LookupError:
        codec = codecs.lookup("utf-8")
    try:
        text = body.decode(codec.name)
        replaced = False
    except UnicodeDecodeError:
        text = body.decode(codec.name, errors="replace")
        replaced = True
    return _clean(text), codec.name, replaced


def _clean(text: str) -> str:
    """No byte-order mark, line breaks as ``\\n``, no other control characters."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS)


def _is_text_codec(info: codecs.CodecInfo) -> bool:
    """False for the bytes-to-bytes codecs Python also lists (base64, zlib, rot13...)."""
    return getattr(info, "_is_text_encoding", True) is not False


def parse_date(value: str | None) -> float | None:
    """A Date header (RFC 3261 §20.17, RFC 1123 form) as epoch seconds, or None."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # "GMT" is required; a date without a zone is taken as UTC
        parsed = parsed.replace(tzinfo=datetime.UTC)
    try:
        return parsed.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def format_date(epoch: float) -> str:
    """Epoch seconds as a Date header value (``Mon, 02 Dec 2026 13:49:48 GMT``)."""
    return email.utils.formatdate(epoch, usegmt=True)
