"""The real console in German: `parley console` with `[gui] language = "de"`, registered
at a real Kamailio, calls a real baresip that answers. What a person reads is German
(the help line, command replies, usage errors, the words around event lines); in --json
mode the codes (keys, states, directions, ids, SIP codes) are exactly the English run's
and only `text` follows the language.

The sentence after the dash of account/call lines (and the `text` of call events) comes
from cli/texts.py, translated by its own catalog (cli/locale/de_texts.py): those checks
expect the German catalog's entry when there is one and the English text otherwise, so
they hold before and after that catalog exists, and check the German once it does.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import Event, ParleyConsole, write_config

from parley.cli.i18n import load_catalog
from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

PASSWORDS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}
GERMAN = {"gui": {"language": "de"}}


def german(english: str) -> str:
    """texts.py's sentence in German once its catalog has it (see the module doc)."""
    return load_catalog("de").get(english, english)


@pytest.fixture(scope="module")
def kamailio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    port = free_port("both")
    kam = Kamailio(
        tmp_path_factory.mktemp("kamailio"),
        PASSWORDS,
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
    )
    kam.start()
    try:
        yield kam
    finally:
        kam.close()


@pytest.fixture(scope="module")
def far(kamailio: Kamailio, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Baresip]:
    """baresip 1002: rings, and is answered by the test (so that ringing is seen)."""
    phone = Baresip(
        tmp_path_factory.mktemp("baresip"),
        sip_port=free_port("both"),
        user="1002",
        password=PASSWORDS["1002"],
        registrar=f"{kamailio.host}:{kamailio.udp_port}",
        codecs=["PCMU/8000/1"],
    )
    phone.start(timeout=30)
    try:
        yield phone
    finally:
        phone.stop()


def account(kam: Kamailio, user: str) -> dict[str, Any]:
    return {
        "name": "office",
        "domain": f"{kam.host}:{kam.udp_port}",
        "username": user,
        "password": PASSWORDS[user],
        "transport": "udp",
        "codecs": ["pcmu"],
    }


