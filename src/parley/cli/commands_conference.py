"""Console commands of the local conference: `conference [CALL ...]` joins the given
calls (or every call) into it, `split CALL` takes one out into an ordinary held call.

`hold`, `resume`, `mute`, `unmute` and `hangup` also work on a participant's CALL (see
`participant_command`): `mute CALL` takes a participant's voice out of the mix, while a
plain `mute` still mutes our microphone; `hold`, `resume` and `hangup` without a CALL
act on the whole conference while there is one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.cli.i18n import N_, tr

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = N_("conference [CALL ...] | split CALL | mute/unmute CALL (a participant's voice)")

PARTICIPANT_COMMANDS = frozenset({"hold", "resume", "mute", "unmute", "hangup"})


def conference(console: Console, rest: list[str]) -> None:
    calls = [console.call([word]) for word in rest] if rest else None
    console.wait(console.app.conference.join(calls))
    joined = console.app.conference.calls()
    console.reply(tr("conference: calls {calls}", calls=" ".join(str(c) for c in joined)))


def split(console: Console, rest: list[str]) -> None:
    if not rest:
        console.reply(tr("error: split which call? e.g. 'split 2'"))
        return
    call = console.call(rest)
    console.wait(console.app.conference.split(call))
    console.reply(tr("call {call}: split from the conference, held", call=call.id))


def participant_command(console: Console, cmd: str, rest: list[str]) -> bool:
    """Carry out `cmd` when it concerns the conference or a participant; False leaves it
    to the console's own command."""
    app = console.app
    members = app.conference.calls()
    if cmd in ("mute", "unmute"):
        if not rest:
            return False  # our microphone, every call
        call = console.call(rest)
        on = cmd == "mute"
        if call.id in members:
            console.wait(app.conference.mute_participant(call, on))
            if on:
                console.reply(tr("call {call}: out of the conference mix", call=call.id))
            else:
                console.reply(tr("call {call}: back in the conference mix", call=call.id))
        else:
            console.wait(app.mute(on, call))
            if on:
                console.reply(tr("call {call}: muted", call=call.id))
            else:
                console.reply(tr("call {call}: unmuted", call=call.id))
        return True
    if rest or not members:
        return False  # a CALL given (a participant's own hold/hangup), or no conference
    if cmd in ("hold", "resume"):
        console.wait(app.conference.hold(cmd == "hold"))
        return True
    if cmd == "hangup" and not any(c.state == "incoming" for c in app.list_calls()):
        console.wait(app.conference.end())
        return True
    return False


COMMANDS = {"conference": conference, "split": split}
