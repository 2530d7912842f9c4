"""RTCP feedback (RTP/AVPF) between two real `Phone`s (`phonepair.py`): the profile and
the rtcp-fb lines of what crossed the wire, with SRTP too, media both ways, a hold
re-offer that keeps the profile, and the negotiated trr-int on the streams."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from phonepair import PhonePair
from test_phone_pair import connected

from parley.sip.sdp import parse_sdp

FB = {"rtcp_feedback": True}
SRTP_UDP = {"srtp": "mandatory", "srtp_over_plain_signalling": True}


def audio_of(message: Any) -> tuple[str, list[str]]:
    m = parse_sdp(message.body).media[0]
    return m.proto, m.attrs("rtcp-fb")


def test_both_on_avpf_both_ways_and_hold_keeps_it(
    make_phone_pair: Callable[..., PhonePair],
) -> None:
    pair = make_phone_pair(a_account=FB, b_account=FB)
    a_call, b_call = pair.run(connected(pair))
    (invite,) = pair.network.requests("INVITE", src=5061)
    (ok,) = pair.network.responses(200, "INVITE", src=5062)
    assert audio_of(invite) == ("RTP/AVPF", ["* trr-int 5000"])
    assert audio_of(ok) == ("RTP/AVPF", ["* trr-int 5000"])
    for call in (a_call, b_call):
        assert call.negotiated is not None and call.negotiated.feedback.trr_int_ms == 5000
        assert call.stream is not None and call.stream.report_interval_min == 5.0
    pair.run(pair.settle(1.0))
    for call in (a_call, b_call):
        stats = call.stats()
        assert stats["packets_received"] > 0, stats  # type: ignore[operator]
        assert stats["feedback_received"] == 0 and stats["malformed"] == 0, stats

    pair.do(a_call.hold)
    pair.run(pair.until(lambda: len(pair.network.requests("INVITE", src=5061)) == 2))
    _, hold = pair.network.requests("INVITE", src=5061)
    assert audio_of(hold) == ("RTP/AVPF", ["* trr-int 5000"])
    assert parse_sdp(hold.body).media[0].direction == "sendonly"


def test_avpf_offer_to_a_phone_with_it_off_is_answered_avpf_without_feedback(
    make_phone_pair: Callable[..., PhonePair],
) -> None:
    pair = make_phone_pair(a_account=FB)
    a_call, b_call = pair.run(connected(pair))
    (invite,) = pair.network.requests("INVITE", src=5061)
    (ok,) = pair.network.responses(200, "INVITE", src=5062)
    assert audio_of(invite) == ("RTP/AVPF", ["* trr-int 5000"])
    assert audio_of(ok) == ("RTP/AVPF", [])
    for call in (a_call, b_call):
        assert call.negotiated is not None and call.negotiated.feedback.trr_int_ms == 0
        assert call.negotiated.feedback.avpf
    pair.run(pair.settle(1.0))
    assert b_call.stats()["packets_received"] > 0  # type: ignore[operator]


def test_mandatory_srtp_offers_and_answers_savpf(
    make_phone_pair: Callable[..., PhonePair],
) -> None:
    pair = make_phone_pair(a_account={**FB, **SRTP_UDP}, b_account={**FB, **SRTP_UDP})
    a_call, b_call = pair.run(connected(pair))
    (invite,) = pair.network.requests("INVITE", src=5061)
    (ok,) = pair.network.responses(200, "INVITE", src=5062)
    assert audio_of(invite) == ("RTP/SAVPF", ["* trr-int 5000"])
    assert audio_of(ok) == ("RTP/SAVPF", ["* trr-int 5000"])
    pair.run(pair.settle(1.0))
    for call in (a_call, b_call):
        stats = call.stats()
        assert stats["media_encryption"] == "srtp", stats
        assert stats["packets_received"] > 0, stats  # type: ignore[operator]
