"""The ZRTP state machine for one media stream (RFC 6189 §4), sans-IO.

Datagrams and the caller's monotonic time go in (`receive(data, now)`); packets to send
(`send_pending()`), one timer (`get_timer()`, `handle_timer(now)`) and events
(`next_event()`) come out. Nothing here reads a clock or touches a socket; the cache
(`ZidCache`) is given by the caller.

The exchange, DH mode only (§4.1-§4.6):

    both:       Hello  (T1: 50 ms doubling to 200 ms, 20 retransmissions) <-> HelloACK
    initiator:  Commit (T2: 150 ms doubling to 1200 ms, 10 retransmissions)
    responder:  DHPart1                 (sent again when the Commit comes again)
    initiator:  DHPart2 (T2)
    responder:  Confirm1                (sent again when DHPart2 comes again)
    initiator:  Confirm2 (T2)
    responder:  Conf2ACK                -> both secure

Either side may send the Commit once it has the peer's Hello and an answer to its own;
when both do, the Commit with the higher hvi wins (§4.2). Each message reveals the
next hash image of its sender's chain, which authenticates the message before it
(§9). Multistream and Preshared Commits are refused with an Error; GoClear is refused
(Error 0x100, never ClearACK); an Error from the peer ends the exchange.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from parley.media.zrtp import crypto
from parley.media.zrtp.algorithms import (
    KEY_AGREEMENT_SPEED,
    MANDATORY,
    AuthTag,
    CipherAlgorithm,
    HashAlgorithm,
    KeyAgreement,
    SasType,
)
from parley.media.zrtp.cache import PeerSecrets, ZidCache
from parley.media.zrtp.errors import ErrorCode, ZrtpError
from parley.media.zrtp.events import (
    DiscardReason,
    FailReason,
    Role,
    ZrtpCacheMismatch,
    ZrtpDiscarded,
    ZrtpEvent,
    ZrtpFailed,
    ZrtpGoClearRefused,
    ZrtpSecure,
)
from parley.media.zrtp.packets import (
    VERSION,
    Commit,
    Conf2Ack,
    Confirm1,
    Confirm2,
    ConfirmBody,
    DHPart1,
    DHPart2,
    Error,
    ErrorAck,
    GoClear,
    Hello,
    HelloAck,
    Packet,
    Ping,
    PingAck,
    SasRelay,
    decode_packet,
    encode_message,
    encode_packet,
    mac_matches,
    with_mac,
)

log = logging.getLogger(__name__)

CACHE_FOREVER = 0xFFFFFFFF  # §5.7: the cache expiration interval meaning "never"


@dataclass(frozen=True)
class _TimerSpec:
    first: float
    cap: float
    retries: int


T1 = _TimerSpec(0.050, 0.200, 20)  # Hello (§6)
T2 = _TimerSpec(0.150, 1.200, 10)  # Commit, DHPart2, Confirm2, Error (§6)


class State(Enum):
    DISCOVERY = "discovery"
    COMMIT_SENT = "commit_sent"  # initiator
    DHPART1_SENT = "dhpart1_sent"  # responder
    DHPART2_SENT = "dhpart2_sent"  # initiator
    CONFIRM1_SENT = "confirm1_sent"  # responder
    CONFIRM2_SENT = "confirm2_sent"  # initiator
    SECURE = "secure"
    FAILED = "failed"


@dataclass(frozen=True)
class ZrtpConfig:
    """One session's settings. Lists are in order of preference; the mandatory
    algorithms (DH3k, AES1, HS32/HS80, S256, B32) are always accepted."""

    ssrc: int
    client_id: str = "Parley"
    ciphers: tuple[CipherAlgorithm, ...] = (CipherAlgorithm.AES1, CipherAlgorithm.AES3)
    auth_tags: tuple[AuthTag, ...] = (AuthTag.HS80, AuthTag.HS32)
    key_agreements: tuple[KeyAgreement, ...] = (KeyAgreement.EC25, KeyAgreement.DH3K)
    passive: bool = False  # never send a Commit, only answer one
    cache_expiry: int = CACHE_FOREVER  # seconds the new retained secret may be kept
    peer_zrtp_hash: str | None = None  # a=zrtp-hash from the peer's SDP, if known
    random: Callable[[int], bytes] = secrets.token_bytes


@dataclass(frozen=True)
class _Choice:
    cipher: CipherAlgorithm
    auth_tag: AuthTag
    key_agreement: KeyAgreement


@dataclass
class _Retransmit:
    message: bytes
    interval: float
    cap: float
    left: int
    at: float


class _Discard(Exception):
    def __init__(self, reason: DiscardReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


def _with_mandatory(listed: tuple[str, ...], kind: str) -> tuple[str, ...]:
    return listed + tuple(m for m in MANDATORY[kind] if m not in listed)


def parse_zrtp_hash(value: str) -> tuple[str, bytes]:
    """The version and hash of an a=zrtp-hash value "1.10 <64 hex digits>" (§8.1)."""
    parts = value.split()
    if len(parts) != 2 or len(parts[1]) != 64:
        raise ZrtpError("a=zrtp-hash is not '<version> <64 hex digits>'")
    try:
        return parts[0], bytes.fromhex(parts[1])
    except ValueError as exc:
        raise ZrtpError("a=zrtp-hash is not hex") from exc


class ZrtpSession:
    """One ZRTP endpoint on one media stream."""

    def __init__(self, config: ZrtpConfig, cache: ZidCache, now: float) -> None:
        self.config = config
        self._cache = cache
        self._rand = config.random
        self._zid = cache.zid
        self._h0, self._h1, self._h2, self._h3 = crypto.hash_chain(self._rand(32))
        self._offered = {
            "hash": _with_mandatory((HashAlgorithm.S256.value,), "hash"),
            "cipher": _with_mandatory(tuple(c.value for c in config.ciphers), "cipher"),
            "auth": _with_mandatory(tuple(a.value for a in config.auth_tags), "auth"),
            "key_agreement": _with_mandatory(
                tuple(k.value for k in config.key_agreements if k.is_dh_mode), "key_agreement"
            ),
            "sas": _with_mandatory((SasType.B32.value,), "sas"),
        }
        hello = Hello(
            version=VERSION,
            client_id=config.client_id.encode("ascii", "replace")[:16].ljust(16),
            h3=self._h3,
            zid=self._zid,
            signature_capable=False,
            mitm=False,
            passive=config.passive,
            hash_types=self._offered["hash"],
            cipher_types=self._offered["cipher"],
            auth_tags=self._offered["auth"],
            key_agreements=self._offered["key_agreement"],
            sas_types=self._offered["sas"],
        )
        self._hello_bytes = encode_message(with_mac(hello, self._h2))
        self._sequence = int.from_bytes(self._rand(2), "big") & 0x7FFF
        self._out: list[bytes] = []
        self._events: deque[ZrtpEvent] = deque()
        self._retx: _Retransmit | None = None

        self.state = State.DISCOVERY
        self.role: Role | None = None
        self._peer_hash: bytes | None = None
        if config.peer_zrtp_hash is not None:
            self._peer_hash = parse_zrtp_hash(config.peer_zrtp_hash)[1]
        self._peer_hello: Hello | None = None
        self._peer_hello_bytes = b""
        self._hello_acked = False
        # The exchange in progress.
        self._choice: _Choice | None = None
        self._keypair: crypto.KeyPair | None = None
        self._commit_bytes = b""  # the Commit in force (ours or the peer's)
        self._peer_commit: Commit | None = None
        self._own_dhpart_bytes = b""
        self._peer_dhpart: DHPart1 | DHPart2 | None = None
        self._peer_dhpart_bytes = b""
        self._keys: crypto.SessionKeys | None = None
        self._local_verified = False  # our cache's flag, if a retained secret matched
        self._cache_mismatch = False
        self._peer_confirm: ConfirmBody | None = None
        self._answer = b""  # DHPart1 / Confirm1 / Conf2ACK, sent again on a repeat
        self._secure: ZrtpSecure | None = None
        self._pending_secret: tuple[bytes, int | None] | None = None  # after a mismatch
        self.sas_verified = False

        self._start_retransmit(self._hello_bytes, now, T1)

    # --- the caller's API ---------------------------------------------------------------

    @property
    def zid(self) -> bytes:
        return self._zid

    @property
    def peer_zid(self) -> bytes | None:
        return None if self._peer_hello is None else self._peer_hello.zid

    @property
    def zrtp_hash(self) -> str:
        """Our a=zrtp-hash value: version and the hex SHA-256 of our Hello (§8.1)."""
        return f"{VERSION.decode()} {crypto.sha256(self._hello_bytes).hex()}"

    @property
    def secure(self) -> ZrtpSecure | None:
        return self._secure

    def set_peer_zrtp_hash(self, value: str) -> None:
        """The peer's a=zrtp-hash from its SDP. A Hello that does not match it is
        dropped; if the peer's Hello was already taken, a mismatch ends the session."""
        self._peer_hash = parse_zrtp_hash(value)[1]
        if self._peer_hello is not None and not self._hello_hash_ok(self._peer_hello_bytes):
            self._fail(FailReason.HELLO_HASH_MISMATCH)

    def send_pending(self) -> list[bytes]:
        out, self._out = self._out, []
        return out

    def get_timer(self) -> float | None:
        return None if self._retx is None else self._retx.at

    def next_event(self) -> ZrtpEvent | None:
        return self._events.popleft() if self._events else None

    def set_sas_verified(self, verified: bool) -> None:
        """The user compared the SAS with the peer (or withdrew it): remembered in the
        cache, so that the next call with this peer starts verified. After a cache
        mismatch this is also what lets the new retained secret into the cache."""
        if self.state is not State.SECURE or self._peer_hello is None:
            raise RuntimeError("the SAS can only be verified in a secure session")
        if verified and self._pending_secret is not None:
            # The SAS settles the mismatch: now this call's secret is the one to keep.
            secret, lifetime = self._pending_secret
            self._pending_secret = None
            self._cache.store_secret(self._peer_hello.zid, secret, lifetime, verified=True)
        else:
            self._cache.set_verified(self._peer_hello.zid, verified)
        self.sas_verified = verified

    def handle_timer(self, now: float) -> None:
        r = self._retx
        if r is None or now < r.at:
            return
        if r.left > 0:
            self._send(r.message)
            r.left -= 1
            r.interval = min(r.interval * 2, r.cap)
            r.at = now + r.interval
            return
        self._retx = None
        if self.state is State.FAILED:  # our Error was never acknowledged; nothing more
            return
        if self.state is State.DISCOVERY:
            self._fail(FailReason.NO_HELLO_ANSWER)
        else:
            self._send(encode_message(Error(ErrorCode.PROTOCOL_TIMEOUT)))
            self._fail(FailReason.TIMEOUT, ErrorCode.PROTOCOL_TIMEOUT)

    def receive(self, data: bytes, now: float) -> None:
        """One datagram from the peer. Never raises for what the network sends."""
        try:
            packet = decode_packet(data)
        except ZrtpError as exc:
            log.debug("ZRTP: dropped malformed packet: %s", exc)
            self._events.append(ZrtpDiscarded(DiscardReason.MALFORMED))
            return
        try:
            self._dispatch(packet, now)
        except _Discard as exc:
            log.debug("ZRTP: dropped %s: %s", type(packet.message).__name__, exc.reason.value)
            self._events.append(ZrtpDiscarded(exc.reason))
        except ZrtpError as exc:
            log.info("ZRTP: refusing %s: %s", type(packet.message).__name__, exc)
            self._refuse(exc.code, now)

    # --- dispatch -------------------------------------------------------------------------

    def _dispatch(self, packet: Packet, now: float) -> None:
        msg = packet.message
        if isinstance(msg, Error):
            self._on_error(msg)
        elif isinstance(msg, ErrorAck):
            if self.state is State.FAILED:
                self._retx = None
        elif isinstance(msg, Ping):
            self._send_message(
                PingAck(VERSION, self._endpoint_hash(), msg.endpoint_hash, packet.ssrc)
            )
        elif self.state is State.FAILED:
            raise _Discard(DiscardReason.UNEXPECTED)
        elif isinstance(msg, Hello):
            self._on_hello(msg, packet.message_bytes, now)
        elif isinstance(msg, HelloAck):
            self._on_hello_ack(now)
        elif isinstance(msg, Commit):
            self._on_commit(msg, packet.message_bytes, now)
        elif isinstance(msg, DHPart1):
            self._on_dhpart1(msg, packet.message_bytes, now)
        elif isinstance(msg, DHPart2):
            self._on_dhpart2(msg, packet.message_bytes)
        elif isinstance(msg, Confirm1):
            self._on_confirm1(msg, now)
        elif isinstance(msg, Confirm2):
            self._on_confirm2(msg, packet.message_bytes)
        elif isinstance(msg, Conf2Ack):
            self._on_conf2ack()
        elif isinstance(msg, GoClear):
            self._on_goclear(msg)
        elif isinstance(msg, SasRelay):
            self._on_sas_relay(msg)
        # PingACK, RelayACK, ClearACK: nothing of ours is waiting for them.

    # --- discovery (§4.1) -----------------------------------------------------------------

    def _hello_hash_ok(self, hello_bytes: bytes) -> bool:
        if self._peer_hash is None:
            return True
        return hmac.compare_digest(crypto.sha256(hello_bytes), self._peer_hash)

    def _on_hello(self, msg: Hello, raw: bytes, now: float) -> None:
        if self._peer_hello is not None:
            if raw != self._peer_hello_bytes:
                raise _Discard(DiscardReason.HELLO_CHANGED)
            self._send_message(HelloAck())
            return
        if msg.version > VERSION:
            # §4.1.1: the peer sees our lower version in our Hello and answers with it.
            raise _Discard(DiscardReason.NEWER_VERSION)
        if msg.version != VERSION:
            raise ZrtpError(f"Hello version {msg.version!r}", ErrorCode.UNSUPPORTED_VERSION)
        if msg.zid == self._zid:
            raise ZrtpError("peer uses our ZID", ErrorCode.EQUAL_ZIDS)
        if not self._hello_hash_ok(raw):
            raise _Discard(DiscardReason.HELLO_HASH_MISMATCH)
        self._peer_hello, self._peer_hello_bytes = msg, raw
        self._send_message(HelloAck())
        self._maybe_commit(now)

    def _on_hello_ack(self, now: float) -> None:
        if self.state is not State.DISCOVERY or self._hello_acked:
            return
        self._hello_acked = True
        self._retx = None  # T1 done: our Hello arrived
        self._maybe_commit(now)

    def _maybe_commit(self, now: float) -> None:
        if (
            self.state is State.DISCOVERY
            and self._peer_hello is not None
            and self._hello_acked
            and not self.config.passive
        ):
            self._start_initiator(now)

    def _peer_offers(self, kind: str) -> tuple[str, ...]:
        assert self._peer_hello is not None
        hello = self._peer_hello
        listed = {
            "hash": hello.hash_types,
            "cipher": hello.cipher_types,
            "auth": hello.auth_tags,
            "key_agreement": hello.key_agreements,
            "sas": hello.sas_types,
        }[kind]
        return _with_mandatory(listed, kind)

    def _choose(self) -> _Choice:
        """§4.1.2: our first cipher, tag and SAS the peer has; the key agreement is
        each side's first common choice, the faster one if they differ."""

        def first_common(kind: str) -> str:
            theirs = self._peer_offers(kind)
            return next(a for a in self._offered[kind] if a in theirs)

        ours = first_common("key_agreement")
        theirs_offer = self._peer_offers("key_agreement")
        their_first = next(a for a in theirs_offer if a in self._offered["key_agreement"])
        agreement = min(ours, their_first, key=KEY_AGREEMENT_SPEED.index)
        return _Choice(
            cipher=CipherAlgorithm(first_common("cipher")),
            auth_tag=AuthTag(first_common("auth")),
            key_agreement=KeyAgreement(agreement),
        )

    # --- Commit and DHPart (§4.2-§4.4) ------------------------------------------------------

    def _secret_ids(self, label: bytes) -> tuple[bytes, bytes]:
        """rs1ID and rs2ID for our DHPart; random when there is no secret (§4.3.1)."""
        assert self._peer_hello is not None
        held = self._cache.peer(self._peer_hello.zid)
        return tuple(  # type: ignore[return-value]
            crypto.secret_id(s, label) if s is not None else self._rand(8)
            for s in (held.rs1, held.rs2)
        )

    def _dhpart(self, cls: type[DHPart1] | type[DHPart2], label: bytes) -> bytes:
        assert self._keypair is not None
        rs1_id, rs2_id = self._secret_ids(label)
        part = cls(
            h1=self._h1,
            rs1_id=rs1_id,
            rs2_id=rs2_id,
            aux_id=self._rand(8),  # no auxiliary secret
            pbx_id=self._rand(8),  # no PBX secret
            pv=self._keypair.public_value,
        )
        return encode_message(with_mac(part, self._h0))

    def _start_initiator(self, now: float) -> None:
        choice = self._choose()
        self._choice = choice
        self._keypair = crypto.generate_keypair(choice.key_agreement, choice.cipher, self._rand)
        self._own_dhpart_bytes = self._dhpart(DHPart2, b"Initiator")
        commit = Commit(
            h2=self._h2,
            zid=self._zid,
            hash_type=HashAlgorithm.S256.value,
            cipher_type=choice.cipher.value,
            auth_tag=choice.auth_tag.value,
            key_agreement=choice.key_agreement.value,
            sas_type=SasType.B32.value,
            hvi=crypto.hvi(self._own_dhpart_bytes, self._peer_hello_bytes),
        )
        self._commit_bytes = encode_message(with_mac(commit, self._h1))
        self.role = Role.INITIATOR
        self.state = State.COMMIT_SENT
        self._start_retransmit(self._commit_bytes, now, T2)

    def _check_commit_algorithms(self, c: Commit) -> _Choice:
        if c.key_agreement == KeyAgreement.PRSH:
            raise ZrtpError("Preshared Commit", ErrorCode.NO_SHARED_SECRET)
        checks = (
            ("hash", c.hash_type, ErrorCode.HASH_NOT_SUPPORTED),
            ("cipher", c.cipher_type, ErrorCode.CIPHER_NOT_SUPPORTED),
            ("auth", c.auth_tag, ErrorCode.AUTH_TAG_NOT_SUPPORTED),
            ("key_agreement", c.key_agreement, ErrorCode.KEY_AGREEMENT_NOT_SUPPORTED),
            ("sas", c.sas_type, ErrorCode.SAS_NOT_SUPPORTED),
        )
        for kind, name, code in checks:
            if name not in self._offered[kind]:
                raise ZrtpError(f"Commit chose {name!r}, not in our Hello", code)
        return _Choice(
            CipherAlgorithm(c.cipher_type), AuthTag(c.auth_tag), KeyAgreement(c.key_agreement)
        )

    def _on_commit(self, c: Commit, raw: bytes, now: float) -> None:
        if self.role is Role.RESPONDER:
            if raw != self._commit_bytes:
                raise _Discard(DiscardReason.UNEXPECTED)
            if self.state is State.DHPART1_SENT:  # our DHPart1 was lost
                self._send(self._answer)
            return
        if self.state not in (State.DISCOVERY, State.COMMIT_SENT) or self._peer_hello is None:
            raise _Discard(DiscardReason.UNEXPECTED)
        # H2 reveals the key of the peer's Hello MAC and hashes to its H3 (§9).
        if not hmac.compare_digest(crypto.sha256(c.h2), self._peer_hello.h3):
            raise _Discard(DiscardReason.HASH_CHAIN)
        if not mac_matches(self._peer_hello_bytes, c.h2):
            raise _Discard(DiscardReason.BAD_MAC)
        if c.zid != self._peer_hello.zid:
            raise _Discard(DiscardReason.UNEXPECTED)
        choice = self._check_commit_algorithms(c)
        if self.state is State.COMMIT_SENT:
            # §4.2: both sent a Commit; the one with the higher hvi goes on.
            our_hvi = crypto.hvi(self._own_dhpart_bytes, self._peer_hello_bytes)
            if int.from_bytes(our_hvi, "big") > int.from_bytes(c.hvi, "big"):
                raise _Discard(DiscardReason.LOST_CONTENTION)
        # A Commit also tells us that our Hello arrived.
        self._hello_acked = True
        self._retx = None
        self._choice = choice
        self._keypair = crypto.generate_keypair(choice.key_agreement, choice.cipher, self._rand)
        self._peer_commit, self._commit_bytes = c, raw
        self._own_dhpart_bytes = self._dhpart(DHPart1, b"Responder")
        self.role = Role.RESPONDER
        self.state = State.DHPART1_SENT
        self._answer = self._own_dhpart_bytes
        self._send(self._answer)

    def _agree(
        self, peer_pv: bytes, zidi: bytes, zidr: bytes, total: bytes, ids: tuple[bytes, bytes]
    ) -> None:
        """DHResult, the retained secret to use, s0 and every key (§4.4.1.4, §4.5)."""
        assert self._keypair is not None and self._choice is not None
        assert self._peer_hello is not None
        if len(peer_pv) != self._choice.key_agreement.public_value_bytes:
            raise ZrtpError("public value of the wrong size", ErrorCode.DH_BAD_PUBLIC_VALUE)
        dh_result = self._keypair.agree(peer_pv)
        held = self._cache.peer(self._peer_hello.zid)
        s1 = self._matching_secret(held, ids)
        self._cache_mismatch = held.has_secret and s1 is None
        self._local_verified = held.verified and s1 is not None
        s0 = crypto.compute_s0(dh_result, zidi, zidr, total, s1)
        self._keys = crypto.derive_keys(
            s0, crypto.kdf_context(zidi, zidr, total), self._choice.cipher
        )

    def _matching_secret(self, held: PeerSecrets, ids: tuple[bytes, bytes]) -> bytes | None:
        """§4.3: the first of our rs1/rs2 whose ID matches the peer's rs1ID/rs2ID, the
        initiator's secrets taking precedence on both sides so both pick the same."""
        label = b"Responder" if self.role is Role.INITIATOR else b"Initiator"
        mine = (held.rs1, held.rs2)
        if self.role is Role.INITIATOR:
            pairs = [(m, t) for m in mine for t in ids]
        else:
            pairs = [(m, t) for t in ids for m in mine]
        for secret, peer_id in pairs:
            if secret is not None and hmac.compare_digest(crypto.secret_id(secret, label), peer_id):
                return secret
        return None

    def _on_dhpart1(self, d: DHPart1, raw: bytes, now: float) -> None:
        if self.state is not State.COMMIT_SENT:
            raise _Discard(DiscardReason.UNEXPECTED)
        assert self._peer_hello is not None
        # H1 -> H2 (key of the peer's Hello MAC) -> H3 of its Hello.
        h2 = crypto.sha256(d.h1)
        if not hmac.compare_digest(crypto.sha256(h2), self._peer_hello.h3):
            raise _Discard(DiscardReason.HASH_CHAIN)
        if not mac_matches(self._peer_hello_bytes, h2):
            raise _Discard(DiscardReason.BAD_MAC)
        total = crypto.total_hash(
            self._peer_hello_bytes, self._commit_bytes, raw, self._own_dhpart_bytes
        )
        self._agree(d.pv, self._zid, self._peer_hello.zid, total, (d.rs1_id, d.rs2_id))
        self._peer_dhpart, self._peer_dhpart_bytes = d, raw
        self.state = State.DHPART2_SENT
        self._start_retransmit(self._own_dhpart_bytes, now, T2)

    def _on_dhpart2(self, d: DHPart2, raw: bytes) -> None:
        if self.state is State.CONFIRM1_SENT and raw == self._peer_dhpart_bytes:
            self._send(self._answer)  # our Confirm1 was lost
            return
        if self.state is not State.DHPART1_SENT:
            raise _Discard(DiscardReason.UNEXPECTED)
        assert self._peer_commit is not None and self._peer_hello is not None
        # H1 -> H2 of the Commit, which is the key of the Commit's MAC.
        if not hmac.compare_digest(crypto.sha256(d.h1), self._peer_commit.h2):
            raise _Discard(DiscardReason.HASH_CHAIN)
        if not mac_matches(self._commit_bytes, d.h1):
            raise _Discard(DiscardReason.BAD_MAC)
        # §4.4.1.1: the Commit's hash commitment must be this DHPart2 and our Hello.
        if not hmac.compare_digest(crypto.hvi(raw, self._hello_bytes), self._peer_commit.hvi):
            raise ZrtpError("hvi does not match DHPart2", ErrorCode.DH_HVI_MISMATCH)
        total = crypto.total_hash(
            self._hello_bytes, self._commit_bytes, self._own_dhpart_bytes, raw
        )
        self._agree(d.pv, self._peer_hello.zid, self._zid, total, (d.rs1_id, d.rs2_id))
        self._peer_dhpart, self._peer_dhpart_bytes = d, raw
        assert self._keys is not None
        self._answer = self._confirm(Confirm1, self._keys.zrtpkey_r, self._keys.mackey_r)
        self.state = State.CONFIRM1_SENT
        self._send(self._answer)

    # --- Confirm (§4.6) ---------------------------------------------------------------------

    def _confirm(
        self, cls: type[Confirm1] | type[Confirm2], zrtpkey: bytes, mackey: bytes
    ) -> bytes:
        body = ConfirmBody(
            h0=self._h0,
            sas_verified=self._local_verified,
            cache_expiry=self.config.cache_expiry,
        ).encode()
        iv = self._rand(16)
        encrypted = crypto.cfb_encrypt(zrtpkey, iv, body)
        return encode_message(cls(crypto.mac64(mackey, encrypted), iv, encrypted))

    def _open_confirm(self, c: Confirm1 | Confirm2, zrtpkey: bytes, mackey: bytes) -> ConfirmBody:
        """Check the confirm_mac, decrypt, and check H0 against the peer's DHPart."""
        if not hmac.compare_digest(crypto.mac64(mackey, c.encrypted), c.confirm_mac):
            raise ZrtpError("Confirm MAC does not verify", ErrorCode.BAD_CONFIRM_MAC)
        body = ConfirmBody.decode(crypto.cfb_decrypt(zrtpkey, c.iv, c.encrypted))
        assert self._peer_dhpart is not None
        if not hmac.compare_digest(crypto.sha256(body.h0), self._peer_dhpart.h1):
            raise _Discard(DiscardReason.HASH_CHAIN)
        if not mac_matches(self._peer_dhpart_bytes, body.h0):
            raise _Discard(DiscardReason.BAD_MAC)
        return body

    def _on_confirm1(self, c: Confirm1, now: float) -> None:
        if self.state is State.CONFIRM2_SENT:
            return  # a repeat; our Confirm2 is being retransmitted on T2
        if self.state is not State.DHPART2_SENT:
            raise _Discard(DiscardReason.UNEXPECTED)
        assert self._keys is not None
        self._peer_confirm = self._open_confirm(c, self._keys.zrtpkey_r, self._keys.mackey_r)
        self._retain_secret()
        confirm2 = self._confirm(Confirm2, self._keys.zrtpkey_i, self._keys.mackey_i)
        self.state = State.CONFIRM2_SENT
        self._start_retransmit(confirm2, now, T2)

    def _on_confirm2(self, c: Confirm2, raw: bytes) -> None:
        if self.state is State.SECURE and self.role is Role.RESPONDER:
            self._send_message(Conf2Ack())  # our Conf2ACK was lost
            return
        if self.state is not State.CONFIRM1_SENT:
            raise _Discard(DiscardReason.UNEXPECTED)
        assert self._keys is not None
        self._peer_confirm = self._open_confirm(c, self._keys.zrtpkey_i, self._keys.mackey_i)
        self._retain_secret()
        self._send_message(Conf2Ack())
        self._go_secure()

    def _on_conf2ack(self) -> None:
        if self.state is not State.CONFIRM2_SENT:
            raise _Discard(DiscardReason.UNEXPECTED)
        self._retx = None
        self._go_secure()

    def _retain_secret(self) -> None:
        """§4.6.1: the new rs1 replaces the old, which becomes rs2. Kept for the shorter
        of the two cache expiration intervals; not at all when either is 0.

        §4.6.1.1: after a cache mismatch the old secrets stay and the new one waits
        until the user has compared the SAS (`set_sas_verified(True)`), so that one
        attack cannot wipe the continuity a later call would detect it by."""
        assert self._peer_confirm is not None and self._keys is not None
        assert self._peer_hello is not None
        lifetime = min(self.config.cache_expiry, self._peer_confirm.cache_expiry)
        if lifetime == 0:
            return
        seconds = None if lifetime == CACHE_FOREVER else lifetime
        if self._cache_mismatch:
            self._cache.set_verified(self._peer_hello.zid, False)
            self._pending_secret = (self._keys.new_rs1, seconds)
            return
        self._cache.store_secret(
            self._peer_hello.zid, self._keys.new_rs1, seconds, verified=self._local_verified
        )

    def _go_secure(self) -> None:
        keys, choice = self._keys, self._choice
        assert keys is not None and choice is not None and self._peer_confirm is not None
        assert self._peer_hello is not None
        self.state = State.SECURE
        self._keypair = None  # the DH secret is not needed any more
        # Both sides must say "verified" (§7.1): our cache and the peer's V flag.
        self.sas_verified = self._local_verified and self._peer_confirm.sas_verified
        initiator = self.role is Role.INITIATOR
        if self._cache_mismatch:
            self._events.append(ZrtpCacheMismatch(self._peer_hello.zid))
        self._secure = ZrtpSecure(
            sas=crypto.render_sas_b32(keys.sas_value),
            sas_verified=self.sas_verified,
            role=Role.INITIATOR if initiator else Role.RESPONDER,
            cipher=choice.cipher,
            auth_tag=choice.auth_tag,
            key_agreement=choice.key_agreement,
            peer_zid=self._peer_hello.zid,
            send_key=keys.srtp_key_i if initiator else keys.srtp_key_r,
            send_salt=keys.srtp_salt_i if initiator else keys.srtp_salt_r,
            receive_key=keys.srtp_key_r if initiator else keys.srtp_key_i,
            receive_salt=keys.srtp_salt_r if initiator else keys.srtp_salt_i,
        )
        self._events.append(self._secure)

    # --- Error, GoClear, SASrelay (§5.9-§5.13) ---------------------------------------------

    def _peer_mackey(self) -> bytes:
        assert self._keys is not None
        return self._keys.mackey_r if self.role is Role.INITIATOR else self._keys.mackey_i

    def _on_error(self, msg: Error) -> None:
        self._send_message(ErrorAck())
        if self.state is State.SECURE:
            raise _Discard(DiscardReason.ERROR_WHILE_SECURE)
        if self.state is State.FAILED:
            return
        code: ErrorCode | int
        try:
            code = ErrorCode(msg.code)
        except ValueError:
            code = msg.code
        self._fail(FailReason.PEER_ERROR, code)

    def _on_goclear(self, msg: GoClear) -> None:
        if self.state is not State.SECURE:
            raise _Discard(DiscardReason.UNEXPECTED)
        if not hmac.compare_digest(crypto.mac64(self._peer_mackey(), GoClear.TYPE), msg.clear_mac):
            raise _Discard(DiscardReason.BAD_MAC)
        # Parley never falls back to clear media: Error 0x100, and no ClearACK.
        self._send_message(Error(ErrorCode.GOCLEAR_NOT_ALLOWED))
        self._events.append(ZrtpGoClearRefused())

    def _on_sas_relay(self, msg: SasRelay) -> None:
        if self.state is not State.SECURE:
            raise _Discard(DiscardReason.UNEXPECTED)
        if not hmac.compare_digest(crypto.mac64(self._peer_mackey(), msg.encrypted), msg.mac):
            raise _Discard(DiscardReason.BAD_MAC)
        # We are enrolled with no PBX, so no MiTM is trusted to relay a SAS (§7.3).
        self._send_message(Error(ErrorCode.UNTRUSTED_MITM))
        raise _Discard(DiscardReason.UNTRUSTED_SAS_RELAY)

    def _refuse(self, code: ErrorCode, now: float) -> None:
        """Answer with an Error (repeated on T2 until ErrorACK) and end the session."""
        if self.state is State.SECURE:  # keys stand; nothing to refuse into failure
            self._events.append(ZrtpDiscarded(DiscardReason.UNEXPECTED))
            return
        self._fail(FailReason.PROTOCOL_ERROR, code)
        self._start_retransmit(encode_message(Error(code)), now, T2)

    def _fail(self, reason: FailReason, code: ErrorCode | int | None = None) -> None:
        self.state = State.FAILED
        self._retx = None
        self._keypair = None
        self._events.append(ZrtpFailed(reason, code))

    # --- sending -----------------------------------------------------------------------------

    def _endpoint_hash(self) -> bytes:
        return crypto.sha256(self._zid)[:8]

    def _send_message(self, message: HelloAck | Conf2Ack | Error | ErrorAck | PingAck) -> None:
        self._send(encode_message(message))

    def _send(self, message_bytes: bytes) -> None:
        self._out.append(encode_packet(message_bytes, self._sequence, self.config.ssrc))
        self._sequence = (self._sequence + 1) & 0xFFFF

    def _start_retransmit(self, message_bytes: bytes, now: float, spec: _TimerSpec) -> None:
        self._send(message_bytes)
        self._retx = _Retransmit(
            message=message_bytes,
            interval=spec.first,
            cap=spec.cap,
            left=spec.retries,
            at=now + spec.first,
        )
