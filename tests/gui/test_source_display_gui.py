"""The contact list's display choice (the manual's "contact display selection options"):
the ⋯ menu's "Show contacts from" hides one source's contacts from the main window's list
and shows them again; the choice is saved; a hidden source still names its numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gui_rig import GuiRig

from parley.app import Application
from parley.contacts.source import SourceKind
from parley.gui.i18n import set_language
from parley.media.engine import AudioConfig
from parley.settings import Settings, load_settings, save_settings
from parley.settings.contact_sources import ContactSourceSettings, ContactsSettings

BOOK = """<?xml version="1.0" encoding="UTF-8"?>
<YealinkIPPhoneDirectory>
  <DirectoryEntry><Name>Ida Quelle</Name><Telephone>+49 30 5550142</Telephone></DirectoryEntry>
</YealinkIPPhoneDirectory>
"""


def test_a_source_hidden_from_the_list_and_shown_again(qtbot: Any, tmp_path: Path) -> None:
    book = tmp_path / "book.xml"
    book.write_text(BOOK, encoding="utf-8")
    settings = Settings(
        contacts=ContactsSettings(
            sources=[
                ContactSourceSettings(
                    id="book", name="PBX book", kind=SourceKind.XML_PHONEBOOK, location=str(book)
                )
            ]
        )
    )
    path = tmp_path / "settings.toml"
    save_settings(settings, path)
    app = Application(
        path,
        use_keyring=False,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
        default_region="DE",
    )
    rig = GuiRig(app, qtbot)
    try:
        rig.start()
        w = rig.window

        def remote_names() -> list[str]:
            return [row.name_label.text() for kind, _i, row in w.items() if kind == "remote"]

        rig.wait(lambda: remote_names() == ["Ida Quelle"])
        menu = w.more_menu()
        choice = next(a.menu() for a in menu.actions() if a.text() == "Show contacts from")
        checks = {a.text(): a for a in choice.actions()}
        assert set(checks) == {"Parley", "PBX book"}
        assert all(a.isChecked() for a in checks.values())

        checks["PBX book"].setChecked(False)  # hide the phone book's contacts
        rig.wait(lambda: remote_names() == [])
        w.search.setText("Ida")
        qtbot.wait(500)  # the search has run (it is debounced)
        assert remote_names() == []  # a search does not bring them back
        w.search.clear()
        assert load_settings(path).gui.hidden_sources == ["book"]
        # Hidden from the list, not from the phone: the number still has its name.
        match = app.contact_sources.lookup("030 5550142")
        assert match is not None and match.contact.name == "Ida Quelle"

        menu = w.more_menu()
        choice = next(a.menu() for a in menu.actions() if a.text() == "Show contacts from")
        shown = next(a for a in choice.actions() if a.text() == "PBX book")
        assert not shown.isChecked()
        shown.setChecked(True)
        rig.wait(lambda: remote_names() == ["Ida Quelle"])
        assert load_settings(path).gui.hidden_sources == []

        set_language("de")
        menu = w.more_menu()
        assert any(a.text() == "Kontakte anzeigen aus" for a in menu.actions())
    finally:
        set_language("en")
        rig.close()


def test_a_large_source_says_how_many_more_it_has_and_a_search_reaches_them(
    qtbot: Any, tmp_path: Path
) -> None:
    """The list shows at most 500 contacts of a remote source until one searches; the
    rest is not silently cut: a line says how many more and how to reach them."""
    entries = "\n".join(
        f"  <DirectoryEntry><Name>Person {n:04d}</Name><Telephone>+49 30 7{n:06d}</Telephone>"
        "</DirectoryEntry>"
        for n in range(520)
    )
    book = tmp_path / "book.xml"
    book.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<YealinkIPPhoneDirectory>\n'
        f"{entries}\n</YealinkIPPhoneDirectory>\n",
        encoding="utf-8",
    )
    settings = Settings(
        contacts=ContactsSettings(
            sources=[
                ContactSourceSettings(
                    id="big", name="Big book", kind=SourceKind.XML_PHONEBOOK, location=str(book)
                )
            ]
        )
    )
    path = tmp_path / "settings.toml"
    save_settings(settings, path)
    app = Application(
        path,
        use_keyring=False,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
        default_region="DE",
    )
    rig = GuiRig(app, qtbot)
    try:
        rig.start()
        w = rig.window

        def remote_names() -> list[str]:
            return [row.name_label.text() for kind, _i, row in w.items() if kind == "remote"]

        def texts() -> list[str]:
            return [w.entry_list.item(i).text() for i in range(w.entry_list.count())]

        rig.wait(lambda: len(remote_names()) == 500)
        assert "20 more in Big book: type to search, or open the address book" in texts()
        w.search.setText("Person 0517")
        rig.wait(lambda: remote_names() == ["Person 0517"])
        assert not any(t.startswith("20 more") for t in texts())  # none while searching
    finally:
        rig.close()
