"""Console commands for presence: ``presence STATE [NOTE]`` (our state, one of online,
invisible, away, busy, offline, lunch, on-the-phone, brb; the rest of the line is the
note; it is saved in the settings file), ``presence`` alone (our state now), ``watch URI``
and ``unwatch URI``. Events come as ``{"event": "presence", "uri": ..., "state": ...,
"note": ...}`` (``"own": true`` for ours), ``{"event": "subscription", "uri": ...,
"package": ..., "state": ..., "reason": ...}`` and ``{"event": "publication", ...}``
(plain lines: "presence: sip:1002@pbx is busy — in a meeting.").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.app.presence import STATES
from parley.cli.commands_messages import text_after
from parley.cli.i18n import N_, tr
from parley.cli.texts import PRESENCE_WORDS
from parley.sip.pidf import PresenceState

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = N_(
    "presence STATE [NOTE] (STATE: online|invisible|away|busy|offline|lunch|on-the-phone|brb)"
    " | watch URI | unwatch URI"
)  # a literal for the translation; a unit test keeps it equal to STATES


def _note(note: str) -> str:
    return f" — {note}" if note else ""


def presence(console: Console, rest: list[str]) -> None:
    facade = console.app.presence
    if not rest:
        state, note = facade.state()
        # The state as typed after `presence` (a code), in either language.
        console.reply(tr("presence: {state}{note}", state=state.value, note=_note(note)))
        return
    word = rest[0].lower()
    if word not in STATES:
        console.reply(
            tr(
                "error: no presence state {word}; one of: {states}",
                word=repr(rest[0]),
                states=", ".join(STATES),
            )
        )
        return
    note = text_after(console.line, 2) if console.line else " ".join(rest[1:])
    console.wait(facade.set_state(PresenceState(word), note))
    said = tr(PRESENCE_WORDS[PresenceState(word)])
    console.reply(tr("presence: {state}{note}", state=said, note=_note(note)))


def watch(console: Console, rest: list[str]) -> None:
    if not rest:
        console.reply(tr("error: watch whom? e.g. 'watch 1002' or 'watch sip:1002@pbx'"))
        return
    console.wait(console.app.presence.watch(rest[0]))
    console.reply(tr("watching {uri}", uri=rest[0]))


def unwatch(console: Console, rest: list[str]) -> None:
    if not rest:
        console.reply(tr("error: unwatch whom?"))
        return
    console.wait(console.app.presence.unwatch(rest[0]))
    console.reply(tr("no longer watching {uri}", uri=rest[0]))


COMMANDS = {"presence": presence, "watch": watch, "unwatch": unwatch}
