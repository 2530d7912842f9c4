"""Parley as the target of a transfer: an INVITE with Replaces (RFC 3891).

A new INVITE whose `Replaces` names one of our dialogs takes that call's place: it is
answered at once — it never rings, the person already has this call — and the old call
ends: BYE when it was confirmed, CANCEL when it was our own outgoing call still ringing
at the far end (RFC 3891 §3). Both calls carry `CallNote.REPLACED` on their events.

Matching (§3): the Call-ID, `to-tag` against our local tag and `from-tag` against the
remote tag — the sender names the tags from the far side of the dialog, so `to-tag` is
ours (see `parley.sip.replaces`). The answers:

- no such dialog: 481; an early dialog that the far end began (a call ringing here):
  481 as well, only a UA's own early dialogs may be replaced;
- the dialog has already ended (the phone still knows it for a while): 603;
- `early-only` and the dialog is confirmed: 486;
- a sender that may not do this: 403 (below);
- otherwise 200 on the new call, and the old one ends.

Who may replace a call (RFC 3891 §6 asks for the sender to be authorized): the INVITE
comes through one of our accounts' servers — the PBX that authenticated the sender
vouches for it, as for any incoming call — or, only where direct calls are allowed at
all, its `From` or `Referred-By` names the remote party of the call it replaces: that
party itself, or somebody it handed its call to in an attended transfer (the transferee
copies the transferor in `Referred-By`, RFC 3892). With direct calls off a stranger gets
403 as every other INVITE from a stranger does; with them on, a stranger who names
nobody on the call gets 403 too. Knowing the Call-ID and both tags is not enough.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from parley.net.address import Address, Source
from parley.phone.events import CallNote
from parley.phone.incoming import trusted_source
from parley.settings.model import Settings
from parley.sip.headers import NameAddr, SipParseError
from parley.sip.message import Request
from parley.sip.replaces import Replaces
from parley.sip.transaction_server import ServerTransaction
from parley.sip.uri import SipURI

if TYPE_CHECKING:
    from parley.phone.account import Account
    from parley.phone.call import Call

log = logging.getLogger(__name__)

__all__ = [
    "DialogMatch",
    "Found",
    "ReplacesContext",
    "ReplacesTarget",
    "find_replaced",
    "replaces_of",
    "same_party",
    "verdict",
]

EXTENSION = "replaces"  # the option tag (Supported, Require)


class DialogMatch(enum.Enum):
    CONFIRMED = "confirmed"
    EARLY_OURS = "early, ours"  # our outgoing call, ringing at the far end
    EARLY_THEIRS = "early, theirs"  # a call ringing here


@dataclass(frozen=True)
class Found:
    call: Call
    match: DialogMatch
    remote: tuple[SipURI, ...]  # who the far end of that call is (dialog and call)


def replaces_of(request: Request) -> Replaces | None:
    """The INVITE's Replaces, None without one (SipParseError: one that is unreadable)."""
    value = request.headers.get("Replaces")
    return None if value is None else Replaces.parse(value)


def find_replaced(replaces: Replaces, calls: Iterable[Call]) -> Found | None:
    """The call whose dialog `replaces` names, seen from our side (§3)."""
    for call in calls:
        session = call.session
        if session.call_id != replaces.call_id or session.local_tag != replaces.to_tag:
            continue
        for dialog in [session.dialog, *session.early_dialogs]:
            if dialog is None or dialog.remote_tag != replaces.from_tag:
                continue
            if dialog.confirmed or (dialog.terminated and call.connected_at is not None):
                match = DialogMatch.CONFIRMED
            elif call.direction == "outgoing":
                match = DialogMatch.EARLY_OURS
            else:
                match = DialogMatch.EARLY_THEIRS
            remote = [dialog.remote_uri.uri]
            try:
                remote.append(SipURI.parse(call.remote))
            except SipParseError:
                pass
            return Found(call, match, tuple(remote))
    return None


def same_party(a: SipURI, b: SipURI) -> bool:
    """Two addresses of one party: same user and host (any case); ports count only
    when both name one."""
    if (a.user or "") != (b.user or "") or a.host.lower() != b.host.lower():
        return False
    return a.port is None or b.port is None or a.port == b.port


