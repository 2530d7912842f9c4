"""Local contacts written to a file: CSV (for Excel, Outlook, Google and our own import)
or vCard (3.0 by default, what Outlook and phones read; 4.0 on request).

The CSV has a header of the column names our import knows (`csv_import.KNOWN_COLUMNS`),
so an exported file imports again without a mapping being chosen by hand; numbers go in
Google's "Phone N - Label" / "Phone N - Value" pairs, which keep every number with its
type and its order however many a contact has. UTF-8 with a byte-order mark by default:
without one Excel reads UTF-8 as Windows-1252 and garbles every umlaut.

A file is written atomically: into a temporary file next to it, flushed to the disk and
renamed over the target, so a failure (disk full, no permission) leaves the old file or
none, never half a file. Problems raise `ExportError` with an `ExportProblem` and the
system's words; the front-ends make the sentence.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from parley.contacts.model import Contact
from parley.contacts.vcard import write_vcards

__all__ = [
    "CSV_FIXED_COLUMNS",
    "ExportError",
    "ExportFormat",
    "ExportProblem",
    "ExportResult",
    "contacts_csv",
    "export_contacts",
    "format_for_path",
    "write_atomically",
]

# Our fields, in names the import maps (csv_import.KNOWN_COLUMNS), then the number pairs.
CSV_FIXED_COLUMNS = ("First Name", "Last Name", "Display Name", "Company", "Presence")
VCARD_VERSIONS = ("3.0", "4.0")


class ExportFormat(StrEnum):
    CSV = "csv"
    VCARD = "vcard"


_SUFFIXES = {".csv": ExportFormat.CSV, ".txt": ExportFormat.CSV, ".vcf": ExportFormat.VCARD}
_SUFFIXES[".vcard"] = ExportFormat.VCARD


class ExportProblem(StrEnum):
    """Why a file was not written (detail: the system's words or the value concerned)."""

    UNKNOWN_FORMAT = "unknown_format"  # no --format and a suffix we do not know
    NO_FOLDER = "no_folder"  # the folder of the file does not exist
    IS_FOLDER = "is_folder"  # the path names a folder
    NOT_WRITABLE = "not_writable"  # permission, read-only disk, disk full...
    NOT_READABLE = "not_readable"  # the contacts could not be read (store error)


class ExportError(Exception):
    def __init__(self, problem: ExportProblem, path: Path, detail: str = "") -> None:
        self.problem = problem
        self.path = path
        self.detail = detail
        super().__init__(f"{problem.value}: {path}" + (f": {detail}" if detail else ""))


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: ExportFormat
    count: int  # contacts written
    size: int  # bytes written


def format_for_path(path: Path) -> ExportFormat | None:
    """The format a file name's suffix stands for (.csv/.txt, .vcf/.vcard), or None."""
    return _SUFFIXES.get(path.suffix.lower())


def contacts_csv(contacts: Sequence[Contact]) -> str:
    """The contacts as CSV text (CRLF line ends, every field quoted as Excel does when
    needed): our fields, then as many "Phone N - Label"/"Phone N - Value" pairs as the
    contact with the most numbers needs (at least one, so the header is never bare)."""
    pairs = max([1, *(len(c.numbers) for c in contacts)])
    header = list(CSV_FIXED_COLUMNS)
    for n in range(1, pairs + 1):
        header += [f"Phone {n} - Label", f"Phone {n} - Value"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for contact in contacts:
        row = [
            contact.first_name,
            contact.last_name,
            contact.display_name,
            contact.company,
            contact.presence,
        ]
        for number in contact.numbers:
            row += [number.type.label, number.number]
        row += [""] * (len(header) - len(row))
        writer.writerow(row)
    return out.getvalue()


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename
    (atomic on POSIX and Windows); `OSError` leaves `path` as it was."""
    folder = path.parent
    try:  # mkstemp makes the file private (0600): keep the old file's mode, else 0644
        mode = path.stat().st_mode & 0o777
    except OSError:
        mode = 0o644
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        os.chmod(temp, mode)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def export_contacts(
    contacts: Sequence[Contact],
    path: Path,
    fmt: ExportFormat | None = None,
    *,
    bom: bool = True,
    vcard_version: str = "3.0",
) -> ExportResult:
    """Write `contacts` to `path` in `fmt` (None: from the suffix). `bom`: a UTF-8
    byte-order mark before CSV text. Raises `ExportError`."""
    chosen = fmt or format_for_path(path)
    if chosen is None:
        raise ExportError(ExportProblem.UNKNOWN_FORMAT, path, path.suffix)
    if vcard_version not in VCARD_VERSIONS:
        raise ValueError(f"vCard version {vcard_version!r}: 3.0 or 4.0")
    if path.is_dir():
        raise ExportError(ExportProblem.IS_FOLDER, path)
    if not path.parent.is_dir():
        raise ExportError(ExportProblem.NO_FOLDER, path, str(path.parent))
    if chosen is ExportFormat.CSV:
        data = contacts_csv(contacts).encode("utf-8")
        if bom:
            data = codecs.BOM_UTF8 + data
    else:
        data = write_vcards(contacts, version=vcard_version).encode("utf-8")
    try:
        write_atomically(path, data)
    except OSError as exc:
        raise ExportError(ExportProblem.NOT_WRITABLE, path, exc.strerror or str(exc)) from exc
    return ExportResult(path, chosen, len(contacts), len(data))
