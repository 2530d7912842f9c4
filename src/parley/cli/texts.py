"""The console's sentences for what the phone reports in codes and enums, in the
console's language (`tr`, German catalog `parley.cli.locale.de_texts`).

The phone's events say what happened (`parley.phone.events`: states, who acted, why a
call ended, why a registration failed, the SIP status); this module says it to a person
on a terminal. The desktop app has its own in `parley.gui.texts`. Whole sentences are
templates (German orders words differently); the tables of words are `N_()` entries,
translated where they are used. The JSON of `event_data` keeps its codes: only its
``text`` follows the language. Free text of the lower layers (a server's reason phrase,
``detail``) is inserted as it came.
"""

from __future__ import annotations

from typing import Any

from parley.app.contact_sources import ContactSourceChanged
from parley.app.event_rules import RuleRan
from parley.app.events import AudioDeviceChange, AudioDeviceChanged
from parley.app.provisioning import ProvisioningChanged, ProvisioningResult
from parley.app.snapshots import AccountInfo, CallInfo
from parley.app.updates import UpdateChecked
from parley.cli.i18n import N_, tr
from parley.cli.source_texts import source_text
from parley.phone.events import (
    AccountStateChanged,
    BlfChanged,
    BlfState,
    CallNote,
    CallStateChanged,
    ConferenceChanged,
    EndCause,
    MessageDelivery,
    MessageStatus,
    MwiChanged,
    NetworkChange,
    NetworkChanged,
    PhoneEvent,
    PresenceChanged,
    PresenceState,
    PublicationChanged,
    Reachability,
    RecordingChanged,
    RecordingState,
    RegCause,
    RegState,
    SrtpProblem,
    StunProblem,
    SubscriptionChanged,
    SubscriptionStatus,
    TransferProgress,
    TransferRequested,
    TransferRole,
    TransferState,
    TypingChanged,
)
from parley.phone.pickup import PickupProblem

__all__ = [
    "account_text",
    "answer_note_text",
    "blf_text",
    "call_text",
    "conference_text",
    "end_text",
    "event_data",
    "message_status_text",
    "presence_text",
    "publication_text",
    "recording_text",
    "registration_text",
    "state_text",
    "subscription_text",
    "transfer_text",
    "typing_text",
]

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
    EndCause.MEDIA_TIMEOUT: N_("Connection lost: no audio arrived"),
}


def _status_text(status: int, direction: str) -> str:
    """A SIP status in a few English words (an `N_` entry: `tr()` it to show it)."""
    if status == 603:
        # The callee *declined* our call, while *we rejected* an incoming one.
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


def _inline(text: str) -> str:
    """A table's words inside a sentence: English lower-cased, as it always was; a
    translation as the catalog writes it (German nouns keep their capitals)."""
    said = tr(text)
    return text.lower() if said == text else said


def end_text(
    cause: EndCause | None, status: int | None, direction: str = "outgoing", detail: str = ""
) -> str:
    """Why a call ended, in a few words. A 408 or 480 the far end sent reads "No
    answer" (nobody picked up); our own timeout reads "The server did not answer"."""
    text = _CAUSE_TEXTS.get(cause) if cause is not None else None
    if text is None:
        text = N_("Call ended") if status is None else _status_text(status, direction)
    text = tr(text)
    if cause is EndCause.MEDIA_FAILED and detail:
        text += f" ({detail})"
    return text


# A call's state (not ended) as a person reads it; held: by whom.
_HELD_TEXTS: dict[str, str] = {
    "us": N_("On hold."),
    "them": N_("Held by the other side."),
    "both": N_("On hold (both sides)."),
}
_STATE_TEXTS: dict[str, str] = {
    "dialing": N_("Calling…"),
    "ringing": N_("Ringing."),
    "early media": N_("Ringing (early media)."),
    "incoming": N_("Incoming call."),
    "connected": N_("Connected."),
    "ended": N_("Call ended."),
}


def state_text(state: str, held: str | None = None) -> str:
    """A call's state for a person (not ended)."""
    if state == "held":
        return tr(_HELD_TEXTS.get(held or "", _HELD_TEXTS["us"]))
    text = _STATE_TEXTS.get(state)
    return tr(text) if text is not None else state  # an unknown state: its code


