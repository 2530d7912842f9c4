"""Console command `intercom TARGET [ACCOUNT]`: an outgoing intercom call (the account's
intercom prefix before the number; the PBX has the callee's phone answer by itself)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = "intercom TARGET [ACCOUNT]"


def intercom(console: Console, rest: list[str]) -> None:
    if not rest:
        console.reply("error: intercom to whom? e.g. 'intercom 1002'")
        return
    account = rest[1] if len(rest) > 1 else None
    info = console.wait(console.app.dial(rest[0], account, intercom=True))
    console.reply(f"call {info.id}: dialing {info.remote} (intercom)")


COMMANDS = {"intercom": intercom}
