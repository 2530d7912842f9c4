"""Console command of call recording: `record on|off [CALL]` (CALL: the number `calls`
shows; without it, the active call). The file's path comes as a `recording` event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.cli.i18n import N_, tr

if TYPE_CHECKING:
    from parley.cli.console import Console, ConsoleCommand

HELP = N_("record on|off [CALL]")


def record(console: Console, rest: list[str]) -> None:
    if not rest or rest[0].lower() not in ("on", "off"):
        console.reply(tr("error: record on or off? e.g. 'record on' or 'record off 2'"))
        return
    on = rest[0].lower() == "on"
    call = console.call(rest[1:])
    path = console.wait(console.app.recordings.set(call, on))
    if on:
        console.reply(tr("call {call}: recording to {path}", call=call.id, path=path))
    else:
        console.reply(tr("call {call}: recording stopped", call=call.id))


COMMANDS: dict[str, ConsoleCommand] = {"record": record}
