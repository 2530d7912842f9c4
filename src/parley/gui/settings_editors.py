"""Editors for single settings, chosen from the model field's type.

Each editor shows a value and says when the user changed it (``changed``); it knows
nothing about the model. ``make_editor`` picks one for a field; ``CodecEditor`` is the
available/selected pair of lists with priority by drag and drop.
"""

from __future__ import annotations

import logging
import types
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, SecretStr
from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from parley.gui.i18n import N_, tr
from parley.gui.settings_specs import FieldSpec
from parley.settings.types import DEFAULT_CODECS

log = logging.getLogger(__name__)

SYSTEM_DEFAULT = "system default"
NULL_DEVICE = "null"
CODEC_NAMES = {
    "opus": N_("Opus (wideband)"),
    "g722": N_("G.722 (wideband)"),
    "pcma": N_("G.711 A-law"),
    "pcmu": N_("G.711 µ-law"),
}


class Editor(QWidget):
    """Base: a widget holding one setting's value."""

    changed = Signal()

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def load(self, value: Any) -> None:
        """Show ``value`` without reporting a change."""
        self.blockSignals(True)
        try:
            self.set_value(value)
        finally:
            self.blockSignals(False)

    @property
    def text_widget(self) -> QWidget:
        """The widget that carries the setting's name (checkboxes carry it themselves)."""
        return self


def _box(widget: QWidget, parent: Editor) -> None:
    layout = QHBoxLayout(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)


class BoolEditor(Editor):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.box = QCheckBox(text)
        _box(self.box, self)
        self.box.toggled.connect(lambda _on: self.changed.emit())

    def value(self) -> bool:
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        self.box.setChecked(bool(value))

    @property
    def text_widget(self) -> QWidget:
        return self.box


class ChoiceEditor(Editor):
    """A fixed list of values, each shown by a (translated) name."""

    def __init__(self, choices: dict[str, str], translate: bool = True) -> None:
        super().__init__()
        self.combo = QComboBox()
        for value, name in choices.items():
            self.combo.addItem(tr(name) if translate else name, value)
        _box(self.combo, self)
        self.combo.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def value(self) -> Any:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(value)
        if index < 0:
            self.combo.addItem(str(value), value)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)


class IntEditor(Editor):
    """A whole number; ``zero_text`` is shown instead of the lowest value 0 (e.g. the
    local port's "automatic")."""

    def __init__(self, low: int, high: int, suffix: str = "", zero_text: str = "") -> None:
        super().__init__()
        self.spin = QSpinBox()
        self.spin.setRange(low, high)
        self.spin.setSuffix(suffix)
        if zero_text and low == 0:
            self.spin.setSpecialValueText(zero_text)
        _box(self.spin, self)
        self.spin.valueChanged.connect(lambda _v: self.changed.emit())

    def value(self) -> int:
        return self.spin.value()

    def set_value(self, value: Any) -> None:
        self.spin.setValue(int(value))


class FloatEditor(Editor):
    def __init__(self, low: float, high: float) -> None:
        super().__init__()
        self.spin = QDoubleSpinBox()
        self.spin.setDecimals(2)
        self.spin.setSingleStep(0.1)
        self.spin.setRange(low, high)
        _box(self.spin, self)
        self.spin.valueChanged.connect(lambda _v: self.changed.emit())

    def value(self) -> float:
        return float(self.spin.value())

    def set_value(self, value: Any) -> None:
        self.spin.setValue(float(value))


class TextEditor(Editor):
    """Free text; an empty field means "not set" for optional settings."""

    def __init__(self, *, secret: bool = False, placeholder: str = "") -> None:
        super().__init__()
        self.line = QLineEdit()
        if secret:
            self.line.setEchoMode(QLineEdit.EchoMode.Password)
        self.line.setPlaceholderText(placeholder)
        _box(self.line, self)
        self.line.textChanged.connect(lambda _t: self.changed.emit())

    def value(self) -> str:
        return self.line.text()

    def set_value(self, value: Any) -> None:
        if isinstance(value, SecretStr):
            value = ""  # never show a stored password
        self.line.setText("" if value is None else str(value))


class ListEditor(TextEditor):
    """A list of short texts, written separated by commas."""

    def value(self) -> list[str]:  # type: ignore[override]
        return [
            part.strip() for part in self.line.text().replace(";", ",").split(",") if part.strip()
        ]

    def set_value(self, value: Any) -> None:
        self.line.setText(", ".join(str(v) for v in value or []))


class PathEditor(TextEditor):
    def __init__(self, filter_text: str = "") -> None:
        super().__init__()
        self._filter = filter_text
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse)
        layout = self.layout()
        assert isinstance(layout, QHBoxLayout)
        layout.addWidget(browse)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, tr("Choose a file"), self.line.text(), self._filter
        )
        if name:
            self.line.setText(name)


