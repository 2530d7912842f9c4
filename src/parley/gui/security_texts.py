"""How safe a call is, in words (issue #11, "What the user sees"): the lock's state, its
short text, the tooltip's details and the sentence for an `SrtpProblem`.

The lock never says more than is true. It is closed (`Protection.PROTECTED`) only when
both the media and its key exchange are protected: SRTP whose SDES keys went over TLS,
or ZRTP whose short authentication string (SAS) the two people compared. SRTP keyed
over UDP/TCP encrypts the audio, but anyone on the path could read the keys; ZRTP not
yet compared is safe from listeners but not from a man in the middle. A plain call shows
an open lock. Widgets are in gui/call_security.py.
"""

from __future__ import annotations

import enum

from parley.app.snapshots import CallInfo
from parley.gui.i18n import N_, tr
from parley.gui.icons import AMBER, GREEN, GREY, RED
from parley.sip.sdes import SrtpProblem


class Protection(enum.Enum):
    PLAIN = "plain"  # media not encrypted
    KEYS_EXPOSED = "keys exposed"  # SRTP, keys sent over signalling without TLS
    UNVERIFIED = "unverified"  # ZRTP, the code not compared yet
    MISMATCH = "mismatch"  # ZRTP, the retained secret did not match: a warning
    PROTECTED = "protected"  # SRTP keyed over TLS, or ZRTP with the code verified


def protection_of(call: CallInfo) -> Protection:
    if call.media_encryption == "srtp":
        return Protection.PROTECTED if call.signalling == "tls" else Protection.KEYS_EXPOSED
    if call.media_encryption == "zrtp":
        if call.zrtp_cache_mismatch:
            return Protection.MISMATCH
        return Protection.PROTECTED if call.sas_verified else Protection.UNVERIFIED
    return Protection.PLAIN


# The lock's icon (gui/icons) and colour per state.
LOCK_ICONS: dict[Protection, tuple[str, str]] = {
    Protection.PLAIN: ("lock_open", GREY),
    Protection.KEYS_EXPOSED: ("lock_exposed", AMBER),
    Protection.UNVERIFIED: ("lock_exposed", AMBER),
    Protection.MISMATCH: ("lock_alert", RED),
    Protection.PROTECTED: ("lock_closed", GREEN),
}


def shows_lock(call: CallInfo) -> bool:
    """Whether the call has media to speak of (a call still dialling has none yet)."""
    return call.state in ("connected", "held", "early media")


def lock_text(call: CallInfo) -> str:
    """The lock in a few words, beside it and as its accessible name."""
    level = protection_of(call)
    if level is Protection.PROTECTED:
        if call.media_encryption == "zrtp":
            return tr("Encrypted (ZRTP, code verified)")
        return tr("Encrypted (SRTP over TLS)")
    if level is Protection.KEYS_EXPOSED:
        return tr("SRTP, keys sent without TLS")
    if level is Protection.UNVERIFIED:
        return tr("Encrypted (ZRTP), code not verified")
    if level is Protection.MISMATCH:
        return tr("ZRTP: security warning")
    return tr("Not encrypted")


_SIGNALLING = {"udp": "UDP", "tcp": "TCP", "tls": "TLS"}


def lock_details(call: CallInfo, suite: str = "") -> str:
    """The tooltip: what the audio and the signalling are, and what that means."""
    lines: list[str] = []
    if call.media_encryption == "srtp":
        lines.append(tr("Audio: encrypted with SRTP (keys exchanged with SDES)"))
        if suite:
            lines.append(tr("Cipher suite: {suite}", suite=suite))
    elif call.media_encryption == "zrtp":
        lines.append(tr("Audio: encrypted with ZRTP"))
        if call.sas:
            lines.append(tr("Security code: {sas}", sas=call.sas))
    else:
        lines.append(tr("Audio: not encrypted"))
    via = _SIGNALLING.get(call.signalling, call.signalling.upper())
    if call.signalling == "tls":
        lines.append(tr("Signalling: TLS (encrypted)"))
    else:
        lines.append(tr("Signalling: {transport} (not encrypted)", transport=via))
    level = protection_of(call)
    if level is Protection.KEYS_EXPOSED:
        lines.append(
            tr(
                "The SRTP keys were sent over {transport} without TLS: anyone on the way "
                "could read them and so the audio.",
                transport=via,
            )
        )
    elif level is Protection.UNVERIFIED:
        lines.append(
            tr(
                "Read the code aloud and compare it with the other person to be sure nobody is in between."
            )
        )
    elif level is Protection.MISMATCH:
        lines.append(tr("The security check differs from your last call with this party."))
    elif level is Protection.PROTECTED and call.media_encryption == "srtp":
        lines.append(tr("The keys went only over the encrypted connection to your server."))
    elif level is Protection.PLAIN:
        lines.append(tr("Anyone on the network path could listen to this call."))
    problem = problem_text(call.encryption_problem)
    if problem:
        lines.append(problem)
    return "\n".join(lines)


_PROBLEMS: dict[SrtpProblem, str] = {
    SrtpProblem.REQUIRED: N_(
        "This account requires encryption (SRTP), but the other side offered none."
    ),
    SrtpProblem.NOT_ENABLED: N_(
        "The other side requires encryption (SRTP), which is off for this account."
    ),
    SrtpProblem.NEEDS_TLS: N_(
        "Not encrypted: this account sends SRTP keys only over TLS, and this call does not use TLS."
    ),
    SrtpProblem.NO_COMMON_SUITE: N_("No SRTP cipher suite that both sides support."),
    SrtpProblem.BAD_ANSWER: N_("The other side answered with SRTP keys that cannot be used."),
}


def problem_text(problem: SrtpProblem | None) -> str:
    """Why the call is not encrypted as the account wanted ("" when nothing is wrong)."""
    if problem is None:
        return ""
    text = _PROBLEMS.get(problem)
    return tr(text) if text else ""


def mismatch_text(name: str) -> str:
    return tr(
        "The security check of this call changed since your last call with {name} — "
        "possibly someone is listening in. Compare the code aloud.",
        name=name,
    )


def spelled(sas: str) -> str:
    """The code as a screen reader should read it: letter by letter ("a b 1 2"); a
    code of words (the PGP word list) as it is."""
    return sas if " " in sas.strip() else " ".join(sas)
