"""The audio facade: volumes, the loudspeaker (hands-free devices), the microphone level
and the test sound — commands run on the engine thread against the phone's media engine."""

from __future__ import annotations

import concurrent.futures

from parley.app.context import AppContext, AppError, failed
from parley.media.engine import MediaEngine


class Audio:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._loudspeaker_on = False

    def _media(self) -> MediaEngine:
        media = self._ctx.phone().media
        if media is None:
            raise AppError("the audio is not started")
        return media

    def set_volume(self, kind: str, level: float) -> concurrent.futures.Future[None]:
        """Set the default device's volume: `kind` "speaker" (what we hear) or
        "microphone" (what we send), `level` 0.0 (silent) to 1.5; 1.0 leaves the audio as
        it is. It is a gain on the device's port in the audio bridge, so it holds for
        every call and tone."""
        if kind not in ("speaker", "microphone") or not 0.0 <= level <= 1.5:
            return failed(
                AppError(f"volume {kind!r} {level!r}: use speaker or microphone, 0.0 to 1.5")
            )

        def run() -> None:
            media = self._ctx.phone().media
            if kind == "speaker":
                media.set_speaker_level(level)
            else:
                media.set_microphone_level(level)

        return self._ctx.engine.submit(run)

    @property
    def loudspeaker(self) -> bool:
        """True while the hands-free devices are in use (see `set_loudspeaker`)."""
        return self._loudspeaker_on

    def set_loudspeaker(self, on: bool) -> concurrent.futures.Future[bool]:
        """Switch the audio to the hands-free devices (`media.speaker_input_device`,
        `media.speaker_output_device`) or back to the normal ones. The connections and
        volumes of the old device move to the new one, so calls and tones go on. The
        future gives the state now in use."""
        return self._ctx.engine.submit(self._switch_devices, on)

    def _switch_devices(self, on: bool) -> bool:
        m = self._ctx.settings().media
        hands_free = (m.speaker_input_device, m.speaker_output_device)
        self._ctx.phone().media.set_loudspeaker(on, hands_free)
        self._loudspeaker_on = on
        return on

    def input_level_db(self) -> concurrent.futures.Future[float]:
        """The microphone's level (RMS dBFS of the last frame the device gave the
        bridge, before any gain; -inf for silence or no frame yet), read on the engine."""
        return self._ctx.engine.submit(lambda: self._media().input_level_db())

    def play_test_sound(self, seconds: float = 1.5) -> concurrent.futures.Future[None]:
        """Play a short test tone (a soft 440 + 660 Hz chord) on the output device; the
        future is done when the tone has been queued, not when it has finished."""
        return self._ctx.engine.submit(lambda: self._media().play_test_sound(seconds))
