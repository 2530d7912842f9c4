"""HTTP Digest authentication for SIP requests (RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760).

Sans-IO: nothing here touches the network or a clock. A `DigestClient` lives as long as an
account; it answers 401/407 challenges by adding Authorization / Proxy-Authorization
headers to the request that was challenged, and caches what it learnt so later requests
to the same realms (REGISTER refreshes, re-INVITEs...) can carry credentials up front with
the next nonce count (RFC 3261 §22.3, RFC 7616 §3.4).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from parley.sip.headers import SipParseError
from parley.sip.message import Request, Response

# RFC 7616 §3.4.1 / RFC 8760 §2: algorithm name -> hashlib name. The "-sess" variants use
# the same hash with a session key for A1.
_HASHES: dict[str, str] = {
    "MD5": "md5",
    "SHA-256": "sha256",
    "SHA-512-256": "sha512_256",
}
# Higher is stronger; used to choose among several challenges for one realm (RFC 8760 §2.4).
_STRENGTH: dict[str, int] = {"MD5": 1, "SHA-256": 2, "SHA-512-256": 3}

_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~")
# token68 (RFC 7235 §2.1) adds these; only relevant to skip non-Digest schemes cleanly.
_TOKEN68_CHARS = _TOKEN_CHARS | frozenset("/=")
_WS = " \t\r\n"


def _canonical_algorithm(name: str) -> str:
    """Upper-case an algorithm name, keeping the RFC's spelling of the "-sess" suffix."""
    upper = name.strip().upper()
    if upper.endswith("-SESS"):
        return upper[:-5] + "-sess"
    return upper


def _base_algorithm(algorithm: str) -> str:
    return algorithm[:-5] if algorithm.endswith("-sess") else algorithm


def is_supported_algorithm(algorithm: str) -> bool:
    """True when we can compute `algorithm` (MD5, SHA-256, SHA-512-256, each also -sess)."""
    hname = _HASHES.get(_base_algorithm(_canonical_algorithm(algorithm)))
    return hname is not None and hname in hashlib.algorithms_available


def hash_hex(algorithm: str, data: str | bytes) -> str:
    """H(data) of RFC 7616 §3.4: lower-case hex digest of the algorithm's hash."""
    hname = _HASHES.get(_base_algorithm(_canonical_algorithm(algorithm)))
    if hname is None:
        raise ValueError(f"unsupported digest algorithm {algorithm!r}")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.new(hname, raw).hexdigest()


# --------------------------------------------------------------------------- parsing


def _parse_auth_header(value: str) -> list[tuple[str, dict[str, str]]]:
    """Split a challenge/credentials header value into (scheme, params) items.

    RFC 7235 §4.1 allows several challenges in one field, separated by commas, which are
    also the separators of auth-params: a new challenge starts at a token that is not
    followed by "=". Param names are lower-cased; quoted values are unescaped.
    """
    items: list[tuple[str, dict[str, str]]] = []
    pos, end = 0, len(value)

    def skip_ws(p: int) -> int:
        while p < end and value[p] in _WS:
            p += 1
        return p

    def read_token(p: int) -> tuple[str, int]:
        start = p
        while p < end and value[p] in _TOKEN_CHARS:
            p += 1
        return value[start:p], p

    while True:
        pos = skip_ws(pos)
        while pos < end and value[pos] == ",":
            pos = skip_ws(pos + 1)
        if pos >= end:
            break
        name, after = read_token(pos)
        if not name:
            raise SipParseError(f"unexpected character {value[pos]!r} in auth header", status=400)
        eq = skip_ws(after)
        if eq < end and value[eq] == "=" and items:
            # auth-param of the current challenge
            p = skip_ws(eq + 1)
            if p < end and value[p] == '"':
                chars: list[str] = []
                p += 1
                while True:
                    if p >= end:
                        raise SipParseError("unterminated quoted string in auth header")
                    c = value[p]
                    if c == "\\" and p + 1 < end:
                        chars.append(value[p + 1])
                        p += 2
                        continue
                    if c == '"':
                        p += 1
                        break
                    chars.append(c)
                    p += 1
                pval = "".join(chars)
            else:
                pval, p = read_token(p)
                if not pval:
                    raise SipParseError(f"empty value for auth-param {name!r}")
            items[-1][1].setdefault(name.lower(), pval)
            p = skip_ws(p)
            if p < end and value[p] != ",":
                raise SipParseError(f"garbage after auth-param {name!r}")
            pos = p
            continue
        # a new scheme; it may carry a token68 instead of params (e.g. other schemes)
        items.append((name, {}))
        p = skip_ws(after)
        if p > after and p < end and value[p] != ",":
            start = p
            while p < end and value[p] in _TOKEN68_CHARS:
                p += 1
            word = value[start:p]
            q = skip_ws(p)
            # token68 may only end in "=" padding; "name=value" is a param, not token68
            if word and "=" not in word.rstrip("=") and (q >= end or value[q] == ","):
                items[-1][1]["token68"] = word
                pos = q
                continue
        pos = after
    return items


