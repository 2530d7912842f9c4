"""The desktop app's sentences for what the phone reports in codes and enums, in the
language of the GUI (`tr`, German catalog `parley.gui.locale.de_texts`).

Why a call ended and why a registration failed arrive as enums with the SIP status
(`parley.phone.events`); the words are made here. The console has its own English
sentences in `parley.cli.texts`.
"""

from __future__ import annotations

import re

from parley.app.blf import PickupFailed
from parley.app.context import AppError
from parley.app.engine import EngineError
from parley.app.snapshots import AccountInfo, CallInfo
from parley.contacts.model import ContactError
from parley.gui.i18n import N_, tr
from parley.history.db import StoreError
from parley.media.devices import AudioDeviceError
from parley.media.recording import RecordingError
from parley.phone.blf import BlfError
from parley.phone.conference import ConferenceError
from parley.phone.events import (
    AccountStateChanged,
    CallNote,
    CallStateChanged,
    EndCause,
    NetProblem,
    PhoneError,
    PhoneErrorCode,
    Reachability,
    RegCause,
    RegState,
    StunProblem,
    TransferProgress,
    TransferRole,
    TransferState,
)
from parley.phone.messages import MessageError
from parley.phone.outgoing import DialError
from parley.phone.pickup import PickupProblem
from parley.phone.redirect import DeflectError
from parley.phone.subscriptions import SubscriptionError
from parley.phone.transfer import TransferError
from parley.settings.errors import WRITE_FAILED, ConfigError, ConfigIssue
from parley.settings.secrets import SecretStoreError
from parley.settings.types import RECORDING_FIELDS

__all__ = [
    "account_text",
    "call_end_text",
    "detail_text",
    "end_text",
    "issue_text",
    "net_problem_text",
    "note_text",
    "phone_error_detail",
    "phone_error_text",
    "pickup_text",
    "problem_detail",
    "problem_text",
    "setting_name",
    "sip_answer_text",
    "stun_text",
    "transfer_text",
]

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


def sip_answer_text(status: int | None, direction: str = "outgoing") -> str:
    """A SIP answer as a person reads it: the code and our own words for it ("486
    Besetzt"). The far end's reason phrase is its own language and wording: show it
    only as a detail (`detail_text`)."""
    if not status:
        return ""
    if status < 300:
        return f"{status} {tr('OK')}"
    return f"{status} {tr(_status_text(status, direction))}"


def detail_text(detail: str) -> str:
    """The lower layer's own words (an OS error, the far end's reason phrase), for a
    tooltip or a details list, introduced as such; empty when there are none."""
    detail = detail.strip()
    return tr("Details: {detail}", detail=detail) if detail else ""


def call_end_text(event: CallStateChanged | CallInfo) -> str:
    return end_text(event.cause, event.status, event.direction)


_NET_PROBLEMS: dict[NetProblem, str] = {
    NetProblem.NO_SUCH_DOMAIN: N_(
        "There is no domain “{where}”. Check the domain for typing errors."
    ),
    NetProblem.NO_ADDRESS: N_("The domain “{where}” has no server address. Check the domain."),
    NetProblem.DNS_FAILED: N_(
        "The DNS server could not look up “{where}”. Check the DNS server settings."
    ),
    NetProblem.DNS_TIMEOUT: N_(
        "The DNS server did not answer in time when looking up “{where}”. Check the network "
        "and the DNS server settings."
    ),
    NetProblem.DNS_SETTINGS: N_(
        "The DNS server “{where}” cannot be used. Enter an IP address, with :port if needed."
    ),
    NetProblem.NO_SERVER: N_("No server address is given. Enter the domain of the PBX."),
    NetProblem.TRANSPORT: N_(
        "The transport “{where}” cannot be used here. Choose UDP, TCP or TLS."
    ),
    NetProblem.REFUSED: N_(
        "{where} refused the connection. Check that the PBX is running and that the port is right."
    ),
    NetProblem.CONNECT_TIMEOUT: N_(
        "{where} did not answer the connection. Check the server address, the port and the "
        "firewall."
    ),
    NetProblem.CONNECT_FAILED: N_(
        "The connection to {where} failed. Check the server address and the network."
    ),
    NetProblem.TLS_UNTRUSTED: N_(
        "The certificate of {where} is not trusted. Import the PBX's certificate in the "
        "account settings."
    ),
    NetProblem.TLS_NAME: N_(
        "The certificate of {where} is made out to another name. Check the domain and the "
        "TLS server name."
    ),
    NetProblem.TLS_HANDSHAKE: N_(
        "No secure (TLS) connection to {where} could be set up. Check that the server "
        "speaks TLS on this port."
    ),
    NetProblem.CERTIFICATE_FILE: N_(
        "The certificate file {where} cannot be read. It must be a PEM certificate."
    ),
    NetProblem.SEND_FAILED: N_("Sending to {where} failed. Check the network connection."),
}


