"""The local control API in the desktop app (docs/control-api.md): served while
`automation.control_api` is on, started and stopped again when the setting changes.

The protocol and the server are `parley.app.control_api`; here is the desktop app's
small command dispatcher over the application's facades (the console's full command set
stays in the console). Replies and events are the same JSON lines the console sends;
events have no `text` (the console's English sentence)."""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from parley.app.application import Application
from parley.app.control_api import CONTROL_FILE, ControlServer, LineSink, event_fields
from parley.app.events import SettingsApplied
from parley.app.snapshots import CallInfo, call_meant
from parley.phone.events import PhoneEvent
from parley.settings import default_config_path

log = logging.getLogger(__name__)

COMMAND_TIMEOUT = 30.0  # seconds a command may take on the engine (dialling resolves DNS)
HELP = (
    "commands: dial TARGET [ACCOUNT] | answer [CALL] | reject [CALL] | hangup [CALL] | "
    "hold [CALL] | resume [CALL] | mute | unmute | dtmf DIGITS [CALL] | calls | accounts | "
    "help | quit"
)


class GuiControlSession:
    """One connection's commands: the call commands of the console, over `app`."""

    def __init__(self, app: Application, sink: LineSink) -> None:
        self.app = app
        self._sink = sink

    def reply(self, text: str) -> None:
        self._sink.send_json({"event": "reply", "text": text})

    def print_event(self, event: PhoneEvent) -> None:
        self._sink.send_json(event_fields(self.app, event))

    def handle_line(self, text: str) -> bool:
        app = self.app
        words = text.split()
        cmd, rest = words[0].lower(), words[1:]
        if cmd in ("quit", "exit"):
            return False
        if cmd == "help":
            self.reply(HELP)
        elif cmd == "dial":
            if not rest:
                self.reply("error: dial what? e.g. 'dial 1002' or 'dial sip:1002@pbx'")
            else:
                info = _wait(app.dial(rest[0], rest[1] if len(rest) > 1 else None))
                self.reply(f"call {info.id}: dialing {info.remote}")
        elif cmd in ("answer", "reject", "hangup", "hold", "resume"):
            _wait(getattr(app, cmd)(self._call(rest)))
        elif cmd in ("mute", "unmute"):
            _wait(app.mute(cmd == "mute"))
            self.reply("muted" if cmd == "mute" else "unmuted")
        elif cmd == "dtmf":
            if not rest:
                self.reply("error: dtmf which digits?")
            else:
                _wait(app.send_dtmf(self._call(rest[1:]), rest[0]))
        elif cmd == "calls":
            calls = app.list_calls()
            if not calls:
                self.reply("no calls")
            for c in calls:
                held = f", held by {c.held}" if c.held else ""
                self.reply(f"call {c.id} {c.direction} {c.remote}: {c.state}{held}")
        elif cmd == "accounts":
            for a in app.accounts():
                self.reply(f"{a.name}: {a.state}")
        else:
            self.reply(f"error: unknown command {cmd!r}; {HELP}")
        return True

    def _call(self, rest: list[str]) -> CallInfo:
        """The call meant: the number given, else a ringing incoming call, else the most
        recent live one (as in the console)."""
        return call_meant(self.app.list_calls(), rest)


def _wait(future: concurrent.futures.Future[Any]) -> Any:
    return future.result(COMMAND_TIMEOUT)


class GuiControl:
    """Runs the control API while the settings say so (`start()`, then again at each
    save of the settings)."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self.server: ControlServer | None = None
        self._unsubscribe: Callable[[], None] = lambda: None
        self._lock = threading.Lock()  # one start or stop at a time
        self._closed = False

    def start(self) -> str | None:
        """Serve if the settings say so; the OS's words when it cannot listen."""
        self._unsubscribe = self.app.subscribe(self._on_event)
        return self.apply()

    def control_file(self) -> Path:
        path = self.app.settings_path or default_config_path()
        return path.parent / CONTROL_FILE

    def apply(self) -> str | None:
        """Start or stop the server as `automation.control_api` and the port say; the
        OS's words when it cannot listen."""
        with self._lock:
            return self._apply()

    def _apply(self) -> str | None:
        conf = self.app.settings.automation
        wanted = conf.control_api and not self._closed
        port = conf.control_port
        server = self.server
        if server is not None and (not wanted or (port and port != server.port)):
            server.close()
            self.server = server = None
        if wanted and server is None:
            try:
                self.server = ControlServer(
                    self.app,
                    self.control_file(),
                    lambda sink: GuiControlSession(self.app, sink),
                    port=port,
                )
            except OSError as exc:
                log.warning("the control API cannot listen: %s", exc)
                return str(exc)
        return None

    def _on_event(self, event: PhoneEvent) -> None:
        # On the engine thread, which must not wait: stopping a server waits for its
        # loop to notice, so starting and stopping happen on a thread of their own.
        if isinstance(event, SettingsApplied):
            threading.Thread(target=self.apply, name="control-api-settings", daemon=True).start()

    def close(self) -> None:
        self._unsubscribe()
        with self._lock:
            self._closed = True  # a settings change still on its way starts nothing
            if self.server is not None:
                self.server.close()
                self.server = None
