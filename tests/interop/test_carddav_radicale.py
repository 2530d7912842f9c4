"""CardDAV against Radicale 3 on 127.0.0.1 (parley.contacts.carddav): discovery from the
server root, two address books (vCard 3.0 and 4.0), a first sync, changes made on the
server by another client (added, edited, deleted) reported exactly by the next sync, a
stale sync token falling back to ETag comparison, a wrong password explained with the
realm, a dead port; and a stand-in server for what Radicale never sends (a broken vCard,
a billion-laughs body, a bearer token refused)."""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from parley.contacts.carddav import (
    CardDavConfig,
    SyncState,
    discover,
    states_from_json,
    states_to_json,
    sync,
    sync_all,
)
from parley.contacts.model import Contact, NumberType
from parley.contacts.source import SourceProblem
from peers.certs import session_certs
from peers.common import LOOPBACK, free_port
from peers.radicale import REALM, Radicale
from phonebook_samples import BILLION_LAUGHS
from vcard_samples import GOOGLE, ICLOUD, NEXTCLOUD, V4_HOTLINE, V4_WEISS, card

pytestmark = pytest.mark.interop

USERS = {"anna": "s3cret!", "bob": "hunter2"}


@pytest.fixture(scope="module")
def dav() -> Iterator[Radicale]:
    with tempfile.TemporaryDirectory(prefix="parley-radicale-") as tmp:
        server = Radicale(Path(tmp), USERS).start()
        try:
            server.make_addressbook("anna", "work", "Work (vCard 3.0)")
            server.put_vcard("anna", "work", "google.vcf", GOOGLE)
            server.put_vcard("anna", "work", "icloud.vcf", ICLOUD)
            server.put_vcard("anna", "work", "nextcloud.vcf", NEXTCLOUD)
            server.make_addressbook("anna", "private", "Private (vCard 4.0)")
            server.put_vcard("anna", "private", "weiss.vcf", V4_WEISS)
            server.put_vcard("anna", "private", "hotline.vcf", V4_HOTLINE)
            yield server
        finally:
            server.stop()


def anna(url: str, password: str = USERS["anna"]) -> CardDavConfig:
    return CardDavConfig(url=url, username="anna", password=password, timeout=20.0)


def names(contacts: Iterable[Contact]) -> list[str]:
    return sorted(c.name for c in contacts)


def test_discovery_from_the_server_root(dav: Radicale) -> None:
    books, issues = discover(anna(dav.root))
    assert issues == ()
    found = {b.url: b for b in books}
    assert set(found) == {dav.book_url("anna", "work"), dav.book_url("anna", "private")}
    assert found[dav.book_url("anna", "work")].display_name == "Work (vCard 3.0)"
    assert found[dav.book_url("anna", "private")].display_name == "Private (vCard 4.0)"
    assert all(b.sync_token and b.ctag for b in books)
    # An address book's own URL names just that book; a principal its books.
    books, _ = discover(anna(dav.book_url("anna", "private")))
    assert [b.url for b in books] == [dav.book_url("anna", "private")]
    books, _ = discover(anna(dav.root + "anna/"))
    assert len(books) == 2


def test_first_sync_reads_both_versions(dav: Radicale) -> None:
    work = sync(anna(dav.root), dav.book_url("anna", "work"), None)
    assert (work.failed, work.issues, work.method) == (False, (), "sync-collection")
    assert names(work.contacts) == ["Anna Berg", "Bernd Krause", "Eva Roth"]
    assert work.added == (
        "/anna/work/google.vcf",
        "/anna/work/icloud.vcf",
        "/anna/work/nextcloud.vcf",
    )
    assert work.state.token and len(work.state.etags) == 3
    bernd = work.state.contacts["/anna/work/icloud.vcf"]
    assert (bernd.numbers[0].number, bernd.numbers[0].type) == ("0172 3456789", NumberType.MOBILE)

    private = sync(anna(dav.root), dav.book_url("anna", "private"), None)
    assert private.issues == ()
    assert names(private.contacts) == ["Clara Weiß", "Support-Hotline"]
    clara = private.state.contacts["/anna/private/weiss.vcf"]
    assert clara.numbers[0].number == "+49-5306-92000"
    assert clara.numbers[0].type is NumberType.BUSINESS


