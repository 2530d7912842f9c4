"""German for the first start: the account wizard, the audio assistant and the
first-start notices (emergency calls, no keyring)."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # -- the account wizard
    "Parley cannot place emergency calls. Make sure you can call emergency services "
    "another way, for example from a landline or a mobile phone.": (
        "Parley kann keine Notrufe absetzen. Stellen Sie sicher, dass Sie Notrufe auf "
        "anderem Weg absetzen können, zum Beispiel über das Festnetz oder ein Mobiltelefon."
    ),
    "Show password": "Passwort anzeigen",
    "Keep the password in the settings file (plain text)": (
        "Passwort in der Einstellungsdatei speichern (Klartext)"
    ),
    "This computer has no keyring, the safe store where programs keep passwords. Parley "
    "can keep the password in its settings file instead, in plain text: anyone who can "
    "read your files can read it. To keep it safe instead, install a keyring (for example "
    "GNOME Keyring or KWallet) and start Parley again.": (
        "Dieser Computer hat keinen Schlüsselbund, den sicheren Speicher für Passwörter. "
        "Parley kann das Passwort stattdessen im Klartext in seiner Einstellungsdatei "
        "speichern: Wer Ihre Dateien lesen kann, kann es dann lesen. Für mehr Sicherheit "
        "installieren Sie einen Schlüsselbund (zum Beispiel GNOME Keyring oder KWallet) "
        "und starten Parley neu."
    ),
    "Without a keyring the password can only be kept in the settings file. Tick the box "
    "below to keep it there, or install a keyring and start Parley again.": (
        "Ohne Schlüsselbund kann das Passwort nur in der Einstellungsdatei gespeichert "
        "werden. Setzen Sie dazu das Häkchen unten, oder installieren Sie einen "
        "Schlüsselbund und starten Parley neu."
    ),
    "The keyring did not store the password (it may be locked). Unlock it and try again, "
    "or keep the password in the settings file (plain text).": (
        "Der Schlüsselbund hat das Passwort nicht gespeichert (vielleicht ist er gesperrt). "
        "Entsperren Sie ihn und versuchen Sie es erneut, oder speichern Sie das Passwort in "
        "der Einstellungsdatei (Klartext)."
    ),
    "Looking for the server of {domain}…": "Suche den Server von {domain}…",
    "Contacting {where} over {transport}…": "Verbinde mit {where} über {transport}…",
    "The server did not accept the password for user {user}. Check the password and its "
    "capitalisation.": (
        "Der Server hat das Passwort für Benutzer {user} nicht angenommen. Prüfen Sie das "
        "Passwort und die Groß- und Kleinschreibung."
    ),
    "The server refused user {user} (403 Forbidden). Check the user name and the password.": (
        "Der Server hat Benutzer {user} abgewiesen (403 Forbidden). Prüfen Sie den "
        "Benutzernamen und das Passwort."
    ),
    "The server at {domain} does not know the user name {user}. Check the user name and "
    "the domain.": (
        "Der Server {domain} kennt den Benutzernamen {user} nicht. Prüfen Sie den "
        "Benutzernamen und die Domain."
    ),
    "No answer from {where} over {transport}. Check the domain, the port and the "
    "transport, and that the PBX is running.": (
        "Keine Antwort von {where} über {transport}. Prüfen Sie die Domain, den Port und "
        "das Transportprotokoll, und ob die Telefonanlage läuft."
    ),
    "Parley cannot find a server named {domain}. Check the domain for typing errors.": (
        "Parley findet keinen Server namens {domain}. Prüfen Sie die Domain auf Tippfehler."
    ),
    "Parley could not set up a secure (TLS) connection to {where}. Check the domain, the "
    "port and the server's certificate.": (
        "Parley konnte keine sichere Verbindung (TLS) zu {where} aufbauen. Prüfen Sie die "
        "Domain, den Port und das Zertifikat des Servers."
    ),
    "Parley could not connect to {where} over {transport}. Check the domain, the port "
    "and the transport.": (
        "Parley konnte keine Verbindung zu {where} über {transport} aufbauen. Prüfen Sie "
        "die Domain, den Port und das Transportprotokoll."
    ),
    "The server wants a longer registration interval. Raise the expiry in the account's "
    "settings.": (
        "Der Server verlangt ein längeres Registrierungsintervall. Erhöhen Sie die "
        "Gültigkeitsdauer in den Kontoeinstellungen."
    ),
    "The server at {domain} cannot register you right now ({answer}). Parley keeps "
    "trying; you can keep the account.": (
        "Der Server {domain} kann Sie gerade nicht registrieren ({answer}). Parley "
        "versucht es weiter; Sie können das Konto behalten."
    ),
    "The server refused the registration ({answer}). Check the account details.": (
        "Der Server hat die Registrierung abgelehnt ({answer}). Prüfen Sie die Kontodaten."
    ),
    # -- the audio assistant
    "Parley found no sound device: no microphone and no speaker or headset. Connect a "
    "headset, or check that your system's sound settings show one, then open this "
    "assistant again (Settings → Media, button “Audio assistant…”). Until then Parley "
    "registers and calls connect, but there is no sound.": (
        "Parley hat kein Audiogerät gefunden: kein Mikrofon und keinen Lautsprecher oder "
        "Kopfhörer. Schließen Sie ein Headset an oder prüfen Sie, ob die "
        "Audioeinstellungen Ihres Systems eines zeigen, und öffnen Sie diesen Assistenten "
        "dann erneut (Einstellungen → Medien, Schaltfläche „Audio-Assistent…“). Bis dahin "
        "registriert sich Parley und Anrufe werden verbunden, aber ohne Ton."
    ),
    "Parley found no microphone. Connect a headset or a microphone, or check your "
    "system's sound settings; until then the other side hears nothing.": (
        "Parley hat kein Mikrofon gefunden. Schließen Sie ein Headset oder Mikrofon an "
        "oder prüfen Sie die Audioeinstellungen Ihres Systems; bis dahin hört die "
        "Gegenseite nichts."
    ),
    "Parley found no speaker or headset. Connect one, or check your system's sound "
    "settings; until then you hear nothing.": (
        "Parley hat keinen Lautsprecher und keinen Kopfhörer gefunden. Schließen Sie einen "
        "an oder prüfen Sie die Audioeinstellungen Ihres Systems; bis dahin hören Sie "
        "nichts."
    ),
    "no microphone": "kein Mikrofon",
    "silence": "Stille",
    "There is no speaker or headset to play it on.": (
        "Es gibt keinen Lautsprecher oder Kopfhörer zum Abspielen."
    ),
    "Playing…": "Spielt…",
    "You should hear a soft chord now. If you hear nothing, choose another speaker or "
    "check the volume.": (
        "Sie sollten jetzt einen leisen Akkord hören. Hören Sie nichts, wählen Sie einen "
        "anderen Lautsprecher oder prüfen Sie die Lautstärke."
    ),
    "Skip the audio check? You can run it later from Settings → Media, button “Audio "
    "assistant…”.": (
        "Audio-Prüfung überspringen? Sie finden sie später unter Einstellungen → Medien, "
        "Schaltfläche „Audio-Assistent…“."
    ),
}
