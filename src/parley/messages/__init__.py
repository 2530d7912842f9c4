"""Instant-message conversations: the stored messages and the SQLite store.

(The phone's `parley.phone.messages` sends and receives them; `parley.app.messages` is the
front-ends' facade.)
"""

from parley.history.db import StoreError
from parley.messages.model import ConversationInfo, Direction, StoredMessage, normalise_peer
from parley.messages.store import MessageStore

__all__ = [
    "ConversationInfo",
    "Direction",
    "MessageStore",
    "StoreError",
    "StoredMessage",
    "normalise_peer",
]