def _book_with_three(dav: Radicale, book: str) -> str:
    dav.make_addressbook("anna", book, book)
    dav.put_vcard("anna", book, "a.vcf", card("a", "Anna Alt", "+49 30 1001"))
    dav.put_vcard("anna", book, "b.vcf", card("b", "Bernd Bleibt", "+49 30 1002", version="4.0"))
    dav.put_vcard("anna", book, "c.vcf", card("c", "Carla Geht", "+49 30 1003"))
    return dav.book_url("anna", book)


def _change_three(dav: Radicale, book: str) -> None:
    dav.put_vcard("anna", book, "d.vcf", card("d", "Dora Neu", "+49 171 1004", tel_type="CELL"))
    dav.put_vcard("anna", book, "a.vcf", card("a", "Anna Neu", "+49 30 2001"))
    dav.delete("anna", book, "c.vcf")


def test_changes_on_the_server_reported_by_the_next_sync(dav: Radicale) -> None:
    url = _book_with_three(dav, "changes")
    first = sync(anna(url), url, None)
    assert names(first.contacts) == ["Anna Alt", "Bernd Bleibt", "Carla Geht"]

    # Nothing changed: the token sync says so and the list stays.
    same = sync(anna(url), url, first.state)
    assert (same.method, same.added, same.changed, same.removed) == ("sync-collection", (), (), ())
    assert names(same.contacts) == names(first.contacts)

    _change_three(dav, "changes")
    second = sync(anna(url), url, same.state)
    assert second.method == "sync-collection"
    assert (second.added, second.changed, second.removed) == (
        ("/anna/changes/d.vcf",),
        ("/anna/changes/a.vcf",),
        ("/anna/changes/c.vcf",),
    )
    assert names(second.contacts) == ["Anna Neu", "Bernd Bleibt", "Dora Neu"]
    anna_new = second.state.contacts["/anna/changes/a.vcf"]
    assert [(n.number, n.type) for n in anna_new.numbers] == [("+49 30 2001", NumberType.BUSINESS)]
    assert second.state.token != first.state.token
    assert set(second.state.etags) == {
        "/anna/changes/a.vcf",
        "/anna/changes/b.vcf",
        "/anna/changes/d.vcf",
    }

    # The state survives the cache (JSON) and the next sync goes on from it.
    restored = SyncState.from_json(second.state.to_json())
    assert restored == second.state
    assert SyncState.from_json("{not json") is None
    assert SyncState.from_json('{"version": 99}') is None
    dav.delete("anna", "changes", "b.vcf")
    third = sync(anna(url), url, restored)
    assert (third.added, third.changed, third.removed) == ((), (), ("/anna/changes/b.vcf",))
    assert names(third.contacts) == ["Anna Neu", "Dora Neu"]


def test_stale_token_falls_back_to_etags(dav: Radicale) -> None:
    url = _book_with_three(dav, "stale")
    first = sync(anna(url), url, None)
    _change_three(dav, "stale")
    stale = replace(first.state, token="http://radicale.org/ns/sync/" + "0" * 64)
    result = sync(anna(url), url, stale)
    assert result.failed is False
    assert result.method == "etag"
    assert (result.added, result.changed, result.removed) == (
        ("/anna/stale/d.vcf",),
        ("/anna/stale/a.vcf",),
        ("/anna/stale/c.vcf",),
    )
    assert names(result.contacts) == ["Anna Neu", "Bernd Bleibt", "Dora Neu"]
    # The fallback brought a fresh token: the next sync uses RFC 6578 again.
    assert result.state.token and result.state.token != stale.token
    again = sync(anna(url), url, result.state)
    assert (again.method, again.added, again.changed, again.removed) == (
        "sync-collection",
        (),
        (),
        (),
    )


