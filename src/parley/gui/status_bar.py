"""The status bar along the bottom of the main window: voicemail, the error indicator
(with the details of the last errors), the audio volumes, the call settings, and the
button that closes or opens the call window."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QSlider,
    QWidget,
    QWidgetAction,
)

from parley.app.application import Application
from parley.gui import icons, widgets
from parley.gui.bridge import EngineBridge
from parley.gui.i18n import tr
from parley.gui.texts import problem_detail, problem_text
from parley.gui.widgets import tool_button

MAX_ERRORS = 20


class VolumePopup(QFrame):
    """Two sliders: default speaker and default microphone, in per cent."""

    def __init__(self, speaker: int, microphone: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.speaker = QSlider(Qt.Orientation.Horizontal)
        self.microphone = QSlider(Qt.Orientation.Horizontal)
        for slider, value in ((self.speaker, speaker), (self.microphone, microphone)):
            slider.setRange(0, 150)
            slider.setSingleStep(5)
            slider.setPageStep(10)
            slider.setValue(value)
            slider.setMinimumWidth(180)
        form.addRow(tr("Speaker"), self.speaker)
        form.addRow(tr("Microphone"), self.microphone)


class StatusBar(QWidget):
    """`settings_requested(page)` asks for the settings dialog at a page ("" = start),
    `compact_toggled(closed)` for the call window to close (True) or open."""

    settings_requested = Signal(str)
    compact_toggled = Signal(bool)
    voicemail_requested = Signal(str, str)  # extension, account

    def __init__(self, bridge: EngineBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.application: Application = bridge.application
        self.errors: list[tuple[datetime, str]] = []  # (when, text and its details)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        self.voicemail_button = tool_button("voicemail", tr("Voicemail"), size=18)
        self.error_button = tool_button("no_error", tr("No errors"), size=18)
        self.audio_button = tool_button("speaker", tr("Audio volume"), size=18)
        self.call_settings_button = tool_button("settings", tr("Call settings"), size=18)
        for button in (
            self.voicemail_button,
            self.error_button,
            self.audio_button,
            self.call_settings_button,
        ):
            layout.addWidget(button)
        self.message = QLabel()
        self.message.setEnabled(False)
        # Long messages are cut, not allowed to widen the window (compact mode).
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.message, 1)
        self.compact_button = tool_button("compact", tr("Close the call window"), size=18)
        layout.addWidget(self.compact_button)
        self._closed = False
        self._unseen = False
        self._volumes: dict[str, int] = {}
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.clear_message)

        self.voicemail_button.clicked.connect(self._voicemail)
        self.error_button.clicked.connect(self.show_errors)
        self.audio_button.clicked.connect(self.show_volume)
        self.call_settings_button.clicked.connect(lambda: self.settings_requested.emit("media"))
        self.compact_button.clicked.connect(lambda: self.compact_toggled.emit(not self._closed))
        self.refresh()

    # ------------------------------------------------------------------ voicemail

    def voicemail_accounts(self) -> list[tuple[str, str]]:
        """(account, extension) of every enabled account with a voicemail extension."""
        return [
            (a.name, a.voicemail_extension)
            for a in self.application.settings.accounts
            if a.enabled and a.voicemail_extension
        ]

    def refresh(self) -> None:
        boxes = self.voicemail_accounts()
        self.voicemail_button.setEnabled(bool(boxes))
        self.voicemail_button.setToolTip(
            tr("Call the voicemail ({extension})", extension=boxes[0][1])
            if len(boxes) == 1
            else tr("Call the voicemail")
            if boxes
            else tr("No voicemail extension is set for any account")
        )

    def _voicemail(self) -> None:
        boxes = self.voicemail_accounts()
        if len(boxes) == 1:
            self.voicemail_requested.emit(boxes[0][1], boxes[0][0])
        elif boxes:
            menu = QMenu(self)
            for account, extension in boxes:
                action = menu.addAction(f"{account}: {extension}")
                action.triggered.connect(
                    lambda _=False, a=account, e=extension: self.voicemail_requested.emit(e, a)
                )
            menu.popup(self.voicemail_button.mapToGlobal(QPoint(0, 0)))

    # ------------------------------------------------------------------ errors

    def add_error(self, text: str, detail: str = "") -> None:
        """Show an error (in the GUI's language); `detail`, the lower layer's words
        introduced as such (`texts.detail_text`), only in the tooltip and the list."""
        full = "\n".join(t for t in (text, detail) if t)
        self.errors.append((datetime.now(), full))
        del self.errors[:-MAX_ERRORS]
        self._unseen = True
        self.error_button.setIcon(icons.icon("error"))
        self.error_button.setToolTip(full)
        self.show_message(text)
        self.message.setToolTip(full)

    def error_details(self) -> str:
        return "\n\n".join(f"{when:%H:%M:%S}  {text}" for when, text in reversed(self.errors))

    def show_errors(self) -> None:
        if not self.errors:
            widgets.inform(self, tr("Errors"), tr("No errors so far."))
            return
        widgets.inform(self, tr("Errors"), self.error_details(), error=True)
        # Seen: the indicator goes back to quiet until the next error.
        self._unseen = False
        self.error_button.setIcon(icons.icon("no_error"))
        self.error_button.setToolTip(tr("Last error: {text}", text=self.errors[-1][1]))

    @property
    def has_unseen_error(self) -> bool:
        return self._unseen

    # ------------------------------------------------------------------ messages

    def show_message(self, text: str, timeout_ms: int = 0) -> None:
        """`timeout_ms` > 0: the message goes after that long (unless replaced)."""
        self.message.setText(text)
        self.message.setToolTip(text)
        self._message_timer.stop()
        if timeout_ms > 0 and text:
            self._message_timer.start(timeout_ms)

    def clear_message(self) -> None:
        """A new call starts: what was said about an earlier one no longer applies."""
        self.show_message("")

    # ------------------------------------------------------------------ audio

    def volume_popup(self) -> VolumePopup:
        gui = self.application.settings.gui
        popup = VolumePopup(gui.speaker_volume, gui.microphone_volume)
        popup.speaker.valueChanged.connect(lambda v: self.set_volume("speaker", v))
        popup.microphone.valueChanged.connect(lambda v: self.set_volume("microphone", v))
        popup.speaker.sliderReleased.connect(self.save_volumes)
        popup.microphone.sliderReleased.connect(self.save_volumes)
        return popup

    def show_volume(self) -> None:
        menu = QMenu(self)
        action = QWidgetAction(menu)
        popup = self.volume_popup()
        action.setDefaultWidget(popup)
        menu.addAction(action)
        menu.aboutToHide.connect(self.save_volumes)
        menu.popup(self.audio_button.mapToGlobal(QPoint(0, -popup.sizeHint().height() - 8)))

    def set_volume(self, kind: str, percent: int) -> None:
        self._volumes[kind] = percent
        self.bridge.run(self.application.set_volume(kind, percent / 100.0))

    def save_volumes(self) -> None:
        """Keep the volumes in the settings (saved with them)."""
        changed = self._volumes
        if not changed:
            return
        new = self.application.settings.model_copy(deep=True)
        new.gui.speaker_volume = changed.get("speaker", new.gui.speaker_volume)
        new.gui.microphone_volume = changed.get("microphone", new.gui.microphone_volume)
        self._volumes = {}
        try:
            self.bridge.run(self.application.update_settings(new))
        except Exception as exc:  # ConfigError: the file cannot be written
            self.add_error(problem_text(exc), problem_detail(exc))

    # ------------------------------------------------------------------ call window

    def set_call_window_closed(self, closed: bool) -> None:
        self._closed = closed
        self.compact_button.setIcon(icons.icon("expand" if closed else "compact"))
        tip = tr("Open the call window") if closed else tr("Close the call window")
        self.compact_button.setToolTip(tip)
        self.compact_button.setAccessibleName(tip)
