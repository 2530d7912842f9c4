"""German for what the engine reports in codes (`parley.gui.texts`): its errors (sound
devices, the SIP port, recordings, forwarding, passwords), failed commands, pickups,
SIP answers and settings problems. English source text → German; merged by
`parley.gui.i18n`."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # details of a lower layer, and SIP answers
    "Details: {detail}": "Details: {detail}",
    "Registration failed for “{name}”: the server {domain} cannot be reached. Check the "
    "domain and the network connection.": (
        "Registrierung von „{name}“ fehlgeschlagen: Der Server {domain} ist nicht "
        "erreichbar. Prüfen Sie die Domain und die Netzwerkverbindung."
    ),
    # engine errors (PhoneError codes)
    "Some account changes could not be applied ({subject}). Check these accounts in the "
    "settings, or start Parley again.": (
        "Einige Kontoänderungen ließen sich nicht übernehmen ({subject}). Prüfen Sie diese "
        "Konten in den Einstellungen oder starten Sie Parley neu."
    ),
    "The account “{subject}” has no password in the settings or the keyring: registration "
    "fails if the server asks for one. Enter the password in the account settings.": (
        "Für das Konto „{subject}“ ist weder in den Einstellungen noch im Schlüsselbund ein "
        "Passwort hinterlegt: Verlangt der Server eines, schlägt die Registrierung fehl. "
        "Geben Sie das Passwort in den Kontoeinstellungen ein."
    ),
    "The password of the account “{subject}” could not be read from the keyring.": (
        "Das Passwort des Kontos „{subject}“ ließ sich nicht aus dem Schlüsselbund lesen."
    ),
    "Parley cannot open the SIP port {subject}: another program may be using it. Choose "
    "another local port in the account settings.": (
        "Parley kann den SIP-Port {subject} nicht öffnen: Vielleicht belegt ihn ein anderes "
        "Programm. Wählen Sie in den Kontoeinstellungen einen anderen lokalen Port."
    ),
    "The call forwarding of the account “{subject}” cannot be used: check its target in "
    "the settings. The call rings here as usual.": (
        "Die Rufumleitung des Kontos „{subject}“ ist nicht verwendbar: Prüfen Sie ihr Ziel "
        "in den Einstellungen. Der Anruf klingelt wie gewohnt hier."
    ),
    "The call cannot be recorded.": "Der Anruf kann nicht aufgezeichnet werden.",
    "The recording stopped: the file could not be written (is the disk full?).": (
        "Die Aufzeichnung wurde beendet: Die Datei ließ sich nicht schreiben (ist der "
        "Datenträger voll?)."
    ),
    "No sound device could be opened: calls have no sound. Check the audio settings.": (
        "Es ließ sich kein Audiogerät öffnen: Gespräche sind ohne Ton. Prüfen Sie die "
        "Audio-Einstellungen."
    ),
    "The sound device “{subject}” stopped working; Parley uses “{detail}” now.": (
        "Das Audiogerät „{subject}“ funktioniert nicht mehr; Parley verwendet jetzt „{detail}“."
    ),
    "The sound device “{subject}” stopped working and no other could be opened. Check the "
    "audio settings.": (
        "Das Audiogerät „{subject}“ funktioniert nicht mehr, und kein anderes ließ sich "
        "öffnen. Prüfen Sie die Audio-Einstellungen."
    ),
    "The device “{subject}” cannot ring as well.": (
        "Das Gerät „{subject}“ kann nicht zusätzlich klingeln."
    ),
    "The ringing device “{subject}” cannot be opened; calls ring on the speaker.": (
        "Das Klingelgerät „{subject}“ lässt sich nicht öffnen; Anrufe klingeln über den "
        "Lautsprecher."
    ),
    "The music on hold cannot be played; held callers hear silence. Check the file in the "
    "audio settings.": (
        "Die Wartemusik kann nicht abgespielt werden; gehaltene Anrufer hören Stille. Prüfen "
        "Sie die Datei in den Audio-Einstellungen."
    ),
    "Something went wrong in the phone.": "Im Telefon ist ein Fehler aufgetreten.",
    # pickup at a BLF line
    "Cannot pick up: nothing rings at {line} now.": (
        "Heranholen nicht möglich: Bei {line} klingelt gerade nichts."
    ),
    "Cannot pick up: the server does not say which call rings at {line}. Set the account's "
    "pickup prefix if the PBX has a pickup code.": (
        "Heranholen nicht möglich: Der Server sagt nicht, welcher Anruf bei {line} klingelt. "
        "Tragen Sie das Präfix zum Heranholen im Konto ein, falls die Telefonanlage einen "
        "Code dafür hat."
    ),
    "Cannot pick up: the server does not say who calls {line}. Set the account's pickup "
    "prefix if the PBX has a pickup code.": (
        "Heranholen nicht möglich: Der Server sagt nicht, wer {line} anruft. Tragen Sie das "
        "Präfix zum Heranholen im Konto ein, falls die Telefonanlage einen Code dafür hat."
    ),
    "Cannot pick up: {line} has no extension to dial the pickup code with.": (
        "Heranholen nicht möglich: {line} hat keine Durchwahl, mit der sich der Code wählen ließe."
    ),
    # failed commands
    "The call could not be placed.": "Der Anruf kam nicht zustande.",
    "The call could not be forwarded.": "Der Anruf ließ sich nicht weiterleiten.",
    "The call could not be transferred.": "Der Anruf ließ sich nicht vermitteln.",
    "The conference could not be changed.": "Die Konferenz ließ sich nicht ändern.",
    "The message could not be sent.": "Die Nachricht ließ sich nicht senden.",
    "The line could not be watched.": "Die Leitung lässt sich nicht beobachten.",
    "The subscription could not be started.": "Das Abonnement ließ sich nicht starten.",
    "The call could not be recorded.": "Der Anruf ließ sich nicht aufzeichnen.",
    "The sound device could not be opened.": "Das Audiogerät ließ sich nicht öffnen.",
    "The contact is not valid.": "Der Kontakt ist nicht gültig.",
    "Parley's data could not be read or written.": (
        "Die Daten von Parley ließen sich nicht lesen oder schreiben."
    ),
    "The settings could not be saved.": "Die Einstellungen ließen sich nicht speichern.",
    "The password could not be stored in the keyring.": (
        "Das Passwort ließ sich nicht im Schlüsselbund speichern."
    ),
    "The phone is not running.": "Das Telefon läuft nicht.",
    "The phone did not answer in time.": "Das Telefon hat nicht rechtzeitig geantwortet.",
    "That call or account no longer exists.": "Diesen Anruf oder dieses Konto gibt es nicht mehr.",
    "That could not be done.": "Das war nicht möglich.",
    "Something went wrong.": "Etwas ist schiefgegangen.",
    # settings problems (by pydantic error type, or by the setting)
    "This setting is missing.": "Diese Einstellung fehlt.",
    "Parley does not know this setting.": "Diese Einstellung kennt Parley nicht.",
    "“{value}” is not one of: {limit}.": "„{value}“ ist keiner dieser Werte: {limit}.",
    "“{value}” is not a whole number.": "„{value}“ ist keine ganze Zahl.",
    "“{value}” is not a number.": "„{value}“ ist keine Zahl.",
    "“{value}” is neither on nor off.": "„{value}“ ist weder ein noch aus.",
    "“{value}” is not text.": "„{value}“ ist kein Text.",
    "{value} is too small: at least {limit}.": "{value} ist zu klein: mindestens {limit}.",
    "{value} is too small: more than {limit}.": "{value} ist zu klein: mehr als {limit}.",
    "{value} is too large: at most {limit}.": "{value} ist zu groß: höchstens {limit}.",
    "{value} is too large: less than {limit}.": "{value} ist zu groß: weniger als {limit}.",
    "This must not be empty.": "Das darf nicht leer sein.",
    "This is too long: at most {limit} characters.": "Das ist zu lang: höchstens {limit} Zeichen.",
    "This needs at least {limit} entry.": "Hier ist mindestens {limit} Eintrag nötig.",
    "“{value}” is not a list.": "„{value}“ ist keine Liste.",
    "“{value}” is not a web address.": "„{value}“ ist keine Webadresse.",
    "“{value}” is not a number that can be dialled (no spaces).": (
        "„{value}“ ist keine wählbare Rufnummer (keine Leerzeichen)."
    ),
    "“{value}” is not a valid domain: enter the PBX's name or address, e.g. "
    "pbx.example.com or 192.168.1.10:5060.": (
        "„{value}“ ist keine gültige Domain: Geben Sie den Namen oder die Adresse der "
        "Telefonanlage ein, z. B. pbx.example.com oder 192.168.1.10:5060."
    ),
    "“{value}” is not a valid proxy: enter host:port or a SIP address.": (
        "„{value}“ ist kein gültiger Proxy: Geben Sie host:port oder eine SIP-Adresse ein."
    ),
    "“{value}” is not a valid host name.": "„{value}“ ist kein gültiger Hostname.",
    "“{value}” is not a DNS server address: enter it as IP or IP:port.": (
        "„{value}“ ist keine DNS-Server-Adresse: Geben Sie sie als IP oder IP:Port ein."
    ),
    "The name must not start or end with spaces.": (
        "Der Name darf nicht mit Leerzeichen beginnen oder enden."
    ),
    "This text must not contain control characters.": (
        "Dieser Text darf keine Steuerzeichen enthalten."
    ),
    "The user name must not contain spaces.": "Der Benutzername darf keine Leerzeichen enthalten.",
    "A codec is listed twice.": "Ein Codec steht doppelt in der Liste.",
    "{value} seconds is too often: use 0 (off) or at least 5.": (
        "{value} Sekunden sind zu häufig: 0 (aus) oder mindestens 5."
    ),
    "This must not be shorter than the retry interval.": (
        "Das darf nicht kürzer als das Wiederholungsintervall sein."
    ),
    "T2 must not be smaller than T1.": "T2 darf nicht kleiner als T1 sein.",
    "The lowest RTP port must be below the highest: a call needs two ports (RTP and RTCP).": (
        "Der niedrigste RTP-Port muss unter dem höchsten liegen: Ein Anruf braucht zwei "
        "Ports (RTP und RTCP)."
    ),
    "The recording name must not be empty.": "Der Name der Aufzeichnung darf nicht leer sein.",
    "The recording name is a file name: no / or \\ (the folder is set apart).": (
        "Der Name der Aufzeichnung ist ein Dateiname: ohne / oder \\ (der Ordner wird "
        "eigens eingestellt)."
    ),
    "{field} is not a field of the recording name; use {fields}.": (
        "{field} ist kein Feld des Aufzeichnungsnamens; möglich sind {fields}."
    ),
    "Two accounts have the same name.": "Zwei Konten haben denselben Namen.",
    "This value is not allowed here.": "Dieser Wert ist hier nicht erlaubt.",
    "The settings file could not be written: check that the disk is not full and that you "
    "may write to its folder.": (
        "Die Einstellungsdatei ließ sich nicht schreiben: Prüfen Sie, ob der Datenträger voll "
        "ist und ob Sie in ihren Ordner schreiben dürfen."
    ),
    "the SIP ports Parley listens on": "die SIP-Ports, auf denen Parley empfängt",
    # chat
    "the server cannot be reached": "der Server ist nicht erreichbar",
}
