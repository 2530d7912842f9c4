"""Google and Outlook sources in the settings (their keys, what they still need, the
endpoints they use), and the sync state a CardDAV source keeps in its cache across a
restart (closed and opened again)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from parley.contacts.cache import ContactCache
from parley.contacts.cloud_sources import endpoints_of
from parley.contacts.model import Contact, PhoneNumber
from parley.contacts.source import SourceKind
from parley.settings.contact_sources import ContactSourceSettings, ContactsSettings


def test_google_source_keys_and_what_it_still_needs() -> None:
    google = ContactSourceSettings(id="g", name="Google", kind=SourceKind.GOOGLE)
    assert google.missing() == ["client_id"]
    assert "client_id is empty" in google.problems()[0]
    google.client_id = "parley-desktop"
    assert google.missing() == []
    with pytest.raises(ValidationError, match="tenant is not a setting of a google source"):
        ContactSourceSettings(id="g", name="Google", kind=SourceKind.GOOGLE, tenant="x")
    written = ContactsSettings(sources=[google]).model_dump(mode="json")["sources"][1]
    assert written["client_id"] == "parley-desktop" and "tenant" not in written


def test_outlook_source_keys_and_access() -> None:
    outlook = ContactSourceSettings(
        id="o", name="Outlook", kind=SourceKind.OUTLOOK, outlook_access="graph"
    )
    assert outlook.missing() == ["client_id"]
    desktop = ContactSourceSettings(
        id="d", name="Desk", kind=SourceKind.OUTLOOK, outlook_access="desktop"
    )
    assert desktop.missing() == []  # the Outlook program needs no sign-in
    with pytest.raises(ValidationError, match="client_secret is not a setting of a outlook"):
        ContactSourceSettings(id="o", name="O", kind=SourceKind.OUTLOOK, client_secret="s")
    with pytest.raises(ValidationError):
        ContactSourceSettings(id="o", name="O", kind=SourceKind.OUTLOOK, outlook_access="com")


def test_endpoints_are_the_providers_unless_the_settings_name_others() -> None:
    google = ContactSourceSettings(id="g", name="G", kind=SourceKind.GOOGLE, client_id="c")
    assert endpoints_of(google).token == "https://oauth2.googleapis.com/token"
    assert endpoints_of(google).authorization == "https://accounts.google.com/o/oauth2/v2/auth"
    google.token_url = "http://127.0.0.1:9/token"
    assert endpoints_of(google).token == "http://127.0.0.1:9/token"
    outlook = ContactSourceSettings(id="o", name="O", kind=SourceKind.OUTLOOK, tenant="contoso.com")
    assert endpoints_of(outlook).device_authorization == (
        "https://login.microsoftonline.com/contoso.com/oauth2/v2.0/devicecode"
    )
    outlook.device_code_url = "http://127.0.0.1:9/devicecode"
    assert endpoints_of(outlook).device_authorization == "http://127.0.0.1:9/devicecode"


def test_sync_state_is_kept_with_the_copy_across_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "contacts-dav.sqlite3"
    cache = ContactCache(path)
    assert cache.sync_state is None
    cache.replace_all([Contact(display_name="Anna", numbers=(PhoneNumber("1"),))], sync_state="s1")
    cache.mark_unchanged(synced_at=1.0)  # validators move, the state stays
    cache.close()
    cache = ContactCache(path)
    assert cache.sync_state == "s1" and cache.count() == 1
    cache.mark_unchanged(sync_state="s2")
    assert cache.sync_state == "s2"
    cache.close()
