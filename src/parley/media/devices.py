"""Sound devices through sounddevice/PortAudio, plus file and null devices.

Devices are chosen by name; ``"system default"`` (or an empty name) means
PortAudio's default. :class:`DevicePort` opens them at the bridge rate (48 kHz)
when they can, else at the device's own rate (the bridge resamples).

Threading: PortAudio calls our callbacks on its own thread. They only copy
samples into/out of preallocated :class:`~parley.media.ports.SampleRing` s and
bump counters - no locks, no logging, nothing that can block. Everything else
(vanish detection, fallback, events) happens on the engine loop inside
:meth:`DevicePort.get_frame`, which the bridge calls every period.

A device that vanishes mid-call (unplugged, sound server gone) shows up as a
stream that is no longer active or whose callbacks stopped. The port then
closes it (in a helper thread: closing a dead stream can block for a long
time), reopens the system default and reports a :class:`DeviceEvent`.

Clocking: with ``on_period`` set, the device's capture (or, without a microphone,
playback) callback paces the bridge - one bridge tick per captured period - so
the rings hold no more than the device's own block: a tick reads the frame just
captured and writes the frame the device plays next. Without it (a timer paces
the bridge) the rings absorb the drift between the two clocks by dropping samples.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from parley.media.ports import (
    DuplexPort,
    FilePlayer,
    Frame,
    NullPort,
    Port,
    SampleRing,
    WavRecorder,
)

log = logging.getLogger(__name__)

SYSTEM_DEFAULT = "system default"
PREFERRED_RATE = 48000

Direction = Literal["input", "output"]


# Paced output: ticks in a row with a whole frame still queued before the next is
# written (one frame of latency too many) before one frame is left out (1 s at 20 ms).
_EXCESS_TICKS = 50


def is_device_spec(spec: str | None) -> bool:
    """Whether a device spec names a sound device (not "null", a file, or None)."""
    return spec is not None and spec != "null" and not spec.startswith("file:")


class AudioDeviceError(RuntimeError):
    """A device cannot be found or opened; the message says which and why."""


def _sd() -> Any:
    """Import sounddevice lazily: it needs the PortAudio library, headless use does not."""
    try:
        import sounddevice
    except OSError as exc:  # PortAudio library missing
        raise AudioDeviceError(f"PortAudio is not available ({exc})") from exc
    return sounddevice


@dataclass(frozen=True)
class AudioDevice:
    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool
    is_default_output: bool


def list_devices(direction: Direction | None = None) -> list[AudioDevice]:
    """The devices PortAudio knows (inputs, outputs, or all)."""
    sd = _sd()
    with _PA_LOCK:
        apis = sd.query_hostapis()
        default_in, default_out = _default_indices()
        infos = list(sd.query_devices())
    result = []
    for info in infos:
        dev = AudioDevice(
            index=int(info["index"]),
            name=str(info["name"]),
            host_api=str(apis[info["hostapi"]]["name"]),
            max_input_channels=int(info["max_input_channels"]),
            max_output_channels=int(info["max_output_channels"]),
            default_samplerate=float(info["default_samplerate"]),
            is_default_input=int(info["index"]) == default_in,
            is_default_output=int(info["index"]) == default_out,
        )
        if direction == "input" and dev.max_input_channels < 1:
            continue
        if direction == "output" and dev.max_output_channels < 1:
            continue
        result.append(dev)
    return result


def _default_indices() -> tuple[int, int]:
    sd = _sd()
    pair = sd.default.device  # settable defaults; -1 means "PortAudio's default"
    out = []
    for value, kind in zip(pair, ("input", "output"), strict=True):
        if isinstance(value, int) and value >= 0:
            out.append(value)
            continue
        try:
            out.append(int(sd.query_devices(kind=kind)["index"]))
        except Exception:  # no default device of this kind
            out.append(-1)
    return out[0], out[1]


def find_device(name: str | None, direction: Direction) -> AudioDevice:
    """The device called ``name`` (exact, then case-insensitive, then substring).

    ``None``, ``""`` and ``"system default"`` give the default device.
    """
    devices = list_devices(direction)
    if not devices:
        raise AudioDeviceError(f"no audio {direction} device is available")
    if name is None or name.strip().lower() in ("", SYSTEM_DEFAULT):
        for dev in devices:
            if dev.is_default_input if direction == "input" else dev.is_default_output:
                return dev
        return devices[0]
    wanted = name.strip().lower()
    for match in (
        lambda d: d.name == name,
        lambda d: d.name.lower() == wanted,
        lambda d: wanted in d.name.lower(),
    ):
        hits = [d for d in devices if match(d)]
        if hits:
            return hits[0]
    known = ", ".join(repr(d.name) for d in devices)
    raise AudioDeviceError(f"no audio {direction} device called {name!r}; known: {known}")


# Held while PortAudio is re-initialised and while devices are listed: a listing (the
# settings dialog, the audio assistant) racing a terminate reads freed memory.
_PA_LOCK = threading.RLock()


def rescan() -> None:
    """Make PortAudio enumerate devices again (new USB headset, a sound server
    started after us). Only call it while no stream is open. A close still stuck in
    the background (a dead sound server) makes it refuse (AudioDeviceError): tearing
    PortAudio down under a running close crashes the process."""
    sd = _sd()
    if not wait_for_closers():
        raise AudioDeviceError(
            "the audio devices were not listed again: closing a device is still busy "
            "(its sound server may have stopped); the devices known so far stay in use"
        )
    with _PA_LOCK:
        sd._terminate()
        sd._initialize()


def portaudio_info() -> str:
    """Which PortAudio library sounddevice loaded and the host APIs it sees."""
    sd = _sd()
    apis = ", ".join(a["name"] for a in sd.query_hostapis())
    return f"{sd._libname} ({sd.get_portaudio_version()[1]}); host APIs: {apis}"


@dataclass(frozen=True)
class DeviceEvent:
    """Something happened to a device: ``kind`` is "fallback" (the device
    vanished, the system default is used now) or "lost" (it vanished and no
    device could be opened; the port is silent)."""

    kind: Literal["fallback", "lost"]
    direction: Direction
    device: str
    replacement: str | None
    message: str


_closers: list[threading.Thread] = []
_exit_guard_installed = False


def _close_in_background(streams: list[Any], wait: float = 0.0) -> bool:
    """Abort and close streams without blocking the loop.

    With a dead sound server (JACK killed) PortAudio's abort never returns and
    its Pa_Terminate at interpreter exit would then hang too; so the first time
    this is needed, sounddevice's exit handler is replaced by one that skips
    termination while a close is still stuck.
    """
    if not streams:
        return True

    def close() -> None:
        for s in streams:
            with contextlib.suppress(Exception):
                s.abort()
            with contextlib.suppress(Exception):
                s.close()

    _install_exit_guard()
    thread = threading.Thread(target=close, name="parley-audio-close", daemon=True)
    _closers.append(thread)
    thread.start()
    if wait > 0:
        thread.join(wait)
    return not thread.is_alive()


def wait_for_closers(timeout: float = 2.0) -> bool:
    """Wait for background closes; False if one is stuck (PortAudio wedged).

    Call before re-initialising PortAudio: it must not run concurrently with a close.
    """
    for t in _closers:
        t.join(timeout)
    _closers[:] = [t for t in _closers if t.is_alive()]
    return not _closers


def _install_exit_guard() -> None:
    global _exit_guard_installed
    if _exit_guard_installed:
        return
    sd = _sd()
    handler = getattr(sd, "_exit_handler", None)
    if handler is None:
        return
    _exit_guard_installed = True
    atexit.unregister(handler)

    def guarded_exit() -> None:
        if wait_for_closers(1.0):
            handler()
        # else PortAudio is wedged: terminating it would hang the exit

    atexit.register(guarded_exit)


class DevicePort(Port):
    """A sound card as a bridge port: the microphone is its source, the speaker its sink.

    ``input_device``/``output_device`` are names (``"system default"`` by
    default); ``None`` leaves that direction out (a ringing device is output
    only). ``on_period`` is called on the PortAudio thread once per captured
    period (use :meth:`MediaClock.signal_threadsafe` to let the device drive the
    media clock). ``on_event`` gets :class:`DeviceEvent` s on the engine loop.
    """

    def __init__(
        self,
        input_device: str | None = SYSTEM_DEFAULT,
        output_device: str | None = SYSTEM_DEFAULT,
        *,
        name: str = "sound device",
        sample_rate: int = PREFERRED_RATE,
        ptime_ms: int = 20,
        buffer_ms: int = 120,
        stall_periods: int = 25,
        on_event: Callable[[DeviceEvent], None] | None = None,
        on_period: Callable[[], None] | None = None,
    ) -> None:
        if input_device is None and output_device is None:
            raise ValueError("DevicePort needs an input or an output device")
        super().__init__(name, sample_rate, ptime_ms)
        self.input_name = input_device
        self.output_name = output_device
        self.on_event = on_event
        self.on_period = on_period
        self.stall_periods = stall_periods
        self.buffer_ms = buffer_ms
        self.events: list[DeviceEvent] = []
        self.input_info: AudioDevice | None = None
        self.output_info: AudioDevice | None = None
        self._streams: list[Any] = []
        self._in_ring = SampleRing(1)
        self._out_ring = SampleRing(1)
        # Written by the callback thread only:
        self._callbacks = 0
        self._period_fill = 0
        self._block = 0  # largest callback block seen, frames
        self.frames_captured = 0  # samples the input callbacks delivered
        self._in_stored = 0  # samples put in the input ring (whole blocks)
        self._frame_end = 0  # ...up to the end of the last whole period (paced)
        self._finished = False
        self._generation = 0  # tells a late finished-callback of an old stream apart
        self.status_flags = 0  # PortAudio over/underflow reports
        # Engine side:
        self._seen_callbacks = 0
        self._stalled_for = 0
        self._in_started = False
        self._excess_ticks = 0
        self.input_dropped = 0  # captured samples left out to bound the latency
        self.output_dropped = 0  # samples to play left out to bound the latency
        self.lost = False
        self._open(input_device, output_device)

    # opening and closing
    def _choose_rate(self, devices: list[tuple[AudioDevice, Direction]]) -> int:
        sd = _sd()
        candidates = [self.sample_rate, PREFERRED_RATE] + [
            int(d.default_samplerate) for d, _ in devices
        ]
        for rate in dict.fromkeys(candidates):
            try:
                for dev, direction in devices:
                    check = (
                        sd.check_input_settings
                        if direction == "input"
                        else sd.check_output_settings
                    )
                    check(device=dev.index, samplerate=rate, channels=1, dtype="int16")
            except Exception:
                continue
            return rate
        names = " and ".join(d.name for d, _ in devices)
        raise AudioDeviceError(f"{names}: no common sample rate among {candidates}")

    def _open(self, input_name: str | None, output_name: str | None) -> None:
        sd = _sd()
        devices: list[tuple[AudioDevice, Direction]] = []
        self.input_info = find_device(input_name, "input") if input_name is not None else None
        self.output_info = find_device(output_name, "output") if output_name is not None else None
        if self.input_info:
            devices.append((self.input_info, "input"))
        if self.output_info:
            devices.append((self.output_info, "output"))
        rate = self._choose_rate(devices)
        self.sample_rate = rate
        capacity = max(rate * self.buffer_ms // 1000, 4 * self.samples_per_frame)
        self._in_ring = SampleRing(capacity)
        self._out_ring = SampleRing(capacity)
        # One period of silence ahead absorbs the scheduling jitter of the bridge.
        self._out_ring.write(np.zeros(self.samples_per_frame, dtype=np.int16))
        self._callbacks = 0
        self._seen_callbacks = 0
        self._stalled_for = 0
        self._period_fill = 0
        self._in_stored = 0
        self._frame_end = 0
        self._in_read = 0  # samples taken from the input ring (read or discarded)
        self._finished = False
        self._in_started = False
        self._excess_ticks = 0
        self._generation += 1
        generation = self._generation

        def finished() -> None:
            if generation == self._generation:
                self._finished = True

        streams: list[Any] = []
        try:
            if self.input_info:
                streams.append(
                    sd.InputStream(
                        device=self.input_info.index,
                        samplerate=rate,
                        channels=1,
                        dtype="int16",
                        latency="low",
                        callback=self._input_callback,
                        finished_callback=finished,
                    )
                )
            if self.output_info:
                channels = 1 if self.output_info.max_output_channels >= 1 else 2
                streams.append(
                    sd.OutputStream(
                        device=self.output_info.index,
                        samplerate=rate,
                        channels=channels,
                        dtype="int16",
                        latency="low",
                        callback=self._output_callback,
                        finished_callback=finished,
                    )
                )
            for s in streams:
                s.start()
        except Exception as exc:
            _close_in_background(streams)
            raise AudioDeviceError(f"cannot open audio device: {exc}") from exc
        self._streams = streams
        self.lost = False

    def close(self) -> None:
        streams, self._streams = self._streams, []
        if not all(s.active for s in streams):
            _close_in_background(streams)  # a dead stream's stop can hang
            return
        for s in streams:
            with contextlib.suppress(Exception):
                s.stop()
            with contextlib.suppress(Exception):
                s.close()

    # PortAudio thread
    def _input_callback(self, indata: Any, frames: int, time: Any, status: Any) -> None:
        self._callbacks += 1
        if frames > self._block:
            self._block = frames
        self.frames_captured += frames
        if status:
            self.status_flags += 1
        ring = self._in_ring
        if ring.free >= frames:  # whole blocks or nothing: keeps the periods' alignment
            ring.write(indata[:, 0])
            self._in_stored += frames
        else:
            ring.overruns += 1
        on_period = self.on_period
        if on_period is not None:
            fill = self._period_fill + frames
            n = self.samples_per_frame
            self._period_fill = fill % n
            self._frame_end = self._in_stored - fill % n
            while fill >= n:
                fill -= n
                on_period()

    def _output_callback(self, outdata: Any, frames: int, time: Any, status: Any) -> None:
        if frames > self._block:
            self._block = frames
        if self.input_info is None:
            self._callbacks += 1  # output-only: the output callback proves life
            on_period = self.on_period
            if on_period is not None:
                fill = self._period_fill + frames
                n = self.samples_per_frame
                while fill >= n:
                    fill -= n
                    on_period()
                self._period_fill = fill
        if status:
            self.status_flags += 1
        column = outdata[:, 0]
        self._out_ring.read_into(column)
        if outdata.shape[1] > 1:
            outdata[:, 1:] = outdata[:, :1]

    # engine side
    @property
    def input_overruns(self) -> int:
        return self._in_ring.overruns

    @property
    def output_underruns(self) -> int:
        return self._out_ring.underruns

    def get_frame(self) -> Frame | None:
        self._watch()
        if self.input_info is None or not self._streams:
            return None
        n = self.samples_per_frame
        queued = len(self._in_ring)
        if queued < n:
            if self._in_started:
                self._in_ring.underruns += 1
            return None
        if self.paced:
            # The tick of a period reads that period's frame. Frames before it are left
            # over from before the first tick, or from a stall the ticks cannot catch
            # up (two behind): drop them, aligned on the periods the device counted.
            behind = self._frame_end - n - self._in_read
            excess = behind if behind > 0 and (not self._in_started or behind >= 2 * n) else 0
        elif queued > 3 * n:
            excess = queued - 2 * n  # device clock ahead of the timer: bound the latency
        else:
            excess = 0
        if excess > 0:
            self._in_ring.discard(excess)
            self._in_read += excess
            self.input_dropped += excess
        self._in_started = True
        frame = self._in_ring.read(n)
        if frame is not None:
            self._in_read += n
        return frame

    def put_frame(self, frame: Frame) -> None:
        if self.output_info is None or not self._streams:
            return
        if self.paced:
            # What is still queued now plays before this frame. Paced by the device it is
            # at most one block; a whole frame more, tick after tick, is latency that a
            # start-up or a stall left behind: leave one frame out (a hard excess at once).
            queued, n = len(self._out_ring), len(frame)
            self._excess_ticks = self._excess_ticks + 1 if queued >= n else 0
            if queued >= 2 * n + self._block or self._excess_ticks >= _EXCESS_TICKS:
                self._excess_ticks = 0
                self.output_dropped += n
                return
        self._out_ring.write(frame)

    @property
    def paced(self) -> bool:
        """Whether this device's callbacks pace the bridge (``on_period`` is set)."""
        return self.on_period is not None

    def _watch(self) -> None:
        """Notice a vanished device (called once per period on the engine loop)."""
        if not self._streams:
            return
        count = self._callbacks
        if count != self._seen_callbacks:
            self._seen_callbacks = count
            self._stalled_for = 0
        else:
            self._stalled_for += 1
        dead = self._finished or self._stalled_for >= self.stall_periods
        if not dead:
            dead = not all(s.active for s in self._streams)
        if dead:
            self._vanished()

    def _vanished(self) -> None:
        old_in = self.input_info.name if self.input_info else None
        old_out = self.output_info.name if self.output_info else None
        direction: Direction = "input" if old_in is not None else "output"
        gone = old_in if old_in is not None else old_out
        # PortAudio must not open while another thread closes: wait a little.
        # A close that does not return means PortAudio itself is wedged (a
        # dead JACK server): then do not touch it again.
        closed = _close_in_background(self._streams, wait=1.0)
        self._streams = []
        try:
            if not closed:
                raise AudioDeviceError("the audio system does not respond")
            self._open(
                SYSTEM_DEFAULT if self.input_name is not None else None,
                SYSTEM_DEFAULT if self.output_name is not None else None,
            )
        except Exception as exc:
            self.lost = True
            self._emit(
                DeviceEvent(
                    "lost",
                    direction,
                    str(gone),
                    None,
                    f"The audio device {gone!r} stopped working and no other device "
                    f"could be opened ({exc}). Check the sound settings.",
                )
            )
            return
        new = (
            self.input_info.name
            if self.input_info
            else (self.output_info.name if self.output_info else "")
        )
        self._emit(
            DeviceEvent(
                "fallback",
                direction,
                str(gone),
                new,
                f"The audio device {gone!r} stopped working; using the system default {new!r}.",
            )
        )

    def _emit(self, event: DeviceEvent) -> None:
        self.events.append(event)
        log.warning("%s", event.message)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:
                log.exception("device event handler failed")


