"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from phonepair import PhonePair
from uapair import Pair


@pytest.fixture
def ua_pair() -> Pair:
    """Two user-agent cores back to back on a fake network and clock (`uapair.py`)."""
    return Pair()


@pytest.fixture
def make_phone_pair() -> Iterator[Callable[..., PhonePair]]:
    """Makes two `Phone`s back to back on a fake network and a virtual clock
    (`phonepair.py`); keywords as `PhonePair`. Each is stopped and closed afterwards."""
    made: list[PhonePair] = []

    def make(**kw: Any) -> PhonePair:
        pair = PhonePair(**kw)
        made.append(pair)
        return pair

    yield make
    for pair in made:
        pair.close()


@pytest.fixture
def phone_pair(make_phone_pair: Callable[..., PhonePair]) -> PhonePair:
    """Alice (1001, :5061) and Bob (1002, :5062) with a registrar on :5060, not started."""
    return make_phone_pair()
