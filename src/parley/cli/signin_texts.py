"""The console's words for signing a contact source in and out (`signin`, `signout`):
what happens, and when it fails why and what to do (English, or German through
``parley.cli.i18n``; the catalog is cli/locale/de_sources.py)."""

from __future__ import annotations

from parley.cli.i18n import N_, tr
from parley.contacts.oauth_device import OAuthError, PollOutcome, PollResult, TokenLocation

# Per OAuthProblem code: what went wrong and what to do.
_OAUTH: dict[str, str] = {
    "unreachable": N_(
        "the sign-in server did not answer — check the network (and the "
        "source's sign-in addresses) and try again"
    ),
    "bad_answer": N_("the sign-in server's answer could not be read — try again later"),
    "invalid_client": N_(
        "the provider does not accept this client id (or client secret) — "
        "check the source's client_id and client_secret settings"
    ),
    "invalid_grant": N_("the sign-in is no longer valid — sign in again"),
    "invalid_scope": N_(
        "the provider refused the access Parley asks for (contacts) — "
        "allow it for the registered app"
    ),
    "refused": N_("the provider refused the sign-in"),
    "no_tokens": N_("not signed in yet"),
}


def usage(command: str) -> str:
    return tr(
        "usage: {command} SOURCE (a Google or Outlook source; `sources` lists them)",
        command=command,
    )


def no_such_source(source_id: str) -> str:
    return tr("no contact source {source!r}; `sources` lists them", source=source_id)


def needs_no_sign_in(source_id: str, kind: str) -> str:
    return tr(
        "{source} is a {kind} source and needs no sign-in (only Google and Outlook "
        "sources do); a password it needs is kept in the keyring or the settings file",
        source=source_id,
        kind=kind,
    )


def outlook_program(source_id: str) -> str:
    return tr(
        '{source} reads the Outlook program\'s contacts (outlook_access = "desktop"), '
        'which needs no sign-in; for Microsoft Graph set outlook_access to "graph" or '
        '"auto" in the settings file',
        source=source_id,
    )


def no_client_id(source_id: str) -> str:
    return tr(
        "{source} has no client id: put the client id of the app registered for "
        "Parley into the source's client_id setting, then sign in again",
        source=source_id,
    )


def already_running(source_id: str) -> str:
    return tr(
        "a sign-in of {source} is already under way; `signout {source}` stops it",
        source=source_id,
    )


def asking_for_code(source_id: str) -> str:
    return tr("signin {source}: asking Microsoft for a code…", source=source_id)


def enter_code(source_id: str, url: str, code: str) -> str:
    return tr(
        "signin {source}: open {url} in a browser (on any device) and enter the code "
        "{code}; waiting for you to agree there…",
        source=source_id,
        url=url,
        code=code,
    )


def open_page(source_id: str, url: str, opened: bool) -> str:
    if opened:
        return tr(
            "signin {source}: sign in on this page (a browser was opened at it; if none "
            "shows, open it yourself); the browser then comes back to Parley: {url}",
            source=source_id,
            url=url,
        )
    return tr(
        "signin {source}: sign in on this page (open it in a browser on this computer); "
        "the browser then comes back to Parley: {url}",
        source=source_id,
        url=url,
    )


def signed_in(source_id: str, location: TokenLocation) -> str:
    if location is TokenLocation.KEYRING:
        return tr(
            "signin {source}: signed in (the token is kept in the keyring); synchronising {source}",
            source=source_id,
        )
    return tr(
        "signin {source}: signed in (without a keyring the token is kept only until "
        "Parley ends); synchronising {source}",
        source=source_id,
    )


def cancelled(source_id: str) -> str:
    return tr("signin {source}: cancelled", source=source_id)


def failed(source_id: str, outcome: object) -> str:
    return tr(
        "signin {source} failed: {reason}; then `signin {source}` again",
        source=source_id,
        reason=reason(outcome),
    )


_DENIED = N_(
    "the access was refused on the provider's page — agree there to let Parley read the contacts"
)


def reason(outcome: object) -> str:
    """Why a sign-in did not work, with what to do."""
    if isinstance(outcome, OAuthError):
        if outcome.problem.value == "refused" and "access_denied" in outcome.detail:
            return tr(_DENIED)  # Google's page: the person did not agree
        return _with_detail(_OAUTH.get(outcome.problem.value, _OAUTH["refused"]), outcome.detail)
    if isinstance(outcome, PollResult):
        if outcome.outcome is PollOutcome.DENIED:
            return tr(_DENIED)
        if outcome.outcome is PollOutcome.EXPIRED:
            return tr("the code expired before it was entered — enter the new code sooner")
        problem = outcome.problem.value if outcome.problem else "refused"
        return _with_detail(_OAUTH.get(problem, _OAUTH["refused"]), outcome.detail)
    return str(outcome) or tr("unknown")


def _with_detail(text: str, detail: str) -> str:
    """`text` (an English catalog key) in the console's language, then the server's words."""
    return f"{tr(text)} ({detail})" if detail else tr(text)


def signed_out(source_id: str, was_running: bool) -> str:
    if was_running:
        return tr(
            "signout {source}: the sign-in under way is stopped and its tokens are "
            "forgotten; it cannot synchronise until `signin {source}`",
            source=source_id,
        )
    return tr(
        "signout {source}: its tokens are forgotten; it cannot synchronise until `signin {source}`",
        source=source_id,
    )


# The "sign in again" of a source without a valid token; tr() it with source=.
SIGN_IN_AGAIN = N_(
    "not signed in, or the sign-in is no longer valid — `signin {source}` to sign in"
)
