"""A caller known only to the LDAP directory, in the desktop app: the PBX presents the
national form (0895550123), the real slapd holds the international one (+49 89 5550123);
with the account's default country DE the ringing call shows the directory's name and
the history keeps it; typing a name in the search field finds the directory's entry.
(Kamailio, slapd and a baresip caller; the console's side: test_ldap_caller_console.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_rig import GuiRig

from parley.app import Application
from parley.contacts.source import SourceKind
from parley.media.engine import AudioConfig
from parley.settings import AccountSettings, Settings, save_settings
from parley.settings.contact_sources import ContactSourceSettings, ContactsSettings
from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio
from peers.slapd import BASE_DN, Slapd, pbx_phonebook

pytestmark = pytest.mark.interop

CALLER = "0895550123"  # Dieter Müller's number as a German PBX presents it
PASSWORDS = {"1001": "pass1001", CALLER: "passcaller"}


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    port = free_port("both")
    server = Kamailio(
        tmp_path_factory.mktemp("ldapgui") / "kamailio",
        PASSWORDS,
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
    )
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def ldap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    with Slapd(
        tmp_path_factory.mktemp("slapd"), pbx_phonebook(phonebook_size=50, archive_size=0),
        anonymous=True,
    ) as server:  # fmt: skip
        yield server


def test_an_ldap_caller_is_named_in_the_window_and_the_history(
    kam: Kamailio, ldap: Slapd, qtbot: Any, tmp_path: Path, answers: list[str]
) -> None:
    settings = Settings(
        accounts=[
            AccountSettings(
                name="office",
                domain=f"127.0.0.1:{kam.udp_port}",
                username="1001",
                transport="udp",
                codecs=["pcmu"],
                default_country="DE",
            )
        ],
        contacts=ContactsSettings(
            sources=[
                ContactSourceSettings(
                    id="pbx",
                    name="PBX directory",
                    kind=SourceKind.LDAP,
                    host="127.0.0.1",
                    port=ldap.port,
                    base_dn=BASE_DN,
                )
            ]
        ),
    )
    path = tmp_path / "settings.toml"
    save_settings(settings, path)
    app = Application(
        path,
        use_keyring=False,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
        passwords={"office": PASSWORDS["1001"]},
    )
    caller = Baresip(
        tmp_path / "caller",
        sip_port=free_port("both"),
        user=CALLER,
        password=PASSWORDS[CALLER],
        registrar=f"127.0.0.1:{kam.udp_port}",
        codecs=["PCMU/8000/1"],
    )
    rig = GuiRig(app, qtbot)
    try:
        rig.start()
        rig.wait_registered()
        caller.start()
        rig.wait(lambda: app.contact_sources.status("pbx").count > 0)
        w = rig.window

        # Typing a name: the directory's entry is in the list, with the source's name.
        w.search.setText("Müller")

        def remote_rows() -> list[Any]:
            return [row for kind, _i, row in w.items() if kind == "remote"]

        rig.wait(lambda: any(r.name_label.text() == "Dieter Müller" for r in remote_rows()))
        row = next(r for r in remote_rows() if r.name_label.text() == "Dieter Müller")
        assert row.source_label.text() == "PBX directory"
        w.search.clear()

        # The call: presented nationally, named from the directory's international entry.
        panel = w.call_panel
        caller.dial(f"sip:1001@127.0.0.1:{kam.udp_port}")
        rig.wait(lambda: panel.calls and panel.incoming_widget(panel.calls[0].id) is not None)
        ringing = panel.incoming_widget(panel.calls[0].id)
        assert ringing is not None and ringing.name_label.text() == "Dieter Müller"
        caller.hangup()
        rig.wait(lambda: not panel.calls)

        # The history keeps the name (a missed call from the directory's person).
        w.views.setCurrentIndex(2)
        rig.wait(lambda: bool(w.items()) and w.items()[0][0] == "entry")
        assert w.items()[0][2].name_label.text() == "Dieter Müller"
    finally:
        rig.close()
        caller.stop()
