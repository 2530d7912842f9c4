"""The status bar's voicemail indicator against real peers: Kamailio with presence_mwi
and the rig's voicemail simulator. Parley (1001, MWI on, voicemail extension 1002)
shows the counts the simulator published through Kamailio ("3 (4)": new, old in
brackets), and a click on the indicator calls the voicemail: the phone registered as
1002 receives the INVITE.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_rig import PASSWORDS, GuiRig, account, registered_rig
from PySide6.QtCore import Qt

from parley.settings import Settings
from peers.kamailio import Kamailio, running_kamailio
from peers.presence_rig import SipUser, publish_mwi

pytestmark = pytest.mark.interop


@pytest.fixture
def presence_kamailio(tmp_path: Path) -> Iterator[Kamailio]:
    with running_kamailio(tmp_path / "kamailio", PASSWORDS, presence=True) as kam:
        yield kam


def test_indicator_shows_published_counts_and_a_click_calls_the_voicemail(
    presence_kamailio: Kamailio, make_rig: Callable[..., GuiRig], qtbot: Any
) -> None:
    kam = presence_kamailio
    settings = Settings(
        accounts=[
            account(f"127.0.0.1:{kam.udp_port}", "1001", mwi=True, voicemail_extension="1002")
        ]
    )
    rig = registered_rig(make_rig, settings, "1001")
    mwi = rig.window.features.mwi
    assert mwi is not None and mwi.isVisible()
    assert mwi.text() == ""  # nothing published yet
    published = publish_mwi(kam, "1001", 3, 4, urgent_new=1)
    assert published.status == 200, published
    rig.wait(lambda: mwi.text() == "3 (4)")
    assert "3 new, 4 old" in mwi.toolTip()
    with SipUser(kam, "1002", PASSWORDS["1002"]) as mailbox:
        assert mailbox.register().status == 200
        qtbot.mouseClick(mwi, Qt.MouseButton.LeftButton)
        invite = mailbox.wait_request("INVITE", timeout=20)
        assert invite.start.startswith("INVITE sip:1002@"), invite.start
        assert "sip:1001@" in invite.header("From")
        assert mailbox.register(expires=0).status == 200
