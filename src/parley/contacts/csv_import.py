"""Importing contacts from a CSV file (the manual's "Import contacts"), without any GUI.

The steps the dialog and the console share:

1. `analyse(data, encoding=None, separator=None)`: the file's bytes decoded in the
   encoding chosen (or the guess: a byte-order mark, else valid UTF-8, else Windows-1252),
   split with the separator chosen (or the one detected: comma, semicolon or tab), its
   header row and a mapping of the columns to our contact fields suggested from the
   column names (Outlook in English and German, Google Contacts old and new, Thunderbird,
   and plain names such as "Name", "Telefon", "Mobile").
2. `preview(analysis, mapping)`: the first rows as they would become contacts, or why not.
3. `import_contacts(analysis, mapping, store, progress=...)`: every row checked and the
   good ones stored in batches, one transaction each; `progress(done, total)` counts
   physical lines of the file.

Rows are reported by the file's physical line where the row starts (a quoted field may
span lines), with a `RowProblem` code and a detail (the field, the value); the front-ends
word them. Bad input never raises: a file that cannot be used comes back as a
`FileProblem` in the analysis or the result.

Duplicates: a row is skipped (reported as `RowProblem.DUPLICATE`) when a stored contact —
or a row imported earlier from the same file — has the same shown name and shares one of
its numbers. Nothing stored is changed or merged, so importing a file twice adds nothing
the second time; people who merely share a number (a company's switchboard) are kept.

A row with only a first name (common in phone exports) gets it as its display name too,
so it satisfies the manual's "last name, display name or company" rule.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from parley.contacts.model import MAX_TEXT, Contact, ContactError, NumberType, PhoneNumber
from parley.contacts.numbers import is_dialable, is_sip_address
from parley.contacts.source import SourceIssue, SourceProblem
from parley.contacts.store import ContactStore
from parley.history.db import StoreError

MAX_FILE_BYTES = 256 * 1024 * 1024  # far above any address book; protects the memory
BATCH_SIZE = 500
PREVIEW_ROWS = 20

# The encodings offered (Python codec names). "utf-8" also accepts a BOM; "utf-16"
# needs one (it tells the byte order), "utf-16-le"/"utf-16-be" do not.
ENCODINGS: tuple[str, ...] = (
    "utf-8",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "cp1252",
    "iso-8859-1",
    "iso-8859-15",
    "cp850",
    "mac-roman",
)
SEPARATORS: tuple[str, ...] = (",", ";", "\t", "|")


class Field(StrEnum):
    """What a column holds (values are shown in the console: keep them short)."""

    IGNORE = "ignore"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    DISPLAY_NAME = "display_name"
    COMPANY = "company"
    PHONE_BUSINESS = "phone_business"
    PHONE_MOBILE = "phone_mobile"
    PHONE_HOME = "phone_home"
    PHONE_FAX = "phone_fax"
    PHONE_OTHER = "phone_other"
    # A number whose type is in another column (Google: "Phone 1 - Type"/"- Label").
    PHONE_LABELLED = "phone_labelled"
    PHONE_LABEL = "phone_label"
    PRESENCE = "presence"


PHONE_FIELDS: dict[Field, NumberType] = {
    Field.PHONE_BUSINESS: NumberType.BUSINESS,
    Field.PHONE_MOBILE: NumberType.MOBILE,
    Field.PHONE_HOME: NumberType.HOME,
    Field.PHONE_FAX: NumberType.FAX,
    Field.PHONE_OTHER: NumberType.OTHER,
}
_TEXT_FIELDS = (Field.FIRST_NAME, Field.LAST_NAME, Field.DISPLAY_NAME, Field.COMPANY)


class FileProblem(StrEnum):
    """Why a whole file cannot be imported."""

    UNREADABLE = "unreadable"  # no such file, no permission (detail: the system's words)
    TOO_LARGE = "too_large"  # over MAX_FILE_BYTES
    BAD_ENCODING = "bad_encoding"  # not text in the encoding chosen (line: where)
    EMPTY = "empty"  # no header row
    NO_COLUMNS = "no_columns"  # nothing mapped to a name or a number


class RowProblem(StrEnum):
    """Why one row was not imported (detail: the field or value concerned)."""

    TOO_FEW_FIELDS = "too_few_fields"  # detail: "3/5" (fields found / header's)
    TOO_MANY_FIELDS = "too_many_fields"  # extra non-empty fields; detail as above
    BAD_QUOTING = "bad_quoting"  # an unterminated or misplaced quote
    NO_NAME = "no_name"  # no last name, display name or company
    NO_NUMBER = "no_number"
    BAD_NUMBER = "bad_number"  # detail: the value
    BAD_PRESENCE = "bad_presence"  # detail: the value
    CONTROL_CHARACTERS = "control_characters"  # detail: the field
    TOO_LONG = "too_long"  # detail: the field
    DUPLICATE = "duplicate"  # detail: the number shared with the same name
    STORE_FAILED = "store_failed"  # its batch was rolled back; detail: the store's words


@dataclass(frozen=True)
class RejectedRow:
    line: int  # the physical line of the file where the row starts (1 = the first)
    problem: RowProblem
    detail: str = ""

    def as_source_issue(self) -> SourceIssue:
        """The same, in the contact sources' terms."""
        return SourceIssue(
            SourceProblem.ENTRY_SKIPPED,
            where=f"line {self.line}",
            detail=f"{self.problem.value}: {self.detail}" if self.detail else self.problem.value,
        )


