"""The voicemail facade: the counts of waiting voice messages (MWI) and a call to the
mailbox.

`summary(account)` is the last `MwiChanged` of the account (kept from the event stream,
so it may be read on any thread); `call(account)` dials the account's voicemail
extension and returns the call as `CallInfo`.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable

from parley.app.calls import Calls
from parley.app.context import AppContext, AppError, failed
from parley.app.events import SettingsApplied
from parley.app.snapshots import CallInfo
from parley.phone.events import MwiChanged, PhoneEvent
from parley.settings.model import AccountSettings

__all__ = ["Voicemail"]


class Voicemail:
    """[app.voicemail] Voice message counts per account, and the voicemail button."""

    def __init__(
        self,
        ctx: AppContext,
        calls: Calls,
        subscribe: Callable[[Callable[[PhoneEvent], None]], Callable[[], None]],
    ) -> None:
        self._ctx = ctx
        self._calls = calls
        self._lock = threading.Lock()
        self._summaries: dict[str, MwiChanged] = {}
        subscribe(self._on_event)

    def _on_event(self, event: PhoneEvent) -> None:
        if isinstance(event, MwiChanged):
            with self._lock:
                self._summaries[event.account] = event
        elif isinstance(event, SettingsApplied):  # MWI off: its old counts are forgotten
            wanted = {a.name for a in self._ctx.settings().accounts if a.enabled and a.mwi}
            with self._lock:
                self._summaries = {k: v for k, v in self._summaries.items() if k in wanted}

    def summary(self, account: str) -> MwiChanged | None:
        """The last voicemail counts of `account`; None when nothing is known yet or the
        account has MWI off (any thread)."""
        settings = next((a for a in self._ctx.settings().accounts if a.name == account), None)
        if settings is None or not settings.enabled or not settings.mwi:
            return None
        with self._lock:
            return self._summaries.get(account)

    def call(self, account: str | None = None) -> concurrent.futures.Future[CallInfo]:
        """Dial the voicemail extension of `account` (default: the first enabled account
        with MWI on, else the first enabled one). AppError when it has none."""
        try:
            chosen = self._account(account)
        except AppError as exc:
            return failed(exc)
        if not chosen.voicemail_extension:
            return failed(
                AppError(
                    f"account {chosen.name} has no voicemail extension: set it in the "
                    "account's settings (e.g. *98) to call your voicemail"
                )
            )
        return self._calls.dial(chosen.voicemail_extension, chosen.name)

    def _account(self, name: str | None) -> AccountSettings:
        enabled = [a for a in self._ctx.settings().accounts if a.enabled]
        if name is not None:
            found = next((a for a in enabled if a.name == name), None)
            if found is None:
                raise AppError(f"no enabled account named {name!r}")
            return found
        if not enabled:
            raise AppError("no account is enabled: add one to call the voicemail")
        return next((a for a in enabled if a.mwi), enabled[0])
