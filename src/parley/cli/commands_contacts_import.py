"""Console command `import-contacts PATH [--encoding E] [--separator S]` (also `import`):
the manual's "Import contacts" from a CSV file into the local contacts, with the column
mapping the importer suggests (Outlook, Google Contacts, Thunderbird exports and plain
column names). Prints the encoding and separator used, progress on large files, then
"imported N, skipped M" and one line per row left out ("line 12: no phone number"), in
English or German (catalog: cli/locale/de_sources.py)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from parley.cli.i18n import N_, tr
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

HELP = N_("import-contacts|import PATH [--encoding E] [--separator S]")
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
# How the file was separated, as said in the first line (the words above are typed).
SEPARATED = {
    ",": N_("comma-separated"),
    ";": N_("semicolon-separated"),
    "\t": N_("tab-separated"),
    "|": N_("bar-separated"),
}

ROW_TEXTS: dict[RowProblem, str] = {
    RowProblem.TOO_FEW_FIELDS: N_("fewer fields than the header ({detail})"),
    RowProblem.TOO_MANY_FIELDS: N_("more fields than the header ({detail})"),
    RowProblem.BAD_QUOTING: N_("a quote is not closed or is misplaced"),
    RowProblem.NO_NAME: N_("no last name, display name or company"),
    RowProblem.NO_NUMBER: N_("no phone number"),
    RowProblem.BAD_NUMBER: N_("{detail!r} is not a phone number"),
    RowProblem.BAD_PRESENCE: N_(
        "the presence address {detail!r} is neither a number nor a SIP address"
    ),
    RowProblem.CONTROL_CHARACTERS: N_("control characters in {detail}"),
    RowProblem.TOO_LONG: N_("{detail} is too long"),
    RowProblem.DUPLICATE: N_("already in the contacts (same name and number {detail})"),
    RowProblem.STORE_FAILED: N_("not stored: its batch was rolled back ({detail})"),
}


def row_text(row: RejectedRow) -> str:
    return tr(
        "line {line}: {reason}", line=row.line, reason=tr(ROW_TEXTS[row.problem], detail=row.detail)
    )


def file_text(problem: FileProblem, line: int, detail: str, path: Path, encoding: str) -> str:
    if problem is FileProblem.UNREADABLE:
        return tr("error: cannot read {path}: {detail}", path=path, detail=detail)
    if problem is FileProblem.TOO_LARGE:
        return tr("error: {path} is too large ({detail} bytes)", path=path, detail=detail)
    if problem is FileProblem.BAD_ENCODING:
        if line:
            return tr(
                "error: {path} is not {encoding} text at line {line}; try another --encoding",
                path=path,
                encoding=encoding,
                line=line,
            )
        return tr(
            "error: {path} is not {encoding} text; try another --encoding",
            path=path,
            encoding=encoding,
        )
    if problem is FileProblem.EMPTY:
        return tr("error: {path} has no header row", path=path)
    return tr(
        "error: no column of {path} names a contact or holds a phone number; "
        "check --separator and --encoding, or name the columns (First Name, Last Name, "
        "Company, Phone, Mobile…)",
        path=path,
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
        raise ValueError(tr("import which file? {help}", help=tr(HELP)))
    if separator is not None:
        separator = SEPARATOR_NAMES.get(separator.lower(), separator)
        if len(separator) != 1:
            raise ValueError(tr("--separator: one character, or comma, semicolon, tab"))
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
    counts = {"imported": result.imported, "skipped": len(result.skipped)}
    lines = [
        tr("imported {imported}, skipped {skipped} (cancelled)", **counts)
        if result.cancelled
        else tr("imported {imported}, skipped {skipped}", **counts)
    ]
    for first, last, why in result.failed_batches:
        lines.append(
            tr("lines {first}-{last}: rolled back ({why})", first=first, last=last, why=why)
        )
    lines.extend(row_text(r) for r in result.skipped[:MAX_LISTED])
    if len(result.skipped) > MAX_LISTED:
        lines.append(tr("… and {count} more", count=len(result.skipped) - MAX_LISTED))
    return lines


def import_command(console: Console, rest: list[str]) -> None:
    path, encoding, separator = parse_args(console.line or " ".join(["import", *rest]))
    analysis = read_file(path, encoding=encoding, separator=separator)
    if analysis.text:
        separated = (
            tr(SEPARATED[analysis.separator])
            if analysis.separator in SEPARATED
            else tr("{separator}-separated", separator=analysis.separator)
        )
        console.reply(
            tr(
                "import {path}: {encoding}, {separated}, {lines} lines",
                path=path,
                encoding=analysis.encoding,
                separated=separated,
                lines=analysis.total_lines,
            )
        )
    shown = [0]

    def progress(done: int, total: int) -> None:
        tenth = done * 10 // total if total else 10
        if total > 5000 and tenth > shown[0] and done < total:
            shown[0] = tenth
            console.reply(tr("import: {done}/{total} lines", done=done, total=total))

    result = import_contacts(analysis, analysis.suggested, console.app.contacts, progress=progress)
    for line in result_lines(path, analysis, result):
        console.reply(line)


COMMANDS = {"import-contacts": import_command, "import": import_command}
