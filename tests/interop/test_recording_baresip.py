"""Call recording against a real far phone: the `parley console` process calls baresip
through Kamailio, baresip plays tone A (600 Hz) and Parley's microphone is a WAV file
of tone B (1400 Hz). What is checked is the WAV file Parley wrote:

- mono: both tones; stereo: B on the left only, A on the right only;
- the file name from the template, with the fields filled (called number, contact
  name from the contacts store, number, account, date and time, part);
- `record on` / `record off` / `record on`: two files, part1 and part2;
- record_all_calls: a recording starts when the call connects, stops when it ends;
- `kill -9` of the console mid-recording: sox and `wave` read the file, and it holds
  at least the time recorded minus 2 s.

Kamailio and baresip run once for the module; each test starts its own console.
"""

from __future__ import annotations

import re
import subprocess
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from parley_console import Event, ParleyConsole, write_config

from audio_tools import write_wav
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.store import FILE_NAME as CONTACTS_FILE
from parley.contacts.store import ContactStore
from peers.baresip import Baresip
from peers.common import free_port, require_binary
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

USERS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}
TONE_A = 600.0  # baresip, the far end
TONE_B = 1400.0  # Parley's microphone


def tone_wav(path: Path, freq: float, rate: int, seconds: float = 4.0) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    return write_wav(path, (9000 * np.sin(2 * np.pi * freq * t)).astype(np.int16), rate)


def level_at(samples: np.ndarray, rate: int, freq: float) -> float:
    """RMS amplitude of `samples` in a 40 Hz band around `freq`."""
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    band = (freqs > freq - 20) & (freqs < freq + 20)
    return float(np.sqrt(np.sum(spectrum[band] ** 2)) / len(samples))


def read_recording(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data.reshape(-1, w.getnchannels()), w.getframerate()


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Kamailio, Baresip]]:
    tmp = tmp_path_factory.mktemp("recording-peers")
    port = free_port("both")
    kam = Kamailio(tmp / "kamailio", USERS, udp_port=port, tcp_port=port, tls_port=free_port("tcp"))
    kam.start()
    far = Baresip(
        tmp / "baresip",
        sip_port=free_port("both"),
        user="1002",
        password=USERS["1002"],
        registrar=f"{kam.host}:{kam.udp_port}",
        codecs=["PCMU/8000/1"],
        play_wav=tone_wav(tmp / "tone-a.wav", TONE_A, 8000),
        play_loop=True,
        play_seconds=300,
        auto_answer=True,
    )
    try:
        far.start(timeout=30)
        yield kam, far
    finally:
        far.stop()
        kam.close()


class Console:
    """One Parley console (1001) with its recording settings and contacts."""

    def __init__(
        self, peers: tuple[Kamailio, Baresip], tmp: Path, functions: dict[str, Any]
    ) -> None:
        kam, self.far = peers
        self.registrar = f"{kam.host}:{kam.udp_port}"
        self.dir = tmp / "recordings"
        tmp.mkdir(parents=True)
        account = {
            "name": "office",
            "domain": self.registrar,
            "username": "1001",
            "password": USERS["1001"],
            "transport": "udp",
            "codecs": ["pcmu"],
        }
        config = write_config(
            tmp / "parley.toml",
            [account],
            functions={"recording_dir": str(self.dir), **functions},
        )
        log_dir = tmp / "parley"
        log_dir.mkdir()
        contacts = ContactStore(log_dir / f"data-{config.stem}" / CONTACTS_FILE)
        contacts.add(
            Contact(display_name="Bob Baresip", numbers=(PhoneNumber("1002", NumberType.OTHER),))
        )
        contacts.close()
        mic = tone_wav(tmp / "tone-b.wav", TONE_B, 16000)
        self.p = ParleyConsole(config, log_dir=log_dir, extra=["--play", str(mic)])
        self.p.wait_state("registered", timeout=30)

    def dial(self) -> Event:
        self.p.send(f"dial sip:1002@{self.registrar}")
        connected = self.p.wait_for(
            lambda e: e.get("event") == "call" and e.get("state") == "connected", timeout=30
        )
        self.far.wait_call_state("CALL_ESTABLISHED", timeout=30)
        return connected

    def recording(self, state: str) -> Event:
        return self.p.wait_for(
            lambda e: e.get("event") == "recording" and e.get("state") == state, timeout=30
        )

    def close(self) -> None:
        if self.p.proc.poll() is None:
            try:
                self.p.quit(timeout=15)
            except Exception:
                pass
        self.p.stop()
        try:
            self.far.hangup()  # a call the console could not end (killed)
        except Exception:
            pass


