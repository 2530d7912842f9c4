"""The HTTP proxy ([automation] http_proxy): REST rules, XML phone books and provisioning
go through the proxy given — a stand-in that plays the proxy on 127.0.0.1, records the
absolute-form request line and answers itself, while the origin server does not exist."""

from __future__ import annotations

from parley.automation.actions import RuleProblem, run_rule
from parley.automation.rules import RuleEvent
from parley.settings.automation import EventRule
from peers.common import free_port
from peers.http_standin import Answer, Recorded, StandIn

BOOK = (
    b"<CiscoIPPhoneDirectory><DirectoryEntry><Name>Anna Berg</Name>"
    b"<Telephone>1002</Telephone></DirectoryEntry></CiscoIPPhoneDirectory>"
)
PROFILE = b"[media]\necho_cancellation = false\n"


class Proxy(StandIn):
    def handle(self, request: Recorded) -> Answer:
        if request.path.endswith("/book.xml"):
            return Answer(200, BOOK, content_type="application/xml")
        if request.path.endswith("/profile.toml"):
            return Answer(200, PROFILE, content_type="text/plain")
        return Answer(204)


def test_a_rest_rule_goes_through_the_proxy() -> None:
    dead = free_port("tcp")  # nothing listens: only the proxy can answer
    rule = EventRule(
        action="rest", method="POST", address=f"http://127.0.0.1:{dead}/crm?n={{number}}",
        body='{"n": "{number}"}', timeout=5,
    )  # fmt: skip
    happened = RuleEvent("call", "ringing", "incoming", {"number": "+4930 1"})
    assert run_rule(rule, happened).problem is RuleProblem.UNREACHABLE
    with Proxy() as proxy:
        outcome = run_rule(rule, happened, proxy=proxy.url())
        assert outcome.problem is None and outcome.status == 204, outcome
        (seen,) = proxy.requests
        assert seen.method == "POST"
        assert seen.path == f"http://127.0.0.1:{dead}/crm?n=%2B4930%201"  # absolute form
        assert seen.body == b'{"n": "+4930 1"}'


def test_phone_books_and_provisioning_go_through_the_proxy() -> None:
    from parley.contacts.phonebook_xml import fetch_phonebook
    from parley.provisioning.fetch import fetch_profile

    dead = free_port("tcp")
    book = f"http://127.0.0.1:{dead}/book.xml"
    profile = f"http://127.0.0.1:{dead}/profile.toml"
    assert fetch_phonebook(book, timeout=3).failed
    with Proxy() as proxy:
        result = fetch_phonebook(book, timeout=5, proxy=proxy.url())
        assert [c.name for c in result.contacts] == ["Anna Berg"], result
        fetched = fetch_profile(profile, allow_http=True, timeout=5, proxy=proxy.url())
        assert fetched.body == PROFILE, fetched
        assert [r.path for r in proxy.requests] == [book, profile]
