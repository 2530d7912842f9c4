"""Noticing sound devices that come and go (a USB headset plugged in, a JACK client).

PortAudio has no hot-plug notice on Linux, and it only enumerates devices when it is
initialised; re-initialising it in this process would close every open stream (the
running call's). So each look runs a short child process (this Python with a few
lines of its own, not Parley) that initialises PortAudio afresh and prints the devices as
JSON; :class:`DeviceWatcher` does that every few seconds on its own thread and reports
what was added and removed since the previous look. The first look is the baseline:
devices present at start are not "new".

A device this process holds open can be missing from the child's look although it is
there: ALSA's hardware devices are exclusive, and PortAudio leaves out what it cannot
open. So the watcher asks `holds` about a device that went missing; while it says this
process still runs a stream on it, the device counts as present (were it unplugged,
the stream would have stopped). JACK shares its devices: there the look is the truth.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0  # how often the cheap signature is read
FULL_LOOK_FACTOR = 5  # a full look (about 0.1 s of a child process) every 5 polls at most
PROBE_TIMEOUT = 15.0


@dataclass(frozen=True, order=True)
class SeenDevice:
    """A device as one look saw it; the same name on another host API is another device."""

    name: str
    host_api: str
    inputs: int
    outputs: int


def probe() -> list[SeenDevice]:
    """The devices a fresh PortAudio sees now (in a child process, see the module text).
    Raises OSError when the look fails."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        raise OSError(f"listing the audio devices took over {PROBE_TIMEOUT:.0f} s") from exc
    if done.returncode != 0:
        raise OSError(f"listing the audio devices failed: {done.stderr.strip()[-300:]}")
    try:
        rows = json.loads(done.stdout)
        return [SeenDevice(str(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows]
    except (ValueError, TypeError, IndexError) as exc:
        raise OSError(f"unreadable device list: {done.stdout[:200]!r}") from exc


def os_signature() -> object:
    """A cheap sign that the sound hardware changed (Linux: the ALSA device nodes and
    card list), read every poll so the costly look runs at once after a USB headset comes
    or goes and only now and then otherwise (sound-server devices such as JACK clients
    change no node: the periodic look finds those). None where there is no such sign."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        nodes = tuple(sorted(os.listdir("/dev/snd")))
    except OSError:
        nodes = ()
    try:
        with open("/proc/asound/cards", encoding="utf-8", errors="replace") as cards:
            text = cards.read()
    except OSError:
        text = ""
    return nodes, text


def look_due(sign: object, last_sign: object, since_look: float, full_every: float) -> bool:
    """Whether a poll runs the full look: no cheap sign here, the sign changed, or the
    last look is `full_every` seconds old."""
    return sign is None or sign != last_sign or since_look >= full_every


def changes(
    before: Sequence[SeenDevice], after: Sequence[SeenDevice]
) -> tuple[list[SeenDevice], list[SeenDevice]]:
    """(added, removed) between two looks, keyed by name and host API; a device whose
    channel counts changed counts as removed and added again."""
    old, new = set(before), set(after)
    return sorted(new - old), sorted(old - new)


Listener = Callable[[list[SeenDevice], list[SeenDevice]], None]


class DeviceWatcher:
    """Looks at the devices every `interval` seconds on a daemon thread and calls
    `on_change(added, removed)` there (never with both empty). `look` lists the devices
    (default: :func:`probe`); a look that fails is logged and skipped. `holds(device)`:
    whether this process runs a stream on a device the look missed (see the module)."""

    def __init__(
        self,
        on_change: Listener,
        *,
        interval: float = POLL_SECONDS,
        look: Callable[[], list[SeenDevice]] = probe,
        holds: Callable[[SeenDevice], bool] = lambda _device: False,
        signature: Callable[[], object] = os_signature,
    ) -> None:
        self.on_change = on_change
        self.interval = interval
        self.full_every = interval * FULL_LOOK_FACTOR
        self.signature = signature
        self.look = look
        self.holds = holds
        self._failure = ""  # the last look's failure, said once
        self.devices: list[SeenDevice] | None = None  # the last look (None: none yet)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="parley-devices", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(PROBE_TIMEOUT + 1)
            self._thread = None

    def check(self) -> None:
        """One look now (the thread's step; tests call it directly)."""
        try:
            now = self.look()
        except OSError as exc:
            if str(exc) != self._failure:  # said once, not every few seconds
                log.warning("%s", exc)
            self._failure = str(exc)
            return
        self._failure = ""
        before = self.devices
        if before is not None:
            now += [d for d in before if d not in now and self.holds(d)]
        self.devices = now
        if before is None:
            return
        added, removed = changes(before, now)
        if added or removed:
            self.on_change(added, removed)

    def _run(self) -> None:
        # The full look (a child process) runs when the cheap signature changed, and at
        # least every `full_every` seconds for devices that leave no trace in it.
        last_sign: object = ()
        last_look = float("-inf")
        while not self._stop.is_set():
            try:
                sign = self.signature()
                now = time.monotonic()
                if look_due(sign, last_sign, now - last_look, self.full_every):
                    last_sign, last_look = sign, now
                    self.check()
            except Exception:  # a bug in a listener must not end the watching
                log.exception("audio device watcher")
            self._stop.wait(self.interval)


# The child: sounddevice lists what a freshly initialised PortAudio sees.
_PROBE = """
import json, sounddevice as sd
apis = sd.query_hostapis()
print(json.dumps([(d["name"], apis[d["hostapi"]]["name"], d["max_input_channels"],
                   d["max_output_channels"]) for d in sd.query_devices()]))
"""
