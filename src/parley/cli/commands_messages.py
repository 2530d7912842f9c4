"""Console commands for instant messages: ``message URI TEXT`` (the rest of the line is
the text) and ``messages [URI]`` (the conversations with their unread counts, or the last
messages with one person, which marks them read). Events come as
``{"event": "message", "from": ..., "text": ...}``, ``{"event": "typing", "from": ...,
"active": ...}`` and ``{"event": "message status", "message_id": N, "state": ...}`` lines.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from parley.app.contact_sources import outgoing_account
from parley.cli.i18n import N_, tr

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = "message URI TEXT | messages [URI]"

EVENT_KINDS = frozenset({"message", "typing", "message status"})
SHOWN = 20  # messages of one conversation that `messages URI` prints
# A message's delivery state as `messages URI` shows it (the codes of StoredMessage.state).
STATE_WORDS = {
    "sending": N_("sending"),
    "sent": N_("sent"),
    "delivered": N_("delivered"),
    "failed": N_("failed"),
}


def text_after(line: str, words: int) -> str:
    """What follows the first `words` words of `line`, as typed (inner spaces kept)."""
    rest = line.lstrip()
    for _ in range(words):
        parts = rest.split(None, 1)
        rest = parts[1] if len(parts) > 1 else ""
    return rest.strip()


def message(console: Console, rest: list[str]) -> None:
    text = text_after(console.line, 2) if console.line else " ".join(rest[1:])
    if len(rest) < 2 or not text:
        console.reply(tr("error: message to whom, saying what? e.g. 'message 1002 Hello there'"))
        return
    target = rest[0]
    # A contact source's contact is written to from the source's outgoing account.
    known = console.app.caller(target)
    account = outgoing_account(console.app.settings, known.source_id) if known else ""
    message_id = console.wait(console.app.messages.send(target, text, account or None))
    console.reply(tr("message {id} to {target}: sending", id=message_id, target=target))


def _when(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))


def messages(console: Console, rest: list[str]) -> None:
    facade = console.app.messages
    if not rest:
        found = facade.conversations()
        if not found:
            console.reply(tr("no conversations"))
        for c in found:
            name = f" ({c.name})" if c.name else ""
            arrow = ">" if c.last_direction == "out" else "<"
            console.reply(
                tr(
                    "{peer}{name}: {unread} unread — {when} {arrow} {text}",
                    peer=c.peer,
                    name=name,
                    unread=c.unread,
                    when=_when(c.last_at),
                    arrow=arrow,
                    text=c.last_text,
                )
            )
        return
    shown = facade.conversation(rest[0], SHOWN)
    if not shown:
        console.reply(tr("no messages with {peer}", peer=facade.peer_key(rest[0])))
        return
    for m in shown:
        arrow = ">" if m.direction == "out" else "<"
        said = tr(STATE_WORDS[m.state]) if m.state in STATE_WORDS else m.state
        state = f" [{said}{f' {m.status}' if m.status else ''}]" if m.direction == "out" else ""
        console.reply(f"{_when(m.at)} {arrow} {m.text}{state}")
    facade.mark_read(rest[0])


def event_line(data: dict[str, Any]) -> str:
    """The plain (not JSON) console line for a message event."""
    if data["event"] == "message":
        name = f" ({data['sender_name']})" if data.get("sender_name") else ""
        return tr(
            "message from {sender}{name}: {text}", sender=data["from"], name=name, text=data["text"]
        )
    return str(data.get("text", ""))


COMMANDS = {"message": message, "messages": messages}
