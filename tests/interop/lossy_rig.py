"""Parley (ns a) and baresip (ns b) registered at Kamailio (ns server), joined by the
impairing relay (tests/peers/impair.py): the rig of test_outage.py and test_sip_loss.py.

`Rig.start()` gives a Parley console playing a 500 Hz tone and recording what it hears,
and a baresip that answers by itself, plays 700 Hz and records; `tone_between()` reads
how much of a tone a recording holds in a stretch of time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from parley_console import ParleyConsole, write_config
from transfer_rig import tone_wav

from audio_tools import read_wav, tonal_windows
from peers.baresip import Baresip
from peers.common import free_port
from peers.impair import ImpairedLink
from peers.kamailio import Kamailio

PASSWORDS = {"1001": "pass1001", "1002": "pass1002"}
PARLEY_TONE, BARESIP_TONE = 500.0, 700.0


class Rig:
    def __init__(self, link: ImpairedLink, kam: Kamailio, tmp: Path) -> None:
        self.link, self.kam, self.tmp = link, kam, tmp
        assert link.server is not None
        self.registrar = f"{link.server.address}:{kam.udp_port}"
        self.runs = 0

    def start(
        self,
        name: str,
        account: dict[str, Any] | None = None,
        *,
        parley_args: Sequence[str] = (),
        register_timeout: float = 30.0,
    ) -> tuple[ParleyConsole, Path, Baresip]:
        """Parley (1001, ns a) and baresip (1002, ns b, answers by itself), registered."""
        self.runs += 1
        work = self.tmp / f"{name}-{self.runs}"
        work.mkdir()
        config = write_config(
            work / "parley.toml",
            [
                {
                    "name": "office",
                    "domain": self.registrar,
                    "username": "1001",
                    "password": PASSWORDS["1001"],
                    "transport": "udp",
                    "codecs": ["pcmu"],
                    "expires": 60,  # a refresh falls into the outage
                    "keepalive_interval": 5,
                    "retry_interval": 5,
                    "retry_max_interval": 10,
                    **(account or {}),
                }
            ],
        )
        records = work / "heard"
        tone = tone_wav(work / "tone.wav", PARLEY_TONE, seconds=200)
        console = ParleyConsole(
            config,
            log_dir=work,
            extra=["--play", str(tone), "--record-dir", str(records), *parley_args],
            bind=self.link.a.address,
            netns=self.link.a.ns,
        )
        far = Baresip(
            work / "baresip",
            sip_port=free_port("both"),
            user="1002",
            password=PASSWORDS["1002"],
            registrar=self.registrar,
            codecs=["PCMU/8000/1"],
            play_wav=tone_wav(work / "far-tone.wav", BARESIP_TONE),
            play_loop=True,
            play_seconds=300,
            record_wav=work / "far-heard.wav",
            record_rate=8000,
            auto_answer=True,
            host=self.link.b.address,
            netns=self.link.b.ns,
            sip_trace=True,
        )
        try:
            console.wait_state("registered", timeout=register_timeout)
            far.start(timeout=register_timeout)
        except BaseException:
            console.stop()
            far.stop()
            raise
        return console, records, far


@contextmanager
def running_rig(tmp: Path, paths: Sequence[str] = ("a-b",)) -> Iterator[Rig]:
    """The namespaces, the relay (impairing `paths`) and Kamailio, for a module."""
    with ImpairedLink(workdir=tmp / "link", paths=paths) as link:
        assert link.server is not None
        port = free_port("both")
        kam = Kamailio(
            tmp / "kamailio",
            PASSWORDS,
            udp_port=port,
            tcp_port=port,
            tls_port=free_port("tcp"),
            realm=link.server.address,
            host=link.server.address,
            netns=link.server.ns,
        )
        kam.start()
        try:
            yield Rig(link, kam, tmp)
        finally:
            kam.stop()


def tone_between(path: Path, freq: float, start: float, end: float) -> float:
    """Seconds of `freq` (50 ms windows) in `path` between `start` and `end` s."""
    samples, rate = read_wav(path)
    part = samples[int(max(0.0, start) * rate) : int(max(0.0, end) * rate)]
    count = tonal_windows(part, rate, [(freq - 30, freq + 30)], per_second=20, min_rms=200)
    print(f"{path.name} {start:.1f}-{end:.1f} s: {count * 0.05:.2f} s of {freq:.0f} Hz")
    return count * 0.05


def newest(records: Path) -> Path:
    files = sorted(records.glob("*.wav"), key=lambda p: p.stat().st_mtime)
    assert files, f"no recording in {records}"
    return files[-1]


def first_tone_after(path: Path, freq: float, start: float) -> float | None:
    """Seconds from `start` (s into `path`) to the first 50 ms window of `freq`."""
    samples, rate = read_wav(path)
    step = rate // 20
    offset = int(max(0.0, start) * rate)
    for index in range(offset, samples.size - step + 1, step):
        window = samples[index : index + step]
        if tonal_windows(window, rate, [(freq - 30, freq + 30)], per_second=20, min_rms=200):
            return (index - offset) / rate
    return None
