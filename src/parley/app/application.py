"""The application: the one object a front-end (GUI or console) talks to.

It owns the settings (file, passwords), the engine thread with its Phone, the call
history and the local contacts, and the recorder that fills the history. Front-ends get
one stream of events (`subscribe`) and one set of commands (methods returning
`concurrent.futures.Future`s), and hold no SIP or media logic themselves.

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
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import platformdirs
from pydantic import ValidationError

from parley.app.engine import Engine
from parley.app.events import HistoryAdded, SettingsApplied
from parley.app.logs import apply_log_settings
from parley.app.recorder import HistoryRecorder
from parley.app.snapshots import AccountInfo, CallInfo
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.contacts.store import FILE_NAME as CONTACTS_FILE
from parley.contacts.store import ContactStore
from parley.history.db import StoreError
from parley.history.model import CallType, HistoryEntry, number_of
from parley.history.store import FILE_NAME as HISTORY_FILE
from parley.history.store import HistoryStore
from parley.media.engine import AudioConfig
from parley.phone.call import Call
from parley.phone.events import AccountStateChanged, CallStateChanged, PhoneError, PhoneEvent
from parley.phone.phone import Phone, listen_ports, ring_also_devices
from parley.settings import (
    ConfigError,
    PasswordLocation,
    SecretStoreError,
    Settings,
    default_config_path,
    get_password,
    load_settings,
    save_settings,
    set_password,
)
from parley.settings.errors import describe_validation_error
from parley.settings.model import AccountSettings

log = logging.getLogger(__name__)

APP_NAME = "parley"
DTMF_KEYS = frozenset("0123456789*#ABCDabcd")

# Settings read only when the phone starts (devices, DSP, SIP timers): a change to
# them is saved at once but applies at the next start.
_MEDIA_RESTART = (
    "input_device",
    "output_device",
    "speaker_input_device",
    "speaker_output_device",
    "ring_device",
    "echo_cancellation",
    "auto_gain_control",
    "noise_suppression",
    "tone_region",
    "disable_dtmf_sounds",
)
_SIP_RESTART = ("t1", "t2", "t4")

T = TypeVar("T")
CallRef = int | CallInfo


class AppError(Exception):
    """A command cannot be carried out (no such call or account, phone not started…);
    the message says why, for a person."""


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
    `data_dir`, `history_path` and `contacts_path` move the stores (":memory:" works).
    `default_region` (e.g. "DE") lets national and international spellings of a number
    find the same contact. `bind_host`, `audio` and `auto_answer` go to the Phone.
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
        default_region: str | None = None,
        bind_host: str = "0.0.0.0",
        audio: AudioConfig | None = None,
        auto_answer: bool | None = None,
    ) -> None:
        if settings_path is not None:
            self._settings_path: Path | None = Path(settings_path).expanduser()
        else:
            self._settings_path = None if settings is not None else default_config_path()
        if settings is None:
            assert self._settings_path is not None
            settings = load_settings(self._settings_path, missing_ok=True)
        self._settings = settings
        self._given_passwords = dict(passwords or {})
        self._use_keyring = use_keyring
        self._passwords: dict[str, str] = {}
        self.problems: list[str] = self._collect_passwords(settings.accounts)

        data = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
        self.history = HistoryStore(
            history_path if history_path is not None else data / HISTORY_FILE
        )
        try:
            self.contacts = ContactStore(
                contacts_path if contacts_path is not None else data / CONTACTS_FILE,
                default_region=default_region,
            )
        except BaseException:
            self.history.close()
            raise
        self.recorder = HistoryRecorder(self.history, on_recorded=self._history_added)
        self.engine = Engine()
        self.phone: Phone | None = None  # lives on the engine thread: do not touch elsewhere
        self._bind_host = bind_host
        self._audio = audio
        self._auto_answer = auto_answer
        self._lock = threading.Lock()
        self._subscribers: list[Callable[[PhoneEvent], None]] = []
        self._calls: dict[int, CallInfo] = {}
        self._account_states: dict[str, AccountInfo] = {}
        self._applied_passwords: dict[str, str] = {}
        self._stopped = False
        self._loudspeaker_on = False

    # ------------------------------------------------------------------ life cycle

    @property
    def settings(self) -> Settings:
        """The settings in use. Treat as read-only: to change them, edit a
        `model_copy(deep=True)` and pass it to `update_settings`."""
        return self._settings

    @property
    def settings_path(self) -> Path | None:
        return self._settings_path

    def start(self) -> concurrent.futures.Future[None]:
        """Start the engine thread and the phone (listeners, audio, registrations).
        The future fails with OSError when the SIP port cannot be opened."""
        if self._stopped:
            raise AppError("this application has been stopped; make a new one")
        self.engine.start()
        return self.engine.call(self._start_phone)

    async def _start_phone(self) -> None:
        if self.phone is not None:
            return
        self.phone = Phone(
            self._settings,
            self._passwords,
            self._on_phone_event,
            bind_host=self._bind_host,
            audio=self._audio,
            auto_answer=self._auto_answer,
        )
        for text in self.problems:
            self._dispatch(PhoneError(text=text))
        for account in self._settings.accounts:
            if account.enabled:
                self._applied_passwords[account.name] = self._passwords.get(account.name, "")
        await self.phone.start()

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
        self.engine.stop(timeout)
        self.history.close()
        self.contacts.close()

    def __enter__(self) -> Application:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

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
        if isinstance(event, CallStateChanged):
            self._track_call(event)
        elif isinstance(event, AccountStateChanged):
            with self._lock:
                self._account_states[event.account] = AccountInfo(
                    name=event.account,
                    state=event.state,
                    status=event.status,
                    reason=event.reason,
                    expires=event.expires,
                    server=event.server,
                    cause=event.cause,
                    detail=event.detail,
                    user=event.user,
                    domain=event.domain,
                    transport=event.transport,
                )
        self._dispatch(event)
        self.recorder.on_event(event)

    def _track_call(self, event: CallStateChanged) -> None:
        now = datetime.now(UTC)
        with self._lock:
            old = self._calls.get(event.call)
        number = number_of(event.remote)
        contact_name = old.contact_name if old is not None and old.number == number else None
        if old is None or old.number != number:
            contact_name = self._contact_name(number)
        connected_at = old.connected_at if old is not None else None
        if connected_at is None and event.state in ("connected", "held"):
            connected_at = now
        info = CallInfo(
            id=event.call,
            account=event.account,
            direction=event.direction,
            state=event.state,
            remote=event.remote,
            number=number,
            remote_name=event.remote_name,
            contact_name=contact_name,
            held=event.held,
            muted=event.muted,
            codec=event.codec,
            status=event.status,
            reason=event.reason,
            cause=event.cause,
            ended_by=event.ended_by,
            detail=event.detail,
            started_at=old.started_at if old is not None else now,
            connected_at=connected_at,
        )
        with self._lock:
            if event.state == "ended":
                self._calls.pop(event.call, None)
            else:
                self._calls[event.call] = info

    def _contact_name(self, number: str) -> str | None:
        try:
            contact = self.contacts.lookup_number(number)
        except StoreError:
            log.exception("contact look-up failed")
            return None
        return contact.name if contact is not None else None

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
        with self._lock:
            return sorted(self._calls.values(), key=lambda c: c.id)

    def get_call(self, call_id: int) -> CallInfo | None:
        with self._lock:
            return self._calls.get(call_id)

    def accounts(self) -> list[AccountInfo]:
        """Every account of the settings with its registration state (safe on any thread)."""
        with self._lock:
            states = dict(self._account_states)
        out = []
        for account in self._settings.accounts:
            info = states.get(account.name) or AccountInfo(name=account.name)
            out.append(replace(info, enabled=account.enabled))
        return out

    # ------------------------------------------------------------------ commands

    def _require_phone(self) -> Phone:
        if self.phone is None:
            raise AppError("the phone is not started")
        return self.phone

    def _live_call(self, ref: CallRef) -> Call:
        call_id = ref.id if isinstance(ref, CallInfo) else int(ref)
        call = self._require_phone().calls.get(call_id)
        if call is None or call.ended:
            raise AppError(f"call {call_id} has ended")
        return call

    def _on_call(self, ref: CallRef, action: Callable[[Call], T]) -> concurrent.futures.Future[T]:
        return self.engine.submit(lambda: action(self._live_call(ref)))

    def dial(self, target: str, account: str | None = None) -> concurrent.futures.Future[CallInfo]:
        """Call `target` (a number dialled on the account's domain, or a SIP URI) from
        `account` (default: the first registered one). Fails with `DialError` (a
        ValueError) for targets or accounts that cannot be dialled."""
        return self.engine.call(self._dial, target, account)

    async def _dial(self, target: str, account: str | None) -> CallInfo:
        call = await self._require_phone().dial(target, account)
        return self.get_call(call.id) or self._info_of(call)

    def _info_of(self, call: Call) -> CallInfo:
        number = number_of(call.remote)
        return CallInfo(
            id=call.id,
            account=call.account.name,
            direction=call.direction,
            state=call.state,
            remote=call.remote,
            number=number,
            remote_name=call.remote_name,
            contact_name=self._contact_name(number),
            held=call.held,
            muted=call.muted,
            started_at=datetime.now(UTC),
        )

    def answer(self, call: CallRef) -> concurrent.futures.Future[None]:
        return self._on_call(call, lambda c: c.answer())

    def reject(self, call: CallRef) -> concurrent.futures.Future[None]:
        """Refuse a ringing incoming call (486 or 603 as the settings say); it goes into
        the history as a rejected call, not a missed one."""

        def run(c: Call) -> None:
            self.recorder.note_rejected(c.id)
            c.reject()

        return self._on_call(call, run)

    def hangup(self, call: CallRef) -> concurrent.futures.Future[None]:
        """End a call in any state (hanging up a ringing incoming call rejects it)."""

        def run(c: Call) -> None:
            if c.direction == "incoming" and c.state == "incoming":
                self.recorder.note_rejected(c.id)
            c.hangup()

        return self._on_call(call, run)

    def hold(self, call: CallRef) -> concurrent.futures.Future[None]:
        return self._on_call(call, lambda c: c.hold())

    def resume(self, call: CallRef) -> concurrent.futures.Future[None]:
        return self._on_call(call, lambda c: c.resume())

    def switch_to(self, call: CallRef) -> concurrent.futures.Future[None]:
        """Make `call` the active one: hold every other connected call, then resume it
        (or answer it, when it is a waiting incoming call)."""

        def run(target: Call) -> None:
            for other in list(self._require_phone().calls.values()):
                if other is target or other.ended:
                    continue
                if other.state == "connected" and not other.held_by_us:
                    other.hold()
            if target.direction == "incoming" and target.state == "incoming":
                target.answer()
            elif target.held_by_us:
                target.resume()

        return self._on_call(call, run)

    def mute(self, on: bool, call: CallRef | None = None) -> concurrent.futures.Future[None]:
        """Mute (send silence, no re-INVITE) one call, or every current call when
        `call` is None."""

        def run() -> None:
            targets = (
                [self._live_call(call)]
                if call is not None
                else [c for c in self._require_phone().calls.values() if not c.ended]
            )
            for c in targets:
                c.set_mute(on)
                with self._lock:
                    info = self._calls.get(c.id)
                    if info is not None:
                        self._calls[c.id] = replace(info, muted=on)

        return self.engine.submit(run)

    def send_dtmf(self, call: CallRef, digits: str) -> concurrent.futures.Future[None]:
        """Send keys 0-9 * # A-D in the account's DTMF mode."""
        bad = sorted(set(digits) - DTMF_KEYS)
        if bad or not digits:
            future: concurrent.futures.Future[None] = concurrent.futures.Future()
            future.set_exception(
                AppError(f"{digits!r} cannot be sent as DTMF: use only 0-9, *, # and A-D")
            )
            return future
        return self._on_call(call, lambda c: c.send_dtmf(digits.upper()))

    def call_stats(self, call: CallRef) -> concurrent.futures.Future[dict[str, object]]:
        """Quality figures of a call's RTP stream (codec, packets, loss, jitter…)."""
        return self._on_call(call, lambda c: c.stats())

    def register(self, account: str) -> concurrent.futures.Future[None]:
        return self.engine.call(self._register, account, True)

    def unregister(self, account: str) -> concurrent.futures.Future[None]:
        return self.engine.call(self._register, account, False)

    async def _register(self, name: str, on: bool) -> None:
        account = self._require_phone().accounts.get(name)
        if account is None:
            raise AppError(f"no account named {name!r} is in use (is it enabled?)")
        if on:
            await account.register()
        else:
            await account.unregister()

    # ------------------------------------------------------------------ history and contacts

    def history_entries(
        self,
        *,
        types: CallType | list[CallType] | None = None,
        search: str = "",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[HistoryEntry]:
        """History entries newest first, with `contact_name` filled for known numbers.
        `search` also finds entries whose number belongs to a matching contact."""
        entries = self.history.list(types=types, search=search, limit=limit, offset=offset)
        names: dict[str, str | None] = {}
        for entry in entries:
            if entry.number not in names:
                names[entry.number] = self._contact_name(entry.number)
        out = [replace(e, contact_name=names[e.number]) for e in entries]
        if search.strip():
            # Entries whose contact's name matches (the stored name may be another one).
            seen = {e.id for e in out}
            needle = search.strip().casefold()
            for contact in self.contacts.list(search=search):
                if needle not in contact.name.casefold():
                    continue
                for n in contact.numbers:
                    for e in self.history.list(types=types, number=n.number):
                        if e.id not in seen:
                            seen.add(e.id)
                            out.append(replace(e, contact_name=contact.name))
            out.sort(key=lambda e: (e.start, e.id or 0), reverse=True)
        return out

    def call_back(self, entry: HistoryEntry) -> concurrent.futures.Future[CallInfo]:
        """Dial the party of a history entry, from the same account when it still exists."""
        from parley.contacts.numbers import is_dialable

        target = entry.number if is_dialable(entry.number) or not entry.uri else entry.uri
        account = (
            entry.account
            if any(a.name == entry.account and a.enabled for a in self._settings.accounts)
            else None
        )
        return self.dial(target, account)

    def contact_from_history(self, entry: HistoryEntry) -> Contact:
        """A new, unsaved contact prefilled from a history entry, for the user to complete
        (it only validates once a last name, display name or company is filled in)."""
        return Contact(
            display_name=entry.name or "",
            numbers=(PhoneNumber(entry.number, NumberType.OTHER),),
        )

    def contact_for_number(self, number: str) -> Contact | None:
        return self.contacts.lookup_number(number)

    # ------------------------------------------------------------------ settings

    def _collect_passwords(self, accounts: list[AccountSettings]) -> list[str]:
        """Fill in passwords: given ones, then the file's inline ones, then the keyring."""
        problems: list[str] = []
        for account in accounts:
            if account.name in self._given_passwords:
                self._passwords[account.name] = self._given_passwords[account.name]
                continue
            if account.password is not None:
                self._passwords[account.name] = account.password.get_secret_value()
                continue
            if not self._use_keyring:
                continue
            try:
                secret = get_password(account)
            except SecretStoreError as exc:
                problems.append(f"Account {account.name}: {exc}")
                continue
            if secret is None:
                problems.append(
                    f"Account {account.name}: no password in the settings file or the "
                    "keyring — registration fails if the server asks for one; enter the "
                    "password in the account settings"
                )
            else:
                self._passwords[account.name] = secret
        return problems

    def save_settings(self) -> None:
        """Write the settings in use to their file (atomically); ConfigError on failure."""
        if self._settings_path is None:
            raise AppError("these settings have no file to be saved to")
        save_settings(self._settings, self._settings_path)

    def validate_settings(self, new: Settings) -> None:
        """Raise `ConfigError` (with every problem) when `new` could not be saved and
        loaded back."""
        try:
            Settings.model_validate(new.model_dump())
        except ValidationError as exc:
            raise ConfigError(
                self._settings_path or Path("settings"),
                describe_validation_error(exc, Settings, "fix the value; nothing was saved"),
            ) from None

    def update_settings(self, new: Settings) -> concurrent.futures.Future[None]:
        """Validate `new`, save it (atomically) and apply it to the running phone.

        Validation and saving happen now, on the caller's thread: a `ConfigError` is
        raised and nothing changes when either fails. Applying happens on the engine:
        an account that was added, changed or given a new password is (re-)registered,
        a removed or disabled one unregistered. Devices and SIP timers take effect at the
        next start; a `SettingsApplied` event names them.
        """
        self.validate_settings(new)
        if self._settings_path is not None:
            save_settings(new, self._settings_path)
        old = self._settings
        self._settings = new
        if old.log != new.log:  # the log is the process's, phone or not
            apply_log_settings(new.log)
        fresh = [a for a in new.accounts if a.name not in self._passwords or a.password]
        self.problems.extend(self._collect_passwords(fresh))
        if self.phone is None or not self.engine.running:
            done: concurrent.futures.Future[None] = concurrent.futures.Future()
            done.set_result(None)
            return done
        return self.engine.call(self._apply, old, new)

    def set_account_password(self, account: str, password: str) -> PasswordLocation:
        """Store an account's password (keyring, or the settings file only when
        plain-text passwords are allowed) and use it from the next registration; apply
        with `update_settings(app.settings)` or `register`. Raises `SecretStoreError`."""
        settings = self._settings.account(account)  # KeyError for an unknown account
        location = set_password(settings, password, self._settings)
        self._passwords[settings.name] = password
        if self._settings_path is not None:
            save_settings(self._settings, self._settings_path)
        return location

    async def _apply(self, old: Settings, new: Settings) -> None:
        phone = self._require_phone()
        phone.settings = new
        phone.driver.trace_enabled = new.log.sip_trace
        # "Ring also through the PC speaker" holds from the next call that rings.
        phone.audio_config.ring_also_output = new.media.ring_also_pc_speaker
        if self._audio is None:  # a front-end with its own audio decides ringing itself
            phone.audio_config.ring_also = ring_also_devices(new.media)
        if self._auto_answer is None:
            phone.auto_answer = new.functions.auto_answer
        restart = [
            f"media.{name}"
            for name in _MEDIA_RESTART
            if getattr(old.media, name) != getattr(new.media, name)
        ]
        restart += [
            f"sip.{name}"
            for name in _SIP_RESTART
            if getattr(old.sip, name) != getattr(new.sip, name)
        ]
        wanted = {a.name: a for a in new.accounts if a.enabled}
        # The phone opens its SIP listeners at start: a new port or a first TCP account
        # needs a restart to be listened on.
        if _listen_plan(old) != _listen_plan(new):
            restart.append("accounts.listen")
        failures: list[str] = []
        for name, account in list(phone.accounts.items()):
            target = wanted.get(name)
            if (
                target is None
                or account.settings.model_dump() != target.model_dump()
                or self._passwords.get(name, "") != self._applied_passwords.get(name, "")
            ):
                try:
                    await self._remove_account(phone, name)
                except Exception as exc:
                    log.exception("removing account %s", name)
                    failures.append(f"{name}: {exc}")
        for name, target in wanted.items():
            if name in phone.accounts:
                continue
            self._applied_passwords[name] = self._passwords.get(name, "")
            try:
                added = phone.add_account(target)
                if target.register_on_startup:
                    await added.register()
            except Exception as exc:
                log.exception("adding account %s", name)
                failures.append(f"{name}: {exc}")
        self._dispatch(SettingsApplied(restart_needed=tuple(restart)))
        if failures:
            text = "Some account changes could not be applied: " + "; ".join(failures)
            self._dispatch(PhoneError(text=text))
            raise AppError(text)

    async def _remove_account(self, phone: Phone, name: str) -> None:
        account = phone.accounts.pop(name)
        self._applied_passwords.pop(name, None)
        try:
            await account.unregister()
        finally:
            await account.close()
            with self._lock:
                self._account_states.pop(name, None)

    # ------------------------------------------------------------------ desktop app (issue #4)

    def set_volume(self, kind: str, level: float) -> concurrent.futures.Future[None]:
        """Set the default device's volume: `kind` "speaker" (what we hear) or
        "microphone" (what we send), `level` 0.0 (silent) to 1.5; 1.0 leaves the audio as
        it is. It is a gain on the device's port in the audio bridge, so it holds for
        every call and tone."""
        if kind not in ("speaker", "microphone") or not 0.0 <= level <= 1.5:
            future: concurrent.futures.Future[None] = concurrent.futures.Future()
            future.set_exception(
                AppError(f"volume {kind!r} {level!r}: use speaker or microphone, 0.0 to 1.5")
            )
            return future

        def run() -> None:
            media = self._require_phone().media
            if kind == "speaker":
                media.set_speaker_level(level)
            else:
                media.set_microphone_level(level)

        return self.engine.submit(run)

    @property
    def loudspeaker(self) -> bool:
        """True while the hands-free devices are in use (see `set_loudspeaker`)."""
        return self._loudspeaker_on

    def set_loudspeaker(self, on: bool) -> concurrent.futures.Future[bool]:
        """Switch the audio to the hands-free devices (`media.speaker_input_device`,
        `media.speaker_output_device`) or back to the normal ones. The connections and
        volumes of the old device move to the new one, so calls and tones go on. The
        future gives the state now in use."""
        return self.engine.submit(self._switch_devices, on)

    def _switch_devices(self, on: bool) -> bool:
        m = self._settings.media
        hands_free = (m.speaker_input_device, m.speaker_output_device)
        self._require_phone().media.set_loudspeaker(on, hands_free)
        self._loudspeaker_on = on
        return on

    def silence_ringing(self, call: CallRef) -> concurrent.futures.Future[None]:
        """Stop the ringing (or call-waiting tone) of one incoming call; the call still
        rings at the caller's side and stays shown. It cannot be undone for this call."""
        return self._on_call(call, lambda c: self._require_phone().stop_ringing(c))

    # ------------------------------------------------------------------ for the settings dialog,
    # the first-start wizard and the audio assistant (issue #4)

    def stage_account_password(
        self, settings: Settings, account: str, password: str
    ) -> PasswordLocation | None:
        """Store a new password for `account` of `settings` — a copy about to be passed
        to `update_settings`, which then (re-)registers with it.

        With the keyring in use it goes there; otherwise into `settings` (saved in the
        file) when plain-text passwords are allowed; otherwise (`use_keyring=False`) it
        is kept in memory for this run only and None is returned. Raises
        `SecretStoreError` (keyring unusable and no consent to plain text) and KeyError
        (no such account in `settings`)."""
        from pydantic import SecretStr

        target = settings.account(account)
        location: PasswordLocation | None
        if self._use_keyring:
            location = set_password(target, password, settings)
        elif settings.allow_plaintext_passwords:
            target.password = SecretStr(password)
            location = PasswordLocation.SETTINGS_FILE
        else:
            location = None
        self._passwords[target.name] = password
        return location

    @property
    def uses_keyring(self) -> bool:
        """Whether passwords are looked for and stored in the OS keyring."""
        return self._use_keyring

    def forget_account_password(self, account: AccountSettings) -> None:
        """Forget a deleted account's password: in memory, and in the keyring when the
        keyring is in use. Raises `SecretStoreError` when the keyring refuses."""
        from parley.settings import delete_password

        self._passwords.pop(account.name, None)
        self._given_passwords.pop(account.name, None)
        account.password = None
        if self._use_keyring:
            delete_password(account)

    def input_level_db(self) -> concurrent.futures.Future[float]:
        """The microphone's level (RMS dBFS of the last frame the device gave the
        bridge, before any gain; -inf for silence or no frame yet), read on the engine."""

        def run() -> float:
            media = self._require_phone().media
            if media is None:
                raise AppError("the audio is not started")
            return media.input_level_db()

        return self.engine.submit(run)

    def play_test_sound(self, seconds: float = 1.5) -> concurrent.futures.Future[None]:
        """Play a short test tone (a soft 440 + 660 Hz chord) on the output device; the
        future is done when the tone has been queued, not when it has finished."""

        def run() -> None:
            media = self._require_phone().media
            if media is None:
                raise AppError("the audio is not started")
            media.play_test_sound(seconds)

        return self.engine.submit(run)


def _listen_plan(settings: Settings) -> tuple[list[int], bool]:
    """What `Phone` listens on: each enabled account's local port, and TCP or not."""
    return (listen_ports(settings), any(a.transport == "tcp" for a in settings.accounts))
