"""The application layer: the engine thread, commands as futures, snapshots, events,
settings editing and the stores wired to the phone's events.

The phone really starts (listening on 127.0.0.1, null audio) but no account registers,
so no SIP traffic leaves the process; call events are injected on the engine thread.
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from parley.app import (
    AccountInfo,
    AppError,
    Application,
    CallInfo,
    Engine,
    EngineError,
    HistoryAdded,
    SettingsApplied,
)
from parley.contacts import Contact, PhoneNumber
from parley.history import CallType, Direction, HistoryEntry
from parley.media.engine import AudioConfig
from parley.phone.events import CallStateChanged, PhoneError, PhoneEvent
from parley.phone.phone import DialError
from parley.settings import AccountSettings, ConfigError, Settings, load_settings

WAIT = 10.0

# ----------------------------------------------------------------------------- engine


@pytest.fixture
def engine() -> Iterator[Engine]:
    e = Engine()
    e.start()
    yield e
    e.stop()


def test_engine_runs_coroutines_and_functions_on_its_thread(engine: Engine) -> None:
    async def where(x: int) -> tuple[str, int]:
        return threading.current_thread().name, x * 2

    assert engine.call(where, 21).result(WAIT) == ("parley-engine", 42)
    assert engine.submit(lambda: threading.current_thread().name).result(WAIT) == "parley-engine"
    assert engine.submit(engine.in_engine_thread).result(WAIT) is True
    assert engine.in_engine_thread() is False
    assert engine.running


def test_engine_passes_exceptions_back(engine: Engine) -> None:
    async def fail() -> None:
        raise ValueError("coroutine broke")

    def fail_sync() -> None:
        raise KeyError("function broke")

    with pytest.raises(ValueError, match="coroutine broke"):
        engine.call(fail).result(WAIT)
    with pytest.raises(KeyError, match="function broke"):
        engine.submit(fail_sync).result(WAIT)
    assert engine.submit(lambda: "still alive").result(WAIT) == "still alive"


def test_engine_refuses_work_when_not_running() -> None:
    e = Engine()

    async def nothing() -> None:
        return None

    with pytest.raises(EngineError):
        e.call(nothing).result(WAIT)
    with pytest.raises(EngineError):
        e.submit(lambda: None).result(WAIT)
    with pytest.raises(EngineError):
        _ = e.loop
    assert e.stop() is True  # never started: nothing to stop
    e.start()
    assert e.stop() is True
    with pytest.raises(EngineError):
        e.submit(lambda: None).result(WAIT)


def test_engine_stop_is_bounded_and_cancels_tasks() -> None:
    e = Engine()
    e.start()
    release = threading.Event()
    e.submit(release.wait)  # blocks the loop until released
    assert e.stop(timeout=0.05) is False  # gave up waiting, did not hang
    release.set()
    assert e.stop(timeout=WAIT) is True
    assert not e.running


def test_engine_cancels_pending_coroutines_on_stop() -> None:
    e = Engine()
    e.start()
    import asyncio

    started = threading.Event()

    async def forever() -> None:
        started.set()
        await asyncio.sleep(3600)

    future = e.call(forever)
    assert started.wait(WAIT)
    assert e.stop(WAIT) is True
    assert future.cancelled()


# ----------------------------------------------------------------------------- application


def account(name: str = "office", user: str = "1001", **kw: Any) -> AccountSettings:
    data: dict[str, Any] = {
        "name": name,
        "domain": "127.0.0.1:9",  # never contacted: nothing registers in these tests
        "username": user,
        "register_on_startup": False,
    }
    data.update(kw)
    return AccountSettings(**data)


def make_app(tmp_path: Path, settings: Settings | None = None, **kw: Any) -> Application:
    settings = settings if settings is not None else Settings(accounts=[account()])
    options: dict[str, Any] = {
        "settings": settings,
        "passwords": {"office": "secret"},
        "use_keyring": False,
        "data_dir": tmp_path / "data",
        "bind_host": "127.0.0.1",
        "audio": AudioConfig(),
    }
    options.update(kw)
    return Application(**options)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Application]:
    a = make_app(tmp_path, settings_path=tmp_path / "settings.toml")
    a.start().result(WAIT)
    yield a
    a.stop()


class Events:
    def __init__(self) -> None:
        self.items: list[PhoneEvent] = []
        self.threads: set[str] = set()
        self.cond = threading.Condition()

    def __call__(self, event: PhoneEvent) -> None:
        with self.cond:
            self.items.append(event)
            self.threads.add(threading.current_thread().name)
            self.cond.notify_all()

    def of(self, kind: type) -> list[Any]:
        with self.cond:
            return [e for e in self.items if isinstance(e, kind)]

    def wait(self, kind: type, count: int = 1) -> list[Any]:
        with self.cond:
            self.cond.wait_for(lambda: len(self.of(kind)) >= count, WAIT)
        found = self.of(kind)
        assert len(found) >= count, self.items
        return found


def inject(app: Application, event: PhoneEvent) -> None:
    app.engine.submit(app._on_phone_event, event).result(WAIT)


def call_event(call: int, state: str, direction: str = "incoming", **kw: Any) -> CallStateChanged:
    data: dict[str, Any] = {
        "call": call,
        "account": "office",
        "direction": direction,
        "state": state,
        "remote": "sip:0301234@127.0.0.1",
        "remote_name": "Caller ID",
    }
    data.update(kw)
    return CallStateChanged(**data)


def test_stores_live_under_the_data_dir(app: Application, tmp_path: Path) -> None:
    assert Path(app.history.path) == tmp_path / "data" / "history.sqlite3"
    assert Path(app.contacts.path) == tmp_path / "data" / "contacts.sqlite3"
    assert app.phone is not None


def test_accounts_snapshot(app: Application) -> None:
    assert app.accounts() == [AccountInfo(name="office", state="not registered")]


def test_events_reach_subscribers_on_the_engine_thread_and_fill_snapshots(
    app: Application,
) -> None:
    app.contacts.add(
        Contact(first_name="Anna", last_name="Berg", numbers=(PhoneNumber("0301234"),))
    )
    events = Events()
    unsubscribe = app.subscribe(events)

    inject(app, call_event(9001, "incoming"))
    [info] = app.list_calls()
    assert isinstance(info, CallInfo)
    assert (info.id, info.state, info.number, info.contact_name) == (
        9001,
        "incoming",
        "0301234",
        "Anna Berg",
    )
    assert info.shown_name == "Anna Berg"
    assert info.connected_at is None and info.started_at is not None
    inject(app, call_event(9001, "connected"))
    connected = app.get_call(9001)
    assert connected is not None and connected.connected_at is not None
    inject(app, call_event(9001, "ended"))
    assert app.list_calls() == []

    [added] = events.wait(HistoryAdded)
    assert added.type == CallType.ACCEPTED_INCOMING.value
    assert added.call == 9001
    assert events.threads == {"parley-engine"}
    [entry] = app.history_entries()
    assert entry.id == added.entry_id
    assert entry.contact_name == "Anna Berg"
    assert entry.name == "Caller ID"
    assert entry.shown_name == "Anna Berg"

    unsubscribe()
    inject(app, call_event(9002, "incoming"))
    assert len(events.of(CallStateChanged)) == 3


def test_a_failing_subscriber_does_not_stop_the_others(app: Application) -> None:
    def broken(event: PhoneEvent) -> None:
        raise RuntimeError("subscriber broke")

    events = Events()
    app.subscribe(broken)
    app.subscribe(events)
    inject(app, call_event(9003, "incoming"))
    assert len(events.of(CallStateChanged)) == 1


def test_history_search_finds_contact_names(app: Application) -> None:
    app.contacts.add(Contact(last_name="Berg", numbers=(PhoneNumber("0301234"),)))
    inject(app, call_event(9004, "incoming"))
    inject(app, call_event(9004, "ended", status=487))
    inject(app, call_event(9005, "incoming", remote="sip:777@x", remote_name=None))
    inject(app, call_event(9005, "ended", remote="sip:777@x", remote_name=None))
    assert [e.number for e in app.history_entries(search="berg")] == ["0301234"]
    assert [e.number for e in app.history_entries(search="777")] == ["777"]
    assert [e.type for e in app.history_entries(types=CallType.MISSED)] == [
        CallType.MISSED,
        CallType.MISSED,
    ]
    assert app.history_entries(search="nobody") == []


def test_the_facades_share_one_engine_context(app: Application) -> None:
    """`app.calls`, `app.audio`, `app.configuration` and `app.directory` are the
    application's commands themselves: what one changes, the others and the snapshots see."""
    app.contacts.add(Contact(last_name="Berg", numbers=(PhoneNumber("0301234"),)))
    inject(app, call_event(9010, "incoming"))
    [info] = app.list_calls()
    assert info.contact_name == "Berg"  # the snapshot named the caller through the directory
    inject(app, call_event(9010, "ended", status=487))
    [entry] = app.directory.history_entries()
    assert entry.contact_name == "Berg" and app.history_entries() == [entry]
    with pytest.raises(AppError, match="9010 has ended"):
        app.calls.hold(9010).result(WAIT)
    with pytest.raises(DialError, match="no account named"):
        app.calls.dial("1002", "nowhere").result(WAIT)
    with pytest.raises(AppError, match=r"0\.0 to 1\.5"):
        app.audio.set_volume("speaker", 2.0).result(WAIT)
    new = app.settings.model_copy(deep=True)
    new.functions.auto_answer = True
    app.configuration.update_settings(new).result(WAIT)
    assert app.settings is new
    assert app.engine.submit(lambda: app.phone.settings is new).result(WAIT)  # type: ignore[union-attr]


