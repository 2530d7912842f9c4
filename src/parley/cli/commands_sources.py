"""Console commands for contact sources (issue #10, exactly these words):
`lookup NUMBER` (the name and the source that knows it), `search TEXT` (across every
enabled source), `sources` (each with its state, count and last error), `sync [SOURCE]`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.app.contact_sources import status_event
from parley.cli.i18n import N_, tr
from parley.cli.source_texts import source_text

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = N_("lookup NUMBER | search TEXT | sources | sync [SOURCE]")
SEARCH_LIMIT = 50


def lookup(console: Console, rest: list[str]) -> None:
    if not rest:
        console.reply(tr("usage: lookup NUMBER"))
        return
    number = " ".join(rest)
    match = console.app.caller(number)
    if match is None:
        console.reply(tr("{number}: not known to any contact source", number=number))
        return
    console.reply(
        tr(
            "{number}: {name} (from {source})",
            number=number,
            name=match.contact.name,
            source=match.source_name,
        )
    )


def search(console: Console, rest: list[str]) -> None:
    text = console.line.split(None, 1)[1].strip() if len(console.line.split(None, 1)) > 1 else ""
    if not text:
        console.reply(tr("usage: search TEXT"))
        return
    found = console.app.contact_sources.list_contacts(text, limit=SEARCH_LIMIT)
    if not found:
        console.reply(tr("nothing found for {text!r}", text=text))
        return
    for listed in found:
        numbers = ", ".join(n.number for n in listed.contact.numbers) or tr("no number")
        console.reply(f"{listed.contact.name}: {numbers} ({listed.source_name})")


def sources(console: Console, rest: list[str]) -> None:
    registry = console.app.contact_sources
    for source in registry.all():
        settings = source.settings
        line = source_text(status_event(settings.id, source.status()))
        if settings.books:  # carddav, google: only these address books are read
            line += tr("; address books: {books}", books=", ".join(settings.books))
        # [on]/[off] inside the sentence: a short word alone could mean another thing.
        said = (
            N_("{id} [on] {kind} {name!r}: {line}")
            if settings.enabled
            else N_("{id} [off] {kind} {name!r}: {line}")
        )
        console.reply(tr(said, id=settings.id, kind=settings.kind, name=settings.name, line=line))


def sync(console: Console, rest: list[str]) -> None:
    registry = console.app.contact_sources
    if rest:
        ids = {s.settings.id for s in registry.all()}
        if rest[0] not in ids:
            console.reply(tr("no contact source {source!r}; `sources` lists them", source=rest[0]))
            return
    registry.sync(rest[0] if rest else None)
    console.reply(
        tr("synchronising {source}", source=rest[0])
        if rest
        else tr("synchronising every enabled source")
    )


COMMANDS = {"lookup": lookup, "search": search, "sources": sources, "sync": sync}
