"""The address book as a model/view list (gui/contact_model.py) over 100,000 contacts of
a remote source's SQLite cache: how long the list takes to show, to be scrolled to the
end, to read every row once, a search typed key by key (by name and by number), and the
memory the rows take. Prints a Markdown table; no
assertion anywhere. There is no baresip equivalent (baresip has no contact list GUI).

    QT_QPA_PLATFORM=offscreen PYTHONPATH=src python bench/bench_contact_list.py [--size 100000]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtWidgets import QApplication

from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.registry import ContactSources, RemoteSource
from parley.contacts.store import ContactStore
from parley.gui.contact_model import ContactBrowser
from parley.settings.contact_sources import ContactSourceSettings, SourceKind, local_source


def book(size: int) -> Iterator[Contact]:
    for i in range(size):
        yield Contact(
            first_name="Kontakt",
            last_name=f"{i:06d}",
            company=f"Firma {i % 300}",
            numbers=(
                PhoneNumber(f"+49 30 {1000000 + i}", NumberType.BUSINESS),
                PhoneNumber(f"0171 {2000000 + i}", NumberType.MOBILE),
            ),
        )


def rss_mb() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / 1024 if sys.platform != "darwin" else usage / 1024 / 1024


def typed(browser: ContactBrowser, text: str) -> tuple[float, float]:
    """(median, max) ms of the search of each prefix of `text`, the list shown: what a
    key costs when the typing pauses after every key (the worst case; the browser
    searches once the typing pauses)."""
    times = []
    for n in range(1, len(text) + 1):
        start = time.perf_counter()
        browser.model.set_search(text[:n])
        QApplication.processEvents()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        store = ContactStore(data / "contacts.sqlite3")
        store.add(Contact(first_name="Anna", last_name="Aal", numbers=(PhoneNumber("100"),)))
        settings = ContactSourceSettings(
            id="pbx", name="PBX book", kind=SourceKind.XML_PHONEBOOK, location=str(data / "b.xml")
        )
        sources = ContactSources([local_source(), settings], store, data_dir=data)
        remote = sources.get("pbx")
        assert isinstance(remote, RemoteSource)
        remote.cache.replace_all(book(args.size))
        rss_before = rss_mb()

        start = time.perf_counter()
        browser = ContactBrowser(sources)
        browser.resize(360, 600)
        browser.show()
        app.processEvents()
        first = time.perf_counter() - start
        rows = browser.model.rowCount()

        start = time.perf_counter()
        browser.view.scrollToBottom()
        app.processEvents()
        to_end = time.perf_counter() - start

        # Every row read once, top to bottom (what scrolling through all of it reads).
        model = browser.model
        start = time.perf_counter()
        for row in range(rows):
            model.data(model.index(row, 0))
        read_all = time.perf_counter() - start
        rss_after = rss_mb()
        # The same under tracemalloc (apart: it slows every allocation down).
        model.refresh()
        tracemalloc.start()
        for row in range(rows):
            model.data(model.index(row, 0))
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        middle = f"Kontakt {args.size // 2:06d}"
        name_med, name_max = typed(browser, middle)
        found_name = browser.model.rowCount()
        number = f"0171 {2000000 + args.size // 2 - 1}"
        num_med, num_max = typed(browser, number)
        found_number = browser.model.rowCount()
        browser.model.set_search("")
        app.processEvents()

        print(
            f"{platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}, "
            f"Qt offscreen, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        )
        print()
        print(
            "| contacts | list shown | scrolled to the end | every row read once | "
            f"typed `{middle}`: per key median (max), found | "
            f"typed `{number}`: per key median (max), found | Python memory of the rows "
            "held (peak) while reading every row | process RSS: before the list → after |"
        )
        print("|---|---|---|---|---|---|---|")
        print(
            f"| {rows:,} | {first * 1000:.0f} ms | {to_end * 1000:.0f} ms | {read_all:.2f} s | "
            f"{name_med:.0f} ms ({name_max:.0f} ms), {found_name} | "
            f"{num_med:.0f} ms ({num_max:.0f} ms), {found_number} | "
            f"{held / 1e6:.0f} MB ({peak / 1e6:.0f} MB) | {rss_before:.0f} → {rss_after:.0f} MB |"
        )
        remote.cache.close()
        store.close()


if __name__ == "__main__":
    main()
