"""The console's sentences (English) for what the phone reports in codes and enums.

The phone's events say what happened (`parley.phone.events`: states, who acted, why a
call ended, why a registration failed, the SIP status); this module says it to a person
on a terminal. The desktop app has its own, translated, in `parley.gui.texts`.
"""

from __future__ import annotations

from typing import Any

from parley.app.contact_sources import ContactSourceChanged
from parley.app.event_rules import RuleRan
from parley.app.events import AudioDeviceChange, AudioDeviceChanged
from parley.app.provisioning import ProvisioningChanged, ProvisioningResult
from parley.app.snapshots import AccountInfo, CallInfo
from parley.app.updates import UpdateChecked
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
    200: "Call ended",
    400: "Bad request",
    401: "Authentication failed",
    403: "Forbidden",
    404: "Not found",
    405: "Not supported",
    407: "Authentication failed",
    408: "No answer",
    410: "Number no longer in service",
    415: "Not supported",
    416: "Not supported",
    420: "Not supported",
    421: "Not supported",
    422: "Session interval too small",
    480: "No answer",
    481: "Call no longer exists",
    482: "Routing loop",
    483: "Routing loop",
    484: "Incomplete number",
    485: "Ambiguous number",
    486: "Busy",
    487: "Cancelled",
    488: "No common codec",
    491: "Request pending",
    500: "Server error",
    501: "Not supported",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Server timeout",
    600: "Busy",
    604: "Not found",
    606: "No common codec",
}

_CAUSE_TEXTS: dict[EndCause, str] = {
    EndCause.HANGUP: "Call ended",
    EndCause.CANCELLED: "Cancelled",
    EndCause.NO_RESPONSE: "The server did not answer",
    EndCause.UNREACHABLE: "The server could not be reached",
    EndCause.CONNECTION_LOST: "Connection lost",
    EndCause.SESSION_EXPIRED: "Session expired",
    EndCause.MEDIA_FAILED: "No common codec",
    EndCause.MEDIA_TIMEOUT: "Connection lost: no audio arrived",
}


def _status_text(status: int, direction: str) -> str:
    if status == 603:
        # The callee *declined* our call, while *we rejected* an incoming one.
        return "Declined" if direction == "outgoing" else "Rejected"
    text = _STATUS_TEXTS.get(status)
    if text is not None:
        return text
    if 300 <= status < 400:
        return "Moved"
    if 400 <= status < 500:
        return "Call failed"
    if 500 <= status < 600:
        return "Server error"
    if status >= 600:
        return "Declined"
    return "Call ended"


def end_text(
    cause: EndCause | None, status: int | None, direction: str = "outgoing", detail: str = ""
) -> str:
    """Why a call ended, in a few words. A 408 or 480 the far end sent reads "No
    answer" (nobody picked up); our own timeout reads "The server did not answer"."""
    text = _CAUSE_TEXTS.get(cause) if cause is not None else None
    if text is None:
        text = "Call ended" if status is None else _status_text(status, direction)
    if cause is EndCause.MEDIA_FAILED and detail:
        text += f" ({detail})"
    return text


def state_text(state: str, held: str | None = None) -> str:
    """A call's state for a person (not ended)."""
    if state == "held":
        return {
            "us": "On hold.",
            "them": "Held by the other side.",
            "both": "On hold (both sides).",
        }.get(held or "", "On hold.")
    return {
        "dialing": "Calling…",
        "ringing": "Ringing.",
        "early media": "Ringing (early media).",
        "incoming": "Incoming call.",
        "connected": "Connected.",
        "ended": "Call ended.",
    }.get(state, state)


# How a call ended when we sent it on (302), instead of the status's "Moved".
_SENT_ON_TEXTS: dict[CallNote, str] = {
    CallNote.FORWARDED: "Forwarded (call forwarding).",
    CallNote.DEFLECTED: "Deflected.",
}
# Words added to any state's sentence for what happened to the call.
_NOTE_WORDS: dict[CallNote, str] = {
    CallNote.REDIRECTED: "redirected",
    CallNote.REPLACED: "call replaced",
    CallNote.AUTO_REJECTED: "rejected automatically: our presence status",
}


