"""Dialog state documents (RFC 4235 `application/dialog-info+xml`), sans-IO.

What a BLF shows comes from these: a presence server (Kamailio `pua_dialoginfo` +
`presence_dialoginfo`), a PBX (Asterisk, FreeSWITCH) or a phone reports the INVITE
dialogs of one address — the *entity* — each from that entity's side: `local` is the
watched party, `remote` the other one, `direction` says who called (`initiator`: the
entity called out; `recipient`: the call came in to it).

- `parse` reads one document into frozen dataclasses; every byte from the network goes
  through defusedxml with DTDs refused, and anything that is not a dialog-info document
  raises `DialogInfoError` (a ValueError) with a clear message, never anything else.
  Essential parts (the root, `version`, `state`, each dialog's `id` and state) must be
  right; decorations (a state code, a direction we do not know) are read leniently,
  because real servers differ: Kamailio writes "Trying" capitalised and may omit the
  namespace on copied elements; Asterisk puts `<local>` before `<state>` and a second
  `<local>` after it for hold.
- `merge` folds a `partial` document into the last full state of a subscription, with
  the version checks of RFC 4235 §4.1.2: an old or repeated version is ignored, a gap
  means a NOTIFY was lost and only a fresh SUBSCRIBE (a full document) can repair it.
- `blf_view` turns a document into what a BLF entry shows: idle, ringing (with the
  identifiers a pickup with Replaces needs), busy or held.
- `build` writes a document, for when Parley reports its own calls as the notifier.

Hold is not part of RFC 4235 itself; servers signal it as RFC 7463 does with the media
feature parameter `+sip.rendering="no"` on the local target (Asterisk, FreeSWITCH).
"""

from __future__ import annotations

import enum
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from xml.sax.saxutils import escape, quoteattr

import defusedxml
import defusedxml.ElementTree as SafeET

from parley.sip.replaces import Replaces

__all__ = [
    "DIALOG_INFO_TYPE",
    "NAMESPACE",
    "BlfState",
    "BlfView",
    "Dialog",
    "DialogInfo",
    "DialogInfoError",
    "DialogState",
    "Direction",
    "DocumentState",
    "MergeOutcome",
    "MergeResult",
    "Participant",
    "PickupPointer",
    "Target",
    "blf_view",
    "build",
    "merge",
    "parse",
    "terminated",
]

DIALOG_INFO_TYPE = "application/dialog-info+xml"
NAMESPACE = "urn:ietf:params:xml:ns:dialog-info"

# Bounds for what a notifier may send us: a busy PBX line has a handful of dialogs;
# these only stop a hostile or broken peer from making us hold megabytes.
MAX_BODY = 256 * 1024
MAX_DIALOGS = 256
MAX_TEXT = 4096
MAX_VERSION = 2**32 - 1  # an unsigned 32-bit counter (RFC 4235 §4.1.1)


class DialogInfoError(ValueError):
    """A body that is not a readable dialog-info document."""


class DocumentState(enum.StrEnum):
    FULL = "full"  # the whole state of the entity's dialogs
    PARTIAL = "partial"  # only the dialogs that changed since the last document


class Direction(enum.StrEnum):
    INITIATOR = "initiator"  # the entity called out
    RECIPIENT = "recipient"  # the call came in to the entity


class DialogState(enum.StrEnum):
    """RFC 4235 §3.7.1: a dialog's life, as the entity sees it."""

    TRYING = "trying"
    PROCEEDING = "proceeding"
    EARLY = "early"  # a provisional response with a to-tag: it rings
    CONFIRMED = "confirmed"
    TERMINATED = "terminated"


_DIRECTIONS = {d.value for d in Direction}
_RENDERING_PARAMS = {"+sip.rendering", "sip.rendering", "rendering"}


