"""Presence in the desktop app against real peers through Kamailio's presence server:
choosing Busy in the status bar's presence selector is what a watcher (the rig's SIP
client) receives, and a contact whose presence address is baresip's gets a dot that
turns from offline to online when baresip goes online.

The app is the real Application with the real main window (`gui_rig`); the facade
`app.presence` is picked up by the window by itself (`gui/features.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_rig import GuiRig, account

from baresip_presence import drop_stale_publications, set_presence
from parley.contacts.model import Contact, PhoneNumber
from parley.settings import Settings, load_settings
from parley.sip.pidf import PresenceState
from peers.baresip import Baresip
from peers.common import LOOPBACK, free_port
from peers.kamailio import Kamailio, running_kamailio
from peers.presence_rig import SipUser

pytestmark = pytest.mark.interop

USERS = {u: f"pass{u}" for u in ("1001", "1002", "1003")}


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    with running_kamailio(
        tmp_path_factory.mktemp("presence-gui") / "kamailio", USERS, presence=True
    ) as server:
        yield server


def test_busy_from_the_status_bar_and_a_contact_coming_online(
    make_rig: Callable[..., GuiRig], kam: Kamailio, tmp_path: Path, qtbot: Any
) -> None:
    far = Baresip(
        tmp_path / "baresip",
        sip_port=free_port("both"),
        user="1002",
        password=USERS["1002"],
        registrar=f"{LOOPBACK}:{kam.udp_port}",
        presence=True,
        publish_interval=600,
    )
    far.start()
    try:
        drop_stale_publications(kam, "1002")
        with SipUser(kam, "1003", USERS["1003"]) as watcher:
            settings = Settings(
                accounts=[
                    account(
                        f"{LOOPBACK}:{kam.udp_port}",
                        publish_presence=True,
                        subscribe_presence=True,
                    )
                ]
            )
            rig = make_rig(settings, passwords={"office": USERS["1001"]})
            rig.start()
            rig.wait_registered()
            window = rig.window
            sub = watcher.subscribe("1001", "presence", accept="application/pidf+xml")
            watcher.wait_notify(lambda n: "<basic>open</basic>" in n.body, call_id=sub.call_id)

            # Busy, chosen in the status bar's menu, is what the watcher receives.
            since = watcher.mark()
            selector = window.features.presence
            selector.actions_[PresenceState.BUSY].trigger()  # type: ignore[attr-defined]
            busy = watcher.wait_notify(
                lambda n: "<rpid:busy/>" in n.body, call_id=sub.call_id, since=since
            )
            assert "<basic>open</basic>" in busy.body
            rig.wait(lambda: selector.text() == "Busy")
            assert rig.app.settings_path is not None
            assert load_settings(rig.app.settings_path).functions.presence == "busy"

            # A contact whose presence address is baresip's: offline, then online.
            set_presence(far, kam, "1002", online=False)
            anna = rig.app.contacts.add(
                Contact(
                    first_name="Anna",
                    last_name="Berg",
                    numbers=(PhoneNumber("+49 30 1234"),),
                    presence="1002",
                )
            )
            window.refresh_list()

            def dot() -> str | None:
                rows = {r.name_label.text(): r for _k, _i, r in window.items()}
                return rows["Anna Berg"].presence

            rig.wait(lambda: dot() == "offline")
            set_presence(far, kam, "1002", online=True)
            rig.wait(lambda: dot() == "online")
            assert anna.id is not None
            window.select("contact", anna.id)
            assert window.call_window.presence_label.text() == "Online"
            qtbot.wait(10)
    finally:
        far.stop()
