"""Console command `voicemail [ACCOUNT]`: call the account's voicemail (its voicemail
extension). The counts come by themselves as ``{"event": "mwi", "account": ..., "new": N,
"old": N, "urgent_new": N}`` lines where the account has MWI on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = "voicemail [ACCOUNT]"


def voicemail(console: Console, rest: list[str]) -> None:
    account = rest[0] if rest else None
    info = console.wait(console.app.voicemail.call(account))
    console.reply(f"call {info.id}: dialing the voicemail {info.remote}")


COMMANDS = {"voicemail": voicemail}
