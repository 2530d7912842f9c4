"""Voicemail counts (MWI, RFC 3842 message-summary) for each account that wants them.

- An account with `mwi` on subscribes to the `message-summary` package of its own
  address of record (Accept: application/simple-message-summary) through
  `phone.subscriptions`, once it has an address (at its registration); the subscription
  follows the account (restored after a re-registration, closed when the account is
  removed: a changed account is removed and added again, so switching `mwi` on or off in
  the settings takes effect without a restart).
- An empty NOTIFY body (Kamailio's first NOTIFY when nobody published) says nothing:
  the counts stay as they were (none known yet).
- Unsolicited NOTIFYs (a PBX that sends MWI unasked, RFC 3842 §3.3) are taken only from
  the server of the account they address, with `mwi` on: the *transport source* must be
  that account's server (its registrar or outbound proxy, as located for the account),
  never what the From header claims, which anyone can write. Others are refused (403)
  and change nothing.
- A body `sip.message_summary.parse` cannot read is refused (400) and logged; the last
  counts are kept.

Each change of an account's counts is emitted as `MwiChanged`; `summary(account)` is
the last one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from parley.net.address import Source
from parley.phone.events import AccountStateChanged, MwiChanged, PhoneEvent
from parley.phone.incoming import trusted_source
from parley.phone.subscriptions import Notice, Subscription, SubscriptionError, Subscriptions
from parley.sip.message_summary import (
    MESSAGE_SUMMARY_TYPE,
    MessageSummary,
    MessageSummaryError,
    parse,
)

if TYPE_CHECKING:
    from parley.phone.account import Account

log = logging.getLogger(__name__)

__all__ = ["PACKAGE", "Voicemail", "VoicemailContext", "read_summary"]

PACKAGE = "message-summary"


@dataclass(frozen=True)
class VoicemailContext:
    """What the MWI module may use of the phone."""

    emit: Callable[[PhoneEvent], None]
    subscriptions: Subscriptions
    accounts: Callable[[], Mapping[str, Account]]


def read_summary(content_type: str, body: bytes) -> MessageSummary | str | None:
    """A NOTIFY body as a summary; None for an empty body (nothing known); the problem
    as a sentence for a body that is no message summary."""
    if not body.strip():
        return None
    if content_type and content_type != MESSAGE_SUMMARY_TYPE:
        return f"the body is {content_type}, not {MESSAGE_SUMMARY_TYPE}"
    try:
        return parse(body)
    except MessageSummaryError as exc:
        return str(exc)


def _check(content_type: str, body: bytes) -> str | None:
    found = read_summary(content_type, body)
    return found if isinstance(found, str) else None


class Voicemail:
    """The MWI subscriptions of all accounts and the last counts of each."""

    def __init__(self, ctx: VoicemailContext) -> None:
        self.ctx = ctx
        self._subs: dict[str, tuple[Account, Subscription]] = {}
        self._summaries: dict[str, MwiChanged] = {}
        ctx.subscriptions.unsolicited(PACKAGE, [MESSAGE_SUMMARY_TYPE], self._unsolicited)

    def summary(self, account: str) -> MwiChanged | None:
        """The last counts of `account` (None: nothing known yet)."""
        return self._summaries.get(account)

    # -- following the accounts

    def observe(self, event: PhoneEvent) -> None:
        """The phone's events: an account's state changed (added, registered, removed)."""
        if isinstance(event, AccountStateChanged):
            self.sync()

    def sync(self) -> None:
        """Subscribe for each account that wants MWI and has none; forget the
        subscriptions (and counts) of accounts that are gone or no longer want it."""
        accounts = self.ctx.accounts()
        for name, (account, sub) in list(self._subs.items()):
            if accounts.get(name) is not account or not account.settings.mwi or sub.closed:
                sub.close()
                del self._subs[name]
                if accounts.get(name) is not account or not account.settings.mwi:
                    self._summaries.pop(name, None)
        for name, account in accounts.items():
            if account.settings.mwi and name not in self._subs:
                self._subscribe(account)

    def _subscribe(self, account: Account) -> None:
        aor = str(account.registration.aor)
        try:
            sub = self.ctx.subscriptions.subscribe(
                account,
                aor,
                PACKAGE,
                [MESSAGE_SUMMARY_TYPE],
                lambda notice: self._notified(account, notice),
                check=_check,
            )
        except SubscriptionError as exc:
            log.warning("%s: cannot subscribe to its voicemail (%s): %s", account.name, aor, exc)
            return
        self._subs[account.name] = (account, sub)

    def close(self) -> None:
        for _account, sub in self._subs.values():
            sub.close()
        self._subs.clear()

    # -- NOTIFYs

    def _notified(self, account: Account, notice: Notice) -> None:
        current = self._subs.get(account.name)
        if current is None or current[0] is not account or current[1].closed:
            return  # the last word of a subscription we ended (MWI off, account gone)
        found = read_summary(notice.content_type, notice.body)
        if isinstance(found, MessageSummary):
            self._update(account.name, found)

    def _unsolicited(self, notice: Notice, source: Source) -> bool | int:
        account = self.ctx.accounts().get(notice.account)
        if account is None or not account.settings.mwi:
            log.info("unsolicited MWI from %s refused: no account wants it", source)
            return False
        server = account.server
        if server is None or not trusted_source(source, [server], allow_direct=False):
            log.info(
                "unsolicited MWI for %s from %s refused: not the account's server %s",
                account.name,
                source,
                server,
            )
            return False
        found = read_summary(notice.content_type, notice.body)
        if isinstance(found, str):
            log.warning("unsolicited MWI for %s refused: %s", account.name, found)
            return 400
        if found is not None:
            self._update(account.name, found)
        return True

    def _update(self, account: str, summary: MessageSummary) -> None:
        counts = summary.voice
        event = MwiChanged(
            account=account,
            new=counts.new,
            old=counts.old,
            urgent_new=counts.urgent_new,
            urgent_old=counts.urgent_old,
            waiting=summary.waiting,
        )
        if self._summaries.get(account) == event:
            return
        self._summaries[account] = event
        self.ctx.emit(event)