# How a call ended when we sent it on (302), instead of the status's "Moved".
_SENT_ON_TEXTS: dict[CallNote, str] = {
    CallNote.FORWARDED: N_("Forwarded (call forwarding)."),
    CallNote.DEFLECTED: N_("Deflected."),
}
# Words added to any state's sentence for what happened to the call.
_NOTE_WORDS: dict[CallNote, str] = {
    CallNote.REDIRECTED: N_("redirected"),
    CallNote.REPLACED: N_("call replaced"),
    CallNote.AUTO_REJECTED: N_("rejected automatically: our presence status"),
}


# Why SRTP that was wanted did not happen (issue #11).
_SRTP_PROBLEM_TEXTS: dict[SrtpProblem, str] = {
    SrtpProblem.REQUIRED: N_("Encryption required: the other side sent no SRTP keys"),
    SrtpProblem.NOT_ENABLED: N_("The other side requires SRTP, which is off for this account"),
    SrtpProblem.NEEDS_TLS: N_(
        "Not encrypted: SRTP keys are only sent over TLS "
        "(set srtp_over_plain_signalling to allow UDP/TCP)"
    ),
    SrtpProblem.NO_COMMON_SUITE: N_("No common SRTP crypto suite"),
    SrtpProblem.BAD_ANSWER: N_("The other side answered with unusable SRTP keys"),
}


def encryption_text(problem: SrtpProblem | None) -> str:
    """Why a call is not encrypted as the account wanted ("" when nothing is wrong)."""
    text = _SRTP_PROBLEM_TEXTS.get(problem) if problem is not None else None
    return tr(text) if text is not None else ""


def zrtp_text(event: CallStateChanged | CallInfo) -> str:
    """A ZRTP call's SAS and what to do with it."""
    if event.zrtp_cache_mismatch:
        return tr(
            "Encrypted (ZRTP), SAS {sas}. WARNING: the key from earlier calls with "
            "this party did not match — someone may be listening in. Compare the SAS by "
            "voice; if it matches, say 'sas-verify'.",
            sas=event.sas,
        )
    if event.sas_verified:
        return tr("Encrypted (ZRTP), SAS {sas} (verified).", sas=event.sas)
    return tr(
        "Encrypted (ZRTP), SAS {sas}: read it to the other person; if theirs is "
        "the same, say 'sas-verify'.",
        sas=event.sas,
    )


def call_text(event: CallStateChanged | CallInfo) -> str:
    """The sentence for a call event or snapshot."""
    note = getattr(event, "note", None)
    problem = getattr(event, "encryption_problem", None)
    if event.state == "ended":
        if note in _SENT_ON_TEXTS and event.status is not None and 300 <= event.status < 400:
            return tr(_SENT_ON_TEXTS[note])
        if problem is not None and event.cause is EndCause.MEDIA_FAILED:
            return encryption_text(problem) + "."
        text = end_text(event.cause, event.status, event.direction, event.detail)
    else:
        text = state_text(event.state, event.held)
        if problem is not None and event.state in ("connected", "held"):
            text = f"{text} {encryption_text(problem)}."
        if getattr(event, "media_encryption", "") == "zrtp":
            text = f"{text} {zrtp_text(event)}"
    words = _NOTE_WORDS.get(note) if note is not None else None
    return f"{text.rstrip('.')} ({tr(words)})." if words else text


_ANSWER_NOTES = {
    CallNote.AUTO_ANSWERED: N_("Answered automatically."),
    CallNote.INTERCOM: N_("Intercom call, answered automatically."),
}


def answer_note_text(note: CallNote | None) -> str:
    """How a call was answered without a person ("" for any other call)."""
    text = _ANSWER_NOTES.get(note) if note is not None else None
    return tr(text) if text is not None else ""