def test_sync_all_books_as_one_source(tmp_path: Path) -> None:
    """The settings' one URL (a server root) as one source: every book of the login."""
    with Radicale(tmp_path / "all", USERS) as server:
        server.make_addressbook("bob", "one", "One")
        server.put_vcard("bob", "one", "a.vcf", card("a", "Anna Eins", "+49 30 5001"))
        server.make_addressbook("bob", "two", "Two")
        server.put_vcard(
            "bob", "two", "b.vcf", card("b", "Bert Zwei", "+49 30 5002", version="4.0")
        )
        bob = CardDavConfig(url=server.root, username="bob", password=USERS["bob"])
        result, states = sync_all(bob, None)
        assert not result.failed and names(result.contacts) == ["Anna Eins", "Bert Zwei"]
        assert set(states) == {server.book_url("bob", "one"), server.book_url("bob", "two")}
        stored = states_to_json(states)
        server.delete("bob", "two", "b.vcf")
        again, states = sync_all(bob, states_from_json(stored))
        assert names(again.contacts) == ["Anna Eins"]
        assert states_from_json("garbage") == {}
        # Wrong password: failed, the last contacts kept for the cache to keep showing.
        wrong, kept = sync_all(replace(bob, password="nope"), states)
        assert wrong.failed and wrong.issues[0].problem is SourceProblem.AUTH_FAILED
        assert names(wrong.contacts) == ["Anna Eins"] and kept == states


def test_wrong_password_explained_with_the_realm(dav: Radicale) -> None:
    state = sync(anna(dav.root), dav.book_url("anna", "work"), None).state
    result = sync(anna(dav.root, "wrong"), dav.book_url("anna", "work"), state)
    assert result.failed
    assert [i.problem for i in result.issues] == [SourceProblem.AUTH_FAILED]
    detail = result.issues[0].detail
    assert f'Basic realm "{REALM}"' in detail and "'anna'" in detail and "password" in detail
    assert result.state == state and len(result.contacts) == 3  # the cache stays
    books, issues = discover(anna(dav.root, "wrong"))
    assert books == [] and [i.problem for i in issues] == [SourceProblem.AUTH_FAILED]
    assert REALM in issues[0].detail
    # No credentials at all: the server's question, not a refusal of ours.
    _, issues = discover(CardDavConfig(url=dav.root))
    assert issues[0].problem is SourceProblem.AUTH_FAILED
    assert "asks for credentials" in issues[0].detail


def test_another_users_book_refused(dav: Radicale) -> None:
    bob = CardDavConfig(url=dav.root, username="bob", password=USERS["bob"])
    result = sync(bob, dav.book_url("anna", "work"), None)
    assert result.failed and result.issues[0].problem is SourceProblem.AUTH_FAILED


def test_dead_port_unreachable() -> None:
    port = free_port("tcp")
    url = f"http://{LOOPBACK}:{port}/"
    books, issues = discover(anna(url))
    assert books == [] and [i.problem for i in issues] == [SourceProblem.UNREACHABLE]
    result = sync(anna(url), url + "anna/work/", None)
    assert result.failed and result.issues[0].problem is SourceProblem.UNREACHABLE


def test_https_verified_against_the_ca_file(tmp_path: Path) -> None:
    certs = session_certs()
    with Radicale(tmp_path / "tls", USERS, certs=certs) as server:
        server.make_addressbook("anna", "tls", "TLS")
        server.put_vcard("anna", "tls", "a.vcf", card("t", "Tina Tls", "+49 30 4001"))
        url = server.book_url("anna", "tls")
        assert url.startswith("https://")
        untrusted = sync(anna(url), url, None)
        assert untrusted.failed and untrusted.issues[0].problem is SourceProblem.TLS_FAILED
        assert "certificate" in untrusted.issues[0].detail
        books, _ = discover(replace(anna(server.root), ca_file=str(certs.ca_file)))
        assert [b.url for b in books] == [url]
        trusted = sync(replace(anna(url), ca_file=str(certs.ca_file)), url, None)
        assert names(trusted.contacts) == ["Tina Tls"]
        unverified = sync(replace(anna(url), verify_tls=False), url, None)
        assert names(unverified.contacts) == ["Tina Tls"]
        # Plain HTTP to the TLS port: no answer that makes sense, refused cleanly.
        plain = sync(anna(url.replace("https", "http")), url.replace("https", "http"), None)
        assert plain.failed


