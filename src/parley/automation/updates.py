"""Checking for updates (the manual's Automation › General › "Check for updates"): read
the newest version from a feed shaped like the package index's JSON and compare it with
ours. The comparison and the feed parsing are pure; `fetch_newest` does the one request.

Versions are compared the way the package index orders them (release numbers, then
pre-releases a < b < rc before the release, post-releases after it, dev releases before
everything of their release) — a small subset of PEP 440 so that `packaging` is not a
dependency. A version we cannot read is never "newer"."""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

CHECK_INTERVAL = timedelta(days=1)
MAX_FEED_BYTES = 2_000_000  # the real PyPI document is ~100 kB; more is not a feed

_VERSION = re.compile(
    r"""^\s*v?
    (?:(?P<epoch>\d+)!)?
    (?P<release>\d+(?:\.\d+)*)
    (?:[-_.]?(?P<pre>a|alpha|b|beta|c|rc|pre|preview)[-_.]?(?P<pre_n>\d+)?)?
    (?:[-_.]?(?P<post>post|rev|r)[-_.]?(?P<post_n>\d+)?|-(?P<post_implicit>\d+))?
    (?:[-_.]?dev[-_.]?(?P<dev_n>\d+)?)?
    (?:\+[a-z0-9.]+)?
    \s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_PRE_RANK = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}

VersionKey = tuple[object, ...]


def version_key(text: str) -> VersionKey | None:
    """A sort key for a version string; None when it is not a version."""
    match = _VERSION.match(text)
    if match is None:
        return None
    release = [int(part) for part in match["release"].split(".")]
    while len(release) > 1 and release[-1] == 0:  # 1.0 == 1.0.0
        release.pop()
    inf = float("inf")
    pre_name = match["pre"]
    dev = match.group(0).lower().find("dev") >= 0
    dev_n = int(match["dev_n"] or 0)
    post_n: int | None = None
    if match["post"] is not None:
        post_n = int(match["post_n"] or 0)
    elif match["post_implicit"] is not None:
        post_n = int(match["post_implicit"])
    if pre_name is not None:
        pre: tuple[float, int] = (_PRE_RANK[pre_name.lower()], int(match["pre_n"] or 0))
    elif dev and post_n is None:
        pre = (-inf, 0)  # 1.0.dev1 comes before 1.0a1
    else:
        pre = (inf, 0)
    post = (-inf,) if post_n is None else (float(post_n),)
    dev_key = (float(dev_n),) if dev else (inf,)
    return (int(match["epoch"] or 0), tuple(release), pre, post, dev_key)


def is_prerelease(text: str) -> bool:
    match = _VERSION.match(text)
    return match is not None and (match["pre"] is not None or "dev" in text.lower())


def is_newer(candidate: str, current: str) -> bool:
    """True when `candidate` is a later version than `current` (False when either is
    not a version)."""
    new, old = version_key(candidate), version_key(current)
    if new is None or old is None:
        return False
    return new > old


class FeedProblem(enum.StrEnum):
    BAD_FEED = "bad_feed"  # not JSON, or no version in it
    HTTP_STATUS = "http_status"  # 404 and the like
    UNREACHABLE = "unreachable"  # connection refused, DNS, TLS
    TIMEOUT = "timeout"
    TOO_BIG = "too_big"


class FeedError(Exception):
    def __init__(self, problem: FeedProblem, detail: str = "", status: int | None = None):
        super().__init__(f"{problem}: {detail}" if detail else str(problem))
        self.problem = problem
        self.detail = detail
        self.status = status


def newest_in_feed(body: bytes, *, prereleases: bool = False) -> str:
    """The newest version a PyPI-shaped JSON document names: the newest key of
    "releases" that is not yanked (pre-releases only when asked), else info.version."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(FeedProblem.BAD_FEED, f"not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise FeedError(FeedProblem.BAD_FEED, "not a JSON object")
    candidates: list[str] = []
    releases = document.get("releases")
    if isinstance(releases, dict):
        for version, files in releases.items():
            if not isinstance(version, str) or version_key(version) is None:
                continue
            if not prereleases and is_prerelease(version):
                continue
            if (
                isinstance(files, list)
                and files
                and all(isinstance(f, dict) and f.get("yanked") for f in files)
            ):
                continue
            candidates.append(version)
    info = document.get("info")
    if isinstance(info, dict) and isinstance(info.get("version"), str):
        if version_key(info["version"]) is not None:
            candidates.append(info["version"])
    if not candidates:
        raise FeedError(FeedProblem.BAD_FEED, "no version in the feed")
    return max(candidates, key=lambda v: version_key(v))  # type: ignore[arg-type,return-value]


def is_due(last_check: datetime | None, now: datetime) -> bool:
    """At most once a day; a last check in the future (clock changed) counts as due."""
    if last_check is None:
        return True
    return now - last_check >= CHECK_INTERVAL or last_check > now


@dataclass(frozen=True)
class UpdateResult:
    """What a check found: `newest` the feed's newest version, `available` whether it is
    newer than `current`."""

    current: str
    newest: str

    @property
    def available(self) -> bool:
        return is_newer(self.newest, self.current)


def fetch_newest(
    url: str, current: str, *, timeout: float = 10.0, proxy: str | None = None
) -> UpdateResult:
    """Read the feed at `url` (blocking: call it off the engine loop). Raises FeedError."""
    try:
        with httpx.Client(
            timeout=timeout, proxy=proxy or None, follow_redirects=True, max_redirects=5
        ) as client:
            with client.stream("GET", url, headers={"Accept": "application/json"}) as response:
                if response.status_code >= 400:
                    raise FeedError(
                        FeedProblem.HTTP_STATUS,
                        f"HTTP {response.status_code}",
                        status=response.status_code,
                    )
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_FEED_BYTES:
                        raise FeedError(FeedProblem.TOO_BIG, f"over {MAX_FEED_BYTES} bytes")
    except httpx.TimeoutException as exc:
        raise FeedError(FeedProblem.TIMEOUT, str(exc)) from exc
    except httpx.HTTPError as exc:
        raise FeedError(FeedProblem.UNREACHABLE, f"{type(exc).__name__}: {exc}") from exc
    return UpdateResult(current, newest_in_feed(bytes(body)))
