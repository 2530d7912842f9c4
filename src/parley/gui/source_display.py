"""The main window's contact display choice (the manual's "contact display selection
options"): which sources' contacts the list shows. A submenu of the list's ⋯ menu with a
check per enabled source; the choice is the setting `gui.hidden_sources`. Hidden sources
still name callers and stay searchable in the address book."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu

from parley.gui.i18n import tr

if TYPE_CHECKING:
    from parley.gui.main_window import MainWindow


def add_source_choice(menu: QMenu, window: MainWindow) -> QMenu | None:
    """Add "Show contacts from" with one check per enabled source (none with one source:
    there is nothing to choose)."""
    sources = [s for s in window.application.settings.contacts.sources if s.enabled]
    if len(sources) < 2:
        return None
    hidden = set(window.application.settings.gui.hidden_sources)
    submenu = menu.addMenu(tr("Show contacts from"))
    submenu.setObjectName("sourceChoice")
    for source in sources:
        action = submenu.addAction(source.name)
        action.setCheckable(True)
        action.setChecked(source.id not in hidden)
        action.setData(source.id)
        action.toggled.connect(lambda shown, sid=source.id: show_source(window, sid, shown=shown))
    return submenu


def show_source(window: MainWindow, source_id: str, *, shown: bool) -> None:
    """Show or hide one source's contacts in the list (saved; the list follows at once)."""
    hidden = [s for s in window.application.settings.gui.hidden_sources if s != source_id]
    if not shown:
        hidden.append(source_id)
    window.save_gui(hidden_sources=hidden)
    window.refresh_list()
