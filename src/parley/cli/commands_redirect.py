"""Console command for deflection: `deflect TARGET [CALL]` sends a ringing call on (302).

CALL is the call number `calls` shows; without it, the call ringing here (the most
recent one when several ring)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.cli.i18n import N_, tr

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = N_("deflect TARGET [CALL]")


def deflect(console: Console, rest: list[str]) -> None:
    if not rest:
        console.reply(tr("error: deflect to where? e.g. 'deflect 1003' or 'deflect sip:1003@pbx'"))
        return
    target, which = rest[0], rest[1:]
    if which:
        call = console.call(which)
    else:
        ringing = [c for c in console.app.list_calls() if c.state == "incoming"]
        if not ringing:
            console.reply(tr("error: no call is ringing; give the call number (see 'calls')"))
            return
        call = ringing[-1]
    console.wait(console.app.calls.deflect(call, target))
    console.reply(tr("call {call}: deflected to {target}", call=call.id, target=target))


COMMANDS = {"deflect": deflect}
