"""The ZRTP cache file: our ZID and the retained secrets survive a restart, the file is
private (0600) and replaced atomically, expired secrets are not used, and a damaged
file is moved aside with a clear error instead of being overwritten."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from parley.media.zrtp import FileZidCache, ZidCache, ZrtpCacheCorrupt
from parley.media.zrtp.cache import CACHE_FILE_NAME

PEER = b"P" * 12


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_zid_is_made_once_and_kept(tmp_path: Path) -> None:
    first = FileZidCache(tmp_path / "zrtp")
    assert len(first.zid) == 12
    assert (tmp_path / "zrtp" / CACHE_FILE_NAME).exists()
    assert FileZidCache(tmp_path / "zrtp").zid == first.zid
    assert FileZidCache(tmp_path / "other").zid != first.zid


def test_file_and_directory_are_private(tmp_path: Path) -> None:
    cache = FileZidCache(tmp_path / "zrtp")
    cache.store_secret(PEER, b"r" * 32, None, verified=False)
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.path.parent.stat().st_mode) == 0o700
    assert [p.name for p in cache.path.parent.iterdir()] == [CACHE_FILE_NAME]  # no temp left


def test_loose_permissions_are_tightened_on_the_next_write(tmp_path: Path) -> None:
    cache = FileZidCache(tmp_path)
    cache.path.chmod(0o644)
    cache.set_verified(PEER, True)
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600


def test_secrets_rotate_and_persist(tmp_path: Path) -> None:
    cache = FileZidCache(tmp_path)
    cache.store_secret(PEER, b"1" * 32, None, verified=False)
    cache.store_secret(PEER, b"2" * 32, 3600, verified=True)
    again = FileZidCache(tmp_path).peer(PEER)
    assert (again.rs1, again.rs2, again.verified) == (b"2" * 32, b"1" * 32, True)
    assert again.rs2_expires is None and again.rs1_expires is not None


def test_expired_secrets_are_not_offered() -> None:
    clock = Clock()
    cache = ZidCache(clock=clock)
    cache.store_secret(PEER, b"1" * 32, 100, verified=True)
    cache.store_secret(PEER, b"2" * 32, 1000, verified=True)
    clock.now += 500  # rs2 (the old rs1, 100 s) expired, rs1 (1000 s) not
    live = cache.peer(PEER)
    assert (live.rs1, live.rs2) == (b"2" * 32, None)
    clock.now += 1000
    assert not cache.peer(PEER).has_secret


def test_verified_flag_and_forget(tmp_path: Path) -> None:
    cache = FileZidCache(tmp_path)
    cache.store_secret(PEER, b"1" * 32, None, verified=False)
    cache.set_verified(PEER, True)
    assert FileZidCache(tmp_path).peer(PEER).verified
    cache.forget(PEER)
    assert not FileZidCache(tmp_path).peer(PEER).has_secret
    assert FileZidCache(tmp_path).peers() == []


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00",
        b"[]",
        b'{"format": "something else"}',
        b'{"format": "parley-zrtp-cache", "version": 99, "zid": "00", "peers": {}}',
        b'{"format": "parley-zrtp-cache", "version": 1, "zid": "0011", "peers": {}}',
        b'{"format": "parley-zrtp-cache", "version": 1, "zid": "000000000000000000000000",'
        b' "peers": {"505050505050505050505050": {"rs1": "zz", "verified": false}}}',
        b'{"format": "parley-zrtp-cache", "version": 1, "zid": "000000000000000000000000",'
        b' "peers": {"505050505050505050505050": {"verified": "yes"}}}',
    ],
)
def test_damaged_file_is_moved_aside_with_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / CACHE_FILE_NAME
    path.write_bytes(content)
    with pytest.raises(ZrtpCacheCorrupt) as caught:
        FileZidCache(tmp_path)
    error = caught.value
    assert error.path == path and str(path) in str(error) and str(error.moved_to) in str(error)
    assert error.moved_to.read_bytes() == content  # nothing lost
    assert not path.exists()
    # Opening again starts a new cache (a new ZID: peers will see a cache mismatch).
    fresh = FileZidCache(tmp_path)
    assert path.exists() and len(fresh.zid) == 12


def test_two_damaged_files_in_the_same_second_are_both_kept(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / CACHE_FILE_NAME
    moved = []
    for content in (b"one", b"two"):
        path.write_bytes(content)
        with pytest.raises(ZrtpCacheCorrupt) as caught:
            FileZidCache(tmp_path, clock=clock)
        moved.append(caught.value.moved_to)
    assert moved[0] != moved[1]
    assert [m.read_bytes() for m in moved] == [b"one", b"two"]


def test_file_content_is_the_documented_json(tmp_path: Path) -> None:
    cache = FileZidCache(tmp_path)
    cache.store_secret(PEER, b"1" * 32, None, verified=True)
    data = json.loads(cache.path.read_text())
    assert data["format"] == "parley-zrtp-cache" and data["version"] == 1
    assert data["zid"] == cache.zid.hex()
    assert data["peers"][PEER.hex()]["rs1"] == (b"1" * 32).hex()
    assert data["peers"][PEER.hex()]["verified"] is True
