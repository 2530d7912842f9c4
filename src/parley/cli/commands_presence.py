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
from parley.cli.texts import PRESENCE_WORDS
from parley.sip.pidf import PresenceState

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = f"presence STATE [NOTE] (STATE: {'|'.join(STATES)}) | watch URI | unwatch URI"


def presence(console: Console, rest: list[str]) -> None:
    facade = console.app.presence
    if not rest:
        state, note = facade.state()
        console.reply(f"presence: {state.value}{f' — {note}' if note else ''}")
        return
    word = rest[0].lower()
    if word not in STATES:
        console.reply(f"error: no presence state {rest[0]!r}; one of: {', '.join(STATES)}")
        return
    note = text_after(console.line, 2) if console.line else " ".join(rest[1:])
    console.wait(facade.set_state(PresenceState(word), note))
    said = PRESENCE_WORDS[PresenceState(word)]
    console.reply(f"presence: {said}{f' — {note}' if note else ''}")


def watch(console: Console, rest: list[str]) -> None:
    if not rest:
        console.reply("error: watch whom? e.g. 'watch 1002' or 'watch sip:1002@pbx'")
        return
    console.wait(console.app.presence.watch(rest[0]))
    console.reply(f"watching {rest[0]}")


def unwatch(console: Console, rest: list[str]) -> None:
    if not rest:
        console.reply("error: unwatch whom?")
        return
    console.wait(console.app.presence.unwatch(rest[0]))
    console.reply(f"no longer watching {rest[0]}")


COMMANDS = {"presence": presence, "watch": watch, "unwatch": unwatch}
