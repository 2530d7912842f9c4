"""XML phone books fetched from real web servers on 127.0.0.1: nginx (Basic auth, TLS,
ETag/304, redirects, gzip) and Apache (Digest auth over TLS), each serving every format;
hostile and broken answers refused with the right code (parley.contacts.phonebook_xml)."""

from __future__ import annotations

import gzip
import shutil
import socket
import tempfile
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.contacts.phonebook_xml import fetch_phonebook, parse_phonebook
from parley.contacts.source import FetchResult, SourceProblem
from peers.apache import Apache
from peers.certs import Certs, session_certs
from peers.common import free_port, wait_until
from peers.nginx import Nginx
from phonebook_samples import BILLION_LAUGHS, CISCO, FORMATS, YEALINK_REMOTE

USERS = {"anna": "s3cret!", "bob": "hunter2"}
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CiscoIPPhoneDirectory><DirectoryEntry><Name>&xxe;</Name><Telephone>1</Telephone>
</DirectoryEntry></CiscoIPPhoneDirectory>"""


def summary(result: FetchResult) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    return [(c.name, tuple((n.number, n.type.value) for n in c.numbers)) for c in result.contacts]


def problems(result: FetchResult) -> list[SourceProblem]:
    return [i.problem for i in result.issues]


@pytest.fixture(scope="module")
def site() -> Iterator[Path]:
    """The served tree, in a folder Apache's unprivileged children may enter."""
    base = Path(tempfile.mkdtemp(prefix="parley-phonebooks-"))
    base.chmod(0o755)
    root = base / "www"
    for folder in ("books", "private"):
        (root / folder).mkdir(parents=True)
        for name, data in FORMATS.items():
            (root / folder / f"{name}.xml").write_bytes(data)
    books = root / "books"
    (books / "laughs.xml").write_bytes(BILLION_LAUGHS)
    (books / "xxe.xml").write_bytes(XXE)
    (books / "login.html").write_bytes(b"<html><body><form>Login</form></body></html>")
    (books / "latin1.xml").write_bytes(CISCO.replace(b"ISO-8859-1", b"UTF-8"))
    entry = b"<DirectoryEntry><Name>Person</Name><Telephone>1234</Telephone></DirectoryEntry>\n"
    (books / "big.xml").write_bytes(
        b"<YealinkIPPhoneDirectory>\n" + entry * 5000 + b"</YealinkIPPhoneDirectory>\n"
    )
    # A gzip bomb: 60 MB of phone book in about 60 KB, served pre-compressed by nginx.
    (books / "bomb.xml").write_bytes(b"<YealinkIPPhoneDirectory/>")
    with gzip.open(books / "bomb.xml.gz", "wb", compresslevel=9) as bomb:
        bomb.write(b"<YealinkIPPhoneDirectory>")
        for _ in range(60):
            bomb.write(b" " * 1_000_000)
        bomb.write(b"</YealinkIPPhoneDirectory>")
    # No XML declaration: the HTTP charset (windows-1252) says how to read it.
    (books / "cp1252.xml").write_bytes(
        b"<CiscoIPPhoneDirectory><DirectoryEntry><Name>Andr\xe9 M\x9cller \x80</Name>"
        b"<Telephone>5001</Telephone></DirectoryEntry></CiscoIPPhoneDirectory>"
    )
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def certs() -> Certs:
    return session_certs()


@pytest.fixture(scope="module")
def nginx(site: Path, certs: Certs, apache: Apache) -> Iterator[Nginx]:
    port = free_port("tcp")
    # https → http: a downgrade the fetch must refuse; /away: to another origin (Apache).
    extra = (
        f"        location = /downgrade {{ return 302 http://127.0.0.1:{port}/books/cisco.xml; }}\n"
        f"        location = /away {{ return 302 {apache.url('/private/cisco.xml')}; }}\n"
        "        location = /books/bomb.xml { gzip_static always; }\n"
        "        location = /books/cp1252.xml {\n"
        "            types { }\n"
        '            default_type "application/xml; charset=windows-1252";\n'
        "        }\n"
    )
    server = Nginx(
        site / "nginx", root=site / "www", users=USERS, certs=certs, port=port, extra=extra
    )
    with server:
        yield server


