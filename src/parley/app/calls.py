"""The calls facade: dial, answer, reject, deflect (to a target or to voicemail), hang
up, hold, resume, switch, mute, DTMF, statistics and silencing the ringer — each a command run on the engine thread that
returns a `concurrent.futures.Future`."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import TypeVar

from parley.app.context import AppContext, AppError, CallRef, failed
from parley.app.recorder import HistoryRecorder
from parley.app.snapshots import CallInfo
from parley.history.model import HistoryEntry
from parley.phone.call import Call
from parley.phone.redirect import DeflectError, deflect_target

T = TypeVar("T")

DTMF_KEYS = frozenset("0123456789*#ABCDabcd")


class Calls:
    """Commands on calls. `recorder` is told which incoming calls the user refused (they
    go into the history as rejected, not missed)."""

    def __init__(self, ctx: AppContext, recorder: HistoryRecorder) -> None:
        self._ctx = ctx
        self._recorder = recorder

    def _on_call(self, ref: CallRef, action: Callable[[Call], T]) -> concurrent.futures.Future[T]:
        return self._ctx.engine.submit(lambda: action(self._ctx.live_call(ref)))

    def dial(self, target: str, account: str | None = None) -> concurrent.futures.Future[CallInfo]:
        """Call `target` (a number dialled on the account's domain, or a SIP URI) from
        `account` (default: the first registered one). Fails with `DialError` (a
        ValueError) for targets or accounts that cannot be dialled. The calls that are
        up are held first (a query call, as a PBX phone does)."""
        return self._ctx.engine.call(self._dial, target, account)

    async def _dial(self, target: str, account: str | None) -> CallInfo:
        call = await self._ctx.phone().dial(target, account)
        self._ctx.phone().conference.hold_active(keep=call)  # a query call: hold the others
        tracker = self._ctx.tracker
        return tracker.get_call(call.id) or tracker.info_of(call)

    def call_back(self, entry: HistoryEntry) -> concurrent.futures.Future[CallInfo]:
        """Dial the party of a history entry, from the same account when it still exists."""
        from parley.contacts.numbers import is_dialable

        target = entry.number if is_dialable(entry.number) or not entry.uri else entry.uri
        account = (
            entry.account
            if any(a.name == entry.account and a.enabled for a in self._ctx.settings().accounts)
            else None
        )
        return self.dial(target, account)

    def answer(self, call: CallRef) -> concurrent.futures.Future[None]:
        return self._on_call(call, lambda c: c.answer())

    def reject(self, call: CallRef) -> concurrent.futures.Future[None]:
        """Refuse a ringing incoming call (486 or 603 as the settings say); it goes into
        the history as a rejected call, not a missed one."""

        def run(c: Call) -> None:
            self._recorder.note_rejected(c.id)
            c.reject()

        return self._on_call(call, run)

    def hangup(self, call: CallRef) -> concurrent.futures.Future[None]:
        """End a call in any state (hanging up a ringing incoming call rejects it)."""

        def run(c: Call) -> None:
            if c.direction == "incoming" and c.state == "incoming":
                self._recorder.note_rejected(c.id)
            c.hangup()

        return self._on_call(call, run)

    def hold(self, call: CallRef) -> concurrent.futures.Future[None]:
        return self._on_call(call, lambda c: c.hold())

    def resume(self, call: CallRef) -> concurrent.futures.Future[None]:
        return self._on_call(call, lambda c: c.resume())

    def switch_to(self, call: CallRef) -> concurrent.futures.Future[None]:
        """Make `call` the active one: hold every other connected call, then resume it
        (or answer it, when it is a waiting incoming call). A conference participant
        brings back the whole conference."""

        def run(target: Call) -> None:
            conference = self._ctx.phone().conference  # its participants switch together
            together = conference.has(target)
            for other in list(self._ctx.phone().calls.values()):
                if other is target or other.ended or (together and conference.has(other)):
                    continue
                if other.state == "connected" and not other.held_by_us:
                    other.hold()
            if together:
                conference.hold(False)
            elif target.direction == "incoming" and target.state == "incoming":
                target.answer()
            elif target.held_by_us:
                target.resume()

        return self._on_call(call, run)

    def mute(self, on: bool, call: CallRef | None = None) -> concurrent.futures.Future[None]:
        """Mute (send silence, no re-INVITE) one call, or every current call when
        `call` is None."""

        def run() -> None:
            targets = (
                [self._ctx.live_call(call)]
                if call is not None
                else [c for c in self._ctx.phone().calls.values() if not c.ended]
            )
            for c in targets:
                c.set_mute(on)
                self._ctx.tracker.set_muted(c.id, on)

        return self._ctx.engine.submit(run)

    def send_dtmf(self, call: CallRef, digits: str) -> concurrent.futures.Future[None]:
        """Send keys 0-9 * # A-D in the account's DTMF mode."""
        bad = sorted(set(digits) - DTMF_KEYS)
        if bad or not digits:
            return failed(
                AppError(f"{digits!r} cannot be sent as DTMF: use only 0-9, *, # and A-D")
            )
        return self._on_call(call, lambda c: c.send_dtmf(digits.upper()))

    def stats(self, call: CallRef) -> concurrent.futures.Future[dict[str, object]]:
        """Quality figures of a call's RTP stream (codec, packets, loss, jitter…)."""
        return self._on_call(call, lambda c: c.stats())

    def set_sas_verified(self, call: CallRef, verified: bool) -> concurrent.futures.Future[None]:
        """The user compared ZRTP's short authentication string with the other person
        (True) or withdrew that (False); kept in the ZRTP cache, so the next call with the
        same peer starts verified. AppError when the call has no ZRTP keys (yet)."""

        def run(c: Call) -> None:
            try:
                c.set_sas_verified(verified)
            except RuntimeError as exc:
                raise AppError(f"call {c.id} has no ZRTP security to verify") from exc

        return self._on_call(call, run)

    def silence_ringing(self, call: CallRef) -> concurrent.futures.Future[None]:
        """Stop the ringing (or call-waiting tone) of one incoming call; the call still
        rings at the caller's side and stays shown. It cannot be undone for this call."""
        return self._on_call(call, lambda c: self._ctx.phone().stop_ringing(c))

    def deflect(self, call: CallRef, target: str) -> concurrent.futures.Future[None]:
        """Send a ringing incoming call to `target` (a number on the account's domain or
        a SIP address): 302 with it as Contact. AppError when the call no longer rings
        or the target is no address."""
        return self._on_call(
            call, lambda c: _deflect(c, target, f"cannot deflect call {c.id} to {target!r}")
        )

    def send_to_voicemail(self, call: CallRef) -> concurrent.futures.Future[None]:
        """Deflect a ringing incoming call to its account's voicemail extension
        ("Transfer to voicemail"); AppError when the account has none."""

        def run(c: Call) -> None:
            extension = c.account.settings.voicemail_extension
            if not extension:
                raise AppError(
                    f"account {c.account.name} has no voicemail extension: set it in the "
                    "account's settings to send calls to voicemail"
                )
            _deflect(c, extension, f"cannot send call {c.id} to voicemail")

        return self._on_call(call, run)


def _deflect(call: Call, target: str, failure: str) -> None:
    """302 a ringing incoming call to `target`; AppError (`failure`: the reason) when
    it no longer rings or the target is no address."""
    if call.direction != "incoming" or call.state != "incoming":
        raise AppError(f"call {call.id} is not ringing: only a ringing call can be deflected")
    try:
        uri = deflect_target(target, call.account)
    except DeflectError as exc:
        raise AppError(f"{failure}: {exc}") from exc
    call.deflect(uri)
