"""Small pieces shared by the windows: avatars, list rows, buttons, text formats, and
the confirmation question (a module function so tests can answer it)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, QLocale, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
    QPainterPath,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from parley.gui import icons
from parley.gui.i18n import N_, current_language, tr
from parley.history.model import CallType

# Avatar background colours, picked by the name so a person keeps their colour.
_AVATAR_COLOURS = ("#5b7fd6", "#3fa373", "#c9624d", "#8a62c9", "#c98f2e", "#3f9fb0", "#b04f86")

CALL_TYPE_LABELS: dict[CallType, str] = {
    CallType.SUCCESSFUL_OUTGOING: N_("Successful outgoing call"),
    CallType.UNSUCCESSFUL_OUTGOING: N_("Unsuccessful outgoing call"),
    CallType.REJECTED_OUTGOING: N_("Rejected outgoing call"),
    CallType.ACCEPTED_INCOMING: N_("Accepted call"),
    CallType.REJECTED_INCOMING: N_("Rejected incoming call"),
    CallType.MISSED: N_("Missed call"),
    CallType.TRANSFERRED: N_("Successful transferred call"),
    CallType.FORWARDED: N_("Forwarded call"),
    CallType.DEFLECTED: N_("Deflected call"),
}

CALL_STATES: dict[str, str] = {
    "dialing": N_("Dialling…"),
    "ringing": N_("Ringing…"),
    "early media": N_("Ringing…"),
    "incoming": N_("Incoming call"),
    "connected": N_("Connected"),
    "held": N_("On hold"),
    "ended": N_("Ended"),
}


def call_type_label(kind: CallType) -> str:
    return tr(CALL_TYPE_LABELS[kind])


def state_label(state: str, held: str | None = None) -> str:
    if held == "them":
        return tr("Held by the other side")
    if held in ("us", "both"):
        return tr("On hold")
    return tr(CALL_STATES.get(state, state))


def initials_of(name: str) -> str:
    """Up to two capitals from a shown name ("Anna Berg" → "AB"; a number → "#")."""
    words = [w for w in name.split() if w[:1].isalpha()]
    if not words:
        return "#" if name.strip() else ""
    return "".join(w[0] for w in words[:2]).upper()


def format_duration(seconds: float) -> str:
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def local_time(moment: datetime) -> datetime:
    return moment.astimezone()


# Date forms per GUI language: (this year, in a list; another year, in a list; in full).
# English uses the month's name so the date reads alike in the UK and the US.
_DATE_FORMS: dict[str, tuple[str, str, str]] = {
    "de": ("d. MMM", "dd.MM.yy", "dd.MM.yyyy"),
    "en": ("d MMM", "d MMM yyyy", "d MMM yyyy"),
}
_LOCALES = {
    "de": (QLocale.Language.German, QLocale.Country.Germany),
    "en": (QLocale.Language.English, QLocale.Country.UnitedKingdom),
}


def _format_day(day: date, form: int) -> str:
    language = current_language() if current_language() in _DATE_FORMS else "en"
    locale = QLocale(*_LOCALES[language])
    return locale.toString(QDate(day.year, day.month, day.day), _DATE_FORMS[language][form])


def format_date(moment: datetime) -> str:
    """The full date in the GUI language's form ("01.12.2026", "1 Dec 2026")."""
    return _format_day(local_time(moment).date(), 2)


def format_time(moment: datetime) -> str:
    return local_time(moment).strftime("%H:%M")


def format_when(moment: datetime, now: datetime | None = None) -> str:
    """Short time for a list: the clock time today, "Yesterday", else the date (the year
    only when it is not this year)."""
    day = local_time(moment).date()
    today = local_time(now).date() if now is not None else datetime.now().astimezone().date()
    if day == today:
        return format_time(moment)
    if day == today - timedelta(days=1):
        return tr("Yesterday")
    return _format_day(day, 0 if day.year == today.year else 1)


def format_when_full(moment: datetime) -> str:
    """Date and time, for a tooltip."""
    return f"{format_date(moment)} {format_time(moment)}"


