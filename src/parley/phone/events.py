"""Events the phone reports to the application (and the console prints).

Frozen dataclasses: each is a fact that happened, told in codes and enums — states,
directions, who acted, why a call ended or a registration failed, the SIP status — so
that every front-end can say it in its own language (`parley.cli.texts`,
`parley.gui.texts`). The enums are `StrEnum`s: they compare equal to their values
("connected", "failed"...) and `to_dict()` gives the JSON form the console's `--json`
mode prints.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any

from parley.net.problems import NetProblem
from parley.net.stun_client import StunProblem
from parley.sip.invite_events import EndCause, Party
from parley.sip.pidf import PresenceState
from parley.sip.registration import RegCause, RegState
from parley.sip.sdes import SrtpProblem

__all__ = [
    "AccountStateChanged",
    "BlfChanged",
    "BlfState",
    "CallDirection",
    "CallNote",
    "CallPhase",
    "CallStateChanged",
    "ConferenceChanged",
    "DtmfReceived",
    "EndCause",
    "HeldBy",
    "MessageDelivery",
    "MessageReceived",
    "MessageStatus",
    "MwiChanged",
    "NetProblem",
    "NetworkChange",
    "NetworkChanged",
    "Party",
    "PhoneError",
    "PhoneErrorCode",
    "PhoneEvent",
    "PresenceChanged",
    "PresenceState",
    "PublicationChanged",
    "RecordingChanged",
    "RecordingState",
    "RegCause",
    "RegState",
    "SrtpProblem",
    "StunProblem",
    "SubscriptionChanged",
    "SubscriptionStatus",
    "TransferProgress",
    "TransferRequested",
    "TransferRole",
    "TransferState",
    "TypingChanged",
]


class Reachability(enum.StrEnum):
    """An account state beside the registration's own (`RegState`): registered, but
    the server stopped answering its keep-alive probes or transactions
    (`phone/reachability.py`). Registration starts again when it answers."""

    UNREACHABLE = "unreachable"


class CallDirection(enum.StrEnum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"


class CallPhase(enum.StrEnum):
    """The states of a call a person sees."""

    DIALING = "dialing"
    RINGING = "ringing"  # the far end rings
    EARLY_MEDIA = "early media"  # the far end plays something before answering
    INCOMING = "incoming"  # rings here
    CONNECTED = "connected"
    HELD = "held"  # connected, and held by one side or both (see `HeldBy`)
    ENDED = "ended"


class CallNote(enum.StrEnum):
    """Something that happened to a call beyond its state, for the history and the
    front-ends: how it was redirected, replaced or answered."""

    FORWARDED = "forwarded"  # we redirected it (call forwarding, 302)
    DEFLECTED = "deflected"  # we redirected it while it rang (the person chose a target)
    REDIRECTED = "redirected"  # our outgoing call followed a 3xx to another target
    REPLACED = "replaced"  # it took the place of another call (RFC 3891), or lost its own
    TRANSFERRED = "transferred"  # it ended because a transfer succeeded
    AUTO_ANSWERED = "auto answered"  # answered by the automatic call acceptance
    INTERCOM = "intercom"  # answered at once as an intercom call
    AUTO_REJECTED = "auto rejected"  # refused by "auto reject calls if status is set to"


class TransferRole(enum.StrEnum):
    TRANSFEROR = "transferor"  # we asked the far end to call somebody (sent REFER)
    TRANSFEREE = "transferee"  # the far end asked us to (received REFER)


class TransferState(enum.StrEnum):
    TRYING = "trying"  # REFER sent or received, no answer yet
    ACCEPTED = "accepted"  # 202: the transferee is calling the target
    DONE = "done"  # the target answered
    FAILED = "failed"  # refused, or the new call failed (see status)


class RecordingState(enum.StrEnum):
    STARTED = "started"
    STOPPED = "stopped"


class HeldBy(enum.StrEnum):
    US = "us"
    THEM = "them"
    BOTH = "both"


@dataclass(frozen=True)
class PhoneEvent:
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["event"] = self.kind
        return data

    @property
    def kind(self) -> str:
        return "event"


@dataclass(frozen=True)
class AccountStateChanged(PhoneEvent):
    """An account's registration state changed.

    `status`/`reason` are the SIP answer that caused it, if any; `cause` says why it
    failed, `detail` the transport's own words when the REGISTER could not be sent
    (a DNS or TLS error), `problem` its code and `where` the host, host:port or file it
    names (cause UNREACHABLE). `user`, `domain` and `transport` are what it registers
    with, so that a front-end can name them.
    """

    account: str
    state: RegState | Reachability
    status: int | None
    reason: str
    cause: RegCause | None = None
    detail: str = ""
    expires: int | None = None
    server: str | None = None
    user: str = ""
    domain: str = ""
    transport: str = ""
    at: float = 0.0  # when, in seconds since the epoch
    # The account talks TLS without checking the server's certificate ([tls]
    # disable_verification or verify_tls off): a front-end warns that anyone may listen in.
    tls_unverified: bool = False
    problem: NetProblem | None = None
    where: str = ""
    # The account's STUN server (RFC 5389) gave no public address at the last ask:
    # why (no answer, an error answer, ...), which server (host:port) and the server's
    # own words (an error answer's code and reason). The account carries on with what
    # rport tells; a front-end says so.
    stun_problem: StunProblem | None = None
    stun_server: str = ""
    stun_detail: str = ""

    @property
    def kind(self) -> str:
        return "account"


class PhoneErrorCode(enum.StrEnum):
    """What went wrong, for a front-end to say in its own words (`PhoneError`)."""

    SETTINGS_NOT_APPLIED = "settings not applied"  # subject: the accounts; detail: why
    PASSWORD_MISSING = "password missing"  # subject: the account
    KEYRING_FAILED = "keyring failed"  # subject: the account; detail: the keyring's words
    SIP_PORT = "sip port"  # subject: the port that cannot be opened
    FORWARDING = "forwarding"  # the forwarding settings cannot be used; detail: why
    RECORDING_FAILED = "recording failed"  # a recording cannot start; detail: why
    RECORDING_STOPPED = "recording stopped"  # writing it failed; detail: why
    AUDIO_UNAVAILABLE = "audio unavailable"  # no sound device opens: silence
    AUDIO_FALLBACK = "audio fallback"  # subject: the device gone; detail: the one used now
    AUDIO_LOST = "audio lost"  # subject: the device gone, and no other opens
    RING_ALSO_FAILED = "ring also failed"  # subject: a device that cannot ring too
    RING_DEVICE_FAILED = "ring device failed"  # subject: rings on the output instead
    MUSIC_ON_HOLD_FAILED = "music on hold failed"  # the file cannot be played


@dataclass(frozen=True)
class PhoneError(PhoneEvent):
    """Something went wrong that a person should know about (not tied to a call).

    `code` says what (the front-ends word it), `subject` names the thing (a port, a
    device, an account), `detail` is the lower layer's own words (an OS or library
    error), for details only. `text` is an English sentence for logs and the console.
    """

    text: str
    account: str | None = None
    code: PhoneErrorCode | None = None
    subject: str = ""
    detail: str = ""

    @property
    def kind(self) -> str:
        return "error"


@dataclass(frozen=True)
class CallStateChanged(PhoneEvent):
    """A call changed state, or something a person sees of it did (hold, mute, codec).

    `held` says who holds while the call is HELD. `status`/`reason` are the SIP answer
    behind the change. For ENDED: `cause` (why), `ended_by` (which party) and `detail`
    (the offer/answer problem behind MEDIA_FAILED, in the SDP layer's words). `at`: when,
    in seconds since the epoch.
    """

    call: int
    account: str
    direction: CallDirection
    state: CallPhase
    remote: str
    remote_name: str | None = None
    status: int | None = None
    reason: str = ""
    held: HeldBy | None = None
    codec: str | None = None
    muted: bool = False
    cause: EndCause | None = None
    ended_by: Party | None = None
    detail: str = ""
    note: CallNote | None = None
    at: float = 0.0
    # Issue #11: "none" or "srtp"; how the call's signalling travels ("udp"/"tcp"/"tls");
    # why SRTP that was wanted did not happen (mandatory refused, keys need TLS...).
    media_encryption: str = "none"
    signalling: str = "udp"
    encryption_problem: SrtpProblem | None = None
    # ZRTP (media_encryption "zrtp"): the short authentication string both people
    # compare, whether it was verified (now or in an earlier call, from the cache), and
    # a warning that the retained secret did not match (a possible man in the middle).
    sas: str = ""
    sas_verified: bool = False
    zrtp_cache_mismatch: bool = False

    @property
    def kind(self) -> str:
        return "call"


@dataclass(frozen=True)
class DtmfReceived(PhoneEvent):
    """A key the far end pressed (`via` "rfc4733", "info" or "inband")."""

    call: int
    digit: str
    via: str

    @property
    def kind(self) -> str:
        return "dtmf"


@dataclass(frozen=True)
class TransferProgress(PhoneEvent):
    """A step of a transfer of `call` (RFC 3515). `status`/`reason`: the SIP answer of
    the REFER or the sipfrag of a NOTIFY behind the step; `target`: who is called."""

    call: int
    role: TransferRole
    state: TransferState
    target: str = ""
    status: int | None = None
    reason: str = ""

    @property
    def kind(self) -> str:
        return "transfer"


@dataclass(frozen=True)
class TransferRequested(PhoneEvent):
    """The far end of `call` asks us to call `target` (transfer requests set to "ask"):
    a front-end answers with accept or refuse."""

    call: int
    target: str
    referred_by: str = ""

    @property
    def kind(self) -> str:
        return "transfer request"


@dataclass(frozen=True)
class ConferenceChanged(PhoneEvent):
    """The calls of the local conference (empty: there is none any more)."""

    calls: tuple[int, ...]
    muted: tuple[int, ...] = ()  # participants whose voice is out of the mix
    held: bool = False  # the whole conference is on hold

    @property
    def kind(self) -> str:
        return "conference"


@dataclass(frozen=True)
class RecordingChanged(PhoneEvent):
    """A recording of `call` started or stopped; `file` is the WAV being written."""

    call: int
    state: RecordingState
    file: str

    @property
    def kind(self) -> str:
        return "recording"


# -- presence, BLF, voicemail, messages (RFC 6665 subscriptions and RFC 3428 MESSAGE)


class SubscriptionStatus(enum.StrEnum):
    """Where one of our subscriptions stands (RFC 6665 §4.1.3 Subscription-State)."""

    PENDING = "pending"  # accepted, waiting for authorisation at the notifier
    ACTIVE = "active"
    TERMINATED = "terminated"  # ended: `reason` says why (and whether we try again)
    FAILED = "failed"  # the SUBSCRIBE was refused or never answered


class BlfState(enum.StrEnum):
    """A watched line as the BLF shows it (from RFC 4235 dialog states)."""

    IDLE = "idle"
    RINGING = "ringing"  # a call rings there (early dialog, recipient side): pick it up
    BUSY = "busy"  # a call is set up or active (or it is dialling out)
    HELD = "held"
    UNKNOWN = "unknown"  # no word yet, or the subscription failed


class MessageDelivery(enum.StrEnum):
    """The fate of a MESSAGE we sent."""

    SENDING = "sending"
    SENT = "sent"  # 2xx: the server (or phone) took it; 202 may mean stored for later
    DELIVERED = "delivered"  # the server says it reached the person (a 200 from the phone)
    FAILED = "failed"  # `status`/`reason` say why


@dataclass(frozen=True)
class SubscriptionChanged(PhoneEvent):
    """One of our subscriptions (`package`: presence, dialog, message-summary) to `uri`
    changed state; `reason` is the notifier's (RFC 6665 §4.1.3) or the SIP answer's."""

    uri: str
    package: str
    state: SubscriptionStatus
    reason: str = ""
    status: int | None = None
    account: str = ""

    @property
    def kind(self) -> str:
        return "subscription"


@dataclass(frozen=True)
class PublicationChanged(PhoneEvent):
    """Publishing our state of `package` (presence) as `uri` through `account` failed
    (state FAILED, with the server's `status` and `reason`: 489/404/405/501 mean there is
    no presence server there) or works again (ACTIVE)."""

    uri: str
    package: str
    state: SubscriptionStatus
    status: int | None = None
    reason: str = ""
    account: str = ""

    @property
    def kind(self) -> str:
        return "publication"


@dataclass(frozen=True)
class PresenceChanged(PhoneEvent):
    """A watched contact's presence (or our own, with `uri` our address and `own` set)."""

    uri: str
    state: PresenceState
    note: str = ""
    account: str = ""
    own: bool = False

    @property
    def kind(self) -> str:
        return "presence"


@dataclass(frozen=True)
class BlfChanged(PhoneEvent):
    """A BLF line's state; `caller` (who rings or talks there) when the body says it, and
    `call_id`/`local_tag`/`remote_tag` of the dialog shown, for pickup with Replaces."""

    uri: str
    state: BlfState
    caller: str = ""
    account: str = ""
    call_id: str = ""
    local_tag: str = ""
    remote_tag: str = ""

    @property
    def kind(self) -> str:
        return "blf"


@dataclass(frozen=True)
class MwiChanged(PhoneEvent):
    """The voicemail summary of `account` (RFC 3842)."""

    account: str
    new: int
    old: int
    urgent_new: int = 0
    urgent_old: int = 0
    waiting: bool = False  # "Messages-Waiting: yes" (some servers send no counts)

    @property
    def kind(self) -> str:
        return "mwi"


@dataclass(frozen=True)
class MessageReceived(PhoneEvent):
    """An instant message arrived; `sender` is printed as "from" in JSON."""

    sender: str
    text: str
    account: str = ""
    sender_name: str | None = None
    message_id: int | None = None  # its row in the message store
    at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["from"] = data.pop("sender")
        return data

    @property
    def kind(self) -> str:
        return "message"


@dataclass(frozen=True)
class MessageStatus(PhoneEvent):
    """A step in the delivery of a message we sent (`message_id`: its row in the store)."""

    message_id: int
    to: str
    state: MessageDelivery
    status: int | None = None
    reason: str = ""
    account: str = ""

    @property
    def kind(self) -> str:
        return "message status"


@dataclass(frozen=True)
class TypingChanged(PhoneEvent):
    """A chat partner started or stopped typing (RFC 3994); `sender` is "from" in JSON."""

    sender: str
    active: bool
    account: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["from"] = data.pop("sender")
        return data

    @property
    def kind(self) -> str:
        return "typing"


class NetworkChange(enum.StrEnum):
    """What happened to the address an account uses (`phone/network_change.py`)."""

    MOVED = "moved"  # a new local address: re-registering from it, calls re-INVITEd
    LOST = "lost"  # no route to the server any more: waiting for the network


@dataclass(frozen=True)
class NetworkChanged(PhoneEvent):
    """The local address `account` uses towards its server changed (`old` -> `new`,
    None when it is `LOST`); `calls` are the calls moved to the new address."""

    account: str
    change: NetworkChange
    old: str
    new: str | None = None
    calls: tuple[int, ...] = ()

    @property
    def kind(self) -> str:
        return "network"
