"""The call-control facades of the Application as the desktop app uses them (the
app-facade contract: app.transfers, app.conference, app.recordings, and deflect /
send_to_voicemail on app.calls).

They are looked up when used, not at import: a build without one of them still starts,
and a command that needs a missing one fails with a sentence (`FacadeMissing`) instead
of an AttributeError deep in Qt. The Protocols state the names and arguments the GUI
relies on, so mypy checks our calls against the contract.
"""

from __future__ import annotations

import concurrent.futures
from typing import Any, Protocol, cast

from parley.app.application import Application
from parley.app.snapshots import CallInfo

CallRef = CallInfo | int


class FacadeMissing(RuntimeError):
    """This build has no such function (its part of the engine is not there)."""


class Transfers(Protocol):
    def blind(self, call: CallRef, target: str) -> concurrent.futures.Future[None]: ...
    def attended(self, call_a: CallRef, call_b: CallRef) -> concurrent.futures.Future[None]: ...
    def answer_request(self, call: CallRef, accept: bool) -> concurrent.futures.Future[None]: ...


class Redirects(Protocol):
    def deflect(self, call: CallRef, target: str) -> concurrent.futures.Future[None]: ...
    def send_to_voicemail(self, call: CallRef) -> concurrent.futures.Future[None]: ...


class Conference(Protocol):
    def join(self, calls: list[CallRef] | None) -> concurrent.futures.Future[None]: ...
    def add(
        self, target: str, account: str | None = None
    ) -> concurrent.futures.Future[CallInfo]: ...
    def split(self, call: CallRef) -> concurrent.futures.Future[None]: ...
    def mute_participant(self, call: CallRef, on: bool) -> concurrent.futures.Future[None]: ...
    def hold(self, on: bool) -> concurrent.futures.Future[None]: ...
    def end(self) -> concurrent.futures.Future[None]: ...
    def calls(self) -> list[int]: ...


class Recordings(Protocol):
    def set(self, call: CallRef, on: bool) -> concurrent.futures.Future[str | None]: ...
    def active(self, call_id: int) -> bool: ...


def _facade(application: Application, name: str, method: str) -> Any:
    found = getattr(application, name, None)
    if found is None or not hasattr(found, method):
        raise FacadeMissing(f"{name}.{method}")
    return found


def transfers(application: Application, method: str = "blind") -> Transfers:
    return cast(Transfers, _facade(application, "transfers", method))


def redirects(application: Application, method: str = "deflect") -> Redirects:
    return cast(Redirects, _facade(application, "calls", method))


def conference(application: Application, method: str = "join") -> Conference:
    return cast(Conference, _facade(application, "conference", method))


def recordings(application: Application, method: str = "set") -> Recordings:
    return cast(Recordings, _facade(application, "recordings", method))


def dial(
    application: Application, target: str, account: str | None, *, intercom: bool = False
) -> concurrent.futures.Future[CallInfo]:
    """`app.dial`, with `intercom=True` only when asked (the contract's keyword)."""
    if not intercom:
        return application.dial(target, account)
    dial_any: Any = application.dial
    return cast(concurrent.futures.Future[CallInfo], dial_any(target, account, intercom=True))