def named_parties(request: Request) -> list[SipURI]:
    """Who the replacing INVITE says it is (From) and who sent it (Referred-By)."""
    parties: list[SipURI] = []
    try:
        parties.append(request.from_.uri)
    except SipParseError:
        pass
    for value in request.headers.get_all("Referred-By"):
        try:
            parties.extend(n.uri for n in NameAddr.parse_list(value))
        except SipParseError:
            continue
    return parties


def verdict(
    found: Found | None,
    *,
    early_only: bool,
    ended: bool,
    from_server: bool,
    names_party: bool,
) -> tuple[int, str] | None:
    """The refusal for a replacing INVITE, or None: it may replace the call."""
    if found is None or found.match is DialogMatch.EARLY_THEIRS:
        return (481, "Call/Transaction Does Not Exist")
    if ended:
        return (603, "Declined")
    if early_only and found.match is DialogMatch.CONFIRMED:
        return (486, "Busy Here")
    if not from_server and not names_party:
        return (403, "Forbidden")
    return None


@dataclass
class ReplacesContext:
    """What the transfer target may touch: the settings, the accounts' servers and the
    calls (read), answering without a call, starting the new call (tracked, silent, not
    rung) and the ringer's 'keep quiet'."""

    settings: Callable[[], Settings]
    servers: Callable[[], Iterable[Address]]
    calls: Callable[[], Iterable[Call]]
    respond: Callable[[ServerTransaction, Request, int, str], None]
    start_call: Callable[[Account, Request, ServerTransaction], Awaitable[Call]]
    keep_quiet: Callable[[Request], None]


class ReplacesTarget:
    """Takes the INVITEs that carry Replaces (`Phone._on_invite` hands them over)."""

    def __init__(self, context: ReplacesContext) -> None:
        self.ctx = context

    @staticmethod
    def claims(request: Request) -> bool:
        return request.headers.get("Replaces") is not None

    async def handle(self, tx: ServerTransaction, request: Request, source: Source) -> Call | None:
        try:
            return await self._handle(tx, request, source)
        except Exception:  # a bug here must not pass silently in a forgotten task
            log.exception("INVITE with Replaces from %s:%s", source.host, source.port)
            return None

    async def _handle(self, tx: ServerTransaction, request: Request, source: Source) -> Call | None:
        from_server = trusted_source(source, list(self.ctx.servers()), allow_direct=False)
        allow_direct = self.ctx.settings().functions.allow_direct_calls
        if not from_server and not allow_direct:
            self._refuse(tx, request, 403, "Forbidden", "not from our server")
            return None
        try:
            replaces = replaces_of(request)
        except SipParseError as exc:
            self._refuse(tx, request, 400, "Bad Replaces", str(exc))
            return None
        assert replaces is not None
        found = find_replaced(replaces, self.ctx.calls())
        names = named_parties(request)
        refusal = verdict(
            found,
            early_only=replaces.early_only,
            ended=found is not None and found.call.ended,
            from_server=from_server,
            names_party=found is not None
            and any(same_party(n, r) for n in names for r in found.remote),
        )
        if refusal is not None or found is None:
            status, reason = refusal or (481, "Call/Transaction Does Not Exist")
            self._refuse(tx, request, status, reason, str(replaces))
            return None
        old = found.call
        self.ctx.keep_quiet(request)  # it takes a call the person has: it never rings
        new = await self.ctx.start_call(old.account, request, tx)
        if new.ended:
            return new  # its offer could not be answered (488): the old call stays
        log.info("call %s replaces call %s (%s)", new.id, old.id, found.match.value)
        new.answer()
        old.note = CallNote.REPLACED
        old.hangup()  # BYE, or CANCEL for our own call still ringing at the far end
        return new

    def _refuse(
        self, tx: ServerTransaction, request: Request, status: int, reason: str, why: str
    ) -> None:
        log.info("INVITE with Replaces refused %s: %s", status, why)
        self.ctx.respond(tx, request, status, reason)
