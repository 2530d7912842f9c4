"""The cryptography of ZRTP (RFC 6189 §4.4-§4.5, §5.1), on `cryptography`'s primitives.

- Hash S256 and its HMAC; `mac64` is the 64-bit MAC of the messages (§5, §9).
- `hash_chain`: H0 -> H1 -> H2 -> H3 (§9).
- Key agreements (§5.1.5): DH3k and DH2k (RFC 3526 MODP groups, g = 2) and EC25
  (NIST P-256, public value x || y, result x). Public values are checked (§4.4.1.1).
- `kdf`: the counter-mode HMAC KDF of §4.5.1; `compute_s0` (§4.4.1.4) with the
  retained, auxiliary and PBX secrets s1, s2, s3; `total_hash`, `hvi`.
- `derive_keys`: mackeys, ZRTP keys, SRTP master keys and salts (§4.5.3), the SAS
  hash and the new retained secret.
- `render_sas_b32`: the four-character SAS of §5.1.6.
- AES in 128-bit CFB for the encrypted part of Confirm and SASrelay (§5.7).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from parley.media.zrtp.algorithms import CipherAlgorithm, KeyAgreement
from parley.media.zrtp.errors import ErrorCode, ZrtpError

HASH_BYTES = 32
SRTP_SALT_BITS = 112
KDF_COUNTER = (1).to_bytes(4, "big")

# RFC 3526 §3 (2048-bit MODP group) and §4 (3072-bit MODP group), generator 2.
DH2K_PRIME = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF",
    16,
)
DH3K_PRIME = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
DH_GENERATOR = 2

# §5.1.6: the ZRTP base-32 alphabet (z-base-32), chosen to be read aloud.
B32_ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769"

Random = Callable[[int], bytes]


# --- hash and MAC ----------------------------------------------------------------------


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def hmac_sha256(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def mac64(key: bytes, data: bytes) -> bytes:
    """HMAC-SHA-256 truncated to 64 bits: the MAC of Hello, Commit, DHPart, Confirm,
    GoClear and the IDs of the shared secrets (§4.3, §5)."""
    return hmac_sha256(key, data)[:8]


def hash_chain(h0: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """(H0, H1, H2, H3) with Hn+1 = hash(Hn) (§9)."""
    h1 = sha256(h0)
    h2 = sha256(h1)
    return h0, h1, h2, sha256(h2)


# --- key derivation ----------------------------------------------------------------------


def kdf(ki: bytes, label: bytes, context: bytes, bits: int) -> bytes:
    """KDF(KI, Label, Context, L) of §4.5.1: HMAC(KI, i || Label || 0x00 || Context || L)
    in counter mode, i from 1, truncated to L bits (whole bytes here)."""
    if bits <= 0 or bits % 8:
        raise ValueError("KDF output length must be a positive number of bytes")
    length = bits.to_bytes(4, "big")
    out = b""
    counter = 1
    while len(out) * 8 < bits:
        out += hmac_sha256(ki, counter.to_bytes(4, "big") + label + b"\x00" + context + length)
        counter += 1
    return out[: bits // 8]


def kdf_context(zidi: bytes, zidr: bytes, total: bytes) -> bytes:
    """KDF_Context = ZIDi || ZIDr || total_hash (§4.4.1.4)."""
    return zidi + zidr + total


def total_hash(hello_r: bytes, commit: bytes, dhpart1: bytes, dhpart2: bytes) -> bytes:
    """hash(responder's Hello || Commit || DHPart1 || DHPart2), messages as sent (§4.4.1.4)."""
    return sha256(hello_r + commit + dhpart1 + dhpart2)


def hvi(dhpart2: bytes, hello_r: bytes) -> bytes:
    """The initiator's hash commitment: hash(DHPart2 || responder's Hello) (§4.4.1.1)."""
    return sha256(dhpart2 + hello_r)


def compute_s0(
    dh_result: bytes,
    zidi: bytes,
    zidr: bytes,
    total: bytes,
    s1: bytes | None = None,
    s2: bytes | None = None,
    s3: bytes | None = None,
) -> bytes:
    """s0 of §4.4.1.4: hash(counter || DHResult || "ZRTP-HMAC-KDF" || ZIDi || ZIDr ||
    total_hash || len(s1) || s1 || len(s2) || s2 || len(s3) || s3); an absent secret
    is a zero length and no bytes."""
    parts = [KDF_COUNTER, dh_result, b"ZRTP-HMAC-KDF", zidi, zidr, total]
    for secret in (s1, s2, s3):
        value = secret or b""
        parts.append(len(value).to_bytes(4, "big"))
        parts.append(value)
    return sha256(b"".join(parts))


def secret_id(secret: bytes, role_label: bytes) -> bytes:
    """rs1IDi = MAC(rs1, "Initiator") etc.: what DHPart carries for a secret (§4.3.1)."""
    return mac64(secret, role_label)


@dataclass(frozen=True)
class SessionKeys:
    """Everything derived from s0 (§4.5.2, §4.5.3)."""

    mackey_i: bytes
    mackey_r: bytes
    zrtpkey_i: bytes
    zrtpkey_r: bytes
    srtp_key_i: bytes
    srtp_salt_i: bytes
    srtp_key_r: bytes
    srtp_salt_r: bytes
    sas_hash: bytes
    new_rs1: bytes
    session_key: bytes

    @property
    def sas_value(self) -> bytes:
        """The leftmost 32 bits of the SAS hash (§4.5.2)."""
        return self.sas_hash[:4]


def derive_keys(s0: bytes, context: bytes, cipher: CipherAlgorithm) -> SessionKeys:
    aes_bits = cipher.key_bytes * 8
    hash_bits = HASH_BYTES * 8

    def k(label: str, bits: int) -> bytes:
        return kdf(s0, label.encode(), context, bits)

    return SessionKeys(
        mackey_i=k("Initiator HMAC key", hash_bits),
        mackey_r=k("Responder HMAC key", hash_bits),
        zrtpkey_i=k("Initiator ZRTP key", aes_bits),
        zrtpkey_r=k("Responder ZRTP key", aes_bits),
        srtp_key_i=k("Initiator SRTP master key", aes_bits),
        srtp_salt_i=k("Initiator SRTP master salt", SRTP_SALT_BITS),
        srtp_key_r=k("Responder SRTP master key", aes_bits),
        srtp_salt_r=k("Responder SRTP master salt", SRTP_SALT_BITS),
        sas_hash=k("SAS", 256),
        new_rs1=k("retained secret", 256),
        session_key=k("ZRTP Session Key", hash_bits),
    )


def render_sas_b32(sas_value: bytes) -> str:
    """The leftmost 20 bits of the SAS value as four base-32 characters (§5.1.6)."""
    bits = int.from_bytes(sas_value[:4], "big") >> 12
    return "".join(B32_ALPHABET[(bits >> shift) & 0x1F] for shift in (15, 10, 5, 0))


# --- AES-CFB (§5.7) ----------------------------------------------------------------------


def _cfb(key: bytes, iv: bytes, data: bytes, *, decrypt: bool) -> bytes:
    """Full-block (128-bit) CFB on AES-ECB: C[i] = P[i] xor AES(C[i-1]), C[-1] = IV.
    (cryptography moved its CFB mode to `decrepit`; the mode is this simple.)"""
    if len(iv) != 16:
        raise ValueError("CFB IV must be 16 bytes")
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    out = bytearray()
    feedback = iv
    for at in range(0, len(data), 16):
        block = data[at : at + 16]
        stream = encryptor.update(feedback)
        done = bytes(a ^ b for a, b in zip(block, stream, strict=False))
        out += done
        feedback = block if decrypt else done
    return bytes(out)


def cfb_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    return _cfb(key, iv, plaintext, decrypt=False)


def cfb_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    return _cfb(key, iv, ciphertext, decrypt=True)


# --- key agreement (§4.4.1, §5.1.5) --------------------------------------------------------


class KeyPair:
    """One side's ephemeral key: its public value for DHPart and `agree` for DHResult."""

    algorithm: KeyAgreement
    public_value: bytes

    def agree(self, peer_public_value: bytes) -> bytes:
        raise NotImplementedError


class _ModpKeyPair(KeyPair):
    """Finite-field DH. `cryptography` has deprecated FFDH, so the group arithmetic is
    Python's `pow`; the exponent is fresh for every exchange."""

    def __init__(self, algorithm: KeyAgreement, exponent_bits: int, rng: Random) -> None:
        self.algorithm = algorithm
        self._p = DH3K_PRIME if algorithm is KeyAgreement.DH3K else DH2K_PRIME
        self._size = algorithm.public_value_bytes
        self._x = 0
        while self._x < 2:
            self._x = int.from_bytes(rng(exponent_bits // 8), "big")
        self.public_value = pow(DH_GENERATOR, self._x, self._p).to_bytes(self._size, "big")

    def agree(self, peer_public_value: bytes) -> bytes:
        if len(peer_public_value) != self._size:
            raise ZrtpError("DH public value of the wrong size", ErrorCode.DH_BAD_PUBLIC_VALUE)
        y = int.from_bytes(peer_public_value, "big")
        # §4.4.1.1: 1, p-1 (and anything outside 1 < y < p-1) would force a known result.
        if not 1 < y < self._p - 1:
            raise ZrtpError("DH public value is 0, 1, p-1 or >= p", ErrorCode.DH_BAD_PUBLIC_VALUE)
        return pow(y, self._x, self._p).to_bytes(self._size, "big")


class _EcKeyPair(KeyPair):
    """ECDH on P-256 (EC25): public value x || y, DHResult the x coordinate."""

    def __init__(self) -> None:
        self.algorithm = KeyAgreement.EC25
        self._key = ec.generate_private_key(ec.SECP256R1())
        point = self._key.public_key().public_numbers()
        self.public_value = point.x.to_bytes(32, "big") + point.y.to_bytes(32, "big")

    def agree(self, peer_public_value: bytes) -> bytes:
        if len(peer_public_value) != 64:
            raise ZrtpError("EC25 public value of the wrong size", ErrorCode.DH_BAD_PUBLIC_VALUE)
        try:
            peer = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), b"\x04" + peer_public_value
            )
        except ValueError as exc:  # not a point on the curve
            raise ZrtpError(
                "EC25 public value is not on P-256", ErrorCode.DH_BAD_PUBLIC_VALUE
            ) from exc
        return self._key.exchange(ec.ECDH(), peer)


def generate_keypair(
    algorithm: KeyAgreement, cipher: CipherAlgorithm, rng: Random = secrets.token_bytes
) -> KeyPair:
    """A fresh key pair. The DH secret exponent is twice as long as the negotiated AES
    key (§5.1.5: 256 bits with AES-128, 512 with AES-256)."""
    if algorithm in (KeyAgreement.DH3K, KeyAgreement.DH2K):
        return _ModpKeyPair(algorithm, 2 * cipher.key_bytes * 8, rng)
    if algorithm is KeyAgreement.EC25:
        return _EcKeyPair()
    raise ZrtpError(
        f"{algorithm} is not a DH-mode key agreement", ErrorCode.KEY_AGREEMENT_NOT_SUPPORTED
    )
