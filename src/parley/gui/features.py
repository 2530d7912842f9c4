"""Presence, BLF, voicemail and instant messages in the main window: builds their
widgets into it (presence selector and voicemail counts in the status bar, the BLF
panel under the contacts, the chat beside them, presence dots on contacts and in the
call window, the chat actions) and feeds them the engine's events.

Each part appears when its facade exists (`facades_of`); until the application has a
presence facade the selector keeps our state in the settings only.
"""

from __future__ import annotations

import concurrent.futures
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint
from PySide6.QtWidgets import QMenu, QVBoxLayout

from parley.app.events import AudioDeviceChange, AudioDeviceChanged, SettingsApplied
from parley.gui import icons
from parley.gui.blf_panel import BlfPanel
from parley.gui.chat_setup import ChatSetup
from parley.gui.chat_view import ChatPanel
from parley.gui.facades import Facades, PresenceFacade, facades_of, same_party, uri_user
from parley.gui.i18n import tr
from parley.gui.notifications import Notifier
from parley.gui.presence_view import (
    MwiIndicator,
    PresenceSelector,
    mwi_accounts,
    presence_for,
    presence_pixmap,
    presence_text,
)
from parley.gui.widgets import EntryRow, tool_button
from parley.phone.events import (
    BlfChanged,
    CallStateChanged,
    MessageReceived,
    MessageStatus,
    MwiChanged,
    NetworkChanged,
    PhoneEvent,
    PresenceChanged,
    TypingChanged,
)
from parley.sip.pidf import PresenceState

if TYPE_CHECKING:
    from parley.app.application import Application
    from parley.gui.main_window import MainWindow


class SettingsPresence:
    """Our presence kept in the settings only (no presence facade yet): the selector
    works, nothing is published."""

    def __init__(self, application: Application) -> None:
        self.application = application

    def state(self) -> tuple[PresenceState, str]:
        f = self.application.settings.functions
        return PresenceState(f.presence), f.presence_note or ""

    def set_state(self, state: PresenceState, note: str = "") -> concurrent.futures.Future[None]:
        new = self.application.settings.model_copy(deep=True)
        new.functions.presence = state.value
        new.functions.presence_note = note or None
        return self.application.update_settings(new)

    def _done(self) -> concurrent.futures.Future[None]:
        future: concurrent.futures.Future[None] = concurrent.futures.Future()
        future.set_result(None)
        return future

    def watch(self, uri: str) -> concurrent.futures.Future[None]:
        return self._done()

    def unwatch(self, uri: str) -> concurrent.futures.Future[None]:
        return self._done()

    def watched(self) -> dict[str, PresenceChanged]:
        return {}


