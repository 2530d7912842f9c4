"""The console's words for a contact source's state: counted right, failures with what
to do, the contacts kept after a failure said."""

from __future__ import annotations

from parley.app.contact_sources import ContactSourceChanged
from parley.cli.source_texts import source_text

WHEN = 1_796_000_000.0


def event(state: str, count: int, **extra: object) -> ContactSourceChanged:
    return ContactSourceChanged(source="pbx", state=state, count=count, synced_at=WHEN, **extra)


def test_one_contact_is_singular_and_more_are_plural() -> None:
    assert source_text(event("ok", 1)).startswith("1 contact, synchronised ")
    assert source_text(event("ok", 2)).startswith("2 contacts, synchronised ")
    assert source_text(event("ok", 0)).startswith("0 contacts, synchronised ")


def test_a_failure_says_what_to_do_and_what_is_still_used() -> None:
    text = source_text(
        event("failed", 7, problems=("auth_failed",), wheres=("ldap://127.0.0.1",), details=("",))
    )
    assert "refused the user name or password" in text and "check them" in text
    assert "the 7 contacts of" in text and "are still used" in text
