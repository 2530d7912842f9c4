"""How a call ended, as the call view says it for a few seconds after the end:
"Anna hung up", "You hung up", "Busy", "Not reachable", "Anna declined the call"…

The engine reports an ended call with codes (`EndCause`, the SIP status, which `Party`
ended it); the words are made here. Whatever this module has no sentence of its own
for falls back to `gui.texts.end_text` (the reasons the history and the status bar use).
"""

from __future__ import annotations

from dataclasses import dataclass

from parley.gui.i18n import tr
from parley.gui.texts import end_text, note_text, sip_answer_text
from parley.phone.events import CallNote, CallStateChanged, EndCause, Party

# SIP answers that mean "that phone cannot be reached now" to a person: not registered
# (404 from a registrar such as Kamailio), temporarily unavailable, gone.
UNREACHABLE_STATUSES = frozenset({404, 410, 480, 604})
BUSY_STATUSES = frozenset({486, 600})
# An end that a transfer or forwarding made is said as that, not as a hang-up.
_NOTED_ENDS = (
    CallNote.TRANSFERRED,
    CallNote.REPLACED,
    CallNote.FORWARDED,
    CallNote.DEFLECTED,
    CallNote.REDIRECTED,
    CallNote.AUTO_REJECTED,
)


@dataclass(frozen=True)
class EndedCall:
    """What the call view shows of a call that just ended (or a dial that failed
    before a call existed: `call` None)."""

    call: int | None
    name: str
    number: str
    account: str
    text: str  # why it ended, in a sentence
    detail: str = ""  # the server's answer behind it (e.g. "486 Busy Here"), or an error
    failed: bool = False  # it did not come about (or failed), as opposed to a normal end
    duration: str = ""  # how long it was connected ("1:35"), empty if never


def ended_text(
    event: CallStateChanged, name: str, note: CallNote | None = None
) -> tuple[str, bool]:
    """The sentence for `event` (an ENDED call) and whether the call failed; `note`:
    what happened to the call before (forwarded, transferred…), if the event lacks it."""
    cause, status, by = event.cause, event.status, event.ended_by
    outgoing = event.direction == "outgoing"
    note = event.note or note
    if note is not None and note in _NOTED_ENDS:
        return note_text(note), False
    if cause is EndCause.HANGUP:
        if by is Party.REMOTE:
            return tr("{name} hung up", name=name), False
        if by is Party.LOCAL:
            return tr("You hung up"), False
        return tr("Call ended"), False
    if cause is EndCause.CANCELLED:
        if outgoing:
            return tr("You cancelled the call"), False
        return tr("{name} hung up before you answered", name=name), False
    if cause is EndCause.REJECTED and status is not None:
        if not outgoing:
            # We refused it (reject button, busy, do not disturb...).
            return tr("You declined the call"), False
        if status in BUSY_STATUSES:
            return tr("{name} is busy", name=name), True
        if status == 603:
            return tr("{name} declined the call", name=name), True
        if status in UNREACHABLE_STATUSES:
            return tr("{name} is not reachable", name=name), True
        if status in (408, 487):
            return tr("No answer from {name}", name=name), True
    failed = cause not in (None, EndCause.HANGUP, EndCause.CANCELLED) or (
        status is not None and status >= 300
    )
    return end_text(cause, status, event.direction), failed


def ended_call(
    event: CallStateChanged,
    name: str,
    number: str,
    note: CallNote | None = None,
    duration: str = "",
) -> EndedCall:
    text, failed = ended_text(event, name, note)
    # Our words for the code: the far end's phrase is in its own language. Only an
    # outgoing call has a server answer; on an incoming one the code is our own reply
    # (487 to the caller's CANCEL, 486 when we declined).
    outgoing = event.direction == "outgoing"
    failed_answer = event.status is not None and event.status >= 300
    answer = sip_answer_text(event.status) if outgoing and failed_answer else ""
    return EndedCall(
        call=event.call,
        name=name,
        number=number,
        account=event.account,
        text=text,
        detail=tr("Server answer: {answer}", answer=answer) if answer else "",
        failed=failed,
        duration=duration,
    )


def dial_failed(target: str, account: str, error: str) -> EndedCall:
    """A dial the phone refused before any call existed (no account, bad number...)."""
    return EndedCall(
        call=None,
        name=target,
        number="",
        account=account,
        text=tr("The call could not be made"),
        detail=error,
        failed=True,
    )
