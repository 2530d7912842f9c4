"""The settings editor of a keyboard shortcut (`gui.key_*`): press the key to record it;
"No key" switches the shortcut off. The value is Qt's portable text ("Ctrl+Shift+E")."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QKeySequenceEdit, QPushButton

from parley.gui.i18n import tr
from parley.gui.settings_editors import Editor


class KeyEditor(Editor):
    def __init__(self) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.keys = QKeySequenceEdit()
        self.keys.setMaximumSequenceLength(1)  # one key with its modifiers
        self.keys.setClearButtonEnabled(True)
        self.none_button = QPushButton(tr("No key"))
        self.none_button.setToolTip(tr("Switch this shortcut off"))
        layout.addWidget(self.keys, 1)
        layout.addWidget(self.none_button)
        self.keys.editingFinished.connect(self.changed.emit)
        self.keys.keySequenceChanged.connect(lambda _k: self._cleared())
        self.none_button.clicked.connect(self.keys.clear)

    def _cleared(self) -> None:
        if self.keys.keySequence().isEmpty():
            self.changed.emit()

    def value(self) -> str:
        return self.keys.keySequence().toString(QKeySequence.SequenceFormat.PortableText)

    def set_value(self, value: Any) -> None:
        self.keys.setKeySequence(QKeySequence(str(value or "")))

    @property
    def text_widget(self) -> QKeySequenceEdit:
        return self.keys
