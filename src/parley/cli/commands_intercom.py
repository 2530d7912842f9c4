"""Console command `intercom TARGET [ACCOUNT]`: an outgoing intercom call (the account's
intercom prefix before the number; the PBX has the callee's phone answer by itself)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.cli.i18n import N_, tr

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = N_("intercom TARGET [ACCOUNT]")


def intercom(console: Console, rest: list[str]) -> None:
    if not rest:
        console.reply(tr("error: intercom to whom? e.g. 'intercom 1002'"))
        return
    account = rest[1] if len(rest) > 1 else None
    info = console.wait(console.app.dial(rest[0], account, intercom=True))
    console.reply(tr("call {call}: dialing {remote} (intercom)", call=info.id, remote=info.remote))


COMMANDS = {"intercom": intercom}