def net_problem_text(problem: NetProblem, where: str) -> str:
    """A network failure (DNS, connection, TLS) in words of the GUI's language."""
    return tr(_NET_PROBLEMS[problem], where=where or "?")


def account_text(info: AccountInfo | AccountStateChanged) -> str:
    """Why an account is not registered (or for how long it is), for a tooltip or the
    wizard; empty when there is nothing to say beyond its state."""
    name = info.account if isinstance(info, AccountStateChanged) else info.name
    answer = sip_answer_text(info.status)
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
    if cause is RegCause.UNREACHABLE and info.problem is not None:
        return "\n".join(
            (
                tr("Registration failed for “{name}”.", name=name),
                net_problem_text(info.problem, info.where),
            )
        )
    if cause is RegCause.UNREACHABLE:
        text = tr(
            "Registration failed for “{name}”: the server {domain} cannot be reached. Check "
            "the domain and the network connection.",
            name=name,
            domain=domain,
        )
        # The transport's own words (a DNS or TLS error) only as a detail.
        return "\n".join(t for t in (text, detail_text(info.detail)) if t)
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


_STUN_PROBLEMS: dict[StunProblem, str] = {
    StunProblem.NO_ANSWER: N_("The STUN server {server} does not answer."),
    StunProblem.ERROR_RESPONSE: N_("The STUN server {server} answered with an error{detail}."),
    StunProblem.UNRESOLVED: N_("The name of the STUN server {server} cannot be resolved."),
    StunProblem.SEND_FAILED: N_("Parley cannot send to the STUN server {server}."),
}


def stun_text(info: AccountInfo | AccountStateChanged) -> str:
    """Why the account's STUN server gave no public address, and what Parley does
    instead; empty when STUN worked or is not used."""
    if info.stun_problem is None:
        return ""
    what = tr(
        _STUN_PROBLEMS[info.stun_problem],
        server=info.stun_server,
        detail=f" ({info.stun_detail})" if info.stun_detail else "",
    )
    return " ".join(
        (
            what,
            tr(
                "Parley carries on with the address the SIP server sees (rport); from "
                "behind a router, calls may have no audio. Check the STUN settings."
            ),
        )
    )


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


# -- engine errors (`PhoneError`), failed commands, settings problems ----------------

_PHONE_ERRORS: dict[PhoneErrorCode, str] = {
    PhoneErrorCode.SETTINGS_NOT_APPLIED: N_(
        "Some account changes could not be applied ({subject}). Check these accounts in the "
        "settings, or start Parley again."
    ),
    PhoneErrorCode.PASSWORD_MISSING: N_(
        "The account “{subject}” has no password in the settings or the keyring: "
        "registration fails if the server asks for one. Enter the password in the account "
        "settings."
    ),
    PhoneErrorCode.KEYRING_FAILED: N_(
        "The password of the account “{subject}” could not be read from the keyring."
    ),
    PhoneErrorCode.SIP_PORT: N_(
        "Parley cannot open the SIP port {subject}: another program may be using it. "
        "Choose another local port in the account settings."
    ),
    PhoneErrorCode.FORWARDING: N_(
        "The call forwarding of the account “{subject}” cannot be used: check its target "
        "in the settings. The call rings here as usual."
    ),
    PhoneErrorCode.RECORDING_FAILED: N_("The call cannot be recorded."),
    PhoneErrorCode.RECORDING_STOPPED: N_(
        "The recording stopped: the file could not be written (is the disk full?)."
    ),
    PhoneErrorCode.AUDIO_UNAVAILABLE: N_(
        "No sound device could be opened: calls have no sound. Check the audio settings."
    ),
    PhoneErrorCode.AUDIO_FALLBACK: N_(
        "The sound device “{subject}” stopped working; Parley uses “{detail}” now."
    ),
    PhoneErrorCode.AUDIO_LOST: N_(
        "The sound device “{subject}” stopped working and no other could be opened. "
        "Check the audio settings."
    ),
    PhoneErrorCode.RING_ALSO_FAILED: N_("The device “{subject}” cannot ring as well."),
    PhoneErrorCode.RING_DEVICE_FAILED: N_(
        "The ringing device “{subject}” cannot be opened; calls ring on the speaker."
    ),
    PhoneErrorCode.MUSIC_ON_HOLD_FAILED: N_(
        "The music on hold cannot be played; held callers hear silence. Check the file in "
        "the audio settings."
    ),
}


