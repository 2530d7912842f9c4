"""The local conference and query calls: our calls mixed in the audio bridge.

A conference is connections, no mixer of its own (the bridge mixes): every participant
in the mix hears every other one and our microphone; we hear them all. Per participant:
mute (its voice leaves the mix: nobody hears it, it still hears us), hold (a re-INVITE
hold: it hears music on hold, out of the mix), split (taken out into an ordinary held
call) and end. The whole conference: mute (our microphone: `Call.set_mute` on every
participant), hold (every participant held), end. A participant that hangs up leaves;
with one left the conference dissolves into an ordinary call.

While a call is in the conference, `Call.audio_hook` points here, and the call hands its
audio wiring over (its state changes, holds and mutes come back through the hook).

Query calls: dialling while a call is up holds the calls that are up first (as a PBX
phone does), see `hold_active`.

`Conference.slots()` gives the bridge slots whose sum is the conference as everybody
hears it (our microphone and each participant in the mix): a recording of any
participant's call records the mix (`recorded_far`, `recorded_near`: the phone hands
them to `parley.phone.recording`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from parley.phone.events import ConferenceChanged, PhoneEvent

if TYPE_CHECKING:
    from parley.media.engine import MediaEngine
    from parley.phone.call import Call

log = logging.getLogger(__name__)

MAX_PARTICIPANTS = 10  # the manual asks for at least 5; each one costs a codec's work


class ConferenceError(ValueError):
    """A conference command that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class ConferenceContext:
    """What the conference may use of the phone."""

    emit: Callable[[PhoneEvent], None]
    media: Callable[[], MediaEngine]
    calls: Callable[[], Iterable[Call]]  # the phone's calls (ended ones included)
    dial: Callable[[str, str | None], Awaitable[Call]]  # an outgoing call, nothing held


def _up(call: Call) -> bool:
    """A call that can take part: answered and not ended (held or not)."""
    return not call.ended and call.state == "connected"


def _ringing_out(call: Call) -> bool:
    """Our own call that the far end has not answered yet."""
    return (
        not call.ended
        and call.direction == "outgoing"
        and call.state in ("dialing", "ringing", "early media")
        and call.audio_hook is None
    )