class Avatar(QWidget):
    """A round picture, or the initials on a coloured disc when there is none."""

    def __init__(self, size: int = 40, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._size = size
        self._text = ""
        self._image: QImage | None = None
        self._colour = QColor(_AVATAR_COLOURS[0])
        self.setFixedSize(size, size)

    def set_person(
        self, name: str, picture: bytes | None = None, initials: str | None = None
    ) -> None:
        self._text = initials if initials is not None else initials_of(name)
        self._colour = QColor(_AVATAR_COLOURS[sum(map(ord, name)) % len(_AVATAR_COLOURS)])
        self._image = None
        if picture:
            image = QImage.fromData(picture)
            if not image.isNull():
                self._image = image
        self.update()

    @property
    def text(self) -> str:
        return self._text

    @property
    def has_picture(self) -> bool:
        return self._image is not None

    def sizeHint(self) -> QSize:
        return QSize(self._size, self._size)

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(0, 0, self._size, self._size)
        clip = QPainterPath()
        clip.addEllipse(rect)
        p.setClipPath(clip)
        if self._image is not None:
            scaled = self._image.scaled(
                self._size,
                self._size,
                Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                Qt.TransformationMode.SmoothTransformation,
            )
            x = (scaled.width() - self._size) // 2
            y = (scaled.height() - self._size) // 2
            p.drawImage(0, 0, scaled, x, y, self._size, self._size)
        else:
            p.fillRect(rect, self._colour)
            font = QFont(self.font())
            font.setPixelSize(max(8, int(self._size * 0.4)))
            font.setBold(True)
            p.setFont(font)
            p.setPen(QColor("white"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._text)
        p.end()


class EntryRow(QWidget):
    """One row of the contact or history list: avatar, name, number, and on the right
    an optional call-type icon with a time."""

    def __init__(
        self,
        name: str,
        number: str,
        *,
        picture: bytes | None = None,
        initials: str | None = None,
        call_type: CallType | None = None,
        when: str = "",
        when_tip: str = "",
        favourite: bool = False,
        show_avatar: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(8)
        self.avatar = Avatar(34)
        self.avatar.set_person(name, picture, initials)
        layout.addWidget(self.avatar)
        # Only once it has a parent: shown before, it would be a window of its own for a
        # moment and take the focus from the main window (the keyboard user loses it).
        self.avatar.setVisible(show_avatar)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        self.name_label = QLabel(name)
        bold = self.name_label.font()
        bold.setBold(True)
        self.name_label.setFont(bold)
        self.number_label = QLabel(number)
        self.number_label.setEnabled(False)  # drawn faded: secondary text
        name_row = QHBoxLayout()
        name_row.setSpacing(4)
        name_row.addWidget(self.name_label)
        # The contact's presence (a coloured dot), when it is known.
        self.presence_dot = QLabel()
        self.presence_dot.setVisible(False)
        name_row.addWidget(self.presence_dot)
        name_row.addStretch(1)
        texts.addLayout(name_row)
        texts.addWidget(self.number_label)
        layout.addLayout(texts, 1)
        if favourite:
            star = QLabel()
            star.setPixmap(icons.pixmap("star_filled", 14))
            star.setToolTip(tr("Favourite"))
            layout.addWidget(star)
        self.when_label: QLabel | None = None  # when the call was (history rows)
        if call_type is not None:
            right = QVBoxLayout()
            right.setSpacing(0)
            kind = QLabel()
            kind.setPixmap(icons.pixmap(call_type.value, 16))
            kind.setToolTip(call_type_label(call_type))
            kind.setAlignment(Qt.AlignmentFlag.AlignRight)
            right.addWidget(kind)
            self.when_label = QLabel(when)
            self.when_label.setEnabled(False)
            self.when_label.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.when_label.setToolTip(when_tip)
            right.addWidget(self.when_label)
            layout.addLayout(right)
        self.call_type = call_type
        self.presence: str | None = None

    def set_presence(self, dot: QPixmap | None, tip: str = "", state: str | None = None) -> None:
        """Show a presence dot beside the name (None: presence unknown, no dot)."""
        self.presence = state if dot is not None else None
        self.presence_dot.setVisible(dot is not None)
        if dot is not None:
            self.presence_dot.setPixmap(dot)
        self.presence_dot.setToolTip(tip)


class ElidedLabel(QLabel):
    """One line of text that never widens its row: when there is not room for all of it,
    it ends in "…" and the whole text becomes the tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self._elide()

    def full_text(self) -> str:
        return self._full

    def is_elided(self) -> bool:
        return self.text() != self._full

    def minimumSizeHint(self) -> QSize:
        return QSize(
            self.fontMetrics().horizontalAdvance("…") * 3, super().minimumSizeHint().height()
        )

    def sizeHint(self) -> QSize:
        return QSize(
            self.fontMetrics().horizontalAdvance(self._full) + 4, super().sizeHint().height()
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._elide()

    def _elide(self) -> None:
        if not self.isVisible():  # not laid out yet: its width says nothing
            shown = self._full
        else:
            room = self.contentsRect().width()
            shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, room)
        super().setText(shown)
        self.setToolTip(self._full if shown != self._full else "")


def tool_button(
    name: str, tip: str, *, checkable: bool = False, size: int = 22, text: str = ""
) -> QToolButton:
    """A flat button with one of our icons and a tooltip (its accessible name too)."""
    button = QToolButton()
    button.setIcon(icons.icon(name))
    button.setIconSize(QSize(size, size))
    button.setToolTip(tip)
    button.setAccessibleName(tip)
    button.setAutoRaise(True)
    button.setCheckable(checkable)
    if text:
        button.setText(text)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
    return button


def round_button(name: str, tip: str, colour: str, size: int = 48) -> QToolButton:
    """A big round coloured button (call, hang up, accept, reject)."""
    button = QToolButton()
    button.setIcon(icons.icon(name, "#ffffff"))
    button.setIconSize(QSize(size // 2, size // 2))
    button.setFixedSize(size, size)
    button.setToolTip(tip)
    button.setAccessibleName(tip)
    button.setStyleSheet(
        f"QToolButton {{ background: {colour}; border: none; border-radius: {size // 2}px; }}"
        f"QToolButton:hover {{ background: {QColor(colour).lighter(115).name()}; }}"
        f"QToolButton:disabled {{ background: #9aa0a8; }}"
    )
    return button


def heading(text: str, scale: float = 1.4) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return label


def ask(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask a yes/no question (tests replace this function)."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def inform(parent: QWidget | None, title: str, text: str, *, error: bool = False) -> None:
    """Show a message that needs no answer (tests replace this function)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information)
    box.setWindowTitle(title)
    box.setText(text)
    box.open()  # not exec(): never block the event loop the engine's signals arrive on


def entry_pixmap(kind: CallType, size: int = 16) -> QPixmap:
    return icons.pixmap(kind.value, size)