def running_devices(port: Port) -> set[str]:
    """The names of the sound devices whose streams `port` (a device port, or one that
    wraps device ports: processing, a duplex of two) has open and running now."""
    names: set[str] = set()
    if isinstance(port, DevicePort):
        # No PortAudio call here: other threads may ask while the engine reopens devices.
        if port._streams and not port.lost and port._stalled_for < port.stall_periods:
            names |= {d.name for d in (port.input_info, port.output_info) if d is not None}
        return names
    for attr in ("inner", "source", "sink"):
        inner = getattr(port, attr, None)
        if isinstance(inner, Port):
            names |= running_devices(inner)
    return names


def open_audio(
    input_spec: str | None = SYSTEM_DEFAULT,
    output_spec: str | None = SYSTEM_DEFAULT,
    *,
    name: str = "audio",
    sample_rate: int = PREFERRED_RATE,
    **device_options: Any,
) -> Port:
    """Open the "microphone + speaker" port from two device specs.

    A spec is a device name (``"system default"`` included), ``"null"`` (silence
    in, audio discarded), ``"file:PATH"`` (input: a WAV played in a loop;
    output: a WAV recording), or None (that direction is left out).
    Headless use needs no PortAudio at all when neither spec names a device.
    """

    if is_device_spec(input_spec) and is_device_spec(output_spec):
        return DevicePort(
            input_spec, output_spec, name=name, sample_rate=sample_rate, **device_options
        )
    # At most one real device: it decides the rate, the file/null side follows.
    source: Port | None = None
    sink: Port | None = None
    rate = sample_rate
    if is_device_spec(input_spec):
        source = DevicePort(input_spec, None, name=name, sample_rate=rate, **device_options)
        rate = source.sample_rate
    if is_device_spec(output_spec):
        sink = DevicePort(None, output_spec, name=name, sample_rate=rate, **device_options)
        rate = sink.sample_rate
    if source is None:
        if input_spec is not None and input_spec.startswith("file:"):
            source = FilePlayer(Path(input_spec[5:]), loop=True, sample_rate=rate)
        else:
            source = NullPort(f"{name} in", rate)
    if sink is None:
        if output_spec is not None and output_spec.startswith("file:"):
            sink = WavRecorder(Path(output_spec[5:]), rate)
        else:
            sink = NullPort(f"{name} out", rate)
    return DuplexPort(source, sink, name=name)
