"""A CSV file as a read-only contact source (`type = "csv"`): read whole with the reader
of "Import contacts" (`csv_import`: the same encodings, separators and header mapping),
and read again when the file changes (its size and modification time are its signature).

Nothing is stored in Parley's own contacts: the registry keeps what was read in the
source's cache. Rows that make no contact are reported as skipped entries with their
line; a file that cannot be used at all fails the fetch (the cache keeps what it had).
"""

from __future__ import annotations

from collections.abc import Mapping as MappingOf
from pathlib import Path

from parley.contacts.csv_import import (
    Analysis,
    Field,
    FileProblem,
    Mapping,
    RejectedRow,
    RowProblem,
    _data_rows,
    read_file,
    row_contact,
)
from parley.contacts.model import Contact
from parley.contacts.source import FetchResult, SourceIssue, SourceProblem

_FILE_PROBLEMS: dict[FileProblem, SourceProblem] = {
    FileProblem.UNREADABLE: SourceProblem.NOT_FOUND,
    FileProblem.TOO_LARGE: SourceProblem.TOO_LARGE,
    FileProblem.BAD_ENCODING: SourceProblem.BAD_DATA,
    FileProblem.EMPTY: SourceProblem.BAD_DATA,
    FileProblem.NO_COLUMNS: SourceProblem.BAD_DATA,
}


def file_signature(path: Path) -> str | None:
    """Size and modification time of the file; None when it cannot be looked at."""
    try:
        info = path.stat()
    except OSError:
        return None
    return f"{info.st_size:x}-{info.st_mtime_ns:x}"


def read_csv_source(
    path: Path,
    *,
    encoding: str | None = None,
    separator: str | None = None,
    columns: MappingOf[str, str] | None = None,
) -> FetchResult:
    """Every contact of the CSV file at `path`; `columns`: header -> field for the
    columns whose suggested mapping is not wanted (the others keep the suggestion)."""
    where = str(path)
    analysis = read_file(path, encoding=encoding, separator=separator)
    mapping = analysis.suggested
    if analysis.header and columns:
        wanted = {name.strip().casefold(): Field(value) for name, value in columns.items()}
        unknown = sorted(set(wanted) - {h.casefold() for h in analysis.header})
        if unknown:
            return _fail(
                SourceProblem.BAD_DATA,
                where,
                f"no column named {', '.join(unknown)} in the header "
                f"({', '.join(analysis.header)}); correct [contacts.sources.columns]",
            )
        fields = [
            wanted.get(h.casefold(), mapping.fields[i] if i < len(mapping.fields) else Field.IGNORE)
            for i, h in enumerate(analysis.header)
        ]
        mapping = Mapping.of(analysis.header, fields)
    if analysis.problem is not None and not (
        analysis.problem is FileProblem.NO_COLUMNS and mapping.usable
    ):
        return _fail(_FILE_PROBLEMS[analysis.problem], where, _file_detail(analysis))
    if not mapping.usable:
        return _fail(
            SourceProblem.BAD_DATA,
            where,
            "no column gives a name and a number; map them in [contacts.sources.columns]",
        )
    contacts: list[Contact] = []
    skipped: list[SourceIssue] = []
    width = len(analysis.header)
    for first, _last, row in _data_rows(analysis):
        if row is None:
            skipped.append(RejectedRow(first, RowProblem.BAD_QUOTING).as_source_issue())
            continue
        made = row_contact(row, mapping, width, first)
        if isinstance(made, RejectedRow):
            skipped.append(made.as_source_issue())
        else:
            contacts.append(made)
    return FetchResult(contacts=tuple(contacts), issues=tuple(skipped))


def _file_detail(analysis: Analysis) -> str:
    detail, line = analysis.problem_detail, analysis.problem_line
    if analysis.problem is FileProblem.UNREADABLE:
        return f"cannot be read ({detail})"
    if analysis.problem is FileProblem.TOO_LARGE:
        return f"{detail} bytes is too large"
    if analysis.problem is FileProblem.BAD_ENCODING:
        at = f" (line {line})" if line else ""
        return f"not {detail} text{at}; set its encoding"
    if analysis.problem is FileProblem.EMPTY:
        return "no header row"
    return "no column gives a name and a number; map them in [contacts.sources.columns]"


def _fail(problem: SourceProblem, where: str, detail: str) -> FetchResult:
    return FetchResult(issues=(SourceIssue(problem, where, detail),), failed=True)
