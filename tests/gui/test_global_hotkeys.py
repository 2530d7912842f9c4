"""System-wide answer / hang-up keys on a real X server (a private Xvfb): the keys are
grabbed on the root window, pressed with xdotool while Parley's window does not have
the X focus, and the far phone (baresip through Kamailio) sees its call answered and
hung up. Where the desktop cannot do it (Wayland) or nothing is built (other systems)
the status bar says so; off by default, nothing is grabbed.

The Qt side of the test runs offscreen like every GUI test; only the question "which
desktop is this" is answered "X11" for it, since the X server the keys go through is the
private Xvfb."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_rig import GuiRig, account, registered_rig

from parley.gui import global_keys
from parley.settings import Settings
from peers.baresip import Baresip
from peers.common import missing_peer, require_binary
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def xserver() -> Iterator[str]:
    """A private Xvfb on a free display number; its DISPLAY string."""
    binary = require_binary("Xvfb")
    require_binary("xdotool")
    try:
        import Xlib  # noqa: F401
    except ImportError:
        missing_peer("python-xlib is not installed (pip install -e '.[test]')")
    number = next(n for n in range(150, 250) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    proc = subprocess.Popen(
        [binary, f":{number}", "-screen", "0", "640x480x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            assert proc.poll() is None, "Xvfb stopped at once"
            assert time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.05)
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


def errors_shown(rig: GuiRig) -> list[str]:
    """The status bar's error list (its button shows them; the newest is the message)."""
    return [text for _when, text in rig.window.status.errors]


def xdotool(display: str, *args: str) -> None:
    subprocess.run(
        ["xdotool", *args], check=True, env={**os.environ, "DISPLAY": display}, timeout=20
    )


def test_answer_and_hang_up_from_another_program(
    xserver: str,
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DISPLAY", xserver)
    monkeypatch.setattr(global_keys, "which_desktop", lambda: "x11")
    settings = Settings(accounts=[account(f"127.0.0.1:{kamailio.udp_port}")])
    settings.gui.global_hotkeys = True
    rig = registered_rig(make_rig, settings, "1001")
    _w, panel = rig.window, rig.window.call_panel
    assert errors_shown(rig) == []
    # Another program's window has the X focus: a plain X window made here.
    from Xlib import X, display

    other = display.Display(xserver)
    window = other.screen().root.create_window(0, 0, 200, 100, 0, other.screen().root_depth)
    window.map()
    other.sync()
    window.set_input_focus(X.RevertToParent, X.CurrentTime)
    other.sync()

    far = far_phones(kamailio)
    far.dial(f"sip:1001@127.0.0.1:{kamailio.udp_port}")
    rig.wait(lambda: panel.calls and panel.incoming_widget(panel.calls[0].id) is not None)

    def far_saw(state: str) -> bool:  # waited for with Qt's loop running (the key's
        return any(e.get("type") == state for e in far.events())  # signal is queued)

    xdotool(xserver, "key", "ctrl+alt+a")
    rig.wait(lambda: far_saw("CALL_ESTABLISHED"))
    rig.wait(lambda: panel.current is not None and panel.current.state == "connected")
    xdotool(xserver, "key", "ctrl+alt+e")
    rig.wait(lambda: far_saw("CALL_CLOSED"))
    rig.wait(lambda: not panel.calls)
    other.close()


def test_a_key_another_program_holds_is_reported(
    xserver: str, make_rig: Callable[..., GuiRig], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", xserver)
    monkeypatch.setattr(global_keys, "which_desktop", lambda: "x11")
    from Xlib import XK, X, display

    holder = display.Display(xserver)
    root = holder.screen().root
    code = holder.keysym_to_keycode(XK.string_to_keysym("a"))
    root.grab_key(code, X.ControlMask | X.Mod1Mask, True, X.GrabModeAsync, X.GrabModeAsync)
    holder.sync()
    settings = Settings(accounts=[account("127.0.0.1:5999")])
    settings.gui.global_hotkeys = True
    rig = make_rig(settings)
    said = errors_shown(rig)
    assert any("Ctrl+Alt+A" in text and "another program" in text for text in said), said
    holder.close()


@pytest.mark.parametrize(
    ("desktop", "said"),
    [
        ("wayland", "not possible on Wayland"),
        ("offscreen", "not available on this system yet"),
    ],
)
def test_where_the_desktop_cannot_the_person_is_told(
    desktop: str,
    said: str,
    make_rig: Callable[..., GuiRig],
    monkeypatch: pytest.MonkeyPatch,
    qtbot: Any,
) -> None:
    monkeypatch.setattr(global_keys, "which_desktop", lambda: desktop)
    settings = Settings(accounts=[account("127.0.0.1:5999")])
    settings.gui.global_hotkeys = True
    rig = make_rig(settings)
    assert any(said in text for text in errors_shown(rig)), errors_shown(rig)


def test_without_python_xlib_the_person_is_told_what_to_install(
    make_rig: Callable[..., GuiRig], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(global_keys, "which_desktop", lambda: "x11")
    monkeypatch.setitem(sys.modules, "Xlib", None)  # import Xlib fails
    settings = Settings(accounts=[account("127.0.0.1:5999")])
    settings.gui.global_hotkeys = True
    rig = make_rig(settings)
    assert any("python-xlib" in text for text in errors_shown(rig)), errors_shown(rig)


def test_off_by_default_nothing_is_grabbed(make_rig: Callable[..., GuiRig]) -> None:
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    assert rig.app.settings.gui.global_hotkeys is False
    assert rig.window.shortcuts.global_keys.active == {}
    assert errors_shown(rig) == []
