"""Console commands for transfers: ``transfer TARGET [CALL]`` (blind) and
``attended CALL_A CALL_B`` (connect the far parties of two calls). Progress comes as
``{"event": "transfer", "call": N, "state": ..., "status": ...}`` lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.cli.i18n import N_, tr

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = N_("transfer TARGET [CALL] | attended CALL_A CALL_B")


def transfer(console: Console, rest: list[str]) -> None:
    if not rest:
        console.reply(tr("error: transfer to whom? e.g. 'transfer 1003' or 'transfer 1003 2'"))
        return
    call = console.call(rest[1:])
    console.wait(console.app.transfers.blind(call, rest[0]))
    console.reply(tr("call {call}: transferring to {target}", call=call.id, target=rest[0]))


def attended(console: Console, rest: list[str]) -> None:
    if len(rest) != 2:
        console.reply(tr("error: attended needs two calls, e.g. 'attended 1 2'; try 'calls'"))
        return
    first, second = console.call(rest[:1]), console.call(rest[1:])
    console.wait(console.app.transfers.attended(first, second))
    console.reply(
        tr(
            "call {first}: connecting its party with call {second}'s",
            first=first.id,
            second=second.id,
        )
    )


COMMANDS = {"transfer": transfer, "attended": attended}
