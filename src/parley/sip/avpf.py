"""RTCP feedback in SDP: the RTP/AVPF profile (RFC 4585) for the audio stream, sans-IO.

An account's "RTCP feedback" setting decides what we OFFER; what we ANSWER always
follows the offer's profile, as RFC 3264 §6 asks (the answer's ``m=`` line keeps the
offer's transport):

- setting on, our offer: ``RTP/AVPF`` (``RTP/SAVPF`` when the offer is ``RTP/SAVP``;
  "optional" SDES SRTP, best effort without capability negotiation, is ``RTP/AVPF`` with
  crypto lines), with ``a=rtcp-fb:* trr-int <ms>``: we send regular reports about every
  five seconds and ask the far end to keep to the same pace;
- an ``RTP/AVP`` offer is answered ``RTP/AVP`` whatever the setting;
- our re-offers (hold, resume, codec changes) keep the profile the session runs, and its
  rtcp-fb lines (`reoffer_feedback`), whatever the setting;
- an ``RTP/AVPF`` offer is answered ``RTP/AVPF`` whatever the setting: an audio
  endpoint that never sends feedback and sends its regular reports at the RFC 3550 pace
  keeps AVPF's rules, and parses whatever feedback arrives (`parley.media.rtcp`).
  Rejecting such offers would fail the call with phones that offer AVPF only (linphone
  with ``avpf=1`` does not retry with RTP/AVP). With the setting on the answer keeps the
  offered ``trr-int`` unchanged; with it off it carries no ``a=rtcp-fb`` line at all.

Every other feedback type (``nack``, ``nack pli``, ``ccm tmmbr``, ``ccm fir``, ``goog-remb``,
``transport-cc``...) is removed from our answers: RFC 4585 §4.2 lets the answerer drop what
it does not wish to use and forbids adding or altering lines, and both sides may only send
the feedback the answer keeps. Audio has no use for them (no retransmission, no pictures,
no bit-rate control here), and packets of those types that arrive anyway are counted and
otherwise ignored by the media stream.

Reading an answer to our AVPF offer: a far end that answers ``RTP/AVP`` (a stack that
"falls back" instead of keeping the profile) is accepted as plain AVP. One that refuses
the offer with 488 (baresip 1.0 without its srtp module) is called again with RTP/AVP by
the phone layer (`parley.phone.avpf_fallback`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parley.sip.sdp import Attribute, MediaDescription

__all__ = [
    "AVPF_PROTOS",
    "DEFAULT_TRR_INT_MS",
    "Feedback",
    "RtcpFb",
    "answer_feedback",
    "feedback_of",
    "feedback_profile",
    "is_avpf",
    "offer_feedback",
    "parse_rtcp_fb",
    "plain_profile",
    "reoffer_feedback",
]

AVPF_PROTOS = ("RTP/AVPF", "RTP/SAVPF", "UDP/TLS/RTP/SAVPF")
DEFAULT_TRR_INT_MS = 5000  # our regular report interval (RFC 3550 §6.2 minimum)
MAX_TRR_INT_MS = 3_600_000  # a larger value is treated as this (an hour without reports)

# ``a=rtcp-fb:<pt or *> <type> [<parameters>]`` (RFC 4585 §4.2).
_RTCP_FB_RE = re.compile(r"(\*|[0-9]{1,3})[ \t]+([A-Za-z0-9_.+-]+)(?:[ \t]+(.*\S))?[ \t]*")


@dataclass(frozen=True)
class RtcpFb:
    """One ``a=rtcp-fb`` line: payload type (``*`` for all), type, parameters text."""

    payload: str
    type: str
    params: str = ""

    def __str__(self) -> str:
        return f"{self.payload} {self.type} {self.params}".rstrip()

    @property
    def trr_int_ms(self) -> int | None:
        """The value of a ``trr-int`` line (milliseconds), None for other types or junk."""
        if self.type.lower() != "trr-int" or not self.params.isdigit():
            return None
        return min(int(self.params), MAX_TRR_INT_MS)


@dataclass(frozen=True)
class Feedback:
    """What one audio stream's offer and answer agreed about RTCP feedback.

    `avpf`: the stream runs the RTP/AVPF (or SAVPF) profile. `trr_int_ms`: the minimum
    interval between regular RTCP reports (RFC 4585 §3.4, 0 when none was agreed).
    `types`: the feedback types both sides may send (``"nack"``, ``"ccm tmmbr"``...),
    always empty for now (see the module docstring).
    """

    avpf: bool = False
    trr_int_ms: int = 0
    types: tuple[str, ...] = ()


def parse_rtcp_fb(value: str) -> RtcpFb | None:
    """One ``a=rtcp-fb`` value, or None when it does not follow RFC 4585 §4.2."""
    m = _RTCP_FB_RE.fullmatch(value)
    if m is None or (m.group(1) != "*" and int(m.group(1)) > 127):
        return None
    return RtcpFb(m.group(1), m.group(2), m.group(3) or "")


def rtcp_fb_lines(media: MediaDescription) -> list[RtcpFb]:
    """The well-formed ``a=rtcp-fb`` lines of a media section, in order."""
    out: list[RtcpFb] = []
    for value in media.attrs("rtcp-fb"):
        fb = parse_rtcp_fb(value)
        if fb is not None:
            out.append(fb)
    return out


def is_avpf(proto: str) -> bool:
    return proto.upper() in AVPF_PROTOS


def feedback_profile(proto: str) -> str:
    """The feedback variant of a profile: RTP/AVP -> RTP/AVPF, RTP/SAVP -> RTP/SAVPF."""
    if is_avpf(proto) or proto.upper() not in ("RTP/AVP", "RTP/SAVP"):
        return proto
    return proto + "F"


def plain_profile(proto: str) -> str:
    """The inverse of `feedback_profile` for RTP/AVPF and RTP/SAVPF."""
    if proto.upper() in ("RTP/AVPF", "RTP/SAVPF"):
        return proto[:-1]
    return proto


def offer_feedback(media: MediaDescription, *, trr_int_ms: int = DEFAULT_TRR_INT_MS) -> None:
    """Turn the audio section of an offer into an AVPF one (setting on)."""
    media.proto = feedback_profile(media.proto)
    media.remove_attr("rtcp-fb")
    if trr_int_ms > 0:
        media.attributes.append(Attribute("rtcp-fb", str(RtcpFb("*", "trr-int", str(trr_int_ms)))))


def reoffer_feedback(media: MediaDescription, previous: MediaDescription) -> None:
    """A re-offer keeps the profile the session runs (RFC 3264 §8), whatever the setting
    says: an incoming RTP/AVP call stays RTP/AVP on hold (a far end without AVPF would
    refuse the re-INVITE), an RTP/AVPF one keeps RTP/AVPF and its agreed rtcp-fb lines."""
    media.remove_attr("rtcp-fb")
    if not is_avpf(previous.proto):
        media.proto = plain_profile(media.proto)
        return
    media.proto = feedback_profile(media.proto)
    for value in previous.attrs("rtcp-fb"):
        media.attributes.append(Attribute("rtcp-fb", value))


def answer_feedback(offer: MediaDescription, answer: MediaDescription, *, enabled: bool) -> None:
    """The ``a=rtcp-fb`` lines of our answer to `offer` (RFC 4585 §4.2): the offered
    ``trr-int`` kept unchanged when the setting is on, nothing else (see the module
    docstring). The answer's profile is the offer's already (RFC 3264 §6)."""
    answer.remove_attr("rtcp-fb")
    if not enabled or not is_avpf(offer.proto):
        return
    for fb in rtcp_fb_lines(offer):
        if fb.trr_int_ms is not None and fb.payload == "*":
            answer.attributes.append(Attribute("rtcp-fb", str(fb)))
            return  # one trr-int per stream (a second one would contradict the first)


def feedback_of(offer: MediaDescription, answer: MediaDescription) -> Feedback:
    """What an offer and its answer agreed: AVPF when both sections say so; the answer's
    ``trr-int`` (the answer is binding, RFC 4585 §4.2), when the offer had it too."""
    if not (is_avpf(offer.proto) and is_avpf(answer.proto)):
        return Feedback()
    offered = {fb.trr_int_ms for fb in rtcp_fb_lines(offer) if fb.payload == "*"}
    trr = 0
    for fb in rtcp_fb_lines(answer):
        value = fb.trr_int_ms
        if value is not None and fb.payload == "*" and value in offered:
            trr = value
            break
    return Feedback(avpf=True, trr_int_ms=trr)
