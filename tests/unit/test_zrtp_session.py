"""The ZRTP state machine (RFC 6189 §4): two sessions on a fake network with a virtual
clock reach the same SAS and matching SRTP keys; commit contention, packet loss, the
retained-secret cache across calls, cache mismatch, and everything refused (Error,
GoClear, Preshared/Multistream, bad public values, a tampered Confirm)."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zrtp_rig import ManualPeer, Sent, Wire, make_pair

from parley.media.zrtp import (
    AuthTag,
    CipherAlgorithm,
    DiscardReason,
    ErrorCode,
    FailReason,
    FileZidCache,
    KeyAgreement,
    Role,
    State,
    ZidCache,
    ZrtpCacheMismatch,
    ZrtpConfig,
    ZrtpDiscarded,
    ZrtpEvent,
    ZrtpFailed,
    ZrtpGoClearRefused,
    ZrtpSecure,
    ZrtpSession,
    crypto,
)
from parley.media.zrtp.crc32c import crc32c_bytes
from parley.media.zrtp.packets import (
    ClearAck,
    Commit,
    DHPart1,
    DHPart2,
    Error,
    ErrorAck,
    GoClear,
    Hello,
    Ping,
    PingAck,
    decode_packet,
    encode_message,
    encode_packet,
)


def secure_of(events: list[ZrtpEvent]) -> ZrtpSecure:
    found = [e for e in events if isinstance(e, ZrtpSecure)]
    assert len(found) == 1, events
    return found[0]


def assert_keys_match(w: Wire) -> tuple[ZrtpSecure, ZrtpSecure]:
    a, b = secure_of(w.events_a), secure_of(w.events_b)
    assert a.sas == b.sas
    assert len(a.sas) == 4 and set(a.sas) <= set(crypto.B32_ALPHABET)
    assert {a.role, b.role} == {Role.INITIATOR, Role.RESPONDER}
    assert a.send_key == b.receive_key and a.send_salt == b.receive_salt
    assert b.send_key == a.receive_key and b.send_salt == a.receive_salt
    assert a.send_key != a.receive_key
    assert a.peer_zid == w.b.zid and b.peer_zid == w.a.zid
    return a, b


def errors_on_wire(w: Wire, sender: str) -> list[int]:
    return [s.message.code for s in w.wire if s.sender == sender and isinstance(s.message, Error)]


# --- a whole exchange ----------------------------------------------------------------------


@pytest.mark.parametrize("agreement", [KeyAgreement.DH3K, KeyAgreement.EC25, KeyAgreement.DH2K])
@pytest.mark.parametrize("cipher", [CipherAlgorithm.AES1, CipherAlgorithm.AES3])
@pytest.mark.parametrize("tag", [AuthTag.HS32, AuthTag.HS80])
def test_two_sessions_agree_on_sas_and_srtp_keys(
    agreement: KeyAgreement, cipher: CipherAlgorithm, tag: AuthTag
) -> None:
    w = make_pair(key_agreements=(agreement,), ciphers=(cipher,), auth_tags=(tag,))
    w.run()
    a, b = assert_keys_match(w)
    for event in (a, b):
        assert (event.key_agreement, event.cipher, event.auth_tag) == (agreement, cipher, tag)
        assert len(event.send_key) == cipher.key_bytes and len(event.send_salt) == 14
        assert not event.sas_verified
    assert (
        a.srtp_profile
        == {
            (CipherAlgorithm.AES1, AuthTag.HS80): "AES_CM_128_HMAC_SHA1_80",
            (CipherAlgorithm.AES1, AuthTag.HS32): "AES_CM_128_HMAC_SHA1_32",
            (CipherAlgorithm.AES3, AuthTag.HS80): "AES_256_CM_HMAC_SHA1_80",
            (CipherAlgorithm.AES3, AuthTag.HS32): "AES_256_CM_HMAC_SHA1_32",
        }[(cipher, tag)]
    )
    assert w.a.state is State.SECURE and w.b.state is State.SECURE
    assert w.a.get_timer() is None and w.b.get_timer() is None
    # The public value on the wire has the size of the agreement (§5.5).
    parts = [s.message for s in w.wire if isinstance(s.message, DHPart1 | DHPart2)]
    assert {len(p.pv) for p in parts} == {agreement.public_value_bytes}


def test_roles_with_a_passive_responder_follow_the_rfc_message_order() -> None:
    w = make_pair(b_passive=True)
    w.run()
    a, b = assert_keys_match(w)
    assert (a.role, b.role) == (Role.INITIATOR, Role.RESPONDER)
    assert w.kinds("a") == ["Hello", "HelloAck", "Commit", "DHPart2", "Confirm2"]
    assert w.kinds("b") == ["Hello", "HelloAck", "DHPart1", "Confirm1", "Conf2Ack"]
    assert decode_packet(w.wire[0].data).ssrc == 0xA


def test_key_agreement_is_the_faster_when_first_choices_differ() -> None:
    """§4.1.2: A prefers DH3k, B prefers EC25; both have both; EC25 is faster."""
    w = make_pair(
        a_key_agreements=(KeyAgreement.DH3K, KeyAgreement.EC25),
        b_key_agreements=(KeyAgreement.EC25, KeyAgreement.DH3K),
    )
    w.run()
    a, _ = assert_keys_match(w)
    assert a.key_agreement is KeyAgreement.EC25


def test_peer_without_our_preferred_agreement_gets_the_mandatory_dh3k() -> None:
    w = make_pair(a_key_agreements=(KeyAgreement.EC25,), b_key_agreements=(KeyAgreement.DH2K,))
    w.run()
    # EC25 and DH2k are not shared; DH3k is mandatory for both (§5.1.5).
    assert secure_of(w.events_a).key_agreement is KeyAgreement.DH3K


def test_commit_contention_resolved_by_the_higher_hvi() -> None:
    w = make_pair()
    w.run()
    commits = [(s.sender, s.message) for s in w.wire if isinstance(s.message, Commit)]
    senders = {sender for sender, _ in commits}
    assert senders == {"a", "b"}  # both sent a Commit
    hvis = {sender: int.from_bytes(c.hvi, "big") for sender, c in commits}
    winner = "a" if hvis["a"] > hvis["b"] else "b"
    loser = "b" if winner == "a" else "a"
    a, b = assert_keys_match(w)
    roles = {"a": a.role, "b": b.role}
    assert roles[winner] is Role.INITIATOR and roles[loser] is Role.RESPONDER
    winner_events = w.events_a if winner == "a" else w.events_b
    assert ZrtpDiscarded(DiscardReason.LOST_CONTENTION) in winner_events
    # The loser answered with DHPart1; only the winner sent DHPart2.
    assert [s.sender for s in w.wire if s.kind == "DHPart1"] == [loser]
    assert [s.sender for s in w.wire if s.kind == "DHPart2"] == [winner]


# --- loss and retransmission (§6) --------------------------------------------------------------


def test_every_first_transmission_lost_is_recovered_by_the_timers() -> None:
    seen: set[tuple[str, str]] = set()

    def drop_first(sent: Sent) -> bool:
        key = (sent.sender, sent.kind)
        if key in seen:
            return False
        seen.add(key)
        return True

    w = make_pair(drop=drop_first, b_passive=True)
    w.run()
    assert_keys_match(w)
    assert w.now > 0  # it took timers
    assert sum(s.dropped for s in w.wire) >= 8


@pytest.mark.parametrize("seed", range(12))
def test_random_loss_of_a_third_still_ends_secure(seed: int) -> None:
    """A third of all packets lost. Every random choice (keys, H0, IVs, ZIDs, which
    packet is lost) comes from the seed, so each case is the same on every run."""
    rng = random.Random(seed)
    w = make_pair(
        ZidCache(zid=bytes([1]) * 12),
        ZidCache(zid=bytes([2]) * 12),
        drop=lambda sent: rng.random() < 0.33,
        key_agreements=(KeyAgreement.DH3K,),
        a_random=random.Random(f"a{seed}").randbytes,
        b_random=random.Random(f"b{seed}").randbytes,
    )
    w.run()
    a, b = secure_of(w.events_a), secure_of(w.events_b)
    assert a.sas == b.sas and a.send_key == b.receive_key
    assert any(s.dropped for s in w.wire)


def test_hello_schedule_t1_and_giving_up() -> None:
    """T1: 50 ms doubling to 200 ms, 20 retransmissions, then no peer (§6)."""
    w = make_pair(drop=lambda sent: sent.sender == "b")
    w.run()
    times = [s.at for s in w.wire if s.sender == "a" and s.kind == "Hello"]
    assert len(times) == 21
    gaps = [round(t2 - t1, 6) for t1, t2 in itertools.pairwise(times)]
    assert gaps == [0.05, 0.1] + [0.2] * 18
    assert ZrtpFailed(FailReason.NO_HELLO_ANSWER) in w.events_a
    assert w.a.state is State.FAILED and w.a.get_timer() is None


def test_commit_schedule_t2_and_timeout_error() -> None:
    """T2: 150 ms doubling to 1200 ms, 10 retransmissions, then Error 0xB0."""
    w = make_pair(b_passive=True, drop=lambda sent: sent.kind == "DHPart1")
    w.run()
    times = [s.at for s in w.wire if s.sender == "a" and s.kind == "Commit"]
    assert len(times) == 11
    gaps = [round(t2 - t1, 6) for t1, t2 in itertools.pairwise(times)]
    assert gaps == [0.15, 0.3, 0.6] + [1.2] * 7
    assert errors_on_wire(w, "a") == [ErrorCode.PROTOCOL_TIMEOUT]
    assert ZrtpFailed(FailReason.TIMEOUT, ErrorCode.PROTOCOL_TIMEOUT) in w.events_a
    # The responder answered every Commit again with its DHPart1.
    assert w.kinds("b").count("DHPart1") == 11


def test_lost_conf2ack_is_answered_again() -> None:
    lost = {"n": 0}

    def drop_conf2ack_once(sent: Sent) -> bool:
        if sent.kind == "Conf2Ack" and lost["n"] == 0:
            lost["n"] = 1
            return True
        return False

    w = make_pair(b_passive=True, drop=drop_conf2ack_once)
    w.run()
    assert_keys_match(w)
    assert w.kinds("b").count("Conf2Ack") == 2
    assert w.kinds("a").count("Confirm2") == 2


# --- retained secrets across calls (§4.3, §4.6.1) ------------------------------------------------


def test_second_call_finds_rs1_and_carries_the_verified_flag(tmp_path: Path) -> None:
    cache_a, cache_b = FileZidCache(tmp_path / "a"), FileZidCache(tmp_path / "b")
    first = make_pair(cache_a, cache_b)
    first.run()
    a1, _ = assert_keys_match(first)
    assert not a1.sas_verified
    first.a.set_sas_verified(True)
    first.b.set_sas_verified(True)
    rs1_of_a = cache_a.peer(first.b.zid).rs1
    assert rs1_of_a is not None and rs1_of_a == cache_b.peer(first.a.zid).rs1

    # The second call, with caches read back from disk.
    cache_a2, cache_b2 = FileZidCache(tmp_path / "a"), FileZidCache(tmp_path / "b")
    second = make_pair(cache_a2, cache_b2)
    second.run()
    a2, b2 = assert_keys_match(second)
    assert a2.sas_verified and b2.sas_verified
    assert not any(isinstance(e, ZrtpCacheMismatch) for e in second.events_a + second.events_b)
    assert a2.send_key != a1.send_key
    # On the wire each DHPart names the first call's secret (rs1ID, §4.3.1) ...
    parts = {s.sender: s.message for s in second.wire if isinstance(s.message, DHPart1 | DHPart2)}
    for sender, part in parts.items():
        label = b"Initiator" if isinstance(part, DHPart2) else b"Responder"
        assert part.rs1_id == crypto.secret_id(rs1_of_a, label), sender
    # ... and afterwards that secret is rs2 and a new rs1 is shared.
    after_a, after_b = cache_a2.peer(second.b.zid), cache_b2.peer(second.a.zid)
    assert after_a.rs2 == rs1_of_a and after_a.rs1 == after_b.rs1 != rs1_of_a


def test_verified_on_one_side_only_is_shown_unverified_on_both() -> None:
    cache_a, cache_b = ZidCache(), ZidCache()
    first = make_pair(cache_a, cache_b)
    first.run()
    first.a.set_sas_verified(True)
    second = make_pair(cache_a, cache_b)
    second.run()
    a, b = assert_keys_match(second)
    assert not a.sas_verified and not b.sas_verified  # the V flags must both be set (§7.1)


def test_unverify_is_remembered() -> None:
    cache_a, cache_b = ZidCache(), ZidCache()
    first = make_pair(cache_a, cache_b)
    first.run()
    first.a.set_sas_verified(True)
    first.b.set_sas_verified(True)
    second = make_pair(cache_a, cache_b)
    second.run()
    assert secure_of(second.events_a).sas_verified
    second.a.set_sas_verified(False)
    assert not second.a.sas_verified
    third = make_pair(cache_a, cache_b)
    third.run()
    assert not secure_of(third.events_a).sas_verified


def test_wiped_cache_on_one_side_is_a_mismatch_for_the_other() -> None:
    cache_a, cache_b = ZidCache(), ZidCache()
    first = make_pair(cache_a, cache_b)
    first.run()
    first.a.set_sas_verified(True)
    first.b.set_sas_verified(True)
    cache_b.forget(first.a.zid)
    second = make_pair(cache_a, cache_b)
    second.run()
    a, b = assert_keys_match(second)  # still a working exchange ...
    assert ZrtpCacheMismatch(second.b.zid) in second.events_a  # ... with a warning
    assert not any(isinstance(e, ZrtpCacheMismatch) for e in second.events_b)
    assert not a.sas_verified and not b.sas_verified
    assert not cache_a.peer(second.b.zid).verified  # the flag is reset
    # §4.6.1.1: until the SAS is compared, a keeps its old secret, so the warning stays.
    third = make_pair(cache_a, cache_b)
    third.run()
    assert_keys_match(third)
    assert ZrtpCacheMismatch(third.b.zid) in third.events_a
    # Both compare the SAS: now the new secret is kept and the next call is quiet.
    third.a.set_sas_verified(True)
    third.b.set_sas_verified(True)
    fourth = make_pair(cache_a, cache_b)
    fourth.run()
    a4, b4 = assert_keys_match(fourth)
    assert not any(isinstance(e, ZrtpCacheMismatch) for e in fourth.events_a + fourth.events_b)
    assert a4.sas_verified and b4.sas_verified


def test_mismatch_keeps_the_old_secret_until_the_sas_is_verified() -> None:
    cache_a, cache_b = ZidCache(), ZidCache()
    first = make_pair(cache_a, cache_b)
    first.run()
    old = cache_a.peer(first.b.zid)
    cache_b.forget(first.a.zid)
    second = make_pair(cache_a, cache_b)
    second.run()
    kept = cache_a.peer(second.b.zid)
    assert (kept.rs1, kept.rs2) == (old.rs1, old.rs2)  # an attack cannot wipe it
    second.a.set_sas_verified(True)
    now = cache_a.peer(second.b.zid)
    assert now.rs1 == cache_b.peer(second.a.zid).rs1 and now.rs2 == old.rs1 and now.verified


def test_altered_secret_is_a_mismatch_on_both_sides() -> None:
    cache_a, cache_b = ZidCache(), ZidCache()
    first = make_pair(cache_a, cache_b)
    first.run()
    # As if a man in the middle had been in the first call: different secrets.
    cache_b.forget(first.a.zid)
    cache_b.store_secret(first.a.zid, b"m" * 32, None, verified=True)
    second = make_pair(cache_a, cache_b)
    second.run()
    assert_keys_match(second)
    assert ZrtpCacheMismatch(second.b.zid) in second.events_a
    assert ZrtpCacheMismatch(second.a.zid) in second.events_b
    assert not secure_of(second.events_b).sas_verified


def test_responder_that_missed_confirm2_is_found_through_rs2() -> None:
    """The initiator stored the new secret, the responder never saw Confirm2: the next
    call matches the initiator's rs2 with the responder's rs1 (§4.3)."""
    cache_a, cache_b = ZidCache(), ZidCache()
    make_pair(cache_a, cache_b, b_passive=True).run()
    broken = make_pair(cache_a, cache_b, b_passive=True, drop=lambda s: s.kind == "Confirm2")
    broken.run()
    assert ZrtpFailed(FailReason.TIMEOUT, ErrorCode.PROTOCOL_TIMEOUT) in broken.events_a
    assert cache_a.peer(broken.b.zid).rs2 == cache_b.peer(broken.a.zid).rs1
    third = make_pair(cache_a, cache_b)
    third.run()
    assert_keys_match(third)
    assert not any(isinstance(e, ZrtpCacheMismatch) for e in third.events_a + third.events_b)


def test_zero_cache_expiry_keeps_no_secret() -> None:
    cache_a, cache_b = ZidCache(), ZidCache()
    w = make_pair(cache_a, cache_b, b_cache_expiry=0)
    w.run()
    assert_keys_match(w)
    assert cache_a.peer(w.b.zid).rs1 is None and cache_b.peer(w.a.zid).rs1 is None


def test_set_sas_verified_needs_a_secure_session() -> None:
    session = ZrtpSession(ZrtpConfig(ssrc=1), ZidCache(), 0.0)
    with pytest.raises(RuntimeError):
        session.set_sas_verified(True)


# --- a=zrtp-hash (§8.1) ------------------------------------------------------------------------------


def test_zrtp_hash_is_the_hash_of_the_hello_on_the_wire() -> None:
    session = ZrtpSession(ZrtpConfig(ssrc=1), ZidCache(), 0.0)
    hello = decode_packet(session.send_pending()[0])
    assert isinstance(hello.message, Hello)
    assert session.zrtp_hash == "1.10 " + crypto.sha256(hello.message_bytes).hex()


def test_matching_zrtp_hash_from_sdp_lets_the_exchange_through() -> None:
    w = make_pair(b_passive=True)
    w.b.set_peer_zrtp_hash(w.a.zrtp_hash)
    w.a.set_peer_zrtp_hash(w.b.zrtp_hash)
    w.run()
    assert_keys_match(w)


def test_hello_not_matching_the_sdp_hash_is_dropped() -> None:
    w = make_pair(a_peer_zrtp_hash="1.10 " + "00" * 32)
    w.run()
    assert ZrtpDiscarded(DiscardReason.HELLO_HASH_MISMATCH) in w.events_a
    assert not any(isinstance(e, ZrtpSecure) for e in w.events_a + w.events_b)
    assert "HelloAck" not in w.kinds("a")  # a never acknowledged b's Hello


def test_sdp_hash_arriving_after_a_different_hello_fails_the_session() -> None:
    w = make_pair(b_passive=True, a_passive=True)
    w.run()  # Hellos exchanged, nobody commits
    w.a.set_peer_zrtp_hash("1.10 " + "ab" * 32)
    assert w.a.next_event() == ZrtpFailed(FailReason.HELLO_HASH_MISMATCH)
    assert w.a.state is State.FAILED


def test_malformed_zrtp_hash_is_refused() -> None:
    session = ZrtpSession(ZrtpConfig(ssrc=1), ZidCache(), 0.0)
    for bad in ("1.10", "1.10 xyz", "1.10 " + "zz" * 32, ""):
        with pytest.raises(ValueError):
            session.set_peer_zrtp_hash(bad)


# --- refused (§5.9-§5.11) ------------------------------------------------------------------------------


def test_error_from_the_peer_is_acknowledged_and_ends_the_exchange() -> None:
    session = ZrtpSession(ZrtpConfig(ssrc=1), ZidCache(), 0.0)
    session.send_pending()
    peer = ManualPeer()
    session.receive(peer.packet(Error(ErrorCode.UNSUPPORTED_VERSION)), 0.1)
    answers = [decode_packet(p).message for p in session.send_pending()]
    assert answers == [ErrorAck()]
    assert session.next_event() == ZrtpFailed(FailReason.PEER_ERROR, ErrorCode.UNSUPPORTED_VERSION)
    assert session.state is State.FAILED and session.get_timer() is None
    # A repeated Error is acknowledged again, nothing else happens.
    session.receive(peer.packet(Error(ErrorCode.UNSUPPORTED_VERSION)), 0.2)
    assert [decode_packet(p).message for p in session.send_pending()] == [ErrorAck()]
    assert session.next_event() is None


def test_error_after_secure_does_not_undo_the_keys() -> None:
    w = make_pair()
    w.run()
    peer = ManualPeer()
    w.a.receive(peer.packet(Error(ErrorCode.PROTOCOL_TIMEOUT)), w.now)
    assert w.a.state is State.SECURE
    assert [decode_packet(p).message for p in w.a.send_pending()] == [ErrorAck()]


def test_goclear_is_refused_with_error_0x100_and_never_clearack() -> None:
    w = make_pair(b_passive=True)
    w.run()
    assert_keys_match(w)
    # b (the responder) asks to go clear with a correct clear_mac = MAC(mackeyr, "GoClear ").
    mackey_r = w.b._keys.mackey_r  # type: ignore[union-attr]  # the peer's own key
    goclear = encode_packet(encode_message(GoClear(crypto.mac64(mackey_r, b"GoClear "))), 9, 0xB)
    w.a.receive(goclear, w.now)
    w.wire.clear()
    w.run()
    assert errors_on_wire(w, "a") == [ErrorCode.GOCLEAR_NOT_ALLOWED]
    assert not any(isinstance(s.message, ClearAck) for s in w.wire)
    assert ZrtpGoClearRefused() in w.events_a
    assert w.a.state is State.SECURE


def test_goclear_with_a_wrong_mac_is_dropped_silently() -> None:
    w = make_pair()
    w.run()
    w.a.receive(encode_packet(encode_message(GoClear(b"\0" * 8)), 9, 0xB), w.now)
    assert w.a.send_pending() == []
    assert w.a.next_event() == ZrtpDiscarded(DiscardReason.BAD_MAC)


def test_goclear_before_secure_is_dropped() -> None:
    session = ZrtpSession(ZrtpConfig(ssrc=1), ZidCache(), 0.0)
    session.send_pending()
    session.receive(ManualPeer().packet(GoClear(b"\0" * 8)), 0.0)
    assert session.send_pending() == []
    assert session.next_event() == ZrtpDiscarded(DiscardReason.UNEXPECTED)


def _refused_commit(commit_kwargs: dict[str, object]) -> tuple[list[object], list[ZrtpEvent]]:
    session = ZrtpSession(ZrtpConfig(ssrc=1, passive=True), ZidCache(), 0.0)
    peer = ManualPeer()
    hello = peer.introduce(session)
    session.send_pending()
    session.receive(peer.packet(peer.commit(hello, **commit_kwargs)), 0.0)  # type: ignore[arg-type]
    sent = [decode_packet(p).message for p in session.send_pending()]
    events = []
    while (event := session.next_event()) is not None:
        events.append(event)
    return sent, events


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"key_agreement": "Prsh"}, ErrorCode.NO_SHARED_SECRET),
        ({"key_agreement": "Mult"}, ErrorCode.KEY_AGREEMENT_NOT_SUPPORTED),
        ({"key_agreement": "EC52", "dhpart2": b""}, ErrorCode.KEY_AGREEMENT_NOT_SUPPORTED),
        ({"cipher": "2FS3"}, ErrorCode.CIPHER_NOT_SUPPORTED),
    ],
    ids=["Preshared", "Multistream", "EC52", "Twofish"],
)
def test_commits_we_do_not_support_are_refused_with_an_error(
    kwargs: dict[str, object], code: ErrorCode
) -> None:
    sent, events = _refused_commit(kwargs)
    assert sent == [Error(code)]
    assert ZrtpFailed(FailReason.PROTOCOL_ERROR, code) in events


def test_error_is_repeated_until_error_ack() -> None:
    session = ZrtpSession(ZrtpConfig(ssrc=1, passive=True), ZidCache(), 0.0)
    peer = ManualPeer()
    hello = peer.introduce(session)
    session.receive(peer.packet(peer.commit(hello, key_agreement="Prsh")), 0.0)
    session.send_pending()
    timer = session.get_timer()
    assert timer == pytest.approx(0.15)
    session.handle_timer(timer)
    assert [decode_packet(p).message for p in session.send_pending()] == [
        Error(ErrorCode.NO_SHARED_SECRET)
    ]
    session.receive(peer.packet(ErrorAck()), timer)
    assert session.get_timer() is None


def test_commit_whose_h2_does_not_hash_to_the_hello_h3_is_dropped() -> None:
    session = ZrtpSession(ZrtpConfig(ssrc=1, passive=True), ZidCache(), 0.0)
    peer = ManualPeer()
    hello = peer.introduce(session)
    session.send_pending()
    peer.h2 = b"\x00" * 32  # a forged Commit: the chain does not lead to the Hello's H3
    session.receive(peer.packet(peer.commit(hello, dhpart2=b"x")), 0.0)
    assert session.send_pending() == []
    assert session.next_event() == ZrtpDiscarded(DiscardReason.HASH_CHAIN)
    assert session.state is State.DISCOVERY


def _commit_then_dhpart2(pv: bytes, *, honest_hvi: bool) -> tuple[list[object], list[ZrtpEvent]]:
    session = ZrtpSession(
        ZrtpConfig(ssrc=1, passive=True, key_agreements=(KeyAgreement.DH3K,)), ZidCache(), 0.0
    )
    peer = ManualPeer()
    hello = peer.introduce(session)
    dhpart2 = peer.dhpart2(pv)
    commit = peer.commit(hello, dhpart2=dhpart2, hvi=None if honest_hvi else b"\1" * 32)
    session.receive(peer.packet(commit), 0.0)
    assert [decode_packet(p).message.TYPE for p in session.send_pending()] == [
        b"HelloACK",
        b"DHPart1 ",
    ]
    session.receive(peer.packet(dhpart2), 0.0)
    sent = [decode_packet(p).message for p in session.send_pending()]
    events = []
    while (event := session.next_event()) is not None:
        events.append(event)
    return sent, events


@pytest.mark.parametrize("value", [1, crypto.DH3K_PRIME - 1], ids=["1", "p-1"])
def test_dh_public_value_1_or_p_minus_1_is_refused(value: int) -> None:
    sent, events = _commit_then_dhpart2(value.to_bytes(384, "big"), honest_hvi=True)
    assert sent == [Error(ErrorCode.DH_BAD_PUBLIC_VALUE)]
    assert ZrtpFailed(FailReason.PROTOCOL_ERROR, ErrorCode.DH_BAD_PUBLIC_VALUE) in events


def test_dhpart2_not_matching_the_commitment_is_refused() -> None:
    pv = crypto.generate_keypair(KeyAgreement.DH3K, CipherAlgorithm.AES1).public_value
    sent, events = _commit_then_dhpart2(pv, honest_hvi=False)
    assert sent == [Error(ErrorCode.DH_HVI_MISMATCH)]
    assert ZrtpFailed(FailReason.PROTOCOL_ERROR, ErrorCode.DH_HVI_MISMATCH) in events


def test_tampered_confirm1_is_refused_with_error_0x70() -> None:
    def flip_confirm1(sent: Sent) -> bytes:
        if sent.kind != "Confirm1":
            return sent.data
        raw = bytearray(sent.data)
        raw[-10] ^= 0x40  # inside the encrypted part
        raw[-4:] = crc32c_bytes(bytes(raw[:-4]))
        return bytes(raw)

    w = make_pair(b_passive=True)
    w.alter = flip_confirm1
    w.run()
    assert errors_on_wire(w, "a") == [ErrorCode.BAD_CONFIRM_MAC]
    assert ZrtpFailed(FailReason.PROTOCOL_ERROR, ErrorCode.BAD_CONFIRM_MAC) in w.events_a
    assert ZrtpFailed(FailReason.PEER_ERROR, ErrorCode.BAD_CONFIRM_MAC) in w.events_b
    assert not any(isinstance(e, ZrtpSecure) for e in w.events_a + w.events_b)


def test_swapped_public_value_is_caught_by_the_hash_commitment() -> None:
    """A man in the middle swapping the initiator's public value in DHPart2 (its MAC is
    only checked later, with H0) is caught by the Commit's hvi at once (§4.4.1.1)."""
    mitm = crypto.generate_keypair(KeyAgreement.EC25, CipherAlgorithm.AES1).public_value

    def swap_pv(sent: Sent) -> bytes:
        if sent.kind != "DHPart2":
            return sent.data
        raw = bytearray(sent.data)
        start = 12 + 12 + 32 + 32
        raw[start : start + 64] = mitm
        raw[-4:] = crc32c_bytes(bytes(raw[:-4]))
        return bytes(raw)

    w = make_pair(b_passive=True, key_agreements=(KeyAgreement.EC25,))
    w.alter = swap_pv
    w.run()
    assert not any(isinstance(e, ZrtpSecure) for e in w.events_a + w.events_b)
    assert errors_on_wire(w, "b") == [ErrorCode.DH_HVI_MISMATCH]
    assert ZrtpFailed(FailReason.PROTOCOL_ERROR, ErrorCode.DH_HVI_MISMATCH) in w.events_b


