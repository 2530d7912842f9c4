"""SDES: SRTP keys in SDP (RFC 4568), with the suites of RFC 4568 §6.2, RFC 6188 and
RFC 7714, sans-IO.

``a=crypto:<tag> <crypto-suite> inline:<key||salt base64>[|<lifetime>][|<MKI>:<length>]
[<session-params>]`` (RFC 4568 §9.1). The key in a line is the key its SENDER encrypts
with: the offer's key protects the offerer's media, the answer's the answerer's (§6.1).

`parse_crypto`/`CryptoAttribute.__str__` are the codec; `SdesPolicy` with
`offer_crypto`, `answer_crypto` and `read_answer` are the offer/answer rules:

- mode ``off``: no crypto lines; an RTP/SAVP offer is refused (488,
  `SrtpProblem.NOT_ENABLED`); crypto lines in an RTP/AVP offer are ignored;
- mode ``optional``: offer RTP/AVP with crypto lines and accept a plain or an SRTP
  answer; answer an offer with usable crypto lines with SRTP, a plain one plainly;
- mode ``mandatory``: offer RTP/SAVP; refuse a plain offer (488, `SrtpProblem.REQUIRED`)
  and a plain answer (the call ends).

Keys travel in clear text over UDP and TCP signalling, so unless the signalling is TLS
(or the user made the explicit choice ``srtp_over_plain_signalling``), no key is put
into an offer or answer (`SrtpProblem.NEEDS_TLS`): ``optional`` falls back to plain RTP,
``mandatory`` refuses.

Keys on a re-INVITE (RFC 4568 §7.1.4 allows both keeping and renewing them): a re-offer
of ours keeps the key each suite had in our previous SDP, because far ends such as
baresip 1.0 never take a new key mid-call (their receiving context stays on the first
key and the audio stops); a suite offered for the first time gets a fresh key. As
answerer we follow the far end: our key stays while theirs does (same suite, same key),
and we answer with a fresh key when they renewed theirs. An answer's tag names the offered
line it accepts (§7.1.3). Lines with an MKI, more than one key, a key derivation rate
other than 0, unencrypted or unauthenticated SRTP, FEC keys, or an unknown session
parameter not marked ignorable with "-" are not accepted (§6.3: such a line must not be
used); the next acceptable line is taken instead.
"""

from __future__ import annotations

import base64
import binascii
import enum
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from parley.sip.sdp import Attribute, MediaDescription

__all__ = [
    "SRTP_SUITES",
    "CryptoAttribute",
    "CryptoError",
    "SdesPolicy",
    "SrtpKeys",
    "SrtpMode",
    "SrtpProblem",
    "SuiteInfo",
    "answer_crypto",
    "offer_crypto",
    "parse_crypto",
    "read_answer",
]

SrtpMode = Literal["off", "optional", "mandatory"]
KeySource = Callable[[int], bytes]


@dataclass(frozen=True)
class SuiteInfo:
    """Key and salt lengths of a crypto suite, in bytes."""

    name: str
    key_length: int
    salt_length: int

    @property
    def key_salt_length(self) -> int:
        return self.key_length + self.salt_length


# The suites Parley can run, in the default order of preference: pylibsrtp's profiles,
# and the AES-256 counter-mode suites of RFC 6188 (our own transform, pylibsrtp 1.0
# has no policy for them).
SRTP_SUITES: dict[str, SuiteInfo] = {
    s.name: s
    for s in (
        SuiteInfo("AES_CM_128_HMAC_SHA1_80", 16, 14),
        SuiteInfo("AES_CM_128_HMAC_SHA1_32", 16, 14),
        SuiteInfo("AEAD_AES_128_GCM", 16, 12),
        SuiteInfo("AEAD_AES_256_GCM", 32, 12),
        SuiteInfo("AES_256_CM_HMAC_SHA1_80", 32, 14),
        SuiteInfo("AES_256_CM_HMAC_SHA1_32", 32, 14),
    )
}

SAVP_PROTOS = ("RTP/SAVP", "RTP/SAVPF")
AVP_PROTOS = ("RTP/AVP", "RTP/AVPF")


