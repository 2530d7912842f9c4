"""German for the console's frame: the help line, the command replies and usage errors,
the words around event lines, and the start-up errors printed once the settings (and so
the language) are loaded (cli/console.py, cli/call_command.py). Command words (dial,
hangup, ...) and codes (states, directions, SIP codes) stay as they are: they are what
is typed and what scripts read. The words are the desktop app's (gui/locale/de_*.py):
Konto, Anruf, Anrufliste, Einstellungsdatei, Schlüsselbund, Steuerschnittstelle."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # help (the command words stay English: they are what is typed)
    "commands: dial TARGET [ACCOUNT] | answer [CALL] | reject [CALL] | hangup [CALL] | "
    "hold [CALL] | resume [CALL] | switch CALL | mute | unmute | dtmf DIGITS [CALL] | calls | "
    "stats [CALL] | history [N] | accounts | register NAME | unregister NAME | trace on|off | "
    "help | quit": (
        "Befehle: dial ZIEL [KONTO] | answer [ANRUF] | reject [ANRUF] | hangup [ANRUF] | "
        "hold [ANRUF] | resume [ANRUF] | switch ANRUF | mute | unmute | dtmf ZIFFERN [ANRUF] | "
        "calls | stats [ANRUF] | history [N] | accounts | register NAME | unregister NAME | "
        "trace on|off | help | quit"
    ),
    # replies and usage errors of the commands
    "error: {error}": "Fehler: {error}",
    "error: unknown command {command}; {help}": "Fehler: unbekannter Befehl {command}; {help}",
    "error: no account {name}; try 'accounts'": (
        "Fehler: kein Konto {name}; die Konten zeigt 'accounts'"
    ),
    "error: dial what? e.g. 'dial 1002' or 'dial sip:1002@pbx'": (
        "Fehler: Was soll gewählt werden? z. B. 'dial 1002' oder 'dial sip:1002@pbx'"
    ),
    "error: dtmf which digits?": "Fehler: Welche Ziffern soll dtmf senden?",
    "call {call}: dialing {remote}": "Anruf {call}: wählt {remote}",
    "muted": "stumm",
    "unmuted": "nicht mehr stumm",
    "no calls": "keine Anrufe",
    ", held by {held}": ", gehalten von {held}",
    ", ZRTP SAS {sas}": ", ZRTP-SAS {sas}",
    " (verified)": " (bestätigt)",
    "call {call} {direction} {remote}: {state}{held}{sas}": (
        "Anruf {call} {direction} {remote}: {state}{held}{sas}"
    ),
    # the words around event lines in text mode (the sentence after the dash is texts.py's)
    "account {account}: {state}{code} — {text}": "Konto {account}: {state}{code} — {text}",
    "call {call} {direction} {remote}: {state}{code} — {text}": (
        "Anruf {call} {direction} {remote}: {state}{code} — {text}"
    ),
    "call {call}: key {digit} ({via})": "Anruf {call}: Taste {digit} ({via})",
    "history: {type} {number} on {account}, {duration:.0f} s": (
        "Anrufliste: {type} {number} über {account}, {duration:.0f} s"
    ),
    # start-up, once the settings are loaded
    "parley: {path}: no [[accounts]] in the settings — add one (see examples/office.toml)": (
        "parley: {path}: kein Konto ([[accounts]]) in den Einstellungen — legen Sie eines an "
        "(siehe examples/office.toml)"
    ),
    "parley: --play {file}: no such file": "parley: --play {file}: Datei nicht gefunden",
    "parley: the control API cannot listen: {error}": (
        "parley: Die Steuerschnittstelle kann nicht empfangen: {error}"
    ),
    "parley: {text} — and there is no account to use": (
        "parley: {text} — und es gibt kein Konto, mit dem telefoniert werden kann"
    ),
    "account {account}: {error}": "Konto {account}: {error}",
    "account {account}: no password in the settings file or the keyring — "
    "registration will fail if the server asks for one": (
        "Konto {account}: kein Passwort in der Einstellungsdatei oder im Schlüsselbund — "
        "die Registrierung schlägt fehl, wenn der Server eines verlangt"
    ),
    # parley call
    "no answer from the registrar": "keine Antwort vom Registrar",
    "no answer": "keine Antwort",
    "parley: call not answered: {reason}": "parley: Anruf nicht angenommen: {reason}",
}
