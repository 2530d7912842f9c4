"""A call that the far phone ends while another call goes on is said in the call view
("Anna Berg hung up") for a few seconds, above the remaining call, whose controls stay;
real calls through Kamailio to two baresip phones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from gui_rig import GuiRig, account, registered_rig
from PySide6.QtCore import Qt

from parley.contacts.model import Contact, PhoneNumber
from parley.settings import Settings
from peers.baresip import Baresip
from peers.kamailio import Kamailio, running_kamailio

pytestmark = pytest.mark.interop

USERS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    with running_kamailio(tmp_path_factory.mktemp("ended") / "kamailio", USERS) as server:
        yield server


def dial(rig: GuiRig, qtbot: Any, number: str) -> int:
    panel = rig.window.call_panel
    known = {c.id for c in panel.calls}
    qtbot.keyClicks(rig.window.search, number)
    qtbot.keyClick(rig.window.search, Qt.Key.Key_Return)
    rig.wait(lambda: any(c.id not in known and c.state == "connected" for c in panel.calls))
    return next(c.id for c in panel.calls if c.id not in known)


def test_a_call_ended_by_the_far_phone_beside_another_is_said_for_a_while(
    kam: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    phones = {user: far_phones(kam, user, auto_answer=True) for user in ("1002", "1003")}
    settings = Settings(accounts=[account(f"127.0.0.1:{kam.udp_port}")])
    rig = registered_rig(make_rig, settings, "1001")
    for first, last, number in (("Anna", "Berg", "1002"), ("Max", "Muster", "1003")):
        rig.app.contacts.add(
            Contact(first_name=first, last_name=last, numbers=(PhoneNumber(number),))
        )
    panel = rig.window.call_panel
    notice = panel.other_ended
    dial(rig, qtbot, "1002")
    max_ = dial(rig, qtbot, "1003")  # Anna waits on hold
    assert not notice.isVisible()

    phones["1002"].hangup()  # Anna hangs up while we talk to Max
    rig.wait(lambda: notice.isVisible())
    assert notice.text() == "Anna Berg hung up"
    # Max's call is still shown with everything to press.
    assert [c.id for c in panel.calls] == [max_]
    assert panel.name_label.text() == "Max Muster"
    assert panel.state_label.text() == "Connected"
    for widget in (panel.menu_row, panel.hangup_button, panel.mute_button, panel.hold_button):
        assert widget.isVisible() and widget.isEnabled(), widget
    # A few seconds later the notice is gone; Max's call stays.
    rig.wait(lambda: not notice.isVisible())
    assert panel.name_label.text() == "Max Muster" and panel.hangup_button.isVisible()
