"""What this user agent can do, as the headers that say so: Allow, Supported, Accept.

The user-agent core fills a `Capabilities` from what is registered with it — a handler
per method, the methods and extensions of each kind of dialog usage, the body types they
read — so what Parley advertises (in REGISTER, INVITE, OPTIONS, 405 and 415 answers) is
exactly what it answers, never a hand-written list (RFC 3261 §20.5, §20.37, §20.1).

Body types belong to the methods that read them: text/plain is for MESSAGE, not for
INVITE (an INVITE with a text/plain body gets 415, not a call without an offer). The
Accept header (OPTIONS, 405) lists them all; `accepted_for(method)` is what one method
takes.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["STANDARD_METHODS", "Capabilities"]

# Methods RFC 3261 and its extensions define; a request with one of them that nobody
# handles gets 405 with Allow, anything else 501 (RFC 3261 §8.2.1).
STANDARD_METHODS = (
    "INVITE",
    "ACK",
    "CANCEL",
    "BYE",
    "OPTIONS",
    "REGISTER",
    "PRACK",
    "UPDATE",
    "INFO",
    "SUBSCRIBE",
    "NOTIFY",
    "PUBLISH",
    "REFER",
    "MESSAGE",
)
# Every UA takes these: ACK and CANCEL ride on INVITE, OPTIONS the core answers itself.
_ALWAYS = ("ACK", "CANCEL", "OPTIONS")


class Capabilities:
    """Methods, option tags and body types the UA handles; the header values from them."""

    def __init__(self) -> None:
        self._methods: set[str] = set(_ALWAYS)
        self._extensions: set[str] = set()
        self._accept: set[str] = set()  # every method reads these
        self._accept_by_method: dict[str, set[str]] = {}

    def add(
        self,
        *,
        methods: Iterable[str] = (),
        extensions: Iterable[str] = (),
        accept: Iterable[str] = (),
        accept_for: Iterable[str] = (),
    ) -> None:
        """Register what a part of the UA handles. The `accept` types are read in
        requests of `accept_for` (default: the `methods` given here; neither: every
        method)."""
        methods = [m.upper() for m in methods]
        self._methods.update(methods)
        self._extensions.update(e.lower() for e in extensions)
        types = {a.lower() for a in accept}
        if not types:
            return
        scope = [m.upper() for m in accept_for] or methods
        if not scope:
            self._accept.update(types)
        for method in scope:
            self._accept_by_method.setdefault(method, set()).update(types)

    @property
    def methods(self) -> frozenset[str]:
        return frozenset(self._methods)

    @property
    def extensions(self) -> frozenset[str]:
        return frozenset(self._extensions)

    @property
    def accepted_types(self) -> frozenset[str]:
        """Every body type some method reads (the Accept header's list)."""
        return frozenset(self._accept.union(*self._accept_by_method.values()))

    def accepted_for(self, method: str) -> frozenset[str]:
        """The body types a request of `method` may carry (415 for others)."""
        return frozenset(self._accept | self._accept_by_method.get(method.upper(), set()))

    def allows(self, method: str) -> bool:
        return method.upper() in self._methods

    @property
    def allow(self) -> str:
        """The Allow value: standard methods in the RFC's order, then any others."""
        known = [m for m in STANDARD_METHODS if m in self._methods]
        others = sorted(m for m in self._methods if m not in STANDARD_METHODS)
        return ", ".join(known + others)

    @property
    def supported(self) -> str:
        return ", ".join(sorted(self._extensions))

    @property
    def accept(self) -> str:
        return ", ".join(sorted(self.accepted_types))
