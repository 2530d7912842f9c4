"""ZRTP between two real `Phone`s (`phonepair.py`, RTP on real UDP sockets): the
a=zrtp-hash in both SDPs, both calls reporting "zrtp" with the same SAS, SRTP media
both ways that survives hold/resume, verify through the call; SDES keys keep ZRTP
out; a peer without ZRTP leaves the call plain and audible."""

from __future__ import annotations

from collections.abc import Callable

from phonepair import PhonePair
from test_phone_pair import connected

from parley.sip.sdp import parse_sdp

ZRTP = {"zrtp": True}


def zrtp_up(pair: PhonePair) -> Callable[[], bool]:
    def check() -> bool:
        return all(
            any(e.media_encryption == "zrtp" for e in side.call_events())
            for side in (pair.a, pair.b)
        )

    return check


def test_zrtp_call_same_sas_srtp_both_ways_through_hold(
    make_phone_pair: Callable[..., PhonePair],
) -> None:
    pair = make_phone_pair(a_account=ZRTP, b_account=ZRTP)
    a_call, b_call = pair.run(connected(pair))
    (invite,) = pair.network.requests("INVITE", src=5061)
    (ok,) = pair.network.responses(200, "INVITE", src=5062)
    for message in (invite, ok):
        value = parse_sdp(message.body).media[0].attr("zrtp-hash")
        assert value is not None and value.startswith("1.10 "), message.body
    pair.run(pair.until(zrtp_up(pair)))
    a_up = [e for e in pair.a.call_events(a_call.id) if e.media_encryption == "zrtp"][-1]
    b_up = [e for e in pair.b.call_events(b_call.id) if e.media_encryption == "zrtp"][-1]
    assert a_up.sas and a_up.sas == b_up.sas
    assert not a_up.sas_verified and not a_up.zrtp_cache_mismatch
    pair.run(pair.settle(1.0))
    for call in (a_call, b_call):
        stats = call.stats()
        assert stats["media_encryption"] == "zrtp", stats
        assert stats["zrtp_srtp_protected"] > 10 and stats["zrtp_srtp_unprotected"] > 10, stats

    pair.do(a_call.hold)
    pair.run(pair.settle(0.5))
    pair.do(a_call.resume)
    pair.run(pair.settle(0.5))
    before = b_call.stats()["zrtp_srtp_unprotected"]
    pair.run(pair.settle(1.0))
    assert b_call.stats()["zrtp_srtp_unprotected"] > before  # type: ignore[operator]

    pair.do(lambda: a_call.set_sas_verified(True))
    last = pair.a.call_events(a_call.id)[-1]
    assert last.sas_verified and last.media_encryption == "zrtp"


def test_sdes_keys_keep_zrtp_out(make_phone_pair: Callable[..., PhonePair]) -> None:
    both = {"zrtp": True, "srtp": "optional", "srtp_over_plain_signalling": True}
    pair = make_phone_pair(a_account=both, b_account=both)
    a_call, b_call = pair.run(connected(pair))
    pair.run(pair.settle(1.0))
    (ok,) = pair.network.responses(200, "INVITE", src=5062)
    assert parse_sdp(ok.body).media[0].attr("zrtp-hash") is None  # SDES answered
    for call in (a_call, b_call):
        stats = call.stats()
        assert stats["media_encryption"] == "srtp", stats
        assert stats["zrtp_state"] == "discovery" or stats["zrtp_state"] == "none", stats
    assert all(e.media_encryption != "zrtp" for e in pair.a.call_events())


def test_peer_without_zrtp_stays_plain_and_audible(
    make_phone_pair: Callable[..., PhonePair],
) -> None:
    pair = make_phone_pair(a_account=ZRTP)
    a_call, b_call = pair.run(connected(pair))
    pair.run(pair.settle(6.0))  # past ZRTP's Hello retransmissions
    stats = a_call.stats()
    assert stats["media_encryption"] == "none" and stats["zrtp_state"] == "failed", stats
    before = b_call.stats()["packets_received"]
    pair.run(pair.settle(1.0))
    assert b_call.stats()["packets_received"] > before  # type: ignore[operator]
    assert a_call.stats()["packets_received"] > 0  # type: ignore[operator]
