"""The manual's "Import contacts": choose a CSV file, its encoding and separator (each
automatic with the guess shown), assign the file's columns to the contact fields
(pre-filled for Outlook, Google Contacts and Thunderbird exports), see the first rows as
they would become contacts, and import them with a progress bar. The import runs on a
worker thread (the window stays responsive); the result says how many were imported and
lists every row left out with its line number and the reason, in words."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from parley.contacts.csv_import import (
    ENCODINGS,
    PREVIEW_ROWS,
    Analysis,
    Field,
    FileProblem,
    ImportResult,
    Mapping,
    RejectedRow,
    RowProblem,
    import_contacts,
    preview,
    read_file,
)
from parley.contacts.store import ContactStore
from parley.gui.contact_editor import NUMBER_TYPES
from parley.gui.i18n import N_, tr

FIELD_NAMES: dict[Field, str] = {
    Field.IGNORE: N_("(not imported)"),
    Field.FIRST_NAME: N_("First name"),
    Field.LAST_NAME: N_("Last name"),
    Field.DISPLAY_NAME: N_("Display name"),
    Field.COMPANY: N_("Company"),
    Field.PHONE_BUSINESS: N_("Phone: business"),
    Field.PHONE_MOBILE: N_("Phone: mobile"),
    Field.PHONE_HOME: N_("Phone: home"),
    Field.PHONE_FAX: N_("Phone: fax"),
    Field.PHONE_OTHER: N_("Phone: other"),
    Field.PHONE_LABELLED: N_("Phone (type in its own column)"),
    Field.PHONE_LABEL: N_("Type of the phone beside it"),
    Field.PRESENCE: N_("Presence address"),
}

SEPARATOR_NAMES: dict[str, str] = {
    ",": N_("Comma (,)"),
    ";": N_("Semicolon (;)"),
    "\t": N_("Tab"),
    "|": N_("Vertical bar (|)"),
}

ENCODING_NAMES: dict[str, str] = {
    "utf-8": N_("UTF-8"),
    "utf-16": N_("UTF-16 (with byte-order mark)"),
    "utf-16-le": N_("UTF-16 LE"),
    "utf-16-be": N_("UTF-16 BE"),
    "cp1252": N_("Windows-1252 (Western Europe)"),
    "iso-8859-1": N_("ISO-8859-1 (Latin-1)"),
    "iso-8859-15": N_("ISO-8859-15 (Latin-9)"),
    "cp850": N_("DOS code page 850"),
    "mac-roman": N_("Mac Roman"),
}

ROW_PROBLEMS: dict[RowProblem, str] = {
    RowProblem.TOO_FEW_FIELDS: N_("fewer fields than the header ({detail})"),
    RowProblem.TOO_MANY_FIELDS: N_("more fields than the header ({detail})"),
    RowProblem.BAD_QUOTING: N_("a quotation mark is not closed or out of place"),
    RowProblem.NO_NAME: N_("no last name, display name or company"),
    RowProblem.NO_NUMBER: N_("no phone number"),
    RowProblem.BAD_NUMBER: N_("“{detail}” is not a phone number"),
    RowProblem.BAD_PRESENCE: N_("the presence address “{detail}” is not valid"),
    RowProblem.CONTROL_CHARACTERS: N_("control characters in a field ({detail})"),
    RowProblem.TOO_LONG: N_("a field is too long ({detail})"),
    RowProblem.DUPLICATE: N_("already in your contacts (same name and number {detail})"),
    RowProblem.STORE_FAILED: N_("not saved: its batch was rolled back ({detail})"),
}


def row_problem_text(row: RejectedRow) -> str:
    return tr("Line {line}: {reason}", line=row.line, reason=reason_text(row))


def reason_text(row: RejectedRow) -> str:
    return tr(ROW_PROBLEMS[row.problem], detail=row.detail)


def file_problem_text(analysis: Analysis | ImportResult, encoding: str = "") -> str:
    problem = analysis.problem
    if problem is FileProblem.UNREADABLE:
        return tr("The file cannot be read: {reason}", reason=analysis.problem_detail)
    if problem is FileProblem.TOO_LARGE:
        return tr("The file is too large to import.")
    if problem is FileProblem.BAD_ENCODING:
        return tr(
            "The file is not {encoding} text (line {line}): choose another encoding.",
            encoding=encoding or analysis.problem_detail,
            line=analysis.problem_line,
        )
    if problem is FileProblem.EMPTY:
        return tr("The file has no header row.")
    if problem is FileProblem.NO_COLUMNS:
        return no_columns_text()
    return ""


def no_columns_text() -> str:
    return tr(
        "Assign at least one column to a name and one to a phone number; if the "
        "columns look wrong, change the separator or the encoding."
    )


def _raw_name(values: tuple[str, ...], mapping: Mapping) -> tuple[str, str]:
    """The name and company a rejected row holds, as written (to recognise the row)."""
    picked: dict[Field, str] = {}
    for index, kind in enumerate(mapping.fields[: len(values)]):
        if kind in (Field.FIRST_NAME, Field.LAST_NAME, Field.DISPLAY_NAME, Field.COMPANY):
            picked.setdefault(kind, " ".join(values[index].split()))
    name = picked.get(Field.DISPLAY_NAME) or " ".join(
        p for p in (picked.get(Field.FIRST_NAME), picked.get(Field.LAST_NAME)) if p
    )
    return name, picked.get(Field.COMPANY, "")


class _Worker(QObject):
    """Carries the import thread's progress and result to the GUI thread."""

    progress = Signal(int, int)
    finished = Signal(object)


