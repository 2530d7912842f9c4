"""The keyboard shortcuts help (F1, or "Keyboard shortcuts" in the main window's "more"
menu): every key of the app, grouped by where it works, the configurable ones as they
are set now, with a way to the settings where they are changed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from parley.gui.i18n import tr
from parley.gui.shortcuts import all_keys, key_text
from parley.settings.model import GuiSettings


class ShortcutsHelp(QDialog):
    """The list of shortcuts; `settings_requested` when the person wants to change them."""

    settings_requested = Signal()

    def __init__(self, gui: GuiSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Keyboard shortcuts"))
        self.setAccessibleName(tr("Keyboard shortcuts"))
        self.setMinimumSize(600, 520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr(
                "Parley can be used with the keyboard alone. The keys for calls can be "
                "changed in the settings (GUI, Keyboard)."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([tr("Key"), tr("Action")])
        self.tree.setRootIsDecorated(False)
        self.tree.setAccessibleName(tr("Keyboard shortcuts"))
        self.tree.setAccessibleDescription(tr("Each row: a key and what it does"))
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.rows: list[tuple[str, str, str]] = []  # section, key, action as shown
        sections: dict[str, QTreeWidgetItem] = {}
        for row in all_keys(gui):
            section = tr(row.section)
            if section not in sections:
                item = QTreeWidgetItem([section])
                font = item.font(0)
                font.setBold(True)
                item.setFont(0, font)
                item.setFirstColumnSpanned(True)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.tree.addTopLevelItem(item)
                item.setFirstColumnSpanned(True)
                sections[section] = item
            keys = tr(row.keys) if row.phrase else key_text(row.keys)
            action = tr(row.action)
            child = QTreeWidgetItem([keys, action])
            child.setToolTip(1, action)
            sections[section].addChild(child)
            self.rows.append((section, keys, action))
        self.tree.expandAll()
        layout.addWidget(self.tree, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.change_button = QPushButton(tr("Change keys…"))
        self.change_button.setToolTip(tr("Open the settings where the keys for calls are set"))
        buttons.addButton(self.change_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.change_button.clicked.connect(self._change)
        layout.addWidget(buttons)
        self.tree.setFocus()

    def _change(self) -> None:
        self.accept()
        self.settings_requested.emit()
