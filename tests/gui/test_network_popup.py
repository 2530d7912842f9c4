"""The desktop app's "when the network status has changed" pop-up: the engine's network
event (proven against real namespaces in tests/interop/test_network_change.py) reaches
the window as a notification — offscreen there is no tray, so the status bar says it —
in English and German, and nothing is said when the setting is off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gui_rig import GuiRig

from parley.app import Application
from parley.gui.i18n import set_language
from parley.phone.events import NetworkChange, NetworkChanged
from parley.settings import Settings
from parley.settings.model import GuiSettings

MOVED = NetworkChanged("office", NetworkChange.MOVED, "10.1.0.2", "10.2.0.2", (1,))
LOST = NetworkChanged("office", NetworkChange.LOST, "10.2.0.2")


def rig_for(make_app: Callable[..., Application], qtbot: Any, **gui: Any) -> GuiRig:
    app = make_app(Settings(gui=GuiSettings(**gui)))
    rig = GuiRig(app, qtbot)
    rig.start()
    return rig


def test_a_network_change_is_said(make_app: Callable[..., Application], qtbot: Any) -> None:
    rig = rig_for(make_app, qtbot)
    try:
        rig.app._dispatch(MOVED)
        rig.wait(lambda: "10.2.0.2" in rig.window.status.message.text())
        assert rig.window.status.message.text() == (
            "Network changed: New network address 10.2.0.2: office registers again; "
            "1 call(s) moved along."
        )
        rig.app._dispatch(LOST)
        rig.wait(lambda: "gone" in rig.window.status.message.text())
    finally:
        rig.close()


def test_in_german(make_app: Callable[..., Application], qtbot: Any) -> None:
    set_language("de")
    try:
        rig = rig_for(make_app, qtbot)
        try:
            rig.app._dispatch(LOST)
            rig.wait(lambda: "Netzwerk" in rig.window.status.message.text())
            assert rig.window.status.message.text() == (
                "Netzwerk geändert: Das Netzwerk ist weg; Parley wartet, bis es wieder da ist."
            )
        finally:
            rig.close()
    finally:
        set_language("en")


def test_switched_off_nothing_is_said(make_app: Callable[..., Application], qtbot: Any) -> None:
    rig = rig_for(make_app, qtbot, notify_network_change=False)
    try:
        rig.app._dispatch(MOVED)
        qtbot.wait(300)
        assert "10.2.0.2" not in rig.window.status.message.text()
        assert rig.window.features.last_actions == []
    finally:
        rig.close()
