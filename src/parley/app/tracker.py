"""Snapshots of the calls and accounts, kept up to date from the phone's events.

The tracker turns each `CallStateChanged` and `AccountStateChanged` into an immutable
`CallInfo` / `AccountInfo` that any thread (the GUI's) may read under its lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime

from parley.app.snapshots import AccountInfo, CallInfo
from parley.history.model import number_of
from parley.phone.call import Call
from parley.phone.call_srtp import srtp_problem_of
from parley.phone.events import AccountStateChanged, CallStateChanged, PhoneEvent
from parley.settings.model import AccountSettings


class Tracker:
    """Call and account snapshots. `contact_name(number)` names the local contact owning a
    number (or None)."""

    def __init__(self, contact_name: Callable[[str], str | None]) -> None:
        self._contact_name = contact_name
        self._lock = threading.Lock()
        self._calls: dict[int, CallInfo] = {}
        self._accounts: dict[str, AccountInfo] = {}

    def on_event(self, event: PhoneEvent) -> None:
        """Update the snapshots from one phone event (others are ignored)."""
        if isinstance(event, CallStateChanged):
            self._track_call(event)
        elif isinstance(event, AccountStateChanged):
            with self._lock:
                self._accounts[event.account] = AccountInfo(
                    name=event.account,
                    state=event.state,
                    status=event.status,
                    reason=event.reason,
                    expires=event.expires,
                    server=event.server,
                    cause=event.cause,
                    detail=event.detail,
                    user=event.user,
                    domain=event.domain,
                    transport=event.transport,
                    tls_unverified=event.tls_unverified,
                    stun_problem=event.stun_problem,
                    stun_server=event.stun_server,
                    stun_detail=event.stun_detail,
                    problem=event.problem,
                    where=event.where,
                )

    def _track_call(self, event: CallStateChanged) -> None:
        now = datetime.now(UTC)
        with self._lock:
            old = self._calls.get(event.call)
        number = number_of(event.remote)
        contact_name = old.contact_name if old is not None and old.number == number else None
        if old is None or old.number != number:
            contact_name = self._contact_name(number)
        connected_at = old.connected_at if old is not None else None
        if connected_at is None and event.state in ("connected", "held"):
            connected_at = now
        info = CallInfo(
            id=event.call,
            account=event.account,
            direction=event.direction,
            state=event.state,
            remote=event.remote,
            number=number,
            remote_name=event.remote_name,
            contact_name=contact_name,
            held=event.held,
            muted=event.muted,
            codec=event.codec,
            status=event.status,
            reason=event.reason,
            cause=event.cause,
            ended_by=event.ended_by,
            detail=event.detail,
            started_at=old.started_at if old is not None else now,
            media_encryption=event.media_encryption,
            signalling=event.signalling,
            encryption_problem=event.encryption_problem,
            sas=event.sas,
            sas_verified=event.sas_verified,
            zrtp_cache_mismatch=event.zrtp_cache_mismatch,
            connected_at=connected_at,
        )
        with self._lock:
            if event.state == "ended":
                self._calls.pop(event.call, None)
            else:
                self._calls[event.call] = info

    # -- calls

    def list_calls(self) -> list[CallInfo]:
        with self._lock:
            return sorted(self._calls.values(), key=lambda c: c.id)

    def get_call(self, call_id: int) -> CallInfo | None:
        with self._lock:
            return self._calls.get(call_id)

    def set_muted(self, call_id: int, muted: bool) -> None:
        """A mute command took effect (its event may come later than the caller looks)."""
        with self._lock:
            info = self._calls.get(call_id)
            if info is not None:
                self._calls[call_id] = replace(info, muted=muted)

    def info_of(self, call: Call) -> CallInfo:
        """A snapshot made from the call itself, for a call no event has named yet."""
        number = number_of(call.remote)
        return CallInfo(
            id=call.id,
            account=call.account.name,
            direction=call.direction,
            state=call.state,
            remote=call.remote,
            number=number,
            remote_name=call.remote_name,
            contact_name=self._contact_name(number),
            held=call.held,
            muted=call.muted,
            started_at=datetime.now(UTC),
            media_encryption=call.media_encryption,
            sas=call.zrtp.sas,
            sas_verified=call.zrtp.sas_verified,
            zrtp_cache_mismatch=call.zrtp.cache_mismatch,
            signalling=call.crypto.signalling,
            encryption_problem=call.crypto.problem,
        )

    # -- accounts

    def accounts(self, configured: Iterable[AccountSettings]) -> list[AccountInfo]:
        """Every configured account with its registration state."""
        with self._lock:
            states = dict(self._accounts)
        out = []
        for account in configured:
            info = states.get(account.name) or AccountInfo(name=account.name)
            out.append(
                replace(info, enabled=account.enabled, srtp_problem=srtp_problem_of(account))
            )
        return out

    def forget_account(self, name: str) -> None:
        with self._lock:
            self._accounts.pop(name, None)
