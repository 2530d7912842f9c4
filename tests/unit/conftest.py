"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest
from uapair import Pair


@pytest.fixture
def ua_pair() -> Pair:
    """Two user-agent cores back to back on a fake network and clock (`uapair.py`)."""
    return Pair()