class Features(QObject):
    """The parts of `window` for issue #9; `facades` default to the application's."""

    def __init__(self, window: MainWindow, facades: Facades | None = None) -> None:
        super().__init__(window)
        self.window = window
        app = window.application
        self.facades = facades if facades is not None else facades_of(app)
        run = window.bridge.run
        self.notifier = Notifier(window.tray, window.status.show_message)
        self.last_actions: list[str] = []  # what the last notification did (tests)
        self.known_presence: dict[str, PresenceState] = {}
        self.presence_events: dict[str, PresenceChanged] = {}

        # --- status bar: presence selector first, the voicemail counts beside the button
        status_layout = window.status.layout()
        assert status_layout is not None
        presence: PresenceFacade = self.facades.presence or SettingsPresence(app)
        self.presence = PresenceSelector(presence, run)
        status_layout.insertWidget(0, self.presence)  # type: ignore[attr-defined]
        self.mwi: MwiIndicator | None = None
        if self.facades.voicemail is not None:
            self.mwi = MwiIndicator(self.facades.voicemail, app.settings, run)
            index = status_layout.indexOf(window.status.voicemail_button)
            status_layout.insertWidget(index + 1, self.mwi)  # type: ignore[attr-defined]

        # --- BLF panel under the list
        self.blf: BlfPanel | None = None
        left = window.left.layout()
        assert isinstance(left, QVBoxLayout)
        if self.facades.blf is not None:
            self.blf = BlfPanel(self.facades.blf, run, self.name_for)
            left.insertWidget(left.indexOf(window.compact_bar), self.blf)
            self.blf.dial_requested.connect(window.dial)

        # --- chat: a page of the call window, a button there and in the compact bar
        self.chat: ChatPanel | None = None
        self._chat_open = False
        self.compact_chat = tool_button("chat", tr("Instant Messaging"))
        self.compact_chat.setVisible(False)
        bar = window.compact_bar.layout()
        assert bar is not None
        bar.insertWidget(2, self.compact_chat)  # type: ignore[attr-defined]
        if self.facades.messages is not None:
            self.chat = ChatPanel(self.facades.messages, run)
            window.right.addWidget(self.chat)
            self.chat.unread_changed.connect(self._unread_changed)
            self.compact_chat.setVisible(True)
            self.compact_chat.clicked.connect(self.chat_with_shown)
            window.call_window.chat_requested.connect(self.chat_with_shown)
            window.call_panel.chat_button.setVisible(True)
            window.call_panel.chat_button.clicked.connect(self.chat_with_call)
            self.chat.back_button.clicked.connect(self.close_chat)
            self.chat.reload()
            # "Set one here": a local contact without a chat address gets one.
            self.chat_setup = ChatSetup(window.call_window)
        window.call_window.shown.connect(self._party_shown)
        window.status.compact_toggled.connect(self._call_window_toggled)
        self.apply_settings()
        window.bridge.event.connect(self.on_event)

    # ------------------------------------------------------------------ helpers

    @property
    def application(self) -> Application:
        return self.window.application

    def name_for(self, uri: str) -> str:
        """The contact name of an address or extension ("" when no contact has it)."""
        contact = self.application.contact_for_number(uri_user(uri))
        return contact.name if contact is not None else ""

    def watched(self) -> dict[str, PresenceChanged]:
        """The last known presence per address: the facade's, else what events said."""
        known = dict(self.presence_events)
        if self.facades.presence is not None:
            known.update(self.facades.presence.watched())
        return known

    def apply_settings(self) -> None:
        settings = self.application.settings
        if self.mwi is not None:
            self.mwi.apply_settings(settings)
            has_mwi = bool(mwi_accounts(settings))
            # The counted button replaces the plain one where an account has MWI.
            self.window.status.voicemail_button.setVisible(not has_mwi)
        if self.blf is not None:
            self.blf.reload()

    # ------------------------------------------------------------------ events

    def on_event(self, event: PhoneEvent) -> None:
        if isinstance(event, PresenceChanged):
            self._presence(event)
        elif isinstance(event, MwiChanged) and self.mwi is not None:
            before = self.mwi.summaries.get(event.account)
            self.mwi.on_mwi(event)
            if event.new > (before.new if before is not None else 0):
                self.last_actions = self.notifier.voicemail(
                    self.window.gui, event.account, event.new
                )
        elif isinstance(event, BlfChanged) and self.blf is not None:
            self.blf.on_blf(event)
        elif isinstance(event, MessageReceived | MessageStatus | TypingChanged):
            self._message(event)
        elif isinstance(event, SettingsApplied):
            self.apply_settings()
        elif isinstance(event, CallStateChanged):
            self._call_changed(event)
        elif isinstance(event, NetworkChanged):
            self.last_actions = self.notifier.network(
                self.window.gui, event.account, event.new, len(event.calls)
            )
        elif isinstance(event, AudioDeviceChanged):
            connected = event.change is AudioDeviceChange.ADDED
            now = event.microphone or event.speaker
            self.last_actions = self.notifier.audio_device(
                self.window.gui, event.device, connected, now
            )

    def _call_changed(self, event: CallStateChanged) -> None:
        """A call that starts ringing here takes the call window from the chat."""
        if self.chat is None:
            return
        self.chat.back_button.setVisible(bool(self.application.list_calls()))
        if event.state == "incoming" and self.chatting:
            self.close_chat()

    def _presence(self, event: PresenceChanged) -> None:
        if event.own:
            self.presence.on_presence(event)
            return
        before = self.known_presence.get(event.uri)
        self.known_presence[event.uri] = event.state
        self.presence_events[event.uri] = event
        self.decorate(self.window.items())
        self._party_shown()
        came_online = event.state is PresenceState.ONLINE and before not in (
            None,
            PresenceState.ONLINE,
        )
        if came_online:
            name = self.name_for(event.uri) or uri_user(event.uri)
            self.last_actions = self.notifier.contact_online(self.window.gui, name)

    def _message(self, event: MessageReceived | MessageStatus | TypingChanged) -> None:
        if self.chat is None:
            return
        shown = self.chat.on_event(event)
        if isinstance(event, MessageReceived):
            seen = shown and self.chat.isVisible() and self.window.isActiveWindow()
            if not seen:
                name = event.sender_name or self.name_for(event.sender) or uri_user(event.sender)
                self.last_actions = self.notifier.message(self.window.gui, name, event.text)

    def _unread_changed(self, total: int) -> None:
        tip = tr("Instant Messaging")
        if total:
            tip = tr("Instant Messaging: {count} unread", count=total)
        self.compact_chat.setToolTip(tip)
        self.compact_chat.setText(str(total) if total else "")
        self.compact_chat.setIcon(icons.icon("chat", icons.RED if total else None))
        self.window.call_window.chat_button.setToolTip(tip)

    # ------------------------------------------------------------------ contacts

    def decorate(self, items: list[tuple[str, int, EntryRow]]) -> None:
        """Presence dots on the contacts in the list whose presence is known."""
        watched = self.watched()
        if not watched:
            return
        for kind, item_id, row in items:
            numbers: list[str] = []
            if kind == "contact":
                contact = self.application.contacts.get(item_id)
                numbers = [n.number for n in contact.numbers] if contact else []
                if contact is not None and contact.presence:
                    numbers.insert(0, contact.presence)
            else:
                numbers = [row.number_label.text()]
            found = presence_for(watched, numbers)
            if found is None:
                row.set_presence(None)
            else:
                row.set_presence(
                    presence_pixmap(found.state, 10),
                    presence_text(found.state, found.note),
                    found.state.value,
                )

    def _party_shown(self) -> None:
        """The call window shows a party: its presence and whether it can be chatted with."""
        cw = self.window.call_window
        numbers = [n.number for n in cw.numbers()]
        if cw.contact is not None and cw.contact.presence:
            numbers.insert(0, cw.contact.presence)
        found = presence_for(self.watched(), numbers) if numbers else None
        cw.presence_row.setVisible(found is not None)
        if found is not None:
            cw.presence_dot.setPixmap(presence_pixmap(found.state, 12))
            cw.presence_label.setText(presence_text(found.state, found.note))
        cw.chat_button.setVisible(self.chat is not None and bool(numbers))

    # ------------------------------------------------------------------ chat

    @property
    def chatting(self) -> bool:
        """The chat is shown: the call window stays open for it (also in compact mode)."""
        return self._chat_open and self.window.right.currentWidget() is self.chat

    def _call_window_toggled(self, closed: bool) -> None:
        if closed and self._chat_open:
            self._chat_open = False
            self.window._update_right()

    def open_chat(self, uri: str, name: str = "", account: str | None = None) -> None:
        """Show the conversation with `uri` in the call window (which opens for it)."""
        if self.chat is None:
            return
        window = self.window
        self._chat_open = True
        window.right.setCurrentWidget(self.chat)
        window._update_right()
        self.chat.open(uri, name, account)
        self.chat.mark_read()

    def close_chat(self) -> None:
        """Leave the chat: the call window shows the calls (or the party) again."""
        self._chat_open = False
        cw = self.window.call_window
        if self.window.right.currentWidget() is self.chat:
            shown = cw.entry is not None or cw.contact is not None
            self.window.right.setCurrentWidget(cw if shown else self.window.welcome)
        self.window._update_right()

    def chat_with_call(self) -> None:
        """Instant Messaging with the party of the current call."""
        call = self.window.call_panel.current
        if call is not None:
            self.open_chat(call.remote, call.shown_name, call.account)
            if self.chat is not None:
                self.chat.back_button.setVisible(True)

    def chat_with_shown(self) -> None:
        """Instant Messaging with the party in the call window (a choice of numbers when
        it has several)."""
        cw = self.window.call_window
        numbers = cw.numbers()
        name = cw.name_label.text()
        # A contact is written to from its source's "account for outgoing calls".
        account = cw.entry.account if cw.entry is not None else (cw.contact_account or None)
        if cw.entry is None and cw.source_name and cw.contact is not None:
            if cw.contact.presence:
                # The manual (p. 94): messages to a directory's contact go to its Work IP
                # Phone, which the source made the contact's presence and chat address.
                self.open_chat(cw.contact.presence, name, account)
                return
        if len(numbers) == 1:
            self.open_chat(numbers[0].number, name, account)
        elif numbers:
            menu = QMenu(self.window)
            for n in numbers:
                menu.addAction(n.number, partial(self.open_chat, n.number, name, account))
            menu.popup(self.compact_chat.mapToGlobal(QPoint(0, self.compact_chat.height())))

    def context_actions(self, menu: QMenu, kind: str, item_id: int) -> None:
        """ "Send a message" in a contact's (or call's) context menu."""
        if self.chat is None:
            return
        menu.addAction(icons.icon("chat"), tr("Send a message"), self.chat_with_shown)

    def conversation_with(self, number: str) -> str | None:
        """The peer address of an existing conversation with `number`, if any."""
        if self.chat is None:
            return None
        return next((p for p in self.chat.rows if same_party(p, number)), None)