@dataclass(frozen=True)
class Target:
    """A participant's remote target (its Contact) and its feature parameters."""

    uri: str
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> str | None:
        """A parameter's value by name (names ignore case)."""
        wanted = name.lower()
        for pname, pvalue in self.params:
            if pname.lower() == wanted:
                return pvalue
        return None

    @property
    def rendering(self) -> bool | None:
        """Whether the media is rendered (`+sip.rendering`); False is a call on hold,
        None when the notifier does not say."""
        for pname, pvalue in self.params:
            if pname.lower() in _RENDERING_PARAMS:
                value = pvalue.strip().lower()
                if value in ("no", "false", "0"):
                    return False
                if value in ("yes", "true", "1"):
                    return True
        return None


@dataclass(frozen=True)
class Participant:
    """One side of a dialog: `identity` (an address of record), its display name and
    the target (the device's Contact)."""

    identity: str = ""
    display: str = ""
    target: Target | None = None

    @property
    def name(self) -> str:
        """What a person recognises: the display name, else the identity, else the
        target URI."""
        return self.display or self.identity or (self.target.uri if self.target else "")


@dataclass(frozen=True)
class Dialog:
    """One dialog of the entity. `local_tag`/`remote_tag` are the entity's own tag and
    the other side's, as the entity sees its dialog."""

    id: str
    state: DialogState
    call_id: str = ""
    local_tag: str = ""
    remote_tag: str = ""
    direction: Direction | None = None
    event: str = ""  # why it ended: cancelled, rejected, replaced, local-bye, ...
    code: int | None = None  # the response code that ended or advanced it
    duration: int | None = None
    local: Participant = field(default_factory=Participant)
    remote: Participant = field(default_factory=Participant)

    @property
    def held(self) -> bool:
        """The entity's side does not render media: its call is on hold."""
        return self.local.target is not None and self.local.target.rendering is False


@dataclass(frozen=True)
class DialogInfo:
    version: int
    state: DocumentState
    entity: str
    dialogs: tuple[Dialog, ...] = ()


# --- parsing ------------------------------------------------------------------------


def _local_name(tag: object) -> tuple[str | None, str]:
    """(namespace, local name) of an element tag; comments and PIs have no str tag."""
    if not isinstance(tag, str):
        return None, ""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return None, tag


def _ours(element: ET.Element, name: str) -> bool:
    """The element is `name` in the dialog-info namespace — or in none: some servers
    copy elements between documents and lose it."""
    ns, local = _local_name(element.tag)
    return local == name and ns in (None, NAMESPACE)


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _ours(child, name)]


def _text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise DialogInfoError(f"{what} is longer than {MAX_TEXT} characters")
    return text


def _attr(element: ET.Element, name: str, what: str) -> str:
    return _text(element.get(name), what)


def _number(value: str, what: str, maximum: int) -> int:
    if not value.isascii() or not value.isdigit():
        raise DialogInfoError(f"{what} {value!r} is not a number")
    if len(value) > 12 or int(value) > maximum:
        raise DialogInfoError(f"{what} {value!r} is out of range")
    return int(value)


def _lenient_number(value: str, maximum: int) -> int | None:
    try:
        return _number(value, "", maximum) if value else None
    except DialogInfoError:
        return None


def _participant(elements: list[ET.Element], what: str) -> Participant:
    """`<local>` or `<remote>`; Asterisk may write two `<local>` elements (one for the
    identity, one for the hold mark), so all of them are read, first value wins."""
    identity = display = ""
    target: Target | None = None
    target_display = ""
    for element in elements:
        for child in _children(element, "identity"):
            if not identity:
                identity = _text(child.text, f"{what} identity")
                display = display or _attr(child, "display", f"{what} display name")
        for child in _children(element, "target"):
            params = tuple(
                (_attr(p, "pname", f"{what} target param"), _attr(p, "pvalue", "param value"))
                for p in _children(child, "param")
                if p.get("pname")
            )
            if target is None:
                target = Target(_attr(child, "uri", f"{what} target"), params)
                # Kamailio's attribute_display puts the name on the target
                target_display = _attr(child, "display", f"{what} display name")
            elif params:
                target = Target(target.uri or _attr(child, "uri", what), target.params + params)
    return Participant(identity, display or target_display, target)


