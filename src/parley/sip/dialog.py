"""SIP dialogs (RFC 3261 §12), sans-IO.

A `Dialog` is the peer-to-peer relationship an INVITE (or later a SUBSCRIBE or REFER)
creates: its identifier (Call-ID and the two tags), the two CSeq spaces, the remote
target learnt from Contact and the route set learnt from Record-Route. It builds the
requests sent inside it (§12.2.1.1) and checks the requests received in it (§12.2.2).

`DialogRegistry` maps dialog identifiers to whatever owns the dialog (a call, a
subscription) and answers 481 for requests that belong to no dialog (§12.2.2).
"""

from __future__ import annotations

import enum
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from parley.sip.headers import NameAddr, SipParseError
from parley.sip.ids import new_branch
from parley.sip.message import Headers, Request, Response
from parley.sip.responses import REASON_PHRASES, make_response
from parley.sip.uri import SipURI

__all__ = [
    "REASON_PHRASES",
    "TARGET_REFRESH_METHODS",
    "Dialog",
    "DialogId",
    "DialogRegistry",
    "DialogState",
    "LocalEndpoint",
    "make_response",
]

# RFC 3261 §12.2 and RFC 3311 §5: requests whose Contact replaces the remote target.
TARGET_REFRESH_METHODS = frozenset({"INVITE", "UPDATE", "SUBSCRIBE", "NOTIFY", "REFER"})


class DialogState(enum.Enum):
    EARLY = "early"
    CONFIRMED = "confirmed"
    TERMINATED = "terminated"


@dataclass(frozen=True)
class DialogId:
    """Call-ID plus local and remote tag, seen from our side (§12)."""

    call_id: str
    local_tag: str
    remote_tag: str

    @classmethod
    def of_request(cls, request: Request) -> DialogId:
        """The id of the dialog an incoming request claims (we are its UAS: To is ours)."""
        return cls(request.call_id, request.to.tag or "", request.from_.tag or "")

    @classmethod
    def of_response(cls, response: Response) -> DialogId:
        """The id of the dialog a response to our request builds (From tag is ours)."""
        return cls(response.call_id, response.from_.tag or "", response.to.tag or "")


@dataclass(frozen=True)
class LocalEndpoint:
    """What our requests say about us: Via sent-by, transport, Contact (§8.1.1.7, §8.1.1.8).

    `contact` is the whole Contact value, e.g. ``<sip:1001@192.0.2.1:5060>``; with
    `rport`, Via asks for RFC 3581 symmetric response routing.
    """

    host: str
    port: int
    transport: str = "UDP"
    contact: str = ""
    rport: bool = True
    user_agent: str = "Parley"

    def via(self, branch: str) -> str:
        return f"SIP/2.0/{self.transport.upper()} {self.host}:{self.port};branch={branch}" + (
            ";rport" if self.rport else ""
        )


def _bare(addr: NameAddr) -> NameAddr:
    """A From/To value without its tag (the tag lives in the dialog id)."""
    params = {k: v for k, v in addr.params.items() if k.lower() != "tag"}
    return NameAddr(addr.display_name, addr.uri.copy(), params)


def _request_uri(uri: SipURI) -> SipURI:
    """A URI made fit for a Request-URI: no headers, no `method` param (§19.1.1 table 1)."""
    clean = uri.without_params("method")
    clean.headers = {}
    return clean


