"""The intercom facade: dial an intercom call (the account's intercom prefix before the
number). Incoming intercom calls need nothing here: the phone answers them by itself
when the account allows intercom (`parley.phone.auto_answer`)."""

from __future__ import annotations

import concurrent.futures

from parley.app.context import AppContext
from parley.app.snapshots import CallInfo
from parley.phone.intercom import intercom_target
from parley.phone.outgoing import account_for


class Intercom:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def dial(self, target: str, account: str | None = None) -> concurrent.futures.Future[CallInfo]:
        """Call `target` as an intercom call from `account` (default: the first registered
        one). Fails with `DialError` when the account has no intercom prefix."""
        return self._ctx.engine.call(self._dial, target, account)

    async def _dial(self, target: str, account: str | None) -> CallInfo:
        phone = self._ctx.phone()
        chosen = account_for(phone.accounts, account)
        number = intercom_target(target, chosen.settings.intercom_prefix, chosen.name)
        call = await phone.dial(number, chosen.name)
        tracker = self._ctx.tracker
        return tracker.get_call(call.id) or tracker.info_of(call)
