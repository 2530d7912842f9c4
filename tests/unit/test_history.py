"""Call history: the call-type rule, the SQLite store and the recorder fed with events."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from parley.app.recorder import HistoryRecorder
from parley.history import (
    REFUSED_BY_CALLEE,
    CallType,
    Direction,
    HistoryEntry,
    HistoryStore,
    StoreError,
    classify,
    number_of,
)
from parley.history.store import MIGRATIONS
from parley.phone.events import AccountStateChanged, CallStateChanged, EndCause

# ----------------------------------------------------------------------------- classify

STATUSES = [None, 200, 404, 408, 480, 486, 487, 488, 500, 503, 600, 603, 607, 608]


def expected(direction: str, answered: bool, status: int | None, rejected: bool) -> CallType:
    if direction == "outgoing":
        if answered:
            return CallType.SUCCESSFUL_OUTGOING
        return (
            CallType.REJECTED_OUTGOING
            if status in (486, 600, 603, 607, 608)
            else CallType.UNSUCCESSFUL_OUTGOING
        )
    if answered:
        return CallType.ACCEPTED_INCOMING
    return CallType.REJECTED_INCOMING if rejected else CallType.MISSED


@pytest.mark.parametrize("direction", ["incoming", "outgoing"])
@pytest.mark.parametrize("answered", [True, False])
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("rejected", [True, False])
def test_classify_every_combination(
    direction: str, answered: bool, status: int | None, rejected: bool
) -> None:
    got = classify(direction, answered, status, rejected_by_us=rejected)
    assert got is expected(direction, answered, status, rejected)
    assert got.direction == Direction(direction)


def test_classify_named_cases() -> None:
    assert classify("outgoing", False, 486) is CallType.REJECTED_OUTGOING  # busy
    assert classify("outgoing", False, 603) is CallType.REJECTED_OUTGOING  # declined
    assert classify("outgoing", False, 404) is CallType.UNSUCCESSFUL_OUTGOING
    assert classify("outgoing", False, 408) is CallType.UNSUCCESSFUL_OUTGOING
    assert classify("outgoing", False, 480) is CallType.UNSUCCESSFUL_OUTGOING
    assert classify("outgoing", False, None) is CallType.UNSUCCESSFUL_OUTGOING  # we cancelled
    assert classify("incoming", False, 487) is CallType.MISSED  # the caller gave up
    assert classify("incoming", False, 486) is CallType.MISSED  # busy, not refused by the user
    assert classify("incoming", False, 486, rejected_by_us=True) is CallType.REJECTED_INCOMING
    assert classify("incoming", True, None, rejected_by_us=True) is CallType.ACCEPTED_INCOMING
    assert classify(Direction.OUTGOING, True, 200) is CallType.SUCCESSFUL_OUTGOING


def test_classify_refuses_an_unknown_direction() -> None:
    with pytest.raises(ValueError):
        classify("sideways", False, None)


def test_call_types_with_labels() -> None:
    # The manual's six, its "successful transferred call", forwarded and deflected.
    assert len(CallType) == 9
    assert all(t.label for t in CallType)
    assert REFUSED_BY_CALLEE >= {486, 603}


@pytest.mark.parametrize(
    ("remote", "number"),
    [
        ("sip:1002@127.0.0.1:5060", "1002"),
        ("<sip:+4930123@pbx.example.com;user=phone>", "+4930123"),
        ("sips:alice@example.com", "alice"),
        ("tel:+4930123", "+4930123"),
        ("sip:example.com", "example.com"),
        ("unknown", "unknown"),
        ("not a uri at all", "not a uri at all"),
    ],
)
def test_number_of(remote: str, number: str) -> None:
    assert number_of(remote) == number


# ----------------------------------------------------------------------------- store


def entry(
    number: str = "1002",
    kind: CallType = CallType.SUCCESSFUL_OUTGOING,
    start: float = 1_700_000_000.0,
    **kw: object,
) -> HistoryEntry:
    data: dict[str, object] = {
        "direction": kind.direction,
        "type": kind,
        "number": number,
        "name": None,
        "account": "office",
        "start": datetime.fromtimestamp(start, UTC),
    }
    data.update(kw)
    return HistoryEntry(**data)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore(tmp_path / "data" / "history.sqlite3")
    yield s
    s.close()


def test_add_get_round_trip(store: HistoryStore) -> None:
    e = entry(
        name="Anna Berg",
        duration=12.5,
        sip_code=200,
        reason="OK",
        uri="sip:1002@127.0.0.1",
    )
    stored = store.add(e)
    assert stored.id is not None
    got = store.get(stored.id)
    assert got == stored
    assert got is not None and got.start.tzinfo is not None
    assert got.start == datetime.fromtimestamp(1_700_000_000.0, UTC)
    assert store.get(9999) is None


def test_naive_start_is_taken_as_utc(store: HistoryStore) -> None:
    naive = datetime(2024, 5, 1, 12, 0, 0)
    stored = store.add(replace(entry(), start=naive))
    got = store.get(stored.id or 0)
    assert got is not None and got.start == naive.replace(tzinfo=UTC)


def test_list_newest_first_with_filters_and_search(store: HistoryStore) -> None:
    a = store.add(entry("1002", CallType.SUCCESSFUL_OUTGOING, 100, name="Anna"))
    b = store.add(entry("1003", CallType.MISSED, 200, name="Bert"))
    c = store.add(entry("0301234", CallType.REJECTED_INCOMING, 300, uri="sip:0301234@pbx"))
    d = store.add(entry("1002", CallType.MISSED, 400, account="home"))
    assert [e.id for e in store.list()] == [d.id, c.id, b.id, a.id]
    assert [e.id for e in store.list(types=CallType.MISSED)] == [d.id, b.id]
    assert [e.id for e in store.list(types=[CallType.MISSED, CallType.REJECTED_INCOMING])] == [
        d.id,
        c.id,
        b.id,
    ]
    assert store.list(types=[]) == []
    assert [e.id for e in store.list(search="anna")] == [a.id]
    assert [e.id for e in store.list(search="1234")] == [c.id]
    assert [e.id for e in store.list(search="pbx")] == [c.id]
    assert [e.id for e in store.list(account="home")] == [d.id]
    assert [e.id for e in store.list(number="1002")] == [d.id, a.id]
    assert [e.id for e in store.list(limit=2)] == [d.id, c.id]
    assert [e.id for e in store.list(limit=2, offset=2)] == [b.id, a.id]
    assert store.count() == 4


def test_search_takes_like_wildcards_literally(store: HistoryStore) -> None:
    store.add(entry("1002", name="100% sure"))
    store.add(entry("1003", name="a_b"))
    assert [e.name for e in store.list(search="%")] == ["100% sure"]
    assert [e.name for e in store.list(search="_")] == ["a_b"]


def test_delete_one_many_and_clear(store: HistoryStore) -> None:
    ids = [store.add(entry(str(n), start=n)).id for n in range(5)]
    assert store.delete(ids[0] or 0) is True
    assert store.delete(ids[0] or 0) is False
    assert store.delete_many([ids[1] or 0, ids[2] or 0, 12345]) == 2
    assert store.count() == 2
    assert store.clear() == 2
    assert store.list() == []


def test_entries_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    first = HistoryStore(path)
    stored = first.add(entry(duration=3.0))
    first.close()
    again = HistoryStore(path)
    try:
        assert again.list() == [stored]
    finally:
        again.close()


def test_wal_mode_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    HistoryStore(path).close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == len(MIGRATIONS)
    finally:
        conn.close()


def test_a_newer_schema_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    HistoryStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer Parley"):
        HistoryStore(path)


def test_a_file_that_is_no_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="move the file away"):
        HistoryStore(path)


def test_unknown_types_from_a_newer_version_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path)
    store.add(entry())
    store.close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO calls (direction, type, number, account, start) "
        "VALUES ('outgoing', 'teleported', '1', 'x', 5)"
    )
    conn.commit()
    conn.close()
    store = HistoryStore(path)
    try:
        assert [e.number for e in store.list()] == ["1002"]
    finally:
        store.close()


def test_closed_store_raises_store_error(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.close()
    with pytest.raises(StoreError):
        store.list()
    with pytest.raises(StoreError):
        store.add(entry())


def test_writes_from_one_thread_reads_from_another(store: HistoryStore) -> None:
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for n in range(200):
                store.add(entry(str(n), start=n))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    while thread.is_alive():
        store.list(limit=10)
    thread.join()
    assert errors == []
    assert store.count() == 200


def test_memory_store(tmp_path: Path) -> None:
    store = HistoryStore(":memory:")
    store.add(entry())
    assert store.count() == 1
    store.close()


# ----------------------------------------------------------------------------- recorder


class Clock:
    def __init__(self) -> None:
        self.wall = 1_700_000_000.0
        self.mono = 50.0

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds


def ev(call: int, state: str, direction: str = "outgoing", **kw: object) -> CallStateChanged:
    data: dict[str, object] = {
        "call": call,
        "account": "office",
        "direction": direction,
        "state": state,
        "remote": "sip:1002@127.0.0.1",
    }
    data.update(kw)
    return CallStateChanged(**data)  # type: ignore[arg-type]


@pytest.fixture
def recorder(store: HistoryStore) -> tuple[HistoryRecorder, Clock, list[tuple[HistoryEntry, int]]]:
    clock = Clock()
    seen: list[tuple[HistoryEntry, int]] = []
    rec = HistoryRecorder(
        store,
        wall_clock=lambda: clock.wall,
        monotonic=lambda: clock.mono,
        on_recorded=lambda e, c: seen.append((e, c)),
    )
    return rec, clock, seen


Rec = tuple[HistoryRecorder, Clock, list[tuple[HistoryEntry, int]]]


def test_successful_outgoing_with_duration(recorder: Rec, store: HistoryStore) -> None:
    rec, clock, seen = recorder
    start = clock.wall
    rec.on_event(ev(1, "dialing"))
    clock.advance(2)
    rec.on_event(ev(1, "ringing", status=180))
    clock.advance(3)
    rec.on_event(ev(1, "connected", status=200))
    clock.advance(10)
    rec.on_event(ev(1, "held", held="us"))
    clock.advance(5)
    rec.on_event(ev(1, "connected"))
    clock.advance(7)
    rec.on_event(ev(1, "ended", remote_name="Anna"))
    [stored] = store.list()
    assert stored.type is CallType.SUCCESSFUL_OUTGOING
    assert stored.direction is Direction.OUTGOING
    assert stored.duration == pytest.approx(22.0)
    assert stored.start == datetime.fromtimestamp(start, UTC)
    assert stored.number == "1002"
    assert stored.uri == "sip:1002@127.0.0.1"
    assert stored.name == "Anna"
    assert stored.account == "office"
    assert stored.sip_code is None
    assert seen == [(stored, 1)]


def test_rejected_outgoing_keeps_code_and_reason(recorder: Rec, store: HistoryStore) -> None:
    rec, clock, _ = recorder
    rec.on_event(ev(2, "dialing"))
    clock.advance(1)
    rec.on_event(ev(2, "ended", status=486, reason="Busy Here", cause=EndCause.REJECTED))
    [stored] = store.list()
    assert (stored.type, stored.sip_code, stored.reason, stored.duration) == (
        CallType.REJECTED_OUTGOING,
        486,
        "Busy Here",
        0.0,
    )


def test_unsuccessful_outgoing(recorder: Rec, store: HistoryStore) -> None:
    rec, _, _ = recorder
    rec.on_event(ev(3, "dialing"))
    rec.on_event(ev(3, "ended", status=404, reason="Not Found"))
    rec.on_event(ev(4, "ended", cause=EndCause.CONNECTION_LOST))  # no earlier event at all
    types = {e.number: e for e in store.list()}
    assert all(e.type is CallType.UNSUCCESSFUL_OUTGOING for e in types.values())
    assert sorted(e.sip_code or 0 for e in store.list()) == [0, 404]
    # Without a SIP reason phrase the cause is stored (a code the front-ends translate).
    assert {e.reason for e in store.list()} == {"Not Found", "connection lost"}


def test_accepted_rejected_and_missed_incoming(recorder: Rec, store: HistoryStore) -> None:
    rec, clock, _ = recorder
    rec.on_event(ev(5, "incoming", "incoming", remote_name="Bert"))
    clock.advance(4)
    rec.on_event(ev(5, "connected", "incoming"))
    clock.advance(30)
    rec.on_event(ev(5, "ended", "incoming"))

    rec.on_event(ev(6, "incoming", "incoming"))
    rec.note_rejected(6)
    rec.on_event(ev(6, "ended", "incoming", status=486, reason="Busy Here"))

    rec.note_rejected(7)  # rejected before any event reached the recorder
    rec.on_event(ev(7, "ended", "incoming", status=603, reason="Decline"))

    rec.on_event(ev(8, "incoming", "incoming"))
    rec.on_event(ev(8, "ended", "incoming", status=487, reason="Request Terminated"))

    rec.on_event(ev(9, "incoming", "incoming"))  # auto-rejected while busy: missed
    rec.on_event(ev(9, "ended", "incoming", status=486))
    by_type = [(e.type, e.duration) for e in reversed(store.list())]
    assert by_type == [
        (CallType.ACCEPTED_INCOMING, pytest.approx(30.0)),
        (CallType.REJECTED_INCOMING, 0.0),
        (CallType.REJECTED_INCOMING, 0.0),
        (CallType.MISSED, 0.0),
        (CallType.MISSED, 0.0),
    ]
    assert store.list()[-1].name == "Bert"


def test_interleaved_calls_are_kept_apart(recorder: Rec, store: HistoryStore) -> None:
    rec, clock, _ = recorder
    rec.on_event(ev(10, "dialing", remote="sip:1@x"))
    rec.on_event(ev(11, "incoming", "incoming", remote="sip:2@x"))
    rec.on_event(ev(10, "connected", remote="sip:1@x"))
    clock.advance(5)
    rec.on_event(ev(11, "ended", "incoming", remote="sip:2@x", status=487))
    clock.advance(5)
    rec.on_event(ev(10, "ended", remote="sip:1@x"))
    got = {e.number: (e.type, e.duration) for e in store.list()}
    assert got == {
        "1": (CallType.SUCCESSFUL_OUTGOING, pytest.approx(10.0)),
        "2": (CallType.MISSED, 0.0),
    }


def test_other_events_and_bad_directions_are_ignored(recorder: Rec, store: HistoryStore) -> None:
    rec, _, seen = recorder
    rec.on_event(AccountStateChanged("office", "registered", 200, "OK"))
    rec.on_event(ev(12, "ended", direction="sideways"))
    assert store.count() == 0
    assert seen == []


def test_a_failing_store_does_not_raise(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    rec = HistoryRecorder(store)
    store.close()
    rec.on_event(ev(13, "dialing"))
    rec.on_event(ev(13, "ended", status=404))
    assert "could not be written" in caplog.text


def test_a_failing_listener_does_not_raise(store: HistoryStore) -> None:
    def boom(e: HistoryEntry, call: int) -> None:
        raise RuntimeError("listener broke")

    rec = HistoryRecorder(store, on_recorded=boom)
    rec.on_event(ev(14, "ended"))
    assert store.count() == 1
