"""Update check against a local HTTP server serving PyPI-shaped JSON: a newer, the same
and an older version, broken JSON, 404 and a dead port; and the Application's checker
reading it once a day (its last check kept in the data dir)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from parley.app.application import Application
from parley.app.updates import STATE_FILE, UpdateChecked
from parley.automation.updates import FeedError, FeedProblem, fetch_newest
from parley.media.engine import AudioConfig
from parley.settings.model import Settings
from peers.common import free_port, wait_until

pytestmark = pytest.mark.interop


def pypi(version: str) -> bytes:
    return json.dumps(
        {
            "info": {"name": "parley", "version": version},
            "releases": {"0.0.1": [{"yanked": False}], version: [{"yanked": False}]},
            "urls": [],
        }
    ).encode()


DOCUMENTS: dict[str, tuple[int, bytes]] = {
    "/newer/json": (200, pypi("0.2.0")),
    "/same/json": (200, pypi("0.1.0")),
    "/older/json": (200, pypi("0.0.9")),
    "/broken/json": (200, b'{"info": {"version": '),
}


class Feed(BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        status, body = DOCUMENTS.get(self.path, (404, b'{"message": "Not Found"}'))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def feed() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []
    server = ThreadingHTTPServer(
        ("127.0.0.1", free_port("tcp")), type("F", (Feed,), {"requests": requests})
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("path", "newest", "available"),
    [
        ("/newer/json", "0.2.0", True),
        ("/same/json", "0.1.0", False),
        ("/older/json", "0.0.9", False),
    ],
)
def test_versions_from_the_feed(
    feed: tuple[str, list[str]], path: str, newest: str, available: bool
) -> None:
    base, requests = feed
    result = fetch_newest(base + path, "0.1.0", timeout=10)
    assert (result.newest, result.available) == (newest, available)
    assert requests[-1] == path


@pytest.mark.parametrize(
    ("path", "problem", "status"),
    [("/broken/json", FeedProblem.BAD_FEED, None), ("/nothing/json", FeedProblem.HTTP_STATUS, 404)],
)
def test_bad_answers(
    feed: tuple[str, list[str]], path: str, problem: FeedProblem, status: int | None
) -> None:
    with pytest.raises(FeedError) as caught:
        fetch_newest(feed[0] + path, "0.1.0", timeout=10)
    assert caught.value.problem is problem and caught.value.status == status


def test_dead_port() -> None:
    with pytest.raises(FeedError) as caught:
        fetch_newest(f"http://127.0.0.1:{free_port('tcp')}/json", "0.1.0", timeout=10)
    assert caught.value.problem is FeedProblem.UNREACHABLE


def test_application_checks_once_a_day(feed: tuple[str, list[str]], tmp_path: Path) -> None:
    base, requests = feed
    settings = Settings()
    settings.automation.check_updates = True
    settings.automation.update_feed = base + "/newer/json"
    events: list[UpdateChecked] = []
    for _start in range(2):  # a second start the same day does not ask again
        app = Application(
            tmp_path / "settings.toml", settings=settings, use_keyring=False, data_dir=tmp_path
        )
        app.subscribe(lambda e: events.append(e) if isinstance(e, UpdateChecked) else None)
        before = len(requests)
        if _start == 0:
            app.updates.start()  # as Application.start does
            assert wait_until(lambda: bool(events), timeout=20)
            assert requests[before:] == ["/newer/json"]
            assert events == [UpdateChecked(app.updates.current, "0.2.0", True)]
        else:
            assert app.updates.check_if_due() is None
            assert requests[before:] == [] and len(events) == 1
        app.stop()
    assert json.loads((tmp_path / STATE_FILE).read_text())["newest"] == "0.2.0"


def test_failing_feed_told_once(tmp_path: Path) -> None:
    settings = Settings()
    settings.automation.check_updates = True
    settings.automation.update_feed = f"http://127.0.0.1:{free_port('tcp')}/json"
    events: list[UpdateChecked] = []
    app = Application(settings=settings, use_keyring=False, data_dir=tmp_path)
    app.subscribe(lambda e: events.append(e) if isinstance(e, UpdateChecked) else None)
    try:
        first = app.updates.submit().result(20)
        second = app.updates.submit().result(20)
    finally:
        app.stop()
    assert first.problem is second.problem is FeedProblem.UNREACHABLE
    assert [e.problem for e in events] == [FeedProblem.UNREACHABLE]


def test_switched_on_in_the_settings_checks_at_once(
    feed: tuple[str, list[str]], tmp_path: Path
) -> None:
    base, requests = feed
    app = Application(
        tmp_path / "settings.toml",
        settings=Settings(),
        use_keyring=False,
        data_dir=tmp_path,
        bind_host="127.0.0.1",
        audio=AudioConfig(),
    )
    events: list[UpdateChecked] = []
    app.subscribe(lambda e: events.append(e) if isinstance(e, UpdateChecked) else None)
    try:
        app.start().result(20)
        before = len(requests)
        new = app.settings.model_copy(deep=True)
        new.automation.check_updates = True
        new.automation.update_feed = base + "/same/json"
        app.update_settings(new).result(20)
        assert wait_until(lambda: bool(events), timeout=20)
        assert requests[before:] == ["/same/json"]
        assert events == [UpdateChecked(app.updates.current, "0.1.0", False)]
    finally:
        app.stop()
