"""The SDP offer/answer model for one audio stream (RFC 3264), sans-IO.

The phone layer describes its codecs as plain data (`CodecSpec`: it may build them from
`parley.media.codecs.CodecInfo` with `CodecSpec.of`, this module never imports media) and
its own address and ports (`SessionParams`). Four functions do the rest:

- `make_offer(params, codecs, previous=...)` builds an offer, or a re-offer when given the
  last SDP we sent in the dialog;
- `make_answer(offer, codecs, address, port, direction=...)` answers an offer and says
  what was agreed (`NegotiatedMedia`), or raises `OfferAnswerError` (the UA answers 488);
- `process_answer(offer, answer)` reads the far end's answer to our offer;
- `hold_offer(previous, style)` is the re-offer that puts the far end on hold.

Late offer (RFC 3261 §13.2.1: INVITE without a body) uses the same functions: the side
that receives the bodiless INVITE calls `make_offer` for its 200 and `process_answer`
on the ACK; the side that sent it calls `make_answer` on the 200 and sends the answer in
the ACK. An offerless re-INVITE is answered with `make_offer(previous=...)`, which keeps
the o= version when nothing changed (RFC 3264 §8, RFC 6337 §5.3).

Codec choice
------------
*As answerer* we follow the account's ordered codec list (the `codecs` argument): the
answer lists every codec both sides support, in OUR order, each with the payload type
number the offerer gave it, and `NegotiatedMedia.codec` is the first of them. With
``prefer="theirs"`` the offerer's order is used instead. *As offerer* our order is in
the offer; we send with the first codec of the answer that we offered (RFC 3264 §7), so
both directions normally run the same codec.

Payload types: static ones (PCMU 0, PCMA 8, G722 9) keep their number; dynamic codecs get
96-127, never clashing, and a re-offer keeps every number the previous SDP used for the
same codec and never gives a number used before to another codec (RFC 3264 §8.3.2).
Telephone-event (RFC 4733) is offered once per clock rate the offered codecs use (8000
for G.711/G.722, 48000 for Opus) with the events ``0-16``; te/8000 prefers number 101,
which older equipment assumes.

Directions (RFC 3264 §6.1) are always given from OUR point of view in `NegotiatedMedia`:
an offer with ``a=sendonly`` is answered ``a=recvonly`` and leaves us ``recvonly``. A
connection address of 0.0.0.0 (RFC 2543 hold) counts as the sender not wanting to
receive. `NegotiatedMedia.remote_hold` says the far end has put us on hold either way.

Hold styles (`hold_offer`), exactly what each one sends:

- ``"rfc3264"`` (default): the previous SDP with the audio stream's direction changed to
  ``a=sendonly`` (or ``a=inactive`` when we were already only receiving, i.e. the far end
  holds us too). Addresses, ports, codecs unchanged; o= version + 1.
- ``"rfc2543"`` (for far ends that ignore direction attributes): the same direction
  attribute as above AND every ``c=`` line set to ``IN IP4 0.0.0.0`` (``IN IP6 ::`` for an
  IPv6 session). Ports and codecs unchanged; o= version + 1.

Resuming is a plain `make_offer(params, codecs, previous=held_sdp)` with direction
sendrecv: it restores the address and sendrecv and bumps the version.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from parley.sip.avpf import (
    Feedback,
    answer_feedback,
    feedback_of,
    offer_feedback,
    reoffer_feedback,
)
from parley.sip.sdp import (
    Attribute,
    Connection,
    Direction,
    MediaDescription,
    Origin,
    RtpMap,
    SessionDescription,
    parse_fmtp_params,
)

__all__ = [
    "TELEPHONE_EVENT",
    "CodecLike",
    "CodecSpec",
    "HoldStyle",
    "NegotiatedMedia",
    "OfferAnswerError",
    "SessionParams",
    "answer_direction",
    "hold_offer",
    "intersect_directions",
    "make_answer",
    "make_offer",
    "process_answer",
    "reverse_direction",
]

TELEPHONE_EVENT = "telephone-event"
HoldStyle = Literal["rfc3264", "rfc2543"]
DEFAULT_PROTOS = ("RTP/AVP", "RTP/AVPF")
_DYNAMIC = range(96, 128)
_PREFERRED_DYNAMIC = {(TELEPHONE_EVENT, 8000): 101}
_SYSTEM = random.SystemRandom()


class OfferAnswerError(ValueError):
    """An offer we cannot accept, or an answer we cannot use (RFC 3264).

    For an offer the UA answers `status` (488 Not Acceptable Here, RFC 3261 §13.3.1.3);
    for an answer (in a 2xx or ACK) there is nothing to answer: the UA ends the call with
    BYE. `str(e)` is a sentence a person can read.
    """

    def __init__(self, message: str, *, status: int = 488) -> None:
        super().__init__(message)
        self.status = status
        self.reason = "Not Acceptable Here" if status == 488 else "Bad Request"


class CodecLike(Protocol):
    """What `CodecSpec.of` reads: `parley.media.codecs.CodecInfo` has these fields."""

    @property
    def name(self) -> str: ...
    @property
    def clock_rate(self) -> int: ...
    @property
    def channels(self) -> int: ...
    @property
    def fmtp(self) -> str: ...
    @property
    def static_pt(self) -> int | None: ...


@dataclass(frozen=True)
class CodecSpec:
    """One codec as SDP sees it: rtpmap name, RTP clock rate, channels, our fmtp.

    `fmtp` is what we want to receive (e.g. ``"minptime=10;useinbandfec=1"`` for Opus);
    `static_pt` is the RFC 3551 number or None for a dynamic codec.
    """

    name: str
    clock_rate: int
    channels: int = 1
    fmtp: str = ""
    static_pt: int | None = None

    @classmethod
    def of(cls, codec: CodecLike) -> CodecSpec:
        return cls(codec.name, codec.clock_rate, codec.channels, codec.fmtp, codec.static_pt)

    @property
    def is_telephone_event(self) -> bool:
        return self.name.lower() == TELEPHONE_EVENT

    def rtpmap(self, pt: int) -> RtpMap:
        channels = self.channels if self.channels != 1 else None
        return RtpMap(pt, self.name, self.clock_rate, channels)

    def matches(self, rm: RtpMap) -> bool:
        """Same codec? Names compare case-insensitively (RFC 8866 §6.6).

        Tolerated mistakes of real equipment: G722/16000 (RFC 3551 §4.5.2 says 8000) and
        opus without the mandatory ``/2`` (RFC 7587 §7).
        """
        name = self.name.lower()
        if rm.encoding.lower() != name:
            return False
        if name == "g722":
            return True
        if rm.clock_rate != self.clock_rate:
            return False
        return name == "opus" or (rm.channels or 1) == self.channels

    def __str__(self) -> str:
        tail = f"/{self.channels}" if self.channels != 1 else ""
        return f"{self.name}/{self.clock_rate}{tail}"


@dataclass(frozen=True)
class SessionParams:
    """What we put into our own SDP besides the codecs.

    `address` is the media address the far end should send to (with "RPort media" the
    public address learnt from rport). `rtcp_port` adds ``a=rtcp`` (RFC 3605) when RTCP
    is not on `port` + 1; `rtcp_mux` offers/accepts RFC 5761 multiplexing.
    """

    address: str
    port: int
    rtcp_port: int | None = None
    rtcp_mux: bool = False
    ptime: int = 20
    maxptime: int | None = None
    direction: Direction = "sendrecv"
    telephone_event: bool = True
    telephone_event_fmtp: str = "0-16"
    username: str = "-"
    session_name: str = "Parley"
    session_id: str | None = None  # None: a random number
    proto: str = "RTP/AVP"
    rtcp_feedback: bool = False  # offer RTP/AVPF; keep the offered trr-int (parley.sip.avpf)


@dataclass(frozen=True)
class NegotiatedMedia:
    """The agreed audio stream, from our point of view.

    `payload_type`/`fmtp` are for the packets we SEND with `codec` (the far end's number
    and its fmtp parameters, e.g. Opus ``useinbandfec``/``maxplaybackrate``);
    `receive_payload_types` maps every number the far end may send us to its codec
    (telephone-event included). `direction` is ours (sendonly = we send only).
    `remote_address` is as written in the SDP: normally an IP literal, but RFC 8866
    allows a host name, which the caller must resolve (or refuse) itself.
    """

    codec: CodecSpec
    payload_type: int
    fmtp: Mapping[str, str | None]
    telephone_event_pt: int | None
    telephone_event_clock_rate: int | None
    receive_payload_types: Mapping[int, CodecSpec]
    remote_address: str
    remote_port: int
    remote_rtcp_address: str
    remote_rtcp_port: int
    rtcp_mux: bool
    ptime: int
    maxptime: int | None
    direction: Direction
    remote_hold: bool
    stream_index: int
    codecs: tuple[CodecSpec, ...] = field(default=())  # every codec both sides agreed on
    feedback: Feedback = field(default_factory=Feedback)  # RTP/AVPF, trr-int (RFC 4585)

    @property
    def can_send(self) -> bool:
        return self.direction in ("sendrecv", "sendonly")

    @property
    def can_receive(self) -> bool:
        return self.direction in ("sendrecv", "recvonly")


# --- directions (RFC 3264 §6.1) -----------------------------------------------------------

_FLAGS: dict[Direction, tuple[bool, bool]] = {
    "sendrecv": (True, True),
    "sendonly": (True, False),
    "recvonly": (False, True),
    "inactive": (False, False),
}


def _direction(send: bool, recv: bool) -> Direction:
    for d, flags in _FLAGS.items():
        if flags == (send, recv):
            return d
    raise AssertionError("unreachable")


def reverse_direction(d: Direction) -> Direction:
    """The other side's view: sendonly <-> recvonly; sendrecv and inactive stay."""
    send, recv = _FLAGS[d]
    return _direction(recv, send)


