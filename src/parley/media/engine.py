"""The phone's audio: one bridge, one clock, the sound devices (or files), tones, calls.

Every feature is a connection in the bridge (design.md): a connected call is its RTP
stream wired both ways to the microphone/speaker port; hold is the disconnection;
ringback and busy tones are tone ports wired to the speaker; a recording is a WAV
recorder fed by the call's stream.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley.media.bridge import AudioBridge
from parley.media.clock import MediaClock
from parley.media.codecs.base import Frame
from parley.media.devices import DeviceEvent, is_device_spec, open_audio
from parley.media.devices import rescan as rescan_devices
from parley.media.dsp import MicProcessor, ProcessedPort
from parley.media.dtmf import dtmf_tone
from parley.media.music import music_port
from parley.media.ports import FilePlayer, NullPort, Port, TonePort, WavRecorder
from parley.media.tones import (
    AUTO_ANSWER_SOUND,
    ToneGenerator,
    ToneSpec,
    WavLoop,
    dtmf_feedback_spec,
    tone_spec,
)

# The built-in ringtone: a two-tone warble, twice, then a pause (our own, not a network tone).
RING_SPEC = ToneSpec("ringtone", (880.0, 1100.0), (0.4, 0.2, 0.4, 2.0), -14.0, True)

log = logging.getLogger(__name__)


@dataclass
class AudioConfig:
    """Where sound comes from and goes to; each is a device name, "system default",
    "null", or "file:PATH" (see `parley.media.devices.open_audio`)."""

    input: str = "null"
    output: str = "null"
    ring: str | None = None  # ringing device; None (or the output's spec) = the output device
    ring_also_output: bool = False  # ring on the output device as well
    # Further devices that ring too ("ring also through the PC speaker"); a device that
    # already rings (the ringing device, or the output with ring_also_output) rings once.
    ring_also: tuple[str, ...] = ()
    tone_region: str = "europe"
    dtmf_feedback: bool = True
    record_dir: Path | None = None
    echo_cancellation: bool = True
    auto_gain_control: bool = True
    noise_suppression: bool = True


class _Queue:
    """A frame source that plays queued frames once, then nothing (in-band DTMF)."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._pcm = np.zeros(0, dtype=np.int16)

    def add(self, frame: Frame) -> None:
        self._pcm = np.concatenate((self._pcm, frame))

    def next_frame(self, samples: int) -> Frame | None:
        if len(self._pcm) == 0:
            return None
        out, self._pcm = self._pcm[:samples], self._pcm[samples:]
        if len(out) < samples:
            out = np.concatenate((out, np.zeros(samples - len(out), dtype=np.int16)))
        return out