# Why SRTP that was wanted did not happen (issue #11).
_SRTP_PROBLEM_TEXTS: dict[SrtpProblem, str] = {
    SrtpProblem.REQUIRED: "Encryption required: the other side sent no SRTP keys",
    SrtpProblem.NOT_ENABLED: "The other side requires SRTP, which is off for this account",
    SrtpProblem.NEEDS_TLS: "Not encrypted: SRTP keys are only sent over TLS "
    "(set srtp_over_plain_signalling to allow UDP/TCP)",
    SrtpProblem.NO_COMMON_SUITE: "No common SRTP crypto suite",
    SrtpProblem.BAD_ANSWER: "The other side answered with unusable SRTP keys",
}


def encryption_text(problem: SrtpProblem | None) -> str:
    """Why a call is not encrypted as the account wanted ("" when nothing is wrong)."""
    return _SRTP_PROBLEM_TEXTS.get(problem, "") if problem is not None else ""


def zrtp_text(event: CallStateChanged | CallInfo) -> str:
    """A ZRTP call's SAS and what to do with it."""
    if event.zrtp_cache_mismatch:
        return (
            f"Encrypted (ZRTP), SAS {event.sas}. WARNING: the key from earlier calls with "
            "this party did not match — someone may be listening in. Compare the SAS by "
            "voice; if it matches, say 'sas-verify'."
        )
    if event.sas_verified:
        return f"Encrypted (ZRTP), SAS {event.sas} (verified)."
    return (
        f"Encrypted (ZRTP), SAS {event.sas}: read it to the other person; if theirs is "
        "the same, say 'sas-verify'."
    )


def call_text(event: CallStateChanged | CallInfo) -> str:
    """The sentence for a call event or snapshot."""
    note = getattr(event, "note", None)
    problem = getattr(event, "encryption_problem", None)
    if event.state == "ended":
        if note in _SENT_ON_TEXTS and event.status is not None and 300 <= event.status < 400:
            return _SENT_ON_TEXTS[note]
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
    return f"{text.rstrip('.')} ({words})." if words else text


_ANSWER_NOTES = {
    CallNote.AUTO_ANSWERED: "Answered automatically.",
    CallNote.INTERCOM: "Intercom call, answered automatically.",
}


def answer_note_text(note: CallNote | None) -> str:
    """How a call was answered without a person ("" for any other call)."""
    return _ANSWER_NOTES.get(note, "") if note is not None else ""


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
    who = f"user {user} at {domain}" if user and domain else f"account {account}"
    answer = f"{status} {reason}".strip() if status else ""
    if state == Reachability.UNREACHABLE:
        return (
            f"The server of account {account}"
            + (f" ({domain})" if domain else "")
            + " does not answer; Parley registers again as soon as it does."
        )
    if state == RegState.REGISTERING:
        return "Registering…"
    if state == RegState.UNREGISTERING:
        return "Unregistering."
    if state == RegState.REGISTERED:
        where = f" as {user} at {domain}" if user and domain else ""
        return f"Registered{where}" + (f" for {expires} s." if expires else ".")
    if state == RegState.UNREGISTERED:
        if cause is RegCause.NO_RESPONSE:
            return "Unregistered (no answer)."
        if cause is RegCause.REFUSED and answer:
            return f"Unregistered (the server answered {answer})."
        return "Not registered." if status is None and cause is None else "Unregistered."
    # FAILED
    if cause is RegCause.WRONG_PASSWORD:
        return (
            f"Registration failed for account {account}: wrong password — the server "
            f"at {domain or '?'} did not accept the password for user {user or '?'}"
            + (f" ({answer})" if answer else "")
            + ". Check the user name, the password and its capitalisation "
            "(and the authorization user name, if there is one)."
        )
    if cause is RegCause.UNREACHABLE and detail:
        return detail
    if cause is RegCause.EXPIRY_TOO_BRIEF:
        return (
            "Registration failed: the server wants a longer registration expiry but did "
            f"not say how long ({answer or 423}) — raise the expiry."
        )
    if cause is RegCause.NO_RESPONSE:
        over = f" over {transport.upper()}" if transport else ""
        return (
            f"Registration failed for {who}: no answer{over}"
            + (f" ({answer})" if answer else "")
            + " — check the domain, port and transport, and that the PBX is reachable."
        )
    hint = {
        403: "check the user name and password",
        404: "check the user name and the domain",
        423: "raise the registration expiry",
        480: "the server is temporarily unable to register you; Parley keeps trying",
        500: "the server had an internal error; Parley keeps trying",
        503: "the server is unavailable; Parley keeps trying",
    }.get(status or 0, "check the account settings")
    return f"Registration failed: the server answered {answer} for {who} — {hint}."


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
        text += (
            " Warning: the server's TLS certificate is not checked (certificate verification "
            "is off), so anyone on the way could listen in."
        )
    stun = stun_text(event)
    if stun:
        text += " " + stun
    return text


