"""The address-change decision (`net/netwatch.py`), with observations and time passed in,
and the two system probes on this machine's loopback."""

from __future__ import annotations

import asyncio

from parley.net.netwatch import (
    AddressChange,
    AddressWatch,
    NetWatcher,
    Observation,
    address_present,
    route_source,
)

SERVER = ("203.0.113.2", 5060)


def seen(source: str | None, present: dict[str, bool] | None = None) -> Observation:
    return Observation({"office": source}, present or {})


def test_nothing_changes_while_the_source_stays() -> None:
    w = AddressWatch(settle=0.5)
    w.watch("office", SERVER, "10.0.0.2", pinned=False)
    assert w.observe(seen("10.0.0.2", {"10.0.0.2": True}), 0.0) == []
    assert w.observe(seen("10.0.0.2", {"10.0.0.2": True}), 5.0) == []


def test_a_new_source_address_is_told_once_it_has_settled() -> None:
    w = AddressWatch(settle=0.5)
    w.watch("office", SERVER, "10.0.0.2", pinned=False)
    assert w.observe(seen("10.0.1.2", {"10.0.0.2": False}), 1.0) == []
    assert w.observe(seen("10.0.1.2", {"10.0.0.2": False}), 1.6) == [
        AddressChange("office", "10.0.0.2", "10.0.1.2")
    ]
    # told once; the watch follows the new address
    assert w.observe(seen("10.0.1.2", {"10.0.1.2": True}), 3.0) == []
    assert w.in_use == {"10.0.1.2"}


def test_the_next_look_is_due_when_a_candidate_has_settled() -> None:
    w = AddressWatch(settle=0.5)
    w.watch("office", SERVER, "10.0.0.2", pinned=False)
    assert w.next_due() is None
    w.observe(seen("10.0.1.2"), 1.0)
    assert w.next_due() == 1.5
    w.observe(seen("10.0.1.2"), 1.5)
    assert w.next_due() is None


def test_a_passing_state_is_not_told() -> None:
    w = AddressWatch(settle=0.5)
    w.watch("office", SERVER, "10.0.0.2", pinned=False)
    assert w.observe(seen("10.0.9.9"), 1.0) == []
    assert w.observe(seen("10.0.0.2"), 1.2) == []  # back before it settled
    assert w.observe(seen("10.0.0.2"), 5.0) == []


def test_a_candidate_that_moves_again_restarts_the_clock() -> None:
    w = AddressWatch(settle=0.5)
    w.watch("office", SERVER, "10.0.0.2", pinned=False)
    assert w.observe(seen("10.0.1.2"), 1.0) == []
    assert w.observe(seen("10.0.2.2"), 1.6) == []
    assert w.observe(seen("10.0.2.2"), 2.1) == [AddressChange("office", "10.0.0.2", "10.0.2.2")]


def test_a_pinned_socket_moves_only_when_its_address_is_gone() -> None:
    w = AddressWatch(settle=0.0)
    w.watch("office", SERVER, "10.0.0.2", pinned=True)
    # another route's source (a VPN up) does not concern a socket bound to 10.0.0.2
    assert w.observe(seen("10.8.0.5", {"10.0.0.2": True}), 1.0) == []
    assert w.observe(seen("10.8.0.5", {"10.0.0.2": False}), 2.0) == [
        AddressChange("office", "10.0.0.2", "10.8.0.5")
    ]


def test_no_route_and_the_address_gone_is_told_as_lost_once() -> None:
    w = AddressWatch(settle=0.0)
    w.watch("office", SERVER, "10.0.0.2", pinned=False)
    assert w.observe(seen(None, {"10.0.0.2": False}), 1.0) == [
        AddressChange("office", "10.0.0.2", None)
    ]
    assert w.observe(seen(None, {"10.0.0.2": False}), 2.0) == []
    # the network comes back with another address: that is a change
    assert w.observe(seen("192.168.1.7", {"10.0.0.2": False}), 3.0) == [
        AddressChange("office", "10.0.0.2", "192.168.1.7")
    ]


def test_no_route_while_the_address_is_still_ours_is_not_a_change() -> None:
    w = AddressWatch(settle=0.0)
    w.watch("office", SERVER, "10.0.0.2", pinned=False)
    assert w.observe(seen(None, {"10.0.0.2": True}), 1.0) == []
    assert w.observe(seen("10.0.0.2", {"10.0.0.2": True}), 2.0) == []


def test_ipv6_brackets_and_zones_do_not_count_as_changes() -> None:
    w = AddressWatch(settle=0.0)
    w.watch("office", ("2001:db8::1", 5060), "[2001:db8::2]", pinned=False)
    assert w.observe(Observation({"office": "2001:db8::2"}, {}), 1.0) == []


def test_forgotten_watches_and_unlooked_keys_are_left_alone() -> None:
    w = AddressWatch(settle=0.0)
    w.watch("office", SERVER, "10.0.0.2", pinned=False)
    w.watch("home", SERVER, "10.0.0.2", pinned=False)
    w.forget("home")
    assert set(w.servers) == {"office"}
    assert w.observe(Observation({}, {}), 1.0) == []


def test_the_system_probes_on_loopback() -> None:
    assert route_source("127.0.0.1", 5060) == "127.0.0.1"
    assert address_present("127.0.0.1")
    assert address_present("0.0.0.0")
    assert not address_present("192.0.2.123")  # TEST-NET-1: never ours


def test_the_watcher_loop_hands_changes_on() -> None:
    changes: list[AddressChange] = []
    answers = iter(["10.0.0.2", "10.0.1.2", "10.0.1.2", "10.0.1.2"])

    def fake(watch: AddressWatch) -> Observation:
        return Observation({k: next(answers, "10.0.1.2") for k in watch.servers}, {})

    async def run() -> None:
        watcher = NetWatcher(changes.append, interval=0.01, settle=0.0, observe=fake)
        watcher.watch.watch("office", SERVER, "10.0.0.2", pinned=False)
        watcher.start()
        for _ in range(200):
            if changes:
                break
            await asyncio.sleep(0.01)
        await watcher.stop()

    asyncio.run(run())
    assert changes == [AddressChange("office", "10.0.0.2", "10.0.1.2")]
