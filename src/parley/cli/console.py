"""Headless console: the phone on the main thread, events on stdout, commands on stdin."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
import threading
from pathlib import Path

from parley.phone.call import Call
from parley.phone.events import PhoneEvent
from parley.phone.media import AudioConfig
from parley.phone.phone import Phone
from parley.settings import ConfigError, Settings, default_config_path, load_settings
from parley.settings.secrets import SecretStoreError, get_password

EXIT_CONFIG = 2

HELP = "commands: help | accounts | register NAME | unregister NAME | trace on|off | quit"


def run_console(args: argparse.Namespace) -> int:
    path = Path(args.config).expanduser() if args.config else default_config_path()
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        print(f"parley: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if not settings.accounts:
        print(
            f"parley: {path}: no [[accounts]] in the settings — add one (see examples/office.toml)",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    passwords, problems = _passwords(settings)
    for text in problems:
        print(f"parley: {text}", file=sys.stderr)

    level = (args.log_level or settings.log.log_level).upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.trace:
        settings.log.sip_trace = True
    audio = AudioConfig(
        input=f"file:{args.play}" if getattr(args, "play", None) else settings.media.input_device,
        output=settings.media.output_device,
        tone_region=settings.media.tone_region,
        record_dir=Path(args.record_dir) if getattr(args, "record_dir", None) else None,
    )
    if getattr(args, "play", None) and not Path(args.play).is_file():
        print(f"parley: --play {args.play}: no such file", file=sys.stderr)
        return EXIT_CONFIG
    if getattr(args, "headless_audio", True) and not getattr(args, "devices", False):
        # Headless: no sound card unless asked for; what is not a file is silence.
        if not audio.input.startswith("file:"):
            audio.input = "null"
        audio.output = "null"
    console = Console(
        settings,
        passwords,
        as_json=args.json,
        bind_host=args.bind,
        audio=audio,
        auto_answer=True if getattr(args, "auto_answer", False) else None,
    )
    try:
        return asyncio.run(console.run())
    except KeyboardInterrupt:
        return 0


def _passwords(settings: Settings) -> tuple[dict[str, str], list[str]]:
    """Inline passwords of the file first, then the keyring."""
    found: dict[str, str] = {}
    problems: list[str] = []
    for account in settings.accounts:
        if account.password is not None:
            found[account.name] = account.password.get_secret_value()
            continue
        try:
            secret = get_password(account)
        except SecretStoreError as exc:
            problems.append(f"account {account.name}: {exc}")
            secret = None
        if secret is None:
            problems.append(
                f"account {account.name}: no password in the settings file or the keyring — "
                "registration will fail if the server asks for one"
            )
        else:
            found[account.name] = secret
    return found, problems


class Console:
    def __init__(
        self,
        settings: Settings,
        passwords: dict[str, str],
        *,
        as_json: bool,
        bind_host: str,
        audio: AudioConfig | None = None,
        auto_answer: bool | None = None,
    ) -> None:
        self.as_json = as_json
        self.phone = Phone(
            settings,
            passwords,
            self.print_event,
            bind_host=bind_host,
            audio=audio,
            auto_answer=auto_answer,
        )
        self._commands: asyncio.Queue[str | None] = asyncio.Queue()

    def print_event(self, event: PhoneEvent) -> None:
        if self.as_json:
            line = json.dumps(event.to_dict(), ensure_ascii=False)
        else:
            data = event.to_dict()
            if data["event"] == "account":
                code = f" ({data['status']} {data['reason']})" if data["status"] else ""
                line = f"account {data['account']}: {data['state']}{code} — {data['text']}"
            elif data["event"] == "call":
                code = f" ({data['status']} {data['reason']})" if data["status"] else ""
                line = (
                    f"call {data['call']} {data['direction']} {data['remote']}: "
                    f"{data['state']}{code} — {data['text']}"
                )
            elif data["event"] == "dtmf":
                line = f"call {data['call']}: key {data['digit']} ({data['via']})"
            else:
                line = f"{data['event']}: {data.get('text', '')}"
        print(line, flush=True)

    def reply(self, text: str) -> None:
        if self.as_json:
            print(json.dumps({"event": "reply", "text": text}), flush=True)
        else:
            print(text, flush=True)

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
                pass
        self._start_stdin_reader(loop)
        try:
            await self.phone.start()
        except OSError:
            return 1
        reader = loop.create_task(self._read_commands(stop))
        await stop.wait()
        reader.cancel()
        await self.phone.stop()
        return 0

    def _start_stdin_reader(self, loop: asyncio.AbstractEventLoop) -> None:
        # A daemon thread, so a blocked readline never keeps the process alive at exit.
        def pump() -> None:
            for line in sys.stdin:
                loop.call_soon_threadsafe(self._commands.put_nowait, line)
            loop.call_soon_threadsafe(self._commands.put_nowait, None)

        threading.Thread(target=pump, name="stdin", daemon=True).start()

    async def _read_commands(self, stop: asyncio.Event) -> None:
        while True:
            line = await self._commands.get()
            if line is None:
                stop.set()
                return
            words = line.split()
            if not words:
                continue
            try:
                if await self._command(words) is False:
                    stop.set()
                    return
            except Exception as exc:  # a bad command never ends the phone
                self.reply(f"error: {exc}")

    async def _command(self, words: list[str]) -> bool:
        cmd, rest = words[0].lower(), words[1:]
        if cmd in ("quit", "exit"):
            return False
        if cmd == "help":
            self.reply(HELP)
        elif cmd == "accounts":
            for name, account in self.phone.accounts.items():
                self.reply(f"{name}: {account.state.value} — {account.registration.last_text}")
        elif cmd in ("register", "unregister"):
            target = self.phone.accounts.get(rest[0]) if rest else None
            if target is None:
                self.reply(f"error: no account {rest[0] if rest else ''!r}; try 'accounts'")
            elif cmd == "register":
                await target.register()
            else:
                await target.unregister()
        elif cmd == "dial":
            if not rest:
                self.reply("error: dial what? e.g. 'dial 1002' or 'dial sip:1002@pbx'")
            else:
                call = await self.phone.dial(rest[0], rest[1] if len(rest) > 1 else None)
                self.reply(f"call {call.id}: dialing {call.remote}")
        elif cmd in ("answer", "reject", "hangup", "hold", "resume"):
            call = self._call(rest)
            getattr(call, cmd)()
        elif cmd in ("mute", "unmute"):
            for call in self._live_calls():
                call.set_mute(cmd == "mute")
            self.reply("muted" if cmd == "mute" else "unmuted")
        elif cmd == "dtmf":
            if not rest:
                self.reply("error: dtmf which digits?")
            else:
                self._call(rest[1:]).send_dtmf(rest[0])
        elif cmd == "calls":
            calls = self._live_calls()
            if not calls:
                self.reply("no calls")
            for call in calls:
                held = f", held by {call.held}" if call.held else ""
                self.reply(f"call {call.id} {call.direction} {call.remote}: {call.state}{held}")
        elif cmd == "stats":
            call = self._call(rest)
            self.reply(json.dumps(call.stats()))
        elif cmd == "trace":
            self.phone.endpoint.trace_enabled = bool(rest) and rest[0].lower() == "on"
        else:
            self.reply(f"error: unknown command {cmd!r}; {HELP}")
        return True

    def _live_calls(self) -> list[Call]:
        return [c for c in self.phone.calls.values() if not c.ended]

    def _call(self, rest: list[str]) -> Call:
        """The call a command means: the number given, else the only/most recent live one."""
        if rest:
            try:
                call = self.phone.calls[int(rest[0])]
            except (ValueError, KeyError):
                raise ValueError(f"no call {rest[0]!r}; try 'calls'") from None
            return call
        live = self._live_calls()
        incoming = [c for c in live if c.state == "incoming"]
        if incoming:
            return incoming[-1]
        if not live:
            raise ValueError("no call")
        return live[-1]
