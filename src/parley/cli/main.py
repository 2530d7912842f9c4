"""The `parley` command: the desktop app, `parley console` (headless) and `parley call`."""

from __future__ import annotations

import argparse
import sys

from parley import __version__


def build_parser() -> argparse.ArgumentParser:
    # English only: argparse prints --help and usage errors before the settings (and so
    # the language, [gui] language) are loaded. What the console prints after the
    # settings load follows the language (cli/i18n.py, set in console.run_console).
    parser = argparse.ArgumentParser(
        prog="parley", description="Parley, a SIP softphone for people who phone through a PBX."
    )
    parser.add_argument("--version", action="version", version=f"parley {__version__}")
    sub = parser.add_subparsers(dest="command")
    console = sub.add_parser(
        "console",
        help="run headless: register the accounts, print events, read commands on stdin",
        description=(
            "Start the phone without a window. Registers the accounts of the config file, prints "
            "one line per event (one JSON object with --json) and reads commands on stdin "
            "(help, accounts, register NAME, unregister NAME, quit). Ctrl+C or the end of stdin "
            "unregisters and exits."
        ),
    )
    console.add_argument(
        "--config",
        help="settings file (TOML); default: the settings.toml in Parley's config directory",
    )
    console.add_argument("--json", action="store_true", help="print events as JSON lines")
    console.add_argument(
        "--bind",
        default="0.0.0.0",
        help="local address to listen on (default all IPv4 addresses)",
    )
    console.add_argument("--trace", action="store_true", help="print the SIP trace to stderr")
    console.add_argument("--auto-answer", action="store_true", help="answer every incoming call")
    console.add_argument(
        "--play", metavar="WAV", help="use this WAV file instead of the microphone"
    )
    console.add_argument(
        "--record-dir", metavar="DIR", help="record the audio received on each call as WAV here"
    )
    console.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where call history and contacts are kept (default: the platform's data dir)",
    )
    console.add_argument(
        "--devices",
        action="store_true",
        help="use the sound devices of the settings (default in console mode: none, silence)",
    )
    console.add_argument(
        "--provision",
        metavar="URL",
        help="fetch the settings from this provisioning URL first (and keep it for later starts)",
    )
    console.add_argument("--provision-user", metavar="USER", help="provisioning user name")
    console.add_argument("--provision-password", metavar="PASSWORD", help="provisioning password")
    console.add_argument(
        "--provision-ca", metavar="FILE", help="CA certificate of the provisioning server"
    )
    console.add_argument(
        "--control",
        action="store_true",
        help="serve the local control API (docs/control-api.md; also [automation] control_api)",
    )
    console.add_argument(
        "--log-level", default=None, help="debug, info, warning or error (default from settings)"
    )
    from parley.cli.call_command import add_parser

    add_parser(sub)
    return parser


SUBCOMMANDS = ("console", "call")


def main(argv: list[str] | None = None) -> int:
    """`parley console` and `parley call`; `parley.launcher` starts the desktop app instead
    when there is no sub-command."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        build_parser().print_help(sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    if args.command == "call":
        from parley.cli.call_command import run_call

        return run_call(args)
    from parley.cli.console import run_console

    return run_console(args)


if __name__ == "__main__":
    sys.exit(main())
