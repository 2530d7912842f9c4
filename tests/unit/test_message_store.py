"""The message store: one conversation per person, delivery states, unread counts,
search, kept across restarts, and a file that is not ours left alone."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from parley.messages import MessageStore, StoreError, normalise_peer
from parley.messages.store import FILE_NAME


@pytest.fixture
def store(tmp_path: Path) -> MessageStore:
    s = MessageStore(tmp_path / FILE_NAME)
    yield s
    s.close()


@pytest.mark.parametrize(
    ("uri", "key"),
    [
        ("sip:1002@PBX.Example.com", "sip:1002@pbx.example.com"),
        ('"Bob" <sip:1002@pbx.example.com;transport=tcp>;tag=x', "sip:1002@pbx.example.com"),
        ("sips:1002@pbx.example.com", "sip:1002@pbx.example.com"),
        ("sip:1002@pbx.example.com:5060", "sip:1002@pbx.example.com"),
        ("sip:1002@127.0.0.1:5070;user=phone", "sip:1002@127.0.0.1:5070"),
        ("sip:Bob@host", "sip:Bob@host"),  # the user part is case-sensitive (RFC 3261 §19.1.4)
        ("tel:+49301234", "tel:+49301234"),
    ],
)
def test_peer_keys_make_one_conversation_per_person(uri: str, key: str) -> None:
    assert normalise_peer(uri) == key


def test_a_conversation_in_order_with_states(store: MessageStore) -> None:
    out = store.add(
        "sip:1002@PBX", "hello", direction="out", account="office", state="sending", at=10
    )
    store.add_received("sip:1002@pbx;transport=udp", "hi back", account="office", at=20, name="Bob")
    assert store.set_state(out.id, "failed", 404, "Not Found")
    convo = store.conversation("sip:1002@pbx")
    assert [(m.direction, m.text) for m in convo] == [("out", "hello"), ("in", "hi back")]
    assert (convo[0].state, convo[0].status, convo[0].reason) == ("failed", 404, "Not Found")
    assert convo[1].state == "received" and not convo[1].read
    assert convo[0].read  # our own are read
    assert not store.set_state(9999, "sent")


def test_conversation_limit_keeps_the_latest(store: MessageStore) -> None:
    for i in range(10):
        store.add_received("sip:b@h", f"m{i}", account="a", at=float(i))
    assert [m.text for m in store.conversation("sip:b@h", limit=3)] == ["m7", "m8", "m9"]


def test_conversations_with_unread_counts_and_names(store: MessageStore) -> None:
    store.add_received("sip:b@h", "one", account="a", at=1, name="Bob")
    store.add_received("sip:b@h", "two", account="a", at=2)
    store.add("sip:c@h", "to carol", direction="out", account="a", state="sent", at=3)
    listed = store.conversations()
    assert [c.peer for c in listed] == ["sip:c@h", "sip:b@h"]
    carol, bob = listed
    assert (carol.unread, carol.last_text, carol.last_direction) == (0, "to carol", "out")
    assert (bob.unread, bob.last_text, bob.name, bob.last_at) == (2, "two", "Bob", 2.0)
    assert store.unread() == 2
    assert store.mark_read("SIP:b@H") == 2
    assert store.conversations()[1].unread == 0 and store.unread() == 0


def test_search_ignores_case_in_any_script_and_takes_wildcards_literally(
    store: MessageStore,
) -> None:
    store.add_received("sip:b@h", "Straße ÄRGER", account="a", at=1)
    store.add_received("sip:b@h", "100% sure_thing", account="a", at=2)
    store.add_received("sip:b@h", "1000 surely", account="a", at=3)
    assert [m.text for m in store.search("ärger")] == ["Straße ÄRGER"]
    assert [m.text for m in store.search("STRASSE")] == ["Straße ÄRGER"]  # casefold: ß = ss
    assert [m.text for m in store.search("0%")] == ["100% sure_thing"]
    assert [m.text for m in store.search("e_t")] == ["100% sure_thing"]
    assert store.search("   ") == []
    assert [m.text for m in store.search("sure")] == ["1000 surely", "100% sure_thing"]


def test_messages_are_kept_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "data" / FILE_NAME
    first = MessageStore(path)
    first.add_received("sip:b@h", "remember me", account="a", at=5, name="Bob")
    first.close()
    second = MessageStore(path)
    try:
        assert [m.text for m in second.conversation("sip:b@h")] == ["remember me"]
        assert second.conversations()[0].name == "Bob"
    finally:
        second.close()


def test_a_file_that_is_no_database_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_bytes(b"my precious notes, not SQLite at all\n" * 200)
    before = path.read_bytes()
    with pytest.raises(StoreError, match=str(path)):
        MessageStore(path)
    assert path.read_bytes() == before


def test_another_programs_database_is_refused_and_not_written(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER, body TEXT)")
    conn.execute("INSERT INTO notes VALUES (1, 'keep')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program"):
        MessageStore(path)
    assert path.read_bytes() == before
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert tables == {"notes"}


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    MessageStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer Parley"):
        MessageStore(path)


def test_writers_and_readers_on_several_threads(store: MessageStore) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(50):
                store.add_received(f"sip:p{n}@h", f"t{i}", account="a")
        except BaseException as exc:
            errors.append(exc)

    def read() -> None:
        try:
            for _ in range(50):
                store.conversations()
                store.search("t1")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    threads.append(threading.Thread(target=read))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(c.unread for c in store.conversations()) == 150
