"""The audio assistant: choose microphone and speaker, watch the
microphone's level move while speaking, and play a test sound. Without any sound device
it says so and what to do, instead of showing a meter that never moves.

The level and the test sound use the devices the phone opened at start (the bridge's
device port); a different choice is saved and used from the next start, which the
assistant says when it happens.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parley.app import Application
from parley.gui import widgets
from parley.gui.bridge import EngineBridge
from parley.gui.i18n import tr
from parley.gui.settings_editors import SYSTEM_DEFAULT
from parley.gui.texts import problem_detail, problem_text
from parley.settings import ConfigError

METER_FLOOR_DB = -60.0
METER_PERIOD_MS = 100
TEST_SOUND_S = 1.5


def meter_percent(level_db: float) -> int:
    """Map an RMS level in dBFS onto 0..100 (-60 dBFS and below is 0, full scale 100)."""
    if math.isnan(level_db) or level_db <= METER_FLOOR_DB:
        return 0
    return round(100 * (min(level_db, 0.0) - METER_FLOOR_DB) / -METER_FLOOR_DB)


def device_combo(devices: list[str], current: str) -> QComboBox:
    """A choice among the devices that exist (not a text field), "System default"
    first; a saved value that is none of them (a file, "null") stays as it is."""
    combo = QComboBox()
    combo.addItem(tr("System default"), SYSTEM_DEFAULT)
    for name in devices:
        combo.addItem(name, name)
    if combo.findData(current) < 0:
        combo.addItem(current, current)
    combo.setCurrentIndex(combo.findData(current))
    return combo


class AudioAssistant(QDialog):
    """Pick devices, check the microphone level, play a test sound; Finish saves.
    On first start, closing it (Escape, the window's close button) asks first and says
    where to find it again."""

    def __init__(
        self,
        application: Application,
        parent: QWidget | None = None,
        *,
        devices: dict[str, list[str]] | None = None,
        first_start: bool = False,
    ) -> None:
        super().__init__(parent)
        from parley.gui.settings_dialog import audio_device_names

        self.app = application
        self.first_start = first_start
        self.setWindowTitle(tr("Audio assistant"))
        self.setMinimumWidth(520)
        self.bridge = EngineBridge(application, self)
        self.finished.connect(lambda _r: self._stop())
        names = devices if devices is not None else audio_device_names()
        inputs, outputs = names.get("input", []), names.get("output", [])
        media = application.settings.media
        self._started_with = (media.input_device, media.output_device)
        self.input = device_combo(inputs, media.input_device)
        self.output = device_combo(outputs, media.output_device)
        self.input.setAccessibleName(tr("Microphone"))
        self.output.setAccessibleName(tr("Speaker or headset"))
        for combo in (self.input, self.output):
            combo.currentIndexChanged.connect(self._device_note)

        intro = QLabel(
            tr("Choose your headset or microphone and speaker. Speak to see the level move.")
        )
        intro.setWordWrap(True)
        intro.setVisible(bool(inputs or outputs))  # nothing to choose or speak into
        self.missing = QLabel(self._missing_text(bool(inputs), bool(outputs)))
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet("color: #b9770e; font-weight: bold;")
        self.missing.setVisible(bool(self.missing.text()))
        self.meter = QProgressBar()
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setValue(0)
        self.meter.setAccessibleName(tr("Microphone level"))
        self.level_text = QLabel(tr("no microphone") if not inputs else "–")
        self.level_text.setMinimumWidth(90)
        self.test_button = QPushButton(tr("Play test sound"))
        self.test_button.clicked.connect(self.play_test_sound)
        if not outputs:
            self.test_button.setEnabled(False)
            self.test_button.setToolTip(tr("There is no speaker or headset to play it on."))
            self.output.setEnabled(False)
        if not inputs:
            self.input.setEnabled(False)
            self.meter.setEnabled(False)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self._sounding = QTimer(self)
        self._sounding.setSingleShot(True)
        self._sounding.timeout.connect(self._test_sound_over)

        form = QFormLayout()
        form.addRow(tr("Microphone"), self.input)
        meter_row = QHBoxLayout()
        meter_row.addWidget(self.meter, 1)
        meter_row.addWidget(self.level_text)
        form.addRow(tr("Microphone level"), meter_row)
        form.addRow(tr("Speaker or headset"), self.output)
        form.addRow("", self.test_button)

        self.finish_button = QPushButton(tr("Finish"))
        self.finish_button.setDefault(True)
        self.finish_button.clicked.connect(self.finish)
        self.skip_button = QPushButton(tr("Skip"))
        self.skip_button.clicked.connect(self.skip)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.finish_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.missing)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self.level_db = -math.inf
        self.has_input = bool(inputs)
        self.readings = 0  # levels read so far (tests wait for one)
        self._asking = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._poll)
        if self.has_input:
            self.timer.start(METER_PERIOD_MS)

    @staticmethod
    def _missing_text(has_input: bool, has_output: bool) -> str:
        if not has_input and not has_output:
            return tr(
                "Parley found no sound device: no microphone and no speaker or headset. "
                "Connect a headset, or check that your system's sound settings show one, "
                "then open this assistant again (Settings → Media, button “Audio "
                "assistant…”). "
                "Until then Parley registers and calls connect, but there is no sound."
            )
        if not has_input:
            return tr(
                "Parley found no microphone. Connect a headset or a microphone, or check "
                "your system's sound settings; until then the other side hears nothing."
            )
        if not has_output:
            return tr(
                "Parley found no speaker or headset. Connect one, or check your system's "
                "sound settings; until then you hear nothing."
            )
        return ""

    # -- level meter: one question to the engine at a time, never waiting on it
    def _poll(self) -> None:
        if self._asking:
            return
        self._asking = True
        self.bridge.run(self.app.input_level_db(), self._show_level, self._no_level)

    def _show_level(self, level: float) -> None:
        self._asking = False
        self.readings += 1
        self.level_db = float(level)
        self.meter.setValue(meter_percent(self.level_db))
        self.level_text.setText(tr("silence") if math.isinf(level) else f"{level:.0f} dB")

    def _no_level(self, _exc: BaseException) -> None:
        self._asking = False
        self.meter.setValue(0)
        self.level_text.setText("–")

    def play_test_sound(self) -> None:
        """Play the tone and show that it plays (the button is busy while it sounds)."""
        self.test_button.setEnabled(False)
        self.test_button.setText(tr("Playing…"))
        self.note.setText(
            tr(
                "You should hear a soft chord now. If you hear nothing, choose another "
                "speaker or check the volume."
            )
        )
        self._sounding.start(int(TEST_SOUND_S * 1000))
        self.bridge.run(self.app.play_test_sound(TEST_SOUND_S), None, self._test_sound_failed)

    def _test_sound_failed(self, exc: BaseException) -> None:
        self._sounding.stop()
        self._test_sound_over()
        self.note.setText(
            tr("The test sound could not be played: {error}", error=problem_text(exc))
        )

    def _test_sound_over(self) -> None:
        self.test_button.setText(tr("Play test sound"))
        self.test_button.setEnabled(True)

    def _device_note(self) -> None:
        changed = (self.input.currentData(), self.output.currentData()) != self._started_with
        self.note.setText(
            tr(
                "The level and the test sound use the devices in use now; the new choice is used when Parley is started again."
            )
            if changed
            else ""
        )

    def finish(self) -> bool:
        """Save the chosen devices and close; False (reason shown) when not saved."""
        new = self.app.settings.model_copy(deep=True)
        new.media.input_device = str(self.input.currentData())
        new.media.output_device = str(self.output.currentData())
        try:
            self.app.update_settings(new)
        except ConfigError as exc:
            self.note.setText(problem_text(exc))
            self.note.setToolTip(problem_detail(exc))
            return False
        self.accept()
        return True

    def skip(self) -> None:
        """The Skip button: close without saving (no question: it says what it does)."""
        super().reject()

    def reject(self) -> None:
        """Escape or the close button: on first start, ask before the assistant is gone,
        and say where it is found again."""
        if self.first_start and not widgets.ask(
            self,
            tr("Audio assistant"),
            tr(
                "Skip the audio check? You can run it later from Settings → Media, "
                "button “Audio assistant…”."
            ),
        ):
            return
        super().reject()

    def _stop(self) -> None:
        self.timer.stop()
        self._sounding.stop()
        self.bridge.close()
