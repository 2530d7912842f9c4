"""ZRTP crypto (RFC 6189 §4.4, §4.5, §5.1) against values computed independently: the
KDF against GNU ZRTP's vectors (as published with bzrtp), the SAS rendered by hand from
the base-32 table of §5.1.6, the MODP primes rebuilt from RFC 3526's formula, AES-CFB
against NIST SP 800-38A, s0 assembled by hand."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pytest
import zrtp_vectors as v

from parley.media.zrtp import crypto
from parley.media.zrtp.algorithms import CipherAlgorithm, KeyAgreement
from parley.media.zrtp.errors import ErrorCode, ZrtpError


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


# --- KDF (§4.5.1) -------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "expected"), v.KDF_CASES, ids=[c[0] for c in v.KDF_CASES])
def test_kdf_matches_gnu_zrtp_vectors(label: str, expected: str) -> None:
    out = bytes.fromhex(expected)
    assert crypto.kdf(v.KDF_KEY, label.encode(), v.KDF_CONTEXT, len(out) * 8) == out


def test_kdf_is_counter_mode_hmac_for_long_output() -> None:
    key, label, ctx = b"k" * 32, b"label", b"context"
    length = (512).to_bytes(4, "big")
    block = [_hmac(key, i.to_bytes(4, "big") + label + b"\0" + ctx + length) for i in (1, 2)]
    assert crypto.kdf(key, label, ctx, 512) == block[0] + block[1]
    # A shorter output is not a prefix of a longer one: L is part of the input.
    assert crypto.kdf(key, label, ctx, 256) != block[0]


def test_derive_keys_uses_the_rfc_labels_and_lengths() -> None:
    s0, ctx = b"s" * 32, v.KDF_CONTEXT
    keys = crypto.derive_keys(s0, ctx, CipherAlgorithm.AES3)
    assert keys.srtp_key_i == crypto.kdf(s0, b"Initiator SRTP master key", ctx, 256)
    assert keys.srtp_salt_r == crypto.kdf(s0, b"Responder SRTP master salt", ctx, 112)
    assert keys.zrtpkey_r == crypto.kdf(s0, b"Responder ZRTP key", ctx, 256)
    assert keys.mackey_i == crypto.kdf(s0, b"Initiator HMAC key", ctx, 256)
    assert keys.new_rs1 == crypto.kdf(s0, b"retained secret", ctx, 256)
    assert keys.sas_value == crypto.kdf(s0, b"SAS", ctx, 256)[:4]
    short = crypto.derive_keys(s0, ctx, CipherAlgorithm.AES1)
    assert len(short.srtp_key_i) == len(short.zrtpkey_i) == 16
    assert len(short.srtp_salt_i) == 14


# --- s0, total_hash, hvi, secret IDs (§4.3, §4.4.1) -------------------------------------------


def test_s0_assembled_by_hand() -> None:
    dh, zidi, zidr, total = b"d" * 384, b"I" * 12, b"R" * 12, b"t" * 32
    rs1 = b"r" * 32
    no_secret = b"\0\0\0\0"
    expected = hashlib.sha256(
        b"\0\0\0\1" + dh + b"ZRTP-HMAC-KDF" + zidi + zidr + total
        + b"\0\0\0\x20" + rs1 + no_secret + no_secret
    ).digest()  # fmt: skip
    assert crypto.compute_s0(dh, zidi, zidr, total, rs1) == expected
    without = hashlib.sha256(
        b"\0\0\0\1" + dh + b"ZRTP-HMAC-KDF" + zidi + zidr + total + no_secret * 3
    ).digest()
    assert crypto.compute_s0(dh, zidi, zidr, total) == without


def test_total_hash_hvi_and_secret_ids() -> None:
    assert crypto.total_hash(b"h", b"c", b"1", b"2") == hashlib.sha256(b"hc12").digest()
    assert crypto.hvi(b"dh2", b"hello") == hashlib.sha256(b"dh2hello").digest()
    rs = b"r" * 32
    assert crypto.secret_id(rs, b"Initiator") == _hmac(rs, b"Initiator")[:8]
    assert crypto.secret_id(rs, b"Initiator") != crypto.secret_id(rs, b"Responder")


# --- SAS (§5.1.6) ---------------------------------------------------------------------------

# The table of §5.1.6, value by value.
B32_TABLE = {
    0: "y", 1: "b", 2: "n", 3: "d", 4: "r", 5: "f", 6: "g", 7: "8",
    8: "e", 9: "j", 10: "k", 11: "m", 12: "c", 13: "p", 14: "q", 15: "x",
    16: "o", 17: "t", 18: "1", 19: "u", 20: "w", 21: "i", 22: "s", 23: "z",
    24: "a", 25: "3", 26: "4", 27: "5", 28: "h", 29: "7", 30: "6", 31: "9",
}  # fmt: skip


def _by_hand(sas_value: bytes) -> str:
    bits = format(int.from_bytes(sas_value, "big"), "032b")[:20]
    return "".join(B32_TABLE[int(bits[i : i + 5], 2)] for i in range(0, 20, 5))


def test_sas_b32_against_the_table() -> None:
    assert crypto.render_sas_b32(bytes(4)) == "yyyy"
    assert crypto.render_sas_b32(b"\xff\xff\xff\xff") == "9999"
    # 00001 00010 00011 00100 then twelve bits that must not count.
    value = ((1 << 15 | 2 << 10 | 3 << 5 | 4) << 12 | 0xFFF).to_bytes(4, "big")
    assert crypto.render_sas_b32(value) == "bndr"
    for _ in range(200):
        random_value = secrets.token_bytes(4)
        assert crypto.render_sas_b32(random_value) == _by_hand(random_value)


def test_sas_of_the_kdf_vector() -> None:
    """SAS hash of GNU ZRTP's KDF vector d269b071...: 11010 01001 10100 11011."""
    sas_hash = dict(v.KDF_CASES)["SAS"]
    assert crypto.render_sas_b32(bytes.fromhex(sas_hash)[:4]) == "4jw5"


