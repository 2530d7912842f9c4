"""A call's media encryption: SDES keys in its SDP (`parley.sip.sdes`) and the SRTP
adapter around its RTP transport (`parley.media.srtp`).

`CallCrypto` is asked at each step of the call's offer/answer: to add our keys to an
offer, to choose and answer an offer's keys, to read an answer's. It then wraps the
stream's transport (once) or gives the adapter the new keys. What the call reports:
`media_encryption` ("none"/"srtp"), `signalling` ("udp"/"tcp"/"tls") and, where SRTP
was wanted but did not happen, `problem` (an `SrtpProblem` code the front-end words).

An SRTP call never silently turns plain: a re-offer or re-answer without keys on a call
that has them is refused (`SrtpProblem.REQUIRED`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from parley.media.srtp import SrtpTransport
from parley.media.transport import MediaTransport
from parley.sip.sdes import (
    SAVP_PROTOS,
    CryptoError,
    SdesPolicy,
    SrtpKeys,
    SrtpProblem,
    answer_crypto,
    offer_crypto,
    read_answer,
    suites_in_order,
)
from parley.sip.sdp import SessionDescription

if TYPE_CHECKING:
    from parley.media.stream import RtpStream
    from parley.settings.model import AccountSettings
    from parley.sip.message import Request

log = logging.getLogger(__name__)


def srtp_problem_of(settings: AccountSettings) -> SrtpProblem | None:
    """Why an account's SRTP setting cannot take effect as it stands: SRTP wanted, but
    no TLS and no explicit choice to send keys over plain signalling."""
    plain = settings.transport != "tls" and not settings.srtp_over_plain_signalling
    return SrtpProblem.NEEDS_TLS if settings.srtp != "off" and plain else None


def signalling_of_request(request: Request) -> str:
    """The transport an incoming request came over, from its top Via."""
    try:
        return request.top_via.transport.lower()
    except Exception:
        return "udp"


class CallCrypto:
    def __init__(self, settings: AccountSettings, signalling: str) -> None:
        self.signalling = signalling if signalling in ("udp", "tcp", "tls") else "udp"
        self.policy = SdesPolicy(
            mode=settings.srtp,
            suites=suites_in_order(settings.srtp_suites),
            keys_allowed=self.signalling == "tls" or settings.srtp_over_plain_signalling,
        )
        self.keys: SrtpKeys | None = None
        self.adapter: SrtpTransport | None = None
        # Why a call with SRTP wanted is not (or may not be) encrypted.
        self.problem: SrtpProblem | None = (
            SrtpProblem.NEEDS_TLS
            if settings.srtp != "off" and not self.policy.keys_allowed
            else None
        )

    @property
    def media_encryption(self) -> str:
        active = self.adapter is not None and self.adapter.active
        return "srtp" if self.keys is not None and active else "none"

    @property
    def refuses_outgoing(self) -> bool:
        """Mandatory SRTP, but no key may be sent over this signalling."""
        return self.policy.mode == "mandatory" and not self.policy.keys_allowed

    # ---------------------------------------------------------------- offer/answer

    def decorate_offer(self, sdp: SessionDescription, previous: SessionDescription | None) -> None:
        """Our keys (fresh ones) into the audio section of an offer we are about to send."""
        if not self.policy.offers_srtp:
            return
        index = _audio_index(sdp)
        if index is None:
            return
        prev = previous.media[index] if previous and index < len(previous.media) else None
        offer_crypto(self.policy, sdp.media[index], previous=prev)
        if previous is not None and sdp.origin.session_version == previous.origin.session_version:
            if sdp.to_lines() != previous.to_lines():
                sdp.origin.session_version += 1  # new keys are a change (RFC 3264 §8)

    def accept_protos(self) -> tuple[str, ...]:
        return self.policy.accept_protos

    def check_offer(self, offer: SessionDescription) -> None:
        """An RTP/SAVP audio offer we may not take says why (before the codec check)."""
        index = _audio_index(offer)
        if index is None or offer.media[index].proto.upper() not in SAVP_PROTOS:
            return
        if self.policy.mode == "off":
            raise CryptoError("the far end requires SRTP; it is off", SrtpProblem.NOT_ENABLED)
        if not self.policy.keys_allowed:
            raise CryptoError("SRTP keys need TLS signalling", SrtpProblem.NEEDS_TLS)

    def answer(
        self, offer: SessionDescription, answer: SessionDescription, stream_index: int
    ) -> SrtpKeys | None:
        """Choose the offer's keys and add ours to `answer`; raises `CryptoError`."""
        keys = answer_crypto(
            self.policy, offer.media[stream_index], answer.media[stream_index], current=self.keys
        )
        self._check_no_downgrade(keys)
        return keys

    def read(
        self, offer: SessionDescription, answer: SessionDescription, stream_index: int
    ) -> SrtpKeys | None:
        keys = read_answer(self.policy, offer.media[stream_index], answer.media[stream_index])
        self._check_no_downgrade(keys)
        return keys

    def _check_no_downgrade(self, keys: SrtpKeys | None) -> None:
        if keys is None and self.keys is not None:
            raise CryptoError("the SRTP call would become plain RTP", SrtpProblem.REQUIRED)

    # ---------------------------------------------------------------- media

    def guard(self, stream: RtpStream) -> None:
        """Before SRTP keys are agreed, no packet passes either way (see
        `SrtpTransport.pending`): called as soon as the stream is open when SRTP may be
        used on this call."""
        if self.adapter is not None or not self.policy.offers_srtp:
            return
        made: list[SrtpTransport] = []

        def wrap(inner: MediaTransport) -> MediaTransport:
            made.append(SrtpTransport.pending(inner))
            return made[0]

        stream.wrap_transport(wrap)
        self.adapter = made[0]

    def apply(self, stream: RtpStream, keys: SrtpKeys | None) -> None:
        """Run the stream's media with `keys` (None: plain, only before any keys)."""
        if keys is None:
            if self.adapter is not None:
                self.adapter.set_plain()
            return
        self.guard(stream)
        assert self.adapter is not None
        self.keys = keys
        self.problem = None
        if not self.adapter.active:
            log.info("SRTP on with %s (tag %d)", keys.suite, keys.tag)
            if self.signalling != "tls":
                # The user's explicit choice (srtp_over_plain_signalling), in the log.
                log.warning(
                    "the SRTP keys of this call went over %s signalling, readable on the path",
                    self.signalling.upper(),
                )
        self.adapter.set_keys(keys.suite, keys.send_key, keys.receive_key)

    def stats(self) -> dict[str, object]:
        data: dict[str, object] = {
            "media_encryption": self.media_encryption,
            "signalling": self.signalling,
        }
        if self.adapter is not None:
            c = self.adapter.counters
            data.update(
                srtp_suite=self.adapter.suite,
                srtp_rejected_rtp=c.rejected_rtp,
                srtp_rejected_rtcp=c.rejected_rtcp,
            )
        return data


def _audio_index(sdp: SessionDescription) -> int | None:
    for i, m in enumerate(sdp.media):
        if m.media.lower() == "audio" and m.port != 0:
            return i
    return None
