"""Headless console: the same `Application` the desktop app uses, with events on stdout
(one line each, JSON with --json) and commands on stdin. Ctrl+C, SIGTERM or the end of
stdin hang up, unregister and exit 0."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from parley.app import Application
from parley.app.snapshots import CallInfo, call_meant
from parley.cli import (
    commands_blf,
    commands_conference,
    commands_contacts_export,
    commands_contacts_import,
    commands_intercom,
    commands_messages,
    commands_presence,
    commands_provisioning,
    commands_recording,
    commands_redirect,
    commands_rules,
    commands_signin,
    commands_sources,
    commands_transfer,
    commands_voicemail,
    commands_watching,
    commands_zrtp,
)
from parley.cli.i18n import N_, set_language, tr
from parley.cli.texts import account_text, encryption_text, event_data, provisioning_text
from parley.history.db import StoreError
from parley.media.engine import AudioConfig
from parley.phone.events import PhoneEvent
from parley.settings import ConfigError, Settings, default_config_path, load_settings
from parley.settings.secrets import SecretStoreError, get_password

EXIT_CONFIG = 2
COMMAND_TIMEOUT = 30.0  # seconds a command may take on the engine (dialling resolves DNS)

# The command words stay English (they are what is typed); their arguments are named in
# the console's language where printed (`help_text`).
HELP = N_(
    "commands: dial TARGET [ACCOUNT] | answer [CALL] | reject [CALL] | hangup [CALL] | "
    "hold [CALL] | resume [CALL] | switch CALL | mute | unmute | dtmf DIGITS [CALL] | calls | "
    "stats [CALL] | history [N] | accounts | register NAME | unregister NAME | trace on|off | "
    "help | quit"
)


class ConsoleCommand(Protocol):
    """A console command kept in a module of its own (`cli/commands_*.py`): it gets the
    console (for `reply`, `wait`, `call`, `app`) and the words after the command."""

    def __call__(self, console: Console, rest: list[str]) -> None: ...


# Commands of feature modules: name -> handler, and their part of the help line. A new
# module adds its COMMANDS and HELP here.
_COMMAND_MODULES = (
    commands_blf,
    commands_conference,
    commands_contacts_export,
    commands_contacts_import,
    commands_intercom,
    commands_messages,
    commands_presence,
    commands_provisioning,
    commands_recording,
    commands_redirect,
    commands_rules,
    commands_signin,
    commands_sources,
    commands_transfer,
    commands_voicemail,
    commands_watching,
    commands_zrtp,
)
EXTRA_COMMANDS: dict[str, ConsoleCommand] = {
    name: handler for module in _COMMAND_MODULES for name, handler in module.COMMANDS.items()
}
EXTRA_HELP: list[str] = [module.HELP for module in _COMMAND_MODULES]


def run_console(args: argparse.Namespace) -> int:
    path = Path(args.config).expanduser() if args.config else default_config_path()
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        # English: the language is a setting, and the settings did not load.
        print(f"parley: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    set_language(settings.gui.language)  # from here on the person's language
    provisioning = bool(getattr(args, "provision", None) or settings.provisioning.url)
    if not settings.accounts and not provisioning:
        print(
            tr(
                "parley: {path}: no [[accounts]] in the settings — add one "
                "(see examples/office.toml)",
                path=path,
            ),
            file=sys.stderr,
        )
        return EXIT_CONFIG
    if getattr(args, "play", None) and not Path(args.play).is_file():
        print(tr("parley: --play {file}: no such file", file=args.play), file=sys.stderr)
        return EXIT_CONFIG

    level = (args.log_level or settings.log.log_level).upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.trace:
        settings.log.sip_trace = True
    audio = AudioConfig(
        input=f"file:{args.play}" if args.play else settings.media.input_device,
        output=settings.media.output_device,
        tone_region=settings.media.tone_region,
        record_dir=Path(args.record_dir) if args.record_dir else None,
    )
    if not args.devices:
        # Headless: no sound card unless asked for; what is not a file is silence.
        if not audio.input.startswith("file:"):
            audio.input = "null"
        if not audio.output.startswith("file:"):
            audio.output = "null"
    try:
        app = Application(
            path,
            settings=settings,
            data_dir=Path(args.data_dir).expanduser() if args.data_dir else None,
            bind_host=args.bind,
            audio=audio,
            auto_answer=True if args.auto_answer else None,
        )
    except (OSError, ValueError, StoreError) as exc:  # StoreError: a data file not ours
        print(f"parley: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if provisioning:
        done = provision(app, args)
        if done is not None:
            return done
    control = None
    if getattr(args, "control", False) or settings.automation.control_api:
        from parley.cli.control_api import CONTROL_FILE, console_control_server

        try:
            control = console_control_server(
                app, path.parent / CONTROL_FILE, port=settings.automation.control_port
            )
        except OSError as exc:
            print(tr("parley: the control API cannot listen: {error}", error=exc), file=sys.stderr)
            app.stop()
            return 1
    try:
        return Console(app, as_json=args.json).run()
    finally:
        if control is not None:
            control.close()


def provision(app: Application, args: argparse.Namespace) -> int | None:
    """Provision before the phone starts (`--provision URL`, or the settings' URL when
    "registering automatically" is on); an exit code when Parley cannot go on."""
    url = getattr(args, "provision", None)
    conf = app.settings.provisioning
    if url is None and not conf.auto:
        return None
    event = app.provisioning.provision(
        url,
        username=getattr(args, "provision_user", None),
        password=getattr(args, "provision_password", None),
        ca_file=Path(args.provision_ca).expanduser()
        if getattr(args, "provision_ca", None)
        else None,
    )
    text = provisioning_text(event)
    print(json.dumps(event_data(event), default=str) if args.json else text, flush=True)
    if not app.settings.accounts:
        print(tr("parley: {text} — and there is no account to use", text=text), file=sys.stderr)
        app.stop()
        return EXIT_CONFIG
    app.provisioning.start_interval()
    return None


def _passwords(settings: Settings) -> tuple[dict[str, str], list[str]]:
    """Inline passwords of the file first, then the keyring (for one-shot commands)."""
    found: dict[str, str] = {}
    problems: list[str] = []
    for account in settings.accounts:
        if account.password is not None:
            found[account.name] = account.password.get_secret_value()
            continue
        try:
            secret = get_password(account)
        except SecretStoreError as exc:
            problems.append(tr("account {account}: {error}", account=account.name, error=exc))
            secret = None
        if secret is None:
            problems.append(
                tr(
                    "account {account}: no password in the settings file or the keyring — "
                    "registration will fail if the server asks for one",
                    account=account.name,
                )
            )
        else:
            found[account.name] = secret
    return found, problems


class _Stop(Exception):
    """SIGTERM: leave the command loop like Ctrl+C does."""


class Console:
    def __init__(self, app: Application, *, as_json: bool) -> None:
        self.app = app
        self.as_json = as_json
        self._out = threading.Lock()
        self.line = ""  # the command line being carried out, as typed (for free text)

    # -- output (events arrive on the engine thread, replies on the main thread)

    def _print(self, line: str) -> None:
        with self._out:
            print(line, flush=True)

    def print_event(self, event: PhoneEvent) -> None:
        data = event_data(event)
        if data["event"] == "call" and data.get("remote") and self.app is not None:
            # Who the other party is, when a contact knows the number (issue #10).
            match = self.app.caller(str(data["remote"]))
            if match is not None:
                data["name"], data["source"] = match.contact.name, match.source_id
        if self.as_json:
            self._print(json.dumps(data, ensure_ascii=False, default=str))
            return
        kind = data["event"]
        code = f" ({data['status']} {data.get('reason', '')})" if data.get("status") else ""
        # States, directions and SIP codes stay as codes (scripts read them in text mode
        # too); the words around them and the sentence after the dash follow the language.
        if kind == "account":
            line = tr(
                "account {account}: {state}{code} — {text}",
                account=data["account"],
                state=data["state"],
                code=code,
                text=data["text"],
            )
        elif kind == "call":
            line = tr(
                "call {call} {direction} {remote}: {state}{code} — {text}",
                call=data["call"],
                direction=data["direction"],
                remote=data["remote"],
                state=data["state"],
                code=code,
                text=data["text"],
            )
        elif kind == "dtmf":
            line = tr(
                "call {call}: key {digit} ({via})",
                call=data["call"],
                digit=data["digit"],
                via=data["via"],
            )
        elif kind in commands_blf.EVENT_KINDS:
            line = commands_blf.event_line(data)
        elif kind in commands_messages.EVENT_KINDS:
            line = commands_messages.event_line(data)
        elif kind == "history":
            line = tr(
                "history: {type} {number} on {account}, {duration:.0f} s",
                type=data["type"],
                number=data["number"],
                account=data["account"],
                duration=data["duration"],
            )
        else:
            line = f"{kind}: {data.get('text', '')}"
        self._print(line)

    def event(self, data: dict[str, Any]) -> None:
        """An event of a command module from any thread: JSON with --json, else its text."""
        if self.as_json:
            self._print(json.dumps(data, ensure_ascii=False, default=str))
        else:
            self._print(str(data.get("text", "")))

    def reply(self, text: str) -> None:
        if self.as_json:
            self._print(json.dumps({"event": "reply", "text": text}))
        else:
            self._print(text)

    # -- the loop

    def run(self) -> int:
        self.app.subscribe(self.print_event)
        previous = signal.getsignal(signal.SIGTERM)

        def on_term(signum: int, frame: FrameType | None) -> None:
            raise _Stop

        signal.signal(signal.SIGTERM, on_term)
        try:
            try:
                self.app.start().result(COMMAND_TIMEOUT)
            except OSError as exc:
                print(f"parley: {exc}", file=sys.stderr)
                return 1
            for line in sys.stdin:
                words = line.split()
                if not words:
                    continue
                self.line = line.rstrip("\r\n")
                try:
                    if not self._command(words):
                        break
                except (KeyboardInterrupt, _Stop):
                    raise
                except Exception as exc:  # a bad command never ends the phone
                    self.reply(tr("error: {error}", error=exc))
        except (KeyboardInterrupt, _Stop):
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.app.stop()
        return 0

    @staticmethod
    def _wait(future: Future[Any]) -> Any:
        return future.result(COMMAND_TIMEOUT)

    def _command(self, words: list[str]) -> bool:
        app = self.app
        cmd, rest = words[0].lower(), words[1:]
        if cmd in ("quit", "exit"):
            return False
        if cmd == "help":
            self.reply(self.help_text())
        elif cmd == "accounts":
            for info in app.accounts():
                srtp = encryption_text(info.srtp_problem)
                self.reply(
                    f"{info.name}: {info.state} — {account_text(info)}"
                    + (f" {srtp}." if srtp else "")
                )
        elif cmd in ("register", "unregister"):
            if not rest or rest[0] not in {a.name for a in app.accounts()}:
                self.reply(
                    tr(
                        "error: no account {name}; try 'accounts'",
                        name=repr(rest[0] if rest else ""),
                    )
                )
            else:
                self._wait(app.register(rest[0]) if cmd == "register" else app.unregister(rest[0]))
        elif cmd == "dial":
            if not rest:
                self.reply(tr("error: dial what? e.g. 'dial 1002' or 'dial sip:1002@pbx'"))
            else:
                info = self._wait(app.dial(rest[0], rest[1] if len(rest) > 1 else None))
                self.reply(tr("call {call}: dialing {remote}", call=info.id, remote=info.remote))
        elif cmd in commands_conference.PARTICIPANT_COMMANDS and (
            commands_conference.participant_command(self, cmd, rest)
        ):
            pass  # a conference participant's, or the whole conference's
        elif cmd in ("answer", "reject", "hangup", "hold", "resume"):
            self._wait(getattr(app, cmd)(self._call(rest)))
        elif cmd == "switch":
            self._wait(app.switch_to(self._call(rest)))
        elif cmd in ("mute", "unmute"):
            self._wait(app.mute(cmd == "mute"))
            self.reply(tr("muted") if cmd == "mute" else tr("unmuted"))
        elif cmd == "dtmf":
            if not rest:
                self.reply(tr("error: dtmf which digits?"))
            else:
                self._wait(app.send_dtmf(self._call(rest[1:]), rest[0]))
        elif cmd == "calls":
            calls = app.list_calls()
            if not calls:
                self.reply(tr("no calls"))
            for c in calls:
                held = tr(", held by {held}", held=c.held) if c.held else ""
                sas = ""
                if c.media_encryption == "zrtp":
                    sas = tr(", ZRTP SAS {sas}", sas=c.sas) + (
                        tr(" (verified)") if c.sas_verified else ""
                    )
                self.reply(
                    tr(
                        "call {call} {direction} {remote}: {state}{held}{sas}",
                        call=c.id,
                        direction=c.direction,
                        remote=c.remote,
                        state=c.state,
                        held=held,
                        sas=sas,
                    )
                )
        elif cmd == "stats":
            self.reply(json.dumps(self._wait(app.call_stats(self._call(rest))), default=str))
        elif cmd == "history":
            limit = int(rest[0]) if rest and rest[0].isdigit() else 10
            for e in app.history_entries(limit=limit):
                self.reply(
                    f"{e.start:%Y-%m-%d %H:%M} {e.type.value} {e.shown_name} "
                    f"({e.account}, {e.duration:.0f} s"
                    + (f", {e.sip_code}" if e.sip_code else "")
                    + ")"
                )
        elif cmd == "trace":
            on = bool(rest) and rest[0].lower() == "on"
            self._wait(app.engine.submit(self._set_trace, on))
        elif cmd in EXTRA_COMMANDS:
            EXTRA_COMMANDS[cmd](self, rest)
        else:
            self.reply(
                tr(
                    "error: unknown command {command}; {help}",
                    command=repr(cmd),
                    help=self.help_text(),
                )
            )
        return True

    @staticmethod
    def help_text() -> str:
        """The help line in the console's language (each module's part through its own
        catalog entry, English where it has none)."""
        parts = [tr(HELP), *(tr(part) for part in EXTRA_HELP)]
        return " | ".join(parts)

    def wait(self, future: Future[Any]) -> Any:
        """The result of an engine command (for command modules)."""
        return self._wait(future)

    def call(self, rest: list[str]) -> CallInfo:
        """The call a command's words name (for command modules): see `_call`."""
        return self._call(rest)

    def _set_trace(self, on: bool) -> None:
        if self.app.phone is not None:
            self.app.phone.driver.trace_enabled = on

    def _call(self, rest: list[str]) -> CallInfo:
        """The call a command means: the number given, else a ringing incoming call,
        else the most recent live one."""
        return call_meant(self.app.list_calls(), rest)
