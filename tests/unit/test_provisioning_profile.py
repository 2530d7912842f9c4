"""Provisioning profiles: read, checked and merged all or nothing."""

from __future__ import annotations

import pytest

from parley.provisioning.profile import (
    MAX_PROFILE_BYTES,
    ProfileError,
    ProfileProblem,
    merge,
    parse_profile,
)
from parley.settings.model import AccountSettings, Settings

GOOD = b"""
[profile]
locked = ["accounts.office.domain", "media.echo_cancellation"]

[media]
echo_cancellation = false

[stun]
enabled = true
server = "192.0.2.1"

[[accounts]]
name = "office"
domain = "127.0.0.1:5060"
username = "1001"
password = "pass1001"
"""


def local() -> Settings:
    return Settings(
        accounts=[
            AccountSettings(name="office", domain="10.0.0.1", username="9", expires=300),
            AccountSettings(name="mine", domain="10.0.0.2", username="7"),
        ]
    )


def test_a_profile_merges_into_the_local_settings() -> None:
    profile = parse_profile(GOOD)
    assert profile.passwords == {"office": "pass1001"}
    assert profile.locked == {"accounts.office.domain", "media.echo_cancellation"}
    assert "stun.server" in profile.keys and "accounts.office.username" in profile.keys
    new = merge(local(), profile)
    office = new.account("office")
    assert (office.domain, office.username) == ("127.0.0.1:5060", "1001")
    assert office.expires == 300  # not in the profile: the local value stays
    assert office.password is None  # the password never goes into the settings
    assert new.account("mine").domain == "10.0.0.2"  # the user's own account stays
    assert new.media.echo_cancellation is False and new.stun.server == "192.0.2.1"


def test_a_hand_change_is_overwritten_at_the_next_provisioning() -> None:
    settings = merge(local(), parse_profile(GOOD))
    settings.account("office").domain = "changed.by.hand"
    again = merge(settings, parse_profile(GOOD))
    assert again.account("office").domain == "127.0.0.1:5060"


@pytest.mark.parametrize(
    ("body", "problem", "words"),
    [
        (b"x" * (MAX_PROFILE_BYTES + 1), ProfileProblem.TOO_LARGE, "bytes"),
        (b"\xff\xfe[media]", ProfileProblem.NOT_TEXT, ""),
        (b"[media\necho = ", ProfileProblem.BAD_TOML, ""),
        (b"profile = 3", ProfileProblem.BAD_PROFILE_TABLE, "table"),
        (b"[profile]\nlocked = 'media'", ProfileProblem.BAD_PROFILE_TABLE, "list"),
        (b"[profile]\nlocked = ['media.x']", ProfileProblem.BAD_PROFILE_TABLE, "does not set"),
        (b"[profile]\nwho = 1", ProfileProblem.BAD_PROFILE_TABLE, "unknown"),
        (b"[[accounts]]\ndomain = 'x'", ProfileProblem.INVALID, "needs a name"),
        (b"[[accounts]]\nname = 'a'\npassword = 5", ProfileProblem.INVALID, "text"),
    ],
)
def test_broken_profiles_are_refused_with_the_reason(
    body: bytes, problem: ProfileProblem, words: str
) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(body)
    assert caught.value.problem is problem
    assert words in caught.value.detail


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (b"[media]\nno_such_key = 1", "media.no_such_key"),
        (b"[media]\necho_cancellation = 'maybe'", "media.echo_cancellation"),
        (b"[[accounts]]\nname = 'office'\ntransport = 'pigeon'", "accounts[0].transport"),
        (b"[[accounts]]\nname = 'new'\ndomain = 'bad domain'", "accounts[2].domain"),
    ],
)
def test_a_profile_breaking_the_settings_rules_changes_nothing(body: bytes, key: str) -> None:
    before = local()
    snapshot = before.model_dump()
    with pytest.raises(ProfileError) as caught:
        merge(before, parse_profile(body))
    assert caught.value.problem is ProfileProblem.INVALID
    assert any(issue.key == key for issue in caught.value.issues), caught.value.issues
    assert before.model_dump() == snapshot


def test_a_profile_brings_contact_sources() -> None:
    """A profile covers contact sources too: the list it gives replaces the local one
    (the built-in local source stays, the settings' rule)."""
    body = b"""
[[contacts.sources]]
id = "local"
name = "Parley"
kind = "local"

[[contacts.sources]]
id = "pbx"
name = "PBX phone book"
kind = "xml"
location = "https://pbx.example.com/phonebook.xml"
"""
    new = merge(local(), parse_profile(body))
    kinds = [(s.id, s.kind.value) for s in new.contacts.sources]
    assert kinds == [("local", "local"), ("pbx", "xml")]
    assert "contacts.sources" in parse_profile(body).keys


def test_a_profiles_contact_source_password_is_taken_out_like_an_accounts() -> None:
    """A source password in a profile is kept apart (keyring or memory, as an account's):
    not in the data that is merged, saved and remembered for a 304."""
    body = b"""
[[contacts.sources]]
id = "pbx"
name = "PBX phone book"
type = "xml"
url = "https://pbx.example.com/phonebook.xml"
username = "201"
password = "secret"
"""
    profile = parse_profile(body)
    assert profile.source_passwords == {"pbx": "secret"}
    assert "secret" not in repr(profile.data)
    assert "contacts.sources" in profile.keys
    new = merge(local(), profile)
    assert new.contacts.source("pbx").password is None


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ('name = "Book"\ntype = "xml"\nurl = "https://x/p.xml"\npassword = "s"', "needs an id"),
        ('id = "b"\nname = "Book"\ntype = "xml"\nurl = "https://x/p.xml"\npassword = 7', "text"),
    ],
)
def test_a_source_password_without_an_id_or_not_text_is_refused(table: str, words: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(f"[[contacts.sources]]\n{table}\n".encode())
    assert caught.value.problem is ProfileProblem.INVALID and words in str(caught.value)


def test_the_full_example_of_the_docs_is_a_valid_profile() -> None:
    """docs/provisioning.md's full example is what administrators copy: it must load."""
    import re
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "provisioning.md"
    example = re.search(r"```toml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert example is not None
    profile = parse_profile(example.group(1).encode())
    new = merge(local(), profile)
    assert new.automation.check_updates is False
    assert "automation.check_updates" in profile.locked
    office = next(a for a in new.accounts if a.name == "office")
    assert office.codecs == ["g722", "pcma", "pcmu"]