def test_equal_zids_are_refused() -> None:
    cache = ZidCache()
    w = make_pair(cache, cache)
    w.run()
    assert ErrorCode.EQUAL_ZIDS in errors_on_wire(w, "a")
    assert not any(isinstance(e, ZrtpSecure) for e in w.events_a + w.events_b)


def test_older_hello_version_is_refused_and_newer_is_waited_out() -> None:
    session = ZrtpSession(ZrtpConfig(ssrc=1), ZidCache(), 0.0)
    session.send_pending()
    peer = ManualPeer()
    raw = bytearray(peer.hello_bytes)
    raw[12:16] = b"2.00"
    session.receive(peer.packet(bytes(raw)), 0.0)
    assert session.send_pending() == []
    assert session.next_event() == ZrtpDiscarded(DiscardReason.NEWER_VERSION)
    raw[12:16] = b"1.00"
    session.receive(peer.packet(bytes(raw)), 0.0)
    assert [decode_packet(p).message for p in session.send_pending()] == [
        Error(ErrorCode.UNSUPPORTED_VERSION)
    ]


def test_second_different_hello_is_ignored() -> None:
    session = ZrtpSession(ZrtpConfig(ssrc=1, passive=True), ZidCache(), 0.0)
    peer = ManualPeer()
    peer.introduce(session)
    session.send_pending()
    other = ManualPeer(zid=peer.zid)
    session.receive(other.packet(other.hello_bytes), 0.0)
    assert session.send_pending() == []
    assert session.next_event() == ZrtpDiscarded(DiscardReason.HELLO_CHANGED)


