"""Console commands for transfers: ``transfer TARGET [CALL]`` (blind) and
``attended CALL_A CALL_B`` (connect the far parties of two calls). Progress comes as
``{"event": "transfer", "call": N, "state": ..., "status": ...}`` lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = "transfer TARGET [CALL] | attended CALL_A CALL_B"


def transfer(console: Console, rest: list[str]) -> None:
    if not rest:
        console.reply("error: transfer to whom? e.g. 'transfer 1003' or 'transfer 1003 2'")
        return
    call = console.call(rest[1:])
    console.wait(console.app.transfers.blind(call, rest[0]))
    console.reply(f"call {call.id}: transferring to {rest[0]}")


def attended(console: Console, rest: list[str]) -> None:
    if len(rest) != 2:
        console.reply("error: attended needs two calls, e.g. 'attended 1 2'; try 'calls'")
        return
    first, second = console.call(rest[:1]), console.call(rest[1:])
    console.wait(console.app.transfers.attended(first, second))
    console.reply(f"call {first.id}: connecting its party with call {second.id}'s")


COMMANDS = {"transfer": transfer, "attended": attended}
