"""What the transfer interop tests share (test_transfer_peers, test_transfer_attended,
test_transfer_linphone): each phone plays a tone of its own and records what it hears;
after a transfer the two remaining parties must hear each other's tone.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from parley_console import Event, ParleyConsole
from test_calls_baresip import Rig

from audio_tools import read_wav, tonal_windows, write_wav

TONES = {"1001": 500.0, "1002": 700.0, "1003": 1100.0}
LISTEN_SECONDS = 4.0
HEARD = 1.5  # seconds of the other's tone that must be in a recording (of ~4 s)


def tone_wav(path: Path, freq: float, seconds: float = 6.0, rate: int = 8000) -> Path:
    t = np.arange(int(rate * seconds)) / rate
    return write_wav(path, (6000 * np.sin(2 * np.pi * freq * t)).astype(np.int16), rate)


def tone_seconds(path: Path, freq: float) -> float:
    """Seconds of `path` (50 ms windows) whose energy is mostly within 30 Hz of `freq`."""
    samples, rate = read_wav(path)
    count = tonal_windows(samples, rate, [(freq - 30, freq + 30)], per_second=20, min_rms=200)
    print(f"{path.name}: {count * 0.05:.2f} s of {freq:.0f} Hz")
    return count * 0.05


def is_call(state: str, **match: object) -> Callable[[Event], bool]:
    def predicate(e: Event) -> bool:
        return (
            e.get("event") == "call"
            and e.get("state") == state
            and all(e.get(k) == v for k, v in match.items())
        )

    return predicate


def is_transfer(state: str) -> Callable[[Event], bool]:
    return lambda e: e.get("event") == "transfer" and e.get("state") == state


def other_call(state: str, not_call: int) -> Callable[[Event], bool]:
    return lambda e: is_call(state)(e) and e["call"] != not_call


def parley(
    rig: Rig, tmp_path: Path, user: str, *, seconds: float = 30.0, **kw: object
) -> tuple[ParleyConsole, Path]:
    """A Parley console for `user` playing its tone (`seconds` long, looped) and
    recording each call into the folder it returns with it."""
    records = tmp_path / f"heard-{user}"
    console = rig.parley(
        user=user,
        codecs=["pcmu"],
        play=tone_wav(tmp_path / f"tone-{user}.wav", TONES[user], seconds=seconds),
        record_dir=records,
        **kw,  # type: ignore[arg-type]
    )
    return console, records


def recording(records: Path, call: int) -> Path:
    """The recording of `call` in a console's record folder."""
    [path] = records.glob(f"call-{call}-*.wav")
    return path


def replaced(console: ParleyConsole, old_call: int) -> Event:
    """The console's call that replaced `old_call` (RFC 3891): connected, noted
    "replaced", and `old_call` ended as "replaced"."""
    new = console.wait_for(other_call("connected", old_call), timeout=20)
    assert new["note"] == "replaced", new
    end = console.wait_for(is_call("ended", call=old_call), timeout=20)
    assert end["note"] == "replaced", end
    return new


def transferred(console: ParleyConsole, old_call: int) -> Event:
    """The transferee's new call: connected, and `old_call` ended as "transferred"."""
    new = console.wait_for(other_call("connected", old_call), timeout=20)
    end = console.wait_for(is_call("ended", call=old_call), timeout=20)
    assert end["note"] == "transferred", end
    return new
