"""Translations of the desktop app: English source strings are the keys.

Every visible string goes through ``tr("English text", **fmt)``. The German catalogs are
plain dicts in ``parley.gui.locale.de_main`` (main and call windows) and
``parley.gui.locale.de_settings`` (settings, wizard, audio assistant) and
``parley.gui.locale.de_texts`` (why calls end and registrations fail) and
``parley.gui.locale.de_calls`` (transfer, conference, recording) and
``parley.gui.locale.de_presence`` (presence, BLF, voicemail, chat); this module merges
them. ``N_("text")`` marks a string for translation where it is defined (tables built at
import time) and is translated with ``tr(text)`` where it is shown. A unit test scans the
source for ``tr("…")`` and ``N_("…")`` literals and fails when one has no German entry.

The language is chosen once at start (``set_language(settings.gui.language)``) before the
first window is built; a change in the settings takes effect at the next start.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from parley.app.translation import DEFAULT_LANGUAGE, LANGUAGES, Translator

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "current_language",
    "install_qt_translations",
    "load_catalog",
    "set_language",
    "tr",
]

# Catalog modules per language; a module not there yet (another part of the app being
# written) is skipped, so a missing catalog never stops the app.
_CATALOG_MODULES: dict[str, tuple[str, ...]] = {
    "de": (
        "parley.gui.locale.de_main",
        "parley.gui.locale.de_settings",
        "parley.gui.locale.de_texts",  # call ends and registrations (gui/texts.py)
        "parley.gui.locale.de_calls",  # call control and its settings
        "parley.gui.locale.de_presence",  # presence, BLF, voicemail counts, chat
        "parley.gui.locale.de_firststart",  # wizard, audio assistant, first-start notices
        "parley.gui.locale.de_history",  # missed calls, recent calls, contact view
        "parley.gui.locale.de_incall",  # call states, ended calls, emergency warning
        "parley.gui.locale.de_keys",  # shortcuts, help view, accessible names
        "parley.gui.locale.de_engine",  # engine messages: status bar, SIP reasons, devices
        "parley.gui.locale.de_polish",  # network problems, pickups, ended calls beside others
        "parley.gui.locale.de_security",  # the lock, ZRTP code, SRTP problems (issue #11)
        "parley.gui.locale.de_numbers",  # phone number modification (issue #10)
        "parley.gui.locale.de_desktop",  # autostart, links (issue #12)
        "parley.gui.locale.de_provisioning",  # first start from a provisioning server
        "parley.gui.locale.de_rules",  # event rules, update check (issue #12)
        "parley.gui.locale.de_csv",  # importing contacts from a CSV file (issue #10)
        "parley.gui.locale.de_avpf",  # RTCP feedback (AVPF) setting (issue #11)
        "parley.gui.locale.de_sources",  # contact sources: settings page, states (issue #10)
        "parley.gui.locale.de_srtp2",  # STUN failure on the account (issue #11)
        "parley.gui.locale.de_headset",  # Functions › Headset (issue #12)
        "parley.gui.locale.de_outage",  # calls that lose the network (issue #11 §6)
        "parley.gui.locale.de_srckeys",  # a CSV file as a contact source (issue #10 §4)
        "parley.gui.locale.de_cloudsrc",  # Google/Outlook sources, their sign-in (issue #10)
        "parley.gui.locale.de_ctlhead",  # the control API in the desktop app (issue #12)
        "parley.gui.locale.de_devices",  # automatic microphone selection, device pop-ups
        "parley.gui.locale.de_export",  # contact export, the contact list (issue #10)
        "parley.gui.locale.de_davbooks",  # CardDAV/Google address book choice (issue #10)
        "parley.gui.locale.de_outlookmap",  # Outlook profile, attribute mapping (issue #10)
        "parley.gui.locale.de_contactpres",  # a local contact's presence account
    ),
}

_translator = Translator(_CATALOG_MODULES)
_qt_translators: list[Any] = []


def load_catalog(language: str) -> dict[str, str]:
    """The merged catalog of ``language`` (empty for English, the source language)."""
    return _translator.catalog(language)


def set_language(language: str) -> str:
    """Switch to ``language`` ("en" or "de"); an unknown code falls back to English.
    Returns the language now in use. Windows built afterwards use it."""
    return _translator.set_language(language)


def current_language() -> str:
    return _translator.language


def tr(text: str, /, **fmt: object) -> str:
    """``text`` in the current language, with ``{name}`` fields filled from ``fmt``.

    An untranslated string is shown in English rather than not at all.
    """
    return _translator.tr(text, **fmt)


def N_(text: str) -> str:
    """Mark ``text`` for translation without translating it now (see module doc)."""
    return text


def install_qt_translations(app: Any) -> None:
    """Load Qt's own German strings (standard dialog buttons, context menus) into the
    QApplication ``app`` when the current language is not English."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    for old in _qt_translators:
        app.removeTranslator(old)
    _qt_translators.clear()
    if _translator.language == DEFAULT_LANGUAGE:
        return
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    for base in ("qtbase",):
        translator = QTranslator(app)
        if translator.load(QLocale(_translator.language), base, "_", str(folder)):
            app.installTranslator(translator)
            _qt_translators.append(translator)
        else:
            log.info("no Qt translation %s_%s in %s", base, _translator.language, folder)
