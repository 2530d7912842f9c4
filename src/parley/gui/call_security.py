"""What a person sees of a call's encryption (issue #11): the lock in the call view, the
call list and the main window's call bar; the ZRTP short authentication string (SAS)
shown large with "Verify" / "Unverify"; a red warning when ZRTP's retained secret did not
match; and why SRTP that the account wanted did not happen. The words are in
gui/security_texts.py.

Verifying the SAS goes through `SasFacade` (`Application.set_sas_verified`): where the
application has no such method yet, the buttons stay hidden and the code is still shown
to be read aloud.
"""

from __future__ import annotations

import concurrent.futures
from typing import Any, Protocol

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QFont,
    QIcon,
    QPainter,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parley.app.snapshots import CallInfo
from parley.gui import icons
from parley.gui.facades import Runner
from parley.gui.i18n import tr
from parley.gui.icons import GREEN, RED
from parley.gui.security_texts import (
    LOCK_ICONS,
    Protection,
    lock_details,
    lock_text,
    mismatch_text,
    problem_text,
    protection_of,
    shows_lock,
    spelled,
)

AMBER_TEXT = "#9a6700"  # amber dark enough for text on a light background

__all__ = [
    "CallSecurity",
    "LockLabel",
    "SasFacade",
    "SasPanel",
    "list_row_security",
    "sas_facade_of",
]


class SasFacade(Protocol):
    """The command that marks a ZRTP call's SAS as compared (or not) by the person."""

    def set_sas_verified(self, call_id: int, verified: bool) -> concurrent.futures.Future[None]: ...


def sas_facade_of(application: Any) -> SasFacade | None:
    """The application itself when it can set the SAS verified, else None."""
    return application if callable(getattr(application, "set_sas_verified", None)) else None


def lock_icon(call: CallInfo) -> QIcon:
    name, colour = LOCK_ICONS[protection_of(call)]
    return icons.icon(name, colour)


