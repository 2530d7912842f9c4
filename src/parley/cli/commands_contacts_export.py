"""Console command `export FILE [--format csv|vcard] [--vcard-version 3.0|4.0]` (also
`export-contacts`): the local contacts written to a CSV file (UTF-8 with a byte-order
mark, which Excel needs; `import` reads it back as it is) or a vCard file (3.0 unless
4.0 is asked for). The format comes from the file's suffix unless given. The file is
replaced atomically: a failure leaves the old one."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from parley.contacts.export import (
    VCARD_VERSIONS,
    ExportError,
    ExportFormat,
    ExportProblem,
    export_contacts,
)
from parley.history.db import StoreError

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = "export|export-contacts FILE [--format csv|vcard] [--vcard-version 3.0|4.0]"

FORMAT_NAMES = {"csv": ExportFormat.CSV, "vcard": ExportFormat.VCARD, "vcf": ExportFormat.VCARD}


def problem_text(error: ExportError) -> str:
    path = error.path
    if error.problem is ExportProblem.UNKNOWN_FORMAT:
        return (
            f"error: which format for {path}? Name the file .csv or .vcf, "
            "or add --format csv or --format vcard"
        )
    if error.problem is ExportProblem.NO_FOLDER:
        return f"error: cannot write {path}: the folder {error.detail} does not exist"
    if error.problem is ExportProblem.IS_FOLDER:
        return f"error: {path} is a folder; give a file name in it (e.g. {path / 'contacts.csv'})"
    if error.problem is ExportProblem.NOT_READABLE:
        return f"error: the contacts cannot be read: {error.detail}"
    return (
        f"error: cannot write {path}: {error.detail}; choose a folder you may write to "
        "(nothing was written)"
    )


def parse_args(line: str) -> tuple[Path, ExportFormat | None, str]:
    """FILE, format (None: from the suffix) and vCard version from the command line."""
    words = shlex.split(line)[1:]
    fmt: ExportFormat | None = None
    version = "3.0"
    rest: list[str] = []
    it = iter(words)
    for word in it:
        name, eq, value = word.partition("=")
        if name in ("--format", "-f", "--vcard-version"):
            if not eq:
                value = next(it, "")
            if name == "--vcard-version":
                if value not in VCARD_VERSIONS:
                    raise ValueError("--vcard-version: 3.0 or 4.0")
                version = value
            else:
                found = FORMAT_NAMES.get(value.lower())
                if found is None:
                    raise ValueError("--format: csv or vcard")
                fmt = found
        else:
            rest.append(word)
    if not rest:
        raise ValueError(f"export to which file? {HELP}")
    return Path(" ".join(rest)).expanduser(), fmt, version


def export_command(console: Console, rest: list[str]) -> None:
    path, fmt, version = parse_args(console.line or " ".join(["export", *rest]))
    try:
        try:
            contacts = console.app.contacts.list()
        except StoreError as exc:
            raise ExportError(ExportProblem.NOT_READABLE, path, str(exc)) from exc
        result = export_contacts(contacts, path, fmt, vcard_version=version)
    except ExportError as exc:
        console.reply(problem_text(exc))
        return
    what = "CSV (UTF-8)" if result.format is ExportFormat.CSV else f"vCard {version}"
    console.reply(f"exported {result.count} contacts to {result.path} as {what}")


COMMANDS = {"export": export_command, "export-contacts": export_command}
