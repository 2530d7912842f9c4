"""Console command `import-contacts PATH [--encoding E] [--separator S]` (also `import`):
the manual's "Import contacts" from a CSV file into the local contacts, with the column
mapping the importer suggests (Outlook, Google Contacts, Thunderbird exports and plain
column names). Prints the encoding and separator used, progress on large files, then
"imported N, skipped M" and one line per row left out ("line 12: no phone number")."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from parley.contacts.csv_import import (
    Analysis,
    FileProblem,
    ImportResult,
    RejectedRow,
    RowProblem,
    import_contacts,
    read_file,
)

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = "import-contacts|import PATH [--encoding E] [--separator S]"
MAX_LISTED = 200  # rows listed one by one; the rest are counted

SEPARATOR_NAMES = {
    ",": "comma",
    ";": "semicolon",
    "\t": "tab",
    "|": "bar",
    "comma": ",",
    "semicolon": ";",
    "tab": "\t",
    "bar": "|",
    "\\t": "\t",
}

ROW_TEXTS: dict[RowProblem, str] = {
    RowProblem.TOO_FEW_FIELDS: "fewer fields than the header ({detail})",
    RowProblem.TOO_MANY_FIELDS: "more fields than the header ({detail})",
    RowProblem.BAD_QUOTING: "a quote is not closed or is misplaced",
    RowProblem.NO_NAME: "no last name, display name or company",
    RowProblem.NO_NUMBER: "no phone number",
    RowProblem.BAD_NUMBER: "{detail!r} is not a phone number",
    RowProblem.BAD_PRESENCE: "the presence address {detail!r} is neither a number nor a SIP address",
    RowProblem.CONTROL_CHARACTERS: "control characters in {detail}",
    RowProblem.TOO_LONG: "{detail} is too long",
    RowProblem.DUPLICATE: "already in the contacts (same name and number {detail})",
    RowProblem.STORE_FAILED: "not stored: its batch was rolled back ({detail})",
}


def row_text(row: RejectedRow) -> str:
    return f"line {row.line}: " + ROW_TEXTS[row.problem].format(detail=row.detail)


def file_text(problem: FileProblem, line: int, detail: str, path: Path, encoding: str) -> str:
    if problem is FileProblem.UNREADABLE:
        return f"error: cannot read {path}: {detail}"
    if problem is FileProblem.TOO_LARGE:
        return f"error: {path} is too large ({detail} bytes)"
    if problem is FileProblem.BAD_ENCODING:
        where = f" at line {line}" if line else ""
        return f"error: {path} is not {encoding} text{where}; try another --encoding"
    if problem is FileProblem.EMPTY:
        return f"error: {path} has no header row"
    return (
        f"error: no column of {path} names a contact or holds a phone number; "
        "check --separator and --encoding, or name the columns (First Name, Last Name, "
        "Company, Phone, Mobile…)"
    )


def parse_args(line: str) -> tuple[Path, str | None, str | None]:
    """PATH, encoding, separator from the command line (quotes allowed in PATH)."""
    words = shlex.split(line)[1:]
    encoding = separator = None
    rest: list[str] = []
    it = iter(words)
    for word in it:
        if word in ("--encoding", "-e"):
            encoding = next(it, None)
        elif word.startswith("--encoding="):
            encoding = word.partition("=")[2]
        elif word in ("--separator", "-s"):
            separator = next(it, None)
        elif word.startswith("--separator="):
            separator = word.partition("=")[2]
        else:
            rest.append(word)
    if not rest:
        raise ValueError(f"import which file? {HELP}")
    if separator is not None:
        separator = SEPARATOR_NAMES.get(separator.lower(), separator)
        if len(separator) != 1:
            raise ValueError("--separator: one character, or comma, semicolon, tab")
    return Path(" ".join(rest)).expanduser(), encoding or None, separator or None


def result_lines(path: Path, analysis: Analysis, result: ImportResult) -> list[str]:
    if result.problem is not None:
        return [
            file_text(
                result.problem,
                result.problem_line,
                result.problem_detail,
                path,
                analysis.encoding,
            )
        ]
    lines = [
        f"imported {result.imported}, skipped {len(result.skipped)}"
        + (" (cancelled)" if result.cancelled else "")
    ]
    for first, last, why in result.failed_batches:
        lines.append(f"lines {first}-{last}: rolled back ({why})")
    lines.extend(row_text(r) for r in result.skipped[:MAX_LISTED])
    if len(result.skipped) > MAX_LISTED:
        lines.append(f"… and {len(result.skipped) - MAX_LISTED} more")
    return lines


def import_command(console: Console, rest: list[str]) -> None:
    path, encoding, separator = parse_args(console.line or " ".join(["import", *rest]))
    analysis = read_file(path, encoding=encoding, separator=separator)
    if analysis.text:
        console.reply(
            f"import {path}: {analysis.encoding}, "
            f"{SEPARATOR_NAMES.get(analysis.separator, analysis.separator)}-separated, "
            f"{analysis.total_lines} lines"
        )
    shown = [0]

    def progress(done: int, total: int) -> None:
        tenth = done * 10 // total if total else 10
        if total > 5000 and tenth > shown[0] and done < total:
            shown[0] = tenth
            console.reply(f"import: {done}/{total} lines")

    result = import_contacts(analysis, analysis.suggested, console.app.contacts, progress=progress)
    for line in result_lines(path, analysis, result):
        console.reply(line)


COMMANDS = {"import-contacts": import_command, "import": import_command}
