"""Sending a request and answering the digest challenges it meets (RFC 3261 §22.2).

`DigestRetry` is the one place where a challenged request becomes its retry: a new CSeq
(§8.1.3.5: same Call-ID, CSeq + 1) and Via branch, credentials from the account's
`DigestClient` (nonce counts, stale nonces, realms of proxy and registrar at once). The
user-agent core's non-INVITE client (`UserAgentCore.send_request(..., credentials=...)`)
uses it for BYE, INFO, SUBSCRIBE, PUBLISH, MESSAGE, REFER, NOTIFY; the registration uses
it for REGISTER.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from parley.sip.auth import DigestClient
from parley.sip.headers import SipParseError
from parley.sip.message import Request, Response

__all__ = ["MAX_AUTH_ROUNDS", "ClientCallbacks", "Credentials", "DigestRetry"]

MAX_AUTH_ROUNDS = 3  # challenges answered for one request before we give up


@dataclass(frozen=True)
class Credentials:
    """How to answer 401/407 for one account: its digest state and secrets."""

    digest: DigestClient
    username: str
    password: str


def _nothing(_request: Request) -> None:
    return None


@dataclass(frozen=True)
class ClientCallbacks:
    """What the sender of a request hears: the responses (a challenge answered by the
    client never arrives here), a timeout (Timer B/F), a transport failure; and, through
    `on_retry`, each request sent again with credentials (its CSeq is now in use)."""

    on_response: Callable[[Response], None]
    on_timeout: Callable[[], None]
    on_transport_error: Callable[[str], None]
    on_retry: Callable[[Request], None] = field(default=_nothing)
    # The CSeq number of a retry; default: one more than the challenged request's. A
    # dialog usage gives the next number of its dialog (§12.2.1.1).
    retry_seq: Callable[[Request], int] | None = None


class DigestRetry:
    """Answers the challenges of one request and its retries (RFC 3261 §22.2)."""

    def __init__(
        self,
        credentials: Credentials,
        branch: Callable[[], str],
        *,
        max_rounds: int = MAX_AUTH_ROUNDS,
    ) -> None:
        self.credentials = credentials
        self._branch = branch
        self._max_rounds = max_rounds
        self.rounds = 0

    def retry(
        self, request: Request, response: Response, *, seq: int | None = None
    ) -> Request | None:
        """The request to send after the 401/407 `response`, or None when a retry is
        pointless (no challenge we can answer, wrong credentials, too many rounds).

        The retry has CSeq `seq` (default: one more than the challenged request's) and a
        new top Via branch; the rest of the request is unchanged.
        """
        if response.status not in (401, 407):
            return None
        self.rounds += 1
        if self.rounds > self._max_rounds:
            return None
        try:
            renewed = self.renew(request, seq=seq)
        except SipParseError:
            return None
        creds = self.credentials
        ok = creds.digest.authorize(
            renewed, response, username=creds.username, password=creds.password
        )
        return renewed if ok else None

    def renew(self, request: Request, *, seq: int | None = None) -> Request:
        """`request` again with a new CSeq and top Via branch (§8.1.3.5)."""
        new = Request(
            method=request.method,
            uri=request.uri,
            headers=request.headers.copy(),
            body=request.body,
        )
        number = request.cseq.seq + 1 if seq is None else seq
        new.headers.set("CSeq", f"{number} {request.method}")
        vias = request.headers.get_all("Via")
        if vias:
            head, _, rest = vias[0].partition(";branch=")
            tail = rest.partition(";")[2]
            top = f"{head};branch={self._branch()}" + (f";{tail}" if tail else "")
            if len(vias) == 1:
                new.headers.set("Via", top)
            else:
                new.headers.remove_first("Via")
                new.headers.add("Via", top, first=True)
        return new
