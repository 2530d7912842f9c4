"""The application: the one object a front-end (GUI or console) talks to.

It owns the engine thread with its Phone and one `AppContext` over it, and offers the
rest through facades: `calls` (dial, answer, hold, mute, DTMF...), `audio`
(volumes, loudspeaker, levels, test sound), `configuration` (settings, passwords,
accounts), `directory` (history and contacts), `messages` (instant messages) and
`presence` (our state and the watched addresses). Its own methods of the same names
delegate to them, so front-ends may use either. Front-ends get one stream of events
(`subscribe`) and commands returning `concurrent.futures.Future`s, and hold no SIP or
media logic themselves.

Threads: commands may be called from any thread except the engine thread's own event
callbacks when they then wait on the future (that would deadlock). Subscribers are
called **on the engine thread**: a GUI must hand each event over to its own thread (Qt:
emit a signal with a queued connection) and return at once. Snapshots (`list_calls`,
`accounts`) and the stores may be read from any thread.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

import platformdirs

from parley.app.accounts import Configuration
from parley.app.audio import Audio
from parley.app.audio_devices import AudioDevices
from parley.app.blf import Blf
from parley.app.call_switches import reset_at_start
from parley.app.calls import DTMF_KEYS, Calls
from parley.app.conference import ConferenceCalls
from parley.app.contact_sources import SourceTables, make_contact_sources
from parley.app.context import AppContext, AppError, CallRef
from parley.app.directory import Directory
from parley.app.engine import Engine
from parley.app.event_rules import EventRules
from parley.app.events import HistoryAdded, SettingsApplied
from parley.app.headset import Headset
from parley.app.intercom import Intercom
from parley.app.messages import Messages
from parley.app.presence import Presence
from parley.app.provisioning import Provisioning
from parley.app.recorder import HistoryRecorder
from parley.app.recordings import Recordings
from parley.app.snapshots import AccountInfo, CallInfo
from parley.app.tracker import Tracker
from parley.app.transfers import Transfers
from parley.app.updates import UpdateChecker
from parley.app.voicemail import Voicemail
from parley.contacts.model import Contact
from parley.contacts.registry import SourceMatch
from parley.contacts.store import FILE_NAME as CONTACTS_FILE
from parley.contacts.store import ContactStore
from parley.history.model import CallType, HistoryEntry
from parley.history.store import FILE_NAME as HISTORY_FILE
from parley.history.store import HistoryStore
from parley.media.devices import is_device_spec
from parley.media.engine import AudioConfig
from parley.messages.store import FILE_NAME as MESSAGES_FILE
from parley.messages.store import MessageStore
from parley.phone.events import PhoneError, PhoneEvent
from parley.phone.phone import Phone
from parley.settings import (
    PasswordLocation,
    Settings,
    default_config_path,
    load_settings,
)
from parley.settings.model import AccountSettings

log = logging.getLogger(__name__)

APP_NAME = "parley"

__all__ = ["APP_NAME", "DTMF_KEYS", "AppError", "Application", "CallRef", "default_data_dir"]


def default_data_dir() -> Path:
    """Where user data (history, contacts) lives: the platform's user data dir."""
    return Path(platformdirs.user_data_dir(APP_NAME))