@dataclass(frozen=True)
class DigestChallenge:
    """One Digest challenge from a WWW-Authenticate or Proxy-Authenticate value (RFC 7616 §3.3)."""

    realm: str
    nonce: str
    algorithm: str = "MD5"
    qop: tuple[str, ...] = ()
    opaque: str | None = None
    stale: bool = False
    userhash: bool = False
    domain: str | None = None
    params: dict[str, str] = field(default_factory=dict, compare=False)
    proxy: bool = False  # came from Proxy-Authenticate (a 407-style challenge)

    @classmethod
    def parse(cls, value: str, *, proxy: bool = False) -> DigestChallenge:
        """Parse a header value holding exactly one challenge, which must be Digest."""
        items = _parse_auth_header(value)
        if len(items) != 1:
            raise SipParseError(f"expected one challenge, found {len(items)}")
        scheme, params = items[0]
        if scheme.lower() != "digest":
            raise SipParseError(f"not a Digest challenge: {scheme}")
        return cls._from_params(params, proxy=proxy)

    @classmethod
    def parse_all(cls, value: str, *, proxy: bool = False) -> list[DigestChallenge]:
        """All Digest challenges in one header value; other schemes (Basic...) are skipped."""
        return [
            cls._from_params(params, proxy=proxy)
            for scheme, params in _parse_auth_header(value)
            if scheme.lower() == "digest"
        ]

    @classmethod
    def _from_params(cls, params: dict[str, str], *, proxy: bool) -> DigestChallenge:
        realm = params.get("realm")
        nonce = params.get("nonce")
        if realm is None:
            raise SipParseError("Digest challenge without realm")
        if nonce is None:
            raise SipParseError("Digest challenge without nonce")
        qop = tuple(q.strip().lower() for q in params.get("qop", "").split(",") if q.strip())
        return cls(
            realm=realm,
            nonce=nonce,
            algorithm=_canonical_algorithm(params.get("algorithm", "MD5")),
            qop=qop,
            opaque=params.get("opaque"),
            stale=params.get("stale", "").strip().lower() == "true",
            userhash=params.get("userhash", "").strip().lower() == "true",
            domain=params.get("domain"),
            params=dict(params),
            proxy=proxy,
        )

    @property
    def supported(self) -> bool:
        """We can answer it: known algorithm, and qop absent or offering auth/auth-int."""
        if not is_supported_algorithm(self.algorithm):
            return False
        return not self.qop or "auth" in self.qop or "auth-int" in self.qop


def challenges_in(response: Response) -> list[DigestChallenge]:
    """Digest challenges of a 401/407 (both header kinds: RFC 3261 §22.3 lets a forking
    proxy aggregate WWW-Authenticate and Proxy-Authenticate into one response).
    Malformed header fields are skipped, not fatal."""
    out: list[DigestChallenge] = []
    for name, proxy in (("WWW-Authenticate", False), ("Proxy-Authenticate", True)):
        for value in response.headers.get_all(name):
            try:
                out.extend(DigestChallenge.parse_all(value, proxy=proxy))
            except SipParseError:
                continue
    return out


def pick_challenges(challenges: Iterable[DigestChallenge]) -> list[DigestChallenge]:
    """One supported challenge per (header kind, realm): the strongest algorithm wins,
    ties go to the first offered (RFC 8760 §2.4, RFC 7616 §3.7)."""
    best: dict[tuple[bool, str], DigestChallenge] = {}
    for ch in challenges:
        if not ch.supported:
            continue
        key = (ch.proxy, ch.realm)
        cur = best.get(key)
        if cur is None or _strength(ch) > _strength(cur):
            best[key] = ch
    return list(best.values())


def _strength(ch: DigestChallenge) -> int:
    return _STRENGTH.get(_base_algorithm(ch.algorithm), 0)


# --------------------------------------------------------------------------- computing


