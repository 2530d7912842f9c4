"""SDES SRTP between two real `Phone`s (`phonepair.py`): the keys on the wire, the
events' media_encryption/signalling, SRTP media both ways on real UDP, new keys on a
re-INVITE, and the refusals (mandatory vs plain, no keys over plain signalling)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from phonepair import PhonePair
from test_phone_pair import connected, ended, registered

from parley.phone.events import CallPhase, EndCause
from parley.sip.message import Request
from parley.sip.sdes import SrtpProblem, crypto_lines
from parley.sip.sdp import parse_sdp

SRTP_UDP = {"srtp": "optional", "srtp_over_plain_signalling": True}


def crypto_of(message: Request) -> list[str]:
    sdp = parse_sdp(message.body)
    return [f"{c.tag} {c.suite} {c.keys[0].key_salt.hex()}" for c in crypto_lines(sdp.media[0])]


def proto_of(message: Any) -> str:
    return parse_sdp(message.body).media[0].proto


def test_optional_both_sides_encrypt_and_keep_keys_on_reinvite(
    make_phone_pair: Callable[..., PhonePair],
) -> None:
    pair = make_phone_pair(
        a_account={**SRTP_UDP, "srtp_suites": ["AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"]},
        b_account={**SRTP_UDP, "srtp_suites": ["AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"]},
    )
    a_call, b_call = pair.run(connected(pair))
    (invite,) = pair.network.requests("INVITE", src=5061)
    assert proto_of(invite) == "RTP/AVP"
    offered = crypto_of(invite)
    assert [line.split()[:2] for line in offered] == [
        ["1", "AEAD_AES_128_GCM"],
        ["2", "AES_CM_128_HMAC_SHA1_80"],
    ]
    (ok,) = [r for r in pair.network.responses(200, "INVITE", src=5062)]
    (answered,) = crypto_of(ok)  # type: ignore[arg-type]
    assert answered.split()[:2] == ["2", "AES_CM_128_HMAC_SHA1_80"]  # Bob's order, our tag
    for side, call in ((pair.a, a_call), (pair.b, b_call)):
        up = side.call_events(call.id)[-1]
        assert (up.media_encryption, up.signalling) == ("srtp", "udp"), up
        assert up.encryption_problem is None
    pair.run(pair.settle(1.0))
    for call in (a_call, b_call):
        stats = call.stats()
        assert stats["packets_received"] > 0, stats  # type: ignore[operator]
        assert stats["srtp_suite"] == "AES_CM_128_HMAC_SHA1_80"
        assert stats["srtp_rejected_rtp"] == 0, stats

    # Hold and resume are re-offers with the same keys (see parley.sip.sdes).
    pair.do(a_call.hold)
    pair.run(pair.until(lambda: len(pair.network.requests("INVITE", src=5061)) == 2))
    pair.run(pair.settle(0.5))
    pair.do(a_call.resume)
    pair.run(pair.until(lambda: len(pair.network.requests("INVITE", src=5061)) == 3))
    _, hold, resume = pair.network.requests("INVITE", src=5061)
    assert crypto_of(hold) == offered
    assert crypto_of(resume) == offered
    pair.run(pair.settle(1.0))
    before = b_call.stats()["packets_received"]
    pair.run(pair.settle(1.0))
    stats = b_call.stats()
    assert stats["packets_received"] > before, stats  # type: ignore[operator]
    assert a_call.stats()["srtp_rejected_rtp"] == 0
    assert pair.a.call_events(a_call.id)[-1].media_encryption == "srtp"


def test_mandatory_offer_to_a_phone_with_srtp_off_is_refused_with_the_reason(
    make_phone_pair: Callable[..., PhonePair],
) -> None:
    pair = make_phone_pair(a_account={**SRTP_UDP, "srtp": "mandatory"})
    pair.run(registered(pair))
    a_call = pair.run(pair.a.phone.dial(pair.b.uri))
    pair.run(pair.until(lambda: ended(pair.a, a_call)))
    (invite,) = pair.network.requests("INVITE", src=5061)
    assert proto_of(invite) == "RTP/SAVP"
    (refusal,) = pair.network.responses(488, "INVITE", src=5062)
    assert refusal.headers.get("Warning") == '399 parley "srtp not enabled"'
    b_end = pair.b.call_events()[-1]
    assert b_end.cause is EndCause.MEDIA_FAILED
    assert b_end.encryption_problem is SrtpProblem.NOT_ENABLED
    assert CallPhase.INCOMING not in pair.b.phases()  # it never rang


def test_plain_offer_to_a_mandatory_phone_is_refused(
    make_phone_pair: Callable[..., PhonePair],
) -> None:
    pair = make_phone_pair(b_account={**SRTP_UDP, "srtp": "mandatory"})
    pair.run(registered(pair))
    a_call = pair.run(pair.a.phone.dial(pair.b.uri))
    pair.run(pair.until(lambda: ended(pair.a, a_call)))
    (refusal,) = pair.network.responses(488, "INVITE", src=5062)
    assert refusal.headers.get("Warning") == '399 parley "srtp required"'
    assert pair.b.call_events()[-1].encryption_problem is SrtpProblem.REQUIRED


def test_no_keys_over_udp_without_the_explicit_choice(
    make_phone_pair: Callable[..., PhonePair],
) -> None:
    pair = make_phone_pair(a_account={"srtp": "optional"}, b_account=SRTP_UDP)
    a_call, b_call = pair.run(connected(pair))
    (invite,) = pair.network.requests("INVITE", src=5061)
    assert crypto_of(invite) == [] and proto_of(invite) == "RTP/AVP"
    up = pair.a.call_events(a_call.id)[-1]
    assert up.media_encryption == "none"
    assert up.encryption_problem is SrtpProblem.NEEDS_TLS
    assert pair.b.call_events(b_call.id)[-1].media_encryption == "none"
    pair.run(pair.settle(1.0))
    assert a_call.stats()["packets_received"] > 0  # type: ignore[operator]


def test_mandatory_without_tls_sends_no_invite(
    make_phone_pair: Callable[..., PhonePair],
) -> None:
    pair = make_phone_pair(a_account={"srtp": "mandatory"})
    pair.run(registered(pair))
    a_call = pair.run(pair.a.phone.dial(pair.b.uri))
    pair.run(pair.settle(1.0))
    assert pair.network.requests("INVITE", src=5061) == []
    last = pair.a.call_events(a_call.id)[-1]
    assert last.state is CallPhase.ENDED
    assert last.cause is EndCause.MEDIA_FAILED
    assert last.encryption_problem is SrtpProblem.NEEDS_TLS