class Application:
    """Parley, wired: settings + passwords + stores + engine thread + phone.

    `settings_path`: the settings file (default: the platform's config dir); it is
    loaded now (a missing file gives the defaults; a faulty one raises `ConfigError`).
    Pass `settings` instead to use a model as it is (then nothing is saved unless
    `settings_path` is given too). `passwords` are used before the settings file's
    inline ones and the keyring (`use_keyring=False` never touches the keyring).
    `data_dir`, `history_path`, `contacts_path` and `messages_path` move the stores
    (":memory:" works).
    `default_region` (e.g. "DE") lets national and international spellings of a number
    find the same contact. `source_tables` replaces what fetches the remote contact
    sources (tests), `source_timeout` their deadline per fetch. `bind_host`, `audio` and `auto_answer` go to the Phone.
    Problems found with passwords are in `problems` and are also sent as `PhoneError`
    events when the phone starts.
    """

    def __init__(
        self,
        settings_path: Path | str | None = None,
        *,
        settings: Settings | None = None,
        passwords: Mapping[str, str] | None = None,
        use_keyring: bool = True,
        data_dir: Path | str | None = None,
        history_path: Path | str | None = None,
        contacts_path: Path | str | None = None,
        messages_path: Path | str | None = None,
        default_region: str | None = None,
        source_tables: SourceTables | None = None,
        source_timeout: float | None = None,
        bind_host: str = "0.0.0.0",
        audio: AudioConfig | None = None,
        auto_answer: bool | None = None,
    ) -> None:
        path: Path | None
        if settings_path is not None:
            path = Path(settings_path).expanduser()
        else:
            path = None if settings is not None else default_config_path()
        if settings is None:
            assert path is not None
            settings = load_settings(path, missing_ok=True)
        reset_at_start(settings, path)  # "keep settings after restart" off: switches off
        self.engine = Engine()
        self.phone: Phone | None = None  # lives on the engine thread: do not touch elsewhere
        self._lock = threading.Lock()
        self._subscribers: list[Callable[[PhoneEvent], None]] = []
        self._stopped = False
        self._bind_host = bind_host
        self._audio = audio
        self._auto_answer = auto_answer
        self._tracker = Tracker(lambda number: self.directory.contact_name(number))
        self._ctx = AppContext(
            engine=self.engine,
            phone=self._require_phone,
            settings=lambda: self.configuration.settings,
            dispatch=self._dispatch,
            tracker=self._tracker,
        )
        self.configuration = Configuration(
            self._ctx, settings, path, passwords=passwords or {}, use_keyring=use_keyring
        )

        data = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
        self._data_dir = data  # the ZRTP cache (zrtp-cache.json) lives here too
        history = HistoryStore(history_path if history_path is not None else data / HISTORY_FILE)
        try:
            contacts = ContactStore(
                contacts_path if contacts_path is not None else data / CONTACTS_FILE,
                default_region=default_region or _default_country(settings),
            )
        except BaseException:
            history.close()
            raise
        try:
            message_store = MessageStore(
                messages_path if messages_path is not None else data / MESSAGES_FILE
            )
        except BaseException:
            history.close()
            contacts.close()
            raise
        # The remote sources' caches live next to the contact store (in memory with it).
        if contacts_path is None:
            cache_dir: Path | None = data
        elif str(contacts_path) == ":memory:":
            cache_dir = None
        else:
            cache_dir = Path(contacts_path).expanduser().parent
        self.contact_sources = make_contact_sources(
            settings,
            contacts,
            cache_dir=cache_dir,
            default_region=default_region or _default_country(settings),
            engine=self.engine,
            dispatch=self._dispatch,
            use_keyring=use_keyring,
            tables=source_tables,
            fetch_timeout=source_timeout,
            memory_passwords=self.configuration.source_passwords,
        )
        self.directory = Directory(history, contacts, self.contact_sources)
        self.recorder = HistoryRecorder(history, on_recorded=self._history_added)
        self.calls = Calls(self._ctx, self.recorder)
        self.audio = Audio(self._ctx)
        self.recordings = Recordings(
            self._ctx, data / "recordings", self.directory.contact_name, self.subscribe
        )
        self.transfers = Transfers(self._ctx)
        self.intercom = Intercom(self._ctx)
        self.conference = ConferenceCalls(self._ctx, self.subscribe)
        # The facades the front-ends use (tests may put fakes in their place); the
        # application itself keeps talking to its own.
        self._messages = Messages(self._ctx, message_store, self.directory.contact_name)
        self.messages = self._messages
        self._presence = Presence(self._ctx, self.configuration, contacts, self.contact_sources)
        self.presence = self._presence
        self.voicemail = Voicemail(self._ctx, self.calls, self.subscribe)
        self.blf = Blf(self._ctx, self.subscribe)  # BLF lines and pickup
        # Event rules (Automation › Event rules): URL, program or REST call on events.
        self.rules = EventRules(
            lambda: self.configuration.settings, self._dispatch, self.directory.contact_name
        )
        self.subscribe(self.rules.on_event)
        # Automation › General › "Check for updates" (at most daily, when switched on).
        self.updates = UpdateChecker(lambda: self.configuration.settings, self._dispatch, data)
        self.subscribe(self.updates.on_event)
        # Provisioning (Functions › Provisioning): the profile from the server, applied.
        self.provisioning = Provisioning(self.configuration, self._dispatch, data)
        self.subscribe(self._sources_follow_settings)
        self.subscribe(self._presence.on_app_event)  # after the sources took the settings
        # Functions › Headset: a USB telephony headset's hook switch, mute button and LEDs.
        self.headset = Headset(self, lambda: self.configuration.settings.media.headset)
        # Media › Automatic microphone selection, and the events for the device pop-ups.
        self.audio_devices = AudioDevices(self._ctx)

    # ------------------------------------------------------------------ life cycle

    @property
    def settings(self) -> Settings:
        """The settings in use. Treat as read-only: to change them, edit a
        `model_copy(deep=True)` and pass it to `update_settings`."""
        return self.configuration.settings

    @property
    def settings_path(self) -> Path | None:
        return self.configuration.settings_path

    @property
    def problem_events(self) -> list[PhoneError]:
        """The same problems as events, for a front-end to word them."""
        return self.configuration.problem_events

    @property
    def problems(self) -> list[str]:
        """Problems found with passwords (also sent as `PhoneError` events at start)."""
        return self.configuration.problems

    @property
    def history(self) -> HistoryStore:
        return self.directory.history

    @property
    def contacts(self) -> ContactStore:
        return self.directory.contacts

    def start(self) -> concurrent.futures.Future[None]:
        """Start the engine thread and the phone (listeners, audio, registrations).
        The future fails with OSError when the SIP port cannot be opened."""
        if self._stopped:
            raise AppError("this application has been stopped; make a new one")
        self.engine.start()
        self.updates.start()
        self.contact_sources.start()  # its own worker: never on the engine loop
        return self.engine.call(self._start_phone)

    def _sources_follow_settings(self, event: PhoneEvent) -> None:
        if isinstance(event, SettingsApplied):
            self.contact_sources.http_proxy = self.settings.automation.http_proxy
            self.contact_sources.configure(self.configuration.settings.contacts.sources)

    async def _start_phone(self) -> None:
        if self.phone is not None:
            return
        config = self.configuration
        self.phone = Phone(
            config.settings,
            config.passwords,
            self._on_phone_event,
            bind_host=self._bind_host,
            audio=self._audio,
            auto_answer=self._auto_answer,
            message_store=self._messages.store,
            zrtp_dir=self._data_dir,
            config_dir=config.settings_path.parent if config.settings_path else None,
        )
        for problem in config.problem_events:
            self._dispatch(problem)
        config.phone_started()
        await self.phone.start()
        self._presence.phone_started()
        self.headset.start()
        media = self.phone.media
        if media is not None and (
            is_device_spec(media.config.input) or is_device_spec(media.config.output)
        ):
            self.audio_devices.start()  # files and silence: no sound devices to watch

    def stop(self, timeout: float = 5.0) -> None:
        """Hang up, unregister (each bounded by `timeout`), stop the engine, close the
        stores. Blocks the caller for at most about 2 × `timeout` + 1 seconds."""
        if self._stopped:
            return
        self._stopped = True
        if self.phone is not None and self.engine.running:
            future = self.engine.call(self.phone.stop, timeout)
            try:
                future.result(2 * timeout + 1)
            except Exception:
                log.exception("the phone did not stop cleanly")
        self.provisioning.stop()
        self.headset.stop()
        self.audio_devices.stop()
        self.engine.stop(timeout)
        self.rules.close()
        self.updates.close()
        self.contact_sources.stop()
        self.directory.close()
        self._messages.close()

    def __enter__(self) -> Application:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _require_phone(self) -> Phone:
        if self.phone is None:
            raise AppError("the phone is not started")
        return self.phone

    # ------------------------------------------------------------------ events

    def subscribe(self, callback: Callable[[PhoneEvent], None]) -> Callable[[], None]:
        """Call `callback(event)` for every event; returns a function that unsubscribes.

        The callback runs ON THE ENGINE THREAD and must return quickly: a GUI marshals
        the event to its own thread (Qt: a signal with a queued connection). Exceptions
        it raises are logged and ignored.
        """
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def _dispatch(self, event: PhoneEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:
                log.exception("event subscriber failed for %r", event)

    def _on_phone_event(self, event: PhoneEvent) -> None:
        """Every phone event: snapshots first, then subscribers, then the history."""
        self._tracker.on_event(event)
        self._presence.on_event(event)
        self._dispatch(event)
        self.recorder.on_event(event)

    def _history_added(self, entry: HistoryEntry, call_id: int) -> None:
        assert entry.id is not None
        self._dispatch(
            HistoryAdded(
                entry_id=entry.id,
                call=call_id,
                type=entry.type.value,
                direction=entry.direction.value,
                number=entry.number,
                name=entry.name,
                account=entry.account,
                duration=entry.duration,
                sip_code=entry.sip_code,
            )
        )

    # ------------------------------------------------------------------ snapshots

    def list_calls(self) -> list[CallInfo]:
        """The calls not yet ended, oldest first (safe on any thread)."""
        return self._tracker.list_calls()

    def get_call(self, call_id: int) -> CallInfo | None:
        return self._tracker.get_call(call_id)

    def accounts(self) -> list[AccountInfo]:
        """Every account of the settings with its registration state (safe on any thread)."""
        return self._tracker.accounts(self.configuration.settings.accounts)

    # ------------------------------------------------------------------ calls (see `Calls`)

    def dial(
        self, target: str, account: str | None = None, intercom: bool = False
    ) -> concurrent.futures.Future[CallInfo]:
        """`intercom`: dial with the account's intercom prefix (see `Intercom`)."""
        if intercom:
            return self.intercom.dial(target, account)
        return self.calls.dial(target, account)

    def answer(self, call: CallRef) -> concurrent.futures.Future[None]:
        return self.calls.answer(call)

    def reject(self, call: CallRef) -> concurrent.futures.Future[None]:
        return self.calls.reject(call)

    def hangup(self, call: CallRef) -> concurrent.futures.Future[None]:
        return self.calls.hangup(call)

    def hold(self, call: CallRef) -> concurrent.futures.Future[None]:
        return self.calls.hold(call)

    def resume(self, call: CallRef) -> concurrent.futures.Future[None]:
        return self.calls.resume(call)

    def switch_to(self, call: CallRef) -> concurrent.futures.Future[None]:
        return self.calls.switch_to(call)

    def mute(self, on: bool, call: CallRef | None = None) -> concurrent.futures.Future[None]:
        return self.calls.mute(on, call)

    def send_dtmf(self, call: CallRef, digits: str) -> concurrent.futures.Future[None]:
        return self.calls.send_dtmf(call, digits)

    def set_sas_verified(self, call: CallRef, verified: bool) -> concurrent.futures.Future[None]:
        """ZRTP: the SAS was compared (True) or the comparison withdrawn (False)."""
        return self.calls.set_sas_verified(call, verified)

    def call_stats(self, call: CallRef) -> concurrent.futures.Future[dict[str, object]]:
        return self.calls.stats(call)

    def silence_ringing(self, call: CallRef) -> concurrent.futures.Future[None]:
        return self.calls.silence_ringing(call)

    def call_back(self, entry: HistoryEntry) -> concurrent.futures.Future[CallInfo]:
        return self.calls.call_back(entry)

    # ------------------------------------------------------------------ accounts and settings
    # (see `Configuration`)

    def register(self, account: str) -> concurrent.futures.Future[None]:
        return self.configuration.register(account)

    def unregister(self, account: str) -> concurrent.futures.Future[None]:
        return self.configuration.unregister(account)

    def save_settings(self) -> None:
        self.configuration.save_settings()

    def validate_settings(self, new: Settings) -> None:
        self.configuration.validate_settings(new)

    def update_settings(self, new: Settings) -> concurrent.futures.Future[None]:
        return self.configuration.update_settings(new)

    def set_account_password(self, account: str, password: str) -> PasswordLocation:
        return self.configuration.set_account_password(account, password)

    def stage_account_password(
        self, settings: Settings, account: str, password: str
    ) -> PasswordLocation | None:
        return self.configuration.stage_account_password(settings, account, password)

    def forget_account_password(self, account: AccountSettings) -> None:
        self.configuration.forget_account_password(account)

    @property
    def uses_keyring(self) -> bool:
        """Whether passwords are looked for and stored in the OS keyring."""
        return self.configuration.use_keyring

    # ------------------------------------------------------------------ audio (see `Audio`)

    def set_volume(self, kind: str, level: float) -> concurrent.futures.Future[None]:
        return self.audio.set_volume(kind, level)

    @property
    def loudspeaker(self) -> bool:
        return self.audio.loudspeaker

    def set_loudspeaker(self, on: bool) -> concurrent.futures.Future[bool]:
        return self.audio.set_loudspeaker(on)

    def input_level_db(self) -> concurrent.futures.Future[float]:
        return self.audio.input_level_db()

    def play_test_sound(self, seconds: float = 1.5) -> concurrent.futures.Future[None]:
        return self.audio.play_test_sound(seconds)

    # ------------------------------------------------------------------ history and contacts
    # (see `Directory`)

    def history_entries(
        self,
        *,
        types: CallType | list[CallType] | None = None,
        search: str = "",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[HistoryEntry]:
        return self.directory.history_entries(
            types=types, search=search, limit=limit, offset=offset
        )

    def contact_from_history(self, entry: HistoryEntry) -> Contact:
        return self.directory.contact_from_history(entry)

    def contact_for_number(self, number: str) -> Contact | None:
        """The contact owning `number` in any enabled contact source (local first)."""
        return self.directory.contact_for_number(number)

    def caller(self, number: str) -> SourceMatch | None:
        """Who owns `number` and which contact source knows it (None: nobody)."""
        return self.directory.caller(number)


def _default_country(settings: Settings) -> str | None:
    """The country that national numbers of callers and contacts belong to: the first
    account's "default country for numbers without country code" that is set."""
    return next((a.default_country for a in settings.accounts if a.default_country), None)
