"""The call history: entries, their call types and the SQLite store.

(The recorder that turns phone events into entries is `parley.app.recorder`: it sits above
the phone.)
"""

from parley.history.db import StoreError
from parley.history.model import (
    REFUSED_BY_CALLEE,
    CallType,
    Direction,
    HistoryEntry,
    classify,
    number_of,
)
from parley.history.store import HistoryStore

__all__ = [
    "REFUSED_BY_CALLEE",
    "CallType",
    "Direction",
    "HistoryEntry",
    "HistoryStore",
    "StoreError",
    "classify",
    "number_of",
]