def test_commands_on_unknown_calls_fail_with_app_error(app: Application) -> None:
    for future in (
        app.answer(4242),
        app.reject(4242),
        app.hangup(4242),
        app.hold(4242),
        app.resume(4242),
        app.switch_to(4242),
        app.mute(True, 4242),
        app.send_dtmf(4242, "1"),
        app.call_stats(4242),
    ):
        with pytest.raises(AppError, match="4242"):
            future.result(WAIT)
    app.mute(True).result(WAIT)  # no calls: nothing to do, no error


def test_send_dtmf_checks_the_keys(app: Application) -> None:
    with pytest.raises(AppError, match="0-9"):
        app.send_dtmf(1, "12x").result(WAIT)
    with pytest.raises(AppError):
        app.send_dtmf(1, "").result(WAIT)


def test_dial_errors_come_back_through_the_future(app: Application) -> None:
    with pytest.raises(DialError, match="no account named"):
        app.dial("1002", "nowhere").result(WAIT)
    with pytest.raises(DialError, match="no server"):
        app.dial("1002").result(WAIT)  # not registered yet
    with pytest.raises(DialError, match="nothing to dial"):
        app.dial("   ").result(WAIT)


def test_register_unknown_account(app: Application) -> None:
    with pytest.raises(AppError, match="no account named 'home'"):
        app.register("home").result(WAIT)
    with pytest.raises(AppError):
        app.unregister("home").result(WAIT)


