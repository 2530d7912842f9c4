"""Outlook contacts through Microsoft Graph (parley.contacts.outlook_graph) against a local
stand-in of Graph serving its documented JSON (tests/peers/graph_standin.py), with the
tokens from the stand-in of Microsoft's token endpoint (tests/peers/oauth_standin.py).
Everything on 127.0.0.1: real Graph and login.microsoftonline.com are never contacted."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator

import pytest

from parley.contacts.model import NumberType, PhoneNumber
from parley.contacts.oauth_device import (
    OAuthEndpoints,
    OAuthError,
    OAuthProblem,
    Tokens,
    TokenSource,
    TokenStore,
)
from parley.contacts.outlook_graph import GraphConfig, fetch_contacts
from parley.contacts.source import FetchResult, SourceProblem
from peers.common import free_port
from peers.graph_standin import GRAPH_SELECT, GraphStandIn, graph_contact
from peers.oauth_standin import OAuthStandIn

ANNA = graph_contact(
    "AAMkAnna=",
    display="Anna Berg",
    given="Anna",
    surname="Berg",
    company="Contoso",
    business=["+49 30 1234567", "+49 30 1234568"],
    mobile="+49 171 5550101",
    home=["030 987654"],
)
BOB = graph_contact("AAMkBob=", given="Bob", surname="Meier", mobile="+41 79 555 01 02")
FIRMA = graph_contact("AAMkFirma=", company="Acme GmbH", business=["+43 1 555 0000"])
NO_NUMBER = graph_contact("AAMkNoNumber=", display="Carla Ohne")
NO_NAME = graph_contact("AAMkNoName=", business=["+1 425 555 0100"])
BAD_NUMBER = graph_contact(
    "AAMkBadNo=", display="Dora", business=["call me maybe"], mobile="0176 1"
)
FIVE = [
    ANNA,
    BOB,
    FIRMA,
    graph_contact("AAMk4=", display="Eva", home=["+44 20 7946 0000"]),
    graph_contact("AAMk5=", display="Finn", mobile="+33 6 12 34 56 78"),
]


class Sleeps:
    def __init__(self) -> None:
        self.waited: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)


@pytest.fixture(scope="module")
def server() -> Iterator[GraphStandIn]:
    with GraphStandIn() as graph:
        yield graph


@pytest.fixture
def graph(server: GraphStandIn) -> GraphStandIn:
    server.reset()
    return server


def _config(graph: GraphStandIn, **kw: object) -> GraphConfig:
    options: dict[str, object] = {"access_token": lambda: "at-good", "base_url": graph.base_url}
    options.update(kw)
    return GraphConfig(**options)  # type: ignore[arg-type]


def _query(path: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))


def _problems(result: FetchResult) -> list[SourceProblem]:
    return [issue.problem for issue in result.issues]


def test_several_pages_are_followed_and_mapped(graph: GraphStandIn) -> None:
    graph.reset(FIVE, page_size=2)
    result = fetch_contacts(_config(graph))
    assert not result.failed and result.issues == ()
    assert [c.name for c in result.contacts] == [
        "Anna Berg",
        "Bob Meier",
        "Acme GmbH",
        "Eva",
        "Finn",
    ]
    anna = result.contacts[0]
    assert (anna.first_name, anna.last_name, anna.company) == ("Anna", "Berg", "Contoso")
    assert anna.numbers == (
        PhoneNumber("+49 30 1234567", NumberType.BUSINESS),
        PhoneNumber("+49 30 1234568", NumberType.BUSINESS),
        PhoneNumber("+49 171 5550101", NumberType.MOBILE),
        PhoneNumber("030 987654", NumberType.HOME),
    )
    # What Graph was asked: three pages, each with the token, the $select and $top=100.
    asked = graph.contact_requests()
    assert len(asked) == 3
    assert all(r.headers["authorization"] == "Bearer at-good" for r in asked)
    first = _query(asked[0].path)
    assert first == {"$select": GRAPH_SELECT, "$top": "100"}
    assert asked[0].path.startswith("/v1.0/me/contacts?")
    assert [_query(r.path).get("$skip") for r in asked] == [None, "2", "4"]


def test_throttled_answers_are_waited_out(graph: GraphStandIn) -> None:
    graph.reset(FIVE, page_size=2)
    graph.throttle.extend([(429, "1"), (503, "2")])
    sleeps = Sleeps()
    result = fetch_contacts(_config(graph, sleep=sleeps))
    assert not result.failed and len(result.contacts) == 5
    assert sleeps.waited == [1.0, 2.0]
    assert len(graph.contact_requests()) == 5  # two refused, then the three pages


def test_throttle_without_retry_after_backs_off(graph: GraphStandIn) -> None:
    graph.reset([ANNA])
    graph.throttle.extend([(429, None), (429, None)])
    sleeps = Sleeps()
    result = fetch_contacts(_config(graph, sleep=sleeps))
    assert not result.failed and sleeps.waited == [2.0, 4.0]


def test_retry_after_beyond_the_limit_is_not_waited(graph: GraphStandIn) -> None:
    graph.reset([ANNA])
    graph.throttle.append((429, "600"))
    sleeps = Sleeps()
    result = fetch_contacts(_config(graph, sleep=sleeps, max_retry_after=60))
    assert result.failed and _problems(result) == [SourceProblem.UNREACHABLE]
    assert "429" in result.issues[0].detail and "600" in result.issues[0].detail
    assert sleeps.waited == [] and len(graph.contact_requests()) == 1


def test_endless_throttling_gives_up_after_the_retries(graph: GraphStandIn) -> None:
    graph.reset([ANNA])
    graph.throttle.extend([(503, "1")] * 10)
    sleeps = Sleeps()
    result = fetch_contacts(_config(graph, sleep=sleeps, max_retries=3))
    assert result.failed and _problems(result) == [SourceProblem.UNREACHABLE]
    assert sleeps.waited == [1.0, 1.0, 1.0] and len(graph.contact_requests()) == 4


def test_expired_token_is_refreshed_once_and_the_fetch_succeeds(graph: GraphStandIn) -> None:
    with OAuthStandIn() as login:
        endpoints = OAuthEndpoints(*login.microsoft())
        graph.reset(FIVE, page_size=2, accept=login.issued_access.__contains__)
        store = TokenStore(backend=_MemoryKeyring())
        login.valid_refresh.add("rt-anna")
        # Not yet expired by our clock, but Graph already refuses it (revoked, clock skew).
        store.save("microsoft", "anna", Tokens("at-revoked", "rt-anna", 4_000_000_000.0))
        tokens = TokenSource(store, "microsoft", "anna", endpoints, "client-1")
        result = fetch_contacts(
            _config(graph, access_token=tokens.access_token, refresh_token=tokens.refresh_now)
        )
        assert not result.failed and len(result.contacts) == 5
        asked = graph.contact_requests()
        assert asked[0].headers["authorization"] == "Bearer at-revoked"
        new = asked[1].headers["authorization"].removeprefix("Bearer ")
        assert new in login.issued_access
        assert all(r.headers["authorization"] == f"Bearer {new}" for r in asked[1:])
        assert len(asked) == 4  # refused, then three pages
        refresh_forms = login.forms("/oauth2/v2.0/token")
        assert refresh_forms == [
            {"client_id": "client-1", "grant_type": "refresh_token", "refresh_token": "rt-anna"}
        ]
        kept = store.load("microsoft", "anna")
        assert kept is not None and kept.access == new and kept.refresh != "rt-anna"


def test_refused_again_after_refresh_is_auth_failed(graph: GraphStandIn) -> None:
    graph.reset([ANNA], accept=lambda token: False)
    refreshed: list[int] = []

    def refresh() -> str:
        refreshed.append(1)
        return "at-new"

    result = fetch_contacts(_config(graph, refresh_token=refresh))
    assert result.failed and _problems(result) == [SourceProblem.AUTH_FAILED]
    assert "InvalidAuthenticationToken" in result.issues[0].detail
    assert refreshed == [1]
    assert [r.headers["authorization"] for r in graph.contact_requests()] == [
        "Bearer at-good",
        "Bearer at-new",
    ]


def test_refresh_refused_is_auth_failed(graph: GraphStandIn) -> None:
    graph.reset([ANNA], accept=lambda token: False)

    def refresh() -> str:
        raise OAuthError(OAuthProblem.INVALID_GRANT, "invalid_grant: AADSTS70000")

    result = fetch_contacts(_config(graph, refresh_token=refresh))
    assert result.failed and _problems(result) == [SourceProblem.AUTH_FAILED]
    assert "invalid_grant" in result.issues[0].detail
    assert len(graph.contact_requests()) == 1


def test_without_sign_in_nothing_is_sent(graph: GraphStandIn) -> None:
    def no_tokens() -> str:
        raise OAuthError(OAuthProblem.NO_TOKENS, "oauth:microsoft:anna")

    result = fetch_contacts(_config(graph, access_token=no_tokens))
    assert result.failed and _problems(result) == [SourceProblem.AUTH_FAILED]
    assert graph.contact_requests() == []


def test_broken_json_is_bad_data(graph: GraphStandIn) -> None:
    graph.reset(FIVE, page_size=2)
    graph.broken_pages.add(2)
    result = fetch_contacts(_config(graph))
    assert result.failed and result.contacts == ()
    assert _problems(result) == [SourceProblem.BAD_DATA]
    assert "page 2" in result.issues[0].detail


@pytest.mark.parametrize(
    "body",
    [b'{"error": "not what Graph sends"}', b'{"value": {"id": 1}}', b"[1, 2]", b"\xff\xfe\x00"],
)
def test_not_graph_shaped_is_bad_data(graph: GraphStandIn, body: bytes) -> None:
    graph.reset([ANNA])
    graph.raw_pages[1] = body
    result = fetch_contacts(_config(graph))
    assert result.failed and _problems(result) == [SourceProblem.BAD_DATA]


def test_entries_without_name_or_number_are_skipped_with_their_id(graph: GraphStandIn) -> None:
    graph.reset([ANNA, NO_NUMBER, NO_NAME, BAD_NUMBER, "not an object"])  # type: ignore[list-item]
    result = fetch_contacts(_config(graph))
    assert not result.failed
    assert [c.name for c in result.contacts] == ["Anna Berg", "Dora"]
    assert result.contacts[1].numbers == (PhoneNumber("0176 1", NumberType.MOBILE),)
    skipped = {(i.where, i.detail) for i in result.issues}
    assert ("contact AAMkNoNumber=", "no phone number") in skipped
    assert ("contact AAMkNoName=", "no name") in skipped
    assert any(w == "contact AAMkBadNo=" and "call me maybe" in d for w, d in skipped)
    assert ("entry 5", "not a JSON object") in skipped
    assert set(_problems(result)) == {SourceProblem.ENTRY_SKIPPED}


def test_next_link_to_another_server_is_not_followed(graph: GraphStandIn) -> None:
    with GraphStandIn(FIVE, page_size=2) as elsewhere:
        graph.reset(FIVE, page_size=2)
        graph.next_link_base = elsewhere.url("")
        result = fetch_contacts(_config(graph))
        assert result.failed and _problems(result) == [SourceProblem.BAD_DATA]
        assert "another server" in result.issues[0].detail
        assert elsewhere.requests == []  # the token never went there


def test_paging_is_bounded(graph: GraphStandIn) -> None:
    graph.reset(FIVE, page_size=1)
    result = fetch_contacts(_config(graph, max_pages=3))
    assert not result.failed and len(result.contacts) == 3
    assert _problems(result) == [SourceProblem.TOO_LARGE]
    assert len(graph.contact_requests()) == 3


def test_contact_folder(graph: GraphStandIn) -> None:
    graph.reset([ANNA])
    graph.folders["AAMkFolder/1="] = [BOB]
    result = fetch_contacts(_config(graph, folder_id="AAMkFolder/1="))
    assert [c.name for c in result.contacts] == ["Bob Meier"]
    assert graph.contact_requests()[0].path.startswith("/v1.0/me/contactFolders/AAMkFolder%2F1%3D/")
    missing = fetch_contacts(_config(graph, folder_id="nope"))
    assert missing.failed and _problems(missing) == [SourceProblem.NOT_FOUND]
    assert "ErrorItemNotFound" in missing.issues[0].detail


def test_nobody_listening_is_unreachable() -> None:
    port = free_port("tcp")
    result = fetch_contacts(
        GraphConfig(access_token=lambda: "x", base_url=f"http://127.0.0.1:{port}/v1.0", timeout=5)
    )
    assert result.failed and _problems(result) == [SourceProblem.UNREACHABLE]


def test_a_token_getter_that_crashes_is_reported(graph: GraphStandIn) -> None:
    def broken() -> str:
        raise RuntimeError("boom")

    result = fetch_contacts(_config(graph, access_token=broken))
    assert result.failed and "boom" in result.issues[0].detail


class _MemoryKeyring:
    priority = 1.0

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


def test_stand_in_serves_graphs_documented_shape(graph: GraphStandIn) -> None:
    # The stand-in itself: a page as Graph documents it (what the tests above rely on).
    graph.reset([ANNA], page_size=1)
    import httpx

    answer = httpx.get(
        f"{graph.base_url}/me/contacts?$select={GRAPH_SELECT}&$top=100",
        headers={"Authorization": "Bearer x"},
        trust_env=False,
    )
    data = json.loads(answer.content)
    assert set(data) == {"@odata.context", "value"}
    assert set(data["value"][0]) == {"@odata.etag", "id", *GRAPH_SELECT.split(",")}
