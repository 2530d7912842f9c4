"""The messages facade: instant messages and typing notification for the front-ends.

`send` and `typing` run on the engine and return `concurrent.futures.Future`s; what
happens next comes as events through `Application.subscribe` (`MessageStatus` for ours,
`MessageReceived` and `TypingChanged` for theirs). The conversations are read from the
message store, safe on any thread.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from dataclasses import replace

from parley.app.context import AppContext, AppError
from parley.history.db import StoreError
from parley.messages.model import ConversationInfo, StoredMessage, normalise_peer
from parley.messages.store import MessageStore
from parley.phone.messages import MessageError
from parley.sip.headers import SipParseError
from parley.sip.uri import SipURI

log = logging.getLogger(__name__)

__all__ = ["Messages"]


class Messages:
    """[app.messages] Send, type, and read the stored conversations."""

    def __init__(
        self,
        ctx: AppContext,
        store: MessageStore,
        contact_name: Callable[[str], str | None] = lambda _number: None,
    ) -> None:
        self._ctx = ctx
        self.store = store
        self._contact_name = contact_name

    # ------------------------------------------------------------------ engine commands

    def send(
        self, uri: str, text: str, account: str | None = None
    ) -> concurrent.futures.Future[int]:
        """Send `text` to `uri` (a SIP URI, or a number on the account's domain) from
        `account` (default: the first registered one); the future has the message id as
        soon as it is stored and on its way. Delivery comes as `MessageStatus` events."""
        return self._ctx.engine.call(self._send, uri, text, account)

    async def _send(self, uri: str, text: str, account: str | None) -> int:
        try:
            return await self._ctx.phone().messages.send(uri, text, account)
        except MessageError as exc:
            raise AppError(str(exc)) from exc

    def typing(self, uri: str, active: bool) -> concurrent.futures.Future[None]:
        """The person types to `uri` (True, call on each keystroke: it is throttled) or
        stopped (False). Nothing is sent where the account's typing notification is off."""
        return self._ctx.command(
            lambda: self._ctx.phone().messages.typing(uri, active), MessageError
        )

    # ------------------------------------------------------------------ the store (any thread)

    def conversations(self) -> list[ConversationInfo]:
        """Every conversation, the most recent first; the name from the message, else
        from the contacts."""
        found = []
        for info in self.store.conversations():
            if not info.name:
                info = replace(info, name=self._name_for(info.peer))
            found.append(info)
        return found

    def conversation(self, uri: str, limit: int = 200) -> list[StoredMessage]:
        """The last `limit` messages with `uri`, oldest first."""
        return self.store.conversation(uri, limit)

    def search(self, text: str) -> list[StoredMessage]:
        """Messages containing `text` (any case), the newest first."""
        return self.store.search(text)

    def mark_read(self, uri: str) -> None:
        self.store.mark_read(uri)

    def unread(self) -> int:
        """Unread messages in all conversations."""
        return self.store.unread()

    @staticmethod
    def peer_key(uri: str) -> str:
        """The conversation key `uri` belongs to (sip:user@host)."""
        return normalise_peer(uri)

    def close(self) -> None:
        self.store.close()

    def _name_for(self, peer: str) -> str | None:
        try:
            user = SipURI.parse(peer).user
        except SipParseError:
            return None
        if not user:
            return None
        try:
            return self._contact_name(user)
        except StoreError:
            log.exception("contact look-up for %s failed", peer)
            return None
