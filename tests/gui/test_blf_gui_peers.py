"""The BLF panel against real peers: Kamailio as presence server publishes the dialogs
it proxies (pua_dialoginfo); a Parley (1002) calls a SIPp phone registered as 1003 that
rings until cancelled; the desktop app of 1001 watches line 1003. Its lamp turns
ringing (with the caller) and "Pick up" takes the call: the caller's Parley is then
connected to 1001, the ringing phone is cancelled."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_rig import PASSWORDS, GuiRig, account, registered_rig
from PySide6.QtCore import Qt

from parley.gui import icons
from parley.gui.blf_panel import BlfPanel
from parley.phone.events import BlfState
from parley.settings import Settings
from peers.kamailio import Kamailio, running_kamailio
from peers.presence_rig import start_blf_callee

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    workdir = tmp_path_factory.mktemp("blf-gui") / "kamailio"
    with running_kamailio(workdir, PASSWORDS, presence=True) as server:
        yield server


def rig(make_rig: Callable[..., GuiRig], kam: Kamailio, user: str, **extra: Any) -> GuiRig:
    settings = Settings(accounts=[account(f"127.0.0.1:{kam.udp_port}", user=user, **extra)])
    return registered_rig(make_rig, settings, user)


def test_blf_lamp_rings_and_pick_up_connects_the_call(
    kam: Kamailio, make_rig: Callable[..., GuiRig], qtbot: Any, tmp_path: Path
) -> None:
    phone = start_blf_callee(
        kam, "1003", ring_ms=0, workdir=tmp_path, scenario="blf_callee_rings_until_cancel.xml"
    )
    try:
        us = rig(make_rig, kam, "1001", use_blf=True, blf_extensions=["1003"])
        caller = rig(make_rig, kam, "1002")
        panel = us.window.features.blf
        assert isinstance(panel, BlfPanel) and panel.isVisible()
        row = panel.row("1003")
        us.wait(lambda: row.state is BlfState.IDLE)
        assert row.lamp_colour == icons.GREEN and not row.pickup_button.isEnabled()

        caller.app.dial("1003").result(20)
        us.wait(lambda: row.state is BlfState.RINGING)
        assert row.lamp_colour == icons.ORANGE
        assert "1002" in row.state_label.text()
        assert row.pickup_button.isEnabled()

        qtbot.mouseClick(row.pickup_button, Qt.MouseButton.LeftButton)
        calls = us.window.call_panel
        us.wait(lambda: any(c.state == "connected" for c in calls.calls))
        assert "1002" in calls.calls[0].number or "1002" in calls.calls[0].remote
        # The caller's ringing call is gone, replaced by one connected to 1001.
        caller.wait(
            lambda: (
                [(c.state, "1001" in c.remote) for c in caller.app.list_calls()]
                == [("connected", True)]
            )
        )
        assert phone.wait(timeout=30) == 0, phone.errors()  # the ringing was cancelled
        us.wait(lambda: row.state in (BlfState.IDLE, BlfState.UNKNOWN))
    finally:
        phone.stop()
