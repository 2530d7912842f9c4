"""The GUI test rig: a real Application with the real main window on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parley.app.application import Application
from parley.gui.bridge import EngineBridge
from parley.gui.main_window import MainWindow
from parley.settings import AccountSettings, Settings

PASSWORDS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}
WAIT_MS = 20_000


class GuiRig:
    """An Application and the main window on it, as `parley` builds them."""

    def __init__(self, application: Application, qtbot: Any) -> None:
        self.app = application
        self.qtbot = qtbot
        self.bridge = EngineBridge(application)
        self.window = MainWindow(self.bridge)
        qtbot.addWidget(self.window)
        self.window.resize(800, 660)
        self.window.show()
        self.questions: list[str] = []
        self.messages: list[str] = []

    def start(self) -> None:
        self.app.start().result(20)
        self.window.phone_started()  # as run_gui does once the phone runs

    def wait(self, condition: Callable[[], object], timeout: int = WAIT_MS) -> None:
        self.qtbot.waitUntil(lambda: bool(condition()), timeout=timeout)

    def wait_registered(self, name: str = "office") -> None:
        self.wait(lambda: self.window.account_list.states.get(name) == "registered")

    def close(self) -> None:
        self.bridge.close()
        self.window.quit()
        self.app.stop()


def account(domain: str, user: str = "1001", **extra: Any) -> AccountSettings:
    return AccountSettings(
        name="office", domain=domain, username=user, transport="udp", codecs=["pcmu"], **extra
    )


def registered_rig(
    make_rig: Callable[..., GuiRig], settings: Settings, user: str, **options: Any
) -> GuiRig:
    """The desktop app of `user` (its account "office" in `settings`; the password from
    PASSWORDS) started by `make_rig`, once that account is registered."""
    rig = make_rig(settings, passwords={"office": PASSWORDS[user]}, **options)
    rig.start()
    rig.wait_registered()
    return rig
