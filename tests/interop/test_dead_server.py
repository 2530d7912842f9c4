"""A PBX that dies (UDP): the account says "unreachable" within the keep-alive interval,
long before its registration would be refreshed, and registers again once the PBX is back.

The console runs with a 5 s keep-alive (the shortest allowed) and a 600 s registration: only the keep-alive
probe (an OPTIONS that expects an answer) can notice the dead server in time. Kamailio
is killed and started again on the same port with empty memory; the binding must be
there again afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from parley_console import ParleyConsole, write_config

from peers.common import free_port, wait_until
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


def test_dead_udp_server_is_noticed_and_registered_again(tmp_path: Path) -> None:
    port = free_port("both")
    kam = Kamailio(
        tmp_path / "kam",
        {"1001": "pass1001"},
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
    )
    kam.start()
    console: ParleyConsole | None = None
    try:
        config = write_config(
            tmp_path / "settings.toml",
            [
                {
                    "name": "office",
                    "domain": f"127.0.0.1:{port}",
                    "username": "1001",
                    "password": "pass1001",
                    "transport": "udp",
                    "expires": 600,
                    "keepalive_interval": 5,
                    "retry_interval": 300,  # the retry timer must not be what brings it back
                }
            ],
        )
        console = ParleyConsole(config, log_dir=tmp_path)
        first = console.wait_state("registered", timeout=30)
        assert first["expires"] and first["expires"] > 60, first
        # Alive: the probes are answered and nothing changes.
        trace = console.stderr_path
        assert wait_until(
            lambda: trace.read_text(errors="replace").count("OPTIONS sip:127.0.0.1") >= 2,
            timeout=30,
        )
        assert not any(e.get("state") == "unreachable" for e in console.events)
        registers_before = trace.read_text(errors="replace").count("REGISTER sip:")

        kam.stop()
        gone = console.wait_state("unreachable", timeout=30)
        assert gone["server"] == f"udp:127.0.0.1:{port}", gone
        # Noticed by the keep-alive, not by a registration refresh (none was sent).
        assert trace.read_text(errors="replace").count("REGISTER sip:") == registers_before

        kam.start()
        console.wait_state("registered", timeout=30)
        assert len(kam.lookup("1001")) == 1  # Kamailio forgot us; we registered again
        assert console.quit() == 0
    finally:
        if console is not None:
            console.stop()
        kam.close()


def test_call_to_a_dead_server_says_the_server_did_not_answer(tmp_path: Path) -> None:
    """No keep-alive at all: the INVITE's transaction to the dead server times out. The
    call ends saying the server did not answer (not "No answer", as if nobody picked
    up), and that failed transaction marks the account unreachable."""
    port = free_port("both")
    kam = Kamailio(
        tmp_path / "kam",
        {"1001": "pass1001"},
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
    )
    kam.start()
    console: ParleyConsole | None = None
    try:
        config = write_config(
            tmp_path / "settings.toml",
            [
                {
                    "name": "office",
                    "domain": f"127.0.0.1:{port}",
                    "username": "1001",
                    "password": "pass1001",
                    "transport": "udp",
                    "keepalive_interval": 0,
                }
            ],
            sip={"t1": 0.1, "t2": 1.0, "t4": 1.0},  # Timer B = 64 × T1 = 6.4 s
        )
        console = ParleyConsole(config, log_dir=tmp_path)
        console.wait_state("registered", timeout=30)
        kam.stop()
        console.send(f"dial sip:1002@127.0.0.1:{port}")
        ended = console.wait_for(
            lambda e: e.get("event") == "call" and e.get("state") == "ended", timeout=60
        )
        assert ended["status"] == 408, ended
        assert "server did not answer" in ended["text"].lower(), ended
        console.wait_state("unreachable", timeout=10)
        assert console.quit() == 0
    finally:
        if console is not None:
            console.stop()
        kam.close()