_STUN_PROBLEMS = {
    StunProblem.NO_ANSWER: "the STUN server {server} does not answer",
    StunProblem.ERROR_RESPONSE: "the STUN server {server} answered with an error{detail}",
    StunProblem.UNRESOLVED: "the STUN server's name {server} cannot be resolved",
    StunProblem.SEND_FAILED: "the STUN request to {server} could not be sent",
}


def stun_text(event: AccountStateChanged | AccountInfo) -> str:
    """Why STUN gave no public address and what Parley does instead ("" when fine)."""
    if event.stun_problem is None:
        return ""
    what = _STUN_PROBLEMS[event.stun_problem].format(
        server=event.stun_server,
        detail=f" ({event.stun_detail})" if event.stun_detail else "",
    )
    return (
        f"STUN failed: {what}. Parley carries on with the address the SIP server sees "
        "(rport); from behind a router, calls may have no audio — check the STUN settings."
    )


_TRANSFER_REASONS: dict[str, str] = {
    "no replaces": "the target's phone cannot take over a call (no Replaces support)"
    " — try a blind transfer",
    "no refer": "the other phone does not take transfers (no REFER)",
    "refused": "the transfer request was refused here",
    "not answered": "nobody answered the transfer request",
    "timeout": "no final report came from the other phone",
    "no result": "the other phone did not say how the new call went",
    "bad notify": "the other phone's report could not be read",
    "no response": "the other phone did not answer",
    "transport": "the request could not be sent",
    "not ringing": "the call had stopped ringing",
}


