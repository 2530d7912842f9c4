"""Local contacts: the model with the manual's rules, number matching, the SQLite store."""

from parley.contacts.model import (
    Contact,
    ContactError,
    ContactProblem,
    NumberType,
    PhoneNumber,
    filter_contacts,
    initials,
    read_avatar,
)
from parley.contacts.numbers import clean_number, is_dialable, normalize_number
from parley.contacts.store import ContactStore
from parley.history.db import StoreError

__all__ = [
    "Contact",
    "ContactError",
    "ContactProblem",
    "ContactStore",
    "NumberType",
    "PhoneNumber",
    "StoreError",
    "clean_number",
    "filter_contacts",
    "initials",
    "is_dialable",
    "normalize_number",
    "read_avatar",
]
