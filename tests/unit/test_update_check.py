"""Update check, sans IO: version ordering (the package index's), the feed's newest
version, once a day, and the checker's bookkeeping with a fake feed."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from parley.app import updates as app_updates
from parley.app.updates import UpdateChecked, UpdateChecker
from parley.automation.updates import (
    FeedError,
    FeedProblem,
    UpdateResult,
    is_due,
    is_newer,
    newest_in_feed,
    version_key,
)
from parley.settings.model import Settings

ORDERED = [
    "0.9",
    "1.0.dev1",
    "1.0a1",
    "1.0a2",
    "1.0b1",
    "1.0rc1",
    "1.0",
    "1.0.post1",
    "1.0.1",
    "1.2",
    "1.10",
    "2!0.1",
]


@pytest.mark.parametrize("pair", list(itertools.pairwise(ORDERED)))
def test_versions_in_index_order(pair: tuple[str, str]) -> None:
    older, newer = pair
    assert is_newer(newer, older)
    assert not is_newer(older, newer)


def test_equal_versions_and_junk() -> None:
    assert not is_newer("1.0.0", "1.0")
    assert not is_newer("v1.0", "1.0")
    assert version_key("1.0+local") == version_key("1.0")
    assert version_key("latest") is None
    assert not is_newer("banana", "0.1.0")
    assert not is_newer("9.9", "not a version")


def feed(version: str, releases: dict[str, list[dict[str, object]]] | None = None) -> bytes:
    return json.dumps({"info": {"version": version}, "releases": releases or {}}).encode()


def test_newest_in_feed() -> None:
    assert newest_in_feed(feed("0.3.0")) == "0.3.0"
    releases: dict[str, list[dict[str, object]]] = {
        "0.2.0": [{"yanked": False}],
        "0.10.0": [{"yanked": False}],
        "0.11.0": [{"yanked": True}],  # yanked: not offered
        "1.0rc1": [{"yanked": False}],  # pre-release: not offered
        "junk": [],
    }
    assert newest_in_feed(feed("0.2.0", releases)) == "0.10.0"
    assert newest_in_feed(feed("0.2.0", releases), prereleases=True) == "1.0rc1"


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b'{"info": {}}', b"\xff\xfe", b'"1.0"'])
def test_broken_feed_refused(body: bytes) -> None:
    with pytest.raises(FeedError) as caught:
        newest_in_feed(body)
    assert caught.value.problem is FeedProblem.BAD_FEED


def test_once_a_day() -> None:
    now = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
    assert is_due(None, now)
    assert not is_due(now - timedelta(hours=23), now)
    assert is_due(now - timedelta(days=1), now)
    assert is_due(now + timedelta(days=3), now)  # clock went back: check again


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def checker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers: list[object], *, on: bool = True
) -> tuple[UpdateChecker, list[UpdateChecked], list[str], Clock]:
    settings = Settings()
    settings.automation.check_updates = on
    settings.automation.update_feed = "http://127.0.0.1:9/feed.json"
    events: list[UpdateChecked] = []
    asked: list[str] = []

    def fake_fetch(url: str, current: str, **_kw: object) -> UpdateResult:
        asked.append(url)
        answer = answers.pop(0)
        if isinstance(answer, FeedError):
            raise answer
        assert isinstance(answer, str)
        return UpdateResult(current, answer)

    monkeypatch.setattr(app_updates, "fetch_newest", fake_fetch)
    clock = Clock()
    made = UpdateChecker(
        lambda: settings,
        lambda e: events.append(e),  # type: ignore[arg-type]
        tmp_path,
        current="0.1.0",
        now=clock,
    )
    return made, events, asked, clock


def test_off_by_default_and_never_asks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().automation.check_updates is False
    assert Settings().automation.update_feed == "https://pypi.org/pypi/parley/json"
    made, events, asked, _ = checker(tmp_path, monkeypatch, ["9.0"], on=False)
    assert made.check_if_due() is None
    assert asked == [] and events == []


def test_daily_and_kept_across_restarts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made, events, asked, clock = checker(tmp_path, monkeypatch, ["0.2.0"])
    first = made.check_if_due()
    assert first == UpdateChecked("0.1.0", "0.2.0", True)
    assert events == [first]
    clock.now += timedelta(hours=5)
    assert made.check_if_due() is None
    # A new start (new checker, same data dir) within the day does not ask either.
    again, _events2, asked2, clock2 = checker(tmp_path, monkeypatch, ["0.2.0"])
    clock2.now = clock.now
    assert again.check_if_due() is None and asked2 == []
    saved = json.loads((tmp_path / app_updates.STATE_FILE).read_text())
    assert saved["newest"] == "0.2.0"
    clock2.now += timedelta(hours=20)
    assert again.check_if_due() is not None
    assert len(asked) == 1 and len(asked2) == 1


def test_failure_reported_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dead = FeedError(FeedProblem.UNREACHABLE, "refused")
    made, events, _asked, _ = checker(tmp_path, monkeypatch, [dead, dead, "0.1.0", dead])
    assert made.check_now().problem is FeedProblem.UNREACHABLE
    assert made.check_now().problem is FeedProblem.UNREACHABLE
    assert [e.problem for e in events] == [FeedProblem.UNREACHABLE]  # told once
    assert made.check_now() == UpdateChecked("0.1.0", "0.1.0", False)
    made.check_now()  # failing again after a success: told again, once
    assert [e.problem for e in events] == [FeedProblem.UNREACHABLE, None, FeedProblem.UNREACHABLE]
