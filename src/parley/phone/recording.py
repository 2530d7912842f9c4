"""Recording calls: the record button, "record every call", file names from a template.

`Recordings` is the phone's feature module for the manual's call recording. It works in
its own narrow `RecordingContext` and learns what happens to calls from the phone's
events (`on_event`, called by `Phone.emit` after the front-ends have seen the event):

- `start(call)` / `stop(call_id)`: each start after a stop is a new part — a new file,
  `{recording_part}` one higher (the manual's "Part X of the entire recording");
- `functions.record_all_calls` starts a recording the first time a call connects;
- a recording stops when its call ends (and when writing fails: full disk, folder gone —
  then a `PhoneError` says why);
- while we hold or mute the call, the near side of the recording is silent too (the far
  end hears nothing from us either);
- the far side is the call's own slot, or whatever `far_slots(call)` gives: a
  recording of a local conference participant's call records the mix of every
  participant (the phone hooks `Conference.recorded_far` / `recorded_near` in; the
  recordings are wired again on every `ConferenceChanged` and call change); when the
  recorded participant's call ends, the recording goes on in the same file with
  another participant's call (`heir`; a new "started" event names that call).

Files go to `functions.recording_dir`, else `default_dir` (the app sets the 'recordings'
folder of its data folder), named by `functions.recording_name` (see `file_name`),
never overwriting an existing file. Media side: `parley.media.recording`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from parley.history.model import number_of
from parley.media.recording import CallRecorder, RecordingError
from parley.phone.events import (
    CallPhase,
    CallStateChanged,
    ConferenceChanged,
    PhoneError,
    PhoneErrorCode,
    PhoneEvent,
    RecordingChanged,
    RecordingState,
)
from parley.settings.model import Settings
from parley.settings.types import RECORDING_FIELDS
from parley.sip.headers import SipParseError

if TYPE_CHECKING:
    from parley.media.engine import MediaEngine
    from parley.phone.call import Call

log = logging.getLogger(__name__)

__all__ = [
    "RecordingContext",
    "RecordingError",
    "Recordings",
    "file_name",
    "safe_file_name",
]

CLOSE_TIMEOUT = 10.0  # seconds the last chunk may take to reach the file
MAX_STEM = 180  # characters of a file name before ".wav" (file systems allow 255 bytes)
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_FIELD = re.compile(r"\{([^{}]*)\}")
_CANONICAL = {f.casefold(): f for f in RECORDING_FIELDS}


def safe_file_name(text: str) -> str:
    """`text` with the characters file systems refuse (Windows' set, control
    characters, separators) replaced by "_", without trailing dots or spaces."""
    out = _UNSAFE.sub("_", text).strip().rstrip(". ")
    return out[:MAX_STEM].rstrip(". ") or "recording"


def file_name(template: str, fields: Mapping[str, str]) -> str:
    """Fill `template`'s {fields} (case ignored: {yyyy} is {YYYY}) from `fields` (keyed
    as in `RECORDING_FIELDS`) and make the result a safe file name (without ".wav").
    A field the template names that `fields` lacks is left empty."""

    def value(match: re.Match[str]) -> str:
        key = _CANONICAL.get(match.group(1).casefold())
        if key is None:
            return match.group(0)  # the settings refuse such templates; keep it visible
        return fields.get(key, "")

    return safe_file_name(_FIELD.sub(value, template))


@dataclass(frozen=True)
class RecordingContext:
    """What the recording feature may use: events out, the media engine, the settings
    and the phone's calls (getters: they change while the phone runs)."""

    emit: Callable[[PhoneEvent], None]
    media: Callable[[], MediaEngine]
    settings: Callable[[], Settings]
    calls: Callable[[], Mapping[int, Call]]


@dataclass
class _Active:
    recorder: CallRecorder
    part: int