def _dialog(element: ET.Element, index: int) -> Dialog:
    dialog_id = _attr(element, "id", "a dialog id")
    call_id = _attr(element, "call-id", "a dialog's call-id")
    if not dialog_id:
        if not call_id:
            raise DialogInfoError(f"dialog {index + 1} has no id")
        dialog_id = call_id
    states = _children(element, "state")
    if not states:
        raise DialogInfoError(f"dialog {dialog_id!r} has no state")
    state_el = states[0]
    raw_state = _text(state_el.text, "a dialog state").lower()
    try:
        state = DialogState(raw_state)
    except ValueError:
        raise DialogInfoError(f"dialog {dialog_id!r} has an unknown state {raw_state!r}") from None
    raw_direction = _attr(element, "direction", "a direction").lower()
    direction = Direction(raw_direction) if raw_direction in _DIRECTIONS else None
    code = _lenient_number(_attr(state_el, "code", "a state code"), 699)
    durations = _children(element, "duration")
    duration = (
        _lenient_number(_text(durations[0].text, "a duration"), MAX_VERSION) if durations else None
    )
    return Dialog(
        id=dialog_id,
        state=state,
        call_id=call_id,
        local_tag=_attr(element, "local-tag", "a local tag"),
        remote_tag=_attr(element, "remote-tag", "a remote tag"),
        direction=direction,
        event=_attr(state_el, "event", "a state event").lower(),
        code=code if code is not None and code >= 100 else None,
        duration=duration,
        local=_participant(_children(element, "local"), "local"),
        remote=_participant(_children(element, "remote"), "remote"),
    )


