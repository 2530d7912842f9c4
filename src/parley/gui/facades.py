"""The application facades the presence, BLF, voicemail and chat widgets work with, as
small protocols (the contract in the issue #9 plan: `app.presence`, `app.blf`,
`app.voicemail`, `app.messages`).

The widgets take these objects, never the Application, so tests hand them recording
fakes. `facades_of(application)` finds the real ones; one not built yet is None and its
widgets stay hidden.
"""

from __future__ import annotations

import concurrent.futures
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from parley.app.snapshots import CallInfo
from parley.phone.events import BlfChanged, MwiChanged, PresenceChanged
from parley.sip.pidf import PresenceState

__all__ = [
    "BlfFacade",
    "ConversationLike",
    "Facades",
    "MessagesFacade",
    "PresenceFacade",
    "Runner",
    "StoredMessageLike",
    "VoicemailFacade",
    "facades_of",
    "ignore",
    "party_text",
    "same_party",
    "uri_user",
]


class PresenceFacade(Protocol):
    def set_state(
        self, state: PresenceState, note: str = ""
    ) -> concurrent.futures.Future[None]: ...
    def state(self) -> tuple[PresenceState, str]: ...
    def watch(self, uri: str) -> concurrent.futures.Future[None]: ...
    def unwatch(self, uri: str) -> concurrent.futures.Future[None]: ...
    def watched(self) -> dict[str, PresenceChanged]: ...


class BlfFacade(Protocol):
    def lines(self) -> list[BlfChanged]: ...
    def watch(self, uri: str) -> concurrent.futures.Future[None]: ...
    def pickup(self, uri: str) -> concurrent.futures.Future[CallInfo]: ...


class VoicemailFacade(Protocol):
    def summary(self, account: str) -> MwiChanged | None: ...
    def call(self, account: str | None = None) -> concurrent.futures.Future[CallInfo]: ...


class StoredMessageLike(Protocol):
    """`parley.messages.model.StoredMessage` as the chat reads it."""

    @property
    def id(self) -> int: ...
    @property
    def peer(self) -> str: ...
    @property
    def account(self) -> str: ...
    @property
    def direction(self) -> str: ...  # "in" / "out"
    @property
    def text(self) -> str: ...
    @property
    def at(self) -> float: ...  # epoch seconds
    @property
    def state(self) -> str: ...  # a MessageDelivery value, or "received"
    @property
    def status(self) -> int | None: ...
    @property
    def reason(self) -> str: ...
    @property
    def read(self) -> bool: ...


class ConversationLike(Protocol):
    """A row of `Messages.conversations()`: the peer, its name, the last message and the
    number of unread ones."""

    @property
    def peer(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def last_text(self) -> str: ...
    @property
    def last_at(self) -> float: ...
    @property
    def unread(self) -> int: ...


class MessagesFacade(Protocol):
    def send(
        self, uri: str, text: str, account: str | None = None
    ) -> concurrent.futures.Future[int]: ...
    def typing(self, uri: str, active: bool) -> concurrent.futures.Future[None]: ...
    def conversations(self) -> Iterable[ConversationLike]: ...
    def conversation(self, uri: str, limit: int = 200) -> Iterable[StoredMessageLike]: ...
    def search(self, text: str) -> Iterable[StoredMessageLike]: ...
    def mark_read(self, uri: str) -> None: ...


# How a widget hands a command's future on, as `EngineBridge.run(future, on_result,
# on_error)` does (a failure without `on_error` is shown in the status bar); tests pass
# `ignore` or a recorder.
Runner = Callable[..., None]


def ignore(_future: concurrent.futures.Future[Any], *_handlers: Any) -> None:
    """A Runner that drops the future (its result comes as an event anyway)."""


@dataclass(frozen=True)
class Facades:
    presence: PresenceFacade | None = None
    blf: BlfFacade | None = None
    voicemail: VoicemailFacade | None = None
    messages: MessagesFacade | None = None


def facades_of(application: Any) -> Facades:
    """The application's facades; None where it has none yet. When they exist on
    Application, each line becomes a plain attribute (`application.presence`)."""
    return Facades(
        presence=application.presence,
        blf=application.blf,
        voicemail=application.voicemail,
        messages=getattr(application, "messages", None),
    )


_URI_USER = re.compile(r"^(?:sips?:|tel:)?([^@;>]+)(?:@[^;>]*)?")


def uri_user(uri: str) -> str:
    """The user part of a SIP address ("sip:1002@pbx" → "1002"); a number as is."""
    found = _URI_USER.match(uri.strip().strip("<>"))
    return found.group(1) if found else uri


def same_party(uri: str, number: str) -> bool:
    """Whether a watched address and a contact's number (or address) mean one party."""
    if not number.strip():
        return False
    a, b = uri.strip().strip("<>").lower(), number.strip().strip("<>").lower()
    if a == b:
        return True
    digits = re.sub(r"[\s\-/().]", "", number)
    return uri_user(a) == (uri_user(b) if "@" in b or ":" in b else digits.lower())


_NAME_ADDR = re.compile(r'^\s*"?([^"<]*?)"?\s*<([^>]*)>')


def party_text(party: str) -> str:
    """Who a SIP party is, as a person reads it: "Jonas (1005)" for
    'Jonas <sip:1005@pbx>', "1005" for a bare address, else the text as it came."""
    found = _NAME_ADDR.match(party)
    if found:
        name, uri = found.group(1).strip(), found.group(2)
        user = uri_user(uri)
        return f"{name} ({user})" if name and name != user else user
    if party.lower().startswith(("sip:", "sips:", "tel:")):
        return uri_user(party)
    return party
