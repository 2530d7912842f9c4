"""A local contact's own "Presence account" against real peers on 127.0.0.1: Kamailio as
registrar and presence server, baresip (user 3004) publishing its presence, and a Parley
with two accounts, A (3001) and B (3002), both subscribing presence and each sending
through its own SIP tap (a recording relay used as the account's outbound proxy).

Two local contacts are added: Bea (sip:3004@…) with presence account B, and Otto
(sip:3005@…) with none. Otto is watched as before, through every account that subscribes
presence (a SUBSCRIBE through each tap); Bea only through B (From and digest user 3002,
nothing for 3004 through A), and baresip's online → offline reaches Parley through B.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_source_presence_peers import (  # noqa: F401 (kam, bea: fixtures)
    USERS,
    WAIT,
    Events,
    bea,
    credentials,
    kam,
    learned,
    sees,
    subscribes_to,
)

from baresip_presence import set_presence
from parley.app import Application
from parley.contacts.model import Contact, PhoneNumber
from parley.media.engine import AudioConfig
from parley.phone.events import AccountStateChanged, PresenceState
from parley.settings import AccountSettings, Settings
from peers.baresip import Baresip
from peers.common import LOOPBACK, free_port, wait_until
from peers.kamailio import Kamailio
from peers.sip_tap import SipTap

pytestmark = pytest.mark.interop


def test_a_local_contact_is_watched_through_its_own_presence_account_only(
    kam: Kamailio,  # noqa: F811
    bea: Baresip,  # noqa: F811
    tmp_path: Path,
) -> None:
    server = (LOOPBACK, kam.udp_port)
    domain = f"{LOOPBACK}:{kam.udp_port}"
    with SipTap(server) as tap_a, SipTap(server) as tap_b:
        settings = Settings(
            accounts=[
                AccountSettings(
                    name=name,
                    domain=domain,
                    username=user,
                    transport="udp",
                    codecs=["pcmu"],
                    local_port=free_port("udp"),
                    outbound_proxy=f"{LOOPBACK}:{tap.port}",
                    subscribe_presence=True,  # both would watch a contact without a choice
                )
                for name, user, tap in (("a", "3001", tap_a), ("b", "3002", tap_b))
            ],
        )
        app = Application(
            settings=settings,
            passwords={"a": USERS["3001"], "b": USERS["3002"]},
            use_keyring=False,
            data_dir=tmp_path / "data",
            bind_host=LOOPBACK,
            audio=AudioConfig(),
        )
        events = Events()
        app.subscribe(events)
        try:
            app.start().result(WAIT)
            for name, tap in (("a", tap_a), ("b", tap_b)):
                events.wait(
                    lambda e, n=name: (  # type: ignore[misc]
                        isinstance(e, AccountStateChanged)
                        and e.account == n
                        and e.state == "registered"
                    )
                )
                assert wait_until(lambda t=tap: learned(t), timeout=WAIT), tap.seen()
            # Otto first, without a presence account: watched through both, as before.
            app.contacts.add(
                Contact(
                    last_name="Otto", numbers=(PhoneNumber("3005"),), presence=f"sip:3005@{domain}"
                )
            )
            for tap in (tap_a, tap_b):
                assert wait_until(lambda t=tap: subscribes_to(t, "3005"), timeout=WAIT), [
                    m.start_line for m in tap.seen()
                ]
            # Bea with presence account B, as chosen in the contact editor.
            since = events.mark()
            app.contacts.add(
                Contact(
                    last_name="Bea",
                    numbers=(PhoneNumber("3004"),),
                    presence=f"sip:3004@{domain}",
                    presence_account="b",
                )
            )
            online = sees(events, PresenceState.ONLINE, since)
            assert online.account == "b"
            # On the wire: the SUBSCRIBE for 3004 left through B, as B.
            sent = subscribes_to(tap_b, "3004")
            assert sent, [m.start_line for m in tap_b.seen()]
            assert all("sip:3002@" in m.header("From") for m in sent)
            authorised = [m for m in sent if credentials(m)]
            assert authorised, [m.data for m in sent]
            assert all('username="3002"' in credentials(m) for m in authorised)
            # baresip's change arrives through B.
            since = events.mark()
            set_presence(bea, kam, "3004", online=False)
            offline = sees(events, PresenceState.OFFLINE, since)
            assert offline.account == "b"
            # Through A: Otto's SUBSCRIBE went out, Bea's never did.
            assert subscribes_to(tap_a, "3005")
            assert subscribes_to(tap_a, "3004") == [], [m.start_line for m in tap_a.seen()]
            assert app.presence.plan().by_account == {"b": {f"sip:3004@{domain}"}}
            assert app.presence.plan().everywhere == {f"sip:3005@{domain}"}
        finally:
            app.stop()