@pytest.fixture(scope="module")
def apache(site: Path, certs: Certs) -> Iterator[Apache]:
    with Apache(site / "apache", root=site / "www", users=USERS, certs=certs) as server:
        yield server


def log_since(server: Nginx | Apache, mark: int, count: int = 1) -> list[str]:
    """The access log's lines after `mark`, once at least `count` are there (a server
    writes its log line just after it answered)."""
    wait_until(lambda: len(server.requests()) - mark >= count, timeout=10)
    return server.requests()[mark:]


# --- every format, both servers, both auth schemes, over TLS --------------------------------


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_over_https_with_basic_auth(nginx: Nginx, certs: Certs, name: str) -> None:
    mark = len(nginx.requests())
    result = fetch_phonebook(
        nginx.url(f"/private/{name}.xml", tls=True),
        username="anna",
        password=USERS["anna"],
        ca_file=str(certs.ca_file),
    )
    assert not result.failed, result.issues
    assert summary(result) == summary(parse_phonebook(FORMATS[name]))
    assert result.contacts
    assert result.etag and result.last_modified
    # Asked first without credentials, then with Basic after nginx's challenge.
    lines = log_since(nginx, mark, 2)
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"GET /private/{name}.xml 401 ") and lines[0].endswith('"-"')
    assert lines[1].startswith(f'GET /private/{name}.xml 200 "anna"') and '"Basic ' in lines[1]


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_over_https_with_digest_auth(apache: Apache, certs: Certs, name: str) -> None:
    mark = len(apache.requests())
    result = fetch_phonebook(
        apache.url(f"/private/{name}.xml", tls=True),
        username="bob",
        password=USERS["bob"],
        ca_file=str(certs.ca_file),
    )
    assert not result.failed, result.issues
    assert summary(result) == summary(parse_phonebook(FORMATS[name]))
    assert result.contacts
    # One challenge, then the Digest answer to it: two requests.
    lines = log_since(apache, mark, 2)
    assert len(lines) == 2, lines
    assert lines[0].startswith(f'GET /private/{name}.xml 401 "-"'), lines
    assert lines[1].startswith(f'GET /private/{name}.xml 200 "bob"'), lines


def test_public_book_without_credentials_over_plain_http(nginx: Nginx, apache: Apache) -> None:
    for server in (nginx, apache):
        result = fetch_phonebook(server.url("/books/grandstream.xml"))
        assert summary(result) == summary(parse_phonebook(FORMATS["grandstream"]))


def test_credentials_are_sent_only_when_the_server_asks(nginx: Nginx) -> None:
    mark = len(nginx.requests())
    result = fetch_phonebook(nginx.url("/books/cisco.xml"), username="anna", password="x")
    assert not result.failed
    [line] = log_since(nginx, mark)
    assert line.startswith("GET /books/cisco.xml 200 ") and line.endswith('"-"')


def test_credentials_stay_with_their_origin_across_a_redirect(nginx: Nginx, apache: Apache) -> None:
    mark = len(apache.requests())
    result = fetch_phonebook(nginx.url("/away"), username="bob", password=USERS["bob"])
    [issue] = result.issues
    assert result.failed and issue.problem is SourceProblem.AUTH_FAILED
    assert "asks for credentials" in issue.detail
    [line] = log_since(apache, mark)
    assert line.startswith('GET /private/cisco.xml 401 "-"')


# --- authentication refused ------------------------------------------------------------------


def test_wrong_password_basic_names_the_realm(nginx: Nginx, certs: Certs) -> None:
    result = fetch_phonebook(
        nginx.url("/private/cisco.xml", tls=True),
        username="anna",
        password="wrong",
        ca_file=str(certs.ca_file),
    )
    assert result.failed and result.contacts == ()
    [issue] = result.issues
    assert issue.problem is SourceProblem.AUTH_FAILED
    assert "Parley phone books" in issue.detail and "anna" in issue.detail