class SrtpProblem(enum.StrEnum):
    """Why SRTP could not be agreed; a front-end words it."""

    REQUIRED = "srtp required"  # mandatory, but the far end offered/answered plain RTP
    NOT_ENABLED = "srtp not enabled"  # the far end requires SRTP; this account has it off
    NEEDS_TLS = "srtp needs tls"  # keys would go over unencrypted signalling
    NO_COMMON_SUITE = "no common suite"  # no offered line with a suite and params we accept
    BAD_ANSWER = "bad crypto answer"  # the answer's crypto line does not match our offer


class CryptoError(ValueError):
    """A crypto attribute or a crypto negotiation we cannot use (the UA answers 488)."""

    def __init__(self, message: str, problem: SrtpProblem = SrtpProblem.NO_COMMON_SUITE) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True)
class KeyParam:
    """One ``inline:`` key parameter (RFC 4568 §6.1 for SRTP)."""

    key_salt: bytes
    lifetime: int | None = None
    mki: tuple[int, int] | None = None  # (value, length in bytes)

    def __str__(self) -> str:
        text = "inline:" + base64.b64encode(self.key_salt).decode("ascii")
        if self.lifetime is not None:
            text += f"|{_lifetime_text(self.lifetime)}"
        if self.mki is not None:
            text += f"|{self.mki[0]}:{self.mki[1]}"
        return text


@dataclass(frozen=True)
class CryptoAttribute:
    """``a=crypto`` (RFC 4568 §9.1): tag, suite, key parameters, session parameters."""

    tag: int
    suite: str
    keys: tuple[KeyParam, ...]
    session_params: tuple[str, ...] = ()

    def __str__(self) -> str:
        return " ".join(
            [str(self.tag), self.suite, ";".join(str(k) for k in self.keys), *self.session_params]
        )

    def attribute(self) -> Attribute:
        return Attribute("crypto", str(self))


@dataclass(frozen=True)
class SrtpKeys:
    """What the media layer needs: the suite and the key||salt of each direction."""

    suite: str
    send_key: bytes  # ours, from our crypto line
    receive_key: bytes  # theirs, from their crypto line
    tag: int


_CRYPTO_RE = re.compile(r"([0-9]{1,9})[ \t]+([A-Za-z0-9_]+)[ \t]+(\S+)((?:[ \t]+\S+)*)[ \t]*")
_INLINE_RE = re.compile(
    r"inline:([A-Za-z0-9+/=]+)(?:\|(2\^[0-9]{1,2}|[0-9]{1,20}))?(?:\|([0-9]{1,20}):([0-9]{1,3}))?"
)


def _lifetime_text(lifetime: int) -> str:
    exp = lifetime.bit_length() - 1
    return f"2^{exp}" if lifetime == 1 << exp else str(lifetime)


