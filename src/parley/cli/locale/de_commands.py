"""German for the console's feature commands (cli/commands_blf, _conference, _intercom,
_messages, _presence, _recording, _redirect, _rules, _transfer, _voicemail, _zrtp): their
replies, usage errors and help. The words are the desktop app's (gui/locale/de_calls,
de_presence, de_rules, de_security): Anruf, Vermitteln, Umleiten, Konferenz, Teilnehmer,
Aufzeichnung, Mailbox, Leitung, Heranholen, Präsenz, Nachricht, Regel, Sicherheitscode.
Command words (`pickup`, `calls`, ...) and the codes a script reads stay as typed."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # help (the command words stay; what to put after them is said in German)
    "conference [CALL ...] | split CALL | mute/unmute CALL (a participant's voice)": (
        "conference [ANRUF ...] | split ANRUF | mute/unmute ANRUF (die Stimme eines Teilnehmers)"
    ),
    "intercom TARGET [ACCOUNT]": "intercom ZIEL [KONTO]",
    "presence STATE [NOTE] (STATE: online|invisible|away|busy|offline|lunch|on-the-phone|brb)"
    " | watch URI | unwatch URI": (
        "presence STATUS [NOTIZ] (STATUS: "
        "online|invisible|away|busy|offline|lunch|on-the-phone|brb) | watch URI | unwatch URI"
    ),
    "record on|off [CALL]": "record on|off [ANRUF]",
    "deflect TARGET [CALL]": "deflect ZIEL [ANRUF]",
    "transfer TARGET [CALL] | attended CALL_A CALL_B": (
        "transfer ZIEL [ANRUF] | attended ANRUF_A ANRUF_B"
    ),
    "voicemail [ACCOUNT]": "voicemail [KONTO]",
    "sas-verify [CALL] | sas-unverify [CALL]": "sas-verify [ANRUF] | sas-unverify [ANRUF]",
    # BLF lines and pickup (commands_blf.py)
    "error: watch which line? e.g. 'blf 1003'": (
        "Fehler: Welche Leitung beobachten? z. B. 'blf 1003'"
    ),
    "{uri}: watched": "{uri}: wird beobachtet",
    "error: pick up at which line? e.g. 'pickup 1003'": (
        "Fehler: Bei welcher Leitung heranholen? z. B. 'pickup 1003'"
    ),
    "call {call}: picking up the call at {line} ({remote})": (
        "Anruf {call}: hole den Anruf bei {line} heran ({remote})"
    ),
    # conference (commands_conference.py)
    "conference: calls {calls}": "Konferenz: Anrufe {calls}",
    "error: split which call? e.g. 'split 2'": (
        "Fehler: Welchen Anruf aus der Konferenz trennen? z. B. 'split 2'"
    ),
    "call {call}: split from the conference, held": (
        "Anruf {call}: aus der Konferenz getrennt, gehalten"
    ),
    "call {call}: out of the conference mix": (
        "Anruf {call}: in der Konferenz stummgeschaltet (nicht mehr zu hören)"
    ),
    "call {call}: back in the conference mix": "Anruf {call}: in der Konferenz wieder zu hören",
    "call {call}: muted": "Anruf {call}: stummgeschaltet",
    "call {call}: unmuted": "Anruf {call}: Stummschaltung aufgehoben",
    # intercom (commands_intercom.py)
    "error: intercom to whom? e.g. 'intercom 1002'": (
        "Fehler: InterCom-Anruf an wen? z. B. 'intercom 1002'"
    ),
    "call {call}: dialing {remote} (intercom)": "Anruf {call}: wähle {remote} (InterCom)",
    # instant messages (commands_messages.py)
    "sending": "wird gesendet",
    "sent": "gesendet",
    "delivered": "zugestellt",
    "failed": "fehlgeschlagen",  # a bare word other catalogs may share: kept neutral
    "error: message to whom, saying what? e.g. 'message 1002 Hello there'": (
        "Fehler: Nachricht an wen, mit welchem Text? z. B. 'message 1002 Hallo zusammen'"
    ),
    "message {id} to {target}: sending": "Nachricht {id} an {target}: wird gesendet",
    "no conversations": "keine Unterhaltungen",
    "{peer}{name}: {unread} unread — {when} {arrow} {text}": (
        "{peer}{name}: {unread} ungelesen — {when} {arrow} {text}"
    ),
    "no messages with {peer}": "keine Nachrichten mit {peer}",
    "message from {sender}{name}: {text}": "Nachricht von {sender}{name}: {text}",
    # presence (commands_presence.py)
    "presence: {state}{note}": "Präsenz: {state}{note}",
    "error: no presence state {word}; one of: {states}": (
        "Fehler: Kein Präsenzstatus {word}; möglich sind: {states}"
    ),
    "error: watch whom? e.g. 'watch 1002' or 'watch sip:1002@pbx'": (
        "Fehler: Wen beobachten? z. B. 'watch 1002' oder 'watch sip:1002@pbx'"
    ),
    "watching {uri}": "beobachte {uri}",
    "error: unwatch whom?": "Fehler: Wen nicht mehr beobachten?",
    "no longer watching {uri}": "beobachte {uri} nicht mehr",
    # recording (commands_recording.py)
    "error: record on or off? e.g. 'record on' or 'record off 2'": (
        "Fehler: Aufzeichnung ein oder aus? z. B. 'record on' oder 'record off 2'"
    ),
    "call {call}: recording to {path}": "Anruf {call}: Aufzeichnung in {path}",
    "call {call}: recording stopped": "Anruf {call}: Aufzeichnung beendet",
    # deflection (commands_redirect.py)
    "error: deflect to where? e.g. 'deflect 1003' or 'deflect sip:1003@pbx'": (
        "Fehler: Wohin umleiten? z. B. 'deflect 1003' oder 'deflect sip:1003@pbx'"
    ),
    "error: no call is ringing; give the call number (see 'calls')": (
        "Fehler: Kein Anruf klingelt; geben Sie die Nummer des Anrufs an (siehe 'calls')"
    ),
    "call {call}: deflected to {target}": "Anruf {call}: umgeleitet an {target}",
    # event rules (commands_rules.py)
    "the rule has no address": "die Regel hat keine Adresse",
    "the program was not found or cannot be run": (
        "das Programm wurde nicht gefunden oder lässt sich nicht ausführen"
    ),
    "it failed": "es hat nicht funktioniert",
    "the server could not be reached": "der Server war nicht erreichbar",
    "the server did not answer in time": "der Server hat nicht rechtzeitig geantwortet",
    "the server's certificate is not trusted": "dem Zertifikat des Servers wird nicht vertraut",
    "the address is not a usable URL or command": (
        "die Adresse ist weder eine verwendbare URL noch ein Befehl"
    ),
    "rule {number}": "Regel {number}",
    "unsaved rule": "ungespeicherte Regel",
    "test run": "Testlauf",
    "{label}: {what} — done{code}": "{label}: {what} — erledigt{code}",
    "no event rules (add [[automation.rules]] to the settings file)": (
        "keine Ereignisregeln ([[automation.rules]] in der Einstellungsdatei ergänzen)"
    ),
    "on": "ein",
    "off": "aus",
    "not run yet": "noch nicht ausgeführt",
    "{index}: [{enabled}] {event} {state} {direction} → {action} {address} | last: {result}": (
        "{index}: [{enabled}] {event} {state} {direction} → {action} {address} | zuletzt: {result}"
    ),
    "usage: rule-test N (N from 0 to {last}; see `rules`)": (
        "Aufruf: rule-test N (N von 0 bis {last}; siehe `rules`)"
    ),
    # transfers (commands_transfer.py)
    "error: transfer to whom? e.g. 'transfer 1003' or 'transfer 1003 2'": (
        "Fehler: An wen vermitteln? z. B. 'transfer 1003' oder 'transfer 1003 2'"
    ),
    "call {call}: transferring to {target}": "Anruf {call}: vermittle an {target}",
    "error: attended needs two calls, e.g. 'attended 1 2'; try 'calls'": (
        "Fehler: attended braucht zwei Anrufe, z. B. 'attended 1 2'; siehe 'calls'"
    ),
    "call {first}: connecting its party with call {second}'s": (
        "Anruf {first}: verbinde seine Gegenseite mit der von Anruf {second}"
    ),
    # voicemail (commands_voicemail.py)
    "call {call}: dialing the voicemail {remote}": "Anruf {call}: wähle die Mailbox {remote}",
    # ZRTP (commands_zrtp.py)
    "call {call}: SAS verified": "Anruf {call}: Sicherheitscode (SAS) bestätigt",
    "call {call}: SAS not verified": "Anruf {call}: Sicherheitscode (SAS) nicht bestätigt",
}
