"""Contact source cache: how long a remote source's copy takes to replace, and how fast
caller look-ups and searches are answered from it, for phone books of 1,000 to 100,000
entries (issue #10). Prints a Markdown table; no assertion anywhere.

    PYTHONPATH=src python bench/bench_contact_cache.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from parley.contacts.cache import ContactCache
from parley.contacts.model import Contact, NumberType, PhoneNumber

FIRST = ["Anna", "Bernd", "Carla", "Dieter", "Eva", "Frank", "Gisela", "Hans", "Ines", "Jürgen"]
LAST = ["Berg", "Dorn", "Fink", "Lang", "Müller", "Schmidt", "Weber", "Wolf", "Zander", "Koch"]


def book(size: int) -> list[Contact]:
    rnd = random.Random(size)
    return [
        Contact(
            first_name=rnd.choice(FIRST),
            last_name=f"{rnd.choice(LAST)}{i}",
            company=f"Firma {i % 500}",
            numbers=(
                PhoneNumber(f"+49 30 {1000000 + i}", NumberType.BUSINESS),
                PhoneNumber(f"0171 {2000000 + i}", NumberType.MOBILE),
            ),
        )
        for i in range(size)
    ]


def timed(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def lookups_during_replace(cache: ContactCache, contacts: list[Contact], number: str) -> float:
    """The longest a caller look-up (another thread, as the engine's) waited while the
    whole copy was replaced."""
    done = threading.Event()
    longest = 0.0

    def probe() -> None:
        nonlocal longest
        while not done.is_set():
            start = time.perf_counter()
            cache.lookup(number)
            longest = max(longest, time.perf_counter() - start)
            time.sleep(0.001)

    thread = threading.Thread(target=probe)
    thread.start()
    cache.replace_all(contacts)
    done.set()
    thread.join()
    return longest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
    )
    print()
    print(
        "| entries | replace all | file size | look-up (national form) | "
        "longest look-up during a replace | search 'berg1' | list all |"
    )
    print("|---|---|---|---|---|---|---|")
    for size in sizes:
        contacts = book(size)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "contacts-bench.sqlite3"
            cache = ContactCache(path, default_region="DE")
            replace = timed(partial(cache.replace_all, contacts), 3)
            rnd = random.Random(1)
            numbers = [f"030 {1000000 + rnd.randrange(size)}" for _ in range(200)]
            lookups = [timed(partial(cache.lookup, n), 1) for n in numbers]
            search = timed(partial(cache.search, "berg1", 200), 5)
            listing = timed(cache.contacts, 1)
            during = lookups_during_replace(cache, contacts, numbers[0])
            megabytes = (
                sum(p.stat().st_size for p in path.parent.iterdir() if p.name.startswith(path.name))
                / 1e6
            )
            cache.close()
        print(
            f"| {size:,} | {replace:.2f} s | {megabytes:.1f} MB | "
            f"{statistics.median(lookups) * 1000:.2f} ms (max {max(lookups) * 1000:.2f}) | "
            f"{during * 1000:.0f} ms | "
            f"{search * 1000:.1f} ms | {listing:.2f} s |"
        )


if __name__ == "__main__":
    main()
