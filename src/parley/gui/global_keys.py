"""System-wide hotkeys: answer and hang up while another program has the focus.

Optional and off by default (`gui.global_hotkeys`). Where the desktop allows it:
- X11 (Linux): the keys are grabbed on the root window with XGrabKey through
  python-xlib (the optional extra `parley[hotkeys]`), on a connection of our own read by
  a small thread; each press is handed to the Qt thread as a queued signal.
- Wayland: not possible — the compositor gives keys only to the focused window and
  offers programs no way to take a key for themselves. Said plainly.
- Windows, macOS: not built yet; said plainly.

`GlobalHotkeys.start()` answers with a `Problem` code when the keys cannot be had (the
GUI makes the sentence: see `problem_text`).
"""

from __future__ import annotations

import enum
import logging
import os
import select
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

from parley.gui.i18n import tr

log = logging.getLogger(__name__)


class Problem(enum.Enum):
    WAYLAND = "wayland"
    PLATFORM = "platform"  # Windows, macOS, or no display at all
    NO_LIBRARY = "no-library"  # python-xlib is not installed
    NO_DISPLAY = "no-display"  # the X server cannot be reached
    TAKEN = "taken"  # another program holds the key
    BAD_KEY = "bad-key"


def problem_text(problem: Problem, keys: str = "") -> str:
    """What the person is told (status bar) when global hotkeys cannot be used."""
    if problem is Problem.WAYLAND:
        return tr(
            "Global hotkeys are not possible on Wayland: the desktop gives keys only to the "
            "window in front. Use the keys in Parley's window, or log in to an X11 session."
        )
    if problem is Problem.PLATFORM:
        return tr("Global hotkeys are not available on this system yet.")
    if problem is Problem.NO_LIBRARY:
        return tr(
            "Global hotkeys need the python-xlib package: install Parley with its "
            "'hotkeys' extra (pip install 'parley[hotkeys]')."
        )
    if problem is Problem.NO_DISPLAY:
        return tr("Global hotkeys: the X server cannot be reached.")
    if problem is Problem.TAKEN:
        return tr(
            "The global hotkey {keys} is already taken by another program: choose another "
            "one in the settings.",
            keys=keys,
        )
    return tr("The global hotkey {keys} is not a key Parley can take.", keys=keys)


def which_desktop() -> str:
    """ "x11", "wayland", or the Qt platform name (offscreen, windows, cocoa…)."""
    name = QGuiApplication.platformName()
    if name == "xcb":
        return "x11"
    if name.startswith("wayland"):
        return "wayland"
    return name


# Qt's portable key names → X keysym names (letters and digits are themselves).
_X_NAMES = {
    "Esc": "Escape", "Escape": "Escape", "Return": "Return", "Enter": "KP_Enter",
    "Space": "space", "Del": "Delete", "Delete": "Delete", "Ins": "Insert",
    "Insert": "Insert", "PgUp": "Prior", "PgDown": "Next", "Backspace": "BackSpace",
    "Tab": "Tab", "Home": "Home", "End": "End", "Left": "Left", "Right": "Right",
    "Up": "Up", "Down": "Down", "Pause": "Pause", "Print": "Print", "Menu": "Menu",
    ",": "comma", ".": "period", "+": "plus", "-": "minus", "/": "slash",
}  # fmt: skip


def x_key(keys: str) -> tuple[str, list[str]] | None:
    """("keysym name", ["Ctrl", "Shift"…]) of Qt's portable text, or None."""
    if not keys:
        return None
    if keys.endswith("++"):
        head, key = keys[:-2], "+"
    elif "+" in keys[:-1]:
        head, _, key = keys.rpartition("+")
    else:
        head, key = "", keys
    mods = [m for m in head.split("+") if m]
    if len(key) == 1 and key.isalnum():
        return key.lower(), mods
    if key.startswith("F") and key[1:].isdigit():
        return key, mods
    if key in _X_NAMES:
        return _X_NAMES[key], mods
    return None


