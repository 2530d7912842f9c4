"""The main window's ⋯ menu › "Address book…": every contact of every source — 20,000 in
a phone book's cache beside the local ones, where the main list shows 500 — counted,
searched by typing, shown in the call window when clicked, and called with a double
click (the only number at once, a menu for several) through the source's outgoing
account."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gui_rig import GuiRig, account
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.registry import RemoteSource
from parley.gui.address_book import AddressBook
from parley.gui.i18n import tr
from parley.settings import Settings
from parley.settings.contact_sources import ContactSourceSettings, ContactsSettings, SourceKind

SIZE = 20_000


def settings(tmp_path: Path) -> Settings:
    return Settings(
        accounts=[account("127.0.0.1:5999")],
        contacts=ContactsSettings(
            sources=[
                ContactSourceSettings(id="local", name="Parley", kind=SourceKind.LOCAL),
                ContactSourceSettings(
                    id="pbx",
                    name="PBX book",
                    kind=SourceKind.XML_PHONEBOOK,
                    location=str(tmp_path / "book.xml"),
                    outgoing_account="office",
                ),
            ]
        ),
    )


def close_popups() -> None:
    """Menus an earlier test left open grab the mouse: the clicks must reach the list."""
    while (popup := QApplication.activePopupWidget()) is not None:
        popup.close()


def test_the_whole_book_searched_and_called(
    make_rig: Callable[..., GuiRig], qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = make_rig(settings(tmp_path))
    remote = rig.app.contact_sources.get("pbx")
    assert isinstance(remote, RemoteSource)
    remote.cache.replace_all(
        Contact(
            last_name=f"Person {i:05d}",
            numbers=(PhoneNumber(f"0221 {100000 + i}", NumberType.BUSINESS),)
            + ((PhoneNumber(f"0171 {100000 + i}", NumberType.MOBILE),) if i % 2 else ()),
        )
        for i in range(SIZE)
    )
    rig.app.contacts.add(Contact(last_name="Aal", numbers=(PhoneNumber("100"),)))
    rig.window.refresh_list()
    remote_rows = [i for kind, i, _row in rig.window.items() if kind == "remote"]
    assert len(remote_rows) == 500  # the main list's limit without a search

    dialled: list[tuple[str, str]] = []
    monkeypatch.setattr(rig.window, "dial", lambda target, acc="": dialled.append((target, acc)))
    menu = rig.window.more_menu()
    next(a for a in menu.actions() if a.text() == tr("Address book…")).trigger()
    book = rig.window.findChild(AddressBook)
    assert isinstance(book, AddressBook) and book.isVisible()
    model, view = book.browser.model, book.browser.view
    assert model.rowCount() == 1 + SIZE

    qtbot.keyClicks(book.browser.search, "Person 12344")
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    rect = view.visualRect(model.index(0, 0))
    close_popups()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert rig.window.call_window.contact is not None
    assert rig.window.call_window.contact.name == "Person 12344"
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialled == [("0221 112344", "office")]  # one number: called at once

    book.browser.search.setText("Person 12345")  # two numbers: a menu to pick from
    qtbot.waitUntil(lambda: model.text == "Person 12345")
    close_popups()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert book.last_menu is not None
    choices = [a.text() for a in book.last_menu.actions()]
    assert [c.split(": ")[1] for c in choices] == ["0221 112345", "0171 112345"]
    book.last_menu.close()
