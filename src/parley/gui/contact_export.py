"""The main window's "Export contacts…": the local contacts into a CSV file (for Excel,
Outlook, Google; our own import reads it back) or a vCard file (3.0 or 4.0). The format
is the file type chosen in the save dialog, or the file name's suffix."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from parley.app import Application
from parley.contacts.export import (
    ExportError,
    ExportFormat,
    ExportProblem,
    ExportResult,
    export_contacts,
    format_for_path,
)
from parley.contacts.store import ContactStore
from parley.gui import widgets
from parley.gui.i18n import N_, tr
from parley.history.db import StoreError

# The save dialog's file types: (filter, format, vCard version).
FILTERS: tuple[tuple[str, ExportFormat, str], ...] = (
    (N_("CSV for Excel and Outlook (*.csv)"), ExportFormat.CSV, ""),
    (N_("vCard 3.0 (*.vcf)"), ExportFormat.VCARD, "3.0"),
    (N_("vCard 4.0 (*.vcf)"), ExportFormat.VCARD, "4.0"),
)
_SUFFIX = {ExportFormat.CSV: ".csv", ExportFormat.VCARD: ".vcf"}


def problem_text(error: ExportError) -> str:
    """What went wrong and what to do, for a person."""
    path = str(error.path)
    if error.problem is ExportProblem.UNKNOWN_FORMAT:
        return tr("Name the file with .csv or .vcf at the end, or choose a file type.")
    if error.problem is ExportProblem.NO_FOLDER:
        return tr("The folder {folder} does not exist. Choose another folder.", folder=error.detail)
    if error.problem is ExportProblem.IS_FOLDER:
        return tr("{path} is a folder. Give the file a name.", path=path)
    if error.problem is ExportProblem.NOT_READABLE:
        return tr("The contacts cannot be read: {error}", error=error.detail)
    return tr(
        "{path} cannot be written: {error}. Choose a folder you may write to; nothing was written.",
        path=path,
        error=error.detail,
    )


def export_to(
    parent: QWidget | None,
    store: ContactStore,
    path: Path,
    fmt: ExportFormat | None = None,
    vcard_version: str = "3.0",
) -> ExportResult | None:
    """Export every local contact to `path`; says how it went in a message box. Returns
    the result, or None when nothing was written."""
    try:
        try:
            contacts = store.list()
        except StoreError as exc:
            raise ExportError(ExportProblem.NOT_READABLE, path, str(exc)) from exc
        result = export_contacts(contacts, path, fmt, vcard_version=vcard_version)
    except ExportError as exc:
        widgets.inform(parent, tr("Export contacts"), problem_text(exc), error=True)
        return None
    widgets.inform(
        parent,
        tr("Export contacts"),
        tr("{count} contacts exported to {path}.", count=result.count, path=str(result.path)),
    )
    return result


def choose_and_export(parent: QWidget | None, application: Application) -> ExportResult | None:
    """Ask for a file (and its type) and export the application's local contacts to it."""
    filters = [tr(f) for f, _fmt, _v in FILTERS]
    name, chosen = QFileDialog.getSaveFileName(
        parent, tr("Export contacts"), str(Path.home() / "contacts.csv"), ";;".join(filters)
    )
    if not name:
        return None
    path = Path(name)
    fmt, version = ExportFormat.CSV, "3.0"
    for text, (_f, kind, ver) in zip(filters, FILTERS, strict=True):
        if text == chosen:
            fmt, version = kind, ver or "3.0"
    by_name = format_for_path(path)
    if by_name is None:
        path = path.with_name(path.name + _SUFFIX[fmt])  # the type chosen, as its suffix
    elif by_name is not fmt:
        fmt = by_name  # a name typed with .vcf or .csv says what the person wants
    return export_to(parent, application.contacts, path, fmt, version)
