"""For the instant-message tests: a baresip that sends messages (the Parleys they talk
to are started with interop.app_rig)."""

from __future__ import annotations

from typing import Any

from peers.baresip import Baresip


class MessagingBaresip(Baresip):
    """baresip with its `contact` module: its `message` command sends to the one
    contact of its contacts file, `target`. What it receives its stdio UI shows as
    'PEER: "TEXT"' in its log."""

    def __init__(self, *args: Any, target: str, **kw: Any) -> None:
        kw.setdefault("extra_config", ["module contact.so", "module stdio.so"])
        kw.setdefault("keep_stdin", True)
        super().__init__(*args, **kw)
        self.target = target

    def _write_files(self) -> None:
        super()._write_files()
        (self.workdir / "contacts").write_text(f'"Parley" <{self.target}>\n')

    def send_message(self, text: str) -> None:
        self.command("message", text)