def _root(body: bytes | str) -> ET.Element:
    if len(body) > MAX_BODY:
        raise DialogInfoError(f"the dialog-info body is larger than {MAX_BODY} bytes")
    if not body.strip():
        raise DialogInfoError("the dialog-info body is empty")
    try:
        root = SafeET.fromstring(body, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise DialogInfoError(f"the dialog-info body uses forbidden XML ({exc})") from None
    except ET.ParseError as exc:
        raise DialogInfoError(f"the dialog-info body is not well-formed XML ({exc})") from None
    except (ValueError, LookupError) as exc:  # e.g. an encoding declaration Python lacks
        raise DialogInfoError(f"the dialog-info body cannot be read ({exc})") from None
    if not _ours(root, "dialog-info"):
        ns, local = _local_name(root.tag)
        raise DialogInfoError(f"the body is <{local}> ({ns or 'no namespace'}), not dialog-info")
    return root


def parse(body: bytes | str) -> DialogInfo:
    """One dialog-info document. Raises DialogInfoError for anything else."""
    root = _root(body)
    raw_version = _attr(root, "version", "the version")
    if not raw_version:
        raise DialogInfoError("the dialog-info document has no version")
    version = _number(raw_version, "the version", MAX_VERSION)
    raw_state = _attr(root, "state", "the document state").lower()
    try:
        state = DocumentState(raw_state)
    except ValueError:
        raise DialogInfoError(
            f"the document state is {raw_state!r}, not 'full' or 'partial'"
        ) from None
    elements = _children(root, "dialog")
    if len(elements) > MAX_DIALOGS:
        raise DialogInfoError(f"the document has more than {MAX_DIALOGS} dialogs")
    dialogs = tuple(_dialog(el, i) for i, el in enumerate(elements))
    return DialogInfo(version, state, _attr(root, "entity", "the entity"), dialogs)


# --- partial documents --------------------------------------------------------------


class MergeOutcome(enum.Enum):
    APPLIED = "applied"  # the document is the new state
    STALE = "stale"  # an old or repeated version: ignored, the state stays
    RESUBSCRIBE = "resubscribe"  # a NOTIFY was lost (or no full state yet): re-SUBSCRIBE


@dataclass(frozen=True)
class MergeResult:
    outcome: MergeOutcome
    document: DialogInfo | None  # the state now (unchanged unless APPLIED)


def merge(current: DialogInfo | None, update: DialogInfo) -> MergeResult:
    """Fold `update` into `current`, the last state of the same subscription (None at
    its start: versions count per subscription, so a new subscription — a new dialog,
    also the one a RESUBSCRIBE outcome asks for — starts again from None). The result is
    always a full document. A dialog reported terminated shows in the document that
    reports it and is gone from the next one."""
    if current is not None and update.version <= current.version:
        return MergeResult(MergeOutcome.STALE, current)
    if update.state is DocumentState.FULL:
        return MergeResult(MergeOutcome.APPLIED, update)
    if current is None or update.version != current.version + 1:
        # §4.1.2: a partial document only makes sense on top of the one before it
        return MergeResult(MergeOutcome.RESUBSCRIBE, current)
    dialogs = {d.id: d for d in current.dialogs if d.state is not DialogState.TERMINATED}
    for dialog in update.dialogs:
        dialogs[dialog.id] = dialog
    merged = DialogInfo(
        update.version, DocumentState.FULL, current.entity or update.entity, tuple(dialogs.values())
    )
    return MergeResult(MergeOutcome.APPLIED, merged)


# --- what a BLF shows ---------------------------------------------------------------


class BlfState(enum.StrEnum):
    """The same values as `parley.phone.events.BlfState` (sip/ does not import phone/)."""

    IDLE = "idle"
    RINGING = "ringing"
    BUSY = "busy"
    HELD = "held"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PickupPointer:
    """What a pickup of a call ringing at the watched line needs (RFC 3891).

    The INVITE goes to the *caller*: an early dialog may only be replaced by the UA that
    began it (RFC 3891 §3; the ringing phone answers 481). The Replaces tags are named
    from the point of view of whoever receives the INVITE, so `to_tag` is the caller's
    tag — the notifier's `remote-tag` — and `from_tag` the ringing phone's, its
    `local-tag`."""

    call_id: str
    to_tag: str
    from_tag: str
    caller: str  # the caller's identity (address of record), may be empty
    caller_target: str  # the caller's device (its Contact), may be empty

    @property
    def replaces(self) -> Replaces:
        # early-only: if somebody answered meanwhile, 486 instead of taking a live call
        return Replaces(self.call_id, self.to_tag, self.from_tag, early_only=True)


@dataclass(frozen=True)
class BlfView:
    state: BlfState
    caller: str = ""  # the other party's display name, else its address
    caller_uri: str = ""  # the other party's address
    dialog: Dialog | None = None  # the dialog shown
    pickup: PickupPointer | None = None  # set when it rings and the body names the dialog
    entity: str = ""  # the watched line as the notifier names it


_SETTING_UP = (DialogState.TRYING, DialogState.PROCEEDING, DialogState.EARLY)


def _rings(dialog: Dialog) -> bool:
    # no direction: an early dialog is taken as ringing, as BLF phones do
    return dialog.state in _SETTING_UP and dialog.direction is not Direction.INITIATOR


# What may stand in a Replaces header (RFC 3261 §25.1 word / token): the identifiers
# come from the network and go into our INVITE, so a line break must never pass.
_WORD = r"[A-Za-z0-9\-.!%*_+`'~()<>:\\\"/\[\]?{}]+"
_CALL_ID = re.compile(rf"{_WORD}(?:@{_WORD})?")
_TAG = re.compile(r"[A-Za-z0-9\-.!%*_+`'~]+")


def _pickup(dialog: Dialog) -> PickupPointer | None:
    if not (
        _CALL_ID.fullmatch(dialog.call_id)
        and _TAG.fullmatch(dialog.local_tag)
        and _TAG.fullmatch(dialog.remote_tag)
    ):
        return None
    remote = dialog.remote
    target = remote.target.uri if remote.target else ""
    return PickupPointer(
        dialog.call_id, dialog.remote_tag, dialog.local_tag, remote.identity, target
    )


def _view(
    entity: str, state: BlfState, dialog: Dialog, pickup: PickupPointer | None = None
) -> BlfView:
    remote = dialog.remote
    uri = remote.identity or (remote.target.uri if remote.target else "")
    return BlfView(state, remote.name, uri, dialog, pickup, entity)


def blf_view(document: DialogInfo) -> BlfView:
    """What the BLF entry of `document.entity` shows.

    Ringing: a dialog being set up where the entity is called (`recipient`); busy: a
    confirmed dialog, or one being set up where the entity calls out; held: every
    confirmed dialog's local target says its media is not rendered. Several dialogs:
    ringing wins (a colleague on the phone may get a second call to pick up), and the
    pickup pointer is the ringing dialog that names its call best (early before trying,
    with Call-ID and both tags); otherwise a call not on hold wins over a held one."""
    entity = document.entity
    live = [d for d in document.dialogs if d.state is not DialogState.TERMINATED]
    if not live:
        return BlfView(BlfState.IDLE, entity=entity)
    ringing = [d for d in live if _rings(d)]
    if ringing:
        ranked = sorted(
            ringing, key=lambda d: (_pickup(d) is None, d.state is not DialogState.EARLY)
        )
        return _view(entity, BlfState.RINGING, ranked[0], _pickup(ranked[0]))
    active = [d for d in live if d.state is not DialogState.CONFIRMED or not d.held]
    if active:
        confirmed = [d for d in active if d.state is DialogState.CONFIRMED]
        return _view(entity, BlfState.BUSY, (confirmed or active)[0])
    return _view(entity, BlfState.HELD, live[0])


# --- building -----------------------------------------------------------------------


# Characters XML 1.0 cannot carry at all (a display name from a header might hold one).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _attr_xml(value: str) -> str:
    return quoteattr(_NOT_XML.sub("", value))


def _participant_xml(name: str, who: Participant) -> str:
    if not (who.identity or who.target):
        return ""
    parts = [f"<{name}>"]
    if who.identity:
        display = f" display={_attr_xml(who.display)}" if who.display else ""
        identity = escape(_NOT_XML.sub("", who.identity))
        parts.append(f"<identity{display}>{identity}</identity>")
    if who.target is not None:
        params = "".join(
            f"<param pname={_attr_xml(n)} pvalue={_attr_xml(v)}/>" for n, v in who.target.params
        )
        uri = _attr_xml(who.target.uri)
        parts.append(f"<target uri={uri}>{params}</target>" if params else f"<target uri={uri}/>")
    parts.append(f"</{name}>")
    return "".join(parts)


def _dialog_xml(dialog: Dialog) -> str:
    attrs = [("id", dialog.id)]
    for name, value in (
        ("call-id", dialog.call_id),
        ("local-tag", dialog.local_tag),
        ("remote-tag", dialog.remote_tag),
    ):
        if value:
            attrs.append((name, value))
    if dialog.direction is not None:
        attrs.append(("direction", dialog.direction.value))
    head = " ".join(f"{n}={_attr_xml(v)}" for n, v in attrs)
    state_attrs = (f" event={_attr_xml(dialog.event)}" if dialog.event else "") + (
        f' code="{dialog.code}"' if dialog.code is not None else ""
    )
    body = f"<state{state_attrs}>{dialog.state.value}</state>"
    if dialog.duration is not None:
        body += f"<duration>{dialog.duration}</duration>"
    body += _participant_xml("local", dialog.local) + _participant_xml("remote", dialog.remote)
    return f"<dialog {head}>{body}</dialog>"


def build(
    entity: str,
    dialogs: Iterable[Dialog],
    version: int,
    state: DocumentState = DocumentState.FULL,
) -> bytes:
    """A dialog-info document (UTF-8) for a NOTIFY we send about our own calls; the
    notifier increments `version` by one for each document of a subscription."""
    if not 0 <= version <= MAX_VERSION:
        raise ValueError(f"version {version} is out of range")
    dialogs = list(dialogs)
    if any(not d.id for d in dialogs):
        raise ValueError("every dialog needs an id")
    inner = "".join(_dialog_xml(d) for d in dialogs)
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<dialog-info xmlns="{NAMESPACE}" version="{version}" state="{state.value}" '
        f"entity={_attr_xml(entity)}>{inner}</dialog-info>\n"
    )
    return text.encode("utf-8")


def terminated(dialog: Dialog, event: str = "", code: int | None = None) -> Dialog:
    """`dialog` as it is reported once more when it ends."""
    return replace(dialog, state=DialogState.TERMINATED, event=event, code=code)
