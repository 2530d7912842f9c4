"""The audio assistant: choose microphone and speaker, watch the
microphone's level move while speaking, and play a test sound.

The level and the test sound use the devices the phone opened at start (the bridge's
device port); a different choice is saved and used from the next start, which the
assistant says when it happens.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
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
from parley.gui.bridge import EngineBridge
from parley.gui.i18n import tr
from parley.gui.settings_editors import DeviceEditor
from parley.gui.texts import problem_detail, problem_text
from parley.settings import ConfigError

METER_FLOOR_DB = -60.0
METER_PERIOD_MS = 100


def meter_percent(level_db: float) -> int:
    """Map an RMS level in dBFS onto 0..100 (-60 dBFS and below is 0, full scale 100)."""
    if math.isnan(level_db) or level_db <= METER_FLOOR_DB:
        return 0
    return round(100 * (min(level_db, 0.0) - METER_FLOOR_DB) / -METER_FLOOR_DB)


class AudioAssistant(QDialog):
    """Pick devices, check the microphone level, play a test sound; Finish saves."""

    def __init__(
        self,
        application: Application,
        parent: QWidget | None = None,
        *,
        devices: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        from parley.gui.settings_dialog import audio_device_names

        self.app = application
        self.setWindowTitle(tr("Audio assistant"))
        self.setMinimumWidth(520)
        self.bridge = EngineBridge(application, self)
        self.finished.connect(lambda _r: self._stop())
        names = devices if devices is not None else audio_device_names()
        media = application.settings.media
        self._started_with = (media.input_device, media.output_device)
        self.input = DeviceEditor(names.get("input", []))
        self.output = DeviceEditor(names.get("output", []))
        self.input.load(media.input_device)
        self.output.load(media.output_device)
        for editor in (self.input, self.output):
            editor.changed.connect(self._device_note)

        intro = QLabel(
            tr("Choose your headset or microphone and speaker. Speak to see the level move.")
        )
        intro.setWordWrap(True)
        self.meter = QProgressBar()
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setValue(0)
        self.level_text = QLabel("–")
        self.level_text.setMinimumWidth(60)
        self.test_button = QPushButton(tr("Play test sound"))
        self.test_button.clicked.connect(self.play_test_sound)
        self.note = QLabel()
        self.note.setWordWrap(True)

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
        self.skip_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.finish_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addLayout(buttons)

        self.level_db = -math.inf
        self.readings = 0  # levels read so far (tests wait for one)
        self._asking = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._poll)
        self.timer.start(METER_PERIOD_MS)

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
        self.level_text.setText("–" if math.isinf(level) else f"{level:.0f} dB")

    def _no_level(self, _exc: BaseException) -> None:
        self._asking = False
        self.meter.setValue(0)
        self.level_text.setText("–")

    def play_test_sound(self) -> None:
        self.bridge.run(
            self.app.play_test_sound(),
            None,
            lambda exc: self.note.setText(
                tr("The test sound could not be played: {error}", error=problem_text(exc))
            ),
        )

    def _device_note(self) -> None:
        changed = (self.input.value(), self.output.value()) != self._started_with
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
        new.media.input_device = self.input.value()
        new.media.output_device = self.output.value()
        try:
            self.app.update_settings(new)
        except ConfigError as exc:
            self.note.setText(problem_text(exc))
            self.note.setToolTip(problem_detail(exc))
            return False
        self.accept()
        return True

    def _stop(self) -> None:
        self.timer.stop()
        self.bridge.close()