def phone_error_text(event: PhoneError) -> str:
    """What went wrong, from the error's code (the engine's English `text` is never
    shown; an error without a code says only that something went wrong)."""
    if event.code is None:
        return tr("Something went wrong in the phone.")
    return tr(_PHONE_ERRORS[event.code], subject=event.subject or "?", detail=event.detail)


def phone_error_detail(event: PhoneError) -> str:
    """The lower layer's words behind the error, introduced as details ("" when none,
    or when they are part of the sentence already)."""
    if event.code is None:
        return detail_text(event.text)
    if event.code is PhoneErrorCode.AUDIO_FALLBACK:
        return ""
    return detail_text(event.detail)


_PICKUP_PROBLEMS: dict[PickupProblem, str] = {
    PickupProblem.NOT_RINGING: N_("Cannot pick up: nothing rings at {line} now."),
    PickupProblem.NO_DIALOG: N_(
        "Cannot pick up: the server does not say which call rings at {line}. Set the "
        "account's pickup prefix if the PBX has a pickup code."
    ),
    PickupProblem.NO_CALLER: N_(
        "Cannot pick up: the server does not say who calls {line}. Set the account's "
        "pickup prefix if the PBX has a pickup code."
    ),
    PickupProblem.NO_EXTENSION: N_(
        "Cannot pick up: {line} has no extension to dial the pickup code with."
    ),
    PickupProblem.NO_ACCOUNT: N_(
        "Cannot pick up at {line}: there is no account to call from. Add or switch on an "
        "account in the settings."
    ),
    PickupProblem.DIAL_FAILED: N_(
        "Cannot pick up at {line}: the call could not be placed. Check that the account "
        "is registered."
    ),
}


def pickup_text(problem: PickupProblem, line: str) -> str:
    """Why a pickup at `line` could not start (`PickupFailed`)."""
    return tr(_PICKUP_PROBLEMS[problem], line=short_target(line))


# A failed command, by the kind of its exception: the exception's message is the lower
# layer's English and only shown as a detail.
_PROBLEMS: tuple[tuple[type[BaseException], str], ...] = (
    (DialError, N_("The call could not be placed.")),
    (DeflectError, N_("The call could not be forwarded.")),
    (TransferError, N_("The call could not be transferred.")),
    (ConferenceError, N_("The conference could not be changed.")),
    (MessageError, N_("The message could not be sent.")),
    (BlfError, N_("The line could not be watched.")),
    (SubscriptionError, N_("The subscription could not be started.")),
    (RecordingError, N_("The call could not be recorded.")),
    (AudioDeviceError, N_("The sound device could not be opened.")),
    (ContactError, N_("The contact is not valid.")),
    (StoreError, N_("Parley's data could not be read or written.")),
    (ConfigError, N_("The settings could not be saved.")),
    (SecretStoreError, N_("The password could not be stored in the keyring.")),
    (EngineError, N_("The phone is not running.")),
    (TimeoutError, N_("The phone did not answer in time.")),
    (KeyError, N_("That call or account no longer exists.")),
    (AppError, N_("That could not be done.")),
)


def problem_text(exc: BaseException) -> str:
    """A failed command in words of the GUI's language (details: `problem_detail`)."""
    if isinstance(exc, PickupFailed):
        return pickup_text(exc.problem, exc.line)
    for kind, text in _PROBLEMS:
        if isinstance(exc, kind):
            return tr(text)
    return tr("Something went wrong.")


def problem_detail(exc: BaseException) -> str:
    """The exception's own words, introduced as details ("" for a pickup: said fully)."""
    if isinstance(exc, PickupFailed):
        return ""
    return detail_text(str(exc) or type(exc).__name__)


