"""The CardDAV contact source against Radicale 3 on 127.0.0.1: discovery, a first sync of
a large address book, a sync with nothing changed, a sync after a few changes, and the
fallback when the sync token is refused (a full ETag comparison).

The address book of `--cards` cards (vCard 3.0 and 4.0 alternating, each with two
numbers) is written straight into Radicale's storage folder before it starts (PUTting
thousands of cards one by one takes Radicale about 40 ms each); the changes between
syncs are made over HTTP, as another client would. Wall-clock times, medians over
`--rounds`. No other CardDAV client is installed here, so there is no side-by-side
figure. This is a benchmark, never a test: it asserts nothing.

Run from the repository root::

    .venv/bin/python bench/bench_carddav_sync.py --cards 5000 --rounds 5
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from parley.contacts.carddav import CardDavConfig, SyncState, discover, sync  # noqa: E402
from peers.radicale import Radicale  # noqa: E402

T = TypeVar("T")


CPU: dict[str, list[float]] = {}


def timed(action: Callable[[], T], name: str = "") -> tuple[float, T]:
    """Wall-clock time of `action`; with `name`, this process's CPU time is kept too
    (what Parley spends; the rest is Radicale and the wire)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = action()
    if name:
        CPU.setdefault(name, []).append(time.process_time() - cpu)
    return time.perf_counter() - start, result


def card(i: int) -> str:
    if i % 2:
        tels = (
            f'TEL;VALUE=uri;TYPE="work,voice":tel:+49-30-66{i:05d}\r\n'
            f"TEL;VALUE=uri;TYPE=cell:tel:+49-171-55{i:05d}\r\n"
        )
        version = "4.0"
    else:
        tels = f"TEL;TYPE=WORK,VOICE:+49 30 66{i:05d}\r\nTEL;TYPE=CELL:0171 55{i:05d}\r\n"
        version = "3.0"
    return (
        f"BEGIN:VCARD\r\nVERSION:{version}\r\nUID:bench-{i}\r\nFN:Person {i}\r\n"
        f"N:{i};Person;;;\r\nORG:Firma {i % 37}\r\n{tels}END:VCARD\r\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--changes", type=int, default=10)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="parley-bench-carddav-"))
    users = {"anna": "bench"}
    server = Radicale(work, users)
    book_dir = work / "collections" / "collection-root" / "anna" / "big"
    book_dir.mkdir(parents=True)
    (book_dir / ".Radicale.props").write_text(
        json.dumps({"tag": "VADDRESSBOOK", "D:displayname": "Big"})
    )
    for i in range(args.cards):
        (book_dir / f"c{i}.vcf").write_text(card(i), newline="")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures: dict[str, list[float]] = {}
    try:
        server.start()
        config = CardDavConfig(url=server.root, username="anna", password="bench")
        url = server.book_url("anna", "big")
        sync(config, url, None)  # warm-up: Radicale builds its item cache
        counts: dict[str, int] = {}
        for round_ in range(args.rounds):
            t, (books, _) = timed(lambda: discover(config), "discovery from the server root")
            figures.setdefault("discovery from the server root", []).append(t)
            t, first = timed(lambda: sync(config, url, None), "first sync (whole book)")
            figures.setdefault("first sync (whole book)", []).append(t)
            counts["first"] = len(first.contacts)
            t, same = timed(
                functools.partial(sync, config, url, first.state), "sync, nothing changed"
            )
            figures.setdefault("sync, nothing changed", []).append(t)
            for k in range(args.changes):
                i = (round_ * args.changes + k) % args.cards
                server.put_vcard("anna", "big", f"c{i}.vcf", card(i).replace("Person", "Edited"))
            t, changed = timed(
                functools.partial(sync, config, url, same.state), f"sync after {args.changes} edits"
            )
            figures.setdefault(f"sync after {args.changes} edits", []).append(t)
            counts["changed"] = len(changed.changed)
            stale = dataclasses.replace(
                changed.state, token="http://radicale.org/ns/sync/" + "0" * 64
            )
            t, fallback = timed(
                functools.partial(sync, config, url, stale),
                "token refused: ETag comparison, nothing to fetch",
            )
            figures.setdefault("token refused: ETag comparison, nothing to fetch", []).append(t)
            counts["fallback"] = len(fallback.contacts)
            state = fallback.state
            t, text = timed(state.to_json)
            figures.setdefault("SyncState to JSON", []).append(t)
            t, _ = timed(functools.partial(SyncState.from_json, text))
            figures.setdefault("SyncState from JSON", []).append(t)
            counts["json_bytes"] = len(text)
            counts["books"] = len(books)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"cards: {args.cards}, rounds: {args.rounds}, counts: {counts}")
    for name, values in figures.items():
        cpu = f"{statistics.median(CPU[name]) * 1000:.1f} ms" if name in CPU else "—"
        print(f"| {name} | {statistics.median(values) * 1000:.1f} ms | {cpu} |")
    print(f"peak RSS before / after: {rss_before // 1024} / {rss_after // 1024} MiB")


if __name__ == "__main__":
    main()
