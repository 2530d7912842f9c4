"""The BLF panel: lamps per line state, the caller, pick-up only while ringing, a
double-click dials the line; in the main window it follows BlfChanged events."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fake_facades import FakeBlf
from PySide6.QtCore import Qt

from parley.gui.blf_panel import LAMP_COLOURS, BlfPanel
from parley.gui.i18n import set_language
from parley.phone.events import BlfChanged, BlfState

A = "sip:1002@127.0.0.1"
B = "sip:1003@127.0.0.1"
C = "sip:1004@127.0.0.1"


def lamp_centre(panel: BlfPanel, uri: str) -> str:
    image = panel.row(uri).lamp.pixmap().toImage()
    return image.pixelColor(image.width() // 2, image.height() // 2).name()


def make(qtbot: Any, lines: list[BlfChanged]) -> tuple[BlfPanel, FakeBlf, list[Any]]:
    facade = FakeBlf(lines)
    ran: list[Any] = []
    panel = BlfPanel(facade, lambda future, *h: ran.append(future), {A: "Anna Berg"}.get)  # type: ignore[arg-type]
    qtbot.addWidget(panel)
    panel.show()
    return panel, facade, ran


def test_lines_show_their_state_with_lamps_in_order(qtbot: Any) -> None:
    panel, _facade, _ran = make(
        qtbot,
        [
            BlfChanged(uri=A, state=BlfState.IDLE, account="office"),
            BlfChanged(uri=B, state=BlfState.BUSY, caller="sip:200@127.0.0.1"),
            BlfChanged(uri=C, state=BlfState.UNKNOWN),
        ],
    )
    assert list(panel.rows) == [A, B, C]
    assert panel.row(A).name_label.text() == "Anna Berg"  # the contact's name
    assert panel.row(B).name_label.text() == "1003"  # else the extension
    assert panel.row(A).state_label.text() == "Free"
    assert panel.row(B).state_label.text() == "Busy with 200"
    assert panel.row(C).state_label.text() == "Unknown"
    assert lamp_centre(panel, A) == LAMP_COLOURS[BlfState.IDLE]
    assert lamp_centre(panel, B) == LAMP_COLOURS[BlfState.BUSY]
    assert lamp_centre(panel, C) == LAMP_COLOURS[BlfState.UNKNOWN]
    assert not any(r.pickup_button.isEnabled() for r in panel.rows.values())


def test_pick_up_only_while_ringing_and_the_lamp_blinks(qtbot: Any) -> None:
    panel, facade, ran = make(qtbot, [BlfChanged(uri=A, state=BlfState.IDLE)])
    panel.row(A).pickup_button.click()  # disabled: nothing happens
    assert facade.calls("pickup") == []
    panel.on_blf(BlfChanged(uri=A, state=BlfState.RINGING, caller="Jonas <sip:1005@pbx>"))
    row = panel.row(A)
    assert row.pickup_button.isEnabled()
    assert row.state_label.text() == "Ringing: Jonas (1005) calls"
    assert row.lamp_colour == LAMP_COLOURS[BlfState.RINGING]
    assert panel.blink.isActive()
    seen = {lamp_centre(panel, A)}
    qtbot.waitUntil(lambda: (seen.add(lamp_centre(panel, A)), len(seen) > 1)[1], timeout=5000)
    assert LAMP_COLOURS[BlfState.RINGING] in seen  # lit, then dark: it blinks
    qtbot.mouseClick(row.pickup_button, Qt.MouseButton.LeftButton)
    assert facade.calls("pickup") == [(A,)]
    assert len(ran) == 1
    panel.on_blf(BlfChanged(uri=A, state=BlfState.BUSY))
    assert not row.pickup_button.isEnabled()
    assert not panel.blink.isActive()
    assert lamp_centre(panel, A) == LAMP_COLOURS[BlfState.BUSY]
    panel.on_blf(BlfChanged(uri=A, state=BlfState.HELD))
    assert row.state_label.text() == "On hold"
    assert lamp_centre(panel, A) == LAMP_COLOURS[BlfState.HELD]


def test_a_double_click_dials_the_line(qtbot: Any) -> None:
    panel, _facade, _ran = make(qtbot, [BlfChanged(uri=B, state=BlfState.IDLE, account="office")])
    dialled: list[tuple[str, str]] = []
    panel.dial_requested.connect(lambda number, account: dialled.append((number, account)))
    item = panel.list.item(0)
    qtbot.waitExposed(panel)
    rect = panel.list.visualItemRect(item)
    assert rect.height() > 0
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialled == [("1003", "office")]


def test_no_lines_no_panel(qtbot: Any) -> None:
    facade = FakeBlf([])
    panel = BlfPanel(facade)
    qtbot.addWidget(panel)
    assert panel.isHidden()
    facade.current = [BlfChanged(uri=A, state=BlfState.IDLE)]
    panel.reload()
    assert not panel.isHidden()


def test_blf_in_german(qtbot: Any) -> None:
    set_language("de")
    try:
        panel, _f, _r = make(qtbot, [BlfChanged(uri=A, state=BlfState.RINGING, caller="200")])
        assert panel.row(A).state_label.text() == "Es klingelt: 200 ruft an"
        assert panel.row(A).pickup_button.text() == "Heranholen"
        panel.on_blf(BlfChanged(uri=A, state=BlfState.IDLE))
        assert panel.row(A).state_label.text() == "Frei"
    finally:
        set_language("en")


def test_the_panel_in_the_main_window_follows_events(
    make_app: Any, qtbot: Any, tmp_path: Path
) -> None:
    from parley.gui.bridge import EngineBridge
    from parley.gui.main_window import MainWindow
    from parley.settings import AccountSettings, Settings

    s = Settings(
        accounts=[
            AccountSettings(
                name="office",
                domain="127.0.0.1:5999",
                username="1001",
                use_blf=True,
                blf_extensions=["1002", "1003", "1004"],
            )
        ]
    )
    app = make_app(s)
    facade = FakeBlf(
        [
            BlfChanged(uri=A, state=BlfState.IDLE, account="office"),
            BlfChanged(uri=B, state=BlfState.BUSY, account="office", caller="sip:1001@127.0.0.1"),
            BlfChanged(uri=C, state=BlfState.UNKNOWN, account="office"),
        ]
    )
    app.blf = facade  # what Application will have (issue #9 round 2)
    bridge = EngineBridge(app)
    window = MainWindow(bridge)
    qtbot.addWidget(window)
    window.resize(800, 640)
    window.show()
    try:
        panel = window.features.blf
        assert panel is not None and panel.isVisible()
        app._dispatch(
            BlfChanged(uri=A, state=BlfState.RINGING, account="office", caller="sip:1005@pbx")
        )
        qtbot.waitUntil(lambda: panel.row(A).pickup_button.isEnabled(), timeout=5000)
        panel.row(A).pickup_button.click()
        assert facade.calls("pickup") == [(A,)]
        qtbot.wait(100)
        folder = os.environ.get("PARLEY_SCREENSHOTS")
        out = Path(folder) if folder else tmp_path
        out.mkdir(parents=True, exist_ok=True)
        panel.blink.stop()
        panel.row(A).set_lit(True)
        assert window.left.grab().save(str(out / "blf-panel.png"))
    finally:
        bridge.close()
        window.quit()