def intersect_directions(a: Direction, b: Direction) -> Direction:
    """What both allow: sendrecv ∩ sendonly = sendonly, sendonly ∩ recvonly = inactive."""
    return _direction(_FLAGS[a][0] and _FLAGS[b][0], _FLAGS[a][1] and _FLAGS[b][1])


def _their_direction(sdp: SessionDescription, media: MediaDescription) -> Direction:
    """The sender's direction, where c=0.0.0.0 means it does not want to receive."""
    d = sdp.direction_of(media)
    conn = sdp.connection_for(media)
    if conn is not None and conn.is_null:
        d = intersect_directions(d, "sendonly")
    return d


def answer_direction(
    offer: SessionDescription, media: MediaDescription, ours: Direction = "sendrecv"
) -> Direction:
    """Our direction in an answer to `media`: the offer's, reversed, within `ours`."""
    return intersect_directions(reverse_direction(_their_direction(offer, media)), ours)


# --- building our SDP ------------------------------------------------------------------------


def _addrtype(address: str) -> str:
    return "IP6" if ":" in address else "IP4"


def _new_origin(params: SessionParams, rng: random.Random | None) -> Origin:
    sess_id = params.session_id or str((rng or _SYSTEM).randrange(1, 2**31))
    version = int(sess_id) if sess_id.isdigit() and int(sess_id) < 2**62 else 1
    return Origin(
        params.username, sess_id, version, "IN", _addrtype(params.address), params.address
    )