def test_missing_book_not_found(dav: Radicale) -> None:
    result = sync(anna(dav.root), dav.book_url("anna", "nothing-here"), None)
    assert result.failed and result.issues[0].problem is SourceProblem.NOT_FOUND


def test_card_of_an_unknown_version_skipped_with_its_href(dav: Radicale) -> None:
    # Radicale stores what vobject can read; a card of version 9.9 it keeps, we cannot use.
    dav.make_addressbook("anna", "odd", "Odd")
    dav.put_vcard("anna", "odd", "good.vcf", card("g", "Gut Karte", "+49 30 3001"))
    dav.put_vcard("anna", "odd", "odd.vcf", card("o", "Odd Karte", "1").replace("3.0", "9.9"))
    url = dav.book_url("anna", "odd")
    result = sync(anna(url), url, None)
    assert not result.failed
    assert names(result.contacts) == ["Gut Karte"]
    assert [(i.problem, i.where) for i in result.issues] == [
        (SourceProblem.ENTRY_SKIPPED, "/anna/odd/odd.vcf")
    ]
    assert "9.9" in result.issues[0].detail
    # Unchanged since: not fetched again, but still reported.
    again = sync(anna(url), url, result.state)
    assert again.added == () and [i.where for i in again.issues] == ["/anna/odd/odd.vcf"]


# --- a stand-in server for what Radicale never sends --------------------------------------

_MULTISTATUS_SYNC = b"""<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:"><d:sync-token>tok-1</d:sync-token>
<d:response><d:href>/book/good.vcf</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag>
</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
<d:response><d:href>/book/broken%20card.vcf</d:href><d:propstat><d:prop><d:getetag>"2"</d:getetag>
</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
</d:multistatus>"""

_MULTIGET = b"""<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">
<d:response><d:href>/book/good.vcf</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag>
<c:address-data>BEGIN:VCARD&#13;
VERSION:3.0&#13;
FN:Gute Karte&#13;
TEL;TYPE=CELL:+49 171 1&#13;
END:VCARD&#13;
</c:address-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
<d:response><d:href>/book/broken%20card.vcf</d:href><d:propstat><d:prop><d:getetag>"2"</d:getetag>
<c:address-data>BEGIN:VCARD
VERSION:3.0
FN:Kaputt
TEL;TYPE=CELL:+49 171 2
</c:address-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
</d:multistatus>"""