def registration_text(
    *,
    account: str,
    state: str,
    status: int | None,
    reason: str,
    cause: RegCause | None,
    detail: str = "",
    user: str = "",
    domain: str = "",
    transport: str = "",
    expires: int | None = None,
) -> str:
    """The sentence for an account's registration state."""
    who = (
        tr("user {user} at {domain}", user=user, domain=domain)
        if user and domain
        else tr("account {account}", account=account)
    )
    answer = f"{status} {reason}".strip() if status else ""
    code = f" ({answer})" if answer else ""  # the server's answer, as it came
    if state == Reachability.UNREACHABLE:
        if domain:
            return tr(
                "The server of account {account} ({domain}) does not answer; Parley "
                "registers again as soon as it does.",
                account=account,
                domain=domain,
            )
        return tr(
            "The server of account {account} does not answer; Parley registers again as "
            "soon as it does.",
            account=account,
        )
    if state == RegState.REGISTERING:
        return tr("Registering…")
    if state == RegState.UNREGISTERING:
        return tr("Unregistering.")
    if state == RegState.REGISTERED:
        return _registered_text(user, domain, expires)
    if state == RegState.UNREGISTERED:
        if cause is RegCause.NO_RESPONSE:
            return tr("Unregistered (no answer).")
        if cause is RegCause.REFUSED and answer:
            return tr("Unregistered (the server answered {answer}).", answer=answer)
        return tr("Not registered.") if status is None and cause is None else tr("Unregistered.")
    # FAILED
    if cause is RegCause.WRONG_PASSWORD:
        return tr(
            "Registration failed for account {account}: wrong password — the server at "
            "{domain} did not accept the password for user {user}{code}. Check the user "
            "name, the password and its capitalisation (and the authorization user name, "
            "if there is one).",
            account=account,
            domain=domain or "?",
            user=user or "?",
            code=code,
        )
    if cause is RegCause.UNREACHABLE and detail:
        return detail
    if cause is RegCause.EXPIRY_TOO_BRIEF:
        return tr(
            "Registration failed: the server wants a longer registration expiry but did "
            "not say how long ({answer}) — raise the expiry.",
            answer=answer or 423,
        )
    if cause is RegCause.NO_RESPONSE:
        if transport:
            return tr(
                "Registration failed for {who}: no answer over {transport}{code} — check "
                "the domain, port and transport, and that the PBX is reachable.",
                who=who,
                transport=transport.upper(),
                code=code,
            )
        return tr(
            "Registration failed for {who}: no answer{code} — check the domain, port and "
            "transport, and that the PBX is reachable.",
            who=who,
            code=code,
        )
    hint = _REGISTRATION_HINTS.get(status or 0, N_("check the account settings"))
    return tr(
        "Registration failed: the server answered {answer} for {who} — {hint}.",
        answer=answer,
        who=who,
        hint=tr(hint),
    )


# What to do when the server refused a registration, by its SIP status.
_REGISTRATION_HINTS: dict[int, str] = {
    403: N_("check the user name and password"),
    404: N_("check the user name and the domain"),
    423: N_("raise the registration expiry"),
    480: N_("the server is temporarily unable to register you; Parley keeps trying"),
    500: N_("the server had an internal error; Parley keeps trying"),
    503: N_("the server is unavailable; Parley keeps trying"),
}


def _registered_text(user: str, domain: str, expires: int | None) -> str:
    if user and domain and expires:
        return tr(
            "Registered as {user} at {domain} for {seconds} s.",
            user=user,
            domain=domain,
            seconds=expires,
        )
    if user and domain:
        return tr("Registered as {user} at {domain}.", user=user, domain=domain)
    if expires:
        return tr("Registered for {seconds} s.", seconds=expires)
    return tr("Registered.")


def account_text(event: AccountStateChanged | AccountInfo) -> str:
    """The sentence for an account event or snapshot."""
    name = event.account if isinstance(event, AccountStateChanged) else event.name
    text = registration_text(
        account=name,
        state=event.state,
        status=event.status,
        reason=event.reason,
        cause=event.cause,
        detail=event.detail,
        user=event.user,
        domain=event.domain,
        transport=event.transport,
        expires=event.expires,
    )
    if event.tls_unverified:
        text += " " + tr(
            "Warning: the server's TLS certificate is not checked (certificate verification "
            "is off), so anyone on the way could listen in."
        )
    stun = stun_text(event)
    if stun:
        text += " " + stun
    return text


_STUN_PROBLEMS = {
    StunProblem.NO_ANSWER: N_("the STUN server {server} does not answer"),
    StunProblem.ERROR_RESPONSE: N_("the STUN server {server} answered with an error{detail}"),
    StunProblem.UNRESOLVED: N_("the STUN server's name {server} cannot be resolved"),
    StunProblem.SEND_FAILED: N_("the STUN request to {server} could not be sent"),
}