def test_wrong_password_digest_names_the_realm(apache: Apache, certs: Certs) -> None:
    mark = len(apache.requests())
    result = fetch_phonebook(
        apache.url("/private/cisco.xml", tls=True),
        username="bob",
        password="wrong",
        ca_file=str(certs.ca_file),
    )
    [issue] = result.issues
    assert result.failed and issue.problem is SourceProblem.AUTH_FAILED
    assert "Parley digest" in issue.detail and "Digest" in issue.detail
    lines = log_since(apache, mark, 2)
    assert len(lines) == 2 and all(" 401 " in line for line in lines)


def test_no_credentials_for_a_protected_book(nginx: Nginx, apache: Apache) -> None:
    for server, realm in ((nginx, "Parley phone books"), (apache, "Parley digest")):
        result = fetch_phonebook(server.url("/private/cisco.xml"))
        [issue] = result.issues
        assert result.failed and issue.problem is SourceProblem.AUTH_FAILED
        assert "asks for credentials" in issue.detail and realm in issue.detail


# --- TLS ---------------------------------------------------------------------------------------


def test_untrusted_certificate_fails_unless_verification_is_off(nginx: Nginx) -> None:
    url = nginx.url("/books/cisco.xml", tls=True)
    refused = fetch_phonebook(url)  # the test CA is not among the system's
    [issue] = refused.issues
    assert refused.failed and issue.problem is SourceProblem.TLS_FAILED
    assert "certificate" in issue.detail
    accepted = fetch_phonebook(url, verify_tls=False)
    assert summary(accepted) == summary(parse_phonebook(CISCO))


def test_unusable_ca_file(nginx: Nginx, site: Path) -> None:
    result = fetch_phonebook(
        nginx.url("/books/cisco.xml", tls=True), ca_file=str(site / "no-such-ca.pem")
    )
    assert result.failed and problems(result) == [SourceProblem.TLS_FAILED]


def test_https_to_a_plain_http_port(nginx: Nginx) -> None:
    result = fetch_phonebook(f"https://127.0.0.1:{nginx.port}/books/cisco.xml")
    assert result.failed and problems(result) == [SourceProblem.TLS_FAILED]


def test_redirect_from_https_to_http_is_refused(nginx: Nginx, certs: Certs) -> None:
    result = fetch_phonebook(nginx.url("/downgrade", tls=True), ca_file=str(certs.ca_file))
    [issue] = result.issues
    assert result.failed and issue.problem is SourceProblem.TLS_FAILED
    assert "redirect" in issue.detail


# --- validators --------------------------------------------------------------------------------


@pytest.mark.parametrize("server_name", ["nginx", "apache"])
def test_unchanged_book_answers_304(
    request: pytest.FixtureRequest, certs: Certs, server_name: str
) -> None:
    server: Nginx | Apache = request.getfixturevalue(server_name)
    url = server.url("/private/yealink.xml", tls=True)
    ca = str(certs.ca_file)
    first = fetch_phonebook(url, username="anna", password=USERS["anna"], ca_file=ca)
    assert first.etag and first.contacts
    mark = len(server.requests())
    again = fetch_phonebook(
        url,
        username="anna",
        password=USERS["anna"],
        ca_file=ca,
        etag=first.etag,
        last_modified=first.last_modified,
    )
    assert again.not_modified and not again.failed and again.contacts == ()
    # nginx marks the gzipped 200's ETag weak (W/"…"), its 304 names the strong one.
    assert again.etag and again.etag.removeprefix("W/") == first.etag.removeprefix("W/")
    # 401 first, then the answer to the authorised request.
    challenge, last = log_since(server, mark, 2)
    assert " 401 " in challenge
    assert " 304 " in last and first.etag.removeprefix("W/").strip('"') in last


def test_changed_book_is_fetched_again(nginx: Nginx, site: Path) -> None:
    path = site / "www" / "books" / "changing.xml"
    path.write_bytes(YEALINK_REMOTE)
    first = fetch_phonebook(nginx.url("/books/changing.xml"))
    path.write_bytes(YEALINK_REMOTE.replace(b"Empfang", b"Rezeption") + b"\n")
    again = fetch_phonebook(nginx.url("/books/changing.xml"), etag=first.etag)
    assert not again.not_modified and again.etag != first.etag
    assert "Rezeption" in {c.name for c in again.contacts}


