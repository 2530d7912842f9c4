"""The console's English sentences, made from the phone's codes and enums."""

from __future__ import annotations

import json

import pytest

from parley.cli.console import Console
from parley.cli.texts import account_text, call_text, end_text
from parley.phone.events import (
    AccountStateChanged,
    CallDirection,
    CallPhase,
    CallStateChanged,
    EndCause,
    HeldBy,
    Party,
    RegCause,
    RegState,
)


def call_event(state: CallPhase, **kw: object) -> CallStateChanged:
    data: dict[str, object] = {
        "call": 7,
        "account": "office",
        "direction": CallDirection.OUTGOING,
        "state": state,
        "remote": "sip:1002@127.0.0.1",
    }
    data.update(kw)
    return CallStateChanged(**data)  # type: ignore[arg-type]


WRONG_PASSWORD = AccountStateChanged(
    account="office",
    state=RegState.FAILED,
    status=401,
    reason="Unauthorized",
    cause=RegCause.WRONG_PASSWORD,
    user="1001",
    domain="127.0.0.1:5060",
    transport="udp",
)


def test_server_silence_is_not_no_answer() -> None:
    assert end_text(EndCause.NO_RESPONSE, 408) == "The server did not answer"
    assert end_text(EndCause.UNREACHABLE, 503) == "The server could not be reached"
    assert end_text(EndCause.REJECTED, 408) == end_text(EndCause.REJECTED, 480) == "No answer"
    assert end_text(EndCause.REJECTED, 603, "incoming") == "Rejected"
    assert end_text(EndCause.MEDIA_FAILED, 488, detail="no PCMU") == "No common codec (no PCMU)"


def test_wrong_password_names_the_account_and_what_to_check() -> None:
    text = account_text(WRONG_PASSWORD)
    assert "account office" in text and "user 1001" in text and "401 Unauthorized" in text
    assert "user name" in text and "password" in text and "capitalisation" in text


def test_states_held_and_muted_come_from_the_event() -> None:
    assert call_text(call_event(CallPhase.HELD, held=HeldBy.THEM)) == "Held by the other side."
    assert call_text(call_event(CallPhase.DIALING)) == "Calling…"


@pytest.mark.parametrize("as_json", [False, True])
def test_console_prints_the_english_sentence(
    as_json: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    console = Console(None, as_json=as_json)  # type: ignore[arg-type]
    end = call_event(
        CallPhase.ENDED,
        status=408,
        reason="Request Timeout",
        cause=EndCause.NO_RESPONSE,
        ended_by=Party.NETWORK,
    )
    console.print_event(end)
    console.print_event(WRONG_PASSWORD)
    first, second = capsys.readouterr().out.splitlines()
    if as_json:
        call, acc = json.loads(first), json.loads(second)
        assert call["cause"] == "no response" and call["ended_by"] == "network"
        assert call["state"] == "ended" and call["text"] == "The server did not answer"
        assert acc["cause"] == "wrong password" and "capitalisation" in acc["text"]
    else:
        assert first == (
            "call 7 outgoing sip:1002@127.0.0.1: ended (408 Request Timeout) — "
            "The server did not answer"
        )
        assert second.startswith("account office: failed (401 Unauthorized) — ")
        assert "capitalisation" in second
