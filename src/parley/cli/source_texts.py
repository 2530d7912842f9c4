"""The console's words for the contact sources' states (issue #10)."""

from __future__ import annotations

import datetime

from parley.app.contact_sources import ContactSourceChanged
from parley.cli.signin_texts import SIGN_IN_AGAIN

# What went wrong, and what to do, per SourceProblem code.
_PROBLEMS: dict[str, str] = {
    "unreachable": "the server did not answer — check the address and the network",
    "auth_failed": "the server refused the user name or password — check them",
    "tls_failed": "the server's certificate is not trusted — give its CA file",
    "not_found": "not found — check the path or address (for LDAP the base DN)",
    "bad_data": "what came back is not a phone book Parley can read — check the address",
    "too_large": "the phone book is too large",
    "unsupported": "Parley cannot read this kind of source yet",
    "not_set_up": "not set up — fill in the setting named",
}


def _reason(source: str, problem: str, where: str, detail: str) -> str:
    # Google, Outlook: no token, or one the provider no longer takes (Graph names the URL).
    token = where == "sign-in" or any(c in detail for c in ("no_tokens:", "invalid_grant:"))
    if problem == "auth_failed" and token:
        text = SIGN_IN_AGAIN.format(source=source)
        return f"{text} ({detail})" if detail else text
    return " ".join(
        filter(None, [_PROBLEMS.get(problem, problem), f"({where})" if where else "", detail])
    )


def source_text(event: ContactSourceChanged) -> str:
    """One line for a source's state: count and time, progress, or why it failed."""
    when = (
        datetime.datetime.fromtimestamp(event.synced_at).strftime("%Y-%m-%d %H:%M")
        if event.synced_at
        else ""
    )
    if event.state == "syncing":
        if event.total > 0:
            return f"synchronising ({event.done} of {event.total} stored)"
        return "synchronising"
    reasons = [
        _reason(event.source, p, w, d)
        for p, w, d in zip(event.problems, event.wheres, event.details, strict=False)
        if p != "entry_skipped"
    ]
    if event.state == "failed":
        kept = f"; the {event.count} contacts of {when} are still used" if when else ""
        return "synchronisation failed: " + "; ".join(reasons or ["unknown"]) + kept
    if event.state == "ok":
        skipped = event.problems.count("entry_skipped")
        note = f", {skipped} entries left out" if skipped else ""
        # Synchronised in part (e.g. a chosen address book is gone): say what was not.
        note += "".join(f"; {reason}" for reason in reasons)
        counted = "1 contact" if event.count == 1 else f"{event.count} contacts"
        return f"{counted}, synchronised {when}{note}"
    return "not synchronised yet"
