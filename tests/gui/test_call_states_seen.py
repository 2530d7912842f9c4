"""What a person sees of a call's state, with real calls through Kamailio to baresip:

- muted and on hold are unmistakable: the mute button's icon is the red crossed-out
  microphone only while muted (tooltip and accessible name say so), a red "Muted" and
  an amber "On hold" stand under the call's state, and the call list and the main
  window's call bar say it too;
- each call starts clean: digits sent in one call are not shown in the next, keypad
  and statistics are closed, and the window is back to its height from before;
- an ended call says how it ended in the call view for a few seconds ("Anna Berg hung
  up", "You hung up", busy, not reachable), then gives way; a status-bar message about
  an old call is gone when the next call comes;
- dialling an emergency number shows the manual's warning while typing and during the
  call, and the call is still placed (it reaches the PBX).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_rig import GuiRig, account, registered_rig
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QToolButton, QWidget

from parley.contacts.model import Contact, PhoneNumber
from parley.gui import icons
from parley.gui.call_states import HELD_TEXT
from parley.gui.icons import RED
from parley.settings import Settings
from peers.baresip import Baresip
from peers.kamailio import Kamailio, running_kamailio

pytestmark = pytest.mark.interop

USERS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    with running_kamailio(tmp_path_factory.mktemp("states") / "kamailio", USERS) as server:
        yield server


def rig_for(make_rig: Callable[..., GuiRig], kam: Kamailio) -> GuiRig:
    settings = Settings(accounts=[account(f"127.0.0.1:{kam.udp_port}")])
    return registered_rig(make_rig, settings, "1001")


def dial(rig: GuiRig, qtbot: Any, number: str) -> None:
    qtbot.keyClicks(rig.window.search, number)
    qtbot.keyClick(rig.window.search, Qt.Key.Key_Return)


def connected(rig: GuiRig, number: str) -> bool:
    return any(c.number == number and c.state == "connected" for c in rig.window.call_panel.calls)


def icon_image(button: QToolButton) -> QImage:
    return button.icon().pixmap(24, 24).toImage()


def red_mic() -> QImage:
    return icons.pixmap("mute", 24, RED).toImage()


def shows_colour(widget: QWidget, colour: str) -> bool:
    """Whether `colour` is painted anywhere in the widget as it is drawn now."""
    image = widget.grab().toImage()
    wanted = QColor(colour).rgb()
    return any(
        image.pixel(x, y) == wanted for y in range(image.height()) for x in range(image.width())
    )


def list_rows(rig: GuiRig) -> list[str]:
    calls = rig.window.call_panel.call_list
    return [calls.item(i).text() for i in range(calls.count())]


def test_muted_and_on_hold_are_shown_in_the_view_the_list_and_the_bar(
    kam: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    far_phones(kam, "1002", auto_answer=True)
    far_phones(kam, "1003", auto_answer=True)
    rig = rig_for(make_rig, kam)
    w, panel = rig.window, rig.window.call_panel
    dial(rig, qtbot, "1002")
    rig.wait(lambda: connected(rig, "1002"))
    mute = panel.mute_button
    # Not muted: a plain microphone, nothing says "muted".
    assert icon_image(mute) != red_mic()
    assert mute.accessibleName() == "Mute" and "Muted" not in mute.toolTip()
    assert not panel.badges.muted.isVisible() and not shows_colour(panel.badges, RED)
    assert "Muted" not in w.call_bar.label.text()

    qtbot.mouseClick(mute, Qt.MouseButton.LeftButton)
    rig.wait(lambda: panel.badges.muted.isVisible())
    assert panel.badges.muted.text() == "Muted" and shows_colour(panel.badges, RED)
    assert icon_image(mute) == red_mic()  # the icon shows the state it is in
    assert mute.isChecked() and mute.accessibleName() == "Microphone muted"
    assert mute.toolTip().startswith("Muted")
    assert w.call_bar.label.text() == "1002 — Connected · Muted"
    assert panel.current is not None and panel.current.muted

    # A second call: the first is held, and the list says muted and on hold.
    dial(rig, qtbot, "1003")
    rig.wait(lambda: connected(rig, "1003"))
    rig.wait(lambda: "1002 — On hold · Muted" in list_rows(rig))
    assert panel.call_list.isVisible()
    assert "1003 — Connected" in list_rows(rig)
    # The call shown is 1003: not muted, so no "Muted" in its view.
    assert panel.name_label.text() == "1003" and not panel.badges.muted.isVisible()

    # Hold 1003: its state says "On hold" in amber, the button offers to resume.
    assert not shows_colour(panel.badges, HELD_TEXT)
    qtbot.mouseClick(panel.hold_button, Qt.MouseButton.LeftButton)
    rig.wait(lambda: panel.state_label.text() == "On hold")
    rig.wait(lambda: shows_colour(panel.badges, HELD_TEXT))
    assert panel.hold_button.isChecked() and panel.hold_button.accessibleName() == "Resume"
    assert "1003 — On hold" in list_rows(rig)
    assert w.call_bar.label.text() == "1003 — On hold"
    screenshot(w, "call-held.png")

    # Back to 1002 (picked in the list): still muted, shown as such.
    panel.switch_to(next(c.id for c in panel.calls if c.number == "1002"))
    rig.wait(lambda: connected(rig, "1002") and panel.name_label.text() == "1002")
    rig.wait(lambda: panel.badges.muted.isVisible() and icon_image(mute) == red_mic())
    screenshot(w, "call-muted.png")
    qtbot.mouseClick(mute, Qt.MouseButton.LeftButton)  # unmute
    rig.wait(lambda: not panel.badges.muted.isVisible())
    assert icon_image(mute) != red_mic() and mute.accessibleName() == "Mute"
    rig.wait(lambda: "Muted" not in w.call_bar.label.text())
    panel.hang_up()
    rig.wait(lambda: len(panel.calls) == 1)
    panel.hang_up()
    rig.wait(lambda: not panel.calls)


def test_held_by_the_other_side_is_said_in_amber(
    kam: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    far = far_phones(kam, "1002", auto_answer=True)
    rig = rig_for(make_rig, kam)
    w, panel = rig.window, rig.window.call_panel
    dial(rig, qtbot, "1002")
    rig.wait(lambda: connected(rig, "1002"))
    far.wait_call_state("CALL_ESTABLISHED", timeout=20)
    assert not shows_colour(panel.badges, HELD_TEXT)
    far.hold()  # baresip's re-INVITE with a=sendonly
    rig.wait(lambda: panel.state_label.text() == "Held by the other side")
    rig.wait(lambda: shows_colour(panel.badges, HELD_TEXT))
    assert w.call_bar.label.text() == "1002 — Held by the other side"
    # Our hold button is not pressed: it is their hold, we can still hold too.
    assert not panel.hold_button.isChecked() and panel.hold_button.accessibleName() == "Hold"
    far.resume()
    rig.wait(lambda: panel.state_label.text() == "Connected")
    assert not shows_colour(panel.badges, HELD_TEXT)
    panel.hang_up()
    rig.wait(lambda: not panel.calls)


def test_each_call_starts_with_no_digits_closed_panels_and_the_window_back_in_size(
    kam: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    far = far_phones(kam, "1002", auto_answer=True)
    rig = rig_for(make_rig, kam)
    w, panel = rig.window, rig.window.call_panel
    w.resize(w.width(), w.minimumSizeHint().height())
    dial(rig, qtbot, "1002")
    rig.wait(lambda: connected(rig, "1002"))
    qtbot.wait(200)
    height = w.height()
    qtbot.mouseClick(panel.keypad_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.stats_button, Qt.MouseButton.LeftButton)
    rig.wait(lambda: panel.keypad.isVisible() and panel.stats_box.isVisible())
    rig.wait(lambda: w.height() > height)  # the window grew for the two panels
    for key in "12":
        qtbot.mouseClick(panel.keypad.buttons[key], Qt.MouseButton.LeftButton)
        qtbot.wait(300)
    rig.wait(lambda: far.dtmf_received() == "12")
    assert panel.sent_label.isVisible() and panel.sent_label.text() == "12"
    panel.hang_up()
    far.wait_call_state("CALL_CLOSED", timeout=20)
    rig.wait(lambda: not panel.calls)
    rig.wait(lambda: w.height() == height)  # back to its size before the panels
    assert not panel.keypad_button.isChecked() and not panel.stats_button.isChecked()

    mark = far.mark()
    dial(rig, qtbot, "1002")
    rig.wait(lambda: connected(rig, "1002"))
    far.wait_call_state("CALL_ESTABLISHED", timeout=20, since=mark)
    assert not panel.keypad.isVisible() and not panel.stats_box.isVisible()
    assert not panel.sent_label.isVisible() and "12" not in panel.sent_label.text()
    assert w.height() == height
    # The keypad opened in the second call shows only its own digits.
    qtbot.mouseClick(panel.keypad_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.keypad.buttons["5"], Qt.MouseButton.LeftButton)
    assert panel.sent_label.text() == "5"
    qtbot.mouseClick(panel.keypad_button, Qt.MouseButton.LeftButton)  # closed by hand
    rig.wait(lambda: w.height() == height)
    panel.hang_up()
    rig.wait(lambda: not panel.calls)


def test_far_end_hanging_up_is_said_in_the_call_view_then_it_clears(
    kam: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    far = far_phones(kam, "1002", auto_answer=True)
    rig = rig_for(make_rig, kam)
    rig.app.contacts.add(
        Contact(first_name="Anna", last_name="Berg", numbers=(PhoneNumber("1002"),))
    )
    w, panel = rig.window, rig.window.call_panel
    dial(rig, qtbot, "1002")
    rig.wait(lambda: connected(rig, "1002"))
    far.wait_call_state("CALL_ESTABLISHED", timeout=20)
    far.hangup()
    rig.wait(lambda: not panel.calls)
    # The call is over, and the call view says who ended it.
    rig.wait(lambda: panel.state_label.text() == "Anna Berg hung up")
    assert w.right.currentWidget() is panel and panel.active.isVisible()
    assert panel.name_label.text() == "Anna Berg"
    assert panel.duration_label.text().startswith("0:")  # how long it lasted
    assert panel.hangup_button.isHidden() and panel.menu_row.isHidden()
    screenshot(w, "call-ended.png")
    # ... for a few seconds; then the call's history entry takes its place.
    rig.wait(lambda: w.right.currentWidget() is w.call_window)
    assert not panel.in_use

    # Our own hang-up says so.
    mark = far.mark()
    dial(rig, qtbot, "1002")
    rig.wait(lambda: connected(rig, "1002"))
    far.wait_call_state("CALL_ESTABLISHED", timeout=20, since=mark)
    qtbot.mouseClick(panel.hangup_button, Qt.MouseButton.LeftButton)
    rig.wait(lambda: panel.state_label.text() == "You hung up")
    assert w.right.currentWidget() is panel
    rig.wait(lambda: w.right.currentWidget() is w.call_window)


def test_busy_and_unreachable_are_said_in_the_call_view_and_the_bar_forgets_them(
    kam: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    far = far_phones(kam, "1002")  # answers by hand: we reject below
    rig = rig_for(make_rig, kam)
    w, panel = rig.window, rig.window.call_panel
    # 1003 is not registered: Kamailio answers 404.
    dial(rig, qtbot, "1003")
    rig.wait(lambda: panel.state_label.text().endswith("not reachable"))
    assert panel.state_label.text() == "1003 is not reachable"
    assert panel.end_detail.isVisible() and "404" in panel.end_detail.text()
    assert w.right.currentWidget() is panel and panel.name_label.text() == "1003"
    assert panel.duration_label.text() == ""  # never connected: no time shown
    assert "failed" in w.status.message.text()

    # 1002 rings and refuses (busy): said in the view.
    dial(rig, qtbot, "1002")
    far.wait_call_state("CALL_INCOMING", timeout=20)
    rig.wait(lambda: panel.current is not None and panel.current.state == "ringing")
    far.hangup()  # baresip refuses a ringing call with 486 Busy Here
    rig.wait(lambda: panel.state_label.text().endswith("busy"))
    assert panel.state_label.text() == "1002 is busy"
    assert "486" in panel.end_detail.text()
    assert "Busy" in w.status.message.text()

    # The next call comes in: the old call's message is gone from the status bar.
    far.dial(f"sip:1001@127.0.0.1:{kam.udp_port}")
    rig.wait(lambda: panel.calls and panel.incoming_widget(panel.calls[0].id) is not None)
    assert w.status.message.text() == ""
    far.hangup()
    rig.wait(lambda: not panel.calls)


def test_a_dial_refused_before_any_call_is_said_in_the_call_view(
    kam: Kamailio, make_rig: Callable[..., GuiRig]
) -> None:
    rig = rig_for(make_rig, kam)
    w, panel = rig.window, rig.window.call_panel
    w.dial("1002", "no-such-account")
    rig.wait(lambda: panel.state_label.text() == "The call could not be made")
    assert w.right.currentWidget() is panel and panel.active.isVisible()
    assert "no-such-account" in panel.end_detail.text() and panel.end_detail.isVisible()
    rig.wait(lambda: not panel.in_use)


def test_dialling_an_emergency_number_warns_and_still_places_the_call(
    kam: Kamailio,
    make_rig: Callable[..., GuiRig],
    qtbot: Any,
) -> None:
    rig = rig_for(make_rig, kam)
    w, panel = rig.window, rig.window.call_panel
    assert not w.emergency_warning.isVisible()
    qtbot.keyClicks(w.search, "112")
    assert w.emergency_warning.isVisible()  # before the call: while typing
    assert w.emergency_warning.text().startswith("112 is an emergency number")
    assert "cannot guarantee emergency calls" in w.emergency_warning.text()
    qtbot.keyClick(w.search, Qt.Key.Key_Backspace)
    assert not w.emergency_warning.isVisible()  # "11" is no emergency number
    qtbot.keyClicks(w.search, "2")
    qtbot.keyClick(w.search, Qt.Key.Key_Return)
    # The call is placed (the PBX answers it: nobody has 112 here) and the call view
    # carries the warning while it lasts and after it failed.
    rig.wait(lambda: panel.emergency.isVisible())
    assert "cannot guarantee emergency calls" in panel.emergency.text()
    rig.wait(lambda: panel.ended is not None and "404" in panel.end_detail.text())
    assert panel.emergency.isVisible()
    rig.wait(lambda: not panel.in_use)


def screenshot(widget: Any, name: str) -> None:
    """With PARLEY_SCREENSHOTS=docs/screenshots, the pictures of a real state."""
    import os

    folder = os.environ.get("PARLEY_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(Path(folder) / name))