@dataclass
class Dialog:
    """One dialog's state (RFC 3261 §12.1) and its request factory (§12.2.1.1).

    Build it with `Dialog.as_uac` from our request and a 1xx/2xx with a To tag, or
    with `Dialog.as_uas` from a received request and our response (with our tag).
    """

    call_id: str
    local_tag: str
    remote_tag: str
    local_uri: NameAddr
    remote_uri: NameAddr
    remote_target: SipURI
    local: LocalEndpoint
    route_set: list[NameAddr] = field(default_factory=list)
    local_seq: int = 0
    remote_seq: int | None = None
    secure: bool = False
    is_uac: bool = True
    state: DialogState = DialogState.EARLY

    @property
    def id(self) -> DialogId:
        return DialogId(self.call_id, self.local_tag, self.remote_tag)

    @property
    def early(self) -> bool:
        return self.state is DialogState.EARLY

    @property
    def confirmed(self) -> bool:
        return self.state is DialogState.CONFIRMED

    @property
    def terminated(self) -> bool:
        return self.state is DialogState.TERMINATED

    # ------------------------------------------------------------------ creation

    @classmethod
    def as_uac(cls, request: Request, response: Response, local: LocalEndpoint) -> Dialog:
        """The UAC's dialog from a response with a To tag (§12.1.2).

        Route set: Record-Route of the response, reversed; remote target: its Contact
        (the request's URI when a sloppy 1xx has none); local CSeq: the request's.
        Raises SipParseError for a response that cannot make a dialog.
        """
        remote_tag = response.to.tag
        if not remote_tag:
            raise SipParseError("response without To tag cannot create a dialog")
        contacts = response.contacts
        if contacts:
            target = contacts[0].uri
        elif isinstance(request.uri, SipURI):
            target = request.uri
        else:
            raise SipParseError("response without Contact cannot create a dialog")
        uri = request.uri
        dialog = cls(
            call_id=request.call_id,
            local_tag=request.from_.tag or "",
            remote_tag=remote_tag,
            local_uri=_bare(request.from_),
            remote_uri=_bare(request.to),
            remote_target=target,
            local=local,
            route_set=list(reversed(response.record_routes)),
            local_seq=request.cseq.seq,
            remote_seq=None,
            secure=isinstance(uri, SipURI) and uri.scheme == "sips",
            is_uac=True,
            state=DialogState.CONFIRMED if 200 <= response.status < 300 else DialogState.EARLY,
        )
        return dialog

    @classmethod
    def as_uas(
        cls, request: Request, response: Response, local: LocalEndpoint, *, local_seq: int = 0
    ) -> Dialog:
        """The UAS's dialog from a received request and our response with tag (§12.1.1).

        Route set: Record-Route of the request in order; remote target: its Contact;
        remote CSeq: the request's; the local CSeq starts at `local_seq`.
        """
        local_tag = response.to.tag
        if not local_tag:
            raise SipParseError("our response has no To tag")
        contacts = request.contacts
        if not contacts:
            raise SipParseError("request without Contact cannot create a dialog")
        uri = request.uri
        return cls(
            call_id=request.call_id,
            local_tag=local_tag,
            remote_tag=request.from_.tag or "",
            local_uri=_bare(request.to),
            remote_uri=_bare(request.from_),
            remote_target=contacts[0].uri,
            local=local,
            route_set=list(request.record_routes),
            local_seq=local_seq,
            remote_seq=request.cseq.seq,
            secure=isinstance(uri, SipURI) and uri.scheme == "sips",
            is_uac=False,
            state=DialogState.CONFIRMED if 200 <= response.status < 300 else DialogState.EARLY,
        )

    # ------------------------------------------------------------------ state changes

    def confirm(self, response: Response | None = None) -> None:
        """Early -> confirmed. For the UAC, the 2xx recomputes the route set (§13.2.2.4)."""
        if self.terminated:
            return
        if response is not None and self.is_uac and self.early:
            try:
                self.route_set = list(reversed(response.record_routes))
            except SipParseError:
                pass
        self.state = DialogState.CONFIRMED
        if response is not None:
            self.update_target(response)

    def terminate(self) -> None:
        self.state = DialogState.TERMINATED

    def update_target(self, message: Request | Response) -> None:
        """Target refresh (§12.2.1.2, §12.2.2): a Contact replaces the remote target."""
        try:
            contacts = message.contacts
        except SipParseError:
            return
        if contacts:
            self.remote_target = contacts[0].uri

    # ------------------------------------------------------------------ matching

    def matches_request(self, request: Request) -> bool:
        try:
            return DialogId.of_request(request) == self.id
        except SipParseError:
            return False

    def matches_response(self, response: Response) -> bool:
        try:
            return DialogId.of_response(response) == self.id
        except SipParseError:
            return False

    def check_request(self, request: Request) -> int | None:
        """§12.2.2: None if `request` may be processed, else the status to answer.

        A CSeq lower than the last one seen is out of order (500); a higher one
        becomes the new remote CSeq. ACK and CANCEL reuse the INVITE's number and
        are not checked.
        """
        if request.method in ("ACK", "CANCEL"):
            return None
        seq = request.cseq.seq
        if self.remote_seq is not None and seq < self.remote_seq:
            return 500
        self.remote_seq = seq
        return None

    # ------------------------------------------------------------------ building

    @property
    def next_hop(self) -> SipURI:
        """The URI to resolve (RFC 3263) for the next in-dialog request: the first route
        (loose or strict, §12.2.1.1 / §8.1.2), else the remote target."""
        return self.route_set[0].uri if self.route_set else self.remote_target

    def create_request(
        self,
        method: str,
        *,
        seq: int | None = None,
        body: bytes = b"",
        content_type: str | None = None,
        headers: Iterable[tuple[str, str]] = (),
        rng: random.Random | None = None,
    ) -> Request:
        """A request inside this dialog (§12.2.1.1).

        CSeq: the next local number (ACK and CANCEL pass the INVITE's in `seq`).
        Request-URI and Route: remote target and route set for a loose first route;
        for a strict router its URI becomes the Request-URI and the remote target goes
        last in Route. Via gets a new branch, Contact is added for target refresh methods.
        """
        method = method.upper()
        if seq is None:
            if method in ("ACK", "CANCEL"):
                raise ValueError(f"{method} must reuse the INVITE's CSeq number")
            self.local_seq += 1
            seq = self.local_seq
        routes = [str(r) for r in self.route_set]
        ruri: SipURI = self.remote_target
        if self.route_set and not self.route_set[0].uri.has_param("lr"):
            # §12.2.1.1 strict routing: the next hop becomes the Request-URI.
            ruri = _request_uri(self.route_set[0].uri)
            routes = [*routes[1:], f"<{self.remote_target}>"]
        out = Headers()
        out.add("Via", self.local.via(new_branch(rng)))
        out.add("Max-Forwards", "70")
        for route in routes:
            out.add("Route", route)
        out.add("From", str(self.local_uri.with_tag(self.local_tag)))
        to = self.remote_uri.with_tag(self.remote_tag) if self.remote_tag else self.remote_uri
        out.add("To", str(to))
        out.add("Call-ID", self.call_id)
        out.add("CSeq", f"{seq} {method}")
        if method in TARGET_REFRESH_METHODS and self.local.contact:
            out.add("Contact", self.local.contact)
        if method not in ("ACK", "CANCEL") and self.local.user_agent:
            out.add("User-Agent", self.local.user_agent)
        for name, value in headers:
            out.add(name, value)
        if body and content_type:
            out.add("Content-Type", content_type)
        return Request(method=method, uri=ruri, headers=out, body=body)