class CallMedia:
    """The bridge slots of one call."""

    def __init__(self, engine: MediaEngine, port: Port, name: str) -> None:
        self.engine = engine
        self.port = port
        self.slot = engine.bridge.add_port(port)
        self.inband = _Queue(port.sample_rate)
        self.inband_slot = engine.bridge.add_port(
            TonePort(self.inband, port.sample_rate, name=f"{name} dtmf")
        )
        engine.bridge.connect(self.inband_slot, self.slot)
        self.recorder: WavRecorder | None = None
        self.recorder_slot: int | None = None
        self.connected = False

    def connect(self, *, speak: bool = True, listen: bool = True) -> None:
        """Wire the call to the microphone and speaker (either way may be off)."""
        b, dev = self.engine.bridge, self.engine.device_slot
        self.disconnect()
        if speak:
            b.connect(dev, self.slot)
        if listen:
            b.connect(self.slot, dev)
        self.connected = speak or listen

    def disconnect(self) -> None:
        b, dev = self.engine.bridge, self.engine.device_slot
        for src, dst in ((dev, self.slot), (self.slot, dev)):
            if b.is_connected(src, dst):
                b.disconnect(src, dst)
        self.connected = False

    def record(self, path: Path) -> None:
        """Record what the far end sends (its decoded audio) as a WAV file."""
        if self.recorder is not None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self.recorder = WavRecorder(path, self.port.sample_rate)
        self.recorder_slot = self.engine.bridge.add_port(self.recorder)
        self.engine.bridge.connect(self.slot, self.recorder_slot)

    def play_inband(self, digits: str) -> None:
        """In-band DTMF: tones mixed into what we send (100 ms tone, 60 ms gap)."""
        rate = self.port.sample_rate
        gap = np.zeros(rate * 60 // 1000, dtype=np.int16)
        for d in digits:
            self.inband.add(dtmf_tone(d, rate, 100))
            self.inband.add(gap)

    def close(self) -> None:
        b = self.engine.bridge
        self.engine.hold_music(self, "off")
        self.disconnect()
        for slot in (self.slot, self.inband_slot, self.recorder_slot):
            if slot is not None and slot in b.slots:
                b.disconnect_all(slot)
                b.remove_port(slot)
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None


class AudioProblem(enum.StrEnum):
    """What went wrong with a sound device or the music on hold (`AudioNotice`)."""

    UNAVAILABLE = "unavailable"  # no device opens: the calls get silence
    FALLBACK = "fallback"  # a device vanished: the system default is used
    LOST = "lost"  # a device vanished and no other opens
    RING_ALSO = "ring also"  # a device that should ring too cannot
    RING_DEVICE = "ring device"  # the ringing device cannot be opened: rings on the output
    MUSIC_ON_HOLD = "music on hold"  # the music file cannot be played: silence


@dataclass(frozen=True)
class AudioNotice:
    """A device problem, told to the engine's owner: `problem`, the `device` concerned,
    its `replacement` (FALLBACK), the lower layer's `detail`, and `text` in English for
    logs and the console."""

    problem: AudioProblem
    text: str
    device: str = ""
    replacement: str = ""
    detail: str = ""

    def __str__(self) -> str:
        return self.text


class MediaEngine:
    """Owns the bridge and its clock; created once per phone."""

    def __init__(
        self, config: AudioConfig, on_device_event: Callable[[AudioNotice], None] | None = None
    ) -> None:
        self.config = config
        self.bridge = AudioBridge(48000, 20)
        self.clock = MediaClock(self.bridge, 20)
        self._on_device_event = on_device_event
        self.device = self._open_device()
        self.device_slot = self.bridge.add_port(self.device)
        self._tone_slot: int | None = None
        self._tone_owner: object = None
        self._one_shots: dict[int, ToneGenerator] = {}  # key sounds, test sounds
        self._ring_port: Port | None = None
        self._ring_port_slot: int | None = None
        self._loudspeaker = False
        self._normal_devices: tuple[str, str] | None = None
        self._also_ports: dict[str, tuple[Port, int]] = {}  # ring_also devices, by spec
        self._also_failed: set[str] = set()
        # Music on hold: one port for every held call, made while someone hears it.
        self._music: tuple[tuple[str, Path | None], int] | None = None  # (setting, slot)
        self._music_failed: tuple[str, Path | None] | None = None  # said once
        self._music_listeners: set[int] = set()  # call slots hearing it

    def _open_device(self) -> Port:
        # A sound device's clock paces the bridge (its capture, else its playback);
        # files and silence leave it to the timer, as does a device that fails.
        self.clock.set_device_mode(False)
        paced = is_device_spec(self.config.input) or is_device_spec(self.config.output)
        try:
            port = open_audio(
                self.config.input,
                self.config.output,
                name="audio",
                on_event=self._device_event,
                on_period=self.clock.device_signal(),
            )
        except TypeError:  # a back-end without device events (files, null)
            port = open_audio(self.config.input, self.config.output, name="audio")
        except Exception as exc:  # no sound card: say so and carry on silently
            log.warning("audio device unavailable (%s); using silence", exc)
            if self._on_device_event is not None:
                self._on_device_event(
                    AudioNotice(
                        AudioProblem.UNAVAILABLE,
                        f"Audio device unavailable: {exc} — using silence.",
                        detail=str(exc),
                    )
                )
            port = NullPort("audio", 48000)
            return port
        self.clock.set_device_mode(paced)
        return self._with_processing(port)

    def _with_processing(self, port: Port) -> Port:
        """Echo cancellation, AGC and noise suppression on a real microphone (a WAV file
        standing in for one is sent as it is: it has no echo and a known level)."""
        c = self.config
        if not c.input or c.input == "null" or c.input.startswith("file:"):
            return port
        if not (c.echo_cancellation or c.auto_gain_control or c.noise_suppression):
            return port
        try:
            processor = MicProcessor(
                aec=c.echo_cancellation,
                agc=c.auto_gain_control,
                ns=c.noise_suppression,
                sample_rate=port.sample_rate,
            )
        except Exception as exc:  # the audio processing library is missing or refuses
            log.warning("audio processing unavailable: %s", exc)
            return port
        return ProcessedPort(port, processor)

    def _device_event(self, event: DeviceEvent) -> None:
        if event.kind == "lost":  # nothing captures any more: the timer paces the bridge
            self.clock.set_device_mode(False)
        if self._on_device_event is not None:
            problem = AudioProblem.LOST if event.kind == "lost" else AudioProblem.FALLBACK
            self._on_device_event(
                AudioNotice(
                    problem, event.message, event.device, replacement=event.replacement or ""
                )
            )

    def start(self) -> None:
        self.clock.start()

    def stop(self) -> None:
        self.clock.stop()
        self.stop_tone()
        self.device.close()
        if self._ring_port is not None:
            self._ring_port.close()
        for port, _slot in self._also_ports.values():
            port.close()

    def add_call(self, port: Port, name: str) -> CallMedia:
        return CallMedia(self, port, name)

    # -- the devices: switching, levels, meter

    @property
    def loudspeaker(self) -> bool:
        """True while the hands-free devices are in use (see `set_loudspeaker`)."""
        return self._loudspeaker

    def set_loudspeaker(self, on: bool, hands_free: tuple[str, str]) -> None:
        """Switch to the hands-free devices (`hands_free`: input and output spec) or back
        to the devices the engine was using before the first switch."""
        if self._normal_devices is None:
            self._normal_devices = (self.config.input, self.config.output)
        self.switch_devices(*(hands_free if on else self._normal_devices))
        self._loudspeaker = on

    def switch_devices(self, input_spec: str, output_spec: str, *, rescan: bool = False) -> None:
        """Use other devices from now on. The new device port takes the old one's bridge
        slot, so its connections (calls, tones, recordings) and volumes carry over. A
        device that cannot be opened gives silence (and says so, see `_open_device`).
        `rescan`: PortAudio enumerates the devices again first (one plugged in since it
        started); that needs every stream closed, so the old device and the ringing
        devices close first and the audio pauses for that moment."""
        if not rescan and (self.config.input, self.config.output) == (input_spec, output_spec):
            return
        self.config.input, self.config.output = input_spec, output_spec
        if rescan:
            self._rescan()
        port = self._open_device()
        old = self.bridge.replace_port(self.device_slot, port)
        self.device = port
        try:
            old.close()
        except Exception:
            log.exception("closing the previous audio device")

    def _rescan(self) -> None:
        """Close every device stream, let PortAudio enumerate again, reopen the ringing
        devices in their slots (the main device is reopened by the caller)."""
        self.device.close()
        side = (
            [(self._ring_port, self._ring_port_slot, self.config.ring)]
            if (self._ring_port is not None and self._ring_port_slot is not None)
            else []
        )
        side += [(port, slot, spec) for spec, (port, slot) in self._also_ports.items()]
        for closing, _slot, _spec in side:
            closing.close()
        try:
            rescan_devices()
        except Exception as exc:  # PortAudio gone: the devices opened next say so
            log.warning("audio devices cannot be listed again: %s", exc)
        for old, slot, spec in side:
            try:
                port = open_audio(None, spec, name=old.name)
            except Exception as exc:
                log.warning("device %r cannot ring after the device change (%s)", spec, exc)
                port = NullPort(old.name, 48000)
            self.bridge.replace_port(slot, port)
            if old is self._ring_port:
                self._ring_port = port
            else:
                self._also_ports[str(spec)] = (port, slot)

    def set_speaker_level(self, level: float) -> None:
        """Gain on what the speaker plays (every call and tone); 1.0 leaves it as it is."""
        self.bridge.set_tx_level(self.device_slot, level)

    def set_microphone_level(self, level: float) -> None:
        """Gain on what the microphone gives (to every call); 0.0 silences it."""
        self.bridge.set_rx_level(self.device_slot, level)

    def input_level_db(self) -> float:
        """RMS dBFS of the microphone's last frame (before the gain), -inf if none."""
        return self.bridge.rx_level_db(self.device_slot)

    def play_test_sound(self, seconds: float = 1.5) -> None:
        """A soft 440 + 660 Hz chord on the output device, once."""
        spec = ToneSpec("test sound", (440.0, 660.0), (seconds,), -14.0, repeat=False)
        self._play_once(spec, "test sound")

    def play_auto_answer_sound(self) -> None:
        """Two short beeps on the output device: a call was answered by itself."""
        self._play_once(AUTO_ANSWER_SOUND, "auto answer")

    def _play_once(self, spec: ToneSpec, name: str) -> None:
        """Play `spec` once on the speaker; ports of tones that have finished go first."""
        for slot, old in list(self._one_shots.items()):
            if old.finished:
                self.bridge.disconnect_all(slot)
                self.bridge.remove_port(slot)
                del self._one_shots[slot]
        gen = ToneGenerator(spec, 48000)

        def frames(n: int) -> Frame | None:
            return None if gen.finished else gen.frame(n)

        slot = self.bridge.add_port(TonePort(frames, 48000, name=name))
        self._one_shots[slot] = gen
        self.bridge.connect(slot, self.device_slot)

    # -- tones on the speaker

    def play_tone(self, kind: str, owner: object) -> None:
        """Ringback, busy, call waiting… on the speaker until `stop_tone(owner)`."""
        self.stop_tone()
        gen = ToneGenerator(tone_spec(kind, self.config.tone_region), 48000)
        port = TonePort(lambda n: gen.frame(n), 48000, name=kind)
        self._tone_slot = self.bridge.add_port(port)
        self._tone_owner = owner
        self.bridge.connect(self._tone_slot, self.device_slot)

    def play_ringtone(self, owner: object, wav: Path | None = None) -> None:
        """An incoming call rings: the WAV ringtone in a loop, or a built-in warble.
        A WAV that cannot be read falls back to the built-in tone (and says why once)."""
        self.stop_tone()
        source: Callable[[int], Frame | None]
        rate = 48000
        loop = None
        if wav is not None:
            try:
                loop = WavLoop.from_file(wav, gap_s=1.0)
            except (OSError, ValueError) as exc:
                log.warning("ringtone %s unusable (%s); using the built-in one", wav, exc)
        if loop is not None:
            rate = loop.sample_rate
            source = loop.frame
        else:
            gen = ToneGenerator(RING_SPEC, rate)
            source = gen.frame
        self._tone_slot = self.bridge.add_port(TonePort(source, rate, name="ringtone"))
        self._tone_owner = owner
        ring_slot = self._ring_slot()
        slots = [ring_slot]
        if self.config.ring_also_output:
            slots.append(self.device_slot)
        slots += self._also_slots()
        for slot in dict.fromkeys(slots):  # each device once
            self.bridge.connect(self._tone_slot, slot)

    def _also_slots(self) -> list[int]:
        """The `ring_also` devices (opened on first use). The output's and the ringing
        device's own specs are the slots above; one that cannot be opened is skipped."""
        slots = []
        for spec in self.config.ring_also:
            if spec == "null" or spec in self._also_failed:
                continue
            if spec == self.config.output:
                slots.append(self.device_slot)
            elif spec == self.config.ring:
                slots.append(self._ring_slot())
            elif spec in self._also_ports:
                slots.append(self._also_ports[spec][1])
            else:
                try:
                    port = open_audio(None, spec, name="ringing (also)")
                except Exception as exc:  # said once; the other devices still ring
                    log.warning("device %r cannot ring too (%s)", spec, exc)
                    self._also_failed.add(spec)
                    if self._on_device_event is not None:
                        self._on_device_event(
                            AudioNotice(
                                AudioProblem.RING_ALSO,
                                f"Device {spec!r} cannot ring too: {exc}",
                                spec,
                                detail=str(exc),
                            )
                        )
                    continue
                self._also_ports[spec] = (port, self.bridge.add_port(port))
                slots.append(self._also_ports[spec][1])
        return slots

    def _ring_slot(self) -> int:
        """The bridge slot incoming calls ring on: the ringing device when one is set
        apart from the output (opened on first use), else the output itself. A ringing
        device that cannot be opened rings on the output instead, and says so."""
        spec = self.config.ring
        if not spec or spec == self.config.output:
            return self.device_slot
        if self._ring_port_slot is None:
            try:
                port = open_audio(None, spec, name="ringing")
            except Exception as exc:
                log.warning("ringing device %r unavailable (%s); ringing on the output", spec, exc)
                if self._on_device_event is not None:
                    self._on_device_event(
                        AudioNotice(
                            AudioProblem.RING_DEVICE,
                            f"Ringing device {spec!r} unavailable: {exc} — ringing on the output.",
                            spec,
                            detail=str(exc),
                        )
                    )
                self.config.ring = None
                return self.device_slot
            self._ring_port = port
            self._ring_port_slot = self.bridge.add_port(port)
        return self._ring_port_slot

    def stop_tone(self, owner: object = None) -> None:
        if self._tone_slot is None or (owner is not None and owner is not self._tone_owner):
            return
        self.bridge.disconnect_all(self._tone_slot)
        self.bridge.remove_port(self._tone_slot)
        self._tone_slot = None
        self._tone_owner = None

    def dtmf_feedback(self, digit: str) -> None:
        """The short local tone a key press makes (a setting can turn it off)."""
        if not self.config.dtmf_feedback:
            return
        self._play_once(dtmf_feedback_spec(digit), f"key {digit}")

    # -- music on hold

    def hold_music(self, media: CallMedia, mode: str, path: Path | None = None) -> None:
        """Let `media`'s call hear music on hold (`mode` "builtin" or "file" with `path`, as
        the setting `media.music_on_hold` says), or no longer ("off"). The stream decides
        whether it is sent (a=sendonly: yes; a=inactive: nothing goes out). A file that
        cannot be read is said once (a device event) and the call hears silence."""
        b = self.bridge
        slot = self._music_slot(mode, path) if mode != "off" else None
        if slot is None:
            if media.slot in self._music_listeners:
                self._music_listeners.discard(media.slot)
                if self._music is not None and b.is_connected(self._music[1], media.slot):
                    b.disconnect(self._music[1], media.slot)
            if not self._music_listeners and self._music is not None:
                b.remove_port(self._music[1]).close()
                self._music = None
            return
        b.connect(slot, media.slot)
        self._music_listeners.add(media.slot)

    def _music_slot(self, mode: str, path: Path | None) -> int | None:
        key = (mode, path)
        if self._music is not None and self._music[0] == key:
            return self._music[1]
        try:
            port = music_port(mode, path)
        except ValueError as exc:  # WavError: unreadable, not a WAV, no file set
            if self._music_failed != key:
                self._music_failed = key
                log.warning("music on hold unusable: %s", exc)
                if self._on_device_event is not None:
                    self._on_device_event(
                        AudioNotice(
                            AudioProblem.MUSIC_ON_HOLD,
                            f"Music on hold cannot be played: {exc} — held parties hear silence.",
                            str(path or ""),
                            detail=str(exc),
                        )
                    )
            return None
        self._music_failed = None
        if port is None:
            return None
        if self._music is not None:  # the setting changed: same slot, new music
            slot = self._music[1]
            self.bridge.replace_port(slot, port).close()
        else:
            slot = self.bridge.add_port(port)
        self._music = (key, slot)
        return slot

    def play_file_to(self, path: Path, media: CallMedia) -> FilePlayer:
        player = FilePlayer(path, loop=False)
        slot = self.bridge.add_port(player)
        self.bridge.connect(slot, media.slot)
        return player