def parse_crypto(value: str) -> CryptoAttribute:
    """Read the value of one ``a=crypto`` line; raises only `CryptoError`.

    The key must decode to the suite's key||salt length when the suite is known;
    an unknown suite parses (it is simply never chosen).
    """
    m = _CRYPTO_RE.fullmatch(value.strip())
    if m is None:
        raise CryptoError(f"malformed crypto attribute {value[:80]!r}")
    tag, suite, key_text, rest = int(m.group(1)), m.group(2), m.group(3), m.group(4)
    keys: list[KeyParam] = []
    for item in key_text.split(";"):
        km = _INLINE_RE.fullmatch(item)
        if km is None:
            raise CryptoError(f"malformed key parameter {item[:60]!r}")
        try:
            key_salt = base64.b64decode(km.group(1), validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("the key is not valid base64") from None
        info = SRTP_SUITES.get(suite.upper())
        if info is not None and len(key_salt) != info.key_salt_length:
            raise CryptoError(
                f"{suite} needs a {info.key_salt_length}-byte key and salt, got {len(key_salt)}"
            )
        lifetime: int | None = None
        if km.group(2):
            text = km.group(2)
            lifetime = 1 << int(text[2:]) if text.startswith("2^") else int(text)
        mki = (int(km.group(3)), int(km.group(4))) if km.group(3) else None
        if mki is not None and not 1 <= mki[1] <= 128:
            raise CryptoError(f"MKI length {mki[1]} out of range 1-128")
        keys.append(KeyParam(key_salt, lifetime, mki))
    return CryptoAttribute(tag, suite, tuple(keys), tuple(rest.split()))


def crypto_lines(media: MediaDescription) -> list[CryptoAttribute]:
    """The crypto lines of a media section that parse; malformed ones are skipped."""
    out: list[CryptoAttribute] = []
    for value in media.attrs("crypto"):
        try:
            out.append(parse_crypto(value))
        except CryptoError:
            continue
    return out


def unusable_reason(line: CryptoAttribute) -> str | None:
    """Why we cannot run `line` (RFC 4568 §6.3, §6.1), or None when we can."""
    if line.suite.upper() not in SRTP_SUITES:
        return f"suite {line.suite} is not supported"
    if len(line.keys) != 1 or line.keys[0].mki is not None:
        return "MKI (more than one key) is not supported"
    lifetime = line.keys[0].lifetime
    if lifetime is not None and lifetime < 1 << 10:
        return f"key lifetime {lifetime} is too short"
    for param in line.session_params:
        name, _, value = param.partition("=")
        upper = name.upper()
        if upper == "KDR" and value.strip() not in ("0", ""):
            return "a key derivation rate is not supported"
        if upper in ("UNENCRYPTED_SRTP", "UNENCRYPTED_SRTCP", "UNAUTHENTICATED_SRTP"):
            return f"{name} would weaken the media protection"
        if upper in ("FEC_KEY",):
            return "FEC keys are not supported"
        if upper in ("WSH", "FEC_ORDER", "KDR") or name.startswith("-"):
            continue  # a hint, a no-op without FEC, or marked ignorable
        return f"unknown session parameter {name}"
    return None


@dataclass(frozen=True)
class SdesPolicy:
    """An account's SRTP choice for one call.

    `keys_allowed`: the signalling is TLS, or the user explicitly allowed SDES keys over
    plain signalling. `suites`: in the account's order of preference.
    """

    mode: SrtpMode = "off"
    suites: tuple[str, ...] = tuple(SRTP_SUITES)
    keys_allowed: bool = False

    @property
    def offers_srtp(self) -> bool:
        return self.mode != "off" and self.keys_allowed and bool(self.usable_suites)

    @property
    def usable_suites(self) -> tuple[str, ...]:
        return tuple(s for s in self.suites if s in SRTP_SUITES)

    @property
    def offer_proto(self) -> str:
        return "RTP/SAVP" if self.mode == "mandatory" else "RTP/AVP"

    @property
    def accept_protos(self) -> tuple[str, ...]:
        if self.mode == "off" or not self.keys_allowed:
            return AVP_PROTOS
        return AVP_PROTOS + SAVP_PROTOS


def _new_key(suite: str, key_source: KeySource) -> bytes:
    return key_source(SRTP_SUITES[suite].key_salt_length)


def offer_crypto(
    policy: SdesPolicy,
    media: MediaDescription,
    *,
    previous: MediaDescription | None = None,
    key_source: KeySource = secrets.token_bytes,
) -> None:
    """Add our crypto lines to the audio section of an offer, one per suite (tags 1..n).
    A suite keeps the key it had in `previous` (our last SDP in the dialog, see the
    module docstring); a new suite gets a fresh key. Sets the profile (RTP/SAVP for
    mandatory)."""
    if not policy.offers_srtp:
        return
    media.remove_attr("crypto")
    # RTP/AVPF (RTCP feedback, parley.sip.avpf) stays a feedback profile: SAVP -> SAVPF.
    feedback = media.proto.upper() in ("RTP/AVPF", "RTP/SAVPF")
    media.proto = policy.offer_proto + ("F" if feedback else "")
    kept = {c.suite.upper(): c.keys[0].key_salt for c in crypto_lines(previous)} if previous else {}
    for tag, suite in enumerate(policy.usable_suites, start=1):
        key = kept.get(suite) or _new_key(suite, key_source)
        media.attributes.append(CryptoAttribute(tag, suite, (KeyParam(key),)).attribute())


def answer_crypto(
    policy: SdesPolicy,
    offer: MediaDescription,
    answer: MediaDescription,
    *,
    current: SrtpKeys | None = None,
    key_source: KeySource = secrets.token_bytes,
) -> SrtpKeys | None:
    """Choose the offered line to accept and put our answering line into `answer`.

    Returns the keys for the media, or None for plain RTP. Raises `CryptoError` (the
    UA answers 488) where the mode or the signalling does not allow what was offered.
    `current`: the keys in use (re-INVITE): our key stays while theirs does.
    """
    savp = offer.proto.upper() in SAVP_PROTOS
    answer.remove_attr("crypto")
    lines = crypto_lines(offer)
    if policy.mode == "off":
        if savp:
            raise CryptoError("the far end requires SRTP; it is off", SrtpProblem.NOT_ENABLED)
        return None
    if not policy.keys_allowed:
        if savp or policy.mode == "mandatory":
            raise CryptoError("SRTP keys need TLS signalling", SrtpProblem.NEEDS_TLS)
        return None
    if not offer.attrs("crypto") and not savp:
        if policy.mode == "mandatory":
            raise CryptoError("the far end offered plain RTP", SrtpProblem.REQUIRED)
        return None
    chosen: CryptoAttribute | None = None
    for suite in policy.usable_suites:  # our order of preference
        chosen = next(
            (
                line
                for line in lines
                if line.suite.upper() == suite and unusable_reason(line) is None
            ),
            None,
        )
        if chosen is not None:
            break
    if chosen is None:
        if policy.mode == "optional" and not savp:
            return None  # none of the offered lines fits: plain RTP/AVP will do
        raise CryptoError(
            "none of the offered SRTP suites and parameters is acceptable",
            SrtpProblem.NO_COMMON_SUITE,
        )
    suite = chosen.suite.upper()
    theirs = chosen.keys[0].key_salt
    keep = current is not None and current.suite == suite and current.receive_key == theirs
    ours = current.send_key if keep and current is not None else _new_key(suite, key_source)
    answer.attributes.append(
        CryptoAttribute(chosen.tag, chosen.suite, (KeyParam(ours),)).attribute()
    )
    return SrtpKeys(suite, ours, theirs, chosen.tag)


def read_answer(
    policy: SdesPolicy, offer: MediaDescription, answer: MediaDescription
) -> SrtpKeys | None:
    """The keys our offer and the far end's answer agreed on, or None for plain RTP.

    Raises `CryptoError` when the answer's line does not match an offered one, or when
    a mandatory offer was answered plainly (the call must not go on)."""
    ours = {line.tag: line for line in crypto_lines(offer)}
    if not ours:
        return None  # we offered no keys
    answered = crypto_lines(answer)
    if not answered:
        if answer.attrs("crypto"):
            raise CryptoError("the answer's crypto line is malformed", SrtpProblem.BAD_ANSWER)
        if policy.mode == "mandatory" or offer.proto.upper() in SAVP_PROTOS:
            raise CryptoError("the far end answered without SRTP", SrtpProblem.REQUIRED)
        return None
    line = answered[0]
    mine = ours.get(line.tag)
    if mine is None or mine.suite.upper() != line.suite.upper():
        raise CryptoError(
            f"the answer's crypto tag {line.tag} ({line.suite}) matches no offered line",
            SrtpProblem.BAD_ANSWER,
        )
    problem = unusable_reason(line)
    if problem is not None:
        raise CryptoError(f"the answer's crypto line: {problem}", SrtpProblem.BAD_ANSWER)
    return SrtpKeys(line.suite.upper(), mine.keys[0].key_salt, line.keys[0].key_salt, line.tag)


def suites_in_order(names: Sequence[str]) -> tuple[str, ...]:
    """`names` upper-cased, unknown ones dropped, duplicates removed."""
    return tuple(dict.fromkeys(n.upper() for n in names if n.upper() in SRTP_SUITES))
