"""A call given up because its audio stopped arriving (issue #11 §6) is worded, in
English and German, in the desktop app and the console."""

from __future__ import annotations

from parley.cli.texts import end_text as console_end_text
from parley.gui.call_end import ended_text
from parley.gui.i18n import set_language
from parley.phone.events import CallStateChanged, EndCause, Party


def media_timeout() -> CallStateChanged:
    return CallStateChanged(
        call=1,
        account="office",
        direction="outgoing",  # type: ignore[arg-type]
        state="ended",  # type: ignore[arg-type]
        remote="sip:1002@pbx",
        cause=EndCause.MEDIA_TIMEOUT,
        ended_by=Party.LOCAL,
    )


def test_the_desktop_app_says_the_connection_was_lost() -> None:
    set_language("en")
    assert ended_text(media_timeout(), "Anna") == ("Connection lost: no audio arrived", True)
    set_language("de")
    try:
        text, failed = ended_text(media_timeout(), "Anna")
    finally:
        set_language("en")
    assert text == "Verbindung verloren: keine Sprachdaten mehr empfangen" and failed


def test_the_console_says_it_too() -> None:
    assert console_end_text(EndCause.MEDIA_TIMEOUT, None) == "Connection lost: no audio arrived"
