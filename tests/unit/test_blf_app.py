"""`app.blf` and the console's BLF words: the lines in the settings' order from any
thread, `watch` adding one, `pickup` refused with a sentence a person understands, and
the JSON line of the issue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_app import account, make_app

from parley.app import Application
from parley.app.blf import PickupFailed
from parley.cli.commands_blf import event_line
from parley.cli.texts import blf_text, event_data, pickup_problem_text
from parley.phone.events import BlfChanged, BlfState
from parley.phone.pickup import PickupProblem
from parley.settings import Settings

WAIT = 20.0


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Application]:
    blf_account = account(use_blf=True, blf_extensions=["1003", "sip:1004@pbx"])
    a = make_app(tmp_path, Settings(accounts=[blf_account]))
    a.start().result(WAIT)
    yield a
    a.stop()


def test_lines_watch_and_pickup_refused(app: Application) -> None:
    assert [(e.uri, e.state) for e in app.blf.lines()] == [
        ("1003", BlfState.UNKNOWN),
        ("sip:1004@pbx", BlfState.UNKNOWN),
    ]
    app.blf.watch("1005").result(WAIT)
    assert [e.uri for e in app.blf.lines()] == ["1003", "sip:1004@pbx", "1005"]
    assert app.phone is not None
    with pytest.raises(PickupFailed) as caught:
        app.blf.pickup("1003").result(WAIT)
    assert caught.value.problem is PickupProblem.NOT_RINGING
    assert caught.value.line == "1003"
    # The app says no sentence; the console words it.
    text = pickup_problem_text(caught.value.problem, caught.value.line)
    assert text == "Cannot pick up: nothing rings at 1003 now."


def test_the_json_line_and_the_sentences() -> None:
    ringing = BlfChanged("1003", BlfState.RINGING, "sip:1002@pbx", "office", "c", "l", "r")
    data = json.loads(json.dumps(event_data(ringing)))
    assert {k: data[k] for k in ("event", "uri", "state", "caller")} == {
        "event": "blf",
        "uri": "1003",
        "state": "ringing",
        "caller": "sip:1002@pbx",
    }
    assert data["text"] == ("1003 is ringing: sip:1002@pbx calls — 'pickup 1003' takes the call.")
    assert event_line(data).startswith("blf 1003: ringing — ")
    assert blf_text(BlfChanged("1003", BlfState.BUSY, "sip:1002@pbx")) == (
        "1003 is busy, with sip:1002@pbx."
    )
    assert blf_text(BlfChanged("1003", BlfState.HELD)) == "1003 is on hold."
    assert blf_text(BlfChanged("1003", BlfState.IDLE)) == "1003 is free."
    assert "unknown" in blf_text(BlfChanged("1003", BlfState.UNKNOWN))