# --- redirects -----------------------------------------------------------------------------------


def test_redirects_are_followed(nginx: Nginx) -> None:
    one = fetch_phonebook(nginx.url("/redirect/books/snom.xml"))
    assert summary(one) == summary(parse_phonebook(FORMATS["snom"]))
    four = fetch_phonebook(nginx.url("/chain/4/books/snom.xml"))
    assert summary(four) == summary(one)


def test_too_many_redirects(nginx: Nginx) -> None:
    result = fetch_phonebook(nginx.url("/chain/8/books/snom.xml"))
    [issue] = result.issues
    assert result.failed and issue.problem is SourceProblem.UNREACHABLE
    assert "more than 5 redirects" in issue.detail


def test_redirect_loop_is_named(nginx: Nginx) -> None:
    mark = len(nginx.requests())
    result = fetch_phonebook(nginx.url("/loop-a"))
    [issue] = result.issues
    assert result.failed and issue.problem is SourceProblem.UNREACHABLE
    assert "redirect loop" in issue.detail and "/loop-b" in issue.detail
    assert len(log_since(nginx, mark, 2)) == 2  # stopped at the first repeat


# --- errors and hostile answers ------------------------------------------------------------------


def test_missing_book_is_not_found(nginx: Nginx) -> None:
    result = fetch_phonebook(nginx.url("/books/nope.xml"))
    assert result.failed and problems(result) == [SourceProblem.NOT_FOUND]
    assert "404" in result.issues[0].detail


def test_nothing_listening_is_unreachable() -> None:
    result = fetch_phonebook(f"http://127.0.0.1:{free_port('tcp')}/book.xml")
    assert result.failed and problems(result) == [SourceProblem.UNREACHABLE]


def test_a_server_that_never_answers_hits_the_deadline() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # connections complete in the backlog; nobody ever answers
        port = silent.getsockname()[1]
        result = fetch_phonebook(f"http://127.0.0.1:{port}/book.xml", timeout=1.0)
    [issue] = result.issues
    assert result.failed and issue.problem is SourceProblem.UNREACHABLE
    assert "timed out" in issue.detail


def test_a_server_that_dribbles_hits_the_deadline() -> None:
    """Headers at once, then a byte now and then: no single read times out, the fetch's
    one deadline still ends it."""
    stop = threading.Event()

    def dribble(server: socket.socket) -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(4096)
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
                b"Content-Length: 100000\r\n\r\n<YealinkIPPhoneDirectory>"
            )
            while not stop.wait(0.1):
                try:
                    connection.sendall(b" ")
                except OSError:
                    return

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        worker = threading.Thread(target=dribble, args=(server,), daemon=True)
        worker.start()
        try:
            result = fetch_phonebook(
                f"http://127.0.0.1:{server.getsockname()[1]}/book.xml", timeout=1.5
            )
        finally:
            stop.set()
            worker.join(timeout=10)
    [issue] = result.issues
    assert result.failed and issue.problem is SourceProblem.UNREACHABLE
    assert "timed out" in issue.detail


