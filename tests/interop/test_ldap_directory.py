"""The LDAP contact source against a real OpenLDAP slapd on 127.0.0.1 holding a PBX-style
phone book (base dc=auerswald, inetOrgPerson, simple bind as telephoneNumber=…).

Each test reads what the server sent back through `fetch_all`/`search`: the contacts
(names and numbers as stored in the directory) or the problem code and the server's
words. Where a test relies on a server behaviour (its size limit, its number matching),
a plain ldap3 search shows that behaviour first, so the test cannot pass by accident.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from ldap3 import SIMPLE, SUBTREE, Connection, Server

from parley.contacts.ldap_directory import LdapAttributes, LdapConfig, fetch_all, lookup, search
from parley.contacts.model import NumberType, PhoneNumber
from parley.contacts.source import FetchResult, SourceProblem
from peers.certs import Certs, make_certs, session_certs
from peers.common import LOOPBACK, free_port
from peers.slapd import (
    ARCHIVE_DN,
    BASE_DN,
    BRANCH_DN,
    NOPAGE_DN,
    NOPAGE_PASSWORD,
    PHONEBOOK_DN,
    SERVER_SIZE_LIMIT,
    SMALL_DN,
    SMALL_LIMIT,
    SMALL_PASSWORD,
    USER_DN,
    USER_PASSWORD,
    Slapd,
    pbx_phonebook,
    self_signed_cert,
)

pytestmark = pytest.mark.interop

PHONEBOOK_SIZE = 300
ARCHIVE_SIZE = 1200


@pytest.fixture(scope="module")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    entries = pbx_phonebook(phonebook_size=PHONEBOOK_SIZE, archive_size=ARCHIVE_SIZE)
    with Slapd(tmp_path_factory.mktemp("slapd"), entries, certs=session_certs()) as server:
        yield server


def tls_server(tmp_path_factory: pytest.TempPathFactory, name: str, certs: Certs) -> Slapd:
    return Slapd(
        tmp_path_factory.mktemp(name), pbx_phonebook(phonebook_size=20, archive_size=0), certs=certs
    )


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    """A server whose certificate signs itself (no CA anybody trusts)."""
    certs = self_signed_cert(tmp_path_factory.mktemp("self-signed-cert"))
    with tls_server(tmp_path_factory, "slapd-self-signed", certs) as server:
        yield server


@pytest.fixture(scope="module")
def other_name(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    """A server with a certificate from our test CA, but made out to another host."""
    certs = make_certs(
        tmp_path_factory.mktemp("other-name-cert"),
        common_name="pbx.invalid",
        alt_names="DNS:pbx.invalid",
    )
    with tls_server(tmp_path_factory, "slapd-other-name", certs) as server:
        yield server


def config(server: Slapd, **changes: object) -> LdapConfig:
    values: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "bind_dn": USER_DN,
        "password": USER_PASSWORD,
        "base_dn": BASE_DN,
        "search_filter": "(objectClass=inetOrgPerson)",
        "default_country": "DE",
        "timeout": 10.0,
    }
    values.update(changes)
    return LdapConfig(**values)  # type: ignore[arg-type]


def names(result: FetchResult) -> list[str]:
    return sorted(c.name for c in result.contacts)


def problems(result: FetchResult) -> list[SourceProblem]:
    return [i.problem for i in result.issues]


def hard_issue(result: FetchResult) -> tuple[SourceProblem, str, str]:
    """The one problem of a failed fetch."""
    assert result.failed, result
    assert result.contacts == ()
    assert len(result.issues) == 1, result.issues
    issue = result.issues[0]
    return issue.problem, issue.where, issue.detail


# --- binding ------------------------------------------------------------------------------


def test_anonymous_search_is_refused_with_error_50_and_explained(slapd: Slapd) -> None:
    problem, where, detail = hard_issue(fetch_all(config(slapd, bind_dn="", password="")))
    assert problem is SourceProblem.AUTH_FAILED
    assert where == slapd.url
    assert "error 50" in detail and "needs a bind" in detail
    # Search as you type reports the same.
    result = search(config(slapd, bind_dn="", password=""), "Anna")
    assert result.failed and problems(result) == [SourceProblem.AUTH_FAILED]


def test_wrong_password_is_an_auth_failure_with_the_servers_code(slapd: Slapd) -> None:
    problem, where, detail = hard_issue(fetch_all(config(slapd, password="not-the-password")))
    assert (problem, where) == (SourceProblem.AUTH_FAILED, USER_DN)
    assert "error 49 (invalidCredentials)" in detail


def test_bind_dn_without_password_is_not_sent_as_an_unauthenticated_bind(slapd: Slapd) -> None:
    problem, _, detail = hard_issue(fetch_all(config(slapd, password="")))
    assert problem is SourceProblem.AUTH_FAILED
    assert "password" in detail


# --- the whole directory -----------------------------------------------------------------


def test_simple_bind_fetches_the_whole_directory_in_pages(slapd: Slapd) -> None:
    # The server stops a plain search at its size limit...
    plain = Connection(
        Server(slapd.host, port=slapd.port), USER_DN, USER_PASSWORD, authentication=SIMPLE
    )
    assert plain.bind()
    plain.search(BASE_DN, "(objectClass=inetOrgPerson)", SUBTREE, attributes=["cn"])
    assert plain.result["result"] == 4  # sizeLimitExceeded
    assert len(plain.entries) == SERVER_SIZE_LIMIT
    plain.unbind()

    # ...the source pages past it and gets every entry.
    seen: list[int] = []
    result = fetch_all(config(slapd), progress=seen.append)
    assert not result.failed
    assert len(result.contacts) == PHONEBOOK_SIZE + ARCHIVE_SIZE
    assert len(seen) > 1 and seen[-1] == PHONEBOOK_SIZE + ARCHIVE_SIZE
    assert SourceProblem.TOO_LARGE not in problems(result)
    anna = next(c for c in result.contacts if c.name == "Anna Berg")
    assert (anna.first_name, anna.last_name, anna.company) == ("Anna", "Berg", "Berg Bau GmbH")
    assert anna.numbers == (
        PhoneNumber("+49 30 1234567", NumberType.BUSINESS),
        PhoneNumber("+49 171 2345678", NumberType.MOBILE),
        PhoneNumber("030 7654321", NumberType.HOME),
        PhoneNumber("+49 30 1234599", NumberType.FAX),
    )
    clara = next(c for c in result.contacts if c.last_name == "Weiß")
    assert clara.company == "Auerswald"  # UTF-8 values come through
    # The bind entries (organizationalRole) are outside the filter.
    assert not any(c.name.startswith("Phone ") for c in result.contacts)


def test_referral_is_reported_not_followed(slapd: Slapd) -> None:
    result = fetch_all(config(slapd))
    referrals = [i for i in result.issues if i.problem is SourceProblem.UNSUPPORTED]
    assert len(referrals) == 1
    assert referrals[0].where.startswith(f"ldap://{LOOPBACK}:9/ou=branch,dc=elsewhere")
    assert "not followed" in referrals[0].detail
    assert not result.failed


def test_base_dn_narrows_the_fetch(slapd: Slapd) -> None:
    result = fetch_all(config(slapd, base_dn=PHONEBOOK_DN))
    assert len(result.contacts) == PHONEBOOK_SIZE
    # The referral lives outside this base; the one issue is Gerd's placeholder number.
    assert [(i.problem, i.where) for i in result.issues] == [
        (SourceProblem.BAD_DATA, f"uid=gnull,{PHONEBOOK_DN}")
    ]
    gerd = next(c for c in result.contacts if c.name == "Gerd Null")
    assert gerd.numbers == ()  # kept: "hide contacts without phone" is the list's filter
    assert len(fetch_all(config(slapd, base_dn=ARCHIVE_DN)).contacts) == ARCHIVE_SIZE


def test_result_limit_is_honoured_and_said(slapd: Slapd) -> None:
    result = fetch_all(config(slapd, result_limit=25))
    assert len(result.contacts) == 25
    assert not result.failed
    limited = [i for i in result.issues if i.problem is SourceProblem.TOO_LARGE]
    assert len(limited) == 1 and "result limit" in limited[0].detail

    # A search as you type is held to the smaller of its own limit and the configured one.
    broad = search(config(slapd, result_limit=10), "Albrecht")
    assert len(broad.contacts) == 10
    assert SourceProblem.TOO_LARGE in problems(broad)
    assert len(search(config(slapd), "Albrecht", limit=7).contacts) == 7
    every = search(config(slapd, base_dn=PHONEBOOK_DN), "Albrecht", limit=0)
    assert len(every.contacts) == 20 and every.issues == ()  # all of them: no limit hit


def test_server_size_limit_keeps_what_came_and_says_so(slapd: Slapd) -> None:
    result = fetch_all(config(slapd, bind_dn=SMALL_DN, password=SMALL_PASSWORD))
    assert not result.failed
    assert len(result.contacts) == SMALL_LIMIT
    limited = [i for i in result.issues if i.problem is SourceProblem.TOO_LARGE]
    assert len(limited) == 1
    assert "size limit" in limited[0].detail and "error 4" in limited[0].detail


def test_server_refusing_paged_results_still_gives_what_it_can(slapd: Slapd) -> None:
    # This login may not page: slapd answers the paged search with adminLimitExceeded...
    plain = Connection(
        Server(slapd.host, port=slapd.port), NOPAGE_DN, NOPAGE_PASSWORD, authentication=SIMPLE
    )
    assert plain.bind()
    plain.search(BASE_DN, "(objectClass=inetOrgPerson)", SUBTREE, paged_size=100)
    assert plain.result["result"] == 11 and not plain.entries
    plain.unbind()
    # ...so the source asks again without paging, and keeps what fits the size limit.
    result = fetch_all(config(slapd, bind_dn=NOPAGE_DN, password=NOPAGE_PASSWORD))
    assert not result.failed
    assert len(result.contacts) == SERVER_SIZE_LIMIT
    assert SourceProblem.TOO_LARGE in problems(result)


# --- search as you type -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Anna", ["Anna Berg"]),
        ("anna berg", ["Anna Berg"]),
        ("BERG", ["Anna Berg"]),  # last name and company, one contact
        ("Krause", ["Bernd Krause"]),
        ("Söhne", ["Bernd Krause"]),  # company, UTF-8
        ("weiß", ["Clara Weiß"]),
        ("(Star) Trading*", ["Dieter Müller"]),  # filter characters as text
        ("Berg Bau", ["Anna Berg"]),
        ("Anna Krause", []),  # every word must match
    ],
)
def test_search_by_name(slapd: Slapd, typed: str, found: list[str]) -> None:
    result = search(config(slapd, base_dn=PHONEBOOK_DN), typed)
    assert not result.failed, result.issues
    assert names(result) == found


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        # stored "+49 30 1234567": found by its national spelling
        ("030 1234567", "Anna Berg"),
        ("030/123 45-67", "Anna Berg"),
        ("+49 30 1234567", "Anna Berg"),
        ("0049 30 1234567", "Anna Berg"),
        ("0171 2345678", "Anna Berg"),  # her mobile
        # stored "030 9876543": found by its international spellings
        ("+49 30 9876543", "Bernd Krause"),
        ("+49309876", "Bernd Krause"),  # while typing
        ("0049 30 9876543", "Bernd Krause"),
        ("+49 172 3456789", "Bernd Krause"),
        # stored "0049 40 5550177"
        ("+49 40 5550177", "Frank Schulz"),
        ("040 5550177", "Frank Schulz"),
        # stored "+49-5306-92000" (dashes are ignored by the server)
        ("05306 92000", "Clara Weiß"),
    ],
)
def test_search_by_number_in_national_and_international_form(
    slapd: Slapd, typed: str, found: str
) -> None:
    result = search(config(slapd, base_dn=PHONEBOOK_DN), typed)
    assert not result.failed, result.issues
    assert names(result) == [found]


@pytest.mark.parametrize(
    ("number", "found"),
    [
        ("030 1234567", ["Anna Berg"]),  # stored +49 30 1234567
        ("+49301234567", ["Anna Berg"]),
        ("0171/2345678", ["Anna Berg"]),  # her mobile
        ("+49 30 9876543", ["Bernd Krause"]),  # stored 030 9876543
        ("040 5550177", ["Frank Schulz"]),  # stored 0049 40 5550177
        ("030 123456", []),  # a prefix of Anna's number is not her number
        ("+49 30 12345678", []),
    ],
)
def test_lookup_of_a_callers_number(slapd: Slapd, number: str, found: list[str]) -> None:
    result = lookup(config(slapd, base_dn=PHONEBOOK_DN), number)
    assert not result.failed and result.issues == ()
    assert names(result) == found


def test_the_server_alone_does_not_match_national_and_international_form(slapd: Slapd) -> None:
    # Without a default country the national spelling is searched only as typed, and the
    # server (which ignores spaces and dashes, not the prefix) finds nothing.
    assert search(config(slapd, default_country=""), "030 1234567").contacts == ()
    assert names(search(config(slapd, default_country=""), "+49 30 1234567")) == ["Anna Berg"]


def test_search_honours_the_configured_filter(slapd: Slapd) -> None:
    narrowed = config(slapd, search_filter="(o=Auerswald)")
    assert names(search(narrowed, "a")) == ["Clara Weiß"]
    assert names(fetch_all(config(slapd, search_filter="ou=Vertrieb"))) == ["Clara Weiß"]


# --- attribute mapping --------------------------------------------------------------------


def test_changed_attribute_mapping_takes_effect(slapd: Slapd) -> None:
    mapping = LdapAttributes(
        display_name="",  # the name comes from first and last name
        company="ou",  # the department instead of the organisation
        mobile="",  # mobile numbers not wanted
        work_ip_phone="telephoneNumber",  # the manual's setting for instant messaging
    )
    mapped = config(slapd, base_dn=PHONEBOOK_DN, attributes=mapping)
    anna = next(c for c in fetch_all(mapped).contacts if c.last_name == "Berg")
    assert anna.display_name == "" and anna.name == "Anna Berg"
    assert anna.company == "Einkauf"
    assert anna.presence == "+49 30 1234567"
    assert [n.type for n in anna.numbers] == [NumberType.BUSINESS, NumberType.HOME, NumberType.FAX]
    # Search follows the mapping: the department is searched, the organisation is not.
    assert names(search(mapped, "Einkauf")) == ["Anna Berg"]
    assert names(search(mapped, "Berg Bau")) == []
    assert names(search(mapped, "0171 2345678")) == []
    assert names(search(config(slapd, base_dn=PHONEBOOK_DN), "Einkauf")) == []


def test_unusable_entry_is_skipped_with_its_dn(slapd: Slapd) -> None:
    # Names only from displayName (unset here): Gerd has neither a name nor a number.
    mapping = LdapAttributes(display_name="displayName", first_name="", last_name="", company="")
    result = fetch_all(config(slapd, base_dn=PHONEBOOK_DN, attributes=mapping))
    assert not result.failed
    skipped = [i for i in result.issues if i.problem is SourceProblem.ENTRY_SKIPPED]
    assert [(i.where, i.detail) for i in skipped] == [
        (f"uid=gnull,{PHONEBOOK_DN}", "no name, company or phone number")
    ]
    assert len(result.contacts) == PHONEBOOK_SIZE - 1


# --- encryption ---------------------------------------------------------------------------


@pytest.mark.parametrize("security", ["ldaps", "starttls"])
def test_tls_with_the_ca(slapd: Slapd, security: str) -> None:
    port = slapd.ldaps_port if security == "ldaps" else slapd.port
    ca = str(session_certs().ca_file)
    result = search(
        config(slapd, port=port, security=security, ca_file=ca, base_dn=PHONEBOOK_DN), "Anna"
    )
    assert not result.failed, result.issues
    assert names(result) == ["Anna Berg"]
    # Without our CA the same server is not trusted: the link really is TLS.
    untrusted = search(config(slapd, port=port, security=security), "Anna")
    problem, _, detail = hard_issue(untrusted)
    assert problem is SourceProblem.TLS_FAILED
    assert "certificate" in detail


@pytest.mark.parametrize("security", ["ldaps", "starttls"])
def test_self_signed_certificate_fails_unless_ignored(self_signed: Slapd, security: str) -> None:
    port = self_signed.ldaps_port if security == "ldaps" else self_signed.port
    checked = config(self_signed, port=port, security=security)
    problem, where, detail = hard_issue(fetch_all(checked))
    assert problem is SourceProblem.TLS_FAILED
    assert where == checked.url
    assert "self-signed certificate" in detail  # OpenSSL's reason, passed on

    ignored = config(self_signed, port=port, security=security, ignore_certificate=True)
    result = fetch_all(ignored)
    assert not result.failed, result.issues
    assert "Anna Berg" in names(result)


def test_certificate_for_another_host_fails_unless_ignored(other_name: Slapd) -> None:
    ca = str(other_name.certs.ca_file) if other_name.certs else None
    checked = config(other_name, port=other_name.ldaps_port, security="ldaps", ca_file=ca)
    problem, _, detail = hard_issue(fetch_all(checked))
    assert problem is SourceProblem.TLS_FAILED
    assert "mismatch" in detail and "127.0.0.1" in detail

    ignored = config(
        other_name, port=other_name.ldaps_port, security="ldaps", ignore_certificate=True
    )
    assert "Anna Berg" in names(fetch_all(ignored))


@pytest.fixture(scope="module")
def open_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    """A directory anybody may read, without TLS."""
    entries = pbx_phonebook(phonebook_size=10, archive_size=0)
    with Slapd(tmp_path_factory.mktemp("slapd-open"), entries, anonymous=True) as server:
        yield server


def test_anonymous_reading_where_the_directory_allows_it(open_directory: Slapd) -> None:
    result = search(config(open_directory, bind_dn="", password=""), "Anna")
    assert not result.failed, result.issues
    assert names(result) == ["Anna Berg"]


def test_starttls_to_a_server_without_tls_is_a_tls_failure(open_directory: Slapd) -> None:
    problem, _, detail = hard_issue(fetch_all(config(open_directory, security="starttls")))
    assert problem is SourceProblem.TLS_FAILED
    assert "StartTLS" in detail


# --- unreachable and wrong places ---------------------------------------------------------


def test_dead_port_is_unreachable() -> None:
    dead = LdapConfig(host=LOOPBACK, port=free_port("tcp"), timeout=5.0)
    problem, where, detail = hard_issue(fetch_all(dead))
    assert (problem, where) == (SourceProblem.UNREACHABLE, dead.url)
    assert "refused" in detail
    assert problems(search(dead, "Anna")) == [SourceProblem.UNREACHABLE]


def test_silent_server_is_unreachable_after_the_timeout() -> None:
    # A socket that accepts connections (the kernel does) but never answers.
    with socket.socket() as silent:
        silent.bind((LOOPBACK, free_port("tcp")))
        silent.listen(4)
        port = silent.getsockname()[1]
        cfg = LdapConfig(host=LOOPBACK, port=port, bind_dn=USER_DN, password="x", timeout=1.0)
        problem, where, detail = hard_issue(fetch_all(cfg))
    assert (problem, where) == (SourceProblem.UNREACHABLE, cfg.url)
    assert "timed out" in detail


@pytest.mark.parametrize(
    ("base", "matched"),
    [("ou=nowhere,dc=auerswald", "dc=auerswald"), ("dc=example,dc=com", None)],
)
def test_wrong_base_dn_is_not_found(slapd: Slapd, base: str, matched: str | None) -> None:
    problem, where, detail = hard_issue(fetch_all(config(slapd, base_dn=base)))
    assert (problem, where) == (SourceProblem.NOT_FOUND, base)
    assert "error 32 (noSuchObject)" in detail
    if matched:
        assert f"the server has {matched}" in detail


def test_bad_search_filter_is_bad_data_not_an_exception(slapd: Slapd) -> None:
    problem, where, _ = hard_issue(fetch_all(config(slapd, search_filter="(objectClass=person")))
    assert (problem, where) == (SourceProblem.BAD_DATA, "(objectClass=person")


def test_referral_base_is_reported(slapd: Slapd) -> None:
    # The base itself is a referral: the server answers with where to go; we do not go.
    problem, where, detail = hard_issue(fetch_all(config(slapd, base_dn=BRANCH_DN)))
    assert (problem, where) == (SourceProblem.NOT_FOUND, BRANCH_DN)
    assert "not followed" in detail and "ldap://127.0.0.1:9/ou=branch,dc=elsewhere" in detail
