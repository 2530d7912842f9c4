"""The console's words and JSON lines for transfers, and its two transfer commands."""

from __future__ import annotations

from typing import Any

from parley.cli import commands_transfer
from parley.cli.console import EXTRA_COMMANDS, Console
from parley.cli.texts import event_data
from parley.phone.events import TransferProgress, TransferRequested, TransferRole, TransferState


def test_transfer_event_line_has_call_state_status_and_a_sentence() -> None:
    data = event_data(
        TransferProgress(3, TransferRole.TRANSFEROR, TransferState.FAILED, "sip:1003@pbx", 403)
    )
    assert data["event"] == "transfer"
    assert (data["call"], data["state"], data["status"]) == (3, "failed", 403)
    assert "403" in data["text"] and "kept" in data["text"]
    done = event_data(TransferProgress(3, TransferRole.TRANSFEROR, TransferState.DONE, "x", 200))
    assert done["text"] == "Call 3 transferred to x."


def test_no_replaces_support_offers_a_blind_transfer() -> None:
    data = event_data(
        TransferProgress(1, TransferRole.TRANSFEROR, TransferState.FAILED, "t", None, "no replaces")
    )
    assert "Replaces" in data["text"] and "blind" in data["text"]
    asked = event_data(TransferRequested(2, "sip:1003@pbx", "<sip:1001@pbx>"))
    assert asked["event"] == "transfer request" and "sip:1003@pbx" in asked["text"]


class FakeConsole:
    def __init__(self) -> None:
        self.replies: list[str] = []

    def reply(self, text: str) -> None:
        self.replies.append(text)

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the command used {name} for words it should refuse")


def test_commands_are_registered_and_refuse_missing_words() -> None:
    assert EXTRA_COMMANDS["transfer"] is commands_transfer.transfer
    assert EXTRA_COMMANDS["attended"] is commands_transfer.attended
    assert "transfer TARGET [CALL]" in Console.help_text()
    console = FakeConsole()
    commands_transfer.transfer(console, [])  # type: ignore[arg-type]
    commands_transfer.attended(console, ["1"])  # type: ignore[arg-type]
    assert all(r.startswith("error:") for r in console.replies) and len(console.replies) == 2


def test_a_deflected_ringing_call_says_where_it_went() -> None:
    done = event_data(
        TransferProgress(
            4, TransferRole.TRANSFEROR, TransferState.DONE, "sip:1003@pbx", 302, "deflected"
        )
    )
    assert done["text"] == "Call 4 rang here and was sent on to sip:1003@pbx (302)."
    late = event_data(
        TransferProgress(4, TransferRole.TRANSFEROR, TransferState.FAILED, "t", None, "not ringing")
    )
    assert "stopped ringing" in late["text"]
