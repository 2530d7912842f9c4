"""The address book choice of a CardDAV source (its `books` setting) against Radicale 3 on
127.0.0.1 with two books of one login: `find_books` lists both; a source that chose one
reads only that one (Radicale's own request log shows the other was never asked for); a
chosen book that is gone is named in an issue while the other still syncs; the cached
state of a book no longer chosen is dropped; a wrong password is said in words."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from parley.contacts.carddav import states_from_json
from parley.contacts.cloud_sources import fetch_carddav, find_books
from parley.contacts.model import Contact
from parley.contacts.source import SourceKind, SourceProblem
from parley.settings.contact_sources import ContactSourceSettings
from peers.radicale import Radicale
from vcard_samples import GOOGLE, ICLOUD, NEXTCLOUD, V4_HOTLINE, V4_WEISS

pytestmark = pytest.mark.interop

USERS = {"anna": "s3cret!"}
WORK = ["Anna Berg", "Bernd Krause", "Eva Roth"]
PRIVATE = ["Clara Weiß", "Support-Hotline"]


class LoggingRadicale(Radicale):
    """Radicale that logs every request it receives (its log is the proof of what was
    asked for)."""

    def config(self) -> str:
        return super().config().replace("level = warning", "level = info")

    @property
    def log_file(self) -> Path:
        return self.workdir / "radicale.log"

    def log_size(self) -> int:
        return self.log_file.stat().st_size

    def requests_since(self, offset: int) -> str:
        return self.log_file.read_bytes()[offset:].decode(errors="replace")


@pytest.fixture(scope="module")
def dav() -> Iterator[LoggingRadicale]:
    with tempfile.TemporaryDirectory(prefix="parley-radicale-books-") as tmp:
        server = LoggingRadicale(Path(tmp), USERS).start()
        try:
            server.make_addressbook("anna", "work", "Work (vCard 3.0)")
            for name, text in (("google", GOOGLE), ("icloud", ICLOUD), ("nextcloud", NEXTCLOUD)):
                server.put_vcard("anna", "work", f"{name}.vcf", text)
            server.make_addressbook("anna", "private", "Private (vCard 4.0)")
            server.put_vcard("anna", "private", "weiss.vcf", V4_WEISS)
            server.put_vcard("anna", "private", "hotline.vcf", V4_HOTLINE)
            yield server
        finally:
            server.stop()


def source(dav: Radicale, books: list[str]) -> ContactSourceSettings:
    return ContactSourceSettings(
        id="dav",
        name="Radicale",
        kind=SourceKind.CARDDAV,
        location=dav.root,
        username="anna",
        books=books,
    )


def names(contacts: Iterable[Contact]) -> list[str]:
    return sorted(c.name for c in contacts)


def test_find_books_lists_both_with_their_names(dav: LoggingRadicale) -> None:
    books, issues = find_books(source(dav, []), password=USERS["anna"], timeout=20.0)
    assert issues == ()
    assert sorted((b.path, b.display_name) for b in books) == [
        ("/anna/private/", "Private (vCard 4.0)"),
        ("/anna/work/", "Work (vCard 3.0)"),
    ]
    assert {b.url for b in books} == {dav.book_url("anna", "work"), dav.book_url("anna", "private")}


def test_find_books_with_a_wrong_password_says_so(dav: LoggingRadicale) -> None:
    books, issues = find_books(source(dav, []), password="wrong", timeout=20.0)
    assert books == []
    assert [i.problem for i in issues] == [SourceProblem.AUTH_FAILED]
    assert "wrong user name or password" in issues[0].detail


def test_one_chosen_book_is_the_only_one_read(dav: LoggingRadicale) -> None:
    start = dav.log_size()
    result = fetch_carddav(
        source(dav, ["/anna/private/"]), password=USERS["anna"], state=None, timeout=20.0
    )
    assert (result.failed, result.issues) == (False, ())
    assert names(result.contacts) == PRIVATE
    asked = dav.requests_since(start)
    assert "request for '/anna/private/'" in asked  # the chosen book was synced
    assert "request for '/anna/work/" not in asked  # the other one never asked for
    assert list(states_from_json(result.state)) == [dav.book_url("anna", "private")]


def test_a_book_chosen_by_its_display_name(dav: LoggingRadicale) -> None:
    result = fetch_carddav(
        source(dav, ["work (vCard 3.0)"]), password=USERS["anna"], state=None, timeout=20.0
    )
    assert not result.failed
    assert names(result.contacts) == WORK


def test_a_chosen_book_that_is_gone_is_named_while_the_other_syncs(dav: LoggingRadicale) -> None:
    result = fetch_carddav(
        source(dav, ["/anna/work/", "/anna/old-book/"]),
        password=USERS["anna"],
        state=None,
        timeout=20.0,
    )
    assert not result.failed
    assert names(result.contacts) == WORK
    [issue] = result.issues
    assert (issue.problem, issue.where) == (SourceProblem.NOT_FOUND, "/anna/old-book/")
    assert "“/anna/old-book/”" in issue.detail and "is not on the server" in issue.detail
    assert "/anna/work/ “Work (vCard 3.0)”" in issue.detail  # what is there instead
    assert "Find address books" in issue.detail  # what to do


def test_only_gone_books_chosen_fails_and_keeps_the_cache(dav: LoggingRadicale) -> None:
    result = fetch_carddav(
        source(dav, ["Holidays"]), password=USERS["anna"], state="{}", timeout=20.0
    )
    assert result.failed and result.state == "{}"
    assert [(i.problem, i.where) for i in result.issues] == [(SourceProblem.NOT_FOUND, "Holidays")]


def test_a_book_no_longer_chosen_loses_its_cached_state(dav: LoggingRadicale) -> None:
    both = fetch_carddav(source(dav, []), password=USERS["anna"], state=None, timeout=20.0)
    assert names(both.contacts) == sorted(WORK + PRIVATE)
    assert len(states_from_json(both.state)) == 2
    start = dav.log_size()
    one = fetch_carddav(
        source(dav, ["/anna/work/"]), password=USERS["anna"], state=both.state, timeout=20.0
    )
    assert not one.failed and not one.not_modified
    assert names(one.contacts) == WORK
    assert list(states_from_json(one.state)) == [dav.book_url("anna", "work")]
    assert "request for '/anna/private/" not in dav.requests_since(start)


class _Console:
    """What the console's `sources` command needs: the app's registry, and its replies."""

    def __init__(self, registry: object) -> None:
        self.app = self
        self.contact_sources = registry
        self.replies: list[str] = []

    def reply(self, text: str) -> None:
        self.replies.append(text)


def test_the_registry_holds_only_the_chosen_book_and_sources_says_which(
    dav: LoggingRadicale, tmp_path: Path
) -> None:
    from parley.cli.commands_sources import sources
    from parley.contacts.registry import ContactSources, RemoteSource
    from parley.contacts.source import SyncState
    from parley.contacts.store import ContactStore
    from parley.settings.contact_sources import local_source

    store = ContactStore(tmp_path / "contacts.sqlite3", default_region="DE")
    registry = ContactSources(
        [local_source(), source(dav, ["/anna/private/", "Gone"])],
        store,
        data_dir=tmp_path,
        default_region="DE",
        password_of=lambda s: USERS["anna"] if s.id == "dav" else None,
    )
    try:
        remote = registry.get("dav")
        assert isinstance(remote, RemoteSource)
        status = registry.sync_now(remote)
        assert status.state is SyncState.OK, status
        listed = sorted(c.contact.name for c in registry.list_contacts() if c.source_id == "dav")
        assert listed == PRIVATE
        assert [(i.problem, i.where) for i in status.issues] == [(SourceProblem.NOT_FOUND, "Gone")]
        console = _Console(registry)
        sources(console, [])  # type: ignore[arg-type]
        [line] = [r for r in console.replies if r.startswith("dav ")]
        assert line.startswith("dav [on] carddav 'Radicale': 2 contacts, synchronised "), line
        assert "(Gone) the address book “Gone” chosen in the source" in line  # and why
        assert line.endswith("; address books: /anna/private/, Gone"), line
    finally:
        store.close()


class _Keyring:
    """A usable keyring of the test's own, for the OAuth tokens."""

    priority = 1.0

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


