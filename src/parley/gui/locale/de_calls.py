"""German for call control (transfer, deflection, conference, recording, call notes) and
its settings (forwarding, automatic acceptance, transfer requests, music on hold,
recording, InterCom): English source text → German. Merged by `parley.gui.i18n`."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # call menu, areas and messages (gui/call_control.py)
    "Transfer the call": "Anruf vermitteln",
    "Add a participant": "Teilnehmer hinzufügen",
    "Record the call": "Gespräch aufzeichnen",
    "Stop recording": "Aufzeichnung beenden",
    "Transfer": "Vermitteln",
    "Drop a contact here to transfer the call to it": (
        "Kontakt hier ablegen, um den Anruf an ihn zu vermitteln"
    ),
    "Conference / query call": "Konferenz / Rückfrage",
    "Drop a contact here to add it to the call": (
        "Kontakt hier ablegen, um ihn zum Gespräch hinzuzufügen"
    ),
    "Transfer {name} to:": "{name} vermitteln an:",
    "Transferring to {target}…": "Vermittle an {target} …",
    "Connecting the two calls…": "Verbinde die beiden Gespräche …",
    "Forward the call": "Anruf weiterleiten",
    "Forward the call from {name} to:": "Anruf von {name} weiterleiten an:",
    "Forwarding the call to {target}…": "Leite den Anruf an {target} weiter …",
    "Sending the call to voicemail…": "Leite den Anruf zur Mailbox …",
    "Call and add to the conference:": "Anrufen und zur Konferenz hinzufügen:",
    "Calling {target} for the conference…": "Rufe {target} für die Konferenz an …",
    "The account has no voicemail extension": "Das Konto hat keine Mailbox-Rufnummer",
    "Announce the call, then connect the two calls with →.": (
        "Kündigen Sie den Anruf an und verbinden Sie dann beide Gespräche mit →."
    ),
    "This contact has no number.": "Dieser Kontakt hat keine Rufnummer.",
    "The call is not recorded.": "Das Gespräch wird nicht aufgezeichnet.",
    "The other side": "Die Gegenseite",
    "Recording to {file}": "Aufzeichnung in {file}",
    "Recording stopped: {file}": "Aufzeichnung beendet: {file}",
    # dialogs (gui/call_dialogs.py)
    "Before you record a conversation, tell everyone in it that it will be recorded and "
    "who will use the recording. The recording holds what both sides say; its file name "
    "may hold the number, the contact's name, the account and the date and time.\n\n"
    "Keep recordings safe and as the law requires. Hand a recording to anybody else — "
    "for example to your dealer or to the maker of your phone system to find a fault — "
    "only where the law allows it.": (
        "Bevor Sie ein Gespräch aufzeichnen, sagen Sie allen Beteiligten, dass es "
        "aufgezeichnet wird und wer die Aufzeichnung verwendet. Die Aufzeichnung enthält, "
        "was beide Seiten sagen; ihr Dateiname kann die Rufnummer, den Namen des Kontakts, "
        "das Konto sowie Datum und Uhrzeit enthalten.\n\n"
        "Bewahren Sie Aufzeichnungen sicher und so auf, wie es das Gesetz verlangt. Geben "
        "Sie eine Aufzeichnung nur dann an andere weiter — etwa an Ihren Fachhändler oder "
        "den Hersteller Ihrer Telefonanlage zur Fehlersuche —, wenn das Gesetz es erlaubt."
    ),
    "Recording a call": "Gespräch aufzeichnen",
    "Important: please read before recording.": "Wichtig: Bitte vor dem Aufzeichnen lesen.",
    "I have told everyone: record": "Alle sind informiert: aufzeichnen",
    "Do not record": "Nicht aufzeichnen",
    "Transfer request": "Vermittlungswunsch",
    "{who} asks you to call {target}. Your call with {who} ends when the new one is answered.": (
        "{who} bittet Sie, {target} anzurufen. Ihr Gespräch mit {who} endet, sobald der "
        "neue Anruf angenommen ist."
    ),
    "Call {target}": "{target} anrufen",
    "Refuse": "Ablehnen",
    "Number, SIP address or contact": "Rufnummer, SIP-Adresse oder Kontakt",
    "Announce first: hold this call and call the number": (
        "Erst ankündigen: dieses Gespräch halten und die Nummer anrufen"
    ),
    "Or connect with another call:": "Oder mit einem anderen Gespräch verbinden:",
    # call window, conference view, incoming call
    "Note": "Hinweis",
    "Conference": "Konferenz",
    "Mute the conference": "Konferenz stummschalten",
    "Hold the conference": "Konferenz halten",
    "Resume the conference": "Konferenz fortsetzen",
    "Selected participant:": "Ausgewählter Teilnehmer:",
    "Selected: {name}": "Ausgewählt: {name}",
    "Mute this participant": "Diesen Teilnehmer stummschalten",
    "Hold this participant": "Diesen Teilnehmer halten",
    "Split: take out of the conference": "Trennen: aus der Konferenz nehmen",
    "End the call with this participant": "Gespräch mit diesem Teilnehmer beenden",
    "End conference": "Konferenz beenden",
    "Leave the conference": "Konferenz verlassen",
    "Transfer the call to {target}": "Gespräch an {target} vermitteln",
    "Forward the waiting call to {target}": "Anklopfenden Anruf an {target} weiterleiten",
    "Forward the ringing call to {target}": "Klingelnden Anruf an {target} weiterleiten",
    "Calling {target}: the conference starts when everyone has answered.": (
        "Rufe {target} an: die Konferenz beginnt, sobald alle angenommen haben."
    ),
    "Leave: the other two go on talking, your calls end": (
        "Verlassen: die beiden anderen sprechen weiter, Ihre Gespräche enden"
    ),
    "Leaving works with two other participants only: with more, they cannot all be connected to each other without you. Split or end calls first.": (
        "Verlassen geht nur mit zwei anderen Teilnehmern: mit mehr können nicht alle ohne Sie "
        "miteinander verbunden werden. Trennen oder beenden Sie zuerst Gespräche."
    ),
    "Leaving the conference: connecting the others…": (
        "Konferenz wird verlassen: die anderen werden verbunden …"
    ),
    "Conference ({count} participants)": "Konferenz ({count} Teilnehmer)",
    "muted": "stumm",
    "Forward": "Weiterleiten",
    "Forward the call to another number": "Anruf an eine andere Nummer weiterleiten",
    "To voicemail": "Zur Mailbox",
    "Send the call to your voicemail": "Anruf an Ihre Mailbox leiten",
    "Successfully transferred call": "Erfolgreich vermittelter Anruf",
    # call notes and transfer steps (gui/texts.py)
    "Forwarded": "Weitergeleitet",
    "Forwarded while ringing": "Beim Klingeln weitergeleitet",
    "Redirected by the called party": "Vom Angerufenen umgeleitet",
    "Replaced by a transfer": "Durch Vermittlung ersetzt",
    "Transferred": "Vermittelt",
    "Answered automatically": "Automatisch angenommen",
    "InterCom call": "InterCom-Anruf",
    "Rejected automatically (presence status)": "Automatisch abgewiesen (Präsenzstatus)",
    "Transfer to {target}: asking the other side…": "Vermittlung an {target}: frage Gegenseite …",
    "Transfer to {target}: calling…": "Vermittlung an {target}: rufe an …",
    "Transferred to {target}.": "An {target} vermittelt.",
    "Transfer to {target} failed: {reason}": "Vermittlung an {target} fehlgeschlagen: {reason}",
    "Forwarded to {target} while ringing.": "Beim Klingeln an {target} weitergeleitet.",
    "the target's phone cannot take over a call — try a blind transfer": (
        "das Telefon des Ziels kann kein Gespräch übernehmen — versuchen Sie eine Vermittlung"
        " ohne Rückfrage"
    ),
    "the other phone does not take transfers": "das andere Telefon nimmt keine Vermittlungen an",
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
    "The other side transfers you to {target}…": "Die Gegenseite vermittelt Sie an {target} …",
    "Calling {target} for the other side…": "Rufe {target} für die Gegenseite an …",
    "You are now connected with {target}.": "Sie sind jetzt mit {target} verbunden.",
    "Calling {target} for the other side failed: {reason}": (
        "Anruf an {target} für die Gegenseite fehlgeschlagen: {reason}"
    ),
    "the new party": "den neuen Teilnehmer",
    "no answer": "keine Antwort",
    # settings (gui/settings_fields.py, settings_editors.py)
    "Choose a folder": "Ordner wählen",
    "WAV files (*.wav)": "WAV-Dateien (*.wav)",
    "Instantly": "Sofort",
    "After a number of seconds": "Nach einigen Sekunden",
    "Always accept": "Immer annehmen",
    "Always reject": "Immer ablehnen",
    "Ask me": "Nachfragen",
    "Off (silence)": "Aus (Stille)",
    "Built-in melody": "Eingebaute Melodie",
    "A sound file": "Eine Klangdatei",
    "Mono (both sides mixed)": "Mono (beide Seiten gemischt)",
    "Stereo (you left, the other side right)": "Stereo (Sie links, die Gegenseite rechts)",
    "InterCom": "InterCom",
    "Accept InterCom calls": "InterCom-Anrufe annehmen",
    "Calls the PBX marks for automatic answer are answered at once, with no ringing — "
    "only when they come through this account's server.": (
        "Anrufe, die die Telefonanlage zur automatischen Annahme markiert, werden sofort "
        "und ohne Klingeln angenommen — nur wenn sie über den Server dieses Kontos kommen."
    ),
    "InterCom prefix": "InterCom-Präfix",
    "Dialled before the number for an InterCom call; see your PBX's manual.": (
        "Wird bei einem InterCom-Anruf vor die Nummer gewählt; siehe Handbuch Ihrer Telefonanlage."
    ),
    "Music on hold": "Wartemusik",
    "What the people you put on hold hear.": "Was gehaltene Gesprächspartner hören.",
    "Music file": "Musikdatei",
    "A WAV file, played in a loop.": "Eine WAV-Datei, in Schleife gespielt.",
    "Call forwarding": "Rufumleitung",
    "Forward calls": "Anrufe umleiten",
    "Redirect incoming calls to another number, at once or when you do not answer.": (
        "Eingehende Anrufe an eine andere Nummer umleiten, sofort oder wenn Sie nicht abheben."
    ),
    "Forward to": "Umleiten an",
    "A number or a SIP address.": "Eine Rufnummer oder SIP-Adresse.",
    "Forward after (seconds)": "Umleiten nach (Sekunden)",
    "How long a call rings before it is forwarded (1 to 600 seconds).": (
        "Wie lange ein Anruf klingelt, bevor er umgeleitet wird (1 bis 600 Sekunden)."
    ),
    "Accept calls automatically": "Anrufe automatisch annehmen",
    "Answer incoming calls by themselves. Never while another call is active, unless "
    "call waiting is on: then that call is held first.": (
        "Eingehende Anrufe von selbst annehmen. Nie während eines anderen Gesprächs, außer "
        "bei eingeschaltetem Anklopfen: dann wird jenes Gespräch zuerst gehalten."
    ),
    "Accept after (seconds)": "Annehmen nach (Sekunden)",
    "How long a call rings before it is answered automatically.": (
        "Wie lange ein Anruf klingelt, bevor er automatisch angenommen wird."
    ),
    "Play a sound on automatic acceptance": "Bei automatischer Annahme einen Ton spielen",
    "A short sound tells you that a call was answered by itself.": (
        "Ein kurzer Ton sagt Ihnen, dass ein Anruf von selbst angenommen wurde."
    ),
    "Keep settings after restart": "Einstellungen nach Neustart beibehalten",
    "Keep call forwarding and automatic acceptance when Parley starts again; off: both "
    "start switched off.": (
        "Rufumleitung und automatische Annahme beim nächsten Start von Parley beibehalten; "
        "aus: beide starten ausgeschaltet."
    ),
    "Transfers": "Vermittlung",
    "On transfer request": "Bei Vermittlungswunsch",
    "What to do when the other side asks you to call somebody else.": (
        "Was geschieht, wenn die Gegenseite Sie bittet, jemand anderen anzurufen."
    ),
    "Follow redirections": "Umleitungen folgen",
    "When a called party forwards your call elsewhere, call there.": (
        "Wenn ein Angerufener Ihren Anruf umleitet, dort anrufen."
    ),
    "Recording": "Aufzeichnung",
    "Record all calls": "Alle Gespräche aufzeichnen",
    "Every call is recorded from its start. Tell the other side.": (
        "Jedes Gespräch wird von Anfang an aufgezeichnet. Sagen Sie es der Gegenseite."
    ),
    "Recording folder": "Ordner für Aufzeichnungen",
    "Where recordings go; empty: the recordings folder in Parley's data folder.": (
        "Wohin Aufzeichnungen kommen; leer: der Ordner recordings im Datenordner von Parley."
    ),
    "File name": "Dateiname",
    "Fields in braces: {DNID} called number, {name} contact, {number}, {account}, "
    "{YYYY} {MM} {DD} {hh} {NN} {ss} date and time, {recording_part} part; .wav is "
    "added.": (
        "Felder in geschweiften Klammern: {DNID} gewählte Nummer, {name} Kontakt, {number}, "
        "{account}, {YYYY} {MM} {DD} {hh} {NN} {ss} Datum und Uhrzeit, {recording_part} "
        "Teil; .wav wird angehängt."
    ),
    "Channels": "Kanäle",
    "Both sides mixed into one channel, or each side on its own.": (
        "Beide Seiten in einem Kanal gemischt, oder jede Seite für sich."
    ),
    # outgoing intercom (gui/main_window.py: the dial field's and the list's menus)
    "InterCom call to {target}…": "InterCom-Anruf an {target} …",
    "No account has an InterCom prefix": "Kein Konto hat ein InterCom-Präfix",
}