class LockLabel(QLabel):
    """The lock as an icon with the details as tooltip and accessible name; empty and
    hidden for a call without media yet. `with_text` puts the short words beside it."""

    def __init__(self, size: int = 18, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._size = size
        self.setVisible(False)

    def show_call(self, call: CallInfo | None, suite: str = "") -> None:
        if call is None or not shows_lock(call):
            self.clear()
            self.setVisible(False)
            return
        name, colour = LOCK_ICONS[protection_of(call)]
        self.setPixmap(icons.pixmap(name, self._size, colour))  # drawn at its size: sharp
        self.setToolTip(lock_details(call, suite))
        self.setAccessibleName(tr("Encryption: {state}", state=lock_text(call)))
        self.setAccessibleDescription(self.toolTip())
        self.setVisible(True)


def keep_whole(label: QLabel, width: int) -> None:
    """A wrapped label never squeezed below the lines its text needs at `width` (a
    layout short of room would otherwise cut it, in German sooner than in English)."""
    if label.wordWrap():
        # Less the style's padding and frame, which the label's own sum leaves out;
        # from no minimum (the label's answer never goes below the minimum it has).
        label.setMinimumHeight(0)
        needed = label.heightForWidth(max(width - 24, 160)) + 4
        label.setMinimumHeight(needed if label.text() else 0)
    else:
        label.setMinimumHeight(label.sizeHint().height())


_WARNING = (
    "QLabel {{ color: {colour}; background: {fill}; border: 1px solid {colour};"
    " border-radius: 6px; padding: 6px; }}"
)


class SasPanel(QFrame):
    """A ZRTP call's code, big, to be read aloud and compared, its verified state and
    the buttons that record the comparison."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        box = QVBoxLayout(self)
        box.setContentsMargins(10, 6, 10, 6)
        self.warning = QLabel()  # the retained secret did not match
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(_WARNING.format(colour=RED, fill="rgba(210,59,59,30)"))
        self.warning.setVisible(False)
        box.addWidget(self.warning)
        self.hint = QLabel(tr("Read this code aloud; the other person must see the same."))
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.hint)
        self.code = QLabel()
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(self.font().pointSizeF() * 2.2)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 4)
        self.code.setFont(font)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.code)
        row = QHBoxLayout()
        row.addStretch(1)
        self.state = QLabel()
        row.addWidget(self.state)
        self.verify_button = QPushButton(tr("Verify"))
        self.verify_button.setToolTip(tr("The other person read the same code"))
        self.verify_button.setAccessibleDescription(self.verify_button.toolTip())
        self.unverify_button = QPushButton(tr("Unverify"))
        self.unverify_button.setToolTip(tr("Mark the code as not compared"))
        self.unverify_button.setAccessibleDescription(self.unverify_button.toolTip())
        for button in (self.verify_button, self.unverify_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            row.addWidget(button)
        row.addStretch(1)
        box.addLayout(row)
        self.setVisible(False)

    def _fit(self) -> None:
        inner = (self.width() if self.width() > 100 else 400) - 24
        for label in (self.warning, self.hint, self.code):
            keep_whole(label, inner)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def show_call(self, call: CallInfo | None, can_verify: bool, pending: bool) -> None:
        zrtp = call is not None and call.media_encryption == "zrtp" and shows_lock(call)
        self.setVisible(zrtp)
        if call is None or not zrtp:
            return
        self.warning.setText(mismatch_text(call.shown_name))
        self.warning.setVisible(call.zrtp_cache_mismatch)
        self.code.setText(call.sas or "…")
        self.code.setAccessibleName(
            tr("Security code: {sas}", sas=spelled(call.sas)) if call.sas else tr("Security code")
        )
        verified = call.sas_verified and not call.zrtp_cache_mismatch
        self.state.setText(tr("Verified") if verified else tr("Not verified"))
        self.state.setStyleSheet(
            f"QLabel {{ color: {GREEN if verified else AMBER_TEXT}; font-weight: bold; }}"
        )
        # After a warning the code must be compared again: "Verify", whatever the cache said.
        self.verify_button.setVisible(can_verify and not verified and bool(call.sas))
        self.unverify_button.setVisible(can_verify and verified)
        for button in (self.verify_button, self.unverify_button):
            button.setEnabled(not pending)
        self._fit()


class CallSecurity(QWidget):
    """The call view's security row: the lock with its words, the SAS panel for ZRTP,
    and the sentence for an encryption problem. `show_call` with each snapshot."""

    def __init__(self, application: Any, run: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.application = application
        self._run = run
        self._sas: SasFacade | None = None  # looked up with each call (wired later)
        self._pending: set[int] = set()  # calls with a verify command under way
        self._suites: dict[int, str] = {}  # the SRTP suite per call, from its statistics
        self._asked: set[int] = set()
        self._call: CallInfo | None = None
        self._levels: dict[int, Protection] = {}  # each call's lock as last shown
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addStretch(1)
        self.lock = LockLabel(20)
        row.addWidget(self.lock)
        self.text = QLabel()
        row.addWidget(self.text)
        row.addStretch(1)
        box.addLayout(row)
        self.problem = QLabel()  # SRTP wanted but not had: why
        self.problem.setWordWrap(True)
        self.problem.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.problem.setStyleSheet(f"QLabel {{ color: {AMBER_TEXT}; }}")
        self.problem.setVisible(False)
        box.addWidget(self.problem)
        self.sas = SasPanel()
        box.addWidget(self.sas)
        self.sas.verify_button.clicked.connect(lambda: self._set_verified(True))
        self.sas.unverify_button.clicked.connect(lambda: self._set_verified(False))
        self.setVisible(False)

    def show_call(self, call: CallInfo | None) -> None:
        self._call = call
        self._sas = sas_facade_of(self.application)
        if call is None:
            self.setVisible(False)
            return
        self._ask_suite(call)
        suite = self._suites.get(call.id, "")
        self.lock.show_call(call, suite)
        media = shows_lock(call)
        self.text.setText(lock_text(call) if media else "")
        self.text.setToolTip(self.lock.toolTip())
        self.text.setVisible(media)
        level = protection_of(call)
        colour = {Protection.PROTECTED: GREEN, Protection.MISMATCH: RED}.get(level, "")
        self.text.setStyleSheet(f"QLabel {{ color: {colour}; }}" if colour else "")
        sentence = problem_text(call.encryption_problem)
        self.problem.setText(sentence)
        self.problem.setVisible(bool(sentence))
        keep_whole(self.problem, self.width() if self.width() > 100 else 400)
        self.sas.show_call(call, self._sas is not None, call.id in self._pending)
        self.setVisible(media or bool(sentence))
        if media:
            self._announce(call, level)

    def _announce(self, call: CallInfo, level: Protection) -> None:
        """Screen readers hear the lock change (verified, unverified) and, at once, a
        security warning; the first state of an ordinary call is not said."""
        before = self._levels.get(call.id)
        self._levels[call.id] = level
        if before == level or (before is None and level is not Protection.MISMATCH):
            return
        text = lock_text(call)
        if level is Protection.MISMATCH:
            text = mismatch_text(call.shown_name)
        event = QAccessibleAnnouncementEvent(self, text)
        if level is Protection.MISMATCH:
            event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
        QAccessible.updateAccessibility(event)

    def _ask_suite(self, call: CallInfo) -> None:
        """The SRTP suite is in the call's statistics, not its snapshot: ask once."""
        if call.media_encryption != "srtp" or call.id in self._asked or not shows_lock(call):
            return
        stats = getattr(self.application, "call_stats", None)
        if stats is None:
            return
        self._asked.add(call.id)

        def done(data: dict[str, object], call_id: int = call.id) -> None:
            suite = data.get("srtp_suite")
            if isinstance(suite, str) and suite:
                self._suites[call_id] = suite
                if self._call is not None and self._call.id == call_id:
                    self.show_call(self._call)

        self._run(stats(call.id), done, lambda _exc: None)

    def _set_verified(self, verified: bool) -> None:
        call = self._call
        if call is None or self._sas is None:
            return
        self._pending.add(call.id)
        self.sas.show_call(call, True, True)

        def over(_result: object = None, call_id: int = call.id) -> None:
            # The engine reports the new state with the call's next event.
            self._pending.discard(call_id)
            self.show_call(self._call)

        self._run(self._sas.set_sas_verified(call.id, verified), over, over)


def list_row_security(list_widget: QListWidget, item: QListWidgetItem, call: CallInfo) -> None:
    """A call list row gets the lock beside its state icon, and its words in the
    tooltip and in what a screen reader reads for the row."""
    if not shows_lock(call):
        return
    state = item.icon()
    size = 16
    list_widget.setIconSize(QSize(2 * size + 4, size))
    pm = QPixmap(2 * size + 4, size)
    pm.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pm)
    if not state.isNull():
        painter.drawPixmap(QRect(0, 0, size, size), state.pixmap(size, size))
    painter.drawPixmap(QRect(size + 4, 0, size, size), lock_icon(call).pixmap(size, size))
    painter.end()
    item.setIcon(QIcon(pm))
    words = lock_text(call)
    item.setToolTip(f"{item.text()}\n{words}")
    item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{item.text()}, {words}")
