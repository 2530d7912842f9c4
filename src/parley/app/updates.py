"""Checking for updates as a feature module: when `[automation] check_updates` is on, at
start and then every hour it looks whether a day has passed since the last check (kept
in the data dir, so restarts do not add checks) and reads the feed on its own thread.
The result is an `UpdateChecked` event (codes, no sentences); a failure is logged every
time but reported as an event only once until a check works again."""

from __future__ import annotations

import concurrent.futures
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from parley import __version__
from parley.app.events import SettingsApplied
from parley.automation.updates import FeedError, FeedProblem, fetch_newest, is_due
from parley.phone.events import PhoneEvent
from parley.settings.model import Settings

log = logging.getLogger(__name__)

STATE_FILE = "update-check.json"
POLL_SECONDS = 3600.0


@dataclass(frozen=True)
class UpdateChecked(PhoneEvent):
    """A check ended: `newest` the feed's version (empty when it failed), `available`
    True when it is newer than `current`; `problem` set when the check failed."""

    current: str
    newest: str = ""
    available: bool = False
    problem: FeedProblem | None = None
    status: int | None = None

    @property
    def kind(self) -> str:
        return "update"


class UpdateChecker:
    def __init__(
        self,
        settings: Callable[[], Settings],
        dispatch: Callable[[PhoneEvent], None],
        data_dir: Path,
        *,
        current: str = __version__,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._settings = settings
        self._dispatch = dispatch
        self._state_path = data_dir / STATE_FILE
        self.current = current
        self._now = now
        self._poll = poll_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- life cycle

    def start(self) -> None:
        """Begin the hourly look (a daemon thread); checks only while the setting is on."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="update-check", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()

    def on_event(self, event: PhoneEvent) -> None:
        """Settings applied (the check may just have been switched on): look now."""
        if isinstance(event, SettingsApplied):
            self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.check_if_due()
            except Exception:  # never let the thread die
                log.exception("update check failed")
            self._wake.wait(self._poll)
            self._wake.clear()

    # -- checking

    def check_if_due(self) -> UpdateChecked | None:
        """Check when the setting is on and a day has passed; None when nothing was done."""
        if not self._settings().automation.check_updates:
            return None
        state = self._load()
        last = state.get("last_check")
        last_check = _parse_time(last) if isinstance(last, str) else None
        if not is_due(last_check, self._now()):
            return None
        return self.check_now()

    def check_now(self) -> UpdateChecked:
        """Read the feed now (blocking), remember when, and report the result."""
        with self._lock:
            settings = self._settings().automation
            state = self._load()
            state["last_check"] = self._now().isoformat()
            try:
                result = fetch_newest(settings.update_feed, self.current, proxy=settings.http_proxy)
            except FeedError as exc:
                log.warning("update check at %s failed: %s", settings.update_feed, exc)
                event = UpdateChecked(self.current, problem=exc.problem, status=exc.status)
                told = bool(state.get("failure_reported"))
                state["failure_reported"] = True
                self._save(state)
                if not told:
                    self._dispatch(event)
                return event
            state["failure_reported"] = False
            state["newest"] = result.newest
            self._save(state)
            log.info("update check: newest %s, ours %s", result.newest, self.current)
            event = UpdateChecked(self.current, result.newest, result.available)
            self._dispatch(event)
            return event

    def submit(self) -> concurrent.futures.Future[UpdateChecked]:
        """`check_now` on a thread of its own."""
        future: concurrent.futures.Future[UpdateChecked] = concurrent.futures.Future()

        def work() -> None:
            try:
                future.set_result(self.check_now())
            except BaseException as exc:
                future.set_exception(exc)

        threading.Thread(target=work, name="update-check-now", daemon=True).start()
        return future

    # -- the state file

    def _load(self) -> dict[str, object]:
        try:
            data = json.loads(self._state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, state: dict[str, object]) -> None:
        try:
            self._state_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._state_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(state), encoding="utf-8")
            tmp.replace(self._state_path)
        except OSError as exc:
            log.warning("could not keep the update check time: %s", exc)


def _parse_time(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
