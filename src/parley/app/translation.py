"""Catalog lookup for the front-ends' sentences: English source strings are the keys.

Each front-end (the desktop app, the console) words what it shows itself and keeps its
own German catalogs; this module only merges catalogs and looks strings up, so that both
translate the same way. A catalog is a module whose upper-case dicts map English to the
translation (``STRINGS`` by convention; a catalog's name is not a contract).
"""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)

LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch"}
DEFAULT_LANGUAGE = "en"


def load_catalog(modules: tuple[str, ...]) -> dict[str, str]:
    """The merged catalog of `modules`; a module not there is skipped (and logged), so a
    missing catalog never stops a front-end."""
    merged: dict[str, str] = {}
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError:
            log.debug("translation catalog %s is not available", name)
            continue
        for attr, value in vars(module).items():
            if attr.isupper() and isinstance(value, dict):
                merged.update(
                    {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
                )
    return merged


class Translator:
    """One front-end's current language and catalog."""

    def __init__(self, catalogs: dict[str, tuple[str, ...]]) -> None:
        self._catalogs = catalogs
        self.language = DEFAULT_LANGUAGE
        self._catalog: dict[str, str] = {}

    def catalog(self, language: str) -> dict[str, str]:
        """The merged catalog of `language` (empty for English, the source language)."""
        return load_catalog(self._catalogs.get(language, ()))

    def set_language(self, language: str) -> str:
        """Switch to `language`; an unknown code falls back to English. Returns the
        language now in use."""
        code = language if language in LANGUAGES else DEFAULT_LANGUAGE
        if code != language:
            log.warning("unknown language %r; using English", language)
        self.language = code
        self._catalog = self.catalog(code)
        return code

    def tr(self, text: str, /, **fmt: object) -> str:
        """`text` in the current language with its ``{name}`` fields filled from `fmt`;
        an untranslated string is shown in English rather than not at all."""
        out = self._catalog.get(text, text)
        if fmt:
            try:
                return out.format(**fmt)
            except (KeyError, IndexError, ValueError):  # a broken translation: use English
                log.warning("translation of %r does not fit its fields", text)
                return text.format(**fmt)
        return out
