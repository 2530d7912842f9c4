"""The console's words for signing a contact source in and out (`signin`, `signout`):
what happens, and when it fails why and what to do (English only, as the console)."""

from __future__ import annotations

from parley.contacts.oauth_device import OAuthError, PollOutcome, PollResult, TokenLocation

# Per OAuthProblem code: what went wrong and what to do.
_OAUTH: dict[str, str] = {
    "unreachable": "the sign-in server did not answer — check the network (and the "
    "source's sign-in addresses) and try again",
    "bad_answer": "the sign-in server's answer could not be read — try again later",
    "invalid_client": "the provider does not accept this client id (or client secret) — "
    "check the source's client_id and client_secret settings",
    "invalid_grant": "the sign-in is no longer valid — sign in again",
    "invalid_scope": "the provider refused the access Parley asks for (contacts) — "
    "allow it for the registered app",
    "refused": "the provider refused the sign-in",
    "no_tokens": "not signed in yet",
}


def usage(command: str) -> str:
    return f"usage: {command} SOURCE (a Google or Outlook source; `sources` lists them)"


def no_such_source(source_id: str) -> str:
    return f"no contact source {source_id!r}; `sources` lists them"


def needs_no_sign_in(source_id: str, kind: str) -> str:
    return (
        f"{source_id} is a {kind} source and needs no sign-in (only Google and Outlook "
        "sources do); a password it needs is kept in the keyring or the settings file"
    )


def outlook_program(source_id: str) -> str:
    return (
        f'{source_id} reads the Outlook program\'s contacts (outlook_access = "desktop"), '
        'which needs no sign-in; for Microsoft Graph set outlook_access to "graph" or '
        '"auto" in the settings file'
    )


def no_client_id(source_id: str) -> str:
    return (
        f"{source_id} has no client id: put the client id of the app registered for "
        "Parley into the source's client_id setting, then sign in again"
    )


def already_running(source_id: str) -> str:
    return f"a sign-in of {source_id} is already under way; `signout {source_id}` stops it"


def asking_for_code(source_id: str) -> str:
    return f"signin {source_id}: asking Microsoft for a code…"


def enter_code(source_id: str, url: str, code: str) -> str:
    return (
        f"signin {source_id}: open {url} in a browser (on any device) and enter the code "
        f"{code}; waiting for you to agree there…"
    )


def open_page(source_id: str, url: str, opened: bool) -> str:
    where = (
        "a browser was opened at it; if none shows, open it yourself"
        if opened
        else "open it in a browser on this computer"
    )
    return (
        f"signin {source_id}: sign in on this page ({where}); the browser then comes back "
        f"to Parley: {url}"
    )


def signed_in(source_id: str, location: TokenLocation) -> str:
    kept = (
        "the token is kept in the keyring"
        if location is TokenLocation.KEYRING
        else "without a keyring the token is kept only until Parley ends"
    )
    return f"signin {source_id}: signed in ({kept}); synchronising {source_id}"


def cancelled(source_id: str) -> str:
    return f"signin {source_id}: cancelled"


def failed(source_id: str, outcome: object) -> str:
    return f"signin {source_id} failed: {reason(outcome)}; then `signin {source_id}` again"


_DENIED = (
    "the access was refused on the provider's page — agree there to let Parley read the contacts"
)


def reason(outcome: object) -> str:
    """Why a sign-in did not work, with what to do."""
    if isinstance(outcome, OAuthError):
        if outcome.problem.value == "refused" and "access_denied" in outcome.detail:
            return _DENIED  # Google's page: the person did not agree
        return _with_detail(_OAUTH.get(outcome.problem.value, _OAUTH["refused"]), outcome.detail)
    if isinstance(outcome, PollResult):
        if outcome.outcome is PollOutcome.DENIED:
            return _DENIED
        if outcome.outcome is PollOutcome.EXPIRED:
            return "the code expired before it was entered — enter the new code sooner"
        problem = outcome.problem.value if outcome.problem else "refused"
        return _with_detail(_OAUTH.get(problem, _OAUTH["refused"]), outcome.detail)
    return str(outcome) or "unknown"


def _with_detail(text: str, detail: str) -> str:
    return f"{text} ({detail})" if detail else text


def signed_out(source_id: str, was_running: bool) -> str:
    stopped = "the sign-in under way is stopped and " if was_running else ""
    return (
        f"signout {source_id}: {stopped}its tokens are forgotten; it cannot synchronise "
        f"until `signin {source_id}`"
    )


SIGN_IN_AGAIN = "not signed in, or the sign-in is no longer valid — `signin {source}` to sign in"