class _StandIn(BaseHTTPRequestHandler):
    answers: dict[tuple[str, str], tuple[int, dict[str, str], bytes]] = {}
    seen: list[tuple[str, str, str, bytes]] = []
    realm = ""  # set: everything asks for Basic credentials first

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        self.seen.append((self.command, self.path, self.headers.get("authorization", ""), body))
        if self.realm and not self.headers.get("authorization"):
            self.send_response(401)
            self.send_header("WWW-Authenticate", f'Basic realm="{self.realm}"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        kind = "multiget" if b"addressbook-multiget" in body else ""
        if b"sync-collection" in body:
            kind = "sync " + (body.split(b"<d:sync-token>")[1].split(b"<")[0].decode() or "-")
        status, headers, data = self.answers.get(
            (self.command, self.path + kind),
            self.answers.get((self.command, self.path), (404, {}, b"")),
        )
        self.send_response(status)
        for name, value in {"Content-Type": "application/xml", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_PROPFIND = do_REPORT = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def _serve() -> Iterator[tuple[str, type[_StandIn]]]:
    handler = type("Handler", (_StandIn,), {"answers": {}, "seen": [], "realm": ""})
    server = ThreadingHTTPServer((LOOPBACK, free_port("tcp")), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_port}", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def stand_in() -> Iterator[tuple[str, type[_StandIn]]]:
    with _serve() as served:
        yield served


def test_broken_vcard_from_a_server_skipped_with_its_href(
    stand_in: tuple[str, type[_StandIn]],
) -> None:
    base, handler = stand_in
    handler.answers[("REPORT", "/book/")] = (207, {}, _MULTISTATUS_SYNC)
    handler.answers[("REPORT", "/book/multiget")] = (207, {}, _MULTIGET)
    result = sync(CardDavConfig(url=base + "/book/"), base + "/book/", None)
    assert not result.failed
    assert names(result.contacts) == ["Gute Karte"]
    assert [(i.problem, i.where) for i in result.issues] == [
        (SourceProblem.ENTRY_SKIPPED, "/book/broken card.vcf")
    ]
    assert "END:VCARD" in result.issues[0].detail
    assert result.state.token == "tok-1"


def test_billion_laughs_refused(stand_in: tuple[str, type[_StandIn]]) -> None:
    base, handler = stand_in
    for path in ("/", "/.well-known/carddav", "/book/"):
        handler.answers[("PROPFIND", path)] = (207, {}, BILLION_LAUGHS)
    handler.answers[("REPORT", "/book/")] = (207, {}, BILLION_LAUGHS)
    books, issues = discover(CardDavConfig(url=base + "/"))
    assert books == [] and [i.problem for i in issues] == [SourceProblem.BAD_DATA]
    assert "hostile XML refused" in issues[0].detail
    result = sync(CardDavConfig(url=base + "/book/"), base + "/book/", None)
    assert result.failed and result.issues[0].problem is SourceProblem.BAD_DATA
    assert "hostile XML refused" in result.issues[0].detail


def test_bearer_token_sent_and_refusal_explained(stand_in: tuple[str, type[_StandIn]]) -> None:
    base, handler = stand_in
    handler.answers[("REPORT", "/book/")] = (
        401,
        {"WWW-Authenticate": 'Bearer realm="Google", error="invalid_token"'},
        b"",
    )
    config = CardDavConfig(
        url=base + "/book/", username="anna@example.com", bearer_token="ya29.tok"
    )
    result = sync(config, base + "/book/", None)
    assert handler.seen[0][2] == "Bearer ya29.tok"  # sent with the first request
    assert result.failed and result.issues[0].problem is SourceProblem.AUTH_FAILED
    assert "invalid_token" in result.issues[0].detail


_NO_SYNC_LISTING = b"""<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:">
<d:response><d:href>/book/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/>
</d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
<d:propstat><d:prop><d:getetag/><d:sync-token/></d:prop>
<d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>
<d:response><d:href>http://HOST/book/good.vcf</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag>
<d:resourcetype/></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
</d:multistatus>"""


def test_server_without_sync_collection_compared_by_etag(
    stand_in: tuple[str, type[_StandIn]],
) -> None:
    base, handler = stand_in
    host = base.removeprefix("http://").encode()
    handler.answers[("REPORT", "/book/sync -")] = (501, {}, b"")
    handler.answers[("PROPFIND", "/book/")] = (
        207,
        {},
        _NO_SYNC_LISTING.replace(b"HOST", host),
    )
    handler.answers[("REPORT", "/book/multiget")] = (207, {}, _MULTIGET)
    config = CardDavConfig(url=base + "/book/")
    first = sync(config, base + "/book/", None)
    assert (first.failed, first.method, first.added) == (False, "etag", ("/book/good.vcf",))
    assert names(first.contacts) == ["Gute Karte"] and first.state.token is None
    # Unchanged ETags: one PROPFIND, no multiget, nothing reported.
    handler.seen.clear()
    again = sync(config, base + "/book/", first.state)
    assert [m for m, *_ in handler.seen] == ["PROPFIND"]
    assert (again.added, again.changed, again.removed) == ((), (), ())
    assert names(again.contacts) == ["Gute Karte"]


_TRUNCATED = b"""<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:"><d:sync-token>tok-half</d:sync-token>
<d:response><d:href>/book/good.vcf</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag>
</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
<d:response><d:href>/book/</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status>
</d:response></d:multistatus>"""

_REST = b"""<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:"><d:sync-token>tok-all</d:sync-token>
<d:response><d:href>/book/broken%20card.vcf</d:href><d:propstat><d:prop><d:getetag>"2"</d:getetag>
</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
</d:multistatus>"""


def test_truncated_sync_answer_followed(stand_in: tuple[str, type[_StandIn]]) -> None:
    base, handler = stand_in
    handler.answers[("REPORT", "/book/sync -")] = (207, {}, _TRUNCATED)
    handler.answers[("REPORT", "/book/sync tok-half")] = (207, {}, _REST)
    handler.answers[("REPORT", "/book/multiget")] = (207, {}, _MULTIGET)
    result = sync(CardDavConfig(url=base + "/book/"), base + "/book/", None)
    assert result.state.token == "tok-all"
    assert result.added == ("/book/broken card.vcf", "/book/good.vcf")
    assert names(result.contacts) == ["Gute Karte"]


def test_gzip_bomb_stops_at_the_limit(
    stand_in: tuple[str, type[_StandIn]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import gzip

    import parley.contacts.carddav_http as carddav_http

    monkeypatch.setattr(carddav_http, "MAX_RESPONSE_BYTES", 1024 * 1024)
    base, handler = stand_in
    bomb = gzip.compress(b"<d:multistatus xmlns:d='DAV:'>" + b" " * (20 * 1024 * 1024))
    handler.answers[("REPORT", "/book/sync -")] = (207, {"Content-Encoding": "gzip"}, bomb)
    result = sync(CardDavConfig(url=base + "/book/"), base + "/book/", None)
    assert result.failed and result.issues[0].problem is SourceProblem.TOO_LARGE


def _propstat(props: str) -> str:
    return f"<d:propstat><d:prop>{props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>"


def _multistatus(*responses: tuple[str, str]) -> bytes:
    body = "".join(
        f"<d:response><d:href>{href}</d:href>{_propstat(props)}</d:response>"
        for href, props in responses
    )
    return (
        '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" '
        'xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/">'
        f"{body}</d:multistatus>"
    ).encode()


def test_nextcloud_shaped_discovery(stand_in: tuple[str, type[_StandIn]]) -> None:
    """Nextcloud: the DAV root given by the user names the principal, the principal a home
    elsewhere, the home two address books (and a shared calendar-like collection)."""
    base, handler = stand_in
    handler.answers[("PROPFIND", "/remote.php/dav/")] = (
        207,
        {},
        _multistatus(
            (
                "/remote.php/dav/",
                "<d:resourcetype><d:collection/></d:resourcetype><d:current-user-principal>"
                "<d:href>/remote.php/dav/principals/users/anna/</d:href>"
                "</d:current-user-principal>",
            )
        ),
    )
    handler.answers[("PROPFIND", "/remote.php/dav/principals/users/anna/")] = (
        207,
        {},
        _multistatus(
            (
                "/remote.php/dav/principals/users/anna/",
                "<card:addressbook-home-set><d:href>/remote.php/dav/addressbooks/users/anna/"
                "</d:href></card:addressbook-home-set>",
            )
        ),
    )
    book = "<d:resourcetype><d:collection/><card:addressbook/></d:resourcetype>"
    handler.answers[("PROPFIND", "/remote.php/dav/addressbooks/users/anna/")] = (
        207,
        {},
        _multistatus(
            (
                "/remote.php/dav/addressbooks/users/anna/",
                "<d:resourcetype><d:collection/></d:resourcetype>",
            ),
            (
                "/remote.php/dav/addressbooks/users/anna/contacts/",
                f"{book}<d:displayname>Kontakte</d:displayname>"
                "<d:sync-token>http://sabre.io/ns/sync/12</d:sync-token><cs:getctag>12</cs:getctag>",
            ),
            (
                "/remote.php/dav/addressbooks/users/anna/z-app-generated--contactsinteraction--recent/",
                f"{book}<d:displayname>Recently contacted</d:displayname>",
            ),
            (
                "/remote.php/dav/addressbooks/users/anna/inbox/",
                "<d:resourcetype><d:collection/></d:resourcetype>",
            ),
        ),
    )
    config = CardDavConfig(url=base + "/remote.php/dav/", username="anna", password="x")
    books, issues = discover(config)
    assert issues == ()
    assert [(b.url.removeprefix(base), b.display_name, b.sync_token, b.ctag) for b in books] == [
        (
            "/remote.php/dav/addressbooks/users/anna/contacts/",
            "Kontakte",
            "http://sabre.io/ns/sync/12",
            "12",
        ),
        (
            "/remote.php/dav/addressbooks/users/anna/z-app-generated--contactsinteraction--recent/",
            "Recently contacted",
            None,
            None,
        ),
    ]
    # The path given was asked first; .well-known was not needed.
    assert handler.seen[0][1] == "/remote.php/dav/"


def test_icloud_shaped_home_on_another_host_gets_the_credentials() -> None:
    """iCloud: the principal on contacts.icloud.com names a home on pNN-contacts.icloud.com.
    The credentials go there (the server named it), and to the book chosen from it; a
    redirect to a third origin gets none."""
    with _serve() as (front, first), _serve() as (home, second), _serve() as (other, third):
        for handler in (first, second, third):
            handler.realm = "iCloud"
        first.answers[("PROPFIND", "/")] = (
            207,
            {},
            _multistatus(
                (
                    "/",
                    "<d:current-user-principal><d:href>/1234/principal/</d:href>"
                    "</d:current-user-principal>",
                )
            ),
        )
        first.answers[("PROPFIND", "/1234/principal/")] = (
            207,
            {},
            _multistatus(
                (
                    "/1234/principal/",
                    f"<card:addressbook-home-set><d:href>{home}/1234/carddav/</d:href>"
                    "</card:addressbook-home-set>",
                )
            ),
        )
        second.answers[("PROPFIND", "/1234/carddav/")] = (
            207,
            {},
            _multistatus(
                (
                    "/1234/carddav/card/",
                    "<d:resourcetype><d:collection/><card:addressbook/></d:resourcetype>"
                    "<d:displayname>card</d:displayname>",
                )
            ),
        )
        config = CardDavConfig(url=front + "/", username="anna@icloud.example", password="app-pw")
        books, issues = discover(config)
        assert issues == ()
        assert [b.url for b in books] == [f"{home}/1234/carddav/card/"]
        assert second.seen[-1][2].startswith("Basic ")  # the home host got the login

        # The book's host moved (a redirect to a third origin): no credentials follow.
        second.answers[("REPORT", "/1234/carddav/card/sync -")] = (
            307,
            {"Location": f"{other}/1234/carddav/card/"},
            b"",
        )
        result = sync(config, books[0].url, None)
        assert result.failed and result.issues[0].problem is SourceProblem.AUTH_FAILED
        assert "not sent to another origin" in result.issues[0].detail
        assert third.seen and all(auth == "" for _, _, auth, _ in third.seen)


def test_a_carddav_source_in_the_registry_names_a_caller(dav: Radicale, tmp_path: Path) -> None:
    """Wired as a contact source: synchronised through the registry into its cache, and
    a caller's number in national form finds the card's international one."""
    from parley.contacts.registry import ContactSources, RemoteSource
    from parley.contacts.source import SourceKind, SyncState
    from parley.contacts.store import ContactStore
    from parley.settings.contact_sources import ContactSourceSettings, local_source

    source = ContactSourceSettings(
        id="dav", name="Nextcloud", kind=SourceKind.CARDDAV, location=dav.root, username="anna"
    )
    store = ContactStore(tmp_path / "contacts.sqlite3", default_region="DE")
    registry = ContactSources(
        [local_source(), source],
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
        assert status.count >= 5
        match = registry.lookup("05306 92000")  # Clara Weiß: +49-5306-92000 on the server
        assert match is not None and match.contact.name == "Clara Weiß"
        assert match.source_id == "dav"
    finally:
        store.close()