def _finish(sdp: SessionDescription, previous: SessionDescription | None) -> SessionDescription:
    """o= from `previous`: same version when nothing else changed, else + 1 (RFC 3264 §8)."""
    if previous is None:
        return sdp
    sdp.origin.username = previous.origin.username
    sdp.origin.session_id = previous.origin.session_id
    sdp.origin.session_version = previous.origin.session_version
    if sdp.to_lines() != previous.to_lines():
        sdp.origin.session_version = previous.origin.session_version + 1
    return sdp


def _own_audio_index(sdp: SessionDescription) -> int | None:
    """The m-line that is our audio stream: the first audio one in use, else the first."""
    audio = [i for i, m in enumerate(sdp.media) if m.media.lower() == "audio"]
    for i in audio:
        if sdp.media[i].port != 0:
            return i
    return audio[0] if audio else None


def _rejected(media: MediaDescription) -> MediaDescription:
    """A stream turned down (RFC 3264 §6): port 0, formats kept, no attributes."""
    return MediaDescription(media.media, 0, media.proto, list(media.formats))


def _audio_media(
    params: SessionParams,
    entries: Sequence[tuple[int, CodecSpec]],
    direction: Direction,
    *,
    proto: str,
    rtcp_mux: bool,
) -> MediaDescription:
    m = MediaDescription("audio", params.port, proto, [str(pt) for pt, _ in entries])
    for pt, spec in entries:
        m.attributes.append(Attribute("rtpmap", str(spec.rtpmap(pt))))
        if spec.fmtp:
            m.attributes.append(Attribute("fmtp", f"{pt} {spec.fmtp}"))
    m.attributes.append(Attribute("ptime", str(params.ptime)))
    if params.maxptime is not None:
        m.attributes.append(Attribute("maxptime", str(params.maxptime)))
    if params.rtcp_port is not None and not rtcp_mux:
        m.attributes.append(Attribute("rtcp", str(params.rtcp_port)))
    if rtcp_mux:
        m.attributes.append(Attribute("rtcp-mux"))
    m.attributes.append(Attribute(direction))
    return m