def compute_response(
    *,
    algorithm: str,
    username: str,
    realm: str,
    password: str,
    nonce: str,
    method: str,
    uri: str,
    qop: str | None = None,
    nc: int | None = None,
    cnonce: str | None = None,
    body: bytes = b"",
) -> str:
    """The `response=` value (RFC 7616 §3.4.1; RFC 2617 §3.2.2 for the no-qop form).

    A1 = user:realm:password, or for "-sess" H(user:realm:password):nonce:cnonce.
    A2 = method:uri, plus ":" H(body) for qop=auth-int.
    """
    algorithm = _canonical_algorithm(algorithm)
    ha1 = hash_hex(algorithm, f"{username}:{realm}:{password}")
    if algorithm.endswith("-sess"):
        if cnonce is None:
            raise ValueError("-sess algorithms need a cnonce")
        ha1 = hash_hex(algorithm, f"{ha1}:{nonce}:{cnonce}")
    a2 = f"{method}:{uri}"
    if qop == "auth-int":
        a2 += ":" + hash_hex(algorithm, body)
    ha2 = hash_hex(algorithm, a2)
    if qop is None:
        return hash_hex(algorithm, f"{ha1}:{nonce}:{ha2}")
    if nc is None or cnonce is None:
        raise ValueError("qop needs nc and cnonce")
    return hash_hex(algorithm, f"{ha1}:{nonce}:{nc:08x}:{cnonce}:{qop}:{ha2}")


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class DigestCredentials:
    """The fields of one Authorization / Proxy-Authorization value (RFC 7616 §3.4)."""

    username: str
    realm: str
    nonce: str
    uri: str
    response: str
    algorithm: str
    qop: str | None = None
    nc: int | None = None
    cnonce: str | None = None
    opaque: str | None = None
    userhash: bool = False

    def to_header_value(self) -> str:
        # qop, nc and algorithm are tokens and are sent unquoted (RFC 7616 §3.4).
        parts = [
            f"username={_quote(self.username)}",
            f"realm={_quote(self.realm)}",
            f"nonce={_quote(self.nonce)}",
            f"uri={_quote(self.uri)}",
            f"response={_quote(self.response)}",
            f"algorithm={self.algorithm}",
        ]
        if self.cnonce is not None:
            parts.append(f"cnonce={_quote(self.cnonce)}")
        if self.qop is not None and self.nc is not None:
            parts += [f"qop={self.qop}", f"nc={self.nc:08x}"]
        if self.opaque is not None:
            parts.append(f"opaque={_quote(self.opaque)}")
        if self.userhash:
            parts.append("userhash=true")
        return "Digest " + ", ".join(parts)


def _default_cnonce() -> str:
    return secrets.token_hex(8)


@dataclass
class _Cached:
    """What we know about one realm: the challenge in force and our nonce count on it."""

    challenge: DigestChallenge
    username: str
    password: str
    cnonce: str
    nc: int = 0
    # response= values we sent as direct answers to a challenge (as opposed to
    # pre-authorisations); a rejection of one of those means the credentials are wrong.
    answers: deque[str] = field(default_factory=lambda: deque(maxlen=16))


def _header_name(proxy: bool) -> str:
    return "Proxy-Authorization" if proxy else "Authorization"


