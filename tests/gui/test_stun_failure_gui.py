"""A STUN server that does not answer, as the desktop app shows it on the account
(issue #11): the real engine registers at Kamailio with custom STUN pointed at a port
where nothing listens; the account row says it is registered and that STUN failed, the
tooltip names the server and says what Parley does instead; in German too."""

from __future__ import annotations

from collections.abc import Callable

from gui_rig import PASSWORDS, GuiRig, account

from parley.app.snapshots import AccountInfo
from parley.gui.account_list import account_tooltip
from parley.gui.i18n import set_language
from parley.net.stun_client import StunProblem
from parley.settings import Settings
from peers.common import LOOPBACK, free_port
from peers.kamailio import Kamailio


def test_stun_without_answer_is_shown_on_the_registered_account(
    kamailio: Kamailio, make_rig: Callable[..., GuiRig]
) -> None:
    silent = free_port("udp")
    settings = Settings(
        accounts=[
            account(
                f"{kamailio.host}:{kamailio.udp_port}",
                stun="custom",
                stun_server=LOOPBACK,
                stun_port=silent,
            )
        ]
    )
    rig = make_rig(settings, passwords={"office": PASSWORDS["1001"]})
    rig.start()
    rig.wait_registered()
    accounts = rig.window.account_list
    rig.wait(lambda: "STUN failed" in accounts.state_text("office"))
    assert accounts.state_text("office") == "Registered (STUN failed)"
    tip = accounts.tooltip("office")
    assert f"The STUN server {LOOPBACK}:{silent} does not answer." in tip, tip
    assert "rport" in tip and "Check the STUN settings" in tip, tip
    assert kamailio.lookup("1001")  # the account works all the same


def test_stun_failures_in_german() -> None:
    info = AccountInfo(
        name="office",
        state="registered",
        stun_problem=StunProblem.ERROR_RESPONSE,
        stun_server="stun.example.net:3478",
        stun_detail="500 Server Error",
    )
    assert "answered with an error (500 Server Error)" in account_tooltip(info)
    set_language("de")
    german = account_tooltip(info)
    assert "Der STUN-Server stun.example.net:3478 hat mit einem Fehler geantwortet" in german
    assert "(500 Server Error)" in german
    assert "Bitte prüfen Sie die STUN-Einstellungen" in german
    silent = AccountInfo(
        name="office",
        state="registered",
        stun_problem=StunProblem.NO_ANSWER,
        stun_server="127.0.0.1:3478",
    )
    assert "Der STUN-Server 127.0.0.1:3478 antwortet nicht." in account_tooltip(silent)
