"""The BLF facade: colleagues' lines (Busy Lamp Field) and picking up a call ringing there.

`lines()` may be read from any thread: it is kept here from the phone's `BlfChanged`
events, in the order of the settings (each enabled account with `use_blf`, its
`blf_extensions`), then the lines watched at run time. `watch` and `pickup` run on
the engine and return `concurrent.futures.Future`s.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable

from parley.app.context import AppContext, AppError
from parley.app.snapshots import CallInfo
from parley.phone.blf import BlfError
from parley.phone.events import BlfChanged, BlfState, PhoneEvent
from parley.phone.outgoing import DialError
from parley.phone.pickup import PickupError, PickupProblem

__all__ = ["Blf", "PickupFailed"]


class PickupFailed(AppError):
    """A pickup that cannot start: `problem` says why, `line` where; the front-ends
    word it (`parley.cli.texts.pickup_problem_text`, `parley.gui.texts.pickup_text`)."""

    def __init__(self, problem: PickupProblem, line: str) -> None:
        super().__init__(f"pickup at {line}: {problem.value}")
        self.problem = problem
        self.line = line


class Blf:
    """[app.blf] The BLF lines, watching one more, picking up."""

    def __init__(
        self,
        ctx: AppContext,
        subscribe: Callable[[Callable[[PhoneEvent], None]], Callable[[], None]],
    ) -> None:
        self._ctx = ctx
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], BlfChanged] = {}  # (account, uri) -> last
        self._watched: list[tuple[str, str]] = []  # lines added at run time
        subscribe(self._on_event)

    def _on_event(self, event: PhoneEvent) -> None:
        if isinstance(event, BlfChanged):
            with self._lock:
                self._known[(event.account, event.uri)] = event

    def lines(self) -> list[BlfChanged]:
        """The last known state of every line, in order (any thread)."""
        keys: list[tuple[str, str]] = []
        for a in self._ctx.settings().accounts:
            if a.enabled and a.use_blf:
                keys += [(a.name, uri.strip()) for uri in a.blf_extensions if uri.strip()]
        with self._lock:
            accounts = {a.name for a in self._ctx.settings().accounts if a.enabled}
            keys += [k for k in self._watched if k[0] in accounts]
            seen: set[tuple[str, str]] = set()
            found: list[BlfChanged] = []
            for key in keys:
                if key in seen:
                    continue
                seen.add(key)
                found.append(
                    self._known.get(key)
                    or BlfChanged(uri=key[1], state=BlfState.UNKNOWN, account=key[0])
                )
        return found

    def watch(self, uri: str) -> concurrent.futures.Future[None]:
        """Watch the line `uri` as well (a number on the account's domain, or a SIP URI),
        through the first account with BLF on (else the first registered one)."""

        def run() -> None:
            try:
                line = self._ctx.phone().blf.watch(uri)
            except BlfError as exc:
                raise AppError(str(exc)) from exc
            key = (line.account, line.uri)
            with self._lock:
                self._known.setdefault(key, line)
                if key not in self._watched:
                    self._watched.append(key)

        return self._ctx.engine.submit(run)

    def pickup(self, uri: str) -> concurrent.futures.Future[CallInfo]:
        """Pick up the call ringing at the line `uri`: the account's pickup code and the
        extension, or an INVITE with Replaces to the caller. Fails with `PickupFailed`
        when nothing can be picked up there."""
        return self._ctx.engine.call(self._pickup, uri)

    async def _pickup(self, uri: str) -> CallInfo:
        try:
            call = await self._ctx.phone().blf.pickup(uri)
        except PickupError as exc:
            raise PickupFailed(exc.problem, uri) from exc
        except BlfError as exc:  # no account to pick up with
            raise PickupFailed(PickupProblem.NO_ACCOUNT, uri) from exc
        except DialError as exc:
            raise PickupFailed(PickupProblem.DIAL_FAILED, uri) from exc
        tracker = self._ctx.tracker
        return tracker.get_call(call.id) or tracker.info_of(call)