def test_call_back_and_contact_from_history(app: Application, monkeypatch: Any) -> None:
    dialled: list[tuple[str, str | None]] = []

    def fake_dial(target: str, account: str | None = None) -> Future[CallInfo]:
        dialled.append((target, account))
        return Future()

    monkeypatch.setattr(app.calls, "dial", fake_dial)  # call_back dials through the facade
    base = HistoryEntry(
        direction=Direction.INCOMING,
        type=CallType.MISSED,
        number="0301234",
        name="Anna",
        account="office",
        start=datetime.now(UTC),
        uri="sip:0301234@pbx",
    )
    app.call_back(base)
    app.call_back(HistoryEntry(**{**base.__dict__, "number": "alice", "uri": "sip:alice@a.b"}))
    app.call_back(HistoryEntry(**{**base.__dict__, "account": "gone"}))
    assert dialled == [
        ("0301234", "office"),
        ("sip:alice@a.b", "office"),
        ("0301234", None),
    ]
    draft = app.contact_from_history(base)
    assert draft.display_name == "Anna" and draft.numbers == (PhoneNumber("0301234"),)
    saved = app.contacts.add(draft)
    assert app.contact_for_number("0301234") == saved


def test_update_settings_adds_changes_and_removes_accounts(
    app: Application, tmp_path: Path
) -> None:
    events = Events()
    app.subscribe(events)

    def phone_accounts() -> dict[str, Any]:
        assert app.phone is not None
        return app.engine.submit(lambda: dict(app.phone.accounts)).result(WAIT)  # type: ignore[union-attr]

    first = phone_accounts()["office"]
    new = app.settings.model_copy(deep=True)
    new.accounts.append(account("home", "1002"))
    app.update_settings(new).result(WAIT)
    assert set(phone_accounts()) == {"office", "home"}
    assert phone_accounts()["office"] is first  # unchanged: left alone
    assert [a.name for a in app.accounts()] == ["office", "home"]
    saved = load_settings(tmp_path / "settings.toml")
    assert [a.name for a in saved.accounts] == ["office", "home"]

    changed = app.settings.model_copy(deep=True)
    changed.accounts[0].username = "1003"
    app.update_settings(changed).result(WAIT)
    assert phone_accounts()["office"] is not first
    assert phone_accounts()["office"].settings.username == "1003"

    fewer = app.settings.model_copy(deep=True)
    fewer.accounts[1].enabled = False
    app.update_settings(fewer).result(WAIT)
    assert set(phone_accounts()) == {"office"}
    assert [(a.name, a.enabled) for a in app.accounts()] == [("office", True), ("home", False)]
    assert len(events.wait(SettingsApplied, 3)) == 3