# A setting's problem by the kind of pydantic error (`ConfigIssue.kind`) — pydantic's
# and the model's messages are English; these are ours.
_ISSUES: dict[str, str] = {
    "missing": N_("This setting is missing."),
    "extra_forbidden": N_("Parley does not know this setting."),
    "literal_error": N_("“{value}” is not one of: {limit}."),
    "int_type": N_("“{value}” is not a whole number."),
    "int_parsing": N_("“{value}” is not a whole number."),
    "int_from_float": N_("“{value}” is not a whole number."),
    "float_type": N_("“{value}” is not a number."),
    "float_parsing": N_("“{value}” is not a number."),
    "bool_type": N_("“{value}” is neither on nor off."),
    "bool_parsing": N_("“{value}” is neither on nor off."),
    "string_type": N_("“{value}” is not text."),
    "greater_than_equal": N_("{value} is too small: at least {limit}."),
    "greater_than": N_("{value} is too small: more than {limit}."),
    "less_than_equal": N_("{value} is too large: at most {limit}."),
    "less_than": N_("{value} is too large: less than {limit}."),
    "string_too_short": N_("This must not be empty."),
    "string_too_long": N_("This is too long: at most {limit} characters."),
    "too_short": N_("This needs at least {limit} entry."),
    "list_type": N_("“{value}” is not a list."),
    "url_parsing": N_("“{value}” is not a web address."),
    WRITE_FAILED: N_(
        "The settings file could not be written: check that the disk is not full and that "
        "you may write to its folder."
    ),
}

# A model validator's problem (kind "value_error"), by the setting it is about.
_FIELD_ISSUES: dict[str, str] = {
    "voicemail_extension": N_("“{value}” is not a number that can be dialled (no spaces)."),
    "blf_extensions": N_("“{value}” is not a number that can be dialled (no spaces)."),
    "domain": N_(
        "“{value}” is not a valid domain: enter the PBX's name or address, e.g. pbx.example.com or 192.168.1.10:5060."
    ),
    "outbound_proxy": N_("“{value}” is not a valid proxy: enter host:port or a SIP address."),
    "tls_server_name": N_("“{value}” is not a valid host name."),
    "default_country": N_(
        "“{value}” is not a country code: use the two-letter ISO 3166 code, e.g. DE, AT, CH, "
        "GB or US."
    ),
    "dns_servers": N_("“{value}” is not a DNS server address: enter it as IP or IP:port."),
    "name": N_("The name must not start or end with spaces."),
    "display_name": N_("This text must not contain control characters."),
    "caller_id": N_("This text must not contain control characters."),
    "presence_note": N_("This text must not contain control characters."),
    "username": N_("The user name must not contain spaces."),
    "auth_username": N_("The user name must not contain spaces."),
    "codecs": N_("A codec is listed twice."),
    "keepalive_interval": N_("{value} seconds is too often: use 0 (off) or at least 5."),
    "retry_max_interval": N_("This must not be shorter than the retry interval."),
    "t2": N_("T2 must not be smaller than T1."),
    "rtp_port_min": N_(
        "The lowest RTP port must be below the highest: a call needs two ports (RTP and RTCP)."
    ),
    "rtp_port_max": N_(
        "The lowest RTP port must be below the highest: a call needs two ports (RTP and RTCP)."
    ),
    "accounts": N_("Two accounts have the same name."),
}


def _recording_name_text(value: str) -> str:
    if not value.strip():
        return tr("The recording name must not be empty.")
    if "/" in value or "\\" in value:
        return tr("The recording name is a file name: no / or \\ (the folder is set apart).")
    known = {f.casefold() for f in RECORDING_FIELDS}
    unknown = [f for f in re.findall(r"\{([^{}]*)\}", value) if f.casefold() not in known]
    return tr(
        "{field} is not a field of the recording name; use {fields}.",
        field="{" + (unknown[0] if unknown else "?") + "}",
        fields=", ".join("{" + f + "}" for f in RECORDING_FIELDS),
    )


def issue_text(issue: ConfigIssue) -> str:
    """One settings problem in words of the GUI's language, from the kind of pydantic
    error and the setting it is about (never pydantic's or the model's English)."""
    field = (issue.key or "").rpartition(".")[2].split("[")[0]
    if issue.kind == "value_error" and field == "recording_name":
        return _recording_name_text(issue.value)
    text = _ISSUES.get(issue.kind) if issue.kind != "value_error" else None
    if text is None:
        text = _FIELD_ISSUES.get(field, N_("This value is not allowed here."))
    return tr(text, value=issue.value, limit=issue.limit)


def setting_name(key: str) -> str:
    """A setting's label as the settings dialog shows it ("media.input_device" →
    "Microphone"); a key without a row of its own in words of its own."""
    from parley.gui.settings_fields import spec_for

    if key == "accounts.listen":
        return tr("the SIP ports Parley listens on")
    spec = spec_for(re.sub(r"^accounts\[\d+\]\.", "account.", key))
    return tr(spec.label) if spec is not None else key
