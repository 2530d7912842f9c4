"""Translations of the console: English source strings are the keys.

Every sentence the console prints for a person goes through ``tr("English text",
**fmt)``; ``N_("text")`` marks a string in a table built at import time, translated with
``tr(text)`` where it is printed. The German catalogs are dicts in the modules of
``parley.cli.locale`` listed below. A unit test scans src/parley/cli for ``tr("…")`` and
``N_("…")`` literals and fails when one has no German entry with the same {fields}.

The language is the user's one setting ``[gui] language`` (the desktop app's too), chosen
at start. Machine-readable output is never translated: JSON keys and values that are codes
(states, causes, ids) stay as they are; only the ``text`` a person reads follows the
language. Words of the lower layers that arrive as free text (``detail``: a server's
reason phrase, an OS error) are shown as they came.
"""

from __future__ import annotations

from parley.app.translation import DEFAULT_LANGUAGE, LANGUAGES, Translator

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "current_language",
    "load_catalog",
    "set_language",
    "tr",
]

_CATALOG_MODULES: dict[str, tuple[str, ...]] = {
    "de": (
        "parley.cli.locale.de_console",  # the console's frame: start, help, calls, errors
        "parley.cli.locale.de_texts",  # what the phone reports (cli/texts.py)
        "parley.cli.locale.de_sources",  # contact sources, sign-in, import/export
        "parley.cli.locale.de_commands",  # the feature commands (transfer, BLF, chat, ...)
    ),
}

_translator = Translator(_CATALOG_MODULES)


def load_catalog(language: str) -> dict[str, str]:
    """The merged catalog of ``language`` (empty for English, the source language)."""
    return _translator.catalog(language)


def set_language(language: str) -> str:
    """Switch to ``language`` ("en" or "de"); an unknown code falls back to English."""
    return _translator.set_language(language)


def current_language() -> str:
    return _translator.language


def tr(text: str, /, **fmt: object) -> str:
    """``text`` in the console's language, with ``{name}`` fields filled from ``fmt``."""
    return _translator.tr(text, **fmt)


def N_(text: str) -> str:
    """Mark ``text`` for translation without translating it now (see module doc)."""
    return text
