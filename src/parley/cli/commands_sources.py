"""Console commands for contact sources (issue #10, exactly these words):
`lookup NUMBER` (the name and the source that knows it), `search TEXT` (across every
enabled source), `sources` (each with its state, count and last error), `sync [SOURCE]`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.app.contact_sources import status_event
from parley.cli.source_texts import source_text

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = "lookup NUMBER | search TEXT | sources | sync [SOURCE]"
SEARCH_LIMIT = 50


def lookup(console: Console, rest: list[str]) -> None:
    if not rest:
        console.reply("usage: lookup NUMBER")
        return
    number = " ".join(rest)
    match = console.app.caller(number)
    if match is None:
        console.reply(f"{number}: not known to any contact source")
        return
    console.reply(f"{number}: {match.contact.name} (from {match.source_name})")


def search(console: Console, rest: list[str]) -> None:
    text = console.line.split(None, 1)[1].strip() if len(console.line.split(None, 1)) > 1 else ""
    if not text:
        console.reply("usage: search TEXT")
        return
    found = console.app.contact_sources.list_contacts(text, limit=SEARCH_LIMIT)
    if not found:
        console.reply(f"nothing found for {text!r}")
        return
    for listed in found:
        numbers = ", ".join(n.number for n in listed.contact.numbers) or "no number"
        console.reply(f"{listed.contact.name}: {numbers} ({listed.source_name})")


def sources(console: Console, rest: list[str]) -> None:
    registry = console.app.contact_sources
    for source in registry.all():
        settings = source.settings
        state = "on" if settings.enabled else "off"
        line = source_text(status_event(settings.id, source.status()))
        if settings.books:  # carddav, google: only these address books are read
            line += f"; address books: {', '.join(settings.books)}"
        console.reply(f"{settings.id} [{state}] {settings.kind} {settings.name!r}: {line}")


def sync(console: Console, rest: list[str]) -> None:
    registry = console.app.contact_sources
    if rest:
        ids = {s.settings.id for s in registry.all()}
        if rest[0] not in ids:
            console.reply(f"no contact source {rest[0]!r}; `sources` lists them")
            return
    registry.sync(rest[0] if rest else None)
    console.reply("synchronising" + (f" {rest[0]}" if rest else " every enabled source"))


COMMANDS = {"lookup": lookup, "search": search, "sources": sources, "sync": sync}