def _session(params: SessionParams, origin: Origin) -> SessionDescription:
    return SessionDescription(
        origin=origin,
        session_name=params.session_name,
        connection=Connection(params.address, _addrtype(params.address)),
    )


def _split_codecs(codecs: Sequence[CodecSpec]) -> tuple[list[CodecSpec], list[CodecSpec]]:
    audio = [c for c in codecs if not c.is_telephone_event]
    events = [c for c in codecs if c.is_telephone_event]
    return audio, events


def _event_specs(
    params: SessionParams, audio: Sequence[CodecSpec], events: Sequence[CodecSpec]
) -> list[CodecSpec]:
    """One telephone-event per clock rate in use; an explicit spec wins (RFC 4733 §7.1.1)."""
    if not params.telephone_event:
        return []
    out: list[CodecSpec] = []
    for rate in dict.fromkeys(c.clock_rate for c in audio):
        given = [e for e in events if e.clock_rate == rate]
        out.append(
            given[0] if given else CodecSpec(TELEPHONE_EVENT, rate, 1, params.telephone_event_fmtp)
        )
    return out


def make_offer(
    params: SessionParams,
    codecs: Sequence[CodecSpec],
    *,
    previous: SessionDescription | None = None,
    rng: random.Random | None = None,
) -> SessionDescription:
    """An offer (RFC 3264 §5) with `codecs` in the given order plus telephone-event.

    `previous` is the last SDP we sent in this dialog (offer or answer): the re-offer keeps
    its o= user and session id, its payload numbers, and every m-line (streams other than
    our audio are kept rejected with port 0, RFC 3264 §8); the version goes up by one
    only when something changed.
    """
    audio, events = _split_codecs(codecs)
    if not audio:
        raise ValueError("make_offer needs at least one audio codec")
    wanted = audio + _event_specs(params, audio, events)
    old: Mapping[int, RtpMap] = {}
    if previous is not None:
        index = _own_audio_index(previous)
        if index is not None:
            old = previous.media[index].rtpmaps
    entries = _assign_payload_types(wanted, old)
    media = _audio_media(
        params, entries, params.direction, proto=params.proto, rtcp_mux=params.rtcp_mux
    )
    previous_audio = _own_audio_index(previous) if previous is not None else None
    if previous is not None and previous_audio is not None:
        reoffer_feedback(media, previous.media[previous_audio])  # the session's profile
    elif params.rtcp_feedback:
        offer_feedback(media)
    sdp = _session(params, _new_origin(params, rng))
    if previous is None:
        sdp.media = [media]
    else:
        sdp.media = [_rejected(m) for m in previous.media]
        index = _own_audio_index(previous)
        if index is None:
            sdp.media.append(media)
        else:
            sdp.media[index] = media
    return _finish(sdp, previous)


def _assign_payload_types(
    wanted: Sequence[CodecSpec], old: Mapping[int, RtpMap]
) -> list[tuple[int, CodecSpec]]:
    """Payload numbers without clashes (RFC 3264 §5.1, §8.3.2)."""
    used: set[int] = set()
    chosen: dict[int, int] = {}  # index in wanted -> pt
    # Numbers the previous SDP gave these codecs come first, so they never move.
    for i, spec in enumerate(wanted):
        for pt, rm in old.items():
            if pt not in used and spec.matches(rm):
                chosen[i] = pt
                used.add(pt)
                break
    reserved = used | set(old)  # a number once used stays with its codec
    for i, spec in enumerate(wanted):
        if i in chosen:
            continue
        candidates: list[int] = []
        if spec.static_pt is not None:
            candidates.append(spec.static_pt)
        preferred = _PREFERRED_DYNAMIC.get((spec.name.lower(), spec.clock_rate))
        if preferred is not None:
            candidates.append(preferred)
        for pt in candidates:
            if pt not in reserved:
                break
        else:
            free = [
                n for n in _DYNAMIC if n not in reserved and n not in _PREFERRED_DYNAMIC.values()
            ]
            free = free or [n for n in _DYNAMIC if n not in reserved]
            if not free:
                raise ValueError("more codecs than dynamic payload type numbers (96-127)")
            pt = free[0]
        chosen[i] = pt
        reserved.add(pt)
    return [(chosen[i], spec) for i, spec in enumerate(wanted)]


