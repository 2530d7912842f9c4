"""RFC 3261 §18.1.1 with a real Kamailio (UDP and TCP on one port) and baresip: Parley's
account is on UDP; an INVITE over 1300 bytes (a long display name and every codec) goes
over TCP and the call sets up, a small one stays on UDP.

Observed at the far phone: baresip's SIP trace shows the INVITE as Kamailio relayed it,
with Parley's Via below Kamailio's, naming the transport the INVITE really came over (a
Via that lied would be corrected by Kamailio with received/rport, and our transport
layer's trace shows the TCP connection too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config

from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

PASSWORDS = {"1001": "pass1001", "1002": "pass1002"}
LONG_NAME = "Dr. " + " ".join(["Maximiliane Wolkenstein-Hohenberger"] * 18)


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    port = free_port("both")
    k = Kamailio(
        tmp_path_factory.mktemp("kam-size"),
        PASSWORDS,
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
    )
    k.start()
    yield k
    k.close()


def _call(kam: Kamailio, work: Path, account: dict[str, Any]) -> tuple[str, str]:
    """Parley calls baresip once; returns (Parley's trace, baresip's log)."""
    work.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {
        "name": "office",
        "domain": f"127.0.0.1:{kam.udp_port}",
        "username": "1001",
        "password": PASSWORDS["1001"],
        "transport": "udp",
        **account,
    }
    parley = ParleyConsole(write_config(work / "parley.toml", [data]), log_dir=work)
    far = Baresip(
        work / "baresip",
        sip_port=free_port("both"),
        user="1002",
        password=PASSWORDS["1002"],
        registrar=f"127.0.0.1:{kam.udp_port}",
        auto_answer=True,
        sip_trace=True,
    )
    try:
        parley.wait_state("registered", timeout=30)
        far.start(timeout=30)
        parley.send(f"dial sip:1002@127.0.0.1:{kam.udp_port}")
        parley.wait_for(lambda e: e.get("event") == "call" and e.get("state") == "connected", 30)
        far.wait_call_state("CALL_ESTABLISHED", timeout=30)
        parley.send("hangup")
        parley.wait_for(lambda e: e.get("event") == "call" and e.get("state") == "ended", 30)
        far.wait_call_state("CALL_CLOSED", timeout=30)
    finally:
        far.stop()
        if parley.proc.poll() is None:
            parley.quit()
        parley.stop()
    return parley.stderr_path.read_text(), far.log_text()


def _our_invite_via(baresip_log: str) -> str:
    """The transport in Parley's Via of the INVITE baresip received (below Kamailio's)."""
    invite = baresip_log[baresip_log.index("INVITE sip:1002") :]
    vias = re.findall(r"^Via: SIP/2\.0/(\w+) 127\.0\.0\.1:(\d+)", invite, flags=re.MULTILINE)
    assert len(vias) >= 2, invite[:1500]
    return vias[1][0]


def _invite_size(parley_trace: str) -> int:
    start = parley_trace.index("INVITE sip:1002@")
    head = parley_trace[start:].partition("\n\n")[0]
    length = int(re.search(r"Content-Length: (\d+)", head).group(1))  # type: ignore[union-attr]
    return len(head.replace("\n", "\r\n")) + 4 + length


def test_a_large_invite_goes_over_tcp(kam: Kamailio, tmp_path: Path) -> None:
    trace, far_log = _call(
        kam,
        tmp_path,
        {"display_name": LONG_NAME, "codecs": ["pcmu", "pcma", "g722", "opus"]},
    )
    assert _invite_size(trace) > 1300
    assert _our_invite_via(far_log) == "TCP"
    assert re.search(r">> TCP 127\.0\.0\.1:\d+\nINVITE sip:1002@", trace), "no INVITE over TCP"


def test_a_small_invite_stays_on_udp(kam: Kamailio, tmp_path: Path) -> None:
    trace, far_log = _call(kam, tmp_path, {"codecs": ["pcmu"]})
    assert _invite_size(trace) <= 1300
    assert _our_invite_via(far_log) == "UDP"
    assert re.search(r">> UDP 127\.0\.0\.1:\d+\nINVITE sip:1002@", trace)
    assert not re.search(r">> TCP ", trace), "something went over TCP"


def test_a_large_invite_is_cancelled_over_tcp_too(kam: Kamailio, tmp_path: Path) -> None:
    """RFC 3261 §9.1: the CANCEL goes where its INVITE went, transport included."""
    account = {
        "name": "office",
        "domain": f"127.0.0.1:{kam.udp_port}",
        "username": "1001",
        "password": PASSWORDS["1001"],
        "transport": "udp",
        "display_name": LONG_NAME,
        "codecs": ["pcmu", "pcma", "g722", "opus"],
    }
    parley = ParleyConsole(write_config(tmp_path / "parley.toml", [account]), log_dir=tmp_path)
    far = Baresip(
        tmp_path / "baresip",
        sip_port=free_port("both"),
        user="1002",
        password=PASSWORDS["1002"],
        registrar=f"127.0.0.1:{kam.udp_port}",
    )
    try:
        parley.wait_state("registered", timeout=30)
        far.start(timeout=30)
        parley.send(f"dial sip:1002@127.0.0.1:{kam.udp_port}")
        far.wait_call_state("CALL_INCOMING", timeout=30)
        parley.send("hangup")
        ended = parley.wait_for(
            lambda e: e.get("event") == "call" and e.get("state") == "ended", 30
        )
        far.wait_call_state("CALL_CLOSED", timeout=30)
    finally:
        far.stop()
        if parley.proc.poll() is None:
            parley.quit()
        parley.stop()
    trace = parley.stderr_path.read_text()
    assert re.search(r">> TCP 127\.0\.0\.1:\d+\nCANCEL sip:1002@", trace), "CANCEL not over TCP"
    assert not re.search(r">> UDP 127\.0\.0\.1:\d+\nCANCEL ", trace)
    assert re.search(r"^Via: SIP/2\.0/TCP .*\n(?:.*\n)*?CSeq: \d+ CANCEL", trace, re.MULTILINE)
    assert ended["status"] in (487, None), ended