class FolderEditor(TextEditor):
    """A directory, typed or chosen."""

    def __init__(self) -> None:
        super().__init__()
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse)
        layout = self.layout()
        assert isinstance(layout, QHBoxLayout)
        layout.addWidget(browse)

    def _browse(self) -> None:
        name = QFileDialog.getExistingDirectory(self, tr("Choose a folder"), self.line.text())
        if name:
            self.line.setText(name)


class DeviceEditor(Editor):
    """A sound device: "system default", a device PortAudio lists, "null" (silence),
    or typed text such as "file:/path/to.wav"."""

    def __init__(self, devices: list[str]) -> None:
        super().__init__()
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItem(tr("System default"), SYSTEM_DEFAULT)
        for name in devices:
            self.combo.addItem(name, name)
        self.combo.addItem(tr("No device (silence)"), NULL_DEVICE)
        _box(self.combo, self)
        self.combo.currentTextChanged.connect(lambda _t: self.changed.emit())

    def value(self) -> str:
        text = self.combo.currentText()
        index = self.combo.findText(text, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            return str(self.combo.itemData(index))
        return text.strip() or SYSTEM_DEFAULT

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(value)
        if index < 0:
            self.combo.addItem(str(value), value)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)


class LinesEditor(Editor):
    """An ordered list of short entries (e.g. BLF extensions): edit in place
    (double-click), add, remove, move up and down."""

    def __init__(self) -> None:
        super().__init__()
        self.list = QListWidget()
        self.list.setMaximumHeight(120)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        grid = QHBoxLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.list, 1)
        buttons = QVBoxLayout()
        self.add_button = QPushButton(tr("Add"))
        self.remove_button = QPushButton(tr("Remove"))
        self.up_button = QPushButton("↑")
        self.up_button.setToolTip(tr("Move up"))
        self.down_button = QPushButton("↓")
        self.down_button.setToolTip(tr("Move down"))
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        grid.addLayout(buttons)
        self.add_button.clicked.connect(self.add_entry)
        self.remove_button.clicked.connect(self._remove)
        self.up_button.clicked.connect(lambda: self._shift(-1))
        self.down_button.clicked.connect(lambda: self._shift(1))
        self.list.itemChanged.connect(lambda _i: self._report())
        self.list.model().rowsMoved.connect(lambda *_a: self._report())

    def _report(self) -> None:
        if not self.signalsBlocked():
            self.changed.emit()

    def _item(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        return item

    def add_entry(self, text: str = "") -> None:
        """A new entry at the end, opened for typing (or with `text`)."""
        item = self._item(text if isinstance(text, str) else "")
        self.list.addItem(item)
        self.list.setCurrentItem(item)
        if not item.text():
            self.list.editItem(item)
        else:
            self._report()

    def _remove(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            self._report()

    def _shift(self, step: int) -> None:
        row = self.list.currentRow()
        to = row + step
        if row < 0 or not 0 <= to < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(to, item)
        self.list.setCurrentRow(to)
        self._report()

    def value(self) -> list[str]:
        texts = (self.list.item(i).text().strip() for i in range(self.list.count()))
        return [t for t in texts if t]

    def set_value(self, value: Any) -> None:
        self.list.clear()
        for entry in value or []:
            self.list.addItem(self._item(str(entry)))


class StatesEditor(Editor):
    """Several of a fixed set of values, each a checkbox (e.g. presence states)."""

    def __init__(self, choices: dict[str, str]) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for index, (value, name) in enumerate(choices.items()):
            box = QCheckBox(tr(name))
            box.toggled.connect(lambda _on: self._report())
            grid.addWidget(box, index // 2, index % 2)
            self.boxes[value] = box

    def _report(self) -> None:
        if not self.signalsBlocked():
            self.changed.emit()

    def value(self) -> list[str]:
        return [value for value, box in self.boxes.items() if box.isChecked()]

    def set_value(self, value: Any) -> None:
        chosen = {str(v) for v in value or []}
        for name, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(name in chosen)
            box.blockSignals(False)


def _codec_item(codec: str) -> QListWidgetItem:
    item = QListWidgetItem(tr(CODEC_NAMES.get(codec, codec)))
    item.setData(Qt.ItemDataRole.UserRole, codec)
    return item


class _CodecList(QListWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

    def codecs(self) -> list[str]:
        return [str(self.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.count())]


class CodecEditor(Editor):
    """Available and selected codecs; drag between the lists and within "selected" to
    set the priority (top = preferred), or use the buttons."""

    def __init__(self, all_codecs: tuple[str, ...] = DEFAULT_CODECS) -> None:
        super().__init__()
        self._all = all_codecs
        self.available = _CodecList()
        self.selected = _CodecList()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel(tr("Available")), 0, 0)
        grid.addWidget(QLabel(tr("Selected (by priority)")), 0, 2)
        grid.addWidget(self.available, 1, 0)
        grid.addWidget(self.selected, 1, 2)
        middle = QVBoxLayout()
        self.add_button = QPushButton("→")
        self.add_button.setToolTip(tr("Use the codec"))
        self.remove_button = QPushButton("←")
        self.remove_button.setToolTip(tr("Do not use the codec"))
        self.up_button = QPushButton("↑")
        self.up_button.setToolTip(tr("Higher priority"))
        self.down_button = QPushButton("↓")
        self.down_button.setToolTip(tr("Lower priority"))
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            button.setFixedWidth(40)
            middle.addWidget(button)
        middle.addStretch(1)
        grid.addLayout(middle, 1, 1)
        self.add_button.clicked.connect(lambda: self._transfer(self.available, self.selected))
        self.remove_button.clicked.connect(lambda: self._transfer(self.selected, self.available))
        self.up_button.clicked.connect(lambda: self._shift(-1))
        self.down_button.clicked.connect(lambda: self._shift(1))
        # A drag between the lists inserts before it removes: report the result once the
        # event loop has settled, not the passing state with the codec in both lists.
        self._pending = False
        for view in (self.available, self.selected):
            model = view.model()
            model.rowsInserted.connect(self._soon)
            model.rowsRemoved.connect(self._soon)
            model.rowsMoved.connect(self._soon)

    def _soon(self, *_args: object) -> None:
        if self.signalsBlocked() or self._pending:
            return
        self._pending = True
        QTimer.singleShot(0, self, self._settled)

    def _settled(self) -> None:
        self._pending = False
        self.changed.emit()

    def _transfer(self, source: QListWidget, target: QListWidget) -> None:
        row = source.currentRow()
        if row < 0:
            return
        item = source.takeItem(row)
        target.addItem(item)
        target.setCurrentItem(item)

    def _shift(self, step: int) -> None:
        row = self.selected.currentRow()
        to = row + step
        if row < 0 or not 0 <= to < self.selected.count():
            return
        # moveRow's destination is the row *before which* the item lands.
        dest = to + 1 if step > 0 else to
        self.selected.model().moveRow(QModelIndex(), row, QModelIndex(), dest)
        self.selected.setCurrentRow(to)

    def value(self) -> list[str]:
        seen: list[str] = []
        for codec in self.selected.codecs():  # a drag in flight may show one twice
            if codec not in seen:
                seen.append(codec)
        return seen

    def set_value(self, value: Any) -> None:
        codecs = [str(c) for c in value or []]
        self.selected.clear()
        self.available.clear()
        for codec in codecs:
            self.selected.addItem(_codec_item(codec))
        for codec in self._all:
            if codec not in codecs:
                self.available.addItem(_codec_item(codec))


def _bounds(info: Any) -> tuple[Any, Any]:
    low = high = None
    for meta in info.metadata:
        low = getattr(meta, "ge", low)
        high = getattr(meta, "le", high)
    return low, high


def _literal_values(annotation: Any) -> list[str]:
    if typing.get_origin(annotation) is Literal:
        return [str(a) for a in typing.get_args(annotation)]
    for arg in typing.get_args(annotation):
        found = _literal_values(arg)
        if found:
            return found
    return []


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_list(a) for a in typing.get_args(annotation))
    return False


def make_editor(
    spec: FieldSpec, model: type[BaseModel], name: str, devices: dict[str, list[str]]
) -> Editor:
    """The editor for field ``name`` of ``model`` as ``spec`` describes it."""
    if name not in model.model_fields:  # a composed row (settings_pages.COMPOSED)
        return ChoiceEditor(spec.choices)
    info = model.model_fields[name]
    annotation = info.annotation
    if spec.kind == "codecs":
        return CodecEditor()
    if spec.kind == "password":
        return TextEditor(secret=True, placeholder=tr("unchanged"))
    if spec.kind in ("input-device", "output-device"):
        return DeviceEditor(devices.get(spec.kind.split("-")[0], []))
    if spec.kind == "path":
        return PathEditor()
    if spec.kind == "wav":
        return PathEditor(tr("WAV files (*.wav)"))
    if spec.kind == "folder":
        return FolderEditor()
    if spec.kind == "lines":
        return LinesEditor()
    if spec.kind == "states":
        return StatesEditor(spec.choices)
    if spec.kind == "key":  # a keyboard shortcut (gui/key_editor.py)
        from parley.gui.key_editor import KeyEditor

        return KeyEditor()
    if annotation is bool:
        return BoolEditor(tr(spec.label))
    if annotation is int:
        low, high = _bounds(info)
        suffix = " %" if spec.kind == "percent" else ""
        return IntEditor(
            int(low if low is not None else 0),
            int(high if high is not None else 1_000_000),
            suffix,
            tr(spec.zero_text) if spec.zero_text else "",
        )
    if annotation is float:
        low, high = _bounds(info)
        return FloatEditor(
            float(low if low is not None else 0.0), float(high if high is not None else 1e6)
        )
    choices = spec.choices or {v: v for v in _literal_values(annotation)}
    if choices:
        return ChoiceEditor(choices, translate=bool(spec.choices) and spec.key != "gui.language")
    if _is_list(annotation):
        return ListEditor()
    if annotation is Path or "Path" in repr(annotation):
        return PathEditor()
    return TextEditor()
