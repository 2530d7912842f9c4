"""The console's words for the contact sources' states (issue #10), in English or German
through ``parley.cli.i18n`` (catalog: cli/locale/de_sources.py)."""

from __future__ import annotations

import datetime

from parley.app.contact_sources import ContactSourceChanged
from parley.cli.i18n import N_, tr
from parley.cli.signin_texts import SIGN_IN_AGAIN

# What went wrong, and what to do, per SourceProblem code.
_PROBLEMS: dict[str, str] = {
    "unreachable": N_("the server did not answer — check the address and the network"),
    "auth_failed": N_("the server refused the user name or password — check them"),
    "tls_failed": N_("the server's certificate is not trusted — give its CA file"),
    "not_found": N_("not found — check the path or address (for LDAP the base DN)"),
    "bad_data": N_("what came back is not a phone book Parley can read — check the address"),
    "too_large": N_("the phone book is too large"),
    "unsupported": N_("Parley cannot read this kind of source yet"),
    "not_set_up": N_("not set up — fill in the setting named"),
}


def _reason(source: str, problem: str, where: str, detail: str) -> str:
    # Google, Outlook: no token, or one the provider no longer takes (Graph names the URL).
    token = where == "sign-in" or any(c in detail for c in ("no_tokens:", "invalid_grant:"))
    if problem == "auth_failed" and token:
        text = tr(SIGN_IN_AGAIN, source=source)
        return f"{text} ({detail})" if detail else text
    # An unknown code is shown as it is; `where` (a setting, an address) and `detail`
    # (the server's or the OS's words) are never translated.
    said = tr(_PROBLEMS[problem]) if problem in _PROBLEMS else problem
    return " ".join(filter(None, [said, f"({where})" if where else "", detail]))


def source_text(event: ContactSourceChanged) -> str:
    """One line for a source's state: count and time, progress, or why it failed."""
    when = (
        datetime.datetime.fromtimestamp(event.synced_at).strftime("%Y-%m-%d %H:%M")
        if event.synced_at
        else ""
    )
    if event.state == "syncing":
        if event.total > 0:
            return tr(
                "synchronising ({done} of {total} stored)", done=event.done, total=event.total
            )
        return tr("synchronising")
    reasons = [
        _reason(event.source, p, w, d)
        for p, w, d in zip(event.problems, event.wheres, event.details, strict=False)
        if p != "entry_skipped"
    ]
    said = "; ".join(reasons or [tr("unknown")])
    if event.state == "failed":
        if when:
            # One contact: the English stays as it always was, the German says "1 Kontakt".
            kept = (
                N_("synchronisation failed: {reasons}; the 1 contacts of {when} are still used")
                if event.count == 1
                else N_(
                    "synchronisation failed: {reasons}; the {count} contacts of {when} are "
                    "still used"
                )
            )
            return tr(kept, reasons=said, count=event.count, when=when)
        return tr("synchronisation failed: {reasons}", reasons=said)
    if event.state == "ok":
        skipped = event.problems.count("entry_skipped")
        note = tr(", {skipped} entries left out", skipped=skipped) if skipped else ""
        # Synchronised in part (e.g. a chosen address book is gone): say what was not.
        note += "".join(f"; {reason}" for reason in reasons)
        if event.count == 1:
            return tr("1 contact, synchronised {when}", when=when) + note
        return tr("{count} contacts, synchronised {when}", count=event.count, when=when) + note
    return tr("not synchronised yet")