class _X11Grabber:
    """XGrabKey on the root window; `run` reads the connection until `stop`."""

    def __init__(self, on_key: Any) -> None:
        from Xlib import XK, X, display, error

        self.X, self.XK, self.error = X, XK, error
        self.display = display.Display(os.environ.get("DISPLAY"))
        self.root = self.display.screen().root
        self.on_key = on_key
        self.grabs: dict[tuple[int, int], str] = {}  # (keycode, modifiers) → action
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None

    def _mask(self, mods: list[str]) -> int:
        X = self.X
        masks = {
            "Ctrl": X.ControlMask,
            "Shift": X.ShiftMask,
            "Alt": X.Mod1Mask,
            "Meta": X.Mod4Mask,
        }
        mask = 0
        for mod in mods:
            mask |= masks[mod]
        return mask

    def grab(self, action: str, keys: str) -> Problem | None:
        parsed = x_key(keys)
        if parsed is None:
            return Problem.BAD_KEY
        name, mods = parsed
        keysym = self.XK.string_to_keysym(name)
        keycode = self.display.keysym_to_keycode(keysym) if keysym else 0
        if not keycode:
            return Problem.BAD_KEY
        mask = self._mask(mods)
        X = self.X
        caught = self.error.CatchError(self.error.BadAccess)
        # Caps Lock and Num Lock (Mod2) must not stop the key: grab it with them too.
        for extra in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask):
            self.root.grab_key(
                keycode, mask | extra, True, X.GrabModeAsync, X.GrabModeAsync, onerror=caught
            )
        self.display.sync()
        if caught.get_error() is not None:
            self.root.ungrab_key(keycode, mask)
            self.display.sync()
            return Problem.TAKEN
        self.grabs[(keycode, mask)] = action
        return None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="global-hotkeys", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self._read()
        except Exception:  # the X server went away: the keys are gone with it
            if not self._stop.is_set():
                log.warning("global hotkeys stopped: the X connection closed", exc_info=True)

    def _read(self) -> None:
        X = self.X
        ignored = X.LockMask | X.Mod2Mask
        fd = self.display.fileno()
        while not self._stop.is_set():
            readable, _, _ = select.select([fd], [], [], 0.2)
            if not readable and not self.display.pending_events():
                continue
            while self.display.pending_events():
                event = self.display.next_event()
                if event.type != X.KeyPress:
                    continue
                action = self.grabs.get((event.detail, event.state & ~ignored & 0xFF))
                if action is not None:
                    self.on_key(action)

    def stop(self) -> None:
        self._stop.set()
        if self.thread is not None:
            self.thread.join(2)
        try:
            for keycode, mask in self.grabs:
                for extra in (
                    0,
                    self.X.LockMask,
                    self.X.Mod2Mask,
                    self.X.LockMask | self.X.Mod2Mask,
                ):
                    self.root.ungrab_key(keycode, mask | extra)
            self.display.sync()
            self.display.close()
        except Exception:  # the X server went away: nothing left to release
            log.debug("closing the hotkey connection failed", exc_info=True)


class GlobalHotkeys(QObject):
    """`pressed(action)` with action "answer" or "hangup", in the Qt thread."""

    pressed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._grabber: _X11Grabber | None = None
        self.active: dict[str, str] = {}  # action → keys held now

    def start(self, keys: dict[str, str]) -> tuple[Problem, str] | None:
        """Take `keys` (action → Qt portable text; "" skips it). Returns the first problem
        (and the keys it concerns) or None when every key is held."""
        self.stop()
        desktop = which_desktop()
        if desktop == "wayland" or (
            desktop != "x11" and os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("DISPLAY")
        ):
            return Problem.WAYLAND, ""
        if desktop != "x11":
            return Problem.PLATFORM, ""
        try:
            grabber = _X11Grabber(self.pressed.emit)
        except ImportError:
            return Problem.NO_LIBRARY, ""
        except Exception:  # Xlib.error.DisplayError and friends
            log.warning("cannot reach the X server for global hotkeys", exc_info=True)
            return Problem.NO_DISPLAY, ""
        problem: tuple[Problem, str] | None = None
        for action, combo in keys.items():
            if not combo:
                continue
            found = grabber.grab(action, combo)
            if found is None:
                self.active[action] = combo
            elif problem is None:
                problem = (found, combo)
        grabber.start()
        self._grabber = grabber
        return problem

    def stop(self) -> None:
        if self._grabber is not None:
            self._grabber.stop()
            self._grabber = None
        self.active.clear()
