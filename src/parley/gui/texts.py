"""The desktop app's sentences for what the phone reports in codes and enums, in the
language of the GUI (`tr`, German catalog `parley.gui.locale.de_texts`).

Why a call ended and why a registration failed arrive as enums with the SIP status
(`parley.phone.events`); the words are made here. The console has its own English
sentences in `parley.cli.texts`.
"""

from __future__ import annotations

import re

from parley.app.snapshots import AccountInfo, CallInfo
from parley.gui.i18n import N_, tr
from parley.phone.events import (
    AccountStateChanged,
    CallNote,
    CallStateChanged,
    EndCause,
    Reachability,
    RegCause,
    RegState,
    TransferProgress,
    TransferRole,
    TransferState,
)

__all__ = ["account_text", "call_end_text", "end_text", "note_text", "transfer_text"]

_NOTE_TEXTS: dict[CallNote, str] = {
    CallNote.FORWARDED: N_("Forwarded"),
    CallNote.DEFLECTED: N_("Forwarded while ringing"),
    CallNote.REDIRECTED: N_("Redirected by the called party"),
    CallNote.REPLACED: N_("Replaced by a transfer"),
    CallNote.TRANSFERRED: N_("Transferred"),
    CallNote.AUTO_ANSWERED: N_("Answered automatically"),
    CallNote.INTERCOM: N_("InterCom call"),
    CallNote.AUTO_REJECTED: N_("Rejected automatically (presence status)"),
}

_TRANSFER_STATES: dict[TransferState, str] = {
    TransferState.TRYING: N_("Transfer to {target}: asking the other side…"),
    TransferState.ACCEPTED: N_("Transfer to {target}: calling…"),
    TransferState.DONE: N_("Transferred to {target}."),
    TransferState.FAILED: N_("Transfer to {target} failed: {reason}"),
}
_TRANSFEREE_STATES: dict[TransferState, str] = {
    TransferState.TRYING: N_("The other side transfers you to {target}…"),
    TransferState.ACCEPTED: N_("Calling {target} for the other side…"),
    TransferState.DONE: N_("You are now connected with {target}."),
    TransferState.FAILED: N_("Calling {target} for the other side failed: {reason}"),
}

_STATUS_TEXTS: dict[int, str] = {
    200: N_("Call ended"),
    400: N_("Bad request"),
    401: N_("Authentication failed"),
    403: N_("Forbidden"),
    404: N_("Not found"),
    405: N_("Not supported"),
    407: N_("Authentication failed"),
    408: N_("No answer"),
    410: N_("Number no longer in service"),
    415: N_("Not supported"),
    416: N_("Not supported"),
    420: N_("Not supported"),
    421: N_("Not supported"),
    422: N_("Session interval too small"),
    480: N_("No answer"),
    481: N_("Call no longer exists"),
    482: N_("Routing loop"),
    483: N_("Routing loop"),
    484: N_("Incomplete number"),
    485: N_("Ambiguous number"),
    486: N_("Busy"),
    487: N_("Cancelled"),
    488: N_("No common codec"),
    491: N_("Request pending"),
    500: N_("Server error"),
    501: N_("Not supported"),
    502: N_("Bad gateway"),
    503: N_("Service unavailable"),
    504: N_("Server timeout"),
    600: N_("Busy"),
    604: N_("Not found"),
    606: N_("No common codec"),
}

_CAUSE_TEXTS: dict[EndCause, str] = {
    EndCause.HANGUP: N_("Call ended"),
    EndCause.CANCELLED: N_("Cancelled"),
    EndCause.NO_RESPONSE: N_("The server did not answer"),
    EndCause.UNREACHABLE: N_("The server could not be reached"),
    EndCause.CONNECTION_LOST: N_("Connection lost"),
    EndCause.SESSION_EXPIRED: N_("Session expired"),
    EndCause.MEDIA_FAILED: N_("No common codec"),
}


def _status_text(status: int, direction: str) -> str:
    if status == 603:
        return N_("Declined") if direction == "outgoing" else N_("Rejected")
    text = _STATUS_TEXTS.get(status)
    if text is not None:
        return text
    if 300 <= status < 400:
        return N_("Moved")
    if 400 <= status < 500:
        return N_("Call failed")
    if 500 <= status < 600:
        return N_("Server error")
    if status >= 600:
        return N_("Declined")
    return N_("Call ended")


def end_text(cause: EndCause | None, status: int | None, direction: str = "outgoing") -> str:
    """Why a call ended, in a few words of the GUI's language."""
    text = _CAUSE_TEXTS.get(cause) if cause is not None else None
    if text is None:
        text = N_("Call ended") if status is None else _status_text(status, direction)
    return tr(text)


def call_end_text(event: CallStateChanged | CallInfo) -> str:
    return end_text(event.cause, event.status, event.direction)


