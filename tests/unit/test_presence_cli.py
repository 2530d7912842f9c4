"""Presence in the console and the application facade: the exact command words, the
error for a wrong state, the JSON lines of the issue, and the chosen state saved in the
settings file (read back from the file)."""

from __future__ import annotations

import concurrent.futures
import json
from pathlib import Path

import pytest

from parley.app import Application
from parley.cli.console import Console
from parley.cli.texts import event_data
from parley.contacts.model import Contact, PhoneNumber
from parley.phone.events import (
    PresenceChanged,
    PresenceState,
    PublicationChanged,
    SubscriptionChanged,
    SubscriptionStatus,
)
from parley.settings import AccountSettings, Settings, load_settings, save_settings


class FakePresence:
    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []

    def _done(self) -> concurrent.futures.Future[None]:
        future: concurrent.futures.Future[None] = concurrent.futures.Future()
        future.set_result(None)
        return future

    def set_state(self, state: PresenceState, note: str = "") -> concurrent.futures.Future[None]:
        self.calls.append(("set_state", state.value, note))
        return self._done()

    def state(self) -> tuple[PresenceState, str]:
        return PresenceState.BUSY, "In a meeting"

    def watch(self, uri: str) -> concurrent.futures.Future[None]:
        self.calls.append(("watch", uri))
        return self._done()

    def unwatch(self, uri: str) -> concurrent.futures.Future[None]:
        self.calls.append(("unwatch", uri))
        return self._done()


class FakeApp:
    def __init__(self) -> None:
        self.presence = FakePresence()


def run(line: str) -> tuple[FakePresence, list[dict[str, str]]]:
    app = FakeApp()
    console = Console(app, as_json=True)  # type: ignore[arg-type]
    out: list[dict[str, str]] = []
    console._print = lambda text: out.append(json.loads(text))  # type: ignore[method-assign]
    console.line = line
    console._command(line.split())
    return app.presence, out


def test_presence_state_and_note_as_typed() -> None:
    facade, out = run("presence busy In a  meeting")
    assert facade.calls == [("set_state", "busy", "In a  meeting")]
    assert out == [{"event": "reply", "text": "presence: busy — In a  meeting"}]
    facade, _ = run("presence ON-THE-PHONE")
    assert facade.calls == [("set_state", "on-the-phone", "")]


def test_a_wrong_state_lists_the_eight() -> None:
    facade, out = run("presence sleeping")
    assert facade.calls == []
    text = out[0]["text"]
    assert text.startswith("error: no presence state 'sleeping'")
    assert "online, invisible, away, busy, offline, lunch, on-the-phone, brb" in text


def test_presence_alone_watch_and_unwatch() -> None:
    _, out = run("presence")
    assert out[0]["text"] == "presence: busy — In a meeting"
    facade, _ = run("watch sip:1002@pbx")
    assert facade.calls == [("watch", "sip:1002@pbx")]
    facade, _ = run("unwatch 1002")
    assert facade.calls == [("unwatch", "1002")]
    _, out = run("watch")
    assert out[0]["text"].startswith("error: watch whom?")


def test_json_events_of_the_issue() -> None:
    data = event_data(PresenceChanged("sip:1002@pbx", PresenceState.BUSY, "meeting", "office"))
    assert {k: data[k] for k in ("event", "uri", "state", "note")} == {
        "event": "presence",
        "uri": "sip:1002@pbx",
        "state": "busy",
        "note": "meeting",
    }
    assert data["text"] == "sip:1002@pbx is busy — meeting."
    own = event_data(PresenceChanged("sip:1001@pbx", PresenceState.INVISIBLE, own=True))
    assert own["text"] == "Your presence: invisible (others see you offline)."
    sub = event_data(
        SubscriptionChanged("sip:1002@pbx", "presence", SubscriptionStatus.FAILED, "Forbidden", 403)
    )
    assert {k: sub[k] for k in ("event", "uri", "package", "state", "reason")} == {
        "event": "subscription",
        "uri": "sip:1002@pbx",
        "package": "presence",
        "state": "failed",
        "reason": "Forbidden",
    }
    assert sub["text"] == "Cannot watch the presence of sip:1002@pbx: forbidden (403 Forbidden)."
    pub = event_data(
        PublicationChanged(
            "sip:1001@pbx", "presence", SubscriptionStatus.FAILED, 489, "Bad Event", "office"
        )
    )
    assert pub["event"] == "publication" and "keeps no presence" in pub["text"]


@pytest.fixture
def app(tmp_path: Path) -> Application:
    path = tmp_path / "settings.toml"
    save_settings(
        Settings(accounts=[AccountSettings(name="office", domain="pbx.test", username="1001")]),
        path,
    )
    return Application(path, use_keyring=False, data_dir=tmp_path / "data")


def test_the_state_chosen_is_saved_in_the_settings_file(app: Application) -> None:
    try:
        app.presence.set_state(PresenceState.LUNCH, " back at 2 ").result(5)
        assert app.presence.state() == (PresenceState.LUNCH, "back at 2")
        assert app.settings_path is not None
        stored = load_settings(app.settings_path)
        assert (stored.functions.presence, stored.functions.presence_note) == (
            "lunch",
            "back at 2",
        )
        with pytest.raises(Exception, match="one of: online"):
            app.presence.set_state("snoozing").result(5)  # type: ignore[arg-type]
    finally:
        app.stop()


def test_the_contacts_presence_addresses(app: Application) -> None:
    try:
        app.contacts.add(
            Contact(last_name="Berg", numbers=(PhoneNumber("1002"),), presence="sip:1002@pbx")
        )
        app.contacts.add(Contact(last_name="Kohl", numbers=(PhoneNumber("1003"),)))
        assert app.presence.contact_addresses() == ["sip:1002@pbx"]
    finally:
        app.stop()
