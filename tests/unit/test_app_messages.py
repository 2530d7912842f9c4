"""The `app.messages` facade without a network: the store in the app's data folder, kept
across restarts, names from the contacts, and commands refused while the phone is off."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_app import make_app

from parley.app.context import AppError
from parley.contacts.model import Contact, PhoneNumber
from parley.messages.store import FILE_NAME


def test_conversations_live_in_the_data_folder_and_survive_a_restart(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    try:
        app.messages.store.add_received("sip:1002@pbx", "Hallo", account="office", at=10)
        app.contacts.add(Contact(last_name="Berg", numbers=(PhoneNumber("1002"),)))
        (info,) = app.messages.conversations()
        assert (info.peer, info.name, info.unread) == ("sip:1002@pbx", "Berg", 1)
    finally:
        app.stop()
    assert (tmp_path / "data" / FILE_NAME).is_file()
    again = make_app(tmp_path)
    try:
        assert [m.text for m in again.messages.conversation("SIP:1002@PBX")] == ["Hallo"]
        again.messages.mark_read("sip:1002@pbx")
        assert again.messages.unread() == 0
        assert [m.text for m in again.messages.search("hal")] == ["Hallo"]
    finally:
        again.stop()


def test_sending_needs_a_running_phone(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    try:
        with pytest.raises(Exception, match="not"):
            app.messages.send("1002", "hi").result(5)
    finally:
        app.stop()


def test_a_foreign_message_file_stops_the_app_with_a_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / FILE_NAME).write_bytes(b"\x00not sqlite" * 100)
    with pytest.raises(Exception, match="message store"):
        make_app(tmp_path)
    assert (data / FILE_NAME).read_bytes() == b"\x00not sqlite" * 100


def test_send_errors_read_as_app_errors(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    try:
        app.start().result(10)
        with pytest.raises(AppError, match="empty"):
            app.messages.send("1002", "  ").result(5)
        with pytest.raises(AppError, match="no account"):
            app.messages.send("1002", "hi", "nope").result(5)
    finally:
        app.stop()