class DigestClient:
    """Digest state for one account (RFC 3261 §22.2, §22.3).

    `cnonce_factory` makes client nonces; inject a deterministic one in tests.
    """

    def __init__(self, cnonce_factory: Callable[[], str] | None = None) -> None:
        self._cnonce = cnonce_factory or _default_cnonce
        self._cache: dict[tuple[bool, str], _Cached] = {}

    def authorize(
        self, request: Request, response: Response, *, username: str, password: str
    ) -> bool:
        """Answer the challenges of a 401/407 `response` to `request`, in place.

        Adds (or replaces) the Authorization / Proxy-Authorization headers of `request`;
        the caller then bumps CSeq, makes a new Via branch and resends. `username` is the
        authorization user, which may differ from the user in From.

        Returns False when a retry is pointless: no challenge we can answer (unknown
        algorithm or qop), or a realm rejected credentials we sent in answer to its own
        challenge without saying `stale=true` (a wrong user name or password). A
        `stale=true` challenge is answered with the new nonce without asking anybody.
        """
        picked = pick_challenges(challenges_in(response))
        if not picked:
            return False
        sent = self._sent_credentials(request)
        for ch in picked:
            key = (ch.proxy, ch.realm)
            previous = sent.get(key)
            if previous is not None:
                cached = self._cache.get(key)
                prev_nonce, prev_response = previous
                if ch.stale:
                    if prev_nonce == ch.nonce:
                        return False  # "stale" for the nonce it just gave us: a loop
                elif cached is not None and prev_response in cached.answers:
                    return False
                elif prev_nonce == ch.nonce:
                    return False
            self._adopt(ch, username, password)
        # Rebuild the credentials: the realms just challenged plus those the request
        # already carried (e.g. the proxy's when the registrar challenges next), each
        # with a fresh nonce count.
        realms = {(ch.proxy, ch.realm) for ch in picked} | set(sent)
        for proxy in (False, True):
            request.headers.remove(_header_name(proxy))
        answered = {(ch.proxy, ch.realm) for ch in picked}
        for key in sorted(realms, key=lambda k: (k[0], k[1])):
            creds = self._credentials_for(key, request)
            if creds is None:
                continue
            if key in answered:
                self._cache[key].answers.append(creds.response)
            request.headers.add(_header_name(key[0]), creds.to_header_value())
        return True

    def preauthorize(self, request: Request, *, realms: Iterable[str] | None = None) -> bool:
        """Add cached credentials (next nc) to a new request; True if any were added.

        With `realms`, only those realms are used. Headers already present are replaced.
        """
        wanted = None if realms is None else set(realms)
        keys = [k for k in self._cache if wanted is None or k[1] in wanted]
        if not keys:
            return False
        for proxy in (False, True):
            if any(k[0] == proxy for k in keys):
                request.headers.remove(_header_name(proxy))
        added = False
        for key in sorted(keys):
            creds = self._credentials_for(key, request)
            if creds is not None:
                request.headers.add(_header_name(key[0]), creds.to_header_value())
                added = True
        return added

    def forget(self, realm: str | None = None) -> None:
        """Drop cached credentials (all, or one realm), e.g. after the password changed."""
        if realm is None:
            self._cache.clear()
        else:
            for key in [k for k in self._cache if k[1] == realm]:
                del self._cache[key]

    @property
    def realms(self) -> list[str]:
        return sorted({realm for _, realm in self._cache})

    # -- internals

    def _adopt(self, ch: DigestChallenge, username: str, password: str) -> None:
        key = (ch.proxy, ch.realm)
        cached = self._cache.get(key)
        same_nonce = (
            cached is not None
            and cached.challenge.nonce == ch.nonce
            and cached.challenge.algorithm == ch.algorithm
            and cached.username == username
            and cached.password == password
        )
        if cached is not None and same_nonce:
            cached.challenge = ch
            return
        # A new nonce restarts the count and gets a fresh cnonce (RFC 7616 §3.4).
        self._cache[key] = _Cached(
            challenge=ch,
            username=username,
            password=password,
            cnonce=self._cnonce(),
            answers=cached.answers if cached is not None else deque(maxlen=16),
        )

    def _credentials_for(self, key: tuple[bool, str], request: Request) -> DigestCredentials | None:
        cached = self._cache.get(key)
        if cached is None:
            return None
        ch = cached.challenge
        uri = str(request.uri)
        if ch.qop:
            qop: str | None = "auth" if "auth" in ch.qop else "auth-int"
            cached.nc += 1
            nc: int | None = cached.nc
            cnonce: str | None = cached.cnonce
        else:
            qop, nc = None, None
            # RFC 2617 "-sess" without qop still needs a cnonce for A1.
            cnonce = cached.cnonce if ch.algorithm.endswith("-sess") else None
        response = compute_response(
            algorithm=ch.algorithm,
            username=cached.username,
            realm=ch.realm,
            password=cached.password,
            nonce=ch.nonce,
            method=request.method,
            uri=uri,
            qop=qop,
            nc=nc,
            cnonce=cnonce,
            body=request.body,
        )
        # RFC 7616 §3.4.4: with userhash the user name is sent hashed.
        username = (
            hash_hex(ch.algorithm, f"{cached.username}:{ch.realm}")
            if ch.userhash
            else cached.username
        )
        return DigestCredentials(
            username=username,
            realm=ch.realm,
            nonce=ch.nonce,
            uri=uri,
            response=response,
            algorithm=ch.algorithm,
            qop=qop,
            nc=nc,
            cnonce=cnonce,
            opaque=ch.opaque,
            userhash=ch.userhash,
        )

    @staticmethod
    def _sent_credentials(request: Request) -> dict[tuple[bool, str], tuple[str, str]]:
        """(proxy, realm) -> (nonce, response) of the Digest credentials the request carries."""
        out: dict[tuple[bool, str], tuple[str, str]] = {}
        for proxy in (False, True):
            for value in request.headers.get_all(_header_name(proxy)):
                try:
                    items = _parse_auth_header(value)
                except SipParseError:
                    continue
                for scheme, params in items:
                    realm = params.get("realm")
                    if scheme.lower() == "digest" and realm is not None:
                        out[(proxy, realm)] = (params.get("nonce", ""), params.get("response", ""))
        return out
