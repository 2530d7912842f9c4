"""Picking up a call that rings at a colleague's line (BLF pickup), pure parts.

Two ways, chosen by the account's `pickup_prefix`:

- A pickup code (the PBX's way, e.g. Asterisk `*8` + extension, FreeSWITCH `**`):
  dial the prefix and the watched line's extension; the PBX does the rest. No Replaces.
- Replaces (RFC 3891, as phones do on Kamailio and other proxies): an INVITE with
  `Replaces: <call-id>;to-tag=<caller's tag>;from-tag=<ringing phone's tag>;early-only`
  and `Require: replaces`, sent to the **caller**. RFC 3891 §3 lets only the UA that
  began an early dialog replace it — the ringing phone answers 481, Parley's own
  `replaces_target` does too — so the caller's phone takes our INVITE, answers it and
  CANCELs the ringing one. It goes to the caller's address of record, which the PBX
  routes to the caller's phone and vouches for us there (a phone trusts an INVITE with
  Replaces that comes through its server); only when the body names no address of
  record, to the caller's device (its Contact, the dialog's remote target).
  `early-only`: if somebody answered in the meantime the caller says 486 instead of
  handing over a live call. `Require`: a phone without Replaces refuses (420) instead
  of ringing as a new call from us.

Both need the BLF state (`parley.sip.dialog_info.BlfView`) of the watched line.
"""

from __future__ import annotations

import enum

from parley.settings.model import AccountSettings
from parley.sip.dialog_info import BlfState, BlfView
from parley.sip.headers import SipParseError
from parley.sip.uri import SipURI

__all__ = ["PickupError", "PickupProblem", "pickup_target"]


class PickupProblem(enum.Enum):
    """Why a pickup cannot start (the front-ends say it in words)."""

    NOT_RINGING = "not ringing"  # nothing rings at that line now
    NO_DIALOG = "no dialog identifiers"  # it rings, but the body does not name the call
    NO_CALLER = "no caller address"  # ... or not who calls
    NO_EXTENSION = "no extension"  # a pickup code needs the line's extension
    NO_ACCOUNT = "no account"  # no account to pick up with (none set up or enabled)
    DIAL_FAILED = "dial failed"  # the pickup call could not be placed (no server yet...)


class PickupError(ValueError):
    def __init__(self, problem: PickupProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}{': ' + detail if detail else ''}")
        self.problem = problem


def extension_of(line: str) -> str:
    """The user part of a watched line: '1002' of 'sip:1002@pbx', or '1002' itself."""
    text = line.strip().strip("<>")
    if ":" not in text:
        return text.partition("@")[0]
    try:
        return SipURI.parse(text).user or ""
    except SipParseError:
        return ""


def _request_uri(text: str) -> str | None:
    """`text` as a Request-URI: a sip/sips URI with a user, without URI headers (they
    have no place there, RFC 3261 §19.1.5, and they come from the network)."""
    try:
        uri = SipURI.parse(text)
    except SipParseError:
        return None
    if uri.scheme not in ("sip", "sips") or not uri.user or not uri.host:
        return None
    uri.headers = {}
    return str(uri)


def pickup_target(
    view: BlfView, account: AccountSettings, line: str = ""
) -> tuple[str, list[tuple[str, str]]]:
    """(what to dial, extra INVITE headers) to pick up the call ringing at `line` (the
    watched line as configured; default: the entity the notifier names).

    With a pickup prefix the PBX decides whether anything rings (our BLF state may lag),
    so the code is dialled whatever the view says. Without one, PickupError when the
    line does not ring, or when it rings but the body does not say enough for Replaces
    (then only a pickup prefix helps)."""
    prefix = (account.pickup_prefix or "").strip()
    if prefix:
        extension = extension_of(line or view.entity)
        if not extension:
            raise PickupError(PickupProblem.NO_EXTENSION, line or view.entity)
        return prefix + extension, []
    if view.state is not BlfState.RINGING:
        raise PickupError(PickupProblem.NOT_RINGING, view.state.value)
    pointer = view.pickup
    if pointer is None:
        raise PickupError(PickupProblem.NO_DIALOG)
    for address in (pointer.caller, pointer.caller_target):
        target = _request_uri(address) if address else None
        if target is not None:
            return target, [("Replaces", str(pointer.replaces)), ("Require", "replaces")]
    raise PickupError(PickupProblem.NO_CALLER)