def test_update_settings_reports_what_needs_a_restart(app: Application) -> None:
    events = Events()
    app.subscribe(events)
    new = app.settings.model_copy(deep=True)
    new.media.tone_region = "north_america"
    new.functions.auto_answer = True
    app.update_settings(new).result(WAIT)
    [applied] = events.wait(SettingsApplied)
    assert applied.restart_needed == ("media.tone_region",)
    tcp = app.settings.model_copy(deep=True)
    tcp.accounts.append(account("home", "1002", transport="tcp"))
    app.update_settings(tcp).result(WAIT)
    assert events.wait(SettingsApplied, 2)[1].restart_needed == ("accounts.listen",)
    assert app.engine.submit(lambda: app.phone.auto_answer).result(WAIT) is True  # type: ignore[union-attr]


def test_invalid_settings_are_refused_and_nothing_is_saved(
    app: Application, tmp_path: Path
) -> None:
    app.save_settings()
    before = (tmp_path / "settings.toml").read_bytes()
    bad = app.settings.model_copy(deep=True)
    bad.accounts.append(account("OFFICE", "1009"))  # the same name, another case
    with pytest.raises(ConfigError, match="every account needs its own name"):
        app.update_settings(bad)
    assert (tmp_path / "settings.toml").read_bytes() == before
    assert [a.name for a in app.settings.accounts] == ["office"]
    data = tomllib.loads(before.decode())
    assert data["accounts"][0]["name"] == "office"


def test_settings_without_a_file_are_not_saved(tmp_path: Path) -> None:
    a = make_app(tmp_path)
    try:
        assert a.settings_path is None
        with pytest.raises(AppError, match="no file"):
            a.save_settings()
        # Not started: applying is only remembering.
        new = a.settings.model_copy(deep=True)
        new.functions.auto_answer = True
        a.update_settings(new).result(WAIT)
        assert a.settings.functions.auto_answer is True
    finally:
        a.stop()


def test_settings_are_loaded_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        '[[accounts]]\nname = "office"\ndomain = "127.0.0.1:9"\nusername = "1001"\n'
        'password = "inline"\nregister_on_startup = false\n'
    )
    a = Application(path, use_keyring=False, data_dir=tmp_path / "d")
    try:
        assert a.settings.accounts[0].name == "office"
        assert a.configuration.passwords == {"office": "inline"}
        assert a.problems == []
    finally:
        a.stop()
    path.write_text("[[accounts]]\nname = 5\n")
    with pytest.raises(ConfigError):
        Application(path, use_keyring=False, data_dir=tmp_path / "d")