def transfer_text(event: TransferProgress) -> str:
    """The sentence for a step of a transfer."""
    to = f" to {event.target}" if event.target else ""
    mine = event.role is TransferRole.TRANSFEROR
    if event.state is TransferState.TRYING:
        return f"Transferring call {event.call}{to}…"
    if event.state is TransferState.ACCEPTED:
        if mine:
            where = "" if event.status in (None, 200, 202) else f" ({event.status} {event.reason})"
            return f"The other party is calling{to}{where}."
        return f"Transfer accepted: calling{to}."
    if event.state is TransferState.DONE and event.reason == "deflected":
        return f"Call {event.call} rang here and was sent on{to} (302)."
    if event.state is TransferState.DONE:
        return f"Call {event.call} transferred{to}." if mine else f"Transferred{to}."
    why = _TRANSFER_REASONS.get(event.reason)
    if why is None and event.status is not None:
        why = f"{_status_text(event.status, 'outgoing')} ({event.status})"
    if mine:
        return f"Transfer of call {event.call}{to} failed: {why or 'unknown reason'}; the call is kept."
    return f"Transfer{to} failed: {why or 'unknown reason'}."


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
        data["text"] = (
            f"Call {event.call}: the other party asks to transfer you to {event.target}"
            " — accept or refuse."
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
        data["text"] = f"source {event.source}: {source_text(event)}"
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
        return f"Could not check for updates ({event.problem})."
    if event.available:
        return f"Parley {event.newest} is available (this is {event.current})."
    return f"Parley {event.current} is up to date."


def audio_device_text(event: AudioDeviceChanged) -> str:
    """The sentence for a sound device that came or went (and what the audio uses now)."""
    came = event.change is AudioDeviceChange.ADDED
    text = f"Audio device {event.device!r} {'connected' if came else 'disconnected'}"
    used = [
        f"{what} {name!r}"
        for what, name in (("microphone", event.microphone), ("speaker", event.speaker))
        if name is not None
    ]
    return f"{text}; now using {' and '.join(used)}." if used else f"{text}."


def network_text(event: NetworkChanged) -> str:
    if event.change is NetworkChange.LOST:
        return f"Account {event.account}: the network is gone ({event.old}) — waiting for it."
    calls = f", {len(event.calls)} call(s) moved along" if event.calls else ""
    return f"Account {event.account}: new address {event.new} — registering again{calls}."


def recording_text(event: RecordingChanged) -> str:
    """The sentence for a recording that started or stopped."""
    if event.state is RecordingState.STARTED:
        return f"Call {event.call} is being recorded to {event.file}."
    return f"Recording of call {event.call} stopped: {event.file}."


def conference_text(event: ConferenceChanged) -> str:
    """The sentence for a change of the local conference."""
    if not event.calls:
        return "No conference."
    calls = ", ".join(str(c) for c in event.calls)
    text = f"Conference of calls {calls}"
    if event.held:
        text += ", on hold"
    if event.muted:
        text += "; not heard: " + ", ".join(str(c) for c in event.muted)
    return text + "."


# Why a message did not go through, by SIP status (RFC 3428 answers, as a person reads them).
_MESSAGE_FAILURES: dict[int, str] = {
    401: "authentication failed",
    403: "refused",
    404: "unknown recipient",
    407: "authentication failed",
    408: "no answer",
    410: "the address is no longer in use",
    413: "the message is too long",
    415: "the recipient cannot read this kind of message",
    480: "the recipient is not available",
    484: "incomplete address",
    486: "the recipient is busy",
    488: "not accepted",
    500: "server error",
    503: "service unavailable",
    603: "declined",
}


def message_status_text(event: MessageStatus) -> str:
    """The sentence for a step in the delivery of a message we sent."""
    head = f"Message {event.message_id} to {event.to}"
    if event.state is MessageDelivery.SENDING:
        return f"{head}: sending…"
    if event.state is MessageDelivery.DELIVERED:
        return f"{head}: delivered."
    if event.state is MessageDelivery.SENT:
        return f"{head}: sent (the server took it; it may be delivered later)."
    why = _MESSAGE_FAILURES.get(event.status or 0)
    if why is None and event.status is not None:
        why = _STATUS_TEXTS.get(event.status, "failed").lower()
    if why is None:
        why = event.reason or "it could not be sent"
    code = f" ({event.status} {event.reason})" if event.status else ""
    return f"{head} failed: {why}{code}."


def _voice_messages(count: int, what: str) -> str:
    return f"{count} {what} voice message{'' if count == 1 else 's'}"


def mwi_text(event: MwiChanged) -> str:
    """The sentence for voicemail counts: "2 new voice messages (1 urgent), 5 old"
    (on account office)."""
    if not event.new and not event.old:
        counts = "messages are waiting" if event.waiting else "no voice messages"
    else:
        counts = _voice_messages(event.new, "new")
        if event.urgent_new:
            counts += f" ({event.urgent_new} urgent)"
        counts += f", {event.old} old"
    return f"Voicemail of {event.account}: {counts}."


def typing_text(event: TypingChanged) -> str:
    return f"{event.sender} is typing…" if event.active else f"{event.sender} stopped typing."


_BLF_STATES = {
    BlfState.IDLE: "free",
    BlfState.RINGING: "ringing",
    BlfState.BUSY: "busy",
    BlfState.HELD: "on hold",
    BlfState.UNKNOWN: "state unknown",
}


def blf_text(event: BlfChanged) -> str:
    """The sentence for a BLF line's state ("1003 is ringing: sip:1002@pbx calls.")."""
    state = _BLF_STATES.get(event.state, event.state.value)
    if event.state is BlfState.RINGING:
        who = f": {event.caller} calls" if event.caller else ""
        return f"{event.uri} is ringing{who} — 'pickup {event.uri}' takes the call."
    if event.state in (BlfState.BUSY, BlfState.HELD) and event.caller:
        return f"{event.uri} is {state}, with {event.caller}."
    if event.state is BlfState.UNKNOWN:
        return f"{event.uri}: {state} (the server does not report this line)."
    return f"{event.uri} is {state}."


# Our presence states as the console says them.
PRESENCE_WORDS: dict[PresenceState, str] = {
    PresenceState.ONLINE: "online",
    PresenceState.INVISIBLE: "invisible (others see you offline)",
    PresenceState.AWAY: "away",
    PresenceState.BUSY: "busy",
    PresenceState.OFFLINE: "offline",
    PresenceState.LUNCH: "at lunch",
    PresenceState.ON_THE_PHONE: "on the phone",
    PresenceState.BRB: "briefly absent",
}
_PACKAGES = {
    "presence": "presence",
    "dialog": "line state (BLF)",
    "message-summary": "voicemail summary",
}


def presence_text(event: PresenceChanged) -> str:
    """The sentence for a watched address's presence, or our own."""
    words = PRESENCE_WORDS.get(event.state, str(event.state))
    note = f" — {event.note}" if event.note else ""
    if event.own:
        return f"Your presence: {words}{note}."
    return f"{event.uri} is {words}{note}."


def subscription_text(event: SubscriptionChanged) -> str:
    """The sentence for one of our subscriptions changing state."""
    what = f"{_PACKAGES.get(event.package, event.package)} of {event.uri}"
    if event.state is SubscriptionStatus.ACTIVE:
        return f"Watching the {what}."
    if event.state is SubscriptionStatus.PENDING:
        return f"Watching the {what}: waiting for permission."
    if event.state is SubscriptionStatus.TERMINATED:
        why = f" ({event.reason})" if event.reason else ""
        return f"No longer watching the {what}{why}."
    code = f" ({event.status} {event.reason})" if event.status else ""
    why = _STATUS_TEXTS.get(event.status or 0, "").lower() or event.reason or "no answer"
    return f"Cannot watch the {what}: {why}{code}."


def publication_text(event: PublicationChanged) -> str:
    """The sentence for publishing our state failing, or working again."""
    what = _PACKAGES.get(event.package, event.package)
    if event.state is SubscriptionStatus.ACTIVE:
        return f"Your {what} is published again ({event.account})."
    code = f" ({event.status} {event.reason})" if event.status else ""
    if event.status in (404, 405, 489, 501):
        return (
            f"The server of {event.account} keeps no {what}{code}: watchers who reach"
            " this phone are answered by it."
        )
    return f"Publishing your {what} failed{code} ({event.account})."


_PICKUP_PROBLEMS = {
    PickupProblem.NOT_RINGING: "nothing rings at {line} now",
    PickupProblem.NO_DIALOG: (
        "the server does not say which call rings at {line}; set the account's pickup "
        "prefix if the PBX has a pickup code"
    ),
    PickupProblem.NO_CALLER: (
        "the server does not say who calls {line}; set the account's pickup prefix if "
        "the PBX has a pickup code"
    ),
    PickupProblem.NO_EXTENSION: "{line} has no extension to dial the pickup code with",
    PickupProblem.NO_ACCOUNT: (
        "there is no account to call from at {line} — add or enable an account"
    ),
    PickupProblem.DIAL_FAILED: (
        "the call to {line} could not be placed — check that the account is registered"
    ),
}


def pickup_problem_text(problem: PickupProblem, line: str) -> str:
    """Why a pickup at `line` could not start (`PickupFailed`)."""
    return f"Cannot pick up: {_PICKUP_PROBLEMS[problem].format(line=line)}."


PROVISIONING_PROBLEMS = {
    "no_url": "no provisioning URL is set",
    "insecure": "the URL is http:// — use https://, or allow http in [provisioning]",
    "bad_url": "the URL is not an http(s) URL",
    "unreachable": "the server could not be reached",
    "timeout": "the server did not answer in time",
    "tls_failed": "the server's certificate is not trusted (set [provisioning] ca_file)",
    "auth_failed": "the user name or password was refused",
    "not_found": "the server has no profile at this URL",
    "http_status": "the server answered with an error",
    "redirect_loop": "the server redirects in a loop",
    "too_large": "the profile is too large",
    "not_text": "the profile is not UTF-8 text",
    "bad_toml": "the profile is not valid TOML",
    "bad_profile_table": "the profile's [profile] table is wrong",
    "invalid": "the profile has settings Parley cannot accept",
    "not_saved": "the settings could not be saved",
}


def provisioning_text(event: ProvisioningChanged) -> str:
    """One sentence for a provisioning run."""
    if event.state is ProvisioningResult.APPLIED:
        return f"Provisioned from {event.url}: {len(event.changed)} setting(s) changed."
    if event.state is ProvisioningResult.UNCHANGED:
        return f"Provisioning: the profile at {event.url} is unchanged."
    why = PROVISIONING_PROBLEMS.get(event.problem or "", event.problem or "failed")
    code = f" ({event.status})" if event.status else ""
    detail = f": {event.detail}" if event.detail else ""
    return f"Provisioning failed{code} — {why}{detail}. The last good settings stay in force."