# --- answering ------------------------------------------------------------------------------


def _offered_codecs(media: MediaDescription) -> list[tuple[int, RtpMap]]:
    out: list[tuple[int, RtpMap]] = []
    for pt in media.payload_types:
        rm = media.codec(pt)
        if rm is not None:
            out.append((pt, rm))
    return out


def _mutual(
    offered: Sequence[tuple[int, RtpMap]], ours: Sequence[CodecSpec], prefer: str
) -> list[tuple[int, CodecSpec]]:
    """Codecs both support, with the offerer's numbers, in the preferred order."""
    pairs: list[tuple[int, CodecSpec]] = []
    if prefer == "theirs":
        for pt, rm in offered:
            spec = next((s for s in ours if s.matches(rm)), None)
            if spec is not None and all(s != spec for _, s in pairs):
                pairs.append((pt, spec))
    else:
        for spec in ours:
            pt_found = next((pt for pt, rm in offered if spec.matches(rm)), None)
            if pt_found is not None:
                pairs.append((pt_found, spec))
    return pairs


def _pick_event(
    offered: Sequence[tuple[int, RtpMap]], clock_rate: int
) -> tuple[int, RtpMap] | None:
    """Telephone-event at the codec's clock rate, else any (RFC 4733 §7.1.1 asks the former)."""
    events = [(pt, rm) for pt, rm in offered if rm.encoding.lower() == TELEPHONE_EVENT]
    same = [e for e in events if e[1].clock_rate == clock_rate]
    if same:
        return same[0]
    return events[0] if events else None


def _describe(media: MediaDescription) -> str:
    names = [
        f"{rm.encoding}/{rm.clock_rate}"
        for _, rm in _offered_codecs(media)
        if rm.encoding.lower() != TELEPHONE_EVENT
    ]
    return ", ".join(names) or "none"


def make_answer(
    offer: SessionDescription,
    our_codecs: Sequence[CodecSpec],
    our_address: str,
    our_port: int,
    *,
    direction: Direction | None = None,
    previous: SessionDescription | None = None,
    params: SessionParams | None = None,
    prefer: Literal["ours", "theirs"] = "ours",
    accept_protos: Sequence[str] = DEFAULT_PROTOS,
    rng: random.Random | None = None,
) -> tuple[SessionDescription, NegotiatedMedia]:
    """Answer `offer` (RFC 3264 §6) and say what was agreed.

    The first audio stream with a port, a supported profile (`accept_protos`, plain RTP
    for now) and a codec in common is accepted; every other m-line is answered with port
    0, so the answer has as many m-lines as the offer (video, a second audio, SRTP...).
    `direction` (default `params.direction`, i.e. sendrecv) is what WE want; the answer
    carries its intersection with the reversed offer direction. `params` supplies the
    other settings (ptime, rtcp, session name); `our_address`/`our_port` win over its
    fields. `previous` is the last SDP we sent in this dialog (for o=, RFC 3264 §8).

    Raises `OfferAnswerError` (status 488) when no audio stream can be accepted.
    """
    p = replace(
        params or SessionParams(our_address, our_port),
        address=our_address,
        port=our_port,
    )
    if direction is not None:
        p = replace(p, direction=direction)
    audio, events = _split_codecs(our_codecs)
    accept = {x.upper() for x in accept_protos}
    sdp = _session(p, _new_origin(p, rng))
    result: NegotiatedMedia | None = None
    problems: list[str] = []
    for index, m in enumerate(offer.media):
        if result is not None or m.media.lower() != "audio" or m.port == 0:
            sdp.media.append(_rejected(m))
            continue
        conn = offer.connection_for(m)
        if m.proto.upper() not in accept:
            problems.append(f"the audio stream uses {m.proto}, which is not supported")
        elif conn is None:
            problems.append("the audio stream has no connection address (c= line)")
        elif conn.is_multicast:
            problems.append("the audio stream is multicast, which is not supported")
        else:
            offered = _offered_codecs(m)
            pairs = _mutual(offered, audio, prefer)
            if not pairs:
                problems.append(
                    f"no common audio codec: the other side offered {_describe(m)}; "
                    f"this account allows {', '.join(str(c) for c in audio) or 'none'}"
                )
            else:
                media, result = _accept(offer, m, index, p, pairs, offered, events)
                sdp.media.append(media)
                continue
        sdp.media.append(_rejected(m))
    if result is None:
        if not problems:
            problems.append("the offer has no active audio stream")
        raise OfferAnswerError("Call cannot be accepted: " + "; ".join(problems) + ".")
    return _finish(sdp, previous), result


