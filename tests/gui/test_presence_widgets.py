"""The status bar's presence selector and voicemail counts, and presence dots on
contacts and in the call window: built in the real main window around stand-ins of the
facades (recording what they are asked), fed with the engine's events."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_facades import FakeMessages, FakePresence, FakeVoicemail

from parley.app.application import Application
from parley.contacts.model import Contact, PhoneNumber
from parley.gui.bridge import EngineBridge
from parley.gui.i18n import set_language
from parley.gui.main_window import MainWindow
from parley.gui.presence_view import PRESENCE_COLOURS, PresenceSelector
from parley.phone.events import MwiChanged, PresenceChanged
from parley.settings import AccountSettings, Settings
from parley.sip.pidf import PresenceState

SHOTS = (
    Path(os.environ.get("PARLEY_SCREENSHOTS", "")) if os.environ.get("PARLEY_SCREENSHOTS") else None
)


def settings(**account: Any) -> Settings:
    s = Settings(
        accounts=[
            AccountSettings(
                name="office",
                domain="127.0.0.1:5999",
                username="1001",
                voicemail_extension="*98",
                **account,
            )
        ]
    )
    s.functions.presence = "busy"
    s.functions.presence_note = "back at 2"
    return s


class Shown:
    def __init__(self, app: Application, window: MainWindow, bridge: EngineBridge, qtbot: Any):
        self.app, self.window, self.bridge, self.qtbot = app, window, bridge, qtbot

    def event(self, event: object, until: Callable[[], object]) -> None:
        self.app._dispatch(event)  # type: ignore[arg-type]
        self.qtbot.waitUntil(lambda: bool(until()), timeout=5000)


@pytest.fixture
def shown(make_app: Callable[..., Application], qtbot: Any) -> Iterator[Callable[..., Shown]]:
    made: list[Shown] = []

    def make(s: Settings, **facades: Any) -> Shown:
        app = make_app(s)
        for name, facade in facades.items():
            setattr(app, name, facade)  # what Application will have (issue #9 round 2)
        bridge = EngineBridge(app)
        window = MainWindow(bridge)
        qtbot.addWidget(window)
        window.resize(800, 640)
        window.show()
        result = Shown(app, window, bridge, qtbot)
        made.append(result)
        return result

    yield make
    for each in made:
        each.bridge.close()
        each.window.quit()


def test_the_selector_shows_our_state_and_sends_a_choice(qtbot: Any) -> None:
    facade = FakePresence(PresenceState.AWAY, "in a meeting")
    selector = PresenceSelector(facade)
    qtbot.addWidget(selector)
    assert selector.text() == "Away"
    assert "in a meeting" in selector.toolTip()
    labels = [a.text() for a in selector.menu_.actions() if a.text()]
    assert labels == [
        "Online",
        "Invisible",
        "Away",
        "Busy",
        "Offline",
        "Lunch break",
        "On the phone",
        "Briefly absent",
    ]
    checked = [a.text() for a in selector.menu_.actions() if a.isChecked()]
    assert checked == ["Away"]
    selector.note.setText("  lunch with Anna ")
    lunch = next(a for a in selector.menu_.actions() if a.text() == "Lunch break")
    lunch.trigger()
    assert facade.calls("set_state") == [(PresenceState.LUNCH, "lunch with Anna")]
    assert selector.text() == "Lunch break"
    # The engine reports our own state (e.g. "on the phone" during a call).
    selector.on_presence(
        PresenceChanged(uri="sip:1001@pbx", state=PresenceState.ON_THE_PHONE, own=True)
    )
    assert selector.text() == "On the phone"
    # Another's presence does not change ours.
    selector.on_presence(PresenceChanged(uri="sip:1002@pbx", state=PresenceState.OFFLINE))
    assert selector.text() == "On the phone"


def test_every_state_has_its_own_dot_colour_or_mark() -> None:
    from parley.gui.presence_view import presence_pixmap

    images = {s: presence_pixmap(s, 16).toImage() for s in PresenceState}
    assert PRESENCE_COLOURS[PresenceState.ONLINE] != PRESENCE_COLOURS[PresenceState.BUSY]
    centre = {s: img.pixelColor(8, 8).name() for s, img in images.items()}
    assert centre[PresenceState.ONLINE] == PRESENCE_COLOURS[PresenceState.ONLINE]
    # Busy is red with a white bar through the middle: it reads without colour too.
    assert centre[PresenceState.BUSY] == "#ffffff"


def test_without_a_presence_facade_the_choice_is_kept_in_the_settings(
    shown: Callable[..., Shown],
) -> None:
    rig = shown(settings())
    selector = rig.window.features.presence
    assert selector.text() == "Busy"  # from the settings at start
    assert "back at 2" in selector.toolTip()
    selector.note.setText("")
    selector.choose(PresenceState.BRB)
    rig.qtbot.waitUntil(lambda: rig.app.settings.functions.presence == "brb", timeout=5000)
    assert rig.app.settings.functions.presence_note is None


def test_the_voicemail_counts_and_the_call(shown: Callable[..., Shown]) -> None:
    voicemail = FakeVoicemail({"office": MwiChanged(account="office", new=1, old=4)})
    rig = shown(settings(mwi=True), voicemail=voicemail, presence=FakePresence())
    mwi = rig.window.features.mwi
    assert mwi is not None and mwi.isVisible()
    assert not rig.window.status.voicemail_button.isVisible()  # the counted one instead
    assert mwi.text() == "1 (4)"
    rig.event(
        MwiChanged(account="office", new=3, old=4, urgent_new=2, waiting=True),
        lambda: mwi.text() == "3 (4)",
    )
    assert "office: 3 new, 4 old (urgent: 2 new, 0 old)" in mwi.toolTip()
    # A new message: a pop-up (in the status bar without a tray) and a sound.
    actions = rig.window.features.last_actions
    assert "sound" in actions and ("notify" in actions or "status" in actions)
    if "status" in actions:
        assert "3 new voice messages on office" in rig.window.status.message.text()
    mwi.click()
    assert voicemail.calls("call") == [("office",)]
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        rig.qtbot.wait(100)
        assert rig.window.status.grab().save(str(SHOTS / "mwi.png"))


def test_no_mwi_account_no_counts(shown: Callable[..., Shown]) -> None:
    rig = shown(settings(mwi=False), voicemail=FakeVoicemail())
    mwi = rig.window.features.mwi
    assert mwi is not None and not mwi.isVisible()
    assert rig.window.status.voicemail_button.isVisible()


def test_presence_dots_on_contacts_and_in_the_call_window(
    shown: Callable[..., Shown],
) -> None:
    presence = FakePresence()
    rig = shown(settings(subscribe_presence=True), presence=presence, messages=FakeMessages())
    anna = rig.app.contacts.add(
        Contact(first_name="Anna", last_name="Berg", numbers=(PhoneNumber("1002"),))
    )
    rig.app.contacts.add(
        Contact(first_name="Jonas", last_name="Weber", numbers=(PhoneNumber("1003"),))
    )
    rig.window.refresh_list()
    rows = {row.name_label.text(): row for _k, _i, row in rig.window.items()}
    assert rows["Anna Berg"].presence is None  # nothing known yet: no dot
    event = PresenceChanged(uri="sip:1002@127.0.0.1", state=PresenceState.AWAY, note="gym")
    presence.known[event.uri] = event
    rig.event(event, lambda: rig.window.items()[0][2].presence == "away")
    rows = {row.name_label.text(): row for _k, _i, row in rig.window.items()}
    assert rows["Anna Berg"].presence == "away"
    assert rows["Anna Berg"].presence_dot.toolTip() == "Away — gym"
    assert rows["Jonas Weber"].presence is None
    assert anna.id is not None
    rig.window.select("contact", anna.id)
    cw = rig.window.call_window
    assert cw.presence_row.isVisible()
    assert cw.presence_label.text() == "Away — gym"
    assert cw.chat_button.isVisible()
    # Anna comes online: the pop-up says so (status bar where there is no tray).
    online = PresenceChanged(uri="sip:1002@127.0.0.1", state=PresenceState.ONLINE)
    presence.known[online.uri] = online
    rig.event(online, lambda: cw.presence_label.text() == "Online")
    actions = rig.window.features.last_actions
    assert actions in (["notify"], ["status"])
    if actions == ["status"]:
        assert "Anna Berg is now online" in rig.window.status.message.text()


def test_presence_texts_in_german(qtbot: Any) -> None:
    set_language("de")
    try:
        selector = PresenceSelector(FakePresence(PresenceState.BRB))
        qtbot.addWidget(selector)
        assert selector.text() == "Kurz abwesend"
        labels = [a.text() for a in selector.menu_.actions() if a.text()]
        assert labels[:2] == ["Online", "Unsichtbar"]
        assert "Mittagspause" in labels
    finally:
        set_language("en")


def test_screenshot_of_the_presence_menu(qtbot: Any, tmp_path: Path) -> None:
    selector = PresenceSelector(FakePresence(PresenceState.BUSY, "back at 2"))
    qtbot.addWidget(selector)
    selector.show()
    selector.menu_.popup(selector.mapToGlobal(selector.rect().bottomLeft()))
    qtbot.waitUntil(selector.menu_.isVisible, timeout=5000)
    qtbot.wait(100)
    out = SHOTS or tmp_path
    out.mkdir(parents=True, exist_ok=True)
    assert selector.menu_.grab().save(str(out / "presence-menu.png"))
    selector.menu_.close()
