"""Registrars that challenge twice, go stale, want longer expiries, stay silent or
answer garbage — played by SIPp — against the real console."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config

from peers.common import free_port
from peers.sipp import SCENARIOS, Sipp

pytestmark = pytest.mark.interop

FAST_TIMERS = {"t1": 0.1, "t2": 1.0, "t4": 1.0}  # Timer F = 64 × T1 = 6.4 s


@pytest.fixture
def registrar(tmp_path: Path) -> Iterator[Any]:
    started: list[Sipp] = []

    def start(scenario: str) -> Sipp:
        sipp = Sipp(
            SCENARIOS / scenario,
            local_port=free_port("udp"),
            media_port=free_port("udp"),
            workdir=tmp_path,
        )
        sipp.start()
        started.append(sipp)
        return sipp

    yield start
    for sipp in started:
        sipp.stop()


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Any]:
    started: list[ParleyConsole] = []

    def run(sipp: Sipp, **account: Any) -> ParleyConsole:
        data = {
            "name": "office",
            "domain": f"127.0.0.1:{sipp.local_port}",
            "username": "1001",
            "password": "pass1001",
            "transport": "udp",
            **account,
        }
        config = write_config(tmp_path / "settings.toml", [data], sip=FAST_TIMERS)
        c = ParleyConsole(config, log_dir=tmp_path)
        started.append(c)
        return c

    yield run
    for c in started:
        c.stop()


def failures(console: ParleyConsole) -> list[dict[str, Any]]:
    return [e for e in console.events if e.get("state") == "failed"]


def test_401_then_407_challenges(registrar: Any, console: Any) -> None:
    sipp = registrar("reg_401_then_407.xml")
    c = console(sipp)
    c.wait_state("registered")
    assert sipp.wait(timeout=10) == 0, sipp.errors()
    assert failures(c) == []
    assert c.quit() == 0


def test_stale_nonce_on_refresh_is_answered_without_failing(registrar: Any, console: Any) -> None:
    sipp = registrar("reg_stale.xml")
    c = console(sipp, expires=30)  # refreshed at 27 s
    c.wait_state("registered")
    assert sipp.wait(timeout=45) == 0, sipp.errors()
    assert failures(c) == []
    assert sipp.received_count("REGISTER") >= 4
    assert c.quit() == 0


def test_423_interval_too_brief_takes_min_expires(registrar: Any, console: Any) -> None:
    sipp = registrar("reg_423.xml")
    c = console(sipp, expires=60)
    registered = c.wait_state("registered")
    assert registered["expires"] >= 1800
    assert sipp.wait(timeout=10) == 0, sipp.errors()
    assert c.quit() == 0


def test_no_answer_times_out_then_retries(registrar: Any, console: Any) -> None:
    sipp = registrar("reg_no_answer.xml")
    c = console(sipp, retry_interval=5)
    failed = c.wait_state("failed", timeout=20)
    assert failed["status"] == 408
    assert "no answer" in failed["text"]
    # …and says what to check (the manual: a firewall or the network).
    assert "that the PBX is reachable" in failed["text"], failed["text"]
    # After the retry interval it tries again on its own (a new REGISTER goes out).
    first_round = sipp.received_count("REGISTER")
    c.wait_state("registering", timeout=15)
    c.wait_state("failed", timeout=20)
    assert sipp.received_count("REGISTER") > first_round
    # The console quits promptly even with the registrar silent.
    assert c.quit() == 0


def test_malformed_responses_are_ignored(registrar: Any, console: Any) -> None:
    sipp = registrar("reg_malformed.xml")
    c = console(sipp)
    c.wait_state("registered")
    assert sipp.wait(timeout=10) == 0, sipp.errors()
    assert c.proc.poll() is None  # still running
    assert failures(c) == []
    assert c.quit() == 0