class TextConsole:
    """`parley console` without --json: the lines a person reads on the terminal."""

    def __init__(self, config: Path, log_dir: Path) -> None:
        self.stderr_path = log_dir / "parley-console.stderr"
        self._stderr = self.stderr_path.open("wb")
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        argv = [
            sys.executable,
            "-m",
            "parley.cli.main",
            "console",
            "--config",
            str(config),
            "--bind",
            "127.0.0.1",
            "--data-dir",
            str(log_dir / "data"),
        ]
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self._queue.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self._queue.put(None)

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def wait_line(self, predicate: Callable[[str], bool], timeout: float = 30.0) -> str:
        """The first line from now on matching `predicate`."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching line within {timeout} s; lines: {self.lines}")
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(
                    f"parley exited ({self.proc.poll()}); lines: {self.lines}\n"
                    + self.stderr_path.read_text(errors="replace")[-3000:]
                )
            self.lines.append(line)
            if predicate(line):
                return line

    def quit(self) -> int:
        if self.proc.poll() is None:
            self.send("quit")
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        return self.proc.wait(15)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._stderr.close()


def test_a_person_reads_german(kamailio: Kamailio, far: Baresip, tmp_path: Path) -> None:
    config = write_config(tmp_path / "settings.toml", [account(kamailio, "1001")], **GERMAN)
    console = TextConsole(config, tmp_path)
    try:
        registered = console.wait_line(lambda s: s.startswith("Konto office: registered"))
        assert registered.startswith("Konto office: registered (200 OK) — "), registered

        console.send("help")
        help_line = console.wait_line(lambda s: s.startswith("Befehle: "))
        assert help_line.startswith("Befehle: dial ZIEL [KONTO] | answer [ANRUF] | ")
        console.send("frobnicate")
        console.wait_line(lambda s: s.startswith("Fehler: unbekannter Befehl 'frobnicate'; "))
        console.send("dial")
        console.wait_line(lambda s: s.startswith("Fehler: Was soll gewählt werden?"))

        mark = far.mark()
        console.send(f"dial sip:1002@{kamailio.host}:{kamailio.udp_port}")
        dialing = console.wait_line(lambda s: s.startswith("Anruf 1: "))
        assert dialing.startswith("Anruf 1: wählt sip:1002@"), dialing
        far.wait_call_state("CALL_INCOMING", timeout=30, since=mark)
        ringing = console.wait_line(
            lambda s: s.startswith("Anruf 1 outgoing ") and ": ringing" in s
        )
        assert ringing.endswith(" — " + german("Ringing.")), ringing

        far.accept()
        connected = console.wait_line(lambda s: ": connected" in s and " — " in s)
        assert connected.startswith("Anruf 1 outgoing sip:1002@"), connected
        assert connected.endswith(" — " + german("Connected.")), connected
        console.send("calls")
        listed = console.wait_line(lambda s: s.startswith("Anruf 1 ") and " — " not in s)
        assert listed.endswith(": connected"), listed

        console.send("hangup")
        ended = console.wait_line(lambda s: ": ended" in s)
        assert ended.startswith("Anruf 1 outgoing sip:1002@"), ended
        assert ended.endswith(" — " + german("Call ended")), ended
        far.wait_call_state("CALL_CLOSED", timeout=30, since=mark)
        console.send("calls")
        console.wait_line(lambda s: s == "keine Anrufe")
        assert console.quit() == 0
        # Nothing a person reads on stdout said "error:" or "call N" in English.
        assert not [s for s in console.lines if s.startswith(("error:", "call ", "account "))]
    finally:
        console.stop()


def json_run(
    kamailio: Kamailio, far: Baresip, tmp_path: Path, language: str
) -> tuple[list[Event], list[Event]]:
    """One `--json` console (1003) in `language`: help, a bad command, a call to baresip
    that rings, is answered, is muted and hung up. Its replies and its call events."""
    settings = tmp_path / f"settings-{language}.toml"
    config = write_config(settings, [account(kamailio, "1003")], gui={"language": language})
    log_dir = tmp_path / language
    log_dir.mkdir()
    console = ParleyConsole(config, log_dir=log_dir)
    replies: list[Event] = []

    def reply() -> Event:
        replies.append(console.wait_for(lambda e: e.get("event") == "reply"))
        return replies[-1]

    def call(state: str) -> Event:
        return console.wait_for(lambda e: e.get("event") == "call" and e.get("state") == state)

    try:
        registered = console.wait_state("registered", timeout=30)
        assert registered["status"] == 200 and registered["account"] == "office"
        console.send("help")
        reply()
        console.send("bogus")
        reply()
        mark = far.mark()
        console.send(f"dial sip:1002@{kamailio.host}:{kamailio.udp_port}")
        reply()
        far.wait_call_state("CALL_INCOMING", timeout=30, since=mark)
        calls = [call("ringing")]
        far.accept()
        calls.append(call("connected"))
        console.send("mute")
        reply()
        console.send("hangup")
        calls.append(call("ended"))
        far.wait_call_state("CALL_CLOSED", timeout=30, since=mark)
        assert console.quit() == 0
    finally:
        console.stop()
    return replies, calls


def codes(event: Event) -> dict[str, Any]:
    """An event without its sentence, its time and the harness's mark: what must be the
    same in both languages (both runs call the same baresip from the same account)."""
    return {k: v for k, v in event.items() if k not in ("text", "at", "_seen")}


def test_json_keeps_its_codes_and_translates_the_text(
    kamailio: Kamailio, far: Baresip, tmp_path: Path
) -> None:
    en_replies, en_calls = json_run(kamailio, far, tmp_path, "en")
    de_replies, de_calls = json_run(kamailio, far, tmp_path, "de")

    # The codes are the English run's, key for key and value for value.
    assert [codes(e) for e in de_calls] == [codes(e) for e in en_calls]
    assert [codes(e) for e in de_replies] == [codes(e) for e in en_replies]
    ringing, connected, ended = de_calls
    assert (ringing["state"], ringing["direction"], ringing["status"]) == (
        "ringing",
        "outgoing",
        180,
    )
    assert connected["state"] == "connected" and ended["cause"] == "hangup"

    # Only the text follows the language: ours (replies) German now ...
    help_line, bogus, dialing, muted = (e["text"] for e in de_replies)
    assert help_line.startswith("Befehle: dial ZIEL [KONTO] | ")
    assert bogus.startswith("Fehler: unbekannter Befehl 'bogus'; Befehle: ")
    assert dialing.startswith("Anruf 1: wählt sip:1002@"), dialing
    assert muted == "stumm"
    assert [e["text"] for e in en_replies][1:] == [
        f"error: unknown command 'bogus'; {en_replies[0]['text']}",
        dialing.replace("Anruf 1: wählt", "call 1: dialing"),
        "muted",
    ]
    # ... and texts.py's sentences as its catalog says (German once it has them).
    assert [e["text"] for e in de_calls] == [
        german("Ringing."),
        german("Connected."),
        german("Call ended"),
    ]
    assert [e["text"] for e in en_calls] == ["Ringing.", "Connected.", "Call ended"]
