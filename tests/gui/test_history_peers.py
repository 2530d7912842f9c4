"""The history as a person meets it, with real calls through Kamailio and baresip:

- an incoming call the caller gives up before it is answered is a missed call: its count
  shows on "Recent", in the status bar and in the tray's tooltip; it stays after a
  restart while unseen, goes away once the recent calls are looked at in the active
  window, and stays away after the next restart;
- an outgoing call the far phone refuses as busy shows the SIP code and reason in the
  entry's details (in English and in German).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_rig import PASSWORDS, GuiRig, account
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from parley.app.application import Application
from parley.gui.i18n import set_language
from parley.gui.main_window import CONTACTS, RECENT
from parley.history.model import CallType
from parley.media.engine import AudioConfig
from parley.settings import Settings, save_settings
from peers.baresip import Baresip
from peers.kamailio import Kamailio, running_kamailio

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    workdir = tmp_path_factory.mktemp("history-gui") / "kamailio"
    with running_kamailio(workdir, PASSWORDS) as server:
        yield server


@pytest.fixture
def with_tray(monkeypatch: pytest.MonkeyPatch) -> None:
    """A desktop with a notification area (offscreen has none): the tray icon exists."""
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))


@pytest.fixture
def start_parley(
    tmp_path: Path, qtbot: Any, answers: list[str], kam: Kamailio
) -> Iterator[Callable[[], GuiRig]]:
    """`start_parley()`: the desktop app of 1001, registered, on the same settings and
    data folder each time (a restart); the previous one is closed first."""
    rigs: list[GuiRig] = []
    path = tmp_path / "settings.toml"
    save_settings(Settings(accounts=[account(f"127.0.0.1:{kam.udp_port}")]), path)

    def start() -> GuiRig:
        if rigs:
            rigs[-1].close()
        application = Application(
            path,
            passwords={"office": PASSWORDS["1001"]},
            use_keyring=False,
            data_dir=tmp_path / "data",
            bind_host="127.0.0.1",
            audio=AudioConfig(),
        )
        rig = GuiRig(application, qtbot)
        rigs.append(rig)
        rig.start()
        rig.wait_registered()
        return rig

    yield start
    if rigs:
        rigs[-1].close()


def activate(rig: GuiRig) -> None:
    rig.window.activateWindow()
    rig.wait(rig.window.isActiveWindow)


def our_uri(kam: Kamailio) -> str:
    return f"sip:1001@127.0.0.1:{kam.udp_port}"


def missed_call(rig: GuiRig, far: Baresip, kam: Kamailio) -> None:
    """`far` calls us and gives up before anybody answers."""
    panel = rig.window.call_panel
    before = rig.app.history.count()
    far.dial(our_uri(kam))
    rig.wait(lambda: panel.calls and panel.incoming_widget(panel.calls[0].id) is not None)
    far.hangup()
    rig.wait(lambda: rig.app.history.count() == before + 1 and not panel.calls)
    assert rig.app.history.list(limit=1)[0].type is CallType.MISSED


def shown_count(rig: GuiRig) -> tuple[str, bool, str, str, str]:
    """What a person sees of the missed calls: the Recent tab, the status bar's button
    (shown?, its text, its accessible name) and the tray icon's tooltip; the window
    title and the tray icon's badge say the same."""
    w = rig.window
    button = w.missed_calls.button
    assert w.tray.icon is not None
    tip = w.tray.icon.toolTip()
    assert w.windowTitle() == tip
    assert badge_shown(w.tray.icon.icon()) == (tip != "Parley")
    return (
        w.views.tabText(RECENT),
        button.isVisible(),
        button.text(),
        button.accessibleName(),
        tip,
    )


def badge_shown(icon: QIcon) -> bool:
    """The tray icon has the red disc in its top right corner."""
    image = icon.pixmap(64, 64).toImage()
    colour = image.pixelColor(int(64 * 0.72), int(64 * 0.1))
    return colour.red() > 180 and colour.green() < 100 and colour.blue() < 100


NONE_MISSED = ("Recent", False)


