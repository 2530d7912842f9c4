"""Pop-ups, sounds and window attention for what is not a call: a contact comes online,
new voicemail, a new instant message — each as the GUI settings say
(`notify_contact_online`, `notify_voicemail` + `voicemail_sound`, `notify_message` +
`message_sound` + `activate_on_message` + `flash_on_message`), the network and sound
devices that come and go (`notify_network_change`, `notify_audio_device`).

A pop-up is the tray's notification; where the desktop has no tray it is said in the
status bar instead. The sound is the desktop's alert sound.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from parley.gui.i18n import tr
from parley.gui.tray import Tray
from parley.settings.model import GuiSettings

PREVIEW_CHARS = 120


def no_markup(text: str) -> str:
    """`text` with the characters that start markup replaced by look-alikes."""
    return text.replace("<", "‹").replace(">", "›").replace("&", "＆")


class Notifier:
    """Each method returns what it did ("notify", "status", "sound", "activate",
    "flash") for the caller and the tests to know."""

    def __init__(self, tray: Tray, show_message: Callable[[str], None]) -> None:
        self.tray = tray
        self.show_message = show_message
        self.sounds = 0  # alert sounds played (tests read it)

    def _popup(self, title: str, text: str) -> str:
        icon = self.tray.icon
        if icon is not None and icon.isVisible():
            # Desktop notification servers may read markup in a body: a stranger's
            # "<b>" must not become bold there either.
            title, text = no_markup(title), no_markup(text)
            icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)
            return "notify"
        self.show_message(f"{title}: {text}")
        return "status"

    def _sound(self) -> str:
        self.sounds += 1
        QApplication.beep()
        return "sound"

    def contact_online(self, gui: GuiSettings, name: str) -> list[str]:
        if not gui.notify_contact_online:
            return []
        return [self._popup(tr("Contact online"), tr("{name} is now online.", name=name))]

    def voicemail(self, gui: GuiSettings, account: str, new: int) -> list[str]:
        done = []
        if gui.notify_voicemail:
            text = tr("{count} new voice messages on {account}.", count=new, account=account)
            if new == 1:
                text = tr("A new voice message on {account}.", account=account)
            done.append(self._popup(tr("New voicemail"), text))
        if gui.voicemail_sound:
            done.append(self._sound())
        return done

    def network(self, gui: GuiSettings, account: str, new: str | None, calls: int) -> list[str]:
        """The network changed under `account` (`new` None: it is gone)."""
        if not gui.notify_network_change:
            return []
        if new is None:
            text = tr("The network is gone; Parley waits for it to come back.")
        elif calls:
            text = tr(
                "New network address {address}: {account} registers again; {count} call(s) "
                "moved along.",
                address=new,
                account=account,
                count=calls,
            )
        else:
            text = tr(
                "New network address {address}: {account} registers again.",
                address=new,
                account=account,
            )
        return [self._popup(tr("Network changed"), text)]

    def audio_device(
        self, gui: GuiSettings, device: str, connected: bool, microphone: str | None
    ) -> list[str]:
        """A sound device was plugged in (`connected`) or went away; `microphone` is the
        device the calls use now when that changed with it."""
        if not gui.notify_audio_device:
            return []
        if connected:
            title = tr("Audio device connected")
            text = tr("{device} is connected.", device=device)
            if microphone is not None:
                text = tr("{device} is connected and used for calls now.", device=device)
        else:
            title = tr("Audio device disconnected")
            text = tr("{device} is gone.", device=device)
            if microphone is not None:
                text = tr(
                    "{device} is gone; calls use {other} now.", device=device, other=microphone
                )
        return [self._popup(title, text)]

    def message(self, gui: GuiSettings, sender: str, text: str) -> list[str]:
        done = []
        if gui.activate_on_message:
            self.tray.show_window()
            done.append("activate")
        if gui.flash_on_message:
            QApplication.alert(self.tray.window, 0)
            done.append("flash")
        if gui.notify_message:
            preview = " ".join(text.split())
            if len(preview) > PREVIEW_CHARS:
                preview = preview[:PREVIEW_CHARS] + "…"
            done.append(self._popup(tr("Message from {name}", name=sender), preview))
        if gui.message_sound:
            done.append(self._sound())
        return done