# --- the MODP groups (RFC 3526) -----------------------------------------------------------------


def _pi_times_2_to(bits: int) -> int:
    """floor(2**bits * pi) by Machin's formula in integers (64 guard bits)."""
    one = 1 << (bits + 64)

    def arctan_inv(x: int) -> int:
        total = term = one // x
        n, sign = 1, -1
        while term:
            term //= x * x
            total += sign * (term // (2 * n + 1))
            sign, n = -sign, n + 1
        return total

    return (4 * (4 * arctan_inv(5) - arctan_inv(239))) >> 64


def _probably_prime(n: int) -> bool:
    return all(pow(a, n - 1, n) == 1 for a in (2, 3, 5, 7))


def test_dh3k_prime_is_the_rfc3526_formula() -> None:
    """RFC 3526 §4: p = 2^3072 - 2^3008 - 1 + 2^64 * { [2^2942 pi] + 1690314 }."""
    p = 2**3072 - 2**3008 - 1 + 2**64 * (_pi_times_2_to(2942) + 1690314)
    assert crypto.DH3K_PRIME == p
    assert _probably_prime(p) and _probably_prime((p - 1) // 2)  # a safe prime
    # And the published hex starts and ends as the RFC prints it.
    text = format(crypto.DH3K_PRIME, "X")
    assert text.startswith("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1")
    assert text.endswith("43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF")


def test_dh2k_prime_is_the_rfc3526_formula() -> None:
    """RFC 3526 §3: p = 2^2048 - 2^1984 - 1 + 2^64 * { [2^1918 pi] + 124476 }."""
    p = 2**2048 - 2**1984 - 1 + 2**64 * (_pi_times_2_to(1918) + 124476)
    assert crypto.DH2K_PRIME == p
    assert _probably_prime(p) and _probably_prime((p - 1) // 2)


# --- key agreement ---------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", [KeyAgreement.DH3K, KeyAgreement.DH2K, KeyAgreement.EC25])
def test_both_sides_reach_the_same_dh_result(algorithm: KeyAgreement) -> None:
    a = crypto.generate_keypair(algorithm, CipherAlgorithm.AES1)
    b = crypto.generate_keypair(algorithm, CipherAlgorithm.AES1)
    assert len(a.public_value) == algorithm.public_value_bytes
    result = a.agree(b.public_value)
    assert result == b.agree(a.public_value)
    assert len(result) == (32 if algorithm is KeyAgreement.EC25 else len(a.public_value))


@pytest.mark.parametrize(
    ("cipher", "exponent_bytes"), [(CipherAlgorithm.AES1, 32), (CipherAlgorithm.AES3, 64)]
)
def test_dh_exponent_is_twice_the_aes_key(cipher: CipherAlgorithm, exponent_bytes: int) -> None:
    asked: list[int] = []

    def rng(n: int) -> bytes:
        asked.append(n)
        return secrets.token_bytes(n)

    pair = crypto.generate_keypair(KeyAgreement.DH3K, cipher, rng)
    assert asked == [exponent_bytes]
    # The public value is g^x mod p for the exponent drawn.
    assert int.from_bytes(pair.public_value, "big") < crypto.DH3K_PRIME


@pytest.mark.parametrize(
    "bad",
    [
        0,
        1,
        crypto.DH3K_PRIME - 1,
        crypto.DH3K_PRIME,
        crypto.DH3K_PRIME + 1,
    ],
    ids=["0", "1", "p-1", "p", "p+1"],
)
def test_dh_public_values_that_force_the_result_are_refused(bad: int) -> None:
    pair = crypto.generate_keypair(KeyAgreement.DH3K, CipherAlgorithm.AES1)
    with pytest.raises(ZrtpError) as caught:
        pair.agree(bad.to_bytes(384, "big"))
    assert caught.value.code is ErrorCode.DH_BAD_PUBLIC_VALUE


def test_ec25_point_off_the_curve_or_wrong_size_is_refused() -> None:
    pair = crypto.generate_keypair(KeyAgreement.EC25, CipherAlgorithm.AES1)
    other = crypto.generate_keypair(KeyAgreement.EC25, CipherAlgorithm.AES1).public_value
    off_curve = other[:63] + bytes([other[63] ^ 1])
    for bad in (off_curve, bytes(64), other[:32]):
        with pytest.raises(ZrtpError) as caught:
            pair.agree(bad)
        assert caught.value.code is ErrorCode.DH_BAD_PUBLIC_VALUE


def test_non_dh_modes_have_no_key_pair() -> None:
    with pytest.raises(ZrtpError):
        crypto.generate_keypair(KeyAgreement.MULT, CipherAlgorithm.AES1)


# --- AES-CFB (§5.7) --------------------------------------------------------------------------------


def test_cfb_matches_nist_sp800_38a() -> None:
    """SP 800-38A F.3.13 (CFB128-AES128.Encrypt), first two blocks."""
    key = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")
    iv = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
    plain = bytes.fromhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
    cipher = bytes.fromhex("3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93fcde3cdad9f1ce58b")
    assert crypto.cfb_encrypt(key, iv, plain) == cipher
    assert crypto.cfb_decrypt(key, iv, cipher) == plain


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 40, 44, 100])
def test_cfb_agrees_with_cryptography_for_partial_blocks(size: int) -> None:
    decrepit = pytest.importorskip("cryptography.hazmat.decrepit.ciphers.modes")
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

    key, iv, data = secrets.token_bytes(32), secrets.token_bytes(16), secrets.token_bytes(size)
    reference = Cipher(algorithms.AES(key), decrepit.CFB(iv)).encryptor()
    assert crypto.cfb_encrypt(key, iv, data) == reference.update(data) + reference.finalize()
    assert crypto.cfb_decrypt(key, iv, crypto.cfb_encrypt(key, iv, data)) == data