def test_missed_calls_are_counted_until_seen_and_stay_seen_after_a_restart(
    kam: Kamailio,
    start_parley: Callable[[], GuiRig],
    far_phones: Callable[..., Baresip],
    with_tray: None,
    qtbot: Any,
) -> None:
    rig = start_parley()
    w = rig.window
    activate(rig)
    assert w.views.currentIndex() == CONTACTS
    assert shown_count(rig)[:2] == NONE_MISSED
    far = far_phones(kam)

    missed_call(rig, far, kam)
    rig.wait(lambda: shown_count(rig)[0] == "Recent (1)")
    assert shown_count(rig) == ("Recent (1)", True, "1", "1 missed call", "Parley — 1 missed call")
    missed_call(rig, far, kam)
    rig.wait(lambda: shown_count(rig)[0] == "Recent (2)")
    assert shown_count(rig) == (
        "Recent (2)",
        True,
        "2",
        "2 missed calls",
        "Parley — 2 missed calls",
    )

    # Not seen yet: a restart keeps the count.
    rig = start_parley()
    w = rig.window
    rig.wait(lambda: shown_count(rig)[0] == "Recent (2)")
    assert shown_count(rig)[1:3] == (True, "2")

    # The recent calls shown while another window is active: still unseen.
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    rig.wait(lambda: not w.isActiveWindow())
    w.views.setCurrentIndex(RECENT)
    assert shown_count(rig)[0] == "Recent (2)"
    w.views.setCurrentIndex(CONTACTS)
    activate(rig)
    assert shown_count(rig)[0] == "Recent (2)"

    # The status bar's button opens the recent calls: seen, the counts go.
    qtbot.mouseClick(w.missed_calls.button, Qt.MouseButton.LeftButton)
    assert w.views.currentIndex() == RECENT
    assert [row.call_type for _k, _i, row in w.items()] == [CallType.MISSED] * 2
    rig.wait(lambda: shown_count(rig)[0] == "Recent")
    assert shown_count(rig) == ("Recent", False, "0", "Missed calls", "Parley")

    # Seen stays seen after a restart; a new missed call counts from one again.
    rig = start_parley()
    activate(rig)
    assert shown_count(rig) == ("Recent", False, "0", "Missed calls", "Parley")
    missed_call(rig, far, kam)
    rig.wait(lambda: shown_count(rig)[0] == "Recent (1)")
    # Looking at the Recent view (active window) clears it at once.
    rig.window.views.setCurrentIndex(RECENT)
    assert shown_count(rig)[:2] == NONE_MISSED


def test_missed_calls_are_counted_in_german(
    kam: Kamailio,
    start_parley: Callable[[], GuiRig],
    far_phones: Callable[..., Baresip],
    with_tray: None,
) -> None:
    set_language("de")
    rig = start_parley()
    activate(rig)
    assert rig.window.views.tabText(RECENT) == "Letzte"
    missed_call(rig, far_phones(kam), kam)
    rig.wait(lambda: shown_count(rig)[0] == "Letzte (1)")
    assert shown_count(rig)[3:] == ("1 verpasster Anruf", "Parley — 1 verpasster Anruf")


@pytest.mark.parametrize(("language", "shown"), [("en", "486 Busy Here"), ("de", "486 Besetzt")])
def test_busy_far_phone_shows_486_and_its_reason_in_the_details(
    kam: Kamailio,
    start_parley: Callable[[], GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
    language: str,
    shown: str,
) -> None:
    set_language(language)
    rig = start_parley()
    w = rig.window
    far = far_phones(kam)
    qtbot.keyClicks(w.search, "1002")
    qtbot.keyClick(w.search, Qt.Key.Key_Return)
    far.wait_call_state("CALL_INCOMING")
    far.hangup()  # baresip refuses the ringing call: "486 Rejected" on the wire
    rig.wait(lambda: rig.app.history.count() == 1 and not w.call_panel.calls)
    w.views.setCurrentIndex(RECENT)
    rig.wait(lambda: w.items() and w.items()[0][2].call_type is CallType.REJECTED_OUTGOING)
    # After the call the call window shows the entry; selecting it shows it too.
    rig.wait(lambda: w.right.currentWidget() is w.call_window)
    assert w.call_window.fields["error"].text() == shown
    w.select("entry", w.items()[0][1])
    assert w.call_window.fields["error"].text() == shown
    # The far end's own words are kept for the tooltip.
    assert "Rejected" in w.call_window.fields["error"].toolTip()
