"""The `parley` command: the desktop app, or a headless sub-command of `parley.cli`.

It sits above both front-ends so that neither imports the other: without a sub-command
it starts the desktop app (Qt is imported only then), otherwise it hands the arguments to
`parley.cli.main` (`parley console`, `parley call`), which needs no Qt.
"""

from __future__ import annotations

import sys

from parley.cli.main import SUBCOMMANDS


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version")):
        from parley.gui.app import run_gui

        return run_gui(argv)
    from parley.cli.main import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
