"""The manual's settings that Parley does not have yet, so that a search for one says so
("… is not available in Parley yet") instead of "Nothing found".

Names are the manual's, in our words (``N_``, German in ``locale/de_settings.py``);
``place`` is where the manual has them; ``issue`` is the issue that will bring them
(None: not planned yet). ``words`` are extra search words (abbreviations people type).
Remove an entry when its setting reaches the settings dialog.
"""

from __future__ import annotations

from dataclasses import dataclass

from parley.gui.i18n import N_


@dataclass(frozen=True)
class NotYet:
    name: str
    place: str
    issue: int | None = None
    words: str = ""


CONTACT_SOURCES = 10  # contact sources and number handling
ENCRYPTION_NETWORK = 11  # SRTP, ZRTP, TLS settings, STUN and NAT
PROVISIONING = 12  # provisioning, automation rules, desktop integration, headsets

ISSUE_TOPICS: dict[int, str] = {
    CONTACT_SOURCES: N_("contact sources and number handling"),
    ENCRYPTION_NETWORK: N_("encryption and network"),
    PROVISIONING: N_("provisioning, automation and headsets"),
}

_ACCOUNT_COMPAT = N_("Accounts › Compatibility modes")
_ACCOUNT_NETWORK = N_("Accounts › Network")
_ACCOUNT_ENCRYPTION = N_("Accounts › Encryption")
_CONTACTS = N_("Contacts")
_GUI_APPEARANCE = N_("GUI › Appearance")
_GUI_POPUPS = N_("GUI › Pop-up notifications")
_AUTOMATION = N_("Functions › Automation")
_STUN = N_("Functions › Advanced › Global STUN")
_TLS = N_("Functions › Advanced › TLS")

NOT_YET: tuple[NotYet, ...] = (
    # Accounts
    NotYet(N_("Own ringtone for this account"), N_("Accounts › Functions"), None, "custom"),
    NotYet(N_("Send KPML (Cisco)"), _ACCOUNT_COMPAT, None, "dtmf"),
    NotYet(N_("Cisco call forwarding"), _ACCOUNT_COMPAT, None),
    # Contacts
    NotYet(N_("Import contacts from a CSV file"), _CONTACTS, CONTACT_SOURCES),
    # GUI
    NotYet(N_("Animations"), _GUI_APPEARANCE, None),
    # Functions
    NotYet(N_("Dial from Microsoft Outlook"), _AUTOMATION, PROVISIONING),
)
