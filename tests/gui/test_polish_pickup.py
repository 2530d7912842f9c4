"""A pickup that cannot start for want of an account is said in German in the status bar
(and its tooltip), from the pickup's code — no English words of the engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from german_walk import EnglishFinder
from gui_rig import GuiRig
from PySide6.QtWidgets import QApplication

from parley.gui.i18n import set_language
from parley.settings import Settings


@pytest.fixture(autouse=True)
def german(qapp: QApplication) -> Iterator[None]:
    set_language("de")
    yield
    set_language("en")


def test_pickup_without_an_account_is_said_in_german(make_rig: Callable[..., GuiRig]) -> None:
    rig = make_rig(Settings(accounts=[]))
    rig.start()
    rig.bridge.run(rig.app.blf.pickup("1003"))  # what the line's "Pick up" button runs
    message = rig.window.status.message
    rig.wait(lambda: "1003" in message.text())
    assert message.text() == (
        "Heranholen bei 1003 nicht möglich: Es gibt kein Konto, von dem aus angerufen "
        "werden kann. Legen Sie in den Einstellungen ein Konto an oder schalten Sie eines ein."
    )
    finder = EnglishFinder()
    finder.walk([rig.window.status], "status bar")
    assert not finder.found, finder.report()
