"""Console command `voicemail [ACCOUNT]`: call the account's voicemail (its voicemail
extension). The counts come by themselves as ``{"event": "mwi", "account": ..., "new": N,
"old": N, "urgent_new": N}`` lines where the account has MWI on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.cli.i18n import N_, tr

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = N_("voicemail [ACCOUNT]")


def voicemail(console: Console, rest: list[str]) -> None:
    account = rest[0] if rest else None
    info = console.wait(console.app.voicemail.call(account))
    console.reply(
        tr("call {call}: dialing the voicemail {remote}", call=info.id, remote=info.remote)
    )


COMMANDS = {"voicemail": voicemail}
