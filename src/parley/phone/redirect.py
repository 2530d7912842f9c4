"""Redirection: our outgoing calls follow 3xx answers; a ringing call is deflected.

Following (RFC 3261 §8.1.3.4): the Contacts of a 300/301/302 become the call's next
targets, highest q first (equal q: in the order the answer lists them). They are tried
one after the other: when one fails (any final failure, a timeout included) the next is
called, and a target that itself answers 3xx puts its Contacts before the ones still
waiting. A loop is cut twice: no target is called twice in one call (the first one
counts), and at most `MAX_REDIRECTS` targets are tried after the first. When nothing is
left, the call ends with the last answer. The person sees one call: the same `Call`
(id, events, RTP port) gets a new INVITE session for each target, and its events carry
`CallNote.REDIRECTED` from the first redirect on. `functions.follow_redirects` off: a
3xx ends the call with its status, as any failure does.

305 Use Proxy and 380 Alternative Service are not followed (a proxy to use, or a
description of a service, is no target to call); they end the call.

Deflection (the person's "→" while it rings, "Transfer to voicemail", call forwarding):
`Call.deflect` answers 302 with the target as Contact; `deflect_target` makes that
target from what a person typed, with the account's rules for numbers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from parley.sip.headers import SipParseError
from parley.sip.invite_events import CallState, EndCause, Party, StateChanged
from parley.sip.message import Response
from parley.sip.uri import SipURI

if TYPE_CHECKING:
    from parley.phone.account import Account
    from parley.phone.call import Call

log = logging.getLogger(__name__)

__all__ = [
    "FOLLOWED_STATUSES",
    "MAX_REDIRECTS",
    "DeflectError",
    "RedirectTargets",
    "contacts_in_order",
    "deflect_target",
    "follow_redirect",
]

MAX_REDIRECTS = 5  # targets tried after the first one, at most
FOLLOWED_STATUSES = frozenset({300, 301, 302})


class DeflectError(ValueError):
    """A call cannot be sent where the person asked; the message says why."""


def target_key(uri: SipURI) -> tuple[str, str, str, int | None]:
    """What makes two targets the same one: scheme, user, host (any case) and port."""
    scheme = "sip" if uri.scheme == "sips" else uri.scheme
    return (scheme, uri.user or "", uri.host.lower(), uri.port)


def contacts_in_order(response: Response) -> list[SipURI]:
    """The SIP targets a 3xx names, highest q first; equal q (or none: 1.0) keep the
    answer's order. Unreadable Contacts and other schemes are left out."""
    try:
        contacts = response.contacts
    except SipParseError as exc:
        log.info("3xx with unreadable Contact: %s", exc)
        return []
    ranked: list[tuple[float, int, SipURI]] = []
    for index, contact in enumerate(contacts):
        uri = contact.uri
        if uri.scheme not in ("sip", "sips") or not uri.host:
            continue
        try:
            q = contact.q
        except SipParseError:
            q = None
        ranked.append((-(1.0 if q is None else q), index, uri.copy()))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [uri for _q, _i, uri in ranked]


@dataclass
class RedirectTargets:
    """The targets of one call: those tried (the first included) and those waiting."""

    tried: list[SipURI]
    waiting: list[SipURI] = field(default_factory=list)
    limit: int = MAX_REDIRECTS

    def _known(self, uri: SipURI) -> bool:
        key = target_key(uri)
        return any(target_key(u) == key for u in [*self.tried, *self.waiting])

    def add(self, contacts: list[SipURI]) -> None:
        """A 3xx's Contacts (in order) go before the targets still waiting."""
        fresh: list[SipURI] = []
        for uri in contacts:
            if not self._known(uri) and not any(target_key(u) == target_key(uri) for u in fresh):
                fresh.append(uri)
        self.waiting[:0] = fresh

    def next(self) -> SipURI | None:
        """The next target to call, or None: nothing left, or the limit is reached."""
        if len(self.tried) > self.limit or not self.waiting:
            return None
        uri = self.waiting.pop(0)
        self.tried.append(uri)
        return uri


def should_follow(change: StateChanged) -> bool:
    """A failure the far end or the network caused; never our own hang-up or cancel."""
    return (
        change.state is CallState.ENDED
        and change.by is not Party.LOCAL
        and change.cause is not EndCause.CANCELLED
        and change.status is not None
    )


def follow_redirect(call: Call, change: StateChanged) -> bool:
    """The hook of `Call`: the outgoing `call` has just failed with `change`. True when
    it is placed again (to a 3xx's Contact, or to the next one waiting) instead of
    ending."""
    if not should_follow(change) or call.connected_at is not None:
        return False
    if not call.ctx.settings().functions.follow_redirects:
        return False
    redirects = call.redirects
    response = call.session.final_response
    if change.status in FOLLOWED_STATUSES and response is not None:
        contacts = contacts_in_order(response)
        if redirects is None:
            first = call.session.invite_request
            if first is None or not isinstance(first.uri, SipURI):
                return False
            redirects = call.redirects = RedirectTargets(tried=[first.uri.copy()])
        redirects.add(contacts)
    if redirects is None:
        return False  # an ordinary failure of a call that was never redirected
    target = redirects.next()
    if target is None:
        if redirects.waiting:
            log.info("call %s: redirect limit reached (%d targets)", call.id, redirects.limit)
        return False
    log.info("call %s: %s %s, now calling %s", call.id, change.status, change.reason, target)
    call.redirect(target)
    return True


def deflect_target(target: str, account: Account) -> SipURI:
    """Where a deflected or forwarded call goes: a number on the account's domain, or a
    SIP URI as it is (`DeflectError` when it is neither)."""
    from parley.phone.outgoing import DialError, target_uri

    try:
        uri = target_uri(target, account)
    except DialError as exc:
        raise DeflectError(str(exc)) from exc
    if uri.scheme not in ("sip", "sips") or not uri.host:
        raise DeflectError(f"{target!r} is no SIP address or number to send a call to")
    return uri
