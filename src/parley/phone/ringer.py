"""The ringer: the ringtone and the call-waiting tone of incoming calls.

It decides which sound an incoming call makes (the ringtone when nothing else is up,
the call-waiting tone during a call, nothing for a call that is refused or
auto-answered) and remembers which calls were silenced: a silenced call stays silent
for good, also when the call that was up ends (the manual: once silenced, a call cannot
ring again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from parley.sip.headers import SipParseError
from parley.sip.message import Request

if TYPE_CHECKING:
    from parley.media.engine import MediaEngine
    from parley.phone.call import Call


class Ringer:
    """Rings incoming calls on the media engine's ringing device or speaker."""

    def __init__(
        self, media: Callable[[], MediaEngine], ringtone: Callable[[], Path | None]
    ) -> None:
        self._media = media
        self._ringtone = ringtone
        self._quiet: set[str] = set()  # SIP Call-IDs that must make no sound
        self._silenced: set[int] = set()  # calls whose ringing was stopped

    def keep_quiet(self, invite: Request) -> None:
        """The call this INVITE starts makes no sound (refused, or answered at once)."""
        try:
            self._quiet.add(invite.call_id)
        except SipParseError:
            pass

    def ring(self, call: Call, calls: Iterable[Call]) -> None:
        """`call` has become an incoming call: ring, or play the call-waiting tone when
        another call is up."""
        if call.id in self._silenced or self._is_quiet(call):
            return
        others = [c for c in calls if c is not call and c.state in ("connected", "held")]
        media = self._media()
        if others:
            media.play_tone("call_waiting", call)
        else:
            media.play_ringtone(call, self._ringtone())

    def silence(self, call: Call) -> None:
        """Stop this call's ringing for good (silenced, answered, rejected or ended)."""
        self._silenced.add(call.id)
        self._media().stop_tone(call)

    def call_ended(self, call: Call, calls: Iterable[Call]) -> None:
        """A call that was up ended: a call still waiting (and not silenced) now rings properly."""
        self._silenced.discard(call.id)
        self._forget_quiet(call)
        if call.connected_at is None:
            return  # only the end of a call that was up lets a waiting call ring
        live = [c for c in calls if not c.ended and c is not call]
        if any(c.state in ("connected", "held") for c in live):
            return
        waiting = [c for c in live if c.direction == "incoming" and c.state == "incoming"]
        if waiting:
            self.ring(waiting[-1], live)

    def _is_quiet(self, call: Call) -> bool:
        return call.session.call_id in self._quiet

    def _forget_quiet(self, call: Call) -> None:
        self._quiet.discard(call.session.call_id)
