"""Small stand-ins of the issue #9 facades (app.presence, app.blf, app.voicemail,
app.messages) for the GUI tests: they record every command and answer from data the
test sets, with done futures."""

from __future__ import annotations

import concurrent.futures
import time
from dataclasses import dataclass, field, replace
from typing import Any

from parley.app.snapshots import CallInfo
from parley.phone.events import BlfChanged, MwiChanged, PresenceChanged
from parley.sip.pidf import PresenceState


def done(value: Any = None) -> concurrent.futures.Future[Any]:
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    future.set_result(value)
    return future


class Recorder:
    def __init__(self) -> None:
        self.made: list[tuple[str, tuple[Any, ...]]] = []

    def calls(self, name: str) -> list[tuple[Any, ...]]:
        return [args for made, args in self.made if made == name]


class FakePresence(Recorder):
    def __init__(self, state: PresenceState = PresenceState.ONLINE, note: str = "") -> None:
        super().__init__()
        self._state = (state, note)
        self.known: dict[str, PresenceChanged] = {}

    def set_state(self, state: PresenceState, note: str = "") -> concurrent.futures.Future[None]:
        self.made.append(("set_state", (state, note)))
        self._state = (state, note)
        return done()

    def state(self) -> tuple[PresenceState, str]:
        return self._state

    def watch(self, uri: str) -> concurrent.futures.Future[None]:
        self.made.append(("watch", (uri,)))
        return done()

    def unwatch(self, uri: str) -> concurrent.futures.Future[None]:
        self.made.append(("unwatch", (uri,)))
        return done()

    def watched(self) -> dict[str, PresenceChanged]:
        return dict(self.known)


def fake_call(number: str) -> CallInfo:
    return CallInfo(
        id=1,
        account="office",
        direction="outgoing",
        state="dialing",
        remote=f"sip:{number}@127.0.0.1",
        number=number,
    )


class FakeBlf(Recorder):
    def __init__(self, lines: list[BlfChanged] | None = None) -> None:
        super().__init__()
        self.current = list(lines or [])

    def lines(self) -> list[BlfChanged]:
        return list(self.current)

    def watch(self, uri: str) -> concurrent.futures.Future[None]:
        self.made.append(("watch", (uri,)))
        return done()

    def pickup(self, uri: str) -> concurrent.futures.Future[CallInfo]:
        self.made.append(("pickup", (uri,)))
        return done(fake_call(uri))


class FakeVoicemail(Recorder):
    def __init__(self, summaries: dict[str, MwiChanged] | None = None) -> None:
        super().__init__()
        self.summaries = dict(summaries or {})

    def summary(self, account: str) -> MwiChanged | None:
        return self.summaries.get(account)

    def call(self, account: str | None = None) -> concurrent.futures.Future[CallInfo]:
        self.made.append(("call", (account,)))
        return done(fake_call("*98"))


@dataclass(frozen=True)
class Stored:
    """What parley.messages.model.StoredMessage holds."""

    id: int
    peer: str
    account: str
    direction: str
    text: str
    at: float
    state: str
    status: int | None = None
    reason: str = ""
    read: bool = True


@dataclass(frozen=True)
class Conversation:
    peer: str
    name: str | None
    last_text: str
    last_at: float
    unread: int


@dataclass
class FakeMessages(Recorder):
    """A message store in memory: `receive` adds what a peer sent (unread)."""

    names: dict[str, str] = field(default_factory=dict)
    stored: list[Stored] = field(default_factory=list)

    def __post_init__(self) -> None:
        Recorder.__init__(self)

    def receive(self, peer: str, text: str, at: float | None = None) -> Stored:
        message = Stored(
            len(self.stored) + 1,
            peer,
            "office",
            "in",
            text,
            at or time.time(),
            "received",
            read=False,
        )
        self.stored.append(message)
        return message

    def send(
        self, uri: str, text: str, account: str | None = None
    ) -> concurrent.futures.Future[int]:
        self.made.append(("send", (uri, text, account)))
        peer = uri if ":" in uri else f"sip:{uri}@127.0.0.1"  # as the account would dial it
        message = Stored(len(self.stored) + 1, peer, "office", "out", text, time.time(), "sending")
        self.stored.append(message)
        return done(message.id)

    def typing(self, uri: str, active: bool) -> concurrent.futures.Future[None]:
        self.made.append(("typing", (uri, active)))
        return done()

    def conversations(self) -> list[Conversation]:
        out: dict[str, Conversation] = {}
        for m in self.stored:
            unread = sum(1 for x in self.stored if x.peer == m.peer and not x.read)
            out[m.peer] = Conversation(m.peer, self.names.get(m.peer), m.text, m.at, unread)
        return sorted(out.values(), key=lambda c: c.last_at, reverse=True)

    def conversation(self, uri: str, limit: int = 200) -> list[Stored]:
        self.made.append(("conversation", (uri, limit)))
        return [m for m in self.stored if m.peer == uri][-limit:]

    def search(self, text: str) -> list[Stored]:
        return [m for m in self.stored if text.lower() in m.text.lower()]

    def mark_read(self, uri: str) -> None:
        self.made.append(("mark_read", (uri,)))
        self.stored = [replace(m, read=True) if m.peer == uri else m for m in self.stored]

    def close(self) -> None:
        """As the real facade's: Application.stop closes it when it stands in for it."""
        self.made.append(("close", ()))