def test_google_books_listed_and_chosen_with_the_bearer_token(dav: LoggingRadicale) -> None:
    import httpx

    from parley.contacts.cloud_sources import fetch_google, sign_in_with_browser_for
    from parley.contacts.oauth_device import TokenStore
    from peers.dav_proxy import DavProxy
    from peers.oauth_standin import GOOGLE_SECRET, OAuthStandIn

    tokens = TokenStore(_Keyring())
    with (
        OAuthStandIn() as login,
        DavProxy(dav.root, login=("anna", USERS["anna"]), bearer=login.issued_access) as proxy,
    ):
        google = ContactSourceSettings(
            id="gmail",
            name="Google",
            kind=SourceKind.GOOGLE,
            location=proxy.url("/"),
            username="anna@example.com",
            client_id="parley-desktop",
            client_secret=GOOGLE_SECRET,
            authorize_url=login.authorize_url(google=True),
            token_url=login.google()[1],
        )
        books, issues = find_books(google, password=None, tokens=tokens, timeout=20.0)
        assert books == [] and [i.problem for i in issues] == [SourceProblem.AUTH_FAILED]

        def browser(url: str) -> None:
            httpx.get(url, follow_redirects=True, trust_env=False, timeout=20.0)

        sign_in_with_browser_for(google, tokens, browser, timeout=20.0)
        books, issues = find_books(google, password=None, tokens=tokens, timeout=20.0)
        assert issues == ()
        assert sorted(b.display_name for b in books) == ["Private (vCard 4.0)", "Work (vCard 3.0)"]
        google.books = ["Private (vCard 4.0)"]
        result = fetch_google(google, tokens, state=None, timeout=20.0)
        assert (result.failed, result.issues) == (False, ())
        assert names(result.contacts) == PRIVATE
        sent = {r.headers.get("authorization", "") for r in proxy.requests}
        assert sent and all(a.startswith("Bearer ") for a in sent)