@dataclass(frozen=True)
class Mapping:
    """What each column holds, and for each PHONE_LABEL column the column of its number."""

    fields: tuple[Field, ...]
    label_of: dict[int, int] = field(default_factory=dict)  # value column -> label column

    @classmethod
    def of(cls, header: Sequence[str], fields: Sequence[Field]) -> Mapping:
        """A mapping with the label columns paired to their numbers (GUI combos)."""
        return cls(tuple(fields), _pair_labels(header, fields))

    @property
    def usable(self) -> bool:
        """True when something gives a name and something gives a number."""
        names = any(f in _TEXT_FIELDS for f in self.fields)
        numbers = any(f in PHONE_FIELDS or f is Field.PHONE_LABELLED for f in self.fields)
        return names and numbers


@dataclass(frozen=True)
class Analysis:
    """A file read with an encoding and a separator: its header and suggested mapping."""

    text: str = field(repr=False)
    encoding: str
    guessed_encoding: str
    separator: str
    detected_separator: str
    header: tuple[str, ...] = ()
    data_start: tuple[int, int] = (0, 0)  # where the rows begin: (character, line)
    suggested: Mapping = field(default_factory=lambda: Mapping(()))
    problem: FileProblem | None = None
    problem_line: int = 0
    problem_detail: str = ""
    total_lines: int = 0


@dataclass(frozen=True)
class RowOutcome:
    """One row of the preview: its line, its raw fields, and the contact or the reason."""

    line: int
    values: tuple[str, ...]
    contact: Contact | None
    rejected: RejectedRow | None


@dataclass(frozen=True)
class ImportResult:
    imported: int = 0
    skipped: tuple[RejectedRow, ...] = ()
    # Batches rolled back: (first line, last line, the store's words).
    failed_batches: tuple[tuple[int, int, str], ...] = ()
    problem: FileProblem | None = None
    problem_line: int = 0
    problem_detail: str = ""
    cancelled: bool = False

    @property
    def issues(self) -> tuple[SourceIssue, ...]:
        return tuple(r.as_source_issue() for r in self.skipped)


# ---------------------------------------------------------------- encoding and separator


