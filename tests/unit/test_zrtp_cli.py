"""The console's ZRTP words and commands: the SAS in call lines (text and JSON), the
verified state and the mismatch warning; `sas-verify`/`sas-unverify` reach the
application's facade with the call meant."""

from __future__ import annotations

import concurrent.futures
import json
from typing import Any

from parley.app.snapshots import CallInfo
from parley.cli import commands_zrtp
from parley.cli.console import EXTRA_COMMANDS, Console
from parley.cli.texts import event_data
from parley.phone.events import CallDirection, CallPhase, CallStateChanged


def event(**kw: object) -> CallStateChanged:
    base: dict[str, object] = {
        "call": 3,
        "account": "office",
        "direction": CallDirection("outgoing"),
        "state": CallPhase("connected"),
        "remote": "sip:1002@pbx",
        "media_encryption": "zrtp",
        "sas": "k7x2",
    }
    base.update(kw)
    return CallStateChanged(**base)  # type: ignore[arg-type]


def test_json_line_has_sas_and_verified() -> None:
    data = json.loads(json.dumps(event_data(event()), default=str))
    assert data["media_encryption"] == "zrtp"
    assert data["sas"] == "k7x2" and data["sas_verified"] is False
    assert data["zrtp_cache_mismatch"] is False
    assert "SAS k7x2" in data["text"] and "sas-verify" in data["text"]


def test_verified_and_mismatch_words() -> None:
    assert "SAS k7x2 (verified)" in event_data(event(sas_verified=True))["text"]
    warned = event_data(event(zrtp_cache_mismatch=True))["text"]
    assert "WARNING" in warned and "SAS k7x2" in warned


def test_plain_call_says_nothing_of_a_sas() -> None:
    assert "SAS" not in event_data(event(media_encryption="none", sas=""))["text"]


class FakeApp:
    def __init__(self) -> None:
        self.calls: list[tuple[int, bool]] = []

    def list_calls(self) -> list[CallInfo]:
        info = CallInfo(
            id=3,
            account="office",
            direction="outgoing",
            state="connected",
            remote="sip:1002@pbx",
            number="1002",
        )
        return [info]

    def set_sas_verified(self, call: int, verified: bool) -> concurrent.futures.Future[None]:
        self.calls.append((call, verified))
        f: concurrent.futures.Future[None] = concurrent.futures.Future()
        f.set_result(None)
        return f


def test_commands_reach_the_facade(capsys: Any) -> None:
    assert EXTRA_COMMANDS["sas-verify"] is commands_zrtp.sas_verify
    app = FakeApp()
    console = Console(app, as_json=False)  # type: ignore[arg-type]
    console._command(["sas-verify"])
    console._command(["sas-unverify", "3"])
    assert app.calls == [(3, True), (3, False)]
    out = capsys.readouterr().out
    assert "call 3: SAS verified" in out and "call 3: SAS not verified" in out
    assert "sas-verify [CALL]" in Console.help_text()