class CsvImportDialog(QDialog):
    """Import contacts from a CSV file into `store`; `imported` fires after an import
    that stored contacts (the main window refreshes its list)."""

    imported = Signal(int)

    def __init__(self, store: ContactStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.analysis: Analysis | None = None
        self.outcome: ImportResult | None = None
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self.setWindowTitle(tr("Import contacts"))
        self.resize(760, 620)

        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(tr("A CSV file exported from Outlook, Google, …"))
        self.choose_button = QPushButton(tr("Choose…"))
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.choose_button)
        self.encoding = QComboBox()
        self.separator = QComboBox()
        form = QFormLayout()
        form.addRow(tr("File"), path_row)
        form.addRow(tr("Encoding"), self.encoding)
        form.addRow(tr("Separator"), self.separator)
        self._fill_choices(None)

        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setObjectName("problem")
        self.problem_label.hide()

        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setHorizontalHeaderLabels(
            [tr("Column in the file"), tr("Contact field"), tr("First value")]
        )
        self.mapping_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.mapping_table.verticalHeader().hide()
        self.mapping_combos: list[QComboBox] = []

        self.preview_table = QTableWidget(0, 5)
        self.preview_table.setHorizontalHeaderLabels(
            [tr("Line"), tr("Name"), tr("Company"), tr("Numbers"), tr("Result")]
        )
        self.preview_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.preview_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.preview_table.verticalHeader().hide()
        for table in (self.mapping_table, self.preview_table):
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

        self.progress = QProgressBar()
        self.progress.hide()
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.hide()
        self.skipped_list = QListWidget()
        self.skipped_list.hide()

        self.import_button = QPushButton(tr("Import"))
        self.import_button.setEnabled(False)
        self.cancel_button = QPushButton(tr("Stop"))
        self.cancel_button.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText(tr("Close"))
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(QLabel(tr("Assign the columns of the file to the contact fields:")))
        layout.addWidget(self.mapping_table, 2)
        layout.addWidget(QLabel(tr("Preview:")))
        layout.addWidget(self.preview_table, 2)
        layout.addWidget(self.progress)
        layout.addWidget(self.result_label)
        layout.addWidget(self.skipped_list, 1)
        layout.addWidget(buttons)

        self._worker = _Worker()
        self._worker.progress.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self.choose_button.clicked.connect(self._choose)
        self.path_edit.editingFinished.connect(self.analyse)
        self.encoding.currentIndexChanged.connect(lambda _i: self.analyse())
        self.separator.currentIndexChanged.connect(lambda _i: self.analyse())
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self._cancel.set)
        buttons.rejected.connect(self.reject)

    # ------------------------------------------------------------------ choices

    def _fill_choices(self, analysis: Analysis | None) -> None:
        """The combos' entries; "Automatic" names what was guessed for this file."""
        for combo in (self.encoding, self.separator):
            combo.blockSignals(True)
        enc, sep = self.encoding.currentData(), self.separator.currentData()
        self.encoding.clear()
        self.separator.clear()
        guess = analysis.guessed_encoding if analysis else ""
        detected = analysis.detected_separator if analysis else ""
        self.encoding.addItem(
            tr("Automatic ({guess})", guess=tr(ENCODING_NAMES.get(guess, guess)))
            if guess
            else tr("Automatic"),
            "",
        )
        for code in ENCODINGS:
            self.encoding.addItem(tr(ENCODING_NAMES.get(code, code)), code)
        self.separator.addItem(
            tr("Automatic ({guess})", guess=tr(SEPARATOR_NAMES[detected]))
            if detected in SEPARATOR_NAMES
            else tr("Automatic"),
            "",
        )
        for char, name in SEPARATOR_NAMES.items():
            self.separator.addItem(tr(name), char)
        self.encoding.setCurrentIndex(max(0, self.encoding.findData(enc or "")))
        self.separator.setCurrentIndex(max(0, self.separator.findData(sep or "")))
        for combo in (self.encoding, self.separator):
            combo.blockSignals(False)

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Import contacts"), "", tr("CSV files (*.csv *.txt);;All files (*)")
        )
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> None:
        """Read `path` with automatic encoding and separator (what Choose… does)."""
        self.path_edit.setText(str(path))
        for combo in (self.encoding, self.separator):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.analyse()

    def set_encoding(self, code: str) -> None:
        self.encoding.setCurrentIndex(self.encoding.findData(code))

    def set_separator(self, char: str) -> None:
        self.separator.setCurrentIndex(self.separator.findData(char))

    # ------------------------------------------------------------------ analysis

    def analyse(self) -> None:
        text = self.path_edit.text().strip()
        if not text or self._busy():
            return
        analysis = read_file(
            Path(text).expanduser(),
            encoding=self.encoding.currentData() or None,
            separator=self.separator.currentData() or None,
        )
        self.analysis = analysis
        self._fill_choices(analysis)
        self._fill_mapping(analysis)
        self._show_problem(file_problem_text(analysis, self.encoding.currentText()))
        self.update_preview()

    def _show_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))

    def _fill_mapping(self, analysis: Analysis) -> None:
        self.mapping_table.setRowCount(0)
        self.mapping_combos = []
        first_row = next(
            (o.values for o in preview(analysis, analysis.suggested, 1) if o.values), ()
        )
        for index, name in enumerate(analysis.header):
            row = self.mapping_table.rowCount()
            self.mapping_table.insertRow(row)
            self.mapping_table.setItem(row, 0, QTableWidgetItem(name))
            combo = QComboBox()
            for kind, label in FIELD_NAMES.items():
                combo.addItem(tr(label), kind.value)
            suggested = analysis.suggested.fields[index]
            combo.setCurrentIndex(combo.findData(suggested.value))
            combo.setAccessibleName(tr("Contact field for “{column}”", column=name))
            combo.currentIndexChanged.connect(lambda _i: self._mapping_changed())
            self.mapping_table.setCellWidget(row, 1, combo)
            self.mapping_combos.append(combo)
            sample = first_row[index] if index < len(first_row) else ""
            self.mapping_table.setItem(row, 2, QTableWidgetItem(sample.replace("\n", " ")))

    def mapping(self) -> Mapping:
        header = self.analysis.header if self.analysis else ()
        return Mapping.of(header, [Field(c.currentData()) for c in self.mapping_combos])

    def _mapping_changed(self) -> None:
        analysis = self.analysis
        if analysis is not None and analysis.problem in (None, FileProblem.NO_COLUMNS):
            usable = self.mapping().usable
            self._show_problem("" if usable else no_columns_text())
        self.update_preview()

    def update_preview(self) -> None:
        self.preview_table.setRowCount(0)
        analysis = self.analysis
        mapping = self.mapping()
        ready = (
            analysis is not None
            and analysis.problem in (None, FileProblem.NO_COLUMNS)
            and mapping.usable
        )
        self.import_button.setEnabled(ready and not self._busy())
        if analysis is None or not ready:
            return
        for outcome in preview(analysis, mapping, PREVIEW_ROWS):
            row = self.preview_table.rowCount()
            self.preview_table.insertRow(row)
            contact = outcome.contact
            cells = [str(outcome.line), "", "", "", ""]
            if contact is not None:
                cells[1] = contact.name
                cells[2] = contact.company
                cells[3] = ", ".join(
                    f"{n.number} ({tr(NUMBER_TYPES[n.type])})" for n in contact.numbers
                )
                cells[4] = tr("OK")
            elif outcome.rejected is not None:
                cells[1], cells[2] = _raw_name(outcome.values, mapping)  # whose row it is
                cells[4] = reason_text(outcome.rejected)
            for column, text in enumerate(cells):
                self.preview_table.setItem(row, column, QTableWidgetItem(text))

    # ------------------------------------------------------------------ the import

    def _busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start_import(self) -> None:
        analysis = self.analysis
        if analysis is None or self._busy():
            return
        mapping = self.mapping()
        self._cancel.clear()
        self.import_button.setEnabled(False)
        for widget in (self.choose_button, self.path_edit, self.encoding, self.separator):
            widget.setEnabled(False)
        for combo in self.mapping_combos:
            combo.setEnabled(False)
        self.progress.setRange(0, max(1, analysis.total_lines))
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.result_label.hide()
        self.skipped_list.hide()
        worker = self._worker

        def run() -> None:
            result = import_contacts(
                analysis,
                mapping,
                self.store,
                progress=lambda done, total: worker.progress.emit(done, total),
                cancelled=self._cancel.is_set,
            )
            worker.finished.emit(result)

        self._thread = threading.Thread(target=run, name="csv-import", daemon=True)
        self._thread.start()

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def _on_finished(self, result: ImportResult) -> None:
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.outcome = result
        self.cancel_button.hide()
        for widget in (self.choose_button, self.path_edit, self.encoding, self.separator):
            widget.setEnabled(True)
        for combo in self.mapping_combos:
            combo.setEnabled(True)
        if result.problem is not None:
            self.result_label.setText(file_problem_text(result, self.encoding.currentText()))
        else:
            text = tr(
                "Imported: {imported}. Skipped: {skipped}.",
                imported=result.imported,
                skipped=len(result.skipped),
            )
            if result.cancelled:
                text += " " + tr("The import was stopped; the contacts imported stay.")
            if result.failed_batches:
                text += " " + tr(
                    "{count} batches could not be saved and were rolled back.",
                    count=len(result.failed_batches),
                )
            self.result_label.setText(text)
        self.result_label.show()
        self.skipped_list.clear()
        for row in result.skipped:
            self.skipped_list.addItem(row_problem_text(row))
        self.skipped_list.setVisible(bool(result.skipped))
        self.update_preview()
        if result.imported:
            self.imported.emit(result.imported)

    def wait(self, timeout: float = 60.0) -> None:
        """Wait for a running import's thread (tests; the signals still need the loop)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def reject(self) -> None:
        self._cancel.set()  # an import running stops after its batch
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._cancel.set()
        super().closeEvent(event)