class Conference:
    """The phone's one local conference (empty: none)."""

    def __init__(self, ctx: ConferenceContext) -> None:
        self._ctx = ctx
        self._members: list[Call] = []
        self._pending: list[Call] = []  # dialled to join once answered
        self._silenced: set[int] = set()  # call ids whose voice is out of the mix
        self._links: set[tuple[int, int]] = set()  # the bridge connections we made
        self._reported: ConferenceChanged = ConferenceChanged(calls=())

    # ------------------------------------------------------------------ reading

    @property
    def calls(self) -> tuple[int, ...]:
        return tuple(c.id for c in self._members)

    def has(self, call: Call) -> bool:
        return call in self._members

    @property
    def held(self) -> bool:
        """The whole conference is on hold (every participant held by us)."""
        return bool(self._members) and all(c.held_by_us for c in self._members)

    def _in_mix(self) -> list[Call]:
        return [c for c in self._members if _up(c) and not c.held_by_us and c.media is not None]

    def slots(self) -> list[int]:
        """The bridge slots whose sum is the conference's mix: our microphone (the device)
        and every participant whose voice is in the mix. Empty without a conference."""
        if not self._members:
            return []
        sources = [self._ctx.media().device_slot]
        for c in self._in_mix():
            if c.id not in self._silenced and c.media is not None:
                sources.append(c.media.slot)
        return sources

    def recorded_far(self, call: Call) -> list[int] | None:
        """What a recording of participant `call` takes as the far side: every
        participant whose voice is in the mix (the conference as we hear it), `call`
        itself or not; None when `call` is not in the conference."""
        if call not in self._members:
            return None
        device = self._ctx.media().device_slot
        return [s for s in self.slots() if s != device]

    def recorded_near(self, call: Call) -> bool | None:
        """Whether a recording of participant `call` takes our microphone: while any
        participant in the mix hears us (`call` itself may be held or muted on its
        own); None when `call` is not in the conference."""
        if call not in self._members:
            return None
        return any(not p.muted for p in self._in_mix())

    def recording_heir(self, call: Call) -> Call | None:
        """Who carries a recording of the conference on when participant `call` ends:
        another participant that is still up (the last one too: the conference
        dissolves into its call); None when `call` is not in the conference."""
        if call not in self._members:
            return None
        return next((c for c in self._members if c is not call and _up(c)), None)

    # ------------------------------------------------------------------ commands

    def join(self, calls: list[Call] | None = None) -> None:
        """Join `calls` (None: every call that is up) with the conference, or start one.
        Held calls are resumed. `ConferenceError` when fewer than two calls would be in it."""
        wanted = list(calls) if calls is not None else [c for c in self._ctx.calls() if _up(c)]
        for call in wanted:
            if not _up(call):
                raise ConferenceError(f"call {call.id} is not connected")
        new = [c for c in dict.fromkeys(wanted) if c not in self._members]
        if len(self._members) + len(new) < 2:
            raise ConferenceError("a conference needs at least two connected calls")
        if len(self._members) + len(new) > MAX_PARTICIPANTS:
            raise ConferenceError(f"a conference takes at most {MAX_PARTICIPANTS} calls")
        for call in new:  # all in first: a partial conference is never reported
            if call in self._pending:
                self._pending.remove(call)
            self._members.append(call)
            call.audio_hook = self._wire
        for call in new:
            if call.media is not None:
                call.media.disconnect()  # its own wiring to the device: ours from now on
            call.set_mute(call.muted)  # our microphone is muted in the bridge now
        for call in self._members:
            if call.held_by_us:
                call.resume()
        self._rewire()

    async def add(self, target: str, account: str | None = None) -> Call:
        """Dial `target`; the call joins the conference (or starts one with the calls that
        are up) once it is answered. Nothing is held meanwhile. With no call up yet but
        our own call still ringing, that call becomes a participant to be too: the
        conference is set up (and reported) once every one of them has answered."""
        if len(self._members) + len(self._pending) >= MAX_PARTICIPANTS:
            raise ConferenceError(f"a conference takes at most {MAX_PARTICIPANTS} calls")
        if not self._members and not any(_up(c) for c in self._ctx.calls()):
            for ringing in self._ctx.calls():
                if _ringing_out(ringing) and ringing not in self._pending:
                    self._pending.append(ringing)
                    ringing.audio_hook = self._wire
        call = await self._ctx.dial(target, account)
        if call not in self._pending:
            self._pending.append(call)
        call.audio_hook = self._wire
        self._wire(call)
        return call

    def leave(self) -> tuple[Call, Call]:
        """Leave a conference of two far parties so that they go on talking: the
        conference dissolves into two ordinary calls (returned), which the caller then
        connects (an attended transfer). With more participants that cannot be done:
        one transfer connects two parties only."""
        if len(self._members) != 2:
            raise ConferenceError(
                "only a conference with two other participants can be left to them"
                if self._members
                else "there is no conference"
            )
        first, second = self._members
        for call in (first, second):
            self._release(call, rewire=False)
        self._rewire()
        return first, second

    def split(self, call: Call) -> None:
        """Take `call` out of the conference into an ordinary held call."""
        if call not in self._members:
            raise ConferenceError(f"call {call.id} is not in the conference")
        self._release(call)
        if not call.held_by_us:
            call.hold()
        self._after_leaving()

    def mute_participant(self, call: Call, on: bool) -> None:
        """Take `call`'s voice out of the mix (nobody hears it; it still hears us), or back."""
        if call not in self._members:
            raise ConferenceError(f"call {call.id} is not in the conference")
        if on:
            self._silenced.add(call.id)
        else:
            self._silenced.discard(call.id)
        self._rewire()

    def hold(self, on: bool) -> None:
        """Hold every participant (they hear music on hold), or resume them all."""
        if not self._members:
            raise ConferenceError("there is no conference")
        for call in list(self._members):
            if on:
                call.hold()
            else:
                call.resume()
        self._rewire()

    def end(self) -> None:
        """Hang up every participant (and the calls dialled to join)."""
        if not self._members and not self._pending:
            raise ConferenceError("there is no conference")
        calls = self._members + self._pending
        for call in calls:
            self._release(call, rewire=False)
        self._pending.clear()
        self._rewire()
        for call in calls:
            call.hangup()

    def hold_active(self, keep: Call | None = None) -> None:
        """A query call: before a new call goes out, hold every call that is up and not
        held (the conference as a whole), except `keep`."""
        if any(not c.held_by_us for c in self._members if _up(c)):
            self.hold(True)
        for call in list(self._ctx.calls()):
            if call is not keep and _up(call) and not call.held_by_us:
                call.hold()

    # ------------------------------------------------------------------ from the calls

    def call_ended(self, call: Call) -> None:
        """A call ended: a participant leaves (the last one is an ordinary call again)."""
        if call in self._pending:
            self._pending.remove(call)
            call.audio_hook = None
            for other in self._pending:  # they may have waited for this one alone
                if _up(other):
                    asyncio.get_running_loop().call_soon(self._answered, other)
        if call in self._members:
            self._members.remove(call)
            self._silenced.discard(call.id)
            call.audio_hook = None
            self._after_leaving()

    def _wire(self, call: Call) -> None:
        """`Call.audio_hook`: the call's state, hold or mute changed."""
        if call in self._pending:
            if call.media is not None:
                if _up(call) and not call.held_by_us:
                    # Answered while another participant-to-be still rings: we talk
                    # to it as to an ordinary call until the conference is set up.
                    call.media.connect(speak=True, listen=True)
                else:
                    call.media.disconnect()  # ringing: nobody hears it yet
            if _up(call):
                # Not from inside the call's own state change: join on the next turn.
                asyncio.get_running_loop().call_soon(self._answered, call)
        elif call in self._members:
            self._rewire()
        else:  # left already
            call.audio_hook = None
            call.wire_audio()

    def _answered(self, call: Call) -> None:
        if call not in self._pending or not _up(call):
            return
        if not self._members and any(not _up(c) for c in self._pending):
            return  # set up only when every participant has answered: wait for the rest
        others = self._members or [c for c in self._ctx.calls() if _up(c) and c is not call]
        try:
            self.join([*others, call])
        except ConferenceError as exc:  # nobody left to confer with: an ordinary call
            log.info("call %s answered, but: %s", call.id, exc)
            self._pending.remove(call)
            call.audio_hook = None
            call.wire_audio()

    # ------------------------------------------------------------------ wiring

    def _release(self, call: Call, *, rewire: bool = True) -> None:
        """Give a call back its own wiring."""
        if call in self._members:
            self._members.remove(call)
        self._silenced.discard(call.id)
        call.audio_hook = None
        if call.media is not None:  # its links go now: its own wiring below must stay
            slot = call.media.slot
            bridge = self._ctx.media().bridge
            for link in [k for k in self._links if slot in k]:
                bridge.disconnect(*link)
                self._links.discard(link)
        if rewire:
            self._rewire()
        if not call.ended:
            call.set_mute(call.muted)  # our microphone muted in the stream again
            call.wire_audio()

    def _after_leaving(self) -> None:
        if len(self._members) == 1:  # the conference dissolves into an ordinary call
            self._release(self._members[0], rewire=False)
        self._rewire()

    def _rewire(self) -> None:
        """Make the bridge's connections what the participants' states say."""
        engine = self._ctx.media()
        bridge, device = engine.bridge, engine.device_slot
        mix = self._in_mix()
        want: set[tuple[int, int]] = set()
        for p in mix:
            assert p.media is not None
            if not p.muted:
                want.add((device, p.media.slot))  # they hear us
            if p.id in self._silenced:
                continue
            want.add((p.media.slot, device))  # we hear them
            for q in mix:
                if q is not p and q.media is not None:
                    want.add((p.media.slot, q.media.slot))  # the others hear them
        for src, dst in self._links - want:
            bridge.disconnect(src, dst)
        slots = bridge.slots
        for src, dst in want:
            if src in slots and dst in slots and not bridge.is_connected(src, dst):
                bridge.connect(src, dst)
        self._links = want
        self._report()

    def _report(self) -> None:
        event = ConferenceChanged(
            calls=self.calls,
            muted=tuple(c.id for c in self._members if c.id in self._silenced),
            held=self.held,
        )
        if event != self._reported:
            self._reported = event
            self._ctx.emit(event)
