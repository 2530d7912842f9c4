"""German for the RTCP feedback (RTP/AVPF) account setting (issue #11)."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "RTCP feedback (AVPF)": "RTCP-Feedback (AVPF)",
    "Offer the RTP/AVPF profile (RFC 4585) in calls; a phone that refuses it is called "
    "again with plain RTP/AVP.": (
        "Bietet in Anrufen das Profil RTP/AVPF (RFC 4585) an; ein Telefon, das es ablehnt, "
        "wird erneut mit einfachem RTP/AVP angerufen."
    ),
}
