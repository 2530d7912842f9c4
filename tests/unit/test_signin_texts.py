"""The console's sign-in sentences (`signin`/`signout`, cli/signin_texts.py) and the
"sign in again" of a source whose token is missing or no longer taken."""

from __future__ import annotations

from parley.app.contact_sources import ContactSourceChanged
from parley.cli import signin_texts
from parley.cli.source_texts import source_text
from parley.contacts.oauth_device import OAuthError, OAuthProblem, PollOutcome, PollResult


def test_failures_say_why_and_what_to_do() -> None:
    expired = signin_texts.failed("work", PollResult(PollOutcome.EXPIRED, 5))
    assert expired == (
        "signin work failed: the code expired before it was entered — enter the new code "
        "sooner; then `signin work` again"
    )
    denied = signin_texts.reason(PollResult(PollOutcome.DENIED, 5))
    google_denied = signin_texts.reason(OAuthError(OAuthProblem.REFUSED, "access_denied"))
    assert denied == google_denied and "refused on the provider's page" in denied
    client = signin_texts.reason(OAuthError(OAuthProblem.INVALID_CLIENT, "Unauthorized"))
    assert "client_id and client_secret settings (Unauthorized)" in client
    away = signin_texts.reason(OAuthError(OAuthProblem.UNREACHABLE, "timed out"))
    assert away.startswith("the sign-in server did not answer — check the network")


def test_a_source_without_a_valid_token_says_to_sign_in() -> None:
    for where, detail in (
        ("sign-in", "Google: no_tokens: oauth:google:gmail"),
        ("https://graph.example/me/contacts", "no access token: invalid_grant: revoked"),
    ):
        event = ContactSourceChanged(
            source="gmail",
            state="failed",
            count=0,
            synced_at=None,
            problems=("auth_failed",),
            wheres=(where,),
            details=(detail,),
        )
        assert source_text(event).startswith(
            "synchronisation failed: not signed in, or the sign-in is no longer valid — "
            "`signin gmail` to sign in"
        )
    # A password the server refused is still said as before.
    plain = ContactSourceChanged(
        source="dav", state="failed", count=0, synced_at=None,
        problems=("auth_failed",), wheres=("http://dav/",), details=("401",),
    )  # fmt: skip
    assert "refused the user name or password" in source_text(plain)
