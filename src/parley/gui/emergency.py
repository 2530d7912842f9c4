"""The manual's warning that the softphone is not for emergency calls, said where a
person dials one: below the dial field as soon as an emergency number is typed, and in
the call view while the call is made.

The call itself is NOT stopped or delayed. Many PBXes route 112/911 to a trunk, and a
person in an emergency whose only phone at hand is this one must be able to try: a
question ("Call anyway?") would cost seconds and could be answered wrongly in a panic.
So Parley dials at once and says plainly, while it dials, that the call may not get
through, that no location is sent, and to use another phone if it fails.

Which numbers: the numbers 3GPP TS 22.101 (§10.1.1) has every mobile phone treat as
emergency numbers — 112 and 911 everywhere, and 000, 110, 118, 119, 999 — plus the
emergency numbers that `phonenumbers` knows for the region of the desktop's locale
(e.g. 15, 17, 18 in France, 144 in Austria), so the list fits where the user is. The
3GPP list's "08" is left out: no country dials it for help, and as the warning follows
what is typed, it would flash at every number of a German 08… area code.
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from phonenumbers import shortnumberinfo
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QLabel, QWidget

from parley.contacts.numbers import clean_number
from parley.gui.i18n import tr

# 3GPP TS 22.101 §10.1.1: emergency numbers of every mobile phone (with or without SIM).
# ("08" left out: see above.)
EMERGENCY_NUMBERS = frozenset({"112", "911", "000", "110", "118", "119", "999"})

_USER_PART = re.compile(r"^(?:sips?:|tel:)?([^@;]+)", re.IGNORECASE)


@cache
def _region() -> str | None:
    """The desktop's region (ISO 3166, e.g. "DE") if phonenumbers knows it."""
    name = QLocale.system().name()  # "de_DE", or "C" where none is set
    code = name.partition("_")[2][:2].upper()
    return code if code in phonenumbers.SUPPORTED_SHORT_REGIONS else None


def emergency_number(text: str, region: str | None = None) -> str | None:
    """The emergency number `text` dials (a typed number, `tel:112` or `sip:112@pbx`),
    or None. `region`: where the user is (default: the desktop's locale)."""
    found = _USER_PART.match(text.strip())
    if found is None:
        return None
    number = clean_number(found.group(1))
    if number in EMERGENCY_NUMBERS:
        return number
    region = region or _region()
    if region and number.isdigit() and shortnumberinfo.is_emergency_number(number, region):
        return number
    return None


def warning_text(number: str) -> str:
    return tr(
        "{number} is an emergency number. Parley cannot guarantee emergency calls: "
        "the call may not get through and your location is not sent. If you can, use "
        "a mobile or landline phone.",
        number=number,
    )


class EmergencyWarning(QLabel):
    """A red-framed warning; `show_for(text)` shows it when `text` is an emergency
    number and hides it otherwise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emergencyWarning")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setStyleSheet(
            "QLabel#emergencyWarning { color: #ffffff; background: #b3261e;"
            " border-radius: 4px; padding: 6px; font-weight: bold; }"
        )
        self.setAccessibleName(tr("Emergency call warning"))
        self.setVisible(False)

    def show_for(self, text: str) -> bool:
        number = emergency_number(text)
        self.setText(warning_text(number) if number else "")
        self.setAccessibleDescription(self.text())
        self.setVisible(number is not None)
        return number is not None