def _accept(
    offer: SessionDescription,
    m: MediaDescription,
    index: int,
    p: SessionParams,
    pairs: list[tuple[int, CodecSpec]],
    offered: list[tuple[int, RtpMap]],
    events: Sequence[CodecSpec],
) -> tuple[MediaDescription, NegotiatedMedia]:
    entries = list(pairs)
    rates = dict.fromkeys(spec.clock_rate for _, spec in pairs)
    first: tuple[int, RtpMap] | None = None
    if p.telephone_event:
        for rate in rates:
            ev = _pick_event([o for o in offered if o[1].clock_rate == rate], rate)
            if ev is None:
                continue
            given = [e for e in events if e.clock_rate == rate]
            spec = (
                given[0] if given else CodecSpec(TELEPHONE_EVENT, rate, 1, p.telephone_event_fmtp)
            )
            entries.append((ev[0], spec))
        first = _pick_event(offered, pairs[0][1].clock_rate)
        if first is not None and not any(pt == first[0] for pt, _ in entries):
            # Only a te at another clock rate was offered: use it rather than no DTMF.
            rm = first[1]
            entries.append(
                (first[0], CodecSpec(TELEPHONE_EVENT, rm.clock_rate, 1, p.telephone_event_fmtp))
            )
    mux = p.rtcp_mux and m.rtcp_mux
    ours = answer_direction(offer, m, p.direction)
    media = _audio_media(p, entries, ours, proto=m.proto, rtcp_mux=mux)
    answer_feedback(m, media, enabled=p.rtcp_feedback)
    negotiated = _negotiated(
        offer,
        m,
        index,
        send=pairs[0],
        event=first,
        receive=dict(entries),
        direction=ours,
        mux=mux,
        codecs=tuple(spec for _, spec in pairs),
        feedback=feedback_of(m, media),
    )
    return media, negotiated


def _negotiated(
    remote: SessionDescription,
    m: MediaDescription,
    index: int,
    *,
    send: tuple[int, CodecSpec],
    event: tuple[int, RtpMap] | None,
    receive: dict[int, CodecSpec],
    direction: Direction,
    mux: bool,
    codecs: tuple[CodecSpec, ...],
    feedback: Feedback,
) -> NegotiatedMedia:
    """`remote` is the far end's SDP: where to send, and how it wants to receive."""
    pt, codec = send
    conn = remote.connection_for(m)
    address = conn.address if conn is not None else "0.0.0.0"
    rtcp = m.rtcp
    if mux:
        rtcp_address, rtcp_port = address, m.port
    elif rtcp is not None:
        rtcp_address, rtcp_port = rtcp.address or address, rtcp.port
    else:
        rtcp_address, rtcp_port = address, m.port + 1  # RFC 3550 §11
    ptime = m.ptime
    maxptime = m.maxptime
    return NegotiatedMedia(
        codec=codec,
        payload_type=pt,
        fmtp=parse_fmtp_params(m.fmtp(pt) or ""),
        telephone_event_pt=event[0] if event else None,
        telephone_event_clock_rate=event[1].clock_rate if event else None,
        receive_payload_types=receive,
        remote_address=address,
        remote_port=m.port,
        remote_rtcp_address=rtcp_address,
        remote_rtcp_port=rtcp_port,
        rtcp_mux=mux,
        ptime=round(ptime) if ptime and ptime >= 1 else 20,
        maxptime=round(maxptime) if maxptime and maxptime >= 1 else None,
        direction=direction,
        remote_hold=remote.is_hold(m),
        stream_index=index,
        codecs=codecs,
        feedback=feedback,
    )


# --- reading an answer ----------------------------------------------------------------------