def stun_text(event: AccountStateChanged | AccountInfo) -> str:
    """Why STUN gave no public address and what Parley does instead ("" when fine)."""
    if event.stun_problem is None:
        return ""
    what = tr(
        _STUN_PROBLEMS[event.stun_problem],
        server=event.stun_server,
        detail=f" ({event.stun_detail})" if event.stun_detail else "",
    )
    return tr(
        "STUN failed: {what}. Parley carries on with the address the SIP server sees "
        "(rport); from behind a router, calls may have no audio — check the STUN settings.",
        what=what,
    )


_TRANSFER_REASONS: dict[str, str] = {
    "no replaces": N_(
        "the target's phone cannot take over a call (no Replaces support) — try a blind transfer"
    ),
    "no refer": N_("the other phone does not take transfers (no REFER)"),
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
    """The sentence for a step of a transfer."""
    target = event.target
    mine = event.role is TransferRole.TRANSFEROR
    if event.state is TransferState.TRYING:
        if target:
            return tr("Transferring call {call} to {target}…", call=event.call, target=target)
        return tr("Transferring call {call}…", call=event.call)
    if event.state is TransferState.ACCEPTED:
        if mine:
            where = "" if event.status in (None, 200, 202) else f" ({event.status} {event.reason})"
            if target:
                return tr(
                    "The other party is calling to {target}{where}.", target=target, where=where
                )
            return tr("The other party is calling{where}.", where=where)
        if target:
            return tr("Transfer accepted: calling to {target}.", target=target)
        return tr("Transfer accepted: calling.")
    if event.state is TransferState.DONE and event.reason == "deflected":
        if target:
            return tr(
                "Call {call} rang here and was sent on to {target} (302).",
                call=event.call,
                target=target,
            )
        return tr("Call {call} rang here and was sent on (302).", call=event.call)
    if event.state is TransferState.DONE:
        if mine and target:
            return tr("Call {call} transferred to {target}.", call=event.call, target=target)
        if mine:
            return tr("Call {call} transferred.", call=event.call)
        return tr("Transferred to {target}.", target=target) if target else tr("Transferred.")
    reason = _TRANSFER_REASONS.get(event.reason)
    if reason is not None:
        why = tr(reason)
    elif event.status is not None:
        why = f"{tr(_status_text(event.status, 'outgoing'))} ({event.status})"
    else:
        why = tr("unknown reason")
    if mine and target:
        return tr(
            "Transfer of call {call} to {target} failed: {why}; the call is kept.",
            call=event.call,
            target=target,
            why=why,
        )
    if mine:
        return tr(
            "Transfer of call {call} failed: {why}; the call is kept.", call=event.call, why=why
        )
    if target:
        return tr("Transfer to {target} failed: {why}.", target=target, why=why)
    return tr("Transfer failed: {why}.", why=why)


def event_data(event: PhoneEvent) -> dict[str, Any]:
    """An event as the console's JSON line: its fields, plus the sentence ("text") for
    call and account events."""
    data = event.to_dict()
    if isinstance(event, AccountStateChanged):
        data["text"] = account_text(event)
    elif isinstance(event, CallStateChanged):
        data["text"] = " ".join(filter(None, [call_text(event), answer_note_text(event.note)]))
    elif isinstance(event, RecordingChanged):
        data["text"] = recording_text(event)
    elif isinstance(event, TransferProgress):
        data["text"] = transfer_text(event)
    elif isinstance(event, TransferRequested):
        data["text"] = tr(
            "Call {call}: the other party asks to transfer you to {target} — accept or refuse.",
            call=event.call,
            target=event.target,
        )
    elif isinstance(event, MessageStatus):
        data["text"] = message_status_text(event)
    elif isinstance(event, BlfChanged):
        data["text"] = blf_text(event)
    elif isinstance(event, TypingChanged):
        data["text"] = typing_text(event)
    elif isinstance(event, MwiChanged):
        data["text"] = mwi_text(event)
    elif isinstance(event, PresenceChanged):
        data["text"] = presence_text(event)
    elif isinstance(event, SubscriptionChanged):
        data["text"] = subscription_text(event)
    elif isinstance(event, PublicationChanged):
        data["text"] = publication_text(event)
    elif isinstance(event, ProvisioningChanged):
        data["text"] = provisioning_text(event)
    elif isinstance(event, RuleRan):
        from parley.cli.commands_rules import rule_text

        data["text"] = rule_text(event)
    elif isinstance(event, UpdateChecked):
        data["text"] = update_text(event)
    elif isinstance(event, ContactSourceChanged):
        data["text"] = tr("source {source}: {text}", source=event.source, text=source_text(event))
    elif isinstance(event, NetworkChanged):
        data["calls"] = list(event.calls)
        data["text"] = network_text(event)
    elif isinstance(event, AudioDeviceChanged):
        data["text"] = audio_device_text(event)
    elif isinstance(event, ConferenceChanged):
        data["calls"] = list(event.calls)
        data["muted"] = list(event.muted)
        data["text"] = conference_text(event)
    return data


def update_text(event: UpdateChecked) -> str:
    """The sentence for an update check."""
    if event.problem is not None:
        return tr("Could not check for updates ({problem}).", problem=event.problem)
    if event.available:
        return tr(
            "Parley {newest} is available (this is {current}).",
            newest=event.newest,
            current=event.current,
        )
    return tr("Parley {current} is up to date.", current=event.current)


def audio_device_text(event: AudioDeviceChanged) -> str:
    """The sentence for a sound device that came or went (and what the audio uses now)."""
    came = event.change is AudioDeviceChange.ADDED
    device = repr(event.device)
    used = [
        tr(what, name=repr(name))
        for what, name in (
            (N_("microphone {name}"), event.microphone),
            (N_("speaker {name}"), event.speaker),
        )
        if name is not None
    ]
    if not used:
        if came:
            return tr("Audio device {device} connected.", device=device)
        return tr("Audio device {device} disconnected.", device=device)
    both = used[0] if len(used) == 1 else tr("{first} and {second}", first=used[0], second=used[1])
    if came:
        return tr("Audio device {device} connected; now using {used}.", device=device, used=both)
    return tr("Audio device {device} disconnected; now using {used}.", device=device, used=both)


def network_text(event: NetworkChanged) -> str:
    if event.change is NetworkChange.LOST:
        return tr(
            "Account {account}: the network is gone ({old}) — waiting for it.",
            account=event.account,
            old=event.old,
        )
    if event.calls:
        return tr(
            "Account {account}: new address {new} — registering again, {count} call(s) "
            "moved along.",
            account=event.account,
            new=event.new,
            count=len(event.calls),
        )
    return tr(
        "Account {account}: new address {new} — registering again.",
        account=event.account,
        new=event.new,
    )


def recording_text(event: RecordingChanged) -> str:
    """The sentence for a recording that started or stopped."""
    if event.state is RecordingState.STARTED:
        return tr("Call {call} is being recorded to {file}.", call=event.call, file=event.file)
    return tr("Recording of call {call} stopped: {file}.", call=event.call, file=event.file)


def conference_text(event: ConferenceChanged) -> str:
    """The sentence for a change of the local conference."""
    if not event.calls:
        return tr("No conference.")
    calls = ", ".join(str(c) for c in event.calls)
    muted = ", ".join(str(c) for c in event.muted)
    if event.held and muted:
        return tr(
            "Conference of calls {calls}, on hold; not heard: {muted}.", calls=calls, muted=muted
        )
    if event.held:
        return tr("Conference of calls {calls}, on hold.", calls=calls)
    if muted:
        return tr("Conference of calls {calls}; not heard: {muted}.", calls=calls, muted=muted)
    return tr("Conference of calls {calls}.", calls=calls)


# Why a message did not go through, by SIP status (RFC 3428 answers, as a person reads them).
_MESSAGE_FAILURES: dict[int, str] = {
    401: N_("authentication failed"),
    403: N_("refused"),
    404: N_("unknown recipient"),
    407: N_("authentication failed"),
    408: N_("no answer"),
    410: N_("the address is no longer in use"),
    413: N_("the message is too long"),
    415: N_("the recipient cannot read this kind of message"),
    480: N_("the recipient is not available"),
    484: N_("incomplete address"),
    486: N_("the recipient is busy"),
    488: N_("not accepted"),
    500: N_("server error"),
    503: N_("service unavailable"),
    603: N_("declined"),
}


def message_status_text(event: MessageStatus) -> str:
    """The sentence for a step in the delivery of a message we sent."""
    head = {"id": event.message_id, "to": event.to}
    if event.state is MessageDelivery.SENDING:
        return tr("Message {id} to {to}: sending…", **head)
    if event.state is MessageDelivery.DELIVERED:
        return tr("Message {id} to {to}: delivered.", **head)
    if event.state is MessageDelivery.SENT:
        return tr(
            "Message {id} to {to}: sent (the server took it; it may be delivered later).", **head
        )
    failure = _MESSAGE_FAILURES.get(event.status or 0)
    if failure is not None:
        why = tr(failure)
    elif event.status is not None:
        why = _inline(_STATUS_TEXTS.get(event.status, N_("failed")))
    else:
        why = event.reason or tr("it could not be sent")
    code = f" ({event.status} {event.reason})" if event.status else ""
    return tr("Message {id} to {to} failed: {why}{code}.", why=why, code=code, **head)


def mwi_text(event: MwiChanged) -> str:
    """The sentence for voicemail counts: "2 new voice messages (1 urgent), 5 old"
    (on account office)."""
    if not event.new and not event.old:
        counts = tr("messages are waiting") if event.waiting else tr("no voice messages")
    else:
        new = (
            N_("{count} new voice message") if event.new == 1 else N_("{count} new voice messages")
        )
        counts = tr(new, count=event.new)
        if event.urgent_new:
            counts = tr("{counts} ({urgent} urgent)", counts=counts, urgent=event.urgent_new)
        counts = tr("{counts}, {old} old", counts=counts, old=event.old)
    return tr("Voicemail of {account}: {counts}.", account=event.account, counts=counts)


def typing_text(event: TypingChanged) -> str:
    if event.active:
        return tr("{sender} is typing…", sender=event.sender)
    return tr("{sender} stopped typing.", sender=event.sender)


_BLF_STATES = {
    BlfState.IDLE: N_("free"),
    BlfState.RINGING: N_("ringing"),
    BlfState.BUSY: N_("busy"),
    BlfState.HELD: N_("on hold"),
    BlfState.UNKNOWN: N_("state unknown"),
}


def blf_text(event: BlfChanged) -> str:
    """The sentence for a BLF line's state ("1003 is ringing: sip:1002@pbx calls.")."""
    words = _BLF_STATES.get(event.state)
    state = tr(words) if words is not None else event.state.value
    if event.state is BlfState.RINGING:
        if event.caller:
            return tr(
                "{uri} is ringing: {caller} calls — 'pickup {uri}' takes the call.",
                uri=event.uri,
                caller=event.caller,
            )
        return tr("{uri} is ringing — 'pickup {uri}' takes the call.", uri=event.uri)
    if event.state in (BlfState.BUSY, BlfState.HELD) and event.caller:
        return tr(
            "{uri} is {state}, with {caller}.", uri=event.uri, state=state, caller=event.caller
        )
    if event.state is BlfState.UNKNOWN:
        return tr(
            "{uri}: {state} (the server does not report this line).", uri=event.uri, state=state
        )
    return tr("{uri} is {state}.", uri=event.uri, state=state)


# Our presence states as the console says them.
PRESENCE_WORDS: dict[PresenceState, str] = {
    PresenceState.ONLINE: N_("online"),
    PresenceState.INVISIBLE: N_("invisible (others see you offline)"),
    PresenceState.AWAY: N_("away"),
    PresenceState.BUSY: N_("busy"),
    PresenceState.OFFLINE: N_("offline"),
    PresenceState.LUNCH: N_("at lunch"),
    PresenceState.ON_THE_PHONE: N_("on the phone"),
    PresenceState.BRB: N_("briefly absent"),
}
_PACKAGES = {
    "presence": N_("presence"),
    "dialog": N_("line state (BLF)"),
    "message-summary": N_("voicemail summary"),
}


def presence_text(event: PresenceChanged) -> str:
    """The sentence for a watched address's presence, or our own."""
    words = PRESENCE_WORDS.get(event.state)
    state = tr(words) if words is not None else str(event.state)
    note = f" — {event.note}" if event.note else ""
    if event.own:
        return tr("Your presence: {state}{note}.", state=state, note=note)
    return tr("{uri} is {state}{note}.", uri=event.uri, state=state, note=note)


def _package_text(package: str) -> str:
    words = _PACKAGES.get(package)
    return tr(words) if words is not None else package


def subscription_text(event: SubscriptionChanged) -> str:
    """The sentence for one of our subscriptions changing state."""
    what = tr("{package} of {uri}", package=_package_text(event.package), uri=event.uri)
    if event.state is SubscriptionStatus.ACTIVE:
        return tr("Watching the {what}.", what=what)
    if event.state is SubscriptionStatus.PENDING:
        return tr("Watching the {what}: waiting for permission.", what=what)
    if event.state is SubscriptionStatus.TERMINATED:
        why = f" ({event.reason})" if event.reason else ""
        return tr("No longer watching the {what}{why}.", what=what, why=why)
    code = f" ({event.status} {event.reason})" if event.status else ""
    status_words = _STATUS_TEXTS.get(event.status or 0)
    why = _inline(status_words) if status_words else event.reason or tr("no answer")
    return tr("Cannot watch the {what}: {why}{code}.", what=what, why=why, code=code)


def publication_text(event: PublicationChanged) -> str:
    """The sentence for publishing our state failing, or working again."""
    what = _package_text(event.package)
    if event.state is SubscriptionStatus.ACTIVE:
        return tr("Your {what} is published again ({account}).", what=what, account=event.account)
    code = f" ({event.status} {event.reason})" if event.status else ""
    if event.status in (404, 405, 489, 501):
        return tr(
            "The server of {account} keeps no {what}{code}: watchers who reach this phone "
            "are answered by it.",
            account=event.account,
            what=what,
            code=code,
        )
    return tr(
        "Publishing your {what} failed{code} ({account}).",
        what=what,
        code=code,
        account=event.account,
    )


_PICKUP_PROBLEMS = {
    PickupProblem.NOT_RINGING: N_("nothing rings at {line} now"),
    PickupProblem.NO_DIALOG: N_(
        "the server does not say which call rings at {line}; set the account's pickup "
        "prefix if the PBX has a pickup code"
    ),
    PickupProblem.NO_CALLER: N_(
        "the server does not say who calls {line}; set the account's pickup prefix if "
        "the PBX has a pickup code"
    ),
    PickupProblem.NO_EXTENSION: N_("{line} has no extension to dial the pickup code with"),
    PickupProblem.NO_ACCOUNT: N_(
        "there is no account to call from at {line} — add or enable an account"
    ),
    PickupProblem.DIAL_FAILED: N_(
        "the call to {line} could not be placed — check that the account is registered"
    ),
}


def pickup_problem_text(problem: PickupProblem, line: str) -> str:
    """Why a pickup at `line` could not start (`PickupFailed`)."""
    return tr("Cannot pick up: {why}.", why=tr(_PICKUP_PROBLEMS[problem], line=line))


PROVISIONING_PROBLEMS = {
    "no_url": N_("no provisioning URL is set"),
    "insecure": N_("the URL is http:// — use https://, or allow http in [provisioning]"),
    "bad_url": N_("the URL is not an http(s) URL"),
    "unreachable": N_("the server could not be reached"),
    "timeout": N_("the server did not answer in time"),
    "tls_failed": N_("the server's certificate is not trusted (set [provisioning] ca_file)"),
    "auth_failed": N_("the user name or password was refused"),
    "not_found": N_("the server has no profile at this URL"),
    "http_status": N_("the server answered with an error"),
    "redirect_loop": N_("the server redirects in a loop"),
    "too_large": N_("the profile is too large"),
    "not_text": N_("the profile is not UTF-8 text"),
    "bad_toml": N_("the profile is not valid TOML"),
    "bad_profile_table": N_("the profile's [profile] table is wrong"),
    "invalid": N_("the profile has settings Parley cannot accept"),
    "not_saved": N_("the settings could not be saved"),
}


def provisioning_text(event: ProvisioningChanged) -> str:
    """One sentence for a provisioning run."""
    if event.state is ProvisioningResult.APPLIED:
        return tr(
            "Provisioned from {url}: {count} setting(s) changed.",
            url=event.url,
            count=len(event.changed),
        )
    if event.state is ProvisioningResult.UNCHANGED:
        return tr("Provisioning: the profile at {url} is unchanged.", url=event.url)
    problem = PROVISIONING_PROBLEMS.get(event.problem or "")
    if problem is not None:
        why = tr(problem)
    else:  # a code this console does not know yet: the code itself
        why = event.problem or tr("failed")
    code = f" ({event.status})" if event.status else ""
    detail = f": {event.detail}" if event.detail else ""
    return tr(
        "Provisioning failed{code} — {why}{detail}. The last good settings stay in force.",
        code=code,
        why=why,
        detail=detail,
    )
