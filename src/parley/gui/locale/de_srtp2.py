"""German for the STUN failure shown on an account (issue #11, gui/texts.py
`stun_text`, gui/account_list.py) and the account's RTP port in the settings dialog."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "The STUN server {server} does not answer.": "Der STUN-Server {server} antwortet nicht.",
    "The STUN server {server} answered with an error{detail}.": (
        "Der STUN-Server {server} hat mit einem Fehler geantwortet{detail}."
    ),
    "The name of the STUN server {server} cannot be resolved.": (
        "Der Name des STUN-Servers {server} lässt sich nicht auflösen."
    ),
    "Parley cannot send to the STUN server {server}.": (
        "Parley kann nichts an den STUN-Server {server} senden."
    ),
    "Parley carries on with the address the SIP server sees (rport); from behind a "
    "router, calls may have no audio. Check the STUN settings.": (
        "Parley arbeitet mit der Adresse weiter, die der SIP-Server sieht (rport); hinter "
        "einem Router kann Gesprächen der Ton fehlen. Bitte prüfen Sie die "
        "STUN-Einstellungen."
    ),
    "{state} (STUN failed)": "{state} (STUN fehlgeschlagen)",
    # The account's RTP port in the settings dialog (Network page: random above 32000).
    "Local RTP port": "Lokaler RTP-Port",
    "Empty: a free port of the audio port range. 0: a random port above 32000, for "
    "routers that have trouble with the usual ones. A number: that port, RTCP on the "
    "next one.": (
        "Leer: ein freier Port aus dem Audio-Portbereich. 0: ein zufälliger Port über "
        "32000, für Router, die mit den üblichen Ports Probleme haben. Eine Zahl: dieser "
        "Port, RTCP auf dem nächsten."
    ),
}
