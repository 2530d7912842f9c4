"""The attribute mapping of an Outlook source against the stand-in of Microsoft Graph
(tests/peers/graph_standin.py, which answers a $select naming a property a Graph contact
lacks with Graph's 400): a changed mapping is what Graph is asked for, and what the
contacts the source holds (its cache, the caller-name look-up) are made of."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from parley.contacts.cloud_sources import finish_device_sign_in, start_device_sign_in
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.oauth_device import PollOutcome, TokenStore
from parley.contacts.registry import ContactSources, RemoteSource
from parley.contacts.source import SourceKind, SyncState
from parley.contacts.store import ContactStore
from parley.settings.contact_sources import (
    ContactSourceSettings,
    OutlookAttributes,
    local_source,
)
from peers.graph_standin import GraphStandIn, graph_contact
from peers.oauth_standin import OAuthStandIn, Scenario

pytestmark = pytest.mark.interop


class MemoryKeyring:
    priority = 1.0

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


OLGA = graph_contact(
    "AAMkOlga=",
    display="Olga Outlook",
    company="Contoso",
    business=["+49 40 5550100"],
    mobile="+49 171 5550199",
    department="Vertrieb",
)


def _synced(source: ContactSourceSettings, data: Path) -> list[Contact]:
    """The contacts the source holds (its cache) after a sync."""
    tokens = TokenStore(MemoryKeyring())
    code = start_device_sign_in(source)
    assert finish_device_sign_in(source, tokens, code).outcome is PollOutcome.SUCCESS
    store = ContactStore(data / "contacts.sqlite3", default_region="DE")
    registry = ContactSources(
        [local_source(), source], store, data_dir=data, default_region="DE", token_store=tokens
    )
    try:
        remote = registry.get(source.id)
        assert isinstance(remote, RemoteSource)
        status = registry.sync_now(remote)
        assert status.state is SyncState.OK, status
        return list(remote.contacts())
    finally:
        registry.stop()
        store.close()


def _outlook(login: OAuthStandIn, graph: GraphStandIn, **mapping: str) -> ContactSourceSettings:
    login.scenarios["parley-outlook"] = Scenario(pending=0, interval=1)
    graph.reset([OLGA], accept=login.issued_access.__contains__)
    device_url, token_url = login.microsoft()
    return ContactSourceSettings(
        id="o365",
        name="Outlook",
        kind=SourceKind.OUTLOOK,
        outlook_access="graph",
        client_id="parley-outlook",
        device_code_url=device_url,
        token_url=token_url,
        graph_url=graph.base_url,
        outlook_attributes=OutlookAttributes(**mapping),
    )


def _selected(graph: GraphStandIn) -> list[str]:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(graph.contact_requests()[-1].path).query)
    select: str = query["$select"][0]
    return select.split(",")


def test_default_mapping_holds_graphs_usual_fields(tmp_path: Path) -> None:
    with OAuthStandIn() as login, GraphStandIn() as graph:
        [olga] = _synced(_outlook(login, graph), tmp_path)
        assert olga.company == "Contoso"
        assert olga.numbers == (
            PhoneNumber("+49 40 5550100", NumberType.BUSINESS),
            PhoneNumber("+49 171 5550199", NumberType.MOBILE),
        )
        assert "department" not in _selected(graph)


def test_changed_mapping_is_what_the_source_holds(tmp_path: Path) -> None:
    with OAuthStandIn() as login, GraphStandIn() as graph:
        source = _outlook(login, graph, company="department", business="mobilePhone", mobile="")
        [olga] = _synced(source, tmp_path)
        assert olga.name == "Olga Outlook"
        assert olga.company == "Vertrieb"
        # The business number now comes from mobilePhone; businessPhones is not read at all.
        assert olga.numbers == (PhoneNumber("+49 171 5550199", NumberType.BUSINESS),)
        selected = _selected(graph)
        assert "department" in selected and "businessPhones" not in selected
        assert "companyName" not in selected
