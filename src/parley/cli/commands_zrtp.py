"""Console commands for ZRTP: `sas-verify [CALL]` and `sas-unverify [CALL]` say that the
short authentication string was compared with the other person (or withdraw it).

CALL is the call number `calls` shows; without it, the current call."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = "sas-verify [CALL] | sas-unverify [CALL]"


def _set(console: Console, rest: list[str], verified: bool) -> None:
    call = console.call(rest)
    console.wait(console.app.set_sas_verified(call.id, verified))
    word = "verified" if verified else "not verified"
    console.reply(f"call {call.id}: SAS {word}")


def sas_verify(console: Console, rest: list[str]) -> None:
    _set(console, rest, True)


def sas_unverify(console: Console, rest: list[str]) -> None:
    _set(console, rest, False)


COMMANDS = {"sas-verify": sas_verify, "sas-unverify": sas_unverify}