def test_missing_passwords_are_reported(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr("parley.app.accounts.get_password", lambda account: None)
    a = make_app(tmp_path, passwords={}, use_keyring=True)
    events = Events()
    a.subscribe(events)
    try:
        assert len(a.problems) == 1 and "no password" in a.problems[0]
        a.start().result(WAIT)
        [error] = events.wait(PhoneError)
        assert "office" in error.text
    finally:
        a.stop()


def test_set_account_password_without_keyring_needs_consent(
    app: Application, monkeypatch: Any
) -> None:
    from parley.settings.secrets import KeyringStatus, SecretStoreError

    monkeypatch.setattr(
        "parley.settings.secrets.keyring_status",
        lambda: KeyringStatus(False, "fail", "no keyring service was found"),
    )
    with pytest.raises(SecretStoreError):
        app.set_account_password("office", "new")
    with pytest.raises(KeyError):
        app.set_account_password("nobody", "new")


def test_stop_is_idempotent_and_final(tmp_path: Path) -> None:
    a = make_app(tmp_path)
    a.start().result(WAIT)
    a.stop()
    a.stop()
    assert not a.engine.running
    with pytest.raises(AppError, match="stopped"):
        a.start()


def test_port_in_use_fails_the_start_future(tmp_path: Path) -> None:
    import socket

    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("127.0.0.1", 0))
    port = blocker.getsockname()[1]
    try:
        a = make_app(tmp_path, settings=Settings(accounts=[account(local_port=port)]))
        events = Events()
        a.subscribe(events)
        try:
            with pytest.raises(OSError):
                a.start().result(WAIT)
            assert any("Cannot open the SIP port" in e.text for e in events.of(PhoneError))
        finally:
            a.stop()
    finally:
        blocker.close()


def test_log_settings_changed_at_run_time_apply_to_the_log(
    app: Application, tmp_path: Path
) -> None:
    """The settings dialog's [log] changes reach the running log: a debug line is written
    once log_level is "debug", and the SIP trace once sip_trace is on (also at "warning")."""
    import io
    import logging

    from parley.app.logs import TRACE_LOGGER, configure_logging

    out = io.StringIO()
    quiet = app.settings.model_copy(deep=True)
    quiet.log.log_level = "warning"
    app.update_settings(quiet).result(WAIT)
    configure_logging(app.settings.log, stream=out)
    try:
        logging.getLogger("parley.test").debug("first debug line")
        logging.getLogger(TRACE_LOGGER).info("first trace line")
        new = app.settings.model_copy(deep=True)
        new.log.log_level = "debug"
        app.update_settings(new).result(WAIT)
        logging.getLogger("parley.test").debug("second debug line")
        logging.getLogger(TRACE_LOGGER).info("second trace line")  # debug lets it through
        traced = app.settings.model_copy(deep=True)
        traced.log.log_level = "warning"
        traced.log.sip_trace = True
        app.update_settings(traced).result(WAIT)
        logging.getLogger("parley.test").info("third info line")
        logging.getLogger(TRACE_LOGGER).info("third trace line")
        # and the phone's endpoint really traces: the setting reaches it as well
        assert app.engine.submit(lambda: app.phone.driver.trace_enabled).result(WAIT)  # type: ignore[union-attr]
    finally:
        configure_logging(Settings().log, stream=io.StringIO())
        logging.getLogger().setLevel(logging.WARNING)
    text = out.getvalue()
    assert "first debug line" not in text and "first trace line" not in text
    assert "second debug line" in text and "second trace line" in text
    assert "third info line" not in text and "third trace line" in text


def _tones_in(path: Path, candidates: tuple[float, ...]) -> set[float]:
    """Which of the `candidates` (Hz) hold a tenth of a WAV's energy or more."""
    import wave

    import numpy as np

    if not path.exists():
        return set()
    with wave.open(str(path)) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        rate = w.getframerate()
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(samples.size, 1.0 / rate)
    total = spectrum.sum()
    return {f for f in candidates if spectrum[np.abs(freqs - f) < 30].sum() > 0.1 * total > 0}


