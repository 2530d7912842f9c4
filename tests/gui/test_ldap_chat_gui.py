"""Instant messages with an LDAP directory's contact, end to end (manual p. 94: with
Attribute › Work IP Phone = telephoneNumber, the directory's number is the chat address).

A real slapd holds Erika Mustermann with telephoneNumber 1002 (the SIP user of a baresip
registered at Kamailio) and a mobile number. In the desktop app the person selects her
row of the directory in the contact list and presses the call window's chat button: the
chat opens on 1002 (not a choice of her numbers), and what they type goes out from the
source's "account for outgoing calls" (1001, not the first account 1003) — baresip shows
it as coming from 1001. baresip's answer appears in that conversation, which is named
from the directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gui_rig import PASSWORDS, GuiRig, account
from PySide6.QtCore import Qt

from interop.app_rig import aor
from interop.message_rig import MessagingBaresip
from parley.contacts.source import SourceKind
from parley.settings import Settings
from parley.settings.contact_sources import (
    ContactSourceSettings,
    ContactsSettings,
    LdapAttributes,
)
from peers.baresip import Baresip
from peers.common import wait_until
from peers.kamailio import Kamailio
from peers.slapd import BASE_DN, PHONEBOOK_DN, Person, Slapd, pbx_phonebook

pytestmark = pytest.mark.interop

WAIT = 20.0
ERIKA = Person("emustermann", "Erika", "Mustermann", "Parley GmbH", "1002", "+49 171 5550111")


@pytest.fixture
def ldap(tmp_path: Path) -> Iterator[Slapd]:
    entries = pbx_phonebook(phonebook_size=20, archive_size=0)
    entries.append(ERIKA.entry(PHONEBOOK_DN))
    with Slapd(tmp_path / "slapd", entries, anonymous=True) as server:
        yield server


def ldap_settings(kam: Kamailio, ldap: Slapd) -> Settings:
    domain = f"127.0.0.1:{kam.udp_port}"
    return Settings(
        accounts=[
            account(domain, user="1003"),  # the first account: the usual one
            account(domain, user="1001").model_copy(update={"name": "desk"}),
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
                    outgoing_account="desk",
                    attributes=LdapAttributes(ip_phone="telephoneNumber"),
                )
            ]
        ),
    )


def test_chat_with_an_ldap_contact_through_its_telephone_number(
    kamailio: Kamailio,
    ldap: Slapd,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
) -> None:
    far = far_phones(kamailio, "1002", kind=MessagingBaresip, target=aor(kamailio, "1001"))
    assert isinstance(far, MessagingBaresip)
    rig = make_rig(
        ldap_settings(kamailio, ldap),
        passwords={"office": PASSWORDS["1003"], "desk": PASSWORDS["1001"]},
    )
    rig.start()
    rig.wait_registered("office")
    rig.wait_registered("desk")
    rig.wait(lambda: rig.app.contact_sources.status("pbx").count > 0)
    w = rig.window

    # Her row of the directory in the contact list: select it, press "chat".
    w.views.setCurrentIndex(0)
    w.search.setText("Mustermann")

    def erika() -> list[int]:
        return [
            i
            for kind, i, row in w.items()
            if kind == "remote" and row.name_label.text() == "Erika Mustermann"
        ]

    rig.wait(erika)
    w.select("remote", erika()[0])
    assert w.call_window.source_label.text() == "From PBX directory"
    rig.wait(lambda: w.call_window.chat_button.isVisible())
    w.call_window.chat_button.click()
    chat = w.features.chat
    assert chat is not None
    assert w.right.currentWidget() is chat
    assert chat.view.title.text() == "Erika Mustermann"

    rig.qtbot.keyClicks(chat.view.input, "Hallo Erika, kurze Frage zum Angebot")
    rig.qtbot.keyClick(chat.view.input, Qt.Key.Key_Return)
    sent = f'{aor(kamailio, "1001")}: "Hallo Erika, kurze Frage zum Angebot"'
    assert wait_until(lambda: sent in far.log_text(), timeout=WAIT), far.log_text()
    ours = chat.view.bubbles[0]
    rig.wait(lambda: ours.meta.endswith("Delivered"))

    # Her answer: in the conversation with her, named from the directory.
    far.send_message("Gerne, ruf mich an!")
    rig.wait(lambda: len(chat.view.bubbles) == 2)
    theirs = chat.view.bubbles[1]
    assert not theirs.ours and theirs.text == "Gerne, ruf mich an!"
    assert chat.view.title.text() == "Erika Mustermann"
    (row,) = [r for peer, r in chat.rows.items() if "1002@" in peer]
    assert row.name_label.text() == "Erika Mustermann"
    stored = rig.app.messages.conversation(chat.view.peer)
    assert [(m.direction, m.account) for m in stored] == [("out", "desk"), ("in", "desk")]
