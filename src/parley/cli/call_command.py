"""`parley call TARGET`: one call from the command line, for scripts and quick checks.

Registers the account, dials, optionally plays a WAV into the call, records what the
far end sends, sends DTMF once connected, hangs up after --duration seconds (or when the
far end does). Exit 0 when the call was answered and ended normally; otherwise a non-zero
code and the reason on stderr.

``--play``: the file starts when the call is answered, from its first sample, in the first
RTP packet the far end receives (not when the program starts, which would cut its head
off by however long registration, dialling and ringing took), and repeats until hang-up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path

from parley.cli.i18n import set_language, tr
from parley.cli.texts import account_text, call_text, event_data
from parley.media.engine import AudioConfig
from parley.media.ports import FilePlayer
from parley.media.wavfile import WavError
from parley.phone.call import Call
from parley.phone.events import AccountStateChanged, CallStateChanged, PhoneEvent
from parley.phone.phone import DialError, Phone
from parley.settings import ConfigError, load_settings

EXIT_OK = 0
EXIT_FAILED = 1  # not answered, or the far end failed
EXIT_CONFIG = 2
EXIT_REGISTRATION = 3


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    # English only, like the console's: argparse prints this before the language is known.
    p = sub.add_parser(
        "call",
        help="make one call and exit (0 when it was answered and ended normally)",
        description="Make one call: register, dial TARGET (a number on the account's domain, "
        "or a SIP URI), play/record, send DTMF, hang up after --duration seconds.",
    )
    p.add_argument("target", help="number or SIP URI to call")
    p.add_argument("--config", required=True, help="settings file (TOML)")
    p.add_argument("--account", help="account name (default: the first one)")
    p.add_argument("--play", metavar="WAV", help="WAV file to send instead of a microphone")
    p.add_argument("--record", metavar="WAV", help="write what the far end sends to this WAV")
    p.add_argument(
        "--duration", type=float, default=10.0, help="seconds to stay connected (default 10)"
    )
    p.add_argument("--dtmf", metavar="DIGITS", help="keys to send once connected")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for an answer")
    p.add_argument("--bind", default="0.0.0.0", help="local address to listen on")
    p.add_argument("--json", action="store_true", help="print events as JSON lines")


def run_call(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(Path(args.config).expanduser())
    except ConfigError as exc:
        # English: the language is a setting, and the settings did not load.
        print(f"parley: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    set_language(settings.gui.language)  # from here on the person's language
    if args.play and not Path(args.play).is_file():
        print(tr("parley: --play {file}: no such file", file=args.play), file=sys.stderr)
        return EXIT_CONFIG
    try:
        return asyncio.run(_call(settings, args))
    except KeyboardInterrupt:
        return EXIT_FAILED


async def _call(settings: object, args: argparse.Namespace) -> int:
    from parley.cli.console import _passwords
    from parley.settings.model import Settings

    assert isinstance(settings, Settings)
    passwords, problems = _passwords(settings)
    for text in problems:
        print(f"parley: {text}", file=sys.stderr)
    record_dir = Path(tempfile.mkdtemp(prefix="parley-call-")) if args.record else None
    audio = AudioConfig(
        input="null",  # --play is wired to the call itself once it is answered
        output="null",
        record_dir=record_dir,
        dtmf_feedback=False,
    )
    registered = asyncio.Event()
    ended = asyncio.Event()
    outcome: dict[str, object] = {}
    calls: dict[int, Call] = {}
    player: FilePlayer | None = None
    if args.play:
        try:
            player = FilePlayer(Path(args.play), loop=True, name="play")
        except WavError as exc:
            print(f"parley: --play: {exc}", file=sys.stderr)
            return EXIT_CONFIG

    def on_event(event: PhoneEvent) -> None:
        if args.json:
            print(json.dumps(event_data(event)), flush=True)
        if isinstance(event, AccountStateChanged):
            if event.state == "registered":
                registered.set()
            elif event.state == "failed":
                outcome["registration"] = account_text(event)
                registered.set()
        elif isinstance(event, CallStateChanged):
            if not args.json:
                print(f"{event.state}: {call_text(event)}", file=sys.stderr)
            if event.state == "connected" and "connected" not in outcome:
                outcome["connected"] = True
            if player is not None and event.call in calls and event.state != "ended":
                # Synchronously in the event: the call's audio was wired just before
                # it was reported, and no bridge tick runs in between, so the file's
                # first sample goes out in the call's first packet. Later events
                # (a codec change gives the call a new slot) keep it connected.
                _play_into(phone, calls[event.call], player)
            if event.state == "ended":
                outcome["status"] = event.status
                outcome["text"] = call_text(event)
                ended.set()

    phone = Phone(settings, passwords, on_event, bind_host=args.bind, audio=audio)
    try:
        await phone.start()
    except OSError as exc:
        print(f"parley: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        await asyncio.wait_for(registered.wait(), 30)
    except TimeoutError:
        outcome["registration"] = tr("no answer from the registrar")
    if "registration" in outcome:
        print(f"parley: {outcome['registration']}", file=sys.stderr)
        await phone.stop()
        return EXIT_REGISTRATION
    try:
        call = await phone.dial(args.target, args.account)
    except DialError as exc:
        print(f"parley: {exc}", file=sys.stderr)
        await phone.stop()
        return EXIT_CONFIG
    calls[call.id] = call
    code = EXIT_FAILED
    try:
        connected = await _wait_connected(call, ended, args.timeout)
        if connected:
            if args.dtmf:
                await asyncio.sleep(0.5)
                call.send_dtmf(args.dtmf)
            try:
                await asyncio.wait_for(ended.wait(), args.duration)
            except TimeoutError:
                call.hangup()
                await asyncio.wait_for(ended.wait(), 10)
            code = EXIT_OK
        else:
            if not ended.is_set():
                call.hangup()
                await asyncio.wait_for(ended.wait(), 10)
            status = outcome.get("status")
            print(
                tr(
                    "parley: call not answered: {reason}",
                    reason=outcome.get("text") or tr("no answer"),
                )
                + (f" ({status})" if status else ""),
                file=sys.stderr,
            )
    finally:
        await phone.stop()
        if record_dir is not None:
            files = sorted(record_dir.glob("*.wav"))
            if files:
                shutil.move(str(files[0]), args.record)
            shutil.rmtree(record_dir, ignore_errors=True)
    return code


def _play_into(phone: Phone, call: Call, player: FilePlayer) -> None:
    """Connect the player to the call itself (not to the microphone slot) once the call
    is connected: from the file's start the first time, where it was after that."""
    if call.media is None or call.state != "connected":
        return
    bridge = phone.media.bridge
    slot = bridge.find(player)
    if slot is None:
        player.rewind()
        slot = bridge.add_port(player)
    if not bridge.is_connected(slot, call.media.slot):
        bridge.connect(slot, call.media.slot)


async def _wait_connected(call: Call, ended: asyncio.Event, timeout: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if call.state == "connected":
            return True
        if ended.is_set():
            return False
        await asyncio.sleep(0.05)
    return False
