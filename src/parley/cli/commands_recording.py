"""Console command of call recording: `record on|off [CALL]` (CALL: the number `calls`
shows; without it, the active call). The file's path comes as a `recording` event."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parley.cli.console import Console, ConsoleCommand

HELP = "record on|off [CALL]"


def record(console: Console, rest: list[str]) -> None:
    if not rest or rest[0].lower() not in ("on", "off"):
        console.reply("error: record on or off? e.g. 'record on' or 'record off 2'")
        return
    on = rest[0].lower() == "on"
    call = console.call(rest[1:])
    path = console.wait(console.app.recordings.set(call, on))
    if on:
        console.reply(f"call {call.id}: recording to {path}")
    else:
        console.reply(f"call {call.id}: recording stopped")


COMMANDS: dict[str, ConsoleCommand] = {"record": record}
