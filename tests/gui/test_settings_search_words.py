"""The settings search as a person uses it: whole words (a word's beginning), not letters
inside other words, and a plain answer when the manual's setting is not in Parley yet —
in English and in German. What is observed: the rows shown, the result label, the page
the dialog shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from parley.app import Application
from parley.gui.i18n import set_language
from parley.gui.settings_dialog import SettingsDialog
from parley.settings import AccountSettings, Settings

DEVICES = {"input": ["USB Headset Mic"], "output": ["USB Headset"]}


@pytest.fixture
def open_dialog(
    qtbot: Any, make_app: Callable[..., Application]
) -> Callable[[str], SettingsDialog]:
    def make(language: str) -> SettingsDialog:
        set_language(language)
        settings = Settings(
            accounts=[AccountSettings(name="office", domain="127.0.0.1:5060", username="1001")]
        )
        dialog = SettingsDialog(make_app(settings), devices=DEVICES)
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


def shown_labels(dialog: SettingsDialog) -> set[str]:
    """The names of the settings a person sees after the search (label or checkbox text)."""
    out = set()
    for row in dialog.rows.values():
        if row.form is None or not row.form.isRowVisible(row.container):
            continue
        widget = row.label if row.label is not None else row.editor.text_widget
        out.add(widget.property("text"))
    return out


def test_ring_finds_ringing_settings_not_the_keyring(
    open_dialog: Callable[[str], SettingsDialog],
) -> None:
    dialog = open_dialog("en")
    dialog.show_search("ring")
    labels = shown_labels(dialog)
    assert {"Ringtone", "Ringing device", "Also ring through the PC speaker"} <= labels
    # "keyring" has "ring" inside it, not at its start.
    assert "Keep passwords in the settings file when there is no keyring" not in labels
    assert dialog.search_result.text() == f"{len(labels)} found"
    # Found settings, and one of the manual's that Parley lacks, named under the search.
    assert dialog.not_yet_note.isVisible()
    assert "Own ringtone for this account" in dialog.not_yet_note.text()

    dialog.show_search("keyring")
    assert shown_labels(dialog) == {
        "Keep passwords in the settings file when there is no keyring",
        "Remember me",  # provisioning: "Keep the provisioning password in the keyring."
    }
    assert dialog.current_page() == "accounts"
    assert not dialog.not_yet_note.isVisible()


def test_several_words_must_all_begin_words(open_dialog: Callable[[str], SettingsDialog]) -> None:
    dialog = open_dialog("en")
    dialog.show_search("local sip")
    assert shown_labels(dialog) == {"Local SIP port"}
    dialog.show_search("cancel")  # "Echo cancellation"
    assert shown_labels(dialog) == {"Echo cancellation"}
    dialog.show_search("ancel")  # inside a word: nothing
    assert shown_labels(dialog) == set()
    assert dialog.search_result.text() == "Nothing found"
    assert dialog.no_result.isVisible()
    assert "No setting matches “ancel”" in dialog.no_result.text()


def test_a_setting_parley_lacks_says_so_and_names_its_issue(
    open_dialog: Callable[[str], SettingsDialog],
) -> None:
    dialog = open_dialog("en")
    dialog.select_page("media")
    dialog.show_search("Dial from Microsoft Outlook")
    assert shown_labels(dialog) == set()
    assert dialog.search_result.text() == "Not available yet"
    assert dialog.no_result.isVisible()  # in place of an empty page
    text = dialog.no_result.text()
    assert text.startswith("“Dial from Microsoft Outlook” is not available in Parley yet.")
    assert "In the manual: Functions › Automation." in text
    assert "Planned in issue #12 (provisioning, automation and headsets)." in text
    assert all(item.isHidden() for item in dialog._tree_items())

    dialog.show_search("")  # back where the person was
    assert dialog.current_page() == "media"
    assert not dialog.no_result.isVisible()
    assert dialog.search_result.text() == ""

    dialog.show_search("Google")  # Google contacts are a contact source now
    assert dialog.current_page() == "contacts" and not dialog.no_result.isVisible()
    dialog.show_search("Outlook")  # Outlook's contacts too (dialling from it is not yet)
    assert dialog.current_page() == "contacts" and not dialog.no_result.isVisible()

    dialog.show_search("Check for updates")  # it has come (issue #12): its row is found
    assert shown_labels(dialog) == {"Check for updates"}
    dialog.show_search("SRTP")  # it has come (issue #11): its row is found
    assert "SRTP key negotiation (SDES)" in shown_labels(dialog)
    dialog.show_search("RTCP feedback")  # it has come too (issue #11)
    assert shown_labels(dialog) == {"RTCP feedback (AVPF)"}
    dialog.show_search("LDAP")  # it has come (issue #10): the Contacts page has it
    assert dialog.current_page() == "contacts"


def test_german_search_by_words_and_settings_not_there_yet(
    open_dialog: Callable[[str], SettingsDialog],
) -> None:
    dialog = open_dialog("de")
    dialog.show_search("klingel")
    labels = shown_labels(dialog)
    assert {"Klingelton", "Klingelgerät"} <= labels
    # English words still find the German rows; "ring" is not inside "Schlüsselbund".
    dialog.show_search("ring")
    assert "Klingelton" in shown_labels(dialog)
    assert not any("Schlüsselbund" in label for label in shown_labels(dialog))
    dialog.show_search("schlüssel")
    assert shown_labels(dialog) == {
        "Ohne Schlüsselbund: Passwörter in der Einstellungsdatei speichern",
        "Angemeldet bleiben",  # provisioning: "… im Schlüsselbund speichern."
        "SRTP-Schlüsselaushandlung (SDES)",
        "SRTP-Schlüssel auch unverschlüsselt senden",
        "Client-Zertifikatsdatei",  # its help: "… mit seinem privaten Schlüssel"
        "ZRTP aktivieren",  # its help: "Die Audio-Schlüssel …"
    }

    dialog.show_search("Aus Outlook wählen")
    assert dialog.search_result.text() == "Noch nicht verfügbar"
    text = dialog.no_result.text()
    assert text.startswith("„Aus Microsoft Outlook wählen“ ist in Parley noch nicht verfügbar.")
    assert "Geplant in Issue #12 (Provisionierung, Automatisierung und Headsets)." in text
    dialog.show_search("RTCP")
    assert "RTCP-Feedback (AVPF)" in shown_labels(dialog)
    dialog.show_search("google")
    assert dialog.current_page() == "contacts" and not dialog.no_result.isVisible()
    dialog.show_search("Kontakte ohne Namen")  # a filter of each contact source (issue #10)
    assert dialog.current_page() == "contacts"
    dialog.show_search("nichtsdergleichen")
    assert dialog.search_result.text() == "Nichts gefunden"
    assert "Keine Einstellung passt zu „nichtsdergleichen“." == dialog.no_result.text()
