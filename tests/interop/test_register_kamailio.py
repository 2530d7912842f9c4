"""Registration against a real Kamailio, through the real console, as a user runs it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config

from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


def account(kam: Kamailio, transport: str = "udp", **extra: Any) -> dict[str, Any]:
    port = {"udp": kam.udp_port, "tcp": kam.tcp_port, "tls": kam.tls_port}[transport]
    data: dict[str, Any] = {
        "name": "office",
        "domain": f"127.0.0.1:{port}",
        "username": "1001",
        "password": "pass1001",
        "transport": transport,
    }
    if transport == "tls":
        data["ca_file"] = str(kam.ca_file)
    data.update(extra)
    return data


@pytest.fixture
def run_console(tmp_path: Path) -> Iterator[Any]:
    started: list[ParleyConsole] = []

    def run(accounts: list[dict[str, Any]], **top: Any) -> ParleyConsole:
        config = write_config(tmp_path / f"settings{len(started)}.toml", accounts, **top)
        console = ParleyConsole(config, log_dir=tmp_path)
        started.append(console)
        return console

    yield run
    for console in started:
        console.stop()


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
def test_register_and_unregister(kamailio: Kamailio, run_console: Any, transport: str) -> None:
    console = run_console([account(kamailio, transport)])
    console.wait_state("registering")
    registered = console.wait_state("registered")
    assert registered["status"] == 200
    assert registered["expires"] and registered["expires"] > 0
    contacts = kamailio.lookup("1001")
    assert len(contacts) == 1, contacts
    if transport != "udp":
        assert f"transport={transport}" in contacts[0].lower()
    assert console.quit() == 0
    console.wait_state("not registered")
    assert kamailio.lookup("1001") == []


def test_wrong_password_is_reported_as_such(kamailio: Kamailio, run_console: Any) -> None:
    console = run_console([account(kamailio, password="not-the-password")])
    failed = console.wait_state("failed")
    assert failed["status"] in (401, 403, 407)
    assert "password" in failed["text"]
    # The console's sentence names the account and says what to check (ISSUE7 §6).
    assert failed["cause"] == "wrong password"
    text = failed["text"]
    assert "office" in text and "user name" in text and "capitalisation" in text, text
    assert kamailio.lookup("1001") == []
    assert console.quit() == 0


def test_two_accounts_at_once(kamailio: Kamailio, run_console: Any) -> None:
    second = account(kamailio, "tcp", name="home", username="1002", password="pass1002")
    console = run_console([account(kamailio), second])
    console.wait_state("registered", "office")
    console.wait_state("registered", "home")
    assert len(kamailio.lookup("1001")) == 1
    assert len(kamailio.lookup("1002")) == 1
    console.send("unregister home")
    console.wait_state("not registered", "home")
    assert kamailio.lookup("1002") == []
    assert len(kamailio.lookup("1001")) == 1
    assert console.quit() == 0


def test_refresh_keeps_the_binding(tmp_path: Path, run_console: Any) -> None:
    """A registrar granting 6 s: Parley refreshes 10 % early, again and again."""
    from peers.common import free_port

    port = free_port("both")
    kam = Kamailio(
        tmp_path / "kam",
        {"1001": "pass1001"},
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
        defines=["SHORT_EXPIRES"],
    )
    kam.start()
    try:
        console = run_console([account(kam)])
        first = console.wait_state("registered")
        assert first["expires"] == 6
        # Each refresh is a REGISTER at about 5.4 s; three of them keep us bound throughout.
        trace_before = console.stderr_path.read_text().count("REGISTER sip:")
        import time

        for _ in range(3):
            time.sleep(4)
            assert len(kam.lookup("1001")) == 1
        trace_after = console.stderr_path.read_text().count("REGISTER sip:")
        assert trace_after - trace_before >= 2
        assert console.quit() == 0
    finally:
        kam.close()


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_registrar_restart_is_survived(tmp_path: Path, run_console: Any, transport: str) -> None:
    """Kamailio dies while we are registered and comes back (with empty memory): Parley
    notices (refresh timeout on UDP, lost connection on TCP) and is registered again
    within 2 × the retry interval of the restart, without being restarted itself."""
    from peers.common import free_port

    port = free_port("both")
    kam = Kamailio(
        tmp_path / "kam",
        {"1001": "pass1001"},
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
        defines=["SHORT_EXPIRES"],
    )
    kam.start()
    retry = 5
    try:
        console = run_console(
            [account(kam, transport, retry_interval=retry, keepalive_interval=5)],
            sip={"t1": 0.1, "t2": 1.0, "t4": 1.0},
        )
        console.wait_state("registered")
        kam.stop()
        console.wait_state("failed", timeout=30)
        kam.start()
        console.wait_state("registered", timeout=2 * retry)
        assert len(kam.lookup("1001")) == 1
        assert console.quit() == 0
    finally:
        kam.close()


def test_fixed_local_port_is_used_in_the_binding(kamailio: Kamailio, run_console: Any) -> None:
    from peers.common import free_port

    port = free_port("udp")
    console = run_console([account(kamailio, local_port=port)])
    console.wait_state("registered")
    contacts = kamailio.lookup("1001")
    assert f"127.0.0.1:{port}" in contacts[0]
    assert console.quit() == 0


def test_random_local_port_is_above_32000(kamailio: Kamailio, run_console: Any) -> None:
    import re

    console = run_console([account(kamailio)])
    console.wait_state("registered")
    match = re.search(r"127\.0\.0\.1:(\d+)", kamailio.lookup("1001")[0])
    assert match is not None and int(match.group(1)) > 32000
    assert console.quit() == 0


def test_register_on_startup_off_waits_for_the_command(
    kamailio: Kamailio, run_console: Any
) -> None:
    console = run_console([account(kamailio, register_on_startup=False)])
    console.send("accounts")
    reply = console.wait_for(lambda e: e.get("event") == "reply")
    assert "not registered" in reply["text"]
    assert kamailio.lookup("1001") == []
    console.send("register office")
    console.wait_state("registered")
    assert len(kamailio.lookup("1001")) == 1
    assert console.quit() == 0


def test_tls_certificate_not_trusted_is_explained(kamailio: Kamailio, run_console: Any) -> None:
    """Without our test CA the server certificate cannot be verified: a clear failure,
    never a silent plain-text fallback."""
    data = account(kamailio, "tls")
    del data["ca_file"]
    console = run_console([data])
    failed = console.wait_state("failed")
    assert "certificate" in failed["text"].lower()
    assert kamailio.lookup("1001") == []
    assert console.quit() == 0


@pytest.mark.parametrize("how", ["eof", "sigint"])
def test_end_of_stdin_or_ctrl_c_unregisters_and_exits_0(
    kamailio: Kamailio, run_console: Any, how: str
) -> None:
    import signal

    console = run_console([account(kamailio)])
    console.wait_state("registered")
    if how == "eof":
        assert console.proc.stdin is not None
        console.proc.stdin.close()
    else:
        console.proc.send_signal(signal.SIGINT)
    assert console.proc.wait(15) == 0
    assert kamailio.lookup("1001") == []