def test_ring_also_through_the_pc_speaker_applies_without_a_restart(tmp_path: Path) -> None:
    """Headset as output and ringing device, the PC's loudspeaker as the hands-free
    output (all WAV files). Calls ring in the headset; once "ring also through the PC
    speaker" is switched on in the running app, in the PC loudspeaker too; switched off
    again, no more."""
    import time

    import numpy as np

    from audio_tools import write_wav

    headset, pc = tmp_path / "headset.wav", tmp_path / "pc.wav"
    settings = Settings(accounts=[account(register_on_startup=False)])
    media = settings.media
    media.input_device = "null"
    media.output_device = media.ring_device = f"file:{headset}"
    media.speaker_input_device = "null"
    media.speaker_output_device = f"file:{pc}"
    a = make_app(tmp_path, settings, settings_path=tmp_path / "settings.toml", audio=None)
    a.start().result(WAIT)
    t = np.arange(48000) / 48000

    def ring(freq: float) -> None:
        """One incoming call rings (a ringtone of its own pitch) for a moment."""
        wav = write_wav(
            tmp_path / f"ring-{freq:.0f}.wav", 8000 * np.sin(2 * np.pi * freq * t), 48000
        )
        phone = a.phone
        assert phone is not None
        a.engine.submit(phone.media.play_ringtone, "call", wav).result(WAIT)
        time.sleep(0.3)
        a.engine.submit(phone.media.stop_tone, "call").result(WAIT)

    def ring_also(on: bool) -> None:
        new = a.settings.model_copy(deep=True)
        new.media.ring_also_pc_speaker = on
        a.update_settings(new).result(WAIT)

    try:
        ring(500.0)
        ring_also(True)
        ring(1000.0)
        ring_also(False)
        ring(1500.0)
    finally:
        a.stop()
    pitches = (500.0, 1000.0, 1500.0)
    assert _tones_in(headset, pitches) == {500.0, 1000.0, 1500.0}
    assert _tones_in(pc, pitches) == {1000.0}


def _bursts(path: Path) -> int:
    """How many separate loud stretches (20 ms blocks above −40 dBFS) a WAV holds."""
    import wave

    import numpy as np

    if not path.exists():
        return 0
    with wave.open(str(path)) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        block = w.getframerate() // 50
    blocks = samples[: samples.size // block * block].reshape(-1, block).astype(np.float64)
    loud = np.sqrt((blocks**2).mean(axis=1)) > 32768 * 10 ** (-40 / 20)
    return int(np.count_nonzero(loud[1:] & ~loud[:-1]) + int(loud[:1].any()))


def test_loudspeaker_uses_the_hands_free_devices_of_the_settings(tmp_path: Path) -> None:
    """The loudspeaker switch of the running app moves sound to `speaker_output_device`
    and takes the microphone from `speaker_input_device` (all files): a test sound before
    the switch comes out of the headset only, one after it out of the PC loudspeaker only,
    and the level meter hears the hands-free microphone's tone, not the headset's silence."""
    import time

    import numpy as np

    from audio_tools import write_wav

    headset, pc = tmp_path / "headset.wav", tmp_path / "pc.wav"
    t = np.arange(48000 * 3) / 48000
    hf_mic = write_wav(tmp_path / "hf-mic.wav", 8000 * np.sin(2 * np.pi * 1000 * t), 48000)
    settings = Settings(accounts=[account(register_on_startup=False)])
    media = settings.media
    media.input_device = "null"
    media.output_device = f"file:{headset}"
    media.speaker_input_device = f"file:{hf_mic}"
    media.speaker_output_device = f"file:{pc}"
    a = make_app(tmp_path, settings, settings_path=tmp_path / "settings.toml", audio=None)
    a.start().result(WAIT)
    try:
        a.play_test_sound(0.3).result(WAIT)
        time.sleep(0.6)
        level_headset = a.input_level_db().result(WAIT)
        assert a.set_loudspeaker(True).result(WAIT) is True
        time.sleep(0.3)
        level_hands_free = a.input_level_db().result(WAIT)
        a.play_test_sound(0.3).result(WAIT)
        time.sleep(0.6)
    finally:
        a.stop()
    assert level_headset < -60, level_headset  # the null microphone
    assert level_hands_free > -30, level_hands_free  # the hands-free file's tone
    assert _bursts(headset) == 1
    assert _bursts(pc) == 1
    assert _tones_in(pc, (440.0, 660.0, 1000.0)) >= {440.0}
