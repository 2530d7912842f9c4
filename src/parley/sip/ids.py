"""Identifiers a UA mints: Via branches, tags, Call-IDs (RFC 3261 §8.1.1.3-7).

The random source is injected so tests can be deterministic; production code passes
`random.SystemRandom()` (the default), which does no I/O worth mentioning.
"""

from __future__ import annotations

import random

MAGIC_COOKIE = "z9hG4bK"  # RFC 3261 §8.1.1.7
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_SYSTEM = random.SystemRandom()


def random_token(length: int = 16, rng: random.Random | None = None) -> str:
    r = rng or _SYSTEM
    return "".join(r.choice(_ALPHABET) for _ in range(length))


def new_branch(rng: random.Random | None = None) -> str:
    """A branch unique in space and time, with the RFC 3261 magic cookie."""
    return MAGIC_COOKIE + random_token(20, rng)


def new_tag(rng: random.Random | None = None) -> str:
    return random_token(12, rng)


def new_call_id(host: str, rng: random.Random | None = None) -> str:
    return f"{random_token(24, rng)}@{host.strip('[]')}"


class IdSource:
    """The one source of randomness of a user agent: branches, tags, Call-IDs, cnonces.

    Everything the core and its usages mint goes through here, so a test that seeds it
    (`IdSource(random.Random(1))`) gets the same messages on every run.
    """

    def __init__(self, rng: random.Random | None = None) -> None:
        self.rng: random.Random = rng or random.SystemRandom()

    def branch(self) -> str:
        return new_branch(self.rng)

    def tag(self) -> str:
        return new_tag(self.rng)

    def call_id(self, host: str) -> str:
        return new_call_id(host, self.rng)

    def cnonce(self) -> str:
        """A client nonce for digest (RFC 7616 §3.4): 16 hex digits."""
        return f"{self.rng.getrandbits(64):016x}"
