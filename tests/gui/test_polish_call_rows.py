"""The transfer dialog's list of other calls and the conference view's participant rows
say muted, on hold and held by the other side as the call list does (text and icon),
with real calls through Kamailio to two baresip phones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from gui_rig import GuiRig, account, registered_rig
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QImage
from PySide6.QtWidgets import QListWidget

from parley.contacts.model import Contact, PhoneNumber
from parley.gui import icons
from parley.gui.call_dialogs import TargetDialog
from parley.gui.icons import AMBER, RED
from parley.settings import Settings
from peers.baresip import Baresip
from peers.kamailio import Kamailio, running_kamailio

pytestmark = pytest.mark.interop

USERS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    with running_kamailio(tmp_path_factory.mktemp("rows") / "kamailio", USERS) as server:
        yield server


def dial(rig: GuiRig, qtbot: Any, number: str) -> int:
    panel = rig.window.call_panel
    known = {c.id for c in panel.calls}
    qtbot.keyClicks(rig.window.search, number)
    qtbot.keyClick(rig.window.search, Qt.Key.Key_Return)
    rig.wait(lambda: any(c.id not in known and c.state == "connected" for c in panel.calls))
    return next(c.id for c in panel.calls if c.id not in known)


def rows(view: QListWidget) -> list[str]:
    return [view.item(i).text() for i in range(view.count())]


def image(icon: QIcon) -> QImage:
    return icon.pixmap(16, 16).toImage()


def row_image(view: QListWidget, start: str) -> QImage:
    item = next(view.item(i) for i in range(view.count()) if view.item(i).text().startswith(start))
    return image(item.icon())


def test_transfer_list_and_conference_rows_say_muted_and_held(
    kam: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    phones = {user: far_phones(kam, user, auto_answer=True) for user in ("1002", "1003")}
    rig = registered_rig(
        make_rig, Settings(accounts=[account(f"127.0.0.1:{kam.udp_port}")]), "1001"
    )
    for name, number in (("Anna Berg", "1002"), ("Max Muster", "1003")):
        first, _, last = name.partition(" ")
        rig.app.contacts.add(
            Contact(first_name=first, last_name=last, numbers=(PhoneNumber(number),))
        )
    panel = rig.window.call_panel
    controls = panel.controls
    anna = dial(rig, qtbot, "1002")
    qtbot.mouseClick(panel.mute_button, Qt.MouseButton.LeftButton)  # Anna does not hear us
    rig.wait(lambda: any(c.id == anna and c.muted for c in panel.calls))
    max_ = dial(rig, qtbot, "1003")  # Anna goes on hold
    rig.wait(lambda: any(c.id == anna and c.held == "us" for c in panel.calls))

    # The transfer dialog of Max's call offers Anna's: on hold and muted, said and shown.
    controls.transfer_clicked()
    dialog = controls.dialog
    assert isinstance(dialog, TargetDialog) and dialog.isVisible()
    assert rows(dialog.calls) == ["Anna Berg (1002) — On hold · Muted"]
    assert row_image(dialog.calls, "Anna") == image(icons.icon("mute", RED))
    dialog.reject()

    # A conference of both (Anna dropped on the conference area).
    calls = panel.call_list
    item = next(
        calls.item(i)
        for i in range(calls.count())
        if calls.item(i).data(Qt.ItemDataRole.UserRole) == anna
    )
    controls.conference_area.drop_mime(calls.mimeData([item]))
    view = controls.conference
    rig.wait(lambda: set(view.participants) == {anna, max_} and view.isVisible())
    # Our microphone is still muted towards Anna: her row says so, with the red icon.
    rig.wait(lambda: "Anna Berg — Connected · Muted" in rows(view.list))
    assert row_image(view.list, "Anna") == image(icons.icon("mute", RED))
    assert "Max Muster — Connected" in rows(view.list)

    # Max's phone holds us: his row says so, in amber, as in the call list.
    phones["1003"].hold()
    rig.wait(lambda: any(c.id == max_ and c.held == "them" for c in panel.calls))
    rig.wait(lambda: "Max Muster — Held by the other side" in rows(view.list))
    assert row_image(view.list, "Max") == image(icons.icon("hold", AMBER))
    # ... and a transfer dialog listing his call says it the same way.
    dialog = TargetDialog(
        rig.app, "Transfer", "To:", calls=[c for c in panel.calls if c.id == max_]
    )
    qtbot.addWidget(dialog)
    assert rows(dialog.calls) == ["Max Muster (1003) — Held by the other side"]
    assert row_image(dialog.calls, "Max") == image(icons.icon("hold", AMBER))

    # Anna taken out of the mix: her row says the others do not hear her.
    view.select(anna)
    qtbot.mouseClick(view.mute_button, Qt.MouseButton.LeftButton)
    rig.wait(
        lambda: any(
            r.startswith("Anna Berg — ") and r.endswith(" · Not heard by the others")
            for r in rows(view.list)
        )
    )
    assert row_image(view.list, "Anna") == image(icons.icon("mute", RED))
