"""German for the call's encryption: the lock, ZRTP's code, SRTP problems (issue #11;
gui/security_texts.py, gui/call_security.py, gui/call_end.py)."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # The lock in a few words.
    "Encrypted (ZRTP, code verified)": "Verschlüsselt (ZRTP, Code bestätigt)",
    "Encrypted (SRTP over TLS)": "Verschlüsselt (SRTP über TLS)",
    "SRTP, keys sent without TLS": "SRTP, Schlüssel ohne TLS gesendet",
    "Encrypted (ZRTP), code not verified": "Verschlüsselt (ZRTP), Code nicht bestätigt",
    "ZRTP: security warning": "ZRTP: Sicherheitswarnung",
    "Not encrypted": "Nicht verschlüsselt",
    "Encryption: {state}": "Verschlüsselung: {state}",
    # The lock's details (tooltip).
    "Audio: encrypted with SRTP (keys exchanged with SDES)": (
        "Audio: mit SRTP verschlüsselt (Schlüssel per SDES ausgetauscht)"
    ),
    "Cipher suite: {suite}": "Verschlüsselungsverfahren: {suite}",
    "Audio: encrypted with ZRTP": "Audio: mit ZRTP verschlüsselt",
    "Security code: {sas}": "Sicherheitscode: {sas}",
    "Security code": "Sicherheitscode",
    "Audio: not encrypted": "Audio: nicht verschlüsselt",
    "Signalling: TLS (encrypted)": "Signalisierung: TLS (verschlüsselt)",
    "Signalling: {transport} (not encrypted)": "Signalisierung: {transport} (unverschlüsselt)",
    "The SRTP keys were sent over {transport} without TLS: anyone on the way could read them and so the audio.": (
        "Die SRTP-Schlüssel wurden über {transport} ohne TLS gesendet: Jeder auf dem Weg "
        "könnte sie lesen und damit das Audio."
    ),
    "Read the code aloud and compare it with the other person to be sure nobody is in between.": (
        "Lesen Sie den Code laut vor und vergleichen Sie ihn mit Ihrem Gesprächspartner, "
        "um sicherzugehen, dass niemand dazwischen ist."
    ),
    "The security check differs from your last call with this party.": (
        "Die Sicherheitsprüfung weicht von Ihrem letzten Anruf mit diesem Teilnehmer ab."
    ),
    "The keys went only over the encrypted connection to your server.": (
        "Die Schlüssel gingen nur über die verschlüsselte Verbindung zu Ihrem Server."
    ),
    "Anyone on the network path could listen to this call.": (
        "Jeder auf dem Netzwerkweg könnte diesen Anruf mithören."
    ),
    # Why SRTP did not happen.
    "This account requires encryption (SRTP), but the other side offered none.": (
        "Dieses Konto verlangt Verschlüsselung (SRTP), die Gegenseite bot aber keine an."
    ),
    "The other side requires encryption (SRTP), which is off for this account.": (
        "Die Gegenseite verlangt Verschlüsselung (SRTP), die für dieses Konto ausgeschaltet ist."
    ),
    "Not encrypted: this account sends SRTP keys only over TLS, and this call does not use TLS.": (
        "Nicht verschlüsselt: Dieses Konto sendet SRTP-Schlüssel nur über TLS, und dieser "
        "Anruf nutzt kein TLS."
    ),
    "No SRTP cipher suite that both sides support.": (
        "Kein SRTP-Verschlüsselungsverfahren, das beide Seiten unterstützen."
    ),
    "The other side answered with SRTP keys that cannot be used.": (
        "Die Gegenseite antwortete mit unbrauchbaren SRTP-Schlüsseln."
    ),
    "No encrypted connection": "Keine verschlüsselte Verbindung",
    # ZRTP's code.
    "The security check of this call changed since your last call with {name} — possibly someone is listening in. Compare the code aloud.": (
        "Die Sicherheitsprüfung dieses Anrufs hat sich seit Ihrem letzten Anruf mit {name} "
        "geändert – möglicherweise hört jemand mit. Vergleichen Sie den Code laut."
    ),
    "Read this code aloud; the other person must see the same.": (
        "Lesen Sie diesen Code laut vor; Ihr Gesprächspartner muss denselben sehen."
    ),
    "Verify": "Bestätigen",
    "Unverify": "Bestätigung aufheben",
    "The other person read the same code": "Ihr Gesprächspartner hat denselben Code gelesen",
    "Mark the code as not compared": "Den Code als nicht verglichen markieren",
    "Verified": "Bestätigt",
    "Not verified": "Nicht bestätigt",
}