T = TypeVar("T")


class DialogRegistry(Generic[T]):
    """Dialog ids -> owners (the usages of RFC 5057: an INVITE session, subscriptions),
    and the 481 for requests that belong to no dialog (§12.2.2).

    A dialog may have several owners; `get`/`find` give the first, `owners` all of them
    in the order they were added.
    """

    def __init__(self) -> None:
        self._owners: dict[DialogId, list[T]] = {}

    def __len__(self) -> int:
        return len(self._owners)

    def __contains__(self, dialog_id: object) -> bool:
        return dialog_id in self._owners

    def add(self, dialog_id: DialogId, owner: T) -> None:
        owners = self._owners.setdefault(dialog_id, [])
        if not any(o is owner for o in owners):
            owners.append(owner)

    def remove(self, dialog_id: DialogId) -> None:
        self._owners.pop(dialog_id, None)

    def remove_owner(self, owner: T) -> None:
        for key in list(self._owners):
            rest = [o for o in self._owners[key] if o is not owner]
            if rest:
                self._owners[key] = rest
            else:
                del self._owners[key]

    def owners(self, dialog_id: DialogId) -> list[T]:
        return list(self._owners.get(dialog_id, ()))

    def get(self, dialog_id: DialogId) -> T | None:
        owners = self._owners.get(dialog_id)
        return owners[0] if owners else None

    def find(self, request: Request) -> T | None:
        """The owner of the dialog `request` claims to be in, if we know it."""
        try:
            return self.get(DialogId.of_request(request))
        except SipParseError:
            return None

    def find_response(self, response: Response) -> T | None:
        """The owner of the dialog a response (e.g. a stray 2xx) belongs to."""
        try:
            return self.get(DialogId.of_response(response))
        except SipParseError:
            return None

    @staticmethod
    def unknown_dialog_response(request: Request) -> Response | None:
        """The 481 for an in-dialog request (To tag present) matching no dialog; None
        for ACK (never answered) and for requests that start a dialog (no To tag)."""
        if request.method == "ACK":
            return None
        try:
            if request.to.tag is None:
                return None
        except SipParseError:
            return None
        return make_response(request, 481)