def test_ping_is_answered_with_ping_ack() -> None:
    session = ZrtpSession(ZrtpConfig(ssrc=7), ZidCache(), 0.0)
    session.send_pending()
    peer = ManualPeer(ssrc=0x1234)
    session.receive(peer.packet(Ping(b"1.10", b"E" * 8)), 0.0)
    (answer,) = session.send_pending()
    parsed = decode_packet(answer)
    assert parsed.ssrc == 7
    assert parsed.message == PingAck(b"1.10", crypto.sha256(session.zid)[:8], b"E" * 8, 0x1234)


def test_garbage_between_real_packets_changes_nothing() -> None:
    noise = random.Random(5)

    class Noisy(Wire):
        def pump(self) -> bool:
            self.a.receive(noise.randbytes(noise.randrange(0, 200)), self.now)
            self.b.receive(b"\x10\x00\x00\x01ZRTP" + noise.randbytes(40), self.now)
            return super().pump()

    w0 = make_pair()
    w = Noisy(w0.a, w0.b)
    w.run()
    assert_keys_match(w)
    assert ZrtpDiscarded(DiscardReason.MALFORMED) in w.events_a


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=120), max_size=6))
def test_session_never_raises_on_random_input(datagrams: list[bytes]) -> None:
    session = ZrtpSession(ZrtpConfig(ssrc=1), ZidCache(), 0.0)
    for i, data in enumerate(datagrams):
        session.receive(data, float(i))
        # Also as a well-formed packet around random message bytes.
        session.receive(encode_packet(b"\x50\x5a" + data, i, 2), float(i))
        session.handle_timer(float(i))
    assert session.state in (State.DISCOVERY, State.FAILED)


