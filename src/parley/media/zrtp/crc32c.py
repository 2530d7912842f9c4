"""CRC-32C (Castagnoli), the checksum at the end of every ZRTP packet (RFC 6189 §5).

The polynomial and bit order are those of SCTP (RFC 3309, RFC 4960 appendix B):
reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF. On the wire
the CRC is sent least significant byte first, as SCTP does (`crc32c_bytes`).
"""

from __future__ import annotations


def _table() -> tuple[int, ...]:
    rows = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        rows.append(c)
    return tuple(rows)


_TABLE = _table()


def crc32c(data: bytes) -> int:
    """The CRC-32C of `data` (check value: crc32c(b"123456789") == 0xE3069283)."""
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc32c_bytes(data: bytes) -> bytes:
    """The four CRC bytes as a ZRTP packet carries them."""
    return crc32c(data).to_bytes(4, "little")
