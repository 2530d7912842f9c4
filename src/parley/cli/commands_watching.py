"""Console command ``watching``: the presence of everyone watched — `watch`ed addresses,
local contacts and the contacts of sources with a presence account — one line each,
with the account it came through ("sip:1002@pbx is busy — in a meeting. (through office)")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.cli.i18n import tr
from parley.cli.texts import presence_text

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = "watching"  # a command name only: nothing to translate


def watching(console: Console, rest: list[str]) -> None:
    known = console.app.presence.watched()
    if not known:
        console.reply(
            tr(
                "no presence known yet: 'watch URI', a contact's presence address or a "
                "contact source's presence account (Settings › Contacts) adds some"
            )
        )
        return
    for uri in sorted(known):
        event = known[uri]
        said = presence_text(event)
        if event.account:
            said = tr("{presence} (through {account})", presence=said, account=event.account)
        console.reply(said)


COMMANDS = {"watching": watching}