def test_body_over_the_limit_is_refused(nginx: Nginx) -> None:
    size = (nginx.workdir.parent / "www" / "books" / "big.xml").stat().st_size
    # nginx gzips it (no Content-Length): the limit is counted while reading.
    result = fetch_phonebook(nginx.url("/books/big.xml"), max_bytes=size // 4)
    assert result.failed and problems(result) == [SourceProblem.TOO_LARGE]
    whole = fetch_phonebook(nginx.url("/books/big.xml"), max_bytes=size)
    assert len(whole.contacts) == 5000


def test_gzip_bomb_stops_at_the_limit_without_inflating_it(nginx: Nginx) -> None:
    mark = len(nginx.requests())
    tracemalloc.start()
    try:
        result = fetch_phonebook(nginx.url("/books/bomb.xml"), max_bytes=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [issue] = result.issues
    assert result.failed and issue.problem is SourceProblem.TOO_LARGE
    assert peak < 8_000_000, f"{peak} bytes at the peak for a 1 MB limit"
    assert log_since(nginx, mark)[0].startswith("GET /books/bomb.xml 200")


def test_http_charset_applies_to_a_document_without_declaration(nginx: Nginx) -> None:
    result = fetch_phonebook(nginx.url("/books/cp1252.xml"))
    assert [c.name for c in result.contacts] == ["André Mœller €"]


def test_hostile_and_broken_bodies(nginx: Nginx) -> None:
    laughs = fetch_phonebook(nginx.url("/books/laughs.xml"))
    assert laughs.failed and problems(laughs) == [SourceProblem.BAD_DATA]
    assert "entity" in laughs.issues[0].detail
    xxe = fetch_phonebook(nginx.url("/books/xxe.xml"))
    assert xxe.failed and problems(xxe) == [SourceProblem.BAD_DATA]
    assert "root:" not in repr(xxe)
    page = fetch_phonebook(nginx.url("/books/login.html"))
    assert page.failed and problems(page) == [SourceProblem.UNSUPPORTED]
    assert "<html>" in page.issues[0].detail
    latin1 = fetch_phonebook(nginx.url("/books/latin1.xml"))
    assert latin1.failed and problems(latin1) == [SourceProblem.BAD_DATA]
    assert "encoding" in latin1.issues[0].detail


# --- the `auth` setting: only the named scheme ----------------------------------------------


@pytest.mark.parametrize(
    ("server_name", "user", "scheme"), [("nginx", "anna", "basic"), ("apache", "bob", "digest")]
)
def test_auth_set_to_the_servers_scheme_logs_in(
    request: pytest.FixtureRequest, certs: Certs, server_name: str, user: str, scheme: str
) -> None:
    server: Nginx | Apache = request.getfixturevalue(server_name)
    mark = len(server.requests())
    result = fetch_phonebook(
        server.url("/private/cisco.xml", tls=True),
        username=user,
        password=USERS[user],
        ca_file=str(certs.ca_file),
        auth=scheme,
    )
    assert not result.failed, result.issues
    assert summary(result) == summary(parse_phonebook(FORMATS["cisco"]))
    lines = log_since(server, mark, 2)
    assert lines[-1].startswith(f'GET /private/cisco.xml 200 "{user}"'), lines


@pytest.mark.parametrize(
    ("server_name", "user", "scheme", "asked"),
    [("nginx", "anna", "digest", "Basic"), ("apache", "bob", "basic", "Digest")],
)
def test_auth_set_to_another_scheme_is_a_clear_error_and_sends_nothing(
    request: pytest.FixtureRequest,
    certs: Certs,
    server_name: str,
    user: str,
    scheme: str,
    asked: str,
) -> None:
    server: Nginx | Apache = request.getfixturevalue(server_name)
    mark = len(server.requests())
    result = fetch_phonebook(
        server.url("/private/cisco.xml", tls=True),
        username=user,
        password=USERS[user],
        ca_file=str(certs.ca_file),
        auth=scheme,
    )
    [issue] = result.issues
    assert result.failed and issue.problem is SourceProblem.AUTH_FAILED
    assert f"the server asks for {asked}" in issue.detail
    assert f"auth = {scheme} allows only {scheme.capitalize()}" in issue.detail
    # One request, unanswered: the password never went out in the other scheme.
    [line] = log_since(server, mark)
    assert line.startswith('GET /private/cisco.xml 401 "-"'), line


def test_auth_none_sends_no_credentials(nginx: Nginx, apache: Apache) -> None:
    for server in (nginx, apache):
        mark = len(server.requests())
        result = fetch_phonebook(
            server.url("/private/cisco.xml"), username="anna", password="s3cret!", auth="none"
        )
        [issue] = result.issues
        assert result.failed and issue.problem is SourceProblem.AUTH_FAILED
        assert "auth = none sends none" in issue.detail
        [line] = log_since(server, mark)
        assert line.startswith('GET /private/cisco.xml 401 "-"'), line
        # A public book still comes with auth = none.
        public = fetch_phonebook(server.url("/books/cisco.xml"), auth="none")
        assert not public.failed and public.contacts
