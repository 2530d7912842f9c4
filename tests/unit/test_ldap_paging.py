"""Paging through a server that does not keep the size limit it is asked for (slapd does,
so the interop tests cannot show this): a stand-in connection records each request."""

from __future__ import annotations

from typing import Any

from parley.contacts.ldap_directory import LdapConfig, _collect, _Collected
from parley.contacts.source import SourceProblem

PAGED = "1.2.840.113556.1.4.319"


class CarelessServer:
    """Answers `total` entries in the pages asked for, ignoring size_limit."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.requests: list[dict[str, Any]] = []
        self.result: dict[str, Any] = {}
        self.response: list[dict[str, Any]] = []

    def search(self, base: str, search_filter: str, **options: Any) -> bool:
        self.requests.append(options)
        if options.get("paged_size") == 0:  # abandon
            self.result, self.response = {"result": 0}, []
            return True
        start = int(options.get("paged_cookie") or b"0")
        end = min(self.total, start + (options.get("paged_size") or self.total))
        self.response = [
            {
                "type": "searchResEntry",
                "dn": f"uid={i},dc=x",
                "raw_attributes": {"cn": [f"Person {i}".encode()], "telephoneNumber": [b"1"]},
            }
            for i in range(start, end)
        ]
        cookie = str(end).encode() if end < self.total else b""
        self.result = {"result": 0, "controls": {PAGED: {"value": {"cookie": cookie}}}}
        return True


def collect(server: CarelessServer, limit: int) -> _Collected:
    got = _Collected()
    failure = _collect(server, LdapConfig("x"), "(cn=*)", limit, got, None)
    assert failure is None
    return got


def test_limit_inside_a_page_is_kept_and_said() -> None:
    server = CarelessServer(total=50)
    got = collect(server, limit=10)
    assert [c.name for c in got.contacts] == [f"Person {i}" for i in range(10)]
    assert [i.problem for i in got.issues] == [SourceProblem.TOO_LARGE]
    assert server.requests[0]["size_limit"] == 10  # it was asked


def test_limit_at_a_page_end_abandons_the_paged_search() -> None:
    server = CarelessServer(total=2000)
    got = collect(server, limit=500)
    assert len(got.contacts) == 500
    assert [i.problem for i in got.issues] == [SourceProblem.TOO_LARGE]
    # The second request tells the server to drop the rest: page size 0 with the cookie.
    assert [(r["paged_size"], r["paged_cookie"]) for r in server.requests] == [
        (500, None),
        (0, b"500"),
    ]


def test_no_limit_pages_to_the_end() -> None:
    server = CarelessServer(total=1234)
    got = collect(server, limit=0)
    assert len(got.contacts) == 1234 and got.issues == []
    assert [r["paged_cookie"] for r in server.requests] == [None, b"500", b"1000"]
