"""The console's side of the local control API (docs/control-api.md): each connection
gets a console whose output goes to that connection, so a client has every console
command and the events exactly as `parley console --json` prints them. The protocol and
the server are in `parley.app.control_api` (the desktop app serves them too). Only the
`text` of replies and events follows the console's language; the JSON codes never do."""

from __future__ import annotations

from pathlib import Path

from parley.app.application import Application
from parley.app.control_api import CONTROL_FILE, ControlServer, LineSink
from parley.cli.console import Console

__all__ = ["CONTROL_FILE", "console_control_server"]


class _Session(Console):
    """A console whose output goes to one connection."""

    def __init__(self, app: Application, sink: LineSink) -> None:
        super().__init__(app, as_json=True)
        self._sink = sink

    def _print(self, line: str) -> None:
        self._sink.send(line)

    def handle_line(self, text: str) -> bool:
        """Carry out one command line; False when the client said quit."""
        self.line = text
        return self._command(text.split())


def console_control_server(app: Application, control_file: Path, port: int = 0) -> ControlServer:
    """The control API with the console's commands, for `app`."""
    return ControlServer(app, control_file, lambda sink: _Session(app, sink), port=port)
