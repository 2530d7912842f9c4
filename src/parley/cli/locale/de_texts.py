"""German for what the phone reports on the console (`parley.cli.texts`): call states
and ends, registrations, transfers, conferences, BLF, presence, voicemail counts,
messages, recordings, the network, sound devices, provisioning and updates. English
source text → German; merged by `parley.cli.i18n`. The words are the desktop app's
(`parley.gui.locale.de_texts`, `de_calls`, `de_presence`, ...) for the same things.
"""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # why a call ended (SIP status or cause)
    "Call ended": "Anruf beendet",
    "Bad request": "Fehlerhafte Anfrage",
    "Authentication failed": "Anmeldung fehlgeschlagen",
    "Forbidden": "Nicht erlaubt",
    "Not found": "Nicht gefunden",
    "Not supported": "Nicht unterstützt",
    "No answer": "Keine Antwort",
    "Number no longer in service": "Rufnummer nicht mehr vergeben",
    "Session interval too small": "Sitzungsintervall zu kurz",
    "Call no longer exists": "Anruf besteht nicht mehr",
    "Routing loop": "Weiterleitungsschleife",
    "Incomplete number": "Unvollständige Rufnummer",
    "Ambiguous number": "Mehrdeutige Rufnummer",
    "Busy": "Besetzt",
    "Cancelled": "Abgebrochen",
    "No common codec": "Kein gemeinsamer Codec",
    "Request pending": "Anfrage läuft noch",
    "Server error": "Serverfehler",
    "Bad gateway": "Fehlerhaftes Gateway",
    "Service unavailable": "Dienst nicht verfügbar",
    "Server timeout": "Zeitüberschreitung am Server",
    "The server did not answer": "Der Server hat nicht geantwortet",
    "The server could not be reached": "Der Server war nicht erreichbar",
    "Connection lost": "Verbindung verloren",
    "Session expired": "Sitzung abgelaufen",
    "Connection lost: no audio arrived": "Verbindung verloren: Es kam kein Ton mehr an",
    "Declined": "Abgelehnt",
    "Rejected": "Abgewiesen",
    "Moved": "Umgezogen",
    "Call failed": "Anruf fehlgeschlagen",
    # a call's state and what happened to it
    "On hold.": "Gehalten.",
    "Held by the other side.": "Von der Gegenseite gehalten.",
    "On hold (both sides).": "Gehalten (beide Seiten).",
    "Calling…": "Anruf wird aufgebaut…",
    "Ringing.": "Klingelt.",
    "Ringing (early media).": "Klingelt (Early Media).",
    "Incoming call.": "Eingehender Anruf.",
    "Connected.": "Verbunden.",
    "Call ended.": "Anruf beendet.",
    "Forwarded (call forwarding).": "Weitergeleitet (Rufumleitung).",
    "Deflected.": "Beim Klingeln weitergeleitet.",
    "redirected": "umgeleitet",
    "call replaced": "durch Vermittlung ersetzt",
    "rejected automatically: our presence status": ("automatisch abgewiesen: unser Präsenzstatus"),
    "Answered automatically.": "Automatisch angenommen.",
    "Intercom call, answered automatically.": "InterCom-Anruf, automatisch angenommen.",
    # encryption (SRTP, ZRTP)
    "Encryption required: the other side sent no SRTP keys": (
        "Verschlüsselung verlangt: Die Gegenseite hat keine SRTP-Schlüssel gesendet"
    ),
    "The other side requires SRTP, which is off for this account": (
        "Die Gegenseite verlangt SRTP, das für dieses Konto ausgeschaltet ist"
    ),
    "Not encrypted: SRTP keys are only sent over TLS "
    "(set srtp_over_plain_signalling to allow UDP/TCP)": (
        "Nicht verschlüsselt: SRTP-Schlüssel werden nur über TLS gesendet "
        "(srtp_over_plain_signalling erlaubt auch UDP/TCP)"
    ),
    "No common SRTP crypto suite": "Kein SRTP-Verschlüsselungsverfahren, das beide Seiten unterstützen",
    "The other side answered with unusable SRTP keys": (
        "Die Gegenseite antwortete mit unbrauchbaren SRTP-Schlüsseln"
    ),
    "Encrypted (ZRTP), SAS {sas}. WARNING: the key from earlier calls with this party did "
    "not match — someone may be listening in. Compare the SAS by voice; if it matches, "
    "say 'sas-verify'.": (
        "Verschlüsselt (ZRTP), SAS {sas}. WARNUNG: Der Schlüssel aus früheren Gesprächen "
        "mit dieser Gegenseite passt nicht — vielleicht hört jemand mit. Vergleichen Sie "
        "den SAS mündlich; stimmt er überein, geben Sie 'sas-verify' ein."
    ),
    "Encrypted (ZRTP), SAS {sas} (verified).": "Verschlüsselt (ZRTP), SAS {sas} (bestätigt).",
    "Encrypted (ZRTP), SAS {sas}: read it to the other person; if theirs is the same, "
    "say 'sas-verify'.": (
        "Verschlüsselt (ZRTP), SAS {sas}: Lesen Sie ihn der Gegenseite vor; ist ihrer "
        "derselbe, geben Sie 'sas-verify' ein."
    ),
    # registration
    "user {user} at {domain}": "Benutzer {user} bei {domain}",
    "account {account}": "Konto {account}",
    "The server of account {account} ({domain}) does not answer; Parley registers again "
    "as soon as it does.": (
        "Der Server des Kontos {account} ({domain}) antwortet nicht; Parley registriert "
        "sich wieder, sobald er antwortet."
    ),
    "The server of account {account} does not answer; Parley registers again as soon as it does.": (
        "Der Server des Kontos {account} antwortet nicht; Parley registriert sich wieder, "
        "sobald er antwortet."
    ),
    "Registering…": "Wird registriert…",
    "Unregistering.": "Wird abgemeldet.",
    "Unregistered (no answer).": "Abgemeldet (keine Antwort).",
    "Unregistered (the server answered {answer}).": (
        "Abgemeldet (der Server antwortete {answer})."
    ),
    "Not registered.": "Nicht registriert.",
    "Unregistered.": "Abgemeldet.",
    "Registration failed for account {account}: wrong password — the server at {domain} "
    "did not accept the password for user {user}{code}. Check the user name, the "
    "password and its capitalisation (and the authorization user name, if there is one).": (
        "Registrierung des Kontos {account} fehlgeschlagen: falsches Passwort — der "
        "Server {domain} hat das Passwort für den Benutzer {user} nicht angenommen{code}. "
        "Prüfen Sie den Benutzernamen, das Passwort und dessen Groß- und Kleinschreibung "
        "(und den Benutzernamen für die Anmeldung, falls es einen gibt)."
    ),
    "Registration failed: the server wants a longer registration expiry but did not say "
    "how long ({answer}) — raise the expiry.": (
        "Registrierung fehlgeschlagen: Der Server verlangt eine längere "
        "Registrierungsdauer, sagt aber nicht, wie lange ({answer}) — erhöhen Sie die "
        "Registrierungsdauer."
    ),
    "Registration failed for {who}: no answer over {transport}{code} — check the domain, "
    "port and transport, and that the PBX is reachable.": (
        "Registrierung für {who} fehlgeschlagen: keine Antwort über {transport}{code} — "
        "prüfen Sie Domain, Port und Transportprotokoll und ob die Telefonanlage "
        "erreichbar ist."
    ),
    "Registration failed for {who}: no answer{code} — check the domain, port and "
    "transport, and that the PBX is reachable.": (
        "Registrierung für {who} fehlgeschlagen: keine Antwort{code} — prüfen Sie Domain, "
        "Port und Transportprotokoll und ob die Telefonanlage erreichbar ist."
    ),
    "Registration failed: the server answered {answer} for {who} — {hint}.": (
        "Registrierung fehlgeschlagen: Der Server hat für {who} mit {answer} geantwortet — {hint}."
    ),
    "check the account settings": "prüfen Sie die Kontoeinstellungen",
    "check the user name and password": "prüfen Sie Benutzername und Passwort",
    "check the user name and the domain": "prüfen Sie Benutzername und Domain",
    "raise the registration expiry": "erhöhen Sie die Registrierungsdauer",
    "the server is temporarily unable to register you; Parley keeps trying": (
        "der Server kann Sie vorübergehend nicht registrieren; Parley versucht es weiter"
    ),
    "the server had an internal error; Parley keeps trying": (
        "der Server hatte einen internen Fehler; Parley versucht es weiter"
    ),
    "the server is unavailable; Parley keeps trying": (
        "der Server ist nicht verfügbar; Parley versucht es weiter"
    ),
    "Registered as {user} at {domain} for {seconds} s.": (
        "Registriert als {user} bei {domain} für {seconds} s."
    ),
    "Registered as {user} at {domain}.": "Registriert als {user} bei {domain}.",
    "Registered for {seconds} s.": "Registriert für {seconds} s.",
    "Registered.": "Registriert.",
    "Warning: the server's TLS certificate is not checked (certificate verification is "
    "off), so anyone on the way could listen in.": (
        "Warnung: Das TLS-Zertifikat des Servers wird nicht geprüft (die "
        "Zertifikatsprüfung ist aus), daher könnte jeder auf dem Weg mithören."
    ),
    # STUN
    "the STUN server {server} does not answer": "der STUN-Server {server} antwortet nicht",
    "the STUN server {server} answered with an error{detail}": (
        "der STUN-Server {server} hat mit einem Fehler geantwortet{detail}"
    ),
    "the STUN server's name {server} cannot be resolved": (
        "der Name des STUN-Servers {server} lässt sich nicht auflösen"
    ),
    "the STUN request to {server} could not be sent": (
        "die STUN-Anfrage an {server} ließ sich nicht senden"
    ),
    "STUN failed: {what}. Parley carries on with the address the SIP server sees (rport); "
    "from behind a router, calls may have no audio — check the STUN settings.": (
        "STUN fehlgeschlagen: {what}. Parley arbeitet mit der Adresse weiter, die der "
        "SIP-Server sieht (rport); hinter einem Router kann Gesprächen der Ton fehlen — "
        "prüfen Sie die STUN-Einstellungen."
    ),
    # transfer
    "the target's phone cannot take over a call (no Replaces support) — try a blind transfer": (
        "das Telefon des Ziels kann kein Gespräch übernehmen (keine Replaces-Unterstützung) "
        "— versuchen Sie eine Vermittlung ohne Rückfrage"
    ),
    "the other phone does not take transfers (no REFER)": (
        "das andere Telefon nimmt keine Vermittlungen an (kein REFER)"
    ),
    "the transfer request was refused here": "die Vermittlungsanfrage wurde hier abgelehnt",
    "nobody answered the transfer request": "niemand hat die Vermittlungsanfrage beantwortet",
    "no final report came from the other phone": (
        "vom anderen Telefon kam keine abschließende Meldung"
    ),
    "the other phone did not say how the new call went": (
        "das andere Telefon hat nicht gemeldet, wie der neue Anruf verlief"
    ),
    "the other phone's report could not be read": (
        "die Meldung des anderen Telefons war nicht lesbar"
    ),
    "the other phone did not answer": "das andere Telefon hat nicht geantwortet",
    "the request could not be sent": "die Anfrage konnte nicht gesendet werden",
    "the call had stopped ringing": "der Anruf klingelte nicht mehr",
    "Transferring call {call} to {target}…": "Vermittle Anruf {call} an {target} …",
    "Transferring call {call}…": "Vermittle Anruf {call} …",
    "The other party is calling to {target}{where}.": "Die Gegenseite ruft {target} an{where}.",
    "The other party is calling{where}.": "Die Gegenseite ruft an{where}.",
    "Transfer accepted: calling to {target}.": "Vermittlung angenommen: rufe {target} an.",
    "Transfer accepted: calling.": "Vermittlung angenommen: rufe an.",
    "Call {call} rang here and was sent on to {target} (302).": (
        "Anruf {call} klingelte hier und wurde an {target} weitergeleitet (302)."
    ),
    "Call {call} rang here and was sent on (302).": (
        "Anruf {call} klingelte hier und wurde weitergeleitet (302)."
    ),
    "Call {call} transferred to {target}.": "Anruf {call} an {target} vermittelt.",
    "Call {call} transferred.": "Anruf {call} vermittelt.",
    "Transferred to {target}.": "An {target} vermittelt.",
    "Transferred.": "Vermittelt.",
    "unknown reason": "unbekannter Grund",
    "Transfer of call {call} to {target} failed: {why}; the call is kept.": (
        "Vermittlung von Anruf {call} an {target} fehlgeschlagen: {why}; der Anruf bleibt bestehen."
    ),
    "Transfer of call {call} failed: {why}; the call is kept.": (
        "Vermittlung von Anruf {call} fehlgeschlagen: {why}; der Anruf bleibt bestehen."
    ),
    "Transfer to {target} failed: {why}.": "Vermittlung an {target} fehlgeschlagen: {why}.",
    "Transfer failed: {why}.": "Vermittlung fehlgeschlagen: {why}.",
    "Call {call}: the other party asks to transfer you to {target} — accept or refuse.": (
        "Anruf {call}: Die Gegenseite bittet, Sie an {target} zu vermitteln — annehmen "
        "oder ablehnen."
    ),
    # contact sources, updates
    "source {source}: {text}": "Kontaktquelle {source}: {text}",
    "Could not check for updates ({problem}).": (
        "Die Suche nach Updates ist fehlgeschlagen ({problem})."
    ),
    "Parley {newest} is available (this is {current}).": (
        "Parley {newest} ist verfügbar (installiert ist {current})."
    ),
    "Parley {current} is up to date.": "Parley {current} ist aktuell.",
    # sound devices
    "microphone {name}": "Mikrofon {name}",
    "speaker {name}": "Lautsprecher {name}",
    "{first} and {second}": "{first} und {second}",
    "Audio device {device} connected.": "Audiogerät {device} angeschlossen.",
    "Audio device {device} disconnected.": "Audiogerät {device} getrennt.",
    "Audio device {device} connected; now using {used}.": (
        "Audiogerät {device} angeschlossen; jetzt verwendet: {used}."
    ),
    "Audio device {device} disconnected; now using {used}.": (
        "Audiogerät {device} getrennt; jetzt verwendet: {used}."
    ),
    # network
    "Account {account}: the network is gone ({old}) — waiting for it.": (
        "Konto {account}: Das Netzwerk ist weg ({old}) — Parley wartet, bis es wieder da ist."
    ),
    "Account {account}: new address {new} — registering again, {count} call(s) moved along.": (
        "Konto {account}: neue Adresse {new} — registriert sich neu, {count} Anruf(e) mitgenommen."
    ),
    "Account {account}: new address {new} — registering again.": (
        "Konto {account}: neue Adresse {new} — registriert sich neu."
    ),
    # recording, conference
    "Call {call} is being recorded to {file}.": "Anruf {call} wird in {file} aufgezeichnet.",
    "Recording of call {call} stopped: {file}.": ("Aufzeichnung von Anruf {call} beendet: {file}."),
    "No conference.": "Keine Konferenz.",
    "Conference of calls {calls}.": "Konferenz der Anrufe {calls}.",
    "Conference of calls {calls}, on hold.": "Konferenz der Anrufe {calls}, gehalten.",
    "Conference of calls {calls}; not heard: {muted}.": (
        "Konferenz der Anrufe {calls}; stumm: {muted}."
    ),
    "Conference of calls {calls}, on hold; not heard: {muted}.": (
        "Konferenz der Anrufe {calls}, gehalten; stumm: {muted}."
    ),
    # instant messages
    "authentication failed": "Anmeldung fehlgeschlagen",
    "refused": "abgelehnt",
    "unknown recipient": "unbekannter Empfänger",
    "no answer": "keine Antwort",
    "the address is no longer in use": "die Adresse wird nicht mehr verwendet",
    "the message is too long": "die Nachricht ist zu lang",
    "the recipient cannot read this kind of message": (
        "der Empfänger kann diese Art Nachricht nicht lesen"
    ),
    "the recipient is not available": "der Empfänger ist nicht erreichbar",
    "incomplete address": "unvollständige Adresse",
    "the recipient is busy": "der Empfänger ist besetzt",
    "not accepted": "nicht angenommen",
    "server error": "Serverfehler",
    "service unavailable": "Dienst nicht verfügbar",
    "declined": "abgelehnt",
    "failed": "fehlgeschlagen",
    "it could not be sent": "sie ließ sich nicht senden",
    "Message {id} to {to}: sending…": "Nachricht {id} an {to}: wird gesendet…",
    "Message {id} to {to}: delivered.": "Nachricht {id} an {to}: zugestellt.",
    "Message {id} to {to}: sent (the server took it; it may be delivered later).": (
        "Nachricht {id} an {to}: gesendet (der Server hat sie angenommen; sie wird "
        "vielleicht später zugestellt)."
    ),
    "Message {id} to {to} failed: {why}{code}.": (
        "Nachricht {id} an {to} nicht zugestellt: {why}{code}."
    ),
    "{sender} is typing…": "{sender} schreibt…",
    "{sender} stopped typing.": "{sender} schreibt nicht mehr.",
    # voicemail counts (MWI)
    "messages are waiting": "Nachrichten vorhanden",
    "no voice messages": "keine Sprachnachrichten",
    "{count} new voice message": "{count} neue Sprachnachricht",
    "{count} new voice messages": "{count} neue Sprachnachrichten",
    "{counts} ({urgent} urgent)": "{counts} ({urgent} dringend)",
    "{counts}, {old} old": "{counts}, {old} alte",
    "Voicemail of {account}: {counts}.": "Mailbox von {account}: {counts}.",
    # BLF lines
    "free": "frei",
    "ringing": "klingelt",
    "busy": "besetzt",
    "on hold": "gehalten",
    "state unknown": "Status unbekannt",
    "{uri} is ringing: {caller} calls — 'pickup {uri}' takes the call.": (
        "Bei {uri} klingelt es: {caller} ruft an — 'pickup {uri}' holt den Anruf heran."
    ),
    "{uri} is ringing — 'pickup {uri}' takes the call.": (
        "Bei {uri} klingelt es — 'pickup {uri}' holt den Anruf heran."
    ),
    "{uri} is {state}, with {caller}.": "{uri} ist {state} (mit {caller}).",
    "{uri}: {state} (the server does not report this line).": (
        "{uri}: {state} (der Server meldet diese Leitung nicht)."
    ),
    "{uri} is {state}.": "{uri} ist {state}.",
    # presence and subscriptions
    "online": "online",
    "invisible (others see you offline)": "unsichtbar (andere sehen Sie offline)",
    "away": "abwesend",
    "offline": "offline",
    "at lunch": "in der Mittagspause",
    "on the phone": "am Telefon",
    "briefly absent": "kurz abwesend",
    "presence": "Präsenz",
    "line state (BLF)": "Leitungsstatus (BLF)",
    "voicemail summary": "Mailbox-Übersicht",
    "Your presence: {state}{note}.": "Ihre Präsenz: {state}{note}.",
    "{uri} is {state}{note}.": "{uri} ist {state}{note}.",
    "{package} of {uri}": "{package} von {uri}",
    "Watching the {what}.": "Beobachtet: {what}.",
    "Watching the {what}: waiting for permission.": ("Beobachtet: {what} — wartet auf Erlaubnis."),
    "No longer watching the {what}{why}.": "Nicht mehr beobachtet: {what}{why}.",
    "Cannot watch the {what}: {why}{code}.": ("{what} lässt sich nicht beobachten: {why}{code}."),
    "Your {what} is published again ({account}).": "Wieder veröffentlicht: {what} ({account}).",
    "The server of {account} keeps no {what}{code}: watchers who reach this phone are "
    "answered by it.": (
        "Der Server von {account} verwaltet „{what}“ nicht{code}: Beobachtern, die dieses "
        "Telefon erreichen, antwortet es selbst."
    ),
    "Publishing your {what} failed{code} ({account}).": (
        "Veröffentlichen von „{what}“ fehlgeschlagen{code} ({account})."
    ),
    # pickup at a BLF line
    "Cannot pick up: {why}.": "Heranholen nicht möglich: {why}.",
    "nothing rings at {line} now": "bei {line} klingelt gerade nichts",
    "the server does not say which call rings at {line}; set the account's pickup prefix "
    "if the PBX has a pickup code": (
        "der Server sagt nicht, welcher Anruf bei {line} klingelt; tragen Sie das Präfix "
        "zum Heranholen im Konto ein, falls die Telefonanlage einen Code dafür hat"
    ),
    "the server does not say who calls {line}; set the account's pickup prefix if the PBX "
    "has a pickup code": (
        "der Server sagt nicht, wer {line} anruft; tragen Sie das Präfix zum Heranholen im "
        "Konto ein, falls die Telefonanlage einen Code dafür hat"
    ),
    "{line} has no extension to dial the pickup code with": (
        "{line} hat keine Durchwahl, mit der sich der Code wählen ließe"
    ),
    "there is no account to call from at {line} — add or enable an account": (
        "für {line} gibt es kein Konto, von dem aus angerufen werden kann — fügen Sie ein "
        "Konto hinzu oder schalten Sie eines ein"
    ),
    "the call to {line} could not be placed — check that the account is registered": (
        "der Anruf an {line} kam nicht zustande — prüfen Sie, ob das Konto registriert ist"
    ),
    # provisioning
    "no provisioning URL is set": "es ist keine Provisionierungs-URL eingestellt",
    "the URL is http:// — use https://, or allow http in [provisioning]": (
        "die URL beginnt mit http:// — verwenden Sie https:// oder erlauben Sie http in "
        "[provisioning]"
    ),
    "the URL is not an http(s) URL": "die URL ist keine http(s)-URL",
    "the server could not be reached": "der Server war nicht erreichbar",
    "the server did not answer in time": "der Server hat nicht rechtzeitig geantwortet",
    "the server's certificate is not trusted (set [provisioning] ca_file)": (
        "dem Zertifikat des Servers wird nicht vertraut (setzen Sie ca_file in [provisioning])"
    ),
    "the user name or password was refused": "Benutzername oder Passwort wurden abgelehnt",
    "the server has no profile at this URL": "der Server hat unter dieser URL kein Profil",
    "the server answered with an error": "der Server hat mit einem Fehler geantwortet",
    "the server redirects in a loop": "der Server leitet im Kreis um",
    "the profile is too large": "das Profil ist zu groß",
    "the profile is not UTF-8 text": "das Profil ist kein UTF-8-Text",
    "the profile is not valid TOML": "das Profil ist kein gültiges TOML",
    "the profile's [profile] table is wrong": "die Tabelle [profile] des Profils ist fehlerhaft",
    "the profile has settings Parley cannot accept": (
        "das Profil enthält Einstellungen, die Parley nicht annehmen kann"
    ),
    "the settings could not be saved": "die Einstellungen ließen sich nicht speichern",
    "Provisioned from {url}: {count} setting(s) changed.": (
        "Provisioniert von {url}: {count} Einstellung(en) geändert."
    ),
    "Provisioning: the profile at {url} is unchanged.": (
        "Provisionierung: Das Profil unter {url} ist unverändert."
    ),
    "Provisioning failed{code} — {why}{detail}. The last good settings stay in force.": (
        "Provisionierung fehlgeschlagen{code} — {why}{detail}. Die letzten gültigen "
        "Einstellungen bleiben in Kraft."
    ),
}