def guess_encoding(data: bytes) -> str:
    """A byte-order mark, else valid UTF-8 (of a sample), else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[: 1024 * 1024]
    # UTF-16 without a BOM: mostly ASCII text has a NUL in every other byte.
    if len(sample) >= 4 and sample.count(0) > len(sample) // 3:
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        return "utf-16-le" if odd > even else "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) == len(data))
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "iso-8859-1"  # cp1252 leaves five bytes undefined; Latin-1 has them all


def decode(data: bytes, encoding: str) -> tuple[str, int]:
    """`data` as text, without a byte-order mark; (text, 0), or ("", line) of the first
    byte that is not text in `encoding` (LookupError for an unknown encoding)."""
    codec = codecs.lookup(encoding).name
    if codec == "utf-8":
        encoding = "utf-8-sig"  # a BOM is no part of the text
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(encoding, errors="replace")
        return "", before.count("\n") + 1
    return text.removeprefix("\ufeff"), 0


def detect_separator(text: str) -> str:
    """The separator that splits the first lines into the most equal rows (comma when
    nothing splits at all)."""
    lines = []
    for line in _LineFeed(text[: 64 * 1024]):
        if line.strip():
            lines.append(line)
        if len(lines) >= 20:
            break
    best, best_score = ",", (0, 0)
    for candidate in SEPARATORS:
        try:
            rows = list(csv.reader(lines, delimiter=candidate))
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (sum(1 for r in rows if len(r) == width), width)
        if score > best_score:
            best, best_score = candidate, score
    return best


# ---------------------------------------------------------------- the column names


def _norm(name: str) -> str:
    name = name.strip().strip("\ufeff\"'").replace("_", " ").casefold()
    return re.sub(r"\s+", " ", name)


# Column names (normalised) of the exports we know → our fields.
KNOWN_COLUMNS: dict[str, Field] = {}


def _known(target: Field, *names: str) -> None:
    for name in names:
        KNOWN_COLUMNS[_norm(name)] = target


_known(
    Field.FIRST_NAME,
    "First Name",
    "Given Name",
    "Firstname",
    "Vorname",
    "Prénom",
    "Nombre",
    "Nome",
    "Voornaam",
)
_known(
    Field.LAST_NAME,
    "Last Name",
    "Family Name",
    "Surname",
    "Lastname",
    "Nachname",
    "Familienname",
    "Nom",
    "Apellidos",
    "Cognome",
    "Achternaam",
)
_known(
    Field.DISPLAY_NAME,
    "Display Name",
    "Name",  # Google's old export: the full name
    "Full Name",
    "Anzeigename",
    "Angezeigter Name",
    "Vollständiger Name",
)
_known(
    Field.COMPANY,
    "Company",
    "Organization",
    "Organisation",
    "Organization Name",
    "Organization 1 - Name",
    "Firma",
    "Unternehmen",
    "Société",
    "Empresa",
)
_known(
    Field.PHONE_BUSINESS,
    # Outlook (English)
    "Business Phone",
    "Business Phone 2",
    "Company Main Phone",
    "Primary Phone",
    "Assistant's Phone",
    "Callback",
    # Outlook (German)
    "Telefon geschäftlich",
    "Telefon geschäftlich 2",
    "Telefon Firma",
    "Haupttelefon",
    "Telefon Assistent",
    "Rückmeldung",
    # Thunderbird (English, German)
    "Work Phone",
    "Tel. dienstlich",
    # generic
    "Office Phone",
    "Work",
    "Business",
    "Geschäftlich",
    "Dienstlich",
    "Büro",
)
_known(
    Field.PHONE_MOBILE,
    "Mobile Phone",
    "Mobile Phone 2",
    "Car Phone",
    "Mobiltelefon",
    "Mobiltelefon 2",
    "Autotelefon",
    "Mobile Number",
    "Mobil-Tel.-Nr.",
    "Mobile",
    "Mobil",
    "Cell",
    "Cell Phone",
    "Handy",
)
_known(
    Field.PHONE_HOME,
    "Home Phone",
    "Home Phone 2",
    "Telefon privat",
    "Telefon privat 2",
    "Tel. privat",
    "Home",
    "Privat",
)
_known(
    Field.PHONE_FAX,
    "Business Fax",
    "Home Fax",
    "Other Fax",
    "Fax geschäftlich",
    "Fax privat",
    "Weiteres Fax",
    "Fax Number",
    "Fax-Nummer",
    "Fax",
)
_known(
    Field.PHONE_OTHER,
    "Other Phone",
    "Radio Phone",
    "ISDN",
    "Weiteres Telefon",
    "Funkruf",
    "Pager",
    "Pager Number",
    "Pager-Nummer",
    "Phone",
    "Telephone",
    "Phone Number",
    "Number",
    "Telefon",
    "Telefonnummer",
    "Rufnummer",
    "Nummer",
    "Téléphone",
)
_known(Field.PRESENCE, "Presence", "Präsenz", "SIP Address", "SIP-Adresse", "SIP")

# Google's "Phone 1 - Type" / "Phone 1 - Label" / "Phone 1 - Value".
_GOOGLE_PHONE = re.compile(r"^phone (\d+) - (type|label|value)$")


def suggest_field(name: str) -> Field:
    """The field a column of this name holds in the exports we know (IGNORE if none)."""
    norm = _norm(name)
    google = _GOOGLE_PHONE.match(norm)
    if google:
        return Field.PHONE_LABELLED if google.group(2) == "value" else Field.PHONE_LABEL
    return KNOWN_COLUMNS.get(norm, Field.IGNORE)


def suggest_mapping(header: Sequence[str]) -> Mapping:
    return Mapping.of(header, [suggest_field(h) for h in header])


def _pair_labels(header: Sequence[str], fields: Sequence[Field]) -> dict[int, int]:
    """Each PHONE_LABELLED column's PHONE_LABEL column: the one of the same "Phone N",
    else the nearest unpaired label column before it, else after it."""
    values = [i for i, f in enumerate(fields) if f is Field.PHONE_LABELLED]
    labels = [i for i, f in enumerate(fields) if f is Field.PHONE_LABEL]
    free = set(labels)
    pairs: dict[int, int] = {}

    def group(i: int) -> str | None:
        found = _GOOGLE_PHONE.match(_norm(header[i])) if i < len(header) else None
        return found.group(1) if found else None

    for v in values:
        same = [lab for lab in free if group(lab) is not None and group(lab) == group(v)]
        if same:
            pairs[v] = same[0]
            free.discard(same[0])
    for v in values:
        if v in pairs or not free:
            continue
        before = [lab for lab in free if lab < v]
        chosen = max(before) if before else min(free)
        pairs[v] = chosen
        free.discard(chosen)
    return pairs


def label_type(label: str) -> NumberType:
    """The number type a free-text label means (Google's "Mobile", "Work Fax", "* Home")."""
    text = label.casefold()
    if "fax" in text:
        return NumberType.FAX
    if any(w in text for w in ("mobil", "cell", "handy", "iphone")):
        return NumberType.MOBILE
    if any(w in text for w in ("work", "business", "office", "geschäft", "dienst", "büro")):
        return NumberType.BUSINESS
    if any(w in text for w in ("home", "privat")):
        return NumberType.HOME
    return NumberType.OTHER


# ---------------------------------------------------------------- reading rows


_EOL = re.compile(r"\r\n|\n|\r")  # what ends a line for csv (not \v, \f or U+2028)


class _LineFeed:
    """The file's physical lines for csv.reader, cut from the text one at a time (no
    copy of the whole file), with the number of lines handed out and the position."""

    def __init__(self, text: str, pos: int = 0, line: int = 0) -> None:
        self.text = text
        self.pos = pos
        self.line = line

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        text, pos = self.text, self.pos
        if pos >= len(text):
            raise StopIteration
        found = _EOL.search(text, pos)
        end = found.end() if found else len(text)
        self.pos, self.line = end, self.line + 1
        return text[pos:end]


def count_lines(text: str) -> int:
    """The physical lines of `text` (a last line without an ending counts)."""
    ends = sum(1 for _ in _EOL.finditer(text))
    return ends + (1 if text and not _EOL.match(text[-1]) else 0)


def _records(
    text: str, separator: str, start: tuple[int, int] = (0, 0)
) -> Iterator[tuple[int, int, list[str] | None, tuple[int, int]]]:
    """(first line, last line, fields, position after) of each record from `start` (a
    character position and the lines before it); fields is None for a record with broken
    quoting — reading goes on at the line after its start, so one stray quote costs one
    row, not the rest of the file."""
    feed = _LineFeed(text, *start)
    while True:
        reader = csv.reader(feed, delimiter=separator, strict=True)
        while True:
            mark = (feed.pos, feed.line)
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error:
                feed.pos, feed.line = mark
                next(feed, None)  # skip the line the broken record starts on
                yield mark[1] + 1, feed.line, None, (feed.pos, feed.line)
                break  # a new reader: the old one may be mid-field
            yield mark[1] + 1, feed.line, row, (feed.pos, feed.line)


def analyse(data: bytes, *, encoding: str | None = None, separator: str | None = None) -> Analysis:
    """Decode and split `data`; `encoding`/`separator` None (or "") for the guess."""
    guessed = guess_encoding(data)
    chosen = encoding or guessed
    base = Analysis(
        text="", encoding=chosen, guessed_encoding=guessed, separator="", detected_separator=""
    )
    if len(data) > MAX_FILE_BYTES:
        return replace(base, problem=FileProblem.TOO_LARGE, problem_detail=str(len(data)))
    try:
        text, bad_line = decode(data, chosen)
    except LookupError:
        return replace(base, problem=FileProblem.BAD_ENCODING, problem_detail=chosen)
    if bad_line:
        return replace(
            base, problem=FileProblem.BAD_ENCODING, problem_line=bad_line, problem_detail=chosen
        )
    detected = detect_separator(text)
    sep = separator or detected
    if len(sep) != 1 or sep in '"\r\n':
        sep = detected
    base = replace(
        base, text=text, separator=sep, detected_separator=detected, total_lines=count_lines(text)
    )
    for first, _last, row, after in _records(text, sep):
        if row is None:
            return replace(base, problem=FileProblem.EMPTY, problem_line=first)
        if any(v.strip() for v in row):
            header = tuple(v.strip().removeprefix("\ufeff") for v in row)
            mapping = suggest_mapping(header)
            return replace(
                base,
                header=header,
                data_start=after,
                suggested=mapping,
                problem=None if mapping.usable else FileProblem.NO_COLUMNS,
            )
    return replace(base, problem=FileProblem.EMPTY)


def read_file(path: Path, *, encoding: str | None = None, separator: str | None = None) -> Analysis:
    """`analyse` of a file; a file that cannot be read comes back with UNREADABLE."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Analysis(
                text="",
                encoding=encoding or "",
                guessed_encoding="",
                separator=separator or "",
                detected_separator="",
                problem=FileProblem.TOO_LARGE,
                problem_detail=str(size),
            )
        data = path.read_bytes()
    except OSError as exc:
        return Analysis(
            text="",
            encoding=encoding or "",
            guessed_encoding="",
            separator=separator or "",
            detected_separator="",
            problem=FileProblem.UNREADABLE,
            problem_detail=exc.strerror or str(exc),
        )
    return analyse(data, encoding=encoding, separator=separator)


def _data_rows(analysis: Analysis) -> Iterator[tuple[int, int, list[str] | None]]:
    if analysis.problem in (
        FileProblem.UNREADABLE,
        FileProblem.TOO_LARGE,
        FileProblem.BAD_ENCODING,
        FileProblem.EMPTY,
    ):
        return
    for first, last, row, _after in _records(
        analysis.text, analysis.separator, analysis.data_start
    ):
        if row is not None and not any(v.strip() for v in row):
            continue  # blank lines and rows of empty fields: nothing to say
        yield first, last, row


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def row_contact(
    values: Sequence[str], mapping: Mapping, width: int, line: int
) -> Contact | RejectedRow:
    """The contact a row makes, or why it makes none. `width`: the header's field count."""
    if len(values) < width:
        return RejectedRow(line, RowProblem.TOO_FEW_FIELDS, f"{len(values)}/{width}")
    if any(v.strip() for v in values[width:]):
        return RejectedRow(line, RowProblem.TOO_MANY_FIELDS, f"{len(values)}/{width}")
    texts: dict[Field, str] = {}
    numbers: list[PhoneNumber] = []
    presence = ""
    fields = mapping.fields
    for index, kind in enumerate(fields[: len(values)]):
        if kind is Field.IGNORE or kind is Field.PHONE_LABEL:
            continue
        value = values[index].strip()
        if not value:
            continue
        if kind in PHONE_FIELDS or kind is Field.PHONE_LABELLED:
            if kind is Field.PHONE_LABELLED:
                label = mapping.label_of.get(index)
                number_type = label_type(values[label]) if label is not None else NumberType.OTHER
            else:
                number_type = PHONE_FIELDS[kind]
            for part in value.split(":::"):  # Google puts several numbers in one cell
                number = part.strip()
                if not number:
                    continue
                if _has_control(number):
                    return RejectedRow(line, RowProblem.CONTROL_CHARACTERS, _header_word(kind))
                if not (is_dialable(number) or is_sip_address(number)):
                    return RejectedRow(line, RowProblem.BAD_NUMBER, number)
                if all(n.number != number for n in numbers):
                    numbers.append(PhoneNumber(number, number_type))
        elif kind is Field.PRESENCE:
            presence = presence or value
        else:
            texts.setdefault(kind, value)
    first = texts.get(Field.FIRST_NAME, "")
    last = texts.get(Field.LAST_NAME, "")
    display = texts.get(Field.DISPLAY_NAME, "")
    company = texts.get(Field.COMPANY, "")
    if first and not (last or display or company):
        display = first  # the manual wants a last name, display name or company
    contact = Contact(
        first_name=first,
        last_name=last,
        display_name=display,
        company=company,
        numbers=tuple(numbers),
        presence=presence,
    )
    for problem in contact.problems():
        where = problem.field
        if where == "name":
            return RejectedRow(line, RowProblem.NO_NAME)
        if where == "numbers":
            return RejectedRow(line, RowProblem.NO_NUMBER)
        if where == "presence":
            if _has_control(presence):
                return RejectedRow(line, RowProblem.CONTROL_CHARACTERS, where)
            return RejectedRow(line, RowProblem.BAD_PRESENCE, presence)
        if _has_control(str(getattr(contact, where, ""))):
            return RejectedRow(line, RowProblem.CONTROL_CHARACTERS, where)
        if len(str(getattr(contact, where, ""))) > MAX_TEXT:
            return RejectedRow(line, RowProblem.TOO_LONG, where)
        return RejectedRow(line, RowProblem.BAD_NUMBER, problem.message)
    return contact


def _header_word(kind: Field) -> str:
    return kind.value


def preview(analysis: Analysis, mapping: Mapping, limit: int = PREVIEW_ROWS) -> list[RowOutcome]:
    """The first `limit` rows as they would become contacts (duplicates not checked)."""
    out: list[RowOutcome] = []
    width = len(analysis.header)
    for first, _last, row in _data_rows(analysis):
        if len(out) >= limit:
            break
        if row is None:
            out.append(RowOutcome(first, (), None, RejectedRow(first, RowProblem.BAD_QUOTING)))
            continue
        made = row_contact(row, mapping, width, first)
        if isinstance(made, RejectedRow):
            out.append(RowOutcome(first, tuple(row), None, made))
        else:
            out.append(RowOutcome(first, tuple(row), made, None))
    return out


# ---------------------------------------------------------------- the import

Progress = Callable[[int, int], None]


def import_contacts(
    analysis: Analysis,
    mapping: Mapping,
    store: ContactStore,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportResult:
    """Store every good row of the file; returns how many, and every row left out.

    One transaction per batch: a batch the store refuses is rolled back alone (its rows
    come back as STORE_FAILED and in `failed_batches`), earlier and later batches stay.
    `progress(done, total)` in physical lines after each batch (and at the end);
    `cancelled()` true stops after the current batch (what was stored stays).
    """
    if analysis.problem not in (None, FileProblem.NO_COLUMNS):  # NO_COLUMNS: see mapping
        return ImportResult(
            problem=analysis.problem,
            problem_line=analysis.problem_line,
            problem_detail=analysis.problem_detail,
        )
    if not mapping.usable:
        return ImportResult(problem=FileProblem.NO_COLUMNS)
    total = analysis.total_lines
    width = len(analysis.header)
    skipped: list[RejectedRow] = []
    failed: list[tuple[int, int, str]] = []
    imported = 0
    try:
        known = store.names_by_number()  # number key -> shown names (case-folded)
    except StoreError as exc:
        return ImportResult(problem=FileProblem.UNREADABLE, problem_detail=str(exc))
    batch: list[tuple[int, Contact, list[str]]] = []
    stopped = False

    def flush(done: int) -> None:
        nonlocal imported
        if batch:
            try:
                store.add_many([c for _, c, _ in batch], notify=False)
            except (StoreError, ContactError) as exc:
                failed.append((batch[0][0], batch[-1][0], str(exc)))
                skipped.extend(
                    RejectedRow(line, RowProblem.STORE_FAILED, str(exc)) for line, _, _ in batch
                )
                for _, contact, keys in batch:  # not stored after all
                    for key in keys:
                        names = known.get(key)
                        if names is not None:
                            names.discard(contact.name.casefold())
            else:
                imported += len(batch)
            batch.clear()
        if progress is not None:
            progress(done, total)

    for first, last, row in _data_rows(analysis):
        if row is None:
            skipped.append(RejectedRow(first, RowProblem.BAD_QUOTING))
            continue
        made = row_contact(row, mapping, width, first)
        if isinstance(made, RejectedRow):
            skipped.append(made)
            continue
        name = made.name.casefold()
        keys: list[str] = []
        kept: list[PhoneNumber] = []
        for number in made.numbers:  # Outlook's "Primary Phone" often repeats another
            key = store.number_key(number.number)
            if key not in keys:
                keys.append(key)
                kept.append(number)
        if len(kept) < len(made.numbers):
            made = replace(made, numbers=tuple(kept))
        same = next(
            (n for n, k in zip(made.numbers, keys, strict=False) if name in known.get(k, ())), None
        )
        if same is not None:
            skipped.append(RejectedRow(first, RowProblem.DUPLICATE, same.number))
            continue
        for key in keys:
            known.setdefault(key, set()).add(name)
        batch.append((first, made, keys))
        if len(batch) >= batch_size:
            flush(last)
            if cancelled is not None and cancelled():
                stopped = True
                break
    if not stopped:
        flush(total)
    if imported:
        store.notify_changed()
    skipped.sort(key=lambda r: r.line)
    return ImportResult(
        imported=imported,
        skipped=tuple(skipped),
        failed_batches=tuple(failed),
        cancelled=stopped,
    )
