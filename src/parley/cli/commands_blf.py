"""Console commands for the BLF: ``blf URI`` (watch that line too and print its state)
and ``pickup URI`` (take the call ringing there). Line changes come as
``{"event": "blf", "uri": ..., "state": "idle"|"ringing"|"busy"|"held"|"unknown",
"caller": ...}`` lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from parley.app.blf import PickupFailed
from parley.cli.i18n import tr
from parley.cli.texts import blf_text, pickup_problem_text

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = "blf URI | pickup URI"

EVENT_KINDS = frozenset({"blf"})


def blf(console: Console, rest: list[str]) -> None:
    if not rest:
        lines = console.app.blf.lines()
        if not lines:
            console.reply(tr("error: watch which line? e.g. 'blf 1003'"))
        for line in lines:
            console.reply(blf_text(line))
        return
    uri = rest[0]
    console.wait(console.app.blf.watch(uri))
    for line in console.app.blf.lines():
        if line.uri == uri:
            console.reply(blf_text(line))
            return
    console.reply(tr("{uri}: watched", uri=uri))


def pickup(console: Console, rest: list[str]) -> None:
    if not rest:
        console.reply(tr("error: pick up at which line? e.g. 'pickup 1003'"))
        return
    try:
        info = console.wait(console.app.blf.pickup(rest[0]))
    except PickupFailed as exc:
        raise ValueError(pickup_problem_text(exc.problem, exc.line)) from exc
    console.reply(
        tr(
            "call {call}: picking up the call at {line} ({remote})",
            call=info.id,
            line=rest[0],
            remote=info.remote,
        )
    )


def event_line(data: dict[str, Any]) -> str:
    """The plain (not JSON) console line for a BLF event."""
    return f"blf {data['uri']}: {data['state']} — {data.get('text', '')}"


COMMANDS = {"blf": blf, "pickup": pickup}
