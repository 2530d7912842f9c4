"""German for network problems (DNS, connections, TLS) in registrations, pickups of lines
that are not watched, and the notice of a call that ended beside another
(`parley.gui.texts`, `parley.gui.wizard`, `parley.gui.call_end`). Merged by
`parley.gui.i18n`."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # a call that ended while others go on
    "Call with {name}: {text}": "Anruf mit {name}: {text}",
    # conference participants
    "Not heard by the others": "Für die anderen stumm",
    # pickups that cannot start (PickupProblem codes)
    "Cannot pick up at {line}: there is no account to call from. Add or switch on an "
    "account in the settings.": (
        "Heranholen bei {line} nicht möglich: Es gibt kein Konto, von dem aus angerufen werden "
        "kann. Legen Sie in den Einstellungen ein Konto an oder schalten Sie eines ein."
    ),
    "Cannot pick up at {line}: the call could not be placed. Check that the account "
    "is registered.": (
        "Heranholen bei {line} nicht möglich: Der Anruf ließ sich nicht aufbauen. Prüfen Sie, "
        "ob das Konto registriert ist."
    ),
    # network problems (NetProblem codes)
    "Registration failed for “{name}”.": "Registrierung von „{name}“ fehlgeschlagen.",
    "There is no domain “{where}”. Check the domain for typing errors.": (
        "Die Domain „{where}“ gibt es nicht. Prüfen Sie die Domain auf Tippfehler."
    ),
    "The domain “{where}” has no server address. Check the domain.": (
        "Die Domain „{where}“ hat keine Serveradresse. Prüfen Sie die Domain."
    ),
    "The DNS server could not look up “{where}”. Check the DNS server settings.": (
        "Der DNS-Server konnte „{where}“ nicht auflösen. Prüfen Sie die DNS-Server-Einstellungen."
    ),
    "The DNS server did not answer in time when looking up “{where}”. Check the network "
    "and the DNS server settings.": (
        "Der DNS-Server hat beim Auflösen von „{where}“ nicht rechtzeitig geantwortet. "
        "Prüfen Sie das Netzwerk und die DNS-Server-Einstellungen."
    ),
    "The DNS server “{where}” cannot be used. Enter an IP address, with :port if needed.": (
        "Der DNS-Server „{where}“ ist nicht verwendbar. Geben Sie eine IP-Adresse ein, bei "
        "Bedarf mit :Port."
    ),
    "No server address is given. Enter the domain of the PBX.": (
        "Es ist keine Serveradresse angegeben. Geben Sie die Domain der Telefonanlage ein."
    ),
    "The transport “{where}” cannot be used here. Choose UDP, TCP or TLS.": (
        "Das Transportprotokoll „{where}“ ist hier nicht verwendbar. Wählen Sie UDP, TCP oder TLS."
    ),
    "{where} refused the connection. Check that the PBX is running and that the port is right.": (
        "{where} hat die Verbindung abgelehnt. Prüfen Sie, ob die Telefonanlage läuft und "
        "der Port stimmt."
    ),
    "{where} did not answer the connection. Check the server address, the port and the firewall.": (
        "{where} hat auf den Verbindungsaufbau nicht geantwortet. Prüfen Sie Serveradresse, "
        "Port und Firewall."
    ),
    "The connection to {where} failed. Check the server address and the network.": (
        "Die Verbindung zu {where} ist fehlgeschlagen. Prüfen Sie Serveradresse und Netzwerk."
    ),
    "The certificate of {where} is not trusted. Import the PBX's certificate in the "
    "account settings.": (
        "Dem Zertifikat von {where} wird nicht vertraut. Importieren Sie das Zertifikat der "
        "Telefonanlage in den Kontoeinstellungen."
    ),
    "The certificate of {where} is made out to another name. Check the domain and the "
    "TLS server name.": (
        "Das Zertifikat von {where} ist auf einen anderen Namen ausgestellt. Prüfen Sie die "
        "Domain und den TLS-Servernamen."
    ),
    "No secure (TLS) connection to {where} could be set up. Check that the server "
    "speaks TLS on this port.": (
        "Zu {where} ließ sich keine sichere (TLS-)Verbindung aufbauen. Prüfen Sie, ob der "
        "Server auf diesem Port TLS spricht."
    ),
    "The certificate file {where} cannot be read. It must be a PEM certificate.": (
        "Die Zertifikatsdatei {where} ist nicht lesbar. Sie muss ein PEM-Zertifikat sein."
    ),
    "Sending to {where} failed. Check the network connection.": (
        "Das Senden an {where} ist fehlgeschlagen. Prüfen Sie die Netzwerkverbindung."
    ),
    "Warning: the server's certificate is not checked (TLS settings); anyone on the way could listen in.": "Warnung: Das Zertifikat des Servers wird nicht geprüft (TLS-Einstellungen); jeder auf dem Weg könnte mithören.",
    "Audio is not encrypted: SRTP needs TLS for this account.": "Audio ist nicht verschlüsselt: SRTP braucht für dieses Konto TLS.",
}