def account_text(info: AccountInfo | AccountStateChanged) -> str:
    """Why an account is not registered (or for how long it is), for a tooltip or the
    wizard; empty when there is nothing to say beyond its state."""
    name = info.account if isinstance(info, AccountStateChanged) else info.name
    answer = f"{info.status} {info.reason}".strip() if info.status else ""
    user, domain = info.user or "?", info.domain or "?"
    if info.state == RegState.REGISTERED:
        if info.expires:
            return tr(
                "Registered as {user} at {domain} for {seconds} s.",
                user=user,
                domain=domain,
                seconds=info.expires,
            )
        return ""
    if info.state == Reachability.UNREACHABLE:
        return tr(
            "The server of the account “{name}” does not answer. Parley registers again "
            "as soon as it does.",
            name=name,
        )
    if info.state not in (RegState.FAILED, RegState.UNREGISTERED):
        return ""
    cause = info.cause
    if cause is RegCause.WRONG_PASSWORD:
        return tr(
            "Registration failed for the account “{name}”: the server at {domain} did not "
            "accept the password for user {user} ({answer}). Check the user name, the "
            "password and its capitalisation.",
            name=name,
            domain=domain,
            user=user,
            answer=answer,
        )
    if cause is RegCause.UNREACHABLE and info.detail:
        return tr("Registration failed for “{name}”: {detail}", name=name, detail=info.detail)
    if cause is RegCause.NO_RESPONSE:
        return tr(
            "Registration failed for “{name}”: the server did not answer over {transport}. "
            "Check the domain, the port and the transport, and that the PBX is reachable.",
            name=name,
            transport=(info.transport or "udp").upper(),
        )
    if cause is RegCause.EXPIRY_TOO_BRIEF:
        return tr(
            "Registration failed for “{name}”: the server wants a longer registration "
            "expiry. Raise the expiry.",
            name=name,
        )
    if cause is RegCause.REFUSED and answer:
        hint = {
            403: N_("check the user name and the password"),
            404: N_("check the user name and the domain"),
            480: N_("the server cannot register you right now; Parley keeps trying"),
            500: N_("the server had an internal error; Parley keeps trying"),
            503: N_("the server is unavailable; Parley keeps trying"),
        }.get(info.status or 0, N_("check the account settings"))
        return tr(
            "Registration failed: the server answered {answer} for user {user} at "
            "{domain} — {hint}.",
            answer=answer,
            user=user,
            domain=domain,
            hint=tr(hint),
        )
    return ""


def note_text(note: CallNote) -> str:
    """What happened to a call beyond its state (forwarded, answered automatically…)."""
    return tr(_NOTE_TEXTS.get(note, note.value))


# Why a transfer failed when no SIP status says it (the codes of `phone/transfer.py`).
_TRANSFER_REASONS: dict[str, str] = {
    "no replaces": N_("the target's phone cannot take over a call — try a blind transfer"),
    "no refer": N_("the other phone does not take transfers"),
    "refused": N_("the transfer request was refused here"),
    "not answered": N_("nobody answered the transfer request"),
    "timeout": N_("no final report came from the other phone"),
    "no result": N_("the other phone did not say how the new call went"),
    "bad notify": N_("the other phone's report could not be read"),
    "no response": N_("the other phone did not answer"),
    "transport": N_("the request could not be sent"),
    "not ringing": N_("the call had stopped ringing"),
}


def transfer_text(event: TransferProgress) -> str:
    """A step of a transfer, in a sentence; a failure says why (its reason code, else
    the SIP answer)."""
    table = _TRANSFER_STATES if event.role is TransferRole.TRANSFEROR else _TRANSFEREE_STATES
    target = short_target(event.target) or tr("the new party")
    if event.state is TransferState.DONE and event.reason == "deflected":
        return tr("Forwarded to {target} while ringing.", target=target)
    reason = ""
    if event.state is TransferState.FAILED:
        if event.reason in _TRANSFER_REASONS:
            reason = tr(_TRANSFER_REASONS[event.reason])
        elif event.status:
            reason = f"{end_text(None, event.status)} ({event.status})"
        else:
            reason = tr("no answer")
    return tr(table[event.state], target=target, reason=reason)


_NUMBER_URI = re.compile(r"sips?:([+0-9*#]+)@([^;?>]*)(?:[;?].*)?")


def short_target(target: str, domain: str | None = None) -> str:
    """A transfer target as a person reads it: the number of a SIP URI whose user part
    is a number (the engine turns a typed number into the account's URI), else as is.
    With `domain` (the account's server) only a URI on that server is shortened: a
    request to call a number elsewhere shows where."""
    found = _NUMBER_URI.fullmatch(target.strip().strip("<>"))
    if found is None:
        return target
    if domain is not None and found.group(2).lower() != domain.strip().lower():
        return target
    return found.group(1)
