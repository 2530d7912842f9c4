"""Console commands for ZRTP: `sas-verify [CALL]` and `sas-unverify [CALL]` say that the
short authentication string was compared with the other person (or withdraw it).

CALL is the call number `calls` shows; without it, the current call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.cli.i18n import N_, tr

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = N_("sas-verify [CALL] | sas-unverify [CALL]")


def _set(console: Console, rest: list[str], verified: bool) -> None:
    call = console.call(rest)
    console.wait(console.app.set_sas_verified(call.id, verified))
    if verified:
        console.reply(tr("call {call}: SAS verified", call=call.id))
    else:
        console.reply(tr("call {call}: SAS not verified", call=call.id))


def sas_verify(console: Console, rest: list[str]) -> None:
    _set(console, rest, True)


def sas_unverify(console: Console, rest: list[str]) -> None:
    _set(console, rest, False)


COMMANDS = {"sas-verify": sas_verify, "sas-unverify": sas_unverify}