def process_answer(
    offer: SessionDescription,
    answer: SessionDescription,
    our_codecs: Sequence[CodecSpec] | None = None,
) -> NegotiatedMedia:
    """What our `offer` and the far end's `answer` agreed on (RFC 3264 §7).

    We send with the answer's first codec that we offered, using the answer's payload
    number. `codec` is taken from `our_codecs` when given (so the caller gets its own
    objects back), else built from our offer's rtpmap and fmtp. Raises
    `OfferAnswerError` when the answer does not fit the offer or rejects the audio.
    """
    if len(answer.media) != len(offer.media):
        raise OfferAnswerError(
            f"The answer has {len(answer.media)} media lines but the offer had "
            f"{len(offer.media)} (RFC 3264 §6)."
        )
    index = _own_audio_index(offer)
    if index is None or offer.media[index].port == 0:
        raise OfferAnswerError("Our offer has no active audio stream.")
    om, am = offer.media[index], answer.media[index]
    if am.media != om.media:
        raise OfferAnswerError(f"The answer has m={am.media} where the offer had m=audio.")
    if am.port == 0:
        raise OfferAnswerError("The other side rejected the audio stream.")
    if answer.connection_for(am) is None:
        raise OfferAnswerError("The answer has no connection address (c= line).")
    mine = _offered_codecs(om)  # our numbers

    def ours_for(rm: RtpMap) -> tuple[int, CodecSpec] | None:
        for pt, orm in mine:
            if CodecSpec(orm.encoding, orm.clock_rate, orm.channels or 1).matches(rm):
                fmtp = om.fmtp(pt) or ""
                spec = CodecSpec(
                    orm.encoding, orm.clock_rate, orm.channels or 1, fmtp, pt if pt < 96 else None
                )
                if our_codecs is not None:
                    spec = next((s for s in our_codecs if s.matches(orm)), spec)
                return pt, spec
        return None

    answered: list[tuple[int, RtpMap]] = []
    for pt in am.payload_types:
        rm = am.codec(pt) or om.codec(pt)  # an answer may lean on the offer's rtpmap
        if rm is not None:
            answered.append((pt, rm))
    send: tuple[int, CodecSpec] | None = None
    receive: dict[int, CodecSpec] = {}
    codecs: list[CodecSpec] = []
    for pt, rm in answered:
        found = ours_for(rm)
        if found is None:
            continue
        my_pt, spec = found
        receive.setdefault(my_pt, spec)
        if not spec.is_telephone_event:
            codecs.append(spec)
            if send is None:
                send = (pt, spec)
    if send is None:
        raise OfferAnswerError(
            f"No common audio codec in the answer: it lists {_describe(am)}; "
            f"we offered {_describe(om)}."
        )
    for pt, rm in answered:  # far ends that send with their own numbers still decode
        found = ours_for(rm)
        if found is not None:
            receive.setdefault(pt, found[1])
    ev = _pick_event(answered, send[1].clock_rate)
    mux = om.rtcp_mux and am.rtcp_mux
    ours = intersect_directions(
        offer.direction_of(om), reverse_direction(_their_direction(answer, am))
    )
    return _negotiated(
        answer,
        am,
        index,
        send=send,
        event=ev,
        receive=receive,
        direction=ours,
        mux=mux,
        codecs=tuple(codecs),
        feedback=feedback_of(om, am),
    )


# --- hold -------------------------------------------------------------------------------------


def hold_offer(previous: SessionDescription, style: HoldStyle = "rfc3264") -> SessionDescription:
    """The re-offer that holds the far end, made from the last SDP we sent.

    See the module docstring for exactly what each style sends (RFC 3264 §8.4).
    """
    sdp = previous.copy()
    index = _own_audio_index(sdp)
    if index is None:
        raise ValueError("hold_offer: the previous SDP has no audio stream")
    m = sdp.media[index]
    # RFC 3264 §8.4: sendrecv -> sendonly; recvonly (they hold us already) -> inactive.
    held: Direction = "sendonly" if _FLAGS[previous.direction_of(m)][0] else "inactive"
    for d in _FLAGS:
        sdp.remove_attr(d)  # a session-level direction would contradict the media's
    m.set_direction(held)
    if style == "rfc2543":
        conns = ([sdp.connection] if sdp.connection else []) + m.connections
        for c in conns:
            c.address = "::" if c.addrtype.upper() == "IP6" else "0.0.0.0"
    elif style != "rfc3264":
        raise ValueError(f"unknown hold style {style!r}")
    return _finish(sdp, previous)
