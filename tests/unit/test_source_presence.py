"""The contact sources' "Use this account for presence": which address of a source
contact is watched, through which account, the cap for large sources, and the
application following a source's synchronisation and a changed presence account (the
subscriptions the phone then holds, per account)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from parley.app import Application
from parley.app.contact_sources import ContactSourceChanged, SourceTables
from parley.app.source_presence import SourceWatch, plan_watches, presence_address
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.registry import FetchRequest
from parley.contacts.source import FetchResult, SourceKind
from parley.media.engine import AudioConfig
from parley.settings.contact_sources import ContactSourceSettings, ContactsSettings
from parley.settings.model import AccountSettings, Settings

B, M, H, OT = NumberType.BUSINESS, NumberType.MOBILE, NumberType.HOME, NumberType.OTHER
WAIT = 20.0


def person(*numbers: tuple[str, NumberType], presence: str = "", name: str = "Anna") -> Contact:
    return Contact(
        display_name=name,
        numbers=tuple(PhoneNumber(n, t) for n, t in numbers),
        presence=presence,
    )


@pytest.mark.parametrize(
    ("contact", "watched"),
    [
        (person(("1002", B), presence="sip:anna@pbx"), "sip:anna@pbx"),  # the field first
        (person(("1002", B), ("sip:anna@pbx", OT)), "sip:anna@pbx"),  # a SIP address next
        (person(("1002", B), ("anna@pbx", OT)), "anna@pbx"),
        (person(("+49 30 1234-56", B)), "+4930123456"),  # a business number, cleaned
        (person(("0171 1234", M), ("1003", B)), "1003"),  # the business one, not mobile
        (person(("0171 1234", M), ("030 555", H), ("040 1", OT)), ""),  # never these
        (person(("tel:+49301234", OT)), ""),  # tel: is a number, not a business one
        (person(), ""),
    ],
)
def test_the_address_watched_for_a_source_contact(contact: Contact, watched: str) -> None:
    assert presence_address(contact) == watched


def accounts(*names: str, disabled: tuple[str, ...] = ()) -> list[AccountSettings]:
    return [
        AccountSettings(name=n, domain="127.0.0.1:9", username=f"u{i}", enabled=n not in disabled)
        for i, n in enumerate(names)
    ]


def source(sid: str = "book", **kw: Any) -> ContactSourceSettings:
    kind = SourceKind.LOCAL if sid == "local" else SourceKind.XML_PHONEBOOK
    if kind is SourceKind.XML_PHONEBOOK:
        kw["location"] = "/x.xml"
    name = "Parley" if kind is SourceKind.LOCAL else sid
    return ContactSourceSettings(id=sid, name=name, kind=kind, **kw)


def settings_with(*sources: ContactSourceSettings, disabled: tuple[str, ...] = ()) -> Settings:
    return Settings(
        accounts=accounts("office", "presence", disabled=disabled),
        contacts=ContactsSettings(sources=list(sources)),
    )


def test_a_source_is_watched_through_its_presence_account_only() -> None:
    book = source(presence_account="Presence")  # chosen without regard to case
    other = source("other")  # no account chosen: not watched
    s = settings_with(book, other)
    plan = plan_watches(
        s,
        [
            SourceWatch(book, [person(("1002", B)), person(("1003", B), name="Kurt")]),
            SourceWatch(other, [person(("1004", B))]),
        ],
    )
    assert plan.by_account == {"presence": {"1002", "1003"}}
    assert plan.everywhere == set() and plan.capped == []


def test_disabled_sources_and_accounts_are_not_watched() -> None:
    off = source(presence_account="presence", enabled=False)
    s = settings_with(off)
    assert plan_watches(s, [SourceWatch(off, [person(("1002", B))])]).by_account == {}
    on = source(presence_account="presence")
    s = settings_with(on, disabled=("presence",))
    assert plan_watches(s, [SourceWatch(on, [person(("1002", B))])]).by_account == {}


def test_the_local_contacts_go_everywhere_unless_the_local_source_chose_an_account() -> None:
    contacts = [person(("1002", B), presence="sip:1002@pbx"), person(("1003", B))]
    local = source("local")
    plan = plan_watches(settings_with(local), [SourceWatch(local, contacts)])
    # Local contacts: only the presence field the person filled in.
    assert (plan.everywhere, plan.by_account) == ({"sip:1002@pbx"}, {})
    local = source("local", presence_account="office")
    plan = plan_watches(settings_with(local), [SourceWatch(local, contacts)])
    assert (plan.everywhere, plan.by_account) == (set(), {"office": {"sip:1002@pbx"}})


def test_the_source_filters_apply() -> None:
    book = source(presence_account="office", hide_without_name=True)
    plan = plan_watches(
        settings_with(book),
        [SourceWatch(book, [person(("1002", B), name=""), person(("1003", B))])],
    )
    assert plan.by_account == {"office": {"1003"}}


def test_a_large_source_is_capped_in_its_order() -> None:
    book = source(presence_account="office")
    many = [person((str(2000 + i), B), name=f"P{i:03}") for i in range(10)]
    many.insert(1, person(("0171 1", M)))  # no address: does not count
    plan = plan_watches(settings_with(book), [SourceWatch(book, many)], cap=3)
    assert plan.by_account == {"office": {"2000", "2001", "2002"}}
    assert plan.capped == ["book"]


# ------------------------------------------------------------------ in the application


def two_accounts(presence_account: str | None) -> Settings:
    book = ContactSourceSettings(
        id="book",
        name="PBX book",
        kind=SourceKind.XML_PHONEBOOK,
        location="/x.xml",
        presence_account=presence_account,
    )
    return Settings(
        accounts=[
            AccountSettings(
                name=name,
                domain=domain,
                username=user,
                register_on_startup=False,
                subscribe_presence=False,
            )
            for name, domain, user in (
                ("office", "127.0.0.1:9", "1001"),
                ("home", "127.0.0.2:9", "2001"),
            )
        ],
        contacts=ContactsSettings(sources=[book]),
    )


def anna(_s: ContactSourceSettings, _r: FetchRequest) -> FetchResult:
    return FetchResult(contacts=(person(("1002", B), ("0171 1", M)),))


def subscribed(app: Application) -> set[tuple[str, str]]:
    assert app.phone is not None
    return {
        (s.account.name, s.uri)
        for s in app.phone.subscriptions.subscriptions
        if s.package == "presence" and not s.closed
    }


def wait_for(predicate: Any) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.02)
    assert predicate()


def test_the_application_follows_syncs_and_the_chosen_account(tmp_path: Path) -> None:
    app = Application(
        settings=two_accounts("home"),
        passwords={"office": "x", "home": "y"},
        use_keyring=False,
        data_dir=tmp_path / "data",
        source_tables=SourceTables(fetchers={SourceKind.XML_PHONEBOOK: anna}),
        bind_host="127.0.0.1",
        audio=AudioConfig(),
    )
    synced: list[ContactSourceChanged] = []
    app.subscribe(lambda e: synced.append(e) if isinstance(e, ContactSourceChanged) else None)
    try:
        app.start().result(WAIT)
        wait_for(lambda: any(e.state == "ok" for e in synced))
        # The business number, on the presence account's domain, through it alone.
        wait_for(lambda: subscribed(app) == {("home", "sip:1002@127.0.0.2:9")})
        new = app.settings.model_copy(deep=True)
        new.contacts.sources[1].presence_account = "office"
        app.update_settings(new).result(WAIT)
        wait_for(lambda: subscribed(app) == {("office", "sip:1002@127.0.0.1:9")})
        new = app.settings.model_copy(deep=True)
        new.contacts.sources[1].presence_account = None
        app.update_settings(new).result(WAIT)
        wait_for(lambda: subscribed(app) == set())
    finally:
        app.stop()


def test_the_console_lists_what_is_watched_and_says_when_nothing_is() -> None:
    from parley.cli.console import Console
    from parley.phone.events import PresenceChanged, PresenceState

    class Facade:
        known: dict[str, PresenceChanged] = {}

        def watched(self) -> dict[str, PresenceChanged]:
            return self.known

    class App:
        presence = Facade()

    def lines() -> list[str]:
        console = Console(App(), as_json=False)  # type: ignore[arg-type]
        out: list[str] = []
        console._print = out.append  # type: ignore[method-assign,assignment]
        console.line = "watching"
        console._command(["watching"])
        return out

    assert lines() == [
        "no presence known yet: 'watch URI', a contact's presence address or a contact "
        "source's presence account (Settings › Contacts) adds some"
    ]
    Facade.known = {
        "sip:2@pbx": PresenceChanged("sip:2@pbx", PresenceState.BUSY, "meeting", "b"),
        "sip:1@pbx": PresenceChanged("sip:1@pbx", PresenceState.ONLINE, "", "a"),
    }
    assert lines() == [
        "sip:1@pbx is online. (through a)",
        "sip:2@pbx is busy — meeting. (through b)",
    ]
