"""Event rules on real calls: baresip calls a Parley console through Kamailio; the
console's rules call a local HTTP server that records every request, run a program that
records its arguments, and "open a URL" through $BROWSER (a recording program too).

The caller is a local contact with a hostile name (quotes, shell metacharacters,
non-ASCII): it must arrive as that exact text in the JSON body, the URL and the
program's arguments. Rules that must not fire (another direction, a filter that does
not match) are in the same settings, and their endpoints must see nothing.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from parley_console import Event, ParleyConsole, write_config

from parley.contacts import Contact, ContactStore, PhoneNumber
from peers.baresip import Baresip
from peers.common import free_port, wait_until
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

PASSWORDS = {"1001": "pass1001", "1002": "pass1002"}
HOSTILE_NAME = "O'Brien \"; rm -rf ~ $(reboot) `id` & | Grüße"


class Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]]

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.seen.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        )
        self.send_response(204)
        self.end_headers()

    do_GET = do_POST = do_PUT = _record

    def log_message(self, *args: Any) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def http() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []
    handler = type("H", (Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", free_port("tcp")), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    port = free_port("both")
    server = Kamailio(
        tmp_path_factory.mktemp("rules") / "kamailio",
        PASSWORDS,
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
    )
    server.start()
    try:
        yield server
    finally:
        server.close()


def recorder_program(path: Path, out: Path) -> Path:
    """An executable that appends its arguments (as JSON) to `out`."""
    path.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"with open({str(out)!r}, 'a', encoding='utf-8') as f:\n"
        "    f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
    )
    path.chmod(0o755)
    return path


def lines(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def call_event(state: str) -> Any:
    return lambda e: e.get("event") == "call" and e.get("state") == state


def test_rules_fire_on_a_real_call_with_the_callers_name_as_inert_text(
    kam: Kamailio,
    http: tuple[str, list[dict[str, Any]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, seen = http
    seen.clear()
    program_log = tmp_path / "program.jsonl"
    browser_log = tmp_path / "browser.jsonl"
    program = recorder_program(tmp_path / "crm-program", program_log)
    browser = recorder_program(tmp_path / "browser", browser_log)
    monkeypatch.setenv("BROWSER", str(browser))  # webbrowser.open runs it with the URL

    rules = [
        {  # 0: ringing incoming → REST, JSON body
            "name": "crm lookup",
            "event": "call",
            "state": "ringing",
            "direction": "incoming",
            "action": "rest",
            "address": base + "/ringing?n={number}",
            "method": "POST",
            "headers": {"Content-Type": "application/json", "X-Caller": "{name}"},
            "body": '{"name": "{name}", "number": "{number}", "dnid": "{DNID}", '
            '"account": "{account}", "call": "{call_id}"}',
        },
        {  # 1: answered → a program with the values as arguments
            "event": "call",
            "state": "answered",
            "action": "program",
            "address": f"{program} --name {{name}} --number={{number}} {{direction}}",
        },
        {  # 2: ended → open a URL (the "browser" records it)
            "event": "call",
            "state": "ended",
            "action": "url",
            "address": base + "/crm?who={name}&secs={duration}",
        },
        {  # 3: outgoing only: must not fire for this incoming call
            "event": "call",
            "state": "ringing",
            "direction": "outgoing",
            "action": "rest",
            "address": base + "/outgoing",
            "method": "GET",
        },
        {  # 4: a filter that does not match 1002
            "event": "call",
            "state": "any",
            "filter": "^9",
            "action": "rest",
            "address": base + "/filtered",
            "method": "GET",
        },
        {  # 5: switched off
            "enabled": False,
            "event": "call",
            "state": "any",
            "action": "rest",
            "address": base + "/disabled",
            "method": "GET",
        },
    ]
    account = {
        "name": "office",
        "domain": f"{kam.host}:{kam.udp_port}",
        "username": "1001",
        "password": PASSWORDS["1001"],
        "transport": "udp",
    }
    config = write_config(tmp_path / "parley.toml", [account], automation={"rules": rules})
    log_dir = tmp_path / "console"
    log_dir.mkdir()
    store = ContactStore(log_dir / f"data-{config.stem}" / "contacts.sqlite3")
    store.add(Contact(display_name=HOSTILE_NAME, numbers=(PhoneNumber("1002"),)))
    store.close()
    console = ParleyConsole(config, log_dir=log_dir, extra=["--auto-answer"])
    far = Baresip(
        tmp_path / "baresip",
        sip_port=free_port("both"),
        user="1002",
        password=PASSWORDS["1002"],
        registrar=f"{kam.host}:{kam.udp_port}",
        codecs=["PCMU/8000/1"],
    )
    try:
        console.wait_state("registered", timeout=30)
        far.start(timeout=30)
        far.dial(f"sip:1001@{kam.host}:{kam.udp_port}")
        connected = console.wait_for(call_event("connected"), timeout=30)
        far.wait_call_state("CALL_ESTABLISHED", timeout=30)
        time.sleep(1.0)
        far.hangup()
        console.wait_for(call_event("ended"), timeout=30)
        assert wait_until(lambda: len(lines(browser_log)) >= 1, timeout=20), seen
        assert wait_until(lambda: len(lines(program_log)) >= 1, timeout=20)
        assert wait_until(lambda: any(r["path"].startswith("/ringing") for r in seen), timeout=20)
        ran = console.wait_for(lambda e: e.get("event") == "rule" and e.get("rule") == 2, 20)
        assert ran["problem"] is None, ran
    finally:
        far.stop()
        console.quit()

    # 0: the JSON body parses and holds the exact name; the header has it too.
    ringing = [r for r in seen if r["path"].startswith("/ringing")]
    assert len(ringing) == 1, seen
    body = json.loads(ringing[0]["body"])
    assert body == {
        "name": HOSTILE_NAME,
        "number": "1002",
        "dnid": "1001",
        "account": "office",
        "call": str(connected["call"]),
    }
    assert ringing[0]["method"] == "POST"
    caller_header = ringing[0]["headers"]["X-Caller"].encode("latin-1").decode("utf-8")
    assert caller_header == HOSTILE_NAME
    assert parse_qs(urlsplit(ringing[0]["path"]).query) == {"n": ["1002"]}
    # 1: the program got the name as one argument, nothing run by a shell.
    assert lines(program_log) == [["--name", HOSTILE_NAME, "--number=1002", "incoming"]]
    # 2: the browser got one URL whose query decodes to the name.
    (opened,) = lines(browser_log)
    assert len(opened) == 1, opened
    query = parse_qs(urlsplit(opened[0]).query)
    assert query["who"] == [HOSTILE_NAME]
    assert int(query["secs"][0]) >= 0
    # 3, 4, 5 never fired.
    assert not [r for r in seen if r["path"] in ("/outgoing", "/filtered", "/disabled")], seen
    assert not (tmp_path / "pwned").exists()
    assert os.path.exists(Path.home())  # nothing was removed


def test_a_failing_rule_is_reported_and_the_call_goes_on(kam: Kamailio, tmp_path: Path) -> None:
    """A REST rule pointing at a closed port: the call still connects and ends; the
    rule's failure is reported as an event and by `rules`."""
    dead = free_port("tcp")
    rules = [
        {
            "event": "call",
            "state": "answered",
            "action": "rest",
            "address": f"http://127.0.0.1:{dead}/x",
            "timeout": 3,
        }
    ]
    account = {
        "name": "office",
        "domain": f"{kam.host}:{kam.udp_port}",
        "username": "1001",
        "password": PASSWORDS["1001"],
        "transport": "udp",
    }
    config = write_config(tmp_path / "parley.toml", [account], automation={"rules": rules})
    log_dir = tmp_path / "console"
    log_dir.mkdir()
    console = ParleyConsole(config, log_dir=log_dir, extra=["--auto-answer"])
    far = Baresip(
        tmp_path / "baresip",
        sip_port=free_port("both"),
        user="1002",
        password=PASSWORDS["1002"],
        registrar=f"{kam.host}:{kam.udp_port}",
        codecs=["PCMU/8000/1"],
    )
    try:
        console.wait_state("registered", timeout=30)
        far.start(timeout=30)
        far.dial(f"sip:1001@{kam.host}:{kam.udp_port}")
        console.wait_for(call_event("connected"), timeout=30)
        ran: Event = console.wait_for(lambda e: e.get("event") == "rule", 30)
        assert ran["problem"] == "unreachable", ran
        console.send("rules")
        listed = console.wait_for(lambda e: e.get("event") == "reply", 10)
        assert "could not be reached" in listed["text"], listed
        far.hangup()
        console.wait_for(call_event("ended"), timeout=30)
    finally:
        far.stop()
        console.quit()