_BASE = make_pair(b_passive=True)
_BASE.run()
_REAL_PACKETS = [s.data for s in _BASE.wire]


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, len(_REAL_PACKETS) - 1),
    st.integers(0, len(_REAL_PACKETS) - 1),
    st.lists(st.tuples(st.integers(12, 2000), st.integers(0, 255)), min_size=1, max_size=4),
)
def test_a_packet_of_a_real_exchange_mutated_in_flight_never_breaks_a_session(
    which: int, when: int, changes: list[tuple[int, int]]
) -> None:
    """Mutations past the CRC (recomputed) reach every parser and state; a session may
    fail or drop the packet, but never raises."""
    raw = bytearray(_REAL_PACKETS[which])
    for at, value in changes:
        raw[12 + at % (len(raw) - 16)] = value
    raw[-4:] = crc32c_bytes(bytes(raw[:-4]))
    count = {"n": 0}

    def inject(sent: Sent) -> bytes:
        count["n"] += 1
        return bytes(raw) if count["n"] == when + 1 else sent.data

    w = make_pair(b_passive=True)
    w.alter = inject
    w.run()
    # Whatever happened, two sessions that both say secure agree on everything.
    if w.a.secure is not None and w.b.secure is not None:
        assert w.a.secure.sas == w.b.secure.sas
        assert w.a.secure.send_key == w.b.secure.receive_key
