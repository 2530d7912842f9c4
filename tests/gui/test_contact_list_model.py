"""The address book as a model/view list (gui/contact_model.py): 100,000 contacts in a
remote source's cache and a local one all reach the view by scrolling (page after page,
no widget per row), the source's name is painted on its rows, its filters apply, typing
finds a contact in the middle, and a double click hands the contact on to be dialled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.registry import ContactSources, RemoteSource
from parley.contacts.store import ContactStore
from parley.gui.contact_model import NUMBER_ROLE, SOURCE_ROLE, ContactBrowser
from parley.settings.contact_sources import ContactSourceSettings, SourceKind, local_source

SIZE = 100_000


def book(size: int) -> Iterator[Contact]:
    for i in range(size):
        yield Contact(
            first_name="Kontakt",
            last_name=f"{i:06d}",
            company=f"Firma {i % 300}",
            numbers=(
                PhoneNumber(f"+49 30 {1000000 + i}", NumberType.BUSINESS),
                PhoneNumber(f"0171 {2000000 + i}", NumberType.MOBILE),
            ),
        )


def close_popups() -> None:
    """Menus an earlier test left open grab the mouse: the clicks must reach the list."""
    while (popup := QApplication.activePopupWidget()) is not None:
        popup.close()


@pytest.fixture
def sources(tmp_path: Path) -> Iterator[ContactSources]:
    store = ContactStore(tmp_path / "contacts.sqlite3")
    store.add(Contact(first_name="Anna", last_name="Aal", numbers=(PhoneNumber("100"),)))
    book_settings = ContactSourceSettings(
        id="pbx", name="PBX book", kind=SourceKind.XML_PHONEBOOK, location=str(tmp_path / "b.xml")
    )
    registry = ContactSources([local_source(), book_settings], store, data_dir=tmp_path)
    remote = registry.get("pbx")
    assert isinstance(remote, RemoteSource)
    remote.cache.replace_all([*book(SIZE), Contact(company="", numbers=(PhoneNumber("0999 777"),))])
    yield registry
    remote.cache.close()
    store.close()


def test_100000_cached_contacts_scroll_to_the_last_and_a_typed_search_finds_one(
    sources: ContactSources, qtbot: Any
) -> None:
    browser = ContactBrowser(sources)
    qtbot.addWidget(browser)
    browser.resize(360, 600)
    browser.show()
    model, view = browser.model, browser.view
    # Every row counted at once (the scroll bar is right), none read but those shown.
    assert model.rowCount() == 1 + SIZE + 1
    assert model.data(model.index(0, 0)) == "Anna Aal"
    assert model.data(model.index(0, 0), SOURCE_ROLE) == ""  # local: no label
    assert model.data(model.index(1, 0)) == ""  # the nameless one sorts first
    assert model.data(model.index(2, 0)) == "Kontakt 000000"
    assert model.data(model.index(2, 0), SOURCE_ROLE) == "PBX book"
    assert model.data(model.index(2, 0), NUMBER_ROLE) == "+49 30 1000000  (+1 more)"

    # The local one and 100,000 from the cache (the nameless one is shown too: the
    # source does not hide contacts without a name). Scrolled to the end: the last.
    last = model.index(model.rowCount() - 1, 0)
    assert model.data(last) == "Kontakt 099999"
    view.scrollToBottom()
    QApplication.processEvents()
    assert view.visualRect(last).intersects(view.viewport().rect())  # on the screen

    # Typing finds one in the middle, by name and by a part of its number.
    qtbot.keyClicks(browser.search, "Kontakt 050000")
    qtbot.waitUntil(lambda: model.text == "Kontakt 050000")  # once the typing pauses
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == "Kontakt 050000"
    browser.search.clear()
    qtbot.keyClicks(browser.search, "0171 2049999")
    qtbot.waitUntil(lambda: model.text == "0171 2049999")
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == ["Kontakt 049999"]

    # A double click hands the contact on (the main window dials it).
    activated: list[object] = []
    browser.contact_activated.connect(activated.append)
    rect = view.visualRect(model.index(0, 0))
    close_popups()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert [a.contact.name for a in activated] == ["Kontakt 049999"]  # type: ignore[attr-defined]


def test_a_sources_filters_apply(sources: ContactSources, qtbot: Any) -> None:
    browser = ContactBrowser(sources)
    qtbot.addWidget(browser)
    browser.model.set_search("0999 777")  # the nameless contact's number
    assert browser.model.rowCount() == 1
    assert browser.model.data(browser.model.index(0, 0), NUMBER_ROLE) == "0999 777"
    remote = sources.get("pbx")
    remote.settings = remote.settings.model_copy(update={"hide_without_name": True})
    browser.model.refresh()
    assert browser.model.rowCount() == 0
    browser.model.set_search("")
    assert browser.model.rowCount() == 1 + SIZE  # all but the nameless one
