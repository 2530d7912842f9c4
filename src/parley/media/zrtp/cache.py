"""The ZRTP cache: our ZID and the retained shared secrets per peer (RFC 6189 §4.9).

For each peer ZID the cache keeps rs1 (the newest retained secret), rs2 (the one
before it, for a call whose last exchange the peer did not finish), their expiry
times, and the "SAS verified" flag the user set. The second call between the same two
parties finds rs1 on both sides; that makes its keys depend on the first call's too,
and a man in the middle who was not in the first call shows up as a cache mismatch.

- `ZidCache`: in memory (tests, or a user who wants nothing kept).
- `FileZidCache`: the same, kept as JSON in a directory the caller gives (the data
  dir), written atomically (temporary file + rename) with mode 0600. A file that
  cannot be read is moved aside and reported with `ZrtpCacheCorrupt`, never
  overwritten silently.

Times are Unix seconds from the clock given to the cache (wall-clock time: an expiry
must survive a restart).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ZID_BYTES = 12
CACHE_FILE_NAME = "zrtp-cache.json"
_FORMAT = "parley-zrtp-cache"
_VERSION = 1


class ZrtpCacheCorrupt(Exception):
    """The cache file could not be read; it has been moved to `moved_to`."""

    def __init__(self, path: Path, moved_to: Path, detail: str) -> None:
        super().__init__(f"ZRTP cache {path} is unreadable ({detail}); moved to {moved_to}")
        self.path = path
        self.moved_to = moved_to
        self.detail = detail


@dataclass(frozen=True)
class PeerSecrets:
    """What the cache holds for one peer ZID. Expiry None means "never expires"."""

    rs1: bytes | None = None
    rs2: bytes | None = None
    rs1_expires: float | None = None
    rs2_expires: float | None = None
    verified: bool = False

    def live(self, now: float) -> PeerSecrets:
        """The same with expired secrets dropped."""
        rs1, rs2 = self.rs1, self.rs2
        if rs1 is not None and self.rs1_expires is not None and self.rs1_expires <= now:
            rs1 = None
        if rs2 is not None and self.rs2_expires is not None and self.rs2_expires <= now:
            rs2 = None
        return replace(self, rs1=rs1, rs2=rs2)

    @property
    def has_secret(self) -> bool:
        return self.rs1 is not None or self.rs2 is not None


class ZidCache:
    """Our ZID and the retained secrets, in memory."""

    def __init__(self, zid: bytes | None = None, clock: Callable[[], float] = time.time) -> None:
        if zid is not None and len(zid) != ZID_BYTES:
            raise ValueError("a ZID is 12 bytes")
        self._zid = zid if zid is not None else secrets.token_bytes(ZID_BYTES)
        self._clock = clock
        self._peers: dict[bytes, PeerSecrets] = {}

    @property
    def zid(self) -> bytes:
        return self._zid

    def peer(self, peer_zid: bytes) -> PeerSecrets:
        """The live (unexpired) secrets and the verified flag for a peer."""
        return self._peers.get(peer_zid, PeerSecrets()).live(self._clock())

    def peers(self) -> list[bytes]:
        return list(self._peers)

    def store_secret(
        self, peer_zid: bytes, new_rs1: bytes, lifetime: int | None, verified: bool
    ) -> None:
        """After a successful exchange: rs2 := rs1, rs1 := the new secret (§4.6.1).
        `lifetime` in seconds, None for "never expires"."""
        old = self.peer(peer_zid)
        expires = None if lifetime is None else self._clock() + lifetime
        self._peers[peer_zid] = PeerSecrets(
            rs1=new_rs1,
            rs2=old.rs1,
            rs1_expires=expires,
            rs2_expires=old.rs1_expires,
            verified=verified,
        )
        self._save()

    def set_verified(self, peer_zid: bytes, verified: bool) -> None:
        """The user compared the SAS (or withdrew that): kept for the next call."""
        old = self._peers.get(peer_zid, PeerSecrets())
        self._peers[peer_zid] = replace(old, verified=verified)
        self._save()

    def forget(self, peer_zid: bytes) -> None:
        self._peers.pop(peer_zid, None)
        self._save()

    def _save(self) -> None:
        """Persistence hook; the in-memory cache keeps nothing."""

    # --- (de)serialisation shared with the file cache ----------------------------------

    def _to_json(self) -> dict[str, Any]:
        def hexed(value: bytes | None) -> str | None:
            return None if value is None else value.hex()

        return {
            "format": _FORMAT,
            "version": _VERSION,
            "zid": self._zid.hex(),
            "peers": {
                zid.hex(): {
                    "rs1": hexed(p.rs1),
                    "rs2": hexed(p.rs2),
                    "rs1_expires": p.rs1_expires,
                    "rs2_expires": p.rs2_expires,
                    "verified": p.verified,
                }
                for zid, p in self._peers.items()
            },
        }

    def _load_json(self, data: Any) -> None:
        """Replace the contents from parsed JSON; ValueError on anything unexpected."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError("not a Parley ZRTP cache")
        if data.get("version") != _VERSION:
            raise ValueError(f"unknown cache version {data.get('version')!r}")
        zid = _hex_field(data.get("zid"), ZID_BYTES, "zid")
        if zid is None:
            raise ValueError("no ZID")
        peers_raw = data.get("peers")
        if not isinstance(peers_raw, dict):
            raise ValueError("peers is not a table")
        peers: dict[bytes, PeerSecrets] = {}
        for key, entry in peers_raw.items():
            peer_zid = _hex_field(key, ZID_BYTES, "peer ZID")
            if peer_zid is None or not isinstance(entry, dict):
                raise ValueError(f"bad entry for peer {key!r}")
            verified = entry.get("verified")
            if not isinstance(verified, bool):
                raise ValueError(f"verified flag of {key} is not true/false")
            peers[peer_zid] = PeerSecrets(
                rs1=_hex_field(entry.get("rs1"), 32, "rs1"),
                rs2=_hex_field(entry.get("rs2"), 32, "rs2"),
                rs1_expires=_time_field(entry.get("rs1_expires")),
                rs2_expires=_time_field(entry.get("rs2_expires")),
                verified=verified,
            )
        self._zid = zid
        self._peers = peers


def _hex_field(value: Any, size: int, what: str) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what} is not a hex string")
    raw = bytes.fromhex(value)
    if len(raw) != size:
        raise ValueError(f"{what} is {len(raw)} bytes, not {size}")
    return raw


def _time_field(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expiry is not a number")
    return float(value)


class FileZidCache(ZidCache):
    """The cache kept in `directory/zrtp-cache.json` (created with mode 0600)."""

    def __init__(self, directory: Path, clock: Callable[[], float] = time.time) -> None:
        super().__init__(None, clock)
        self.path = Path(directory) / CACHE_FILE_NAME
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.path.exists():
            self._read()
        else:
            self._save()  # our new ZID must survive a restart

    def _read(self) -> None:
        try:
            self._load_json(json.loads(self.path.read_text(encoding="utf-8")))
        except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
            moved = self._move_aside()
            raise ZrtpCacheCorrupt(self.path, moved, str(exc)) from exc

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(self._clock()))
        target = self.path.with_name(f"{CACHE_FILE_NAME}.corrupt-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{CACHE_FILE_NAME}.corrupt-{stamp}-{n}")
        os.replace(self.path, target)
        return target

    def _save(self) -> None:
        data = json.dumps(self._to_json(), indent=1, sort_keys=True).encode("utf-8")
        tmp = self.path.with_name(f".{CACHE_FILE_NAME}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o600)  # an old temporary file may have had other bits
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
