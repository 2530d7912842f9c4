"""Time and memory of importing a large CSV file of contacts (issue #10: 100,000 rows).

Writes an Outlook-style export (the 35 columns Outlook writes in English, every field
quoted, UTF-8 with a BOM, CRLF, two to three numbers per contact, one row in 200 broken)
into a temporary folder, then measures in this process, on a new contacts file:

- analyse: read, guess the encoding, detect the separator, map the header;
- preview: the first 20 rows as contacts (what the dialog shows);
- import: every row checked and stored in batches of 500 (one transaction each), with
  the default country DE (numbers keyed in E.164 as the application does);
- a second import of the same file (every row a duplicate: nothing added);
- the peak resident memory of the process (ru_maxrss): before, after the import, after
  the second import.

No other program imports CSV the same way here, so there is no side-by-side figure.

    .venv/bin/python bench/bench_csv_import.py --rows 100000

This is a benchmark: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from parley.contacts.csv_import import (  # noqa: E402
    analyse,
    import_contacts,
    preview,
)
from parley.contacts.store import ContactStore  # noqa: E402

HEADER = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department",
    "Job Title", "Business Street", "Business City", "Business Postal Code",
    "Business Country/Region", "Assistant's Phone", "Business Fax", "Business Phone",
    "Business Phone 2", "Callback", "Car Phone", "Company Main Phone", "Home Fax",
    "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone", "Other Fax", "Other Phone",
    "Pager", "Primary Phone", "Radio Phone", "TTY/TDD Phone", "Telex", "E-mail Address",
    "E-mail Type", "E-mail Display Name", "Notes",
]  # fmt: skip
FIRST = ["Anna", "Jürgen", "Chloé", "Mehmet", "Olga", "Sven", "Zoë", "Björn", "Ines", "Tom"]
LAST = ["Müller", "Schmidt", "Øberg", "Yılmaz", "Nowak", "Berg", "Weiß", "García", "Lee"]


def make_file(path: Path, rows: int) -> int:
    index = {name: i for i, name in enumerate(HEADER)}
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(",".join(f'"{h}"' for h in HEADER) + "\r\n")
        for n in range(rows):
            fields = [""] * len(HEADER)
            fields[index["First Name"]] = FIRST[n % len(FIRST)]
            fields[index["Last Name"]] = f"{LAST[n % len(LAST)]} {n}"
            fields[index["Company"]] = f"Firma {n % 977} GmbH"
            fields[index["Business City"]] = "Köln"
            fields[index["Business Phone"]] = f"+49 221 {n:07d}"
            fields[index["Mobile Phone"]] = f"0171 {n:07d}"
            if n % 3 == 0:
                fields[index["Home Phone"]] = f"(0228) {n:06d}-1"
            fields[index["E-mail Address"]] = f"p{n}@example.com"
            if n % 50 == 0:
                fields[index["Notes"]] = "called about the offer,\r\nplease call back"
            if n % 200 == 7:
                fields[index["Business Phone"]] = "ask reception"  # a broken row
            out.write(",".join('"' + f.replace('"', '""') + '"' for f in fields) + "\r\n")
    return path.stat().st_size


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parley-csv-bench-") as tmp:
        csv_path = Path(tmp) / "outlook.csv"
        size = make_file(csv_path, args.rows)
        store = ContactStore(Path(tmp) / "contacts.sqlite3", default_region="DE")
        rss_before = maxrss_mb()

        t0 = time.perf_counter()
        analysis = analyse(csv_path.read_bytes())
        t1 = time.perf_counter()
        preview(analysis, analysis.suggested)
        t2 = time.perf_counter()
        calls = []
        result = import_contacts(
            analysis, analysis.suggested, store, progress=lambda d, t: calls.append(d)
        )
        t3 = time.perf_counter()
        rss_import = maxrss_mb()
        again = import_contacts(analysis, analysis.suggested, store)
        t4 = time.perf_counter()
        figures = {
            "rows": args.rows,
            "file_mb": round(size / 1e6, 1),
            "encoding": analysis.encoding,
            "separator": analysis.separator,
            "analyse_s": round(t1 - t0, 2),
            "preview_s": round(t2 - t1, 3),
            "import_s": round(t3 - t2, 1),
            "rows_per_s": round(args.rows / (t3 - t2)),
            "imported": result.imported,
            "skipped": len(result.skipped),
            "progress_calls": len(calls),
            "second_import_s": round(t4 - t3, 1),
            "second_imported": again.imported,
            "stored": store.count(),
            "maxrss_before_mb": round(rss_before),
            "maxrss_after_import_mb": round(rss_import),
            "maxrss_after_second_mb": round(maxrss_mb()),
            "python": sys.version.split()[0],
        }
        store.close()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