@pytest.fixture
def console(peers: tuple[Kamailio, Baresip], tmp_path: Path) -> Iterator[Any]:
    made: list[Console] = []

    def make(**functions: Any) -> Console:
        c = Console(peers, tmp_path / f"c{len(made)}", functions)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def test_mono_recording_holds_both_sides_named_by_template(console: Any) -> None:
    """record_all_calls, mono: both tones; every field of the template filled."""
    c = console(
        record_all_calls=True,
        recording_channels="mono",
        recording_name="{DNID}_{name}_{phone}_{Account}_{yyyy}-{MM}-{DD}_{hh}{nn}{ss}_part{recording_part}",
    )
    connected = c.dial()
    started = c.recording("started")
    assert started["call"] == connected["call"]
    time.sleep(3.0)
    c.p.send("hangup")
    stopped = c.recording("stopped")
    assert stopped["file"] == started["file"] and stopped["call"] == started["call"]
    path = Path(started["file"])
    assert path.parent == c.dir
    m = re.fullmatch(
        r"1002_Bob Baresip_1002_office_(\d{4})-(\d\d)-(\d\d)_(\d{6})_part1\.wav", path.name
    )
    assert m, path.name
    stamp = time.strptime("-".join(m.groups()), "%Y-%m-%d-%H%M%S")
    assert abs(time.mktime(stamp) - time.time()) < 120  # the call's start, local time
    data, rate = read_recording(path)
    assert data.shape[1] == 1 and rate == 16000
    assert len(data) / rate >= 2.5
    body = data[rate // 2 :, 0]
    a, b = level_at(body, rate, TONE_A), level_at(body, rate, TONE_B)
    print(f"mono: A {a:.0f}, B {b:.0f}")
    assert a > 300 and b > 300, (a, b)


def test_stereo_parts_from_the_console(console: Any) -> None:
    """`record on|off` twice: two files, part1 and part2; us left, them right."""
    c = console(recording_channels="stereo")
    connected = c.dial()
    call = connected["call"]
    files = []
    for part in (1, 2):
        c.p.send(f"record on {call}")
        started = c.recording("started")
        time.sleep(2.5)
        c.p.send(f"record off {call}")
        stopped = c.recording("stopped")
        assert stopped["file"] == started["file"]
        files.append(Path(started["file"]))
        assert files[-1].name.endswith(f"_office_1002_part{part}.wav"), files[-1].name
    c.p.send("hangup")
    for path in files:
        data, rate = read_recording(path)
        assert data.shape[1] == 2 and len(data) / rate >= 2.0
        left, right = data[rate // 2 :, 0], data[rate // 2 :, 1]
        la, lb = level_at(left, rate, TONE_A), level_at(left, rate, TONE_B)
        ra, rb = level_at(right, rate, TONE_A), level_at(right, rate, TONE_B)
        print(f"{path.name}: left A {la:.1f} B {lb:.1f}; right A {ra:.1f} B {rb:.1f}")
        assert lb > 300 and la < lb / 30, "left: our microphone (B) only"
        assert ra > 300 and rb < ra / 30, "right: the far end (A) only"


def test_kill_9_leaves_a_playable_file(console: Any) -> None:
    c = console(record_all_calls=True)
    t0 = time.monotonic()  # before dialling: the recording cannot have started earlier
    c.dial()
    started = c.recording("started")
    time.sleep(6.0)
    c.p.proc.kill()  # SIGKILL: no clean-up at all
    elapsed = time.monotonic() - t0
    c.p.proc.wait(10)
    path = Path(started["file"])
    sox = require_binary("sox")
    info = subprocess.run([sox, "--i", "-D", str(path)], capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    seconds = float(info.stdout)
    stat = subprocess.run([sox, str(path), "-n", "stat"], capture_output=True, text=True)
    assert stat.returncode == 0, stat.stderr
    data, rate = read_recording(path)
    print(f"recorded {elapsed:.2f} s, the file holds {seconds:.2f} s")
    assert len(data) / rate == pytest.approx(seconds, abs=0.01)
    assert seconds >= elapsed - 2.0
    body = data[rate // 2 :, 0]
    assert level_at(body, rate, TONE_A) > 300 and level_at(body, rate, TONE_B) > 300
