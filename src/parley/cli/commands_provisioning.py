"""Console command `provision [URL]`: fetch and apply the provisioning profile now (the
settings' URL unless one is given). Its outcome is also printed as a
`{"event": "provisioning", "state": "applied"|"unchanged"|"failed", ...}` event."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = "provision [URL]"


def provision(console: Console, rest: list[str]) -> None:
    url = rest[0] if rest else None
    console.app.provisioning.provision(url)  # blocking HTTP: the console's own thread


COMMANDS = {"provision": provision}
