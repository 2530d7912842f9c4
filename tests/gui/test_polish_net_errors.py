"""Network failures in the German app: an account at an unknown domain (a local dnsmasq
answers NXDOMAIN for .tset; never the system's resolver) or at a closed TCP port is
explained in German — the account's tooltip, the status bar, the wizard — with the host
or host:port named, and no English anywhere."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from german_walk import EnglishFinder
from gui_rig import GuiRig, account
from PySide6.QtWidgets import QApplication

import parley.phone.account
from parley.app import Application
from parley.gui.i18n import set_language
from parley.gui.wizard import AccountWizard
from parley.net.dns import make_resolver
from parley.settings import Settings
from peers.dnsmasq import Dnsmasq

pytestmark = pytest.mark.interop
WAIT_MS = 30_000


@pytest.fixture(autouse=True)
def german(qapp: QApplication) -> Iterator[None]:
    set_language("de")
    yield
    set_language("en")


@pytest.fixture(scope="module")
def dns_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dnsmasq]:
    """Answers NXDOMAIN for every name under .tset; nothing else."""
    with Dnsmasq(tmp_path_factory.mktemp("dnsmasq"), None, ["local=/tset/"]) as server:
        yield server


def failed_rig(make_rig: Callable[..., GuiRig], settings: Settings) -> GuiRig:
    rig = make_rig(settings, passwords={"office": "pass1001"})
    rig.start()
    rig.wait(lambda: rig.window.account_list.states.get("office") == "failed", WAIT_MS)
    return rig


def assert_no_english(rig: GuiRig) -> None:
    finder = EnglishFinder()
    finder.walk([rig.window.account_list, rig.window.status], "main window")
    assert not finder.found, finder.report()


def test_unknown_domain_is_explained_in_german_in_tooltip_and_status_bar(
    make_rig: Callable[..., GuiRig], dns_server: Dnsmasq
) -> None:
    office = account("pbx.tset", dns_servers=[dns_server.nameserver])
    rig = failed_rig(make_rig, Settings(accounts=[office]))
    tip = rig.window.account_list.tooltip("office")
    assert "Registrierung von „office“ fehlgeschlagen." in tip
    assert "Die Domain „pbx.tset“ gibt es nicht. Prüfen Sie die Domain auf Tippfehler." in tip
    assert "no such domain" not in tip
    assert rig.window.account_list.state_text("office") == "Registrierung fehlgeschlagen"
    assert_no_english(rig)


def test_refused_tcp_connection_names_host_and_port_in_german(
    make_rig: Callable[..., GuiRig],
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    office = account(f"127.0.0.1:{port}").model_copy(update={"transport": "tcp"})
    rig = failed_rig(make_rig, Settings(accounts=[office]))
    tip = rig.window.account_list.tooltip("office")
    assert f"127.0.0.1:{port} hat die Verbindung abgelehnt." in tip
    assert "refused" not in tip
    assert_no_english(rig)


def test_the_german_wizard_says_the_domain_does_not_exist(
    qtbot: Any,
    make_app: Callable[..., Application],
    dns_server: Dnsmasq,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The wizard has no DNS field: its account asks the local dnsmasq.
    monkeypatch.setattr(
        parley.phone.account,
        "make_resolver",
        lambda _servers, **kw: make_resolver([dns_server.nameserver], **kw),
    )
    app = make_app()
    app.start().result(20)
    wizard = AccountWizard(app, first_start=True)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.domain.setText("pbx.tset")
    wizard.username.setText("1002")
    wizard.password.setText("pass1002")
    wizard.register_button.click()
    qtbot.waitUntil(lambda: wizard.register_button.isEnabled(), timeout=WAIT_MS)
    text = wizard.status.text()
    assert text == (
        "Parley findet keinen Server namens pbx.tset. Prüfen Sie die Domain auf Tippfehler."
    )
    finder = EnglishFinder()
    finder.walk([wizard], "wizard")
    assert not finder.found, finder.report()
