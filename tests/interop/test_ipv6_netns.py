"""IPv6 beyond the loopback: an IPv6 test host of our own. Two network namespaces joined
by a veth pair with unique local addresses (fd00:77::1 for the PBX, fd00:77::2 for the
phones), no IPv4 at all on the link. Kamailio runs in the first; Parley and baresip in
the second register over UDP, TCP and TLS and call each other through it, with speech
both ways scored by PESQ as in the other call tests.

Nothing is added to the root namespace: the veth pair is made inside the namespaces
(``ip -n A link add ... peer ... netns B``), and both are deleted afterwards.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config

from audio_tools import CODEC_SETUP, TALKER_PEAKS, codec_ceiling, pesq_score, read_wav, speech_wav
from peers.baresip import Baresip
from peers.common import free_port, require_binary
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

PBX, PHONES = "fd00:77::1", "fd00:77::2"
PASSWORDS = {"1001": "pass1001", "1002": "pass1002"}


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


@pytest.fixture(scope="module")
def namespaces() -> Iterator[tuple[str, str]]:
    require_binary("ip")
    tag = f"{os.getpid() % 100000}"
    pbx_ns, phone_ns = f"p6pbx-{tag}", f"p6ph-{tag}"
    try:
        _ip("netns", "add", pbx_ns)
        _ip("netns", "add", phone_ns)
        _ip(
            "-n",
            pbx_ns,
            "link",
            "add",
            "v6a",
            "type",
            "veth",
            "peer",
            "name",
            "v6b",
            "netns",
            phone_ns,
        )
    except (subprocess.CalledProcessError, OSError) as exc:
        for ns in (pbx_ns, phone_ns):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"cannot make network namespaces here: {exc}")
    try:
        for ns, dev, addr in ((pbx_ns, "v6a", PBX), (phone_ns, "v6b", PHONES)):
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "addr", "add", f"{addr}/64", "dev", dev, "nodad")
            _ip("-n", ns, "link", "set", dev, "up")
        yield pbx_ns, phone_ns
    finally:
        for ns in (pbx_ns, phone_ns):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


@pytest.fixture(scope="module")
def pbx(
    tmp_path_factory: pytest.TempPathFactory, namespaces: tuple[str, str]
) -> Iterator[Kamailio]:
    port = free_port("both")
    kam = Kamailio(
        tmp_path_factory.mktemp("kam-netns6"),
        PASSWORDS,
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
        host=PBX,
        netns=namespaces[0],
    )
    kam.start()
    yield kam
    kam.close()


def _port(kam: Kamailio, transport: str) -> int:
    return {"udp": kam.udp_port, "tcp": kam.tcp_port, "tls": kam.tls_port}[transport]


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
def test_call_over_ipv6_between_namespaces(
    pbx: Kamailio, namespaces: tuple[str, str], tmp_path: Path, transport: str
) -> None:
    phone_ns = namespaces[1]
    rate, mode = CODEC_SETUP["pcmu"]
    speech = speech_wav(rate, TALKER_PEAKS["normal"])
    record_dir = tmp_path / "parley-heard"
    heard_by_baresip = tmp_path / "heard-by-baresip.wav"
    account: dict[str, Any] = {
        "name": "office",
        "domain": f"[{PBX}]:{_port(pbx, transport)}",
        "username": "1001",
        "password": PASSWORDS["1001"],
        "transport": transport,
        "codecs": ["pcmu"],
    }
    if transport == "tls":
        account["ca_file"] = str(pbx.ca_file)
    extra = ["--bind", PHONES, "--play", str(speech), "--record-dir", str(record_dir)]
    parley = ParleyConsole(
        write_config(tmp_path / "parley.toml", [account]),
        log_dir=tmp_path,
        extra=extra,
        netns=phone_ns,
    )
    far = Baresip(
        tmp_path / "baresip",
        sip_port=free_port("both"),
        user="1002",
        password=PASSWORDS["1002"],
        registrar=f"[{PBX}]:{pbx.udp_port}",
        host=PHONES,
        netns=phone_ns,
        codecs=["PCMU/8000/1"],
        play_wav=speech,
        record_wav=heard_by_baresip,
        record_rate=rate,
        auto_answer=True,
    )
    try:
        parley.wait_state("registered", timeout=30)
        contacts = pbx.lookup("1001")
        assert len(contacts) == 1 and f"@[{PHONES}]:" in contacts[0], contacts
        far.start(timeout=30)
        parley.send(f"dial sip:1002@[{PBX}]:{_port(pbx, transport)}")
        parley.wait_for(lambda e: e.get("event") == "call" and e.get("state") == "connected", 30)
        far.wait_call_state("CALL_ESTABLISHED", timeout=30)
        assert far.wait_audio(20), "baresip heard nothing"
        samples, r = read_wav(speech)
        time.sleep(2 * samples.size / r + 1.0)
        parley.send("hangup")
        parley.wait_for(lambda e: e.get("event") == "call" and e.get("state") == "ended", 30)
        far.wait_call_state("CALL_CLOSED", timeout=30)
    finally:
        far.stop()
        if parley.proc.poll() is None:
            parley.quit()
        parley.stop()
    trace = parley.stderr_path.read_text()
    assert f"c=IN IP6 {PHONES}" in trace
    assert re.search(rf"Via: SIP/2.0/{transport.upper()} \[{PHONES}\]:\d+", trace)
    files = sorted(record_dir.glob("*.wav"))
    assert len(files) == 1, files
    ceiling = codec_ceiling("pcmu", TALKER_PEAKS["normal"])
    to_baresip = pesq_score(speech, heard_by_baresip, mode)
    to_parley = pesq_score(speech, files[0], mode)
    print(f"PESQ IPv6 namespaces {transport}: {to_baresip:.2f} / {to_parley:.2f}")
    assert to_baresip >= ceiling - 0.1, (to_baresip, ceiling)
    assert to_parley >= ceiling - 0.1, (to_parley, ceiling)
