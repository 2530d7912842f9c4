"""Console command `export FILE [--format csv|vcard] [--vcard-version 3.0|4.0]` (also
`export-contacts`): the local contacts written to a CSV file (UTF-8 with a byte-order
mark, which Excel needs; `import` reads it back as it is) or a vCard file (3.0 unless
4.0 is asked for). The format comes from the file's suffix unless given. The file is
replaced atomically: a failure leaves the old one. English or German (catalog:
cli/locale/de_sources.py)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from parley.cli.i18n import N_, tr
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

HELP = N_("export|export-contacts FILE [--format csv|vcard] [--vcard-version 3.0|4.0]")

FORMAT_NAMES = {"csv": ExportFormat.CSV, "vcard": ExportFormat.VCARD, "vcf": ExportFormat.VCARD}


def problem_text(error: ExportError) -> str:
    path = error.path
    if error.problem is ExportProblem.UNKNOWN_FORMAT:
        return tr(
            "error: which format for {path}? Name the file .csv or .vcf, "
            "or add --format csv or --format vcard",
            path=path,
        )
    if error.problem is ExportProblem.NO_FOLDER:
        return tr(
            "error: cannot write {path}: the folder {folder} does not exist",
            path=path,
            folder=error.detail,
        )
    if error.problem is ExportProblem.IS_FOLDER:
        return tr(
            "error: {path} is a folder; give a file name in it (e.g. {example})",
            path=path,
            example=path / "contacts.csv",
        )
    if error.problem is ExportProblem.NOT_READABLE:
        return tr("error: the contacts cannot be read: {error}", error=error.detail)
    return tr(
        "error: cannot write {path}: {error}; choose a folder you may write to "
        "(nothing was written)",
        path=path,
        error=error.detail,
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
                    raise ValueError(tr("--vcard-version: 3.0 or 4.0"))
                version = value
            else:
                found = FORMAT_NAMES.get(value.lower())
                if found is None:
                    raise ValueError(tr("--format: csv or vcard"))
                fmt = found
        else:
            rest.append(word)
    if not rest:
        raise ValueError(tr("export to which file? {help}", help=tr(HELP)))
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
    # One contact: the English stays as it always was, the German says "1 Kontakt".
    said = (
        N_("exported 1 contacts to {path} as {format}")
        if result.count == 1
        else N_("exported {count} contacts to {path} as {format}")
    )
    console.reply(tr(said, count=result.count, path=result.path, format=what))


COMMANDS = {"export": export_command, "export-contacts": export_command}
