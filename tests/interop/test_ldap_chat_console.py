"""The console's `message` to an LDAP directory's contact (manual p. 94: Work IP Phone =
telephoneNumber is the chat address): `message 1002 …` reaches the baresip registered as
1002 from the directory source's outgoing account (1001, not the first account 1003), its
answer comes as a message event, and `messages` names the conversation from the
directory (a real slapd, Kamailio, baresip; the desktop app's side:
tests/gui/test_ldap_chat_gui.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from message_rig import MessagingBaresip
from parley_console import ParleyConsole, write_config

from interop.app_rig import WAIT, aor
from peers.common import LOOPBACK, free_port, wait_until
from peers.kamailio import Kamailio, running_kamailio
from peers.slapd import BASE_DN, PHONEBOOK_DN, Person, Slapd, pbx_phonebook

pytestmark = pytest.mark.interop

USERS = {u: f"pass{u}" for u in ("1001", "1002", "1003")}
ERIKA = Person("emustermann", "Erika", "Mustermann", "Parley GmbH", "1002", "+49 171 5550111")


@pytest.fixture
def kam(tmp_path: Path) -> Iterator[Kamailio]:
    with running_kamailio(tmp_path / "kamailio", USERS) as k:
        yield k


@pytest.fixture
def ldap(tmp_path: Path) -> Iterator[Slapd]:
    entries = pbx_phonebook(phonebook_size=20, archive_size=0)
    entries.append(ERIKA.entry(PHONEBOOK_DN))
    with Slapd(tmp_path / "slapd", entries, anonymous=True) as server:
        yield server


@pytest.fixture
def baresip(kam: Kamailio, tmp_path: Path) -> Iterator[MessagingBaresip]:
    far = MessagingBaresip(
        tmp_path / "baresip",
        sip_port=free_port("both"),
        user="1002",
        password=USERS["1002"],
        registrar=f"{LOOPBACK}:{kam.udp_port}",
        target=aor(kam, "1001"),
    )
    far.start()
    try:
        yield far
    finally:
        far.stop()


def test_console_messages_an_ldap_contact(
    kam: Kamailio, ldap: Slapd, baresip: MessagingBaresip, tmp_path: Path
) -> None:
    domain = f"{LOOPBACK}:{kam.udp_port}"
    source: dict[str, Any] = {
        "id": "pbx",
        "name": "PBX directory",
        "kind": "ldap",
        "host": "127.0.0.1",
        "port": ldap.port,
        "base_dn": BASE_DN,
        "outgoing_account": "desk",
        "attributes": {"ip_phone": "telephoneNumber"},
    }
    accounts = [
        {"name": name, "domain": domain, "username": user, "password": USERS[user],
         "transport": "udp", "codecs": ["pcmu"]}
        for name, user in (("office", "1003"), ("desk", "1001"))
    ]  # fmt: skip
    config = write_config(tmp_path / "console.toml", accounts, contacts={"sources": [source]})
    console = ParleyConsole(config, log_dir=tmp_path)
    try:
        console.wait_state("registered", "office", timeout=30)
        console.wait_state("registered", "desk", timeout=30)
        synced = console.wait_for(
            lambda e: e.get("event") == "contact_source" and e.get("state") == "ok", 30
        )
        assert synced["count"] > 0, synced

        console.send("message 1002 Hallo Erika, kurze Frage zum Angebot")
        status = console.wait_for(
            lambda e: e.get("event") == "message status" and e.get("state") != "sending"
        )
        assert (status["state"], status["status"]) == ("delivered", 200), status
        shown = f'{aor(kam, "1001")}: "Hallo Erika, kurze Frage zum Angebot"'
        assert wait_until(lambda: shown in baresip.log_text(), timeout=WAIT), baresip.log_text()

        baresip.send_message("Gerne, ruf mich an!")
        got = console.wait_for(lambda e: e.get("event") == "message")
        assert (got["from"], got["text"]) == (aor(kam, "1002"), "Gerne, ruf mich an!"), got

        console.send("messages")
        listing = console.wait_for(
            lambda e: e.get("event") == "reply" and "1002@" in e.get("text", "")
        )
        assert "(Erika Mustermann)" in listing["text"], listing
    finally:
        console.quit()