class Recordings:
    """The recordings of the phone's calls (one at a time per call)."""

    def __init__(self, ctx: RecordingContext) -> None:
        self.ctx = ctx
        self.default_dir: Path | None = None  # used when recording_dir is not set
        self.name_of: Callable[[str], str | None] = lambda number: None  # contact names
        # The far-end slots of a call's recording (the hook, or it answering None: the
        # call's own slot), and whether the near side is heard (None: unless the call
        # is muted or held). A local conference gives every participant's slot (the
        # mix) and "while anyone in the mix hears us" (the phone sets both).
        self.far_slots: Callable[[Call], Iterable[int] | None] | None = None
        self.near_heard: Callable[[Call], bool | None] | None = None
        # The call that carries a recording on when its own call ends (None: it stops).
        # A conference participant's recording is the conference's: it moves to another
        # participant that is still up.
        self.heir: Callable[[Call], Call | None] | None = None
        self._active: dict[int, _Active] = {}
        self._parts: dict[int, int] = {}  # last part number per call
        self._started_at: dict[int, float] = {}  # wall-clock start of each call
        self._auto: set[int] = set()  # calls record_all_calls has already started
        self._closing: set[asyncio.Task[None]] = set()

    def configure(
        self,
        default_dir: Path | None = None,
        name_of: Callable[[str], str | None] | None = None,
    ) -> None:
        """The application's part: its data folder's 'recordings' folder and a contact
        name look-up (for {name})."""
        if default_dir is not None:
            self.default_dir = default_dir
        if name_of is not None:
            self.name_of = name_of

    # ------------------------------------------------------------------ commands

    def is_active(self, call_id: int) -> bool:
        return call_id in self._active

    def file_of(self, call_id: int) -> Path | None:
        active = self._active.get(call_id)
        return active.recorder.path if active is not None else None

    def start(self, call: Call) -> Path:
        """Start recording `call` (a new part); its file's path. Already recording: the
        current file. `RecordingError` when the call is not in progress or the file
        cannot be made."""
        current = self._active.get(call.id)
        if current is not None:
            return current.recorder.path
        if call.ended or call.state not in ("connected", "early media") or call.media is None:
            raise RecordingError(f"call {call.id} is not in progress: nothing to record")
        functions = self.ctx.settings().functions
        folder = functions.recording_dir or self.default_dir
        if folder is None:
            raise RecordingError("no folder for recordings: set functions.recording_dir")
        folder = Path(folder).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RecordingError(
                f"cannot make the recordings folder {folder}: {exc.strerror or exc}"
            ) from exc
        part = self._parts.get(call.id, 0) + 1
        stem = file_name(functions.recording_name, self.fields(call, part))
        loop = asyncio.get_running_loop()

        def on_error(exc: RecordingError, call_id: int = call.id) -> None:
            loop.call_soon_threadsafe(self._write_failed, call_id, exc)  # from the writer

        engine = self.ctx.media()
        recorder: CallRecorder | None = None
        for n in range(1, 1000):
            path = folder / (f"{stem}.wav" if n == 1 else f"{stem}-{n}.wav")
            try:
                recorder = CallRecorder(
                    engine.bridge,
                    path,
                    channels=functions.recording_channels,
                    on_error=on_error,
                )
            except FileExistsError:
                continue  # never overwrite: the next free suffix
            break
        if recorder is None:
            raise RecordingError(f"no free file name for {stem}.wav in {folder}")
        self._parts[call.id] = part
        self._active[call.id] = _Active(recorder, part)
        self._wire(call)
        self.ctx.emit(RecordingChanged(call=call.id, state=RecordingState.STARTED, file=str(path)))
        return path

    async def stop(self, call_id: int) -> Path | None:
        """Stop recording a call; returns when the file is complete (its path; None when
        the call was not being recorded)."""
        active = self._active.pop(call_id, None)
        if active is None:
            return None
        await self._finish(call_id, active)
        return active.recorder.path

    def stop_all(self) -> None:
        """Stop every recording (the phone stops); the files are completed in the
        background."""
        for call_id in list(self._active):
            self._stop_soon(call_id)

    def _stop_soon(self, call_id: int) -> None:
        active = self._active.pop(call_id, None)
        if active is None:
            return
        task = asyncio.get_running_loop().create_task(self._finish(call_id, active))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _finish(self, call_id: int, active: _Active) -> None:
        # The close is submitted at once (the audio is safe from here); the event waits
        # until the file is complete, so whoever reads it then gets all of it.
        done = active.recorder.close()
        try:
            await asyncio.wait_for(asyncio.wrap_future(done), CLOSE_TIMEOUT)
        except (TimeoutError, OSError) as exc:
            log.warning("recording %s did not close cleanly: %s", active.recorder.path, exc)
        self.ctx.emit(
            RecordingChanged(
                call=call_id, state=RecordingState.STOPPED, file=str(active.recorder.path)
            )
        )

    def _write_failed(self, call_id: int, exc: RecordingError) -> None:
        """On the loop: the writer thread could not write (full disk, folder gone)."""
        # The recording may have moved to another call since (see `_hand_down`).
        call_id = next((cid for cid, a in self._active.items() if a.recorder.error is exc), call_id)
        active = self._active.get(call_id)
        if active is None or active.recorder.error is not exc:
            return
        self.ctx.emit(
            PhoneError(
                text=f"Recording of call {call_id} stopped: {exc}",
                code=PhoneErrorCode.RECORDING_STOPPED,
                detail=str(exc),
            )
        )
        self._stop_soon(call_id)

    # ------------------------------------------------------------------ file names

    def fields(self, call: Call, part: int) -> dict[str, str]:
        """The values of the template fields for `call`'s recording part `part`."""
        number = number_of(call.remote)
        started = time.localtime(self._started_at.get(call.id) or time.time())
        name = self.name_of(number) or call.remote_name or ""
        return {
            "DNID": self._dialled(call) or number,
            "name": name,
            "phone": number,
            "number": number,
            "account": call.account.name,
            "YYYY": f"{started.tm_year:04d}",
            "MM": f"{started.tm_mon:02d}",
            "DD": f"{started.tm_mday:02d}",
            "hh": f"{started.tm_hour:02d}",
            "NN": f"{started.tm_min:02d}",
            "ss": f"{started.tm_sec:02d}",
            "recording_part": str(part),
        }

    @staticmethod
    def _dialled(call: Call) -> str:
        """The number dialled: the target of our call, or the number the caller dialled
        to reach us (the To of their INVITE; a PBX puts our contact in the Request-URI)."""
        invite = call.session.invite_request
        if invite is None:
            return ""
        try:
            uri = invite.uri if call.direction == "outgoing" else invite.to.uri
        except (SipParseError, AttributeError):
            return ""
        return number_of(str(uri))

    # ------------------------------------------------------------------ from the phone

    def on_event(self, event: PhoneEvent) -> None:
        """Follow the calls: start with record_all_calls, stop at the end, keep the
        recorder's wiring in step with hold, mute, codec changes and conferences."""
        if isinstance(event, ConferenceChanged):
            self._wire_all()
            return
        if not isinstance(event, CallStateChanged):
            return
        call_id = event.call
        self._started_at.setdefault(call_id, event.at or time.time())
        if event.state is CallPhase.ENDED:
            if not self._hand_down(call_id):
                self._stop_soon(call_id)
            self._auto.discard(call_id)
            self._parts.pop(call_id, None)
            self._started_at.pop(call_id, None)
            return
        call = self.ctx.calls().get(call_id)
        if call is None:
            return
        if (
            event.state is CallPhase.CONNECTED
            and call_id not in self._auto
            and self.ctx.settings().functions.record_all_calls
        ):
            self._auto.add(call_id)  # once: a call the user stopped stays stopped
            try:
                self.start(call)
            except RecordingError as exc:
                self.ctx.emit(
                    PhoneError(
                        text=f"Cannot record call {call_id}: {exc}",
                        code=PhoneErrorCode.RECORDING_FAILED,
                        detail=str(exc),
                    )
                )
        # Every recording, not only this call's: a conference participant's hold or
        # mute changes what the recordings of the other participants' calls take.
        self._wire_all()

    def _hand_down(self, call_id: int) -> bool:
        """`call_id` ended: move its recording to its heir (the same file goes on);
        False when there is none, or the heir records a file of its own."""
        call = self.ctx.calls().get(call_id)
        if call_id not in self._active or call is None or self.heir is None:
            return False
        heir = self.heir(call)
        if heir is None or heir.ended or heir.id in self._active:
            return False
        active = self._active.pop(call_id)
        self._active[heir.id] = active
        self._parts[heir.id] = max(self._parts.get(heir.id, 0), active.part)
        self._wire(heir)
        log.info("recording %s goes on with call %s", active.recorder.path, heir.id)
        self.ctx.emit(
            RecordingChanged(
                call=heir.id, state=RecordingState.STARTED, file=str(active.recorder.path)
            )
        )
        return True

    def _wire_all(self) -> None:
        calls = self.ctx.calls()
        for call_id in list(self._active):
            call = calls.get(call_id)
            if call is not None:
                self._wire(call)

    def _wire(self, call: Call) -> None:
        active = self._active.get(call.id)
        if active is None:
            return
        recorder = active.recorder
        media = call.media
        if media is None:  # between codecs: both sides silent until the new slot exists
            recorder.set_near(())
            recorder.set_far(())
            return
        engine = self.ctx.media()
        heard = self.near_heard(call) if self.near_heard is not None else None
        if heard is None:
            heard = not (call.muted or call.held_by_us)
        recorder.set_near((engine.device_slot, media.inband_slot), 1.0 if heard else 0.0)
        far = self.far_slots(call) if self.far_slots is not None else None
        recorder.set_far([media.slot] if far is None else far)
