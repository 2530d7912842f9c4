"""A small third-party SIP user agent for the presence rig (issue #9).

``SipUser`` speaks just enough SIP over UDP or TCP to prove the presence server
(Kamailio with ``presence=True``) without Parley's engine: REGISTER, PUBLISH,
SUBSCRIBE (and the NOTIFYs that follow), MESSAGE and unsolicited requests; it
answers digest challenges (401 and 407) and answers every request it receives
with 200 OK. It is a test instrument, not a SIP stack: no retransmissions over
UDP (loopback does not lose packets), one transaction at a time per call.

Usage::

    kam = Kamailio(..., presence=True).start()
    alice = SipUser(kam, "1001", "pass1001")
    alice.publish(pidf(alice.aor, "open", note="at my desk"))
    bob = SipUser(kam, "1002", "pass1002")
    sub = bob.subscribe("1001", "presence")
    notify = bob.wait_notify(lambda n: "at my desk" in n.body, call_id=sub.call_id)
    alice.close(); bob.close()

Bodies: ``pidf()`` (RFC 3863 with an RPID activity), ``message_summary()``
(RFC 3842). ``publish_mwi()`` is the voicemail simulator: it PUBLISHes a
message-summary for a user (Kamailio's ``kamcmd pua.publish`` cannot, see
README.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from peers.common import LOOPBACK, free_port
from peers.sipp import SCENARIOS, Sipp

if TYPE_CHECKING:
    from peers.kamailio import Kamailio

Transport = Literal["udp", "tcp"]


class SipError(RuntimeError):
    pass


# --- messages -------------------------------------------------------------------


@dataclass
class SipMessage:
    """One parsed SIP message (request or response)."""

    start: str
    headers: list[tuple[str, str]]
    body: str = ""
    received_at: float = field(default_factory=time.monotonic)

    @property
    def is_response(self) -> bool:
        return self.start.startswith("SIP/2.0 ")

    @property
    def status(self) -> int:
        return int(self.start.split()[1]) if self.is_response else 0

    @property
    def method(self) -> str:
        if self.is_response:
            return self.header("CSeq").split()[-1]
        return self.start.split()[0]

    @property
    def call_id(self) -> str:
        return self.header("Call-ID")

    @property
    def cseq(self) -> int:
        return int(self.header("CSeq").split()[0])

    def header(self, name: str, default: str = "") -> str:
        """The first value of header ``name`` (compact forms understood)."""
        values = self.header_values(name)
        return values[0] if values else default

    def header_values(self, name: str) -> list[str]:
        wanted = {name.lower(), _COMPACT.get(name.lower(), name.lower())}
        return [v for n, v in self.headers if n.lower() in wanted]

    def tag(self, name: str) -> str:
        match = re.search(r";\s*tag=([^;>\s]+)", self.header(name))
        return match.group(1) if match else ""

    @property
    def subscription_state(self) -> str:
        """``active``, ``pending`` or ``terminated`` (Subscription-State of a NOTIFY)."""
        return self.header("Subscription-State").split(";")[0].strip().lower()

    def __str__(self) -> str:
        lines = [self.start, *(f"{n}: {v}" for n, v in self.headers)]
        return "\r\n".join(lines) + "\r\n\r\n" + self.body


_COMPACT = {
    "call-id": "i",
    "contact": "m",
    "content-length": "l",
    "content-type": "c",
    "from": "f",
    "to": "t",
    "via": "v",
    "event": "o",
    "subject": "s",
    "supported": "k",
}


def parse_message(data: bytes) -> SipMessage:
    text = data.decode("utf-8", errors="replace")
    head, _, body = text.partition("\r\n\r\n")
    lines = head.split("\r\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # folded line
            name, value = headers[-1]
            headers[-1] = (name, value + " " + line.strip())
            continue
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return SipMessage(lines[0], headers, body)


# --- bodies ---------------------------------------------------------------------


def pidf(
    entity: str,
    basic: Literal["open", "closed"] = "open",
    *,
    note: str | None = None,
    activity: str | None = None,
    tuple_id: str = "t1",
) -> str:
    """A PIDF document (RFC 3863) with an optional RPID activity (RFC 4480)."""
    person = ""
    if activity:
        person = (
            '  <dm:person id="p1">\n'
            f"    <rpid:activities><rpid:{activity}/></rpid:activities>\n"
            "  </dm:person>\n"
        )
    note_xml = f"    <note>{note}</note>\n" if note is not None else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<presence xmlns="urn:ietf:params:xml:ns:pidf"'
        ' xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"'
        ' xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"'
        f' entity="{entity}">\n'
        f'  <tuple id="{tuple_id}">\n'
        f"    <status><basic>{basic}</basic></status>\n"
        f"{note_xml}"
        "  </tuple>\n"
        f"{person}"
        "</presence>\n"
    )


def message_summary(
    new: int,
    old: int,
    *,
    urgent_new: int = 0,
    urgent_old: int = 0,
    account: str | None = None,
) -> str:
    """An application/simple-message-summary body (RFC 3842) for voice messages."""
    lines = [f"Messages-Waiting: {'yes' if new else 'no'}"]
    if account:
        lines.append(f"Message-Account: {account}")
    lines.append(f"Voice-Message: {new}/{old} ({urgent_new}/{urgent_old})")
    return "\r\n".join(lines) + "\r\n"


# --- the user agent ---------------------------------------------------------------


@dataclass
class ClientSubscription:
    """The dialog of a SUBSCRIBE sent by ``SipUser.subscribe``."""

    target: str
    event: str
    call_id: str
    from_tag: str
    to_tag: str
    cseq: int
    response: SipMessage
    route: list[str] = field(default_factory=list)
    remote_target: str = ""


class SipUser:
    """One SIP user (``user``/``password`` at ``server``) with its own socket.

    ``server`` is a running Kamailio (its UDP or TCP port is used) or an
    ``(host, port)`` pair. Requests go to the server; the user's domain is
    ``domain`` (127.0.0.1, the realm Kamailio challenges with).
    """

    def __init__(
        self,
        server: Kamailio | tuple[str, int],
        user: str,
        password: str | None = None,
        *,
        transport: Transport = "udp",
        domain: str = LOOPBACK,
        display: str | None = None,
        user_agent: str = "presence-rig",
        contact_port: int | None = None,
    ) -> None:
        if isinstance(server, tuple):
            self.server = server
        else:
            self.server = (server.host, server.udp_port if transport == "udp" else server.tcp_port)
        self.user = user
        self.password = password
        self.transport = transport
        self.domain = domain
        self.display = display
        self.user_agent = user_agent
        if transport == "udp":
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind((LOOPBACK, 0))
        else:
            self.sock = socket.create_connection(self.server, timeout=10)
            self.sock.settimeout(None)
        self.port: int = self.sock.getsockname()[1]
        # A Contact port other than the socket's (a stream client whose connection
        # comes from an ephemeral port) tests that the server uses the connection.
        self.contact_port = contact_port or self.port
        self.etags: dict[str, str] = {}
        self.received: list[SipMessage] = []  # requests received (NOTIFY, MESSAGE, ...)
        self.responses: list[SipMessage] = []
        self._cond = threading.Condition()
        self._closed = False
        self._cseq = 0
        self._reader = threading.Thread(target=self._read_loop, name=f"sip-{user}", daemon=True)
        self._reader.start()

    # --- addresses -------------------------------------------------------------

    @property
    def aor(self) -> str:
        return f"sip:{self.user}@{self.domain}"

    @property
    def contact(self) -> str:
        param = "" if self.transport == "udp" else f";transport={self.transport}"
        return f"sip:{self.user}@{LOOPBACK}:{self.contact_port}{param}"

    def uri_of(self, user: str) -> str:
        """Request-URI for ``user`` at the server (with its port)."""
        host, port = self.server
        param = "" if self.transport == "udp" else f";transport={self.transport}"
        return f"sip:{user}@{host}:{port}{param}"

    # --- wire ------------------------------------------------------------------

    def _send(self, data: bytes, to: tuple[str, int] | None = None) -> None:
        if self.transport == "udp":
            self.sock.sendto(data, to or self.server)
        else:
            self.sock.sendall(data)

    def _read_loop(self) -> None:
        buffer = b""
        source = self.server
        while not self._closed:
            try:
                if self.transport == "udp":
                    data, source = self.sock.recvfrom(65535)
                    messages = [data]
                else:
                    chunk = self.sock.recv(65535)
                    if not chunk:
                        return
                    buffer += chunk
                    messages, buffer = _split_stream(buffer)
            except OSError:
                return
            for raw in messages:
                if not raw.strip():
                    continue  # keep-alive
                try:
                    message = parse_message(raw)
                except (ValueError, IndexError):
                    continue
                if message.is_response:
                    with self._cond:
                        self.responses.append(message)
                        self._cond.notify_all()
                else:
                    self._answer(message, source)
                    with self._cond:
                        self.received.append(message)
                        self._cond.notify_all()

    def _answer(
        self, request: SipMessage, source: tuple[str, int], status: int = 200, reason: str = "OK"
    ) -> None:
        """Answer a request where it came from (UDP: its source address)."""
        if request.method == "ACK":
            return
        lines = [f"SIP/2.0 {status} {reason}"]
        for name in ("Via", "Record-Route"):
            lines += [f"{name}: {v}" for v in request.header_values(name)]
        to = request.header("To")
        if ";tag=" not in to:
            to += f";tag={uuid.uuid4().hex[:10]}"
        lines += [
            f"From: {request.header('From')}",
            f"To: {to}",
            f"Call-ID: {request.call_id}",
            f"CSeq: {request.header('CSeq')}",
            f"Contact: <{self.contact}>",
            "Content-Length: 0",
            "",
            "",
        ]
        with contextlib.suppress(OSError):
            self._send("\r\n".join(lines).encode(), source)

    def _build(
        self,
        method: str,
        uri: str,
        *,
        to: str,
        call_id: str,
        from_tag: str,
        cseq: int,
        to_tag: str = "",
        headers: list[str] | None = None,
        body: str = "",
        content_type: str | None = None,
        route: list[str] | None = None,
    ) -> bytes:
        display = f'"{self.display}" ' if self.display else ""
        via_transport = self.transport.upper()
        lines = [
            f"{method} {uri} SIP/2.0",
            f"Via: SIP/2.0/{via_transport} {LOOPBACK}:{self.port};"
            f"branch=z9hG4bK{uuid.uuid4().hex};rport",
            "Max-Forwards: 70",
            f"From: {display}<{self.aor}>;tag={from_tag}",
            f"To: <{to}>" + (f";tag={to_tag}" if to_tag else ""),
            f"Call-ID: {call_id}",
            f"CSeq: {cseq} {method}",
            f"User-Agent: {self.user_agent}",
        ]
        lines += [f"Route: {r}" for r in route or []]
        lines += headers or []
        if content_type and body:
            lines.append(f"Content-Type: {content_type}")
        encoded = body.encode()
        lines += [f"Content-Length: {len(encoded)}", "", ""]
        return "\r\n".join(lines).encode() + encoded

    def _wait_response(self, call_id: str, cseq: int, timeout: float) -> SipMessage:
        """The final response to (call_id, cseq); provisional ones are skipped."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for response in self.responses:
                    if (
                        response.call_id == call_id
                        and response.cseq == cseq
                        and response.status >= 200
                    ):
                        return response
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise SipError(f"{self.user}: no final response to CSeq {cseq} of {call_id}")
                self._cond.wait(remaining)

    def request(
        self,
        method: str,
        uri: str,
        *,
        to: str | None = None,
        call_id: str | None = None,
        from_tag: str | None = None,
        to_tag: str = "",
        headers: list[str] | None = None,
        body: str = "",
        content_type: str | None = None,
        route: list[str] | None = None,
        cseq: int | None = None,
        timeout: float = 10.0,
    ) -> SipMessage:
        """Send a request, answer a 401/407 once with digest, return the final response."""
        call_id = call_id or f"{uuid.uuid4().hex}@{LOOPBACK}"
        from_tag = from_tag or uuid.uuid4().hex[:12]
        if cseq is None:
            self._cseq += 1
            cseq = self._cseq
        to = to or uri
        extra = list(headers or [])
        for attempt in range(2):
            data = self._build(
                method,
                uri,
                to=to,
                call_id=call_id,
                from_tag=from_tag,
                cseq=cseq,
                to_tag=to_tag,
                headers=extra,
                body=body,
                content_type=content_type,
                route=route,
            )
            self._send(data)
            response = self._wait_response(call_id, cseq, timeout)
            if response.status not in (401, 407) or attempt == 1 or self.password is None:
                return response
            extra = [*(headers or []), self._authorization(response, method, uri)]
            cseq += 1
            self._cseq = max(self._cseq, cseq)
        raise AssertionError("unreachable")

    def _authorization(self, challenge: SipMessage, method: str, uri: str) -> str:
        header = "WWW-Authenticate" if challenge.status == 401 else "Proxy-Authenticate"
        value = challenge.header(header)
        params = dict(re.findall(r'(\w+)="?([^",]*)"?', value.partition(" ")[2]))
        realm, nonce = params["realm"], params["nonce"]
        ha1 = _md5(f"{self.user}:{realm}:{self.password}")
        ha2 = _md5(f"{method}:{uri}")
        cnonce = uuid.uuid4().hex[:8]
        answer_name = "Authorization" if challenge.status == 401 else "Proxy-Authorization"
        if "auth" in params.get("qop", "").split(","):
            response = _md5(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")
            qop = f', qop=auth, nc=00000001, cnonce="{cnonce}"'
        else:
            response = _md5(f"{ha1}:{nonce}:{ha2}")
            qop = ""
        return (
            f'{answer_name}: Digest username="{self.user}", realm="{realm}", '
            f'nonce="{nonce}", uri="{uri}", response="{response}", algorithm=MD5{qop}'
        )

    # --- requests --------------------------------------------------------------

    def register(self, expires: int = 300, timeout: float = 10.0) -> SipMessage:
        """REGISTER this user's contact (this socket) with the server."""
        host, port = self.server
        uri = f"sip:{host}:{port}" + ("" if self.transport == "udp" else ";transport=tcp")
        call_id = getattr(self, "_register_call_id", None) or f"reg-{uuid.uuid4().hex}"
        self._register_call_id = call_id
        return self.request(
            "REGISTER",
            uri,
            to=self.aor,
            call_id=call_id,
            headers=[f"Contact: <{self.contact}>", f"Expires: {expires}"],
            timeout=timeout,
        )

    def publish(
        self,
        body: str,
        *,
        event: str = "presence",
        content_type: str = "application/pidf+xml",
        expires: int = 600,
        target: str | None = None,
        etag: str | None = None,
        timeout: float = 10.0,
    ) -> SipMessage:
        """PUBLISH ``body`` for ``target`` (a user; this user by default).

        A refresh or modification sends the SIP-ETag of the last 2xx for the same
        target and event as SIP-If-Match (``etag`` overrides it); ``expires=0``
        with an empty body removes the publication.
        """
        target_user = target or self.user
        key = f"{target_user}/{event}"
        headers = [f"Event: {event}", f"Expires: {expires}"]
        match = etag if etag is not None else self.etags.get(key)
        if match:
            headers.append(f"SIP-If-Match: {match}")
        response = self.request(
            "PUBLISH",
            self.uri_of(target_user),
            to=f"sip:{target_user}@{self.domain}",
            headers=headers,
            body=body,
            content_type=content_type if body else None,
            timeout=timeout,
        )
        if 200 <= response.status < 300:
            if expires == 0:
                self.etags.pop(key, None)
            elif response.header("SIP-ETag"):
                self.etags[key] = response.header("SIP-ETag")
        return response

    def subscribe(
        self,
        target: str,
        event: str,
        *,
        accept: str | None = None,
        expires: int = 600,
        timeout: float = 10.0,
    ) -> ClientSubscription:
        """SUBSCRIBE to ``event`` of user ``target``; raise unless the answer is 2xx."""
        accept = accept or _ACCEPT.get(event, "")
        headers = [f"Event: {event}", f"Expires: {expires}", f"Contact: <{self.contact}>"]
        if accept:
            headers.append(f"Accept: {accept}")
        from_tag = uuid.uuid4().hex[:12]
        call_id = f"sub-{uuid.uuid4().hex}"
        response = self.request(
            "SUBSCRIBE",
            self.uri_of(target),
            to=f"sip:{target}@{self.domain}",
            call_id=call_id,
            from_tag=from_tag,
            headers=headers,
            timeout=timeout,
        )
        if not 200 <= response.status < 300:
            raise SipError(f"SUBSCRIBE {event} of {target} answered {response.start}")
        contact = re.search(r"<([^>]+)>", response.header("Contact"))
        return ClientSubscription(
            target=target,
            event=event,
            call_id=call_id,
            from_tag=from_tag,
            to_tag=response.tag("To"),
            cseq=response.cseq,
            response=response,
            route=list(reversed(response.header_values("Record-Route"))),
            remote_target=contact.group(1) if contact else self.uri_of(target),
        )

    def unsubscribe(self, sub: ClientSubscription, timeout: float = 10.0) -> SipMessage:
        """End ``sub`` with an in-dialog SUBSCRIBE carrying Expires: 0."""
        sub.cseq += 1
        return self.request(
            "SUBSCRIBE",
            sub.remote_target,
            to=f"sip:{sub.target}@{self.domain}",
            call_id=sub.call_id,
            from_tag=sub.from_tag,
            to_tag=sub.to_tag,
            cseq=sub.cseq,
            route=sub.route,
            headers=[
                f"Event: {sub.event}",
                "Expires: 0",
                f"Contact: <{self.contact}>",
            ],
            timeout=timeout,
        )

    def message(
        self,
        target: str,
        text: str,
        *,
        content_type: str = "text/plain;charset=UTF-8",
        timeout: float = 10.0,
    ) -> SipMessage:
        """Send a MESSAGE (RFC 3428) to user ``target`` through the server."""
        return self.request(
            "MESSAGE",
            self.uri_of(target),
            to=f"sip:{target}@{self.domain}",
            body=text,
            content_type=content_type,
            timeout=timeout,
        )

    # --- what came in ------------------------------------------------------------

    def wait_request(
        self,
        method: str,
        predicate: Callable[[SipMessage], bool] = lambda m: True,
        *,
        timeout: float = 10.0,
        since: int = 0,
    ) -> SipMessage:
        """The first received ``method`` request (from index ``since``) matching ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for request in self.received[since:]:
                    if request.method == method and predicate(request):
                        return request
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = "\n---\n".join(str(r) for r in self.received if r.method == method)
                    raise SipError(
                        f"{self.user}: no matching {method} within {timeout} s; seen:\n{seen}"
                    )
                self._cond.wait(remaining)

    def wait_notify(
        self,
        predicate: Callable[[SipMessage], bool] = lambda m: True,
        *,
        call_id: str | None = None,
        timeout: float = 10.0,
        since: int = 0,
    ) -> SipMessage:
        """The first NOTIFY (of subscription ``call_id`` if given) matching ``predicate``."""
        return self.wait_request(
            "NOTIFY",
            lambda m: (call_id is None or m.call_id == call_id) and predicate(m),
            timeout=timeout,
            since=since,
        )

    def notifies(self, call_id: str | None = None) -> list[SipMessage]:
        with self._cond:
            return [
                m
                for m in self.received
                if m.method == "NOTIFY" and (call_id is None or m.call_id == call_id)
            ]

    def mark(self) -> int:
        """Index to pass as ``since`` to wait only for later requests."""
        with self._cond:
            return len(self.received)

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self._reader.join(timeout=5)

    def __enter__(self) -> SipUser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_ACCEPT = {
    "presence": "application/pidf+xml",
    "dialog": "application/dialog-info+xml",
    "message-summary": "application/simple-message-summary",
}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _split_stream(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Cut complete messages (by Content-Length) off a stream buffer."""
    messages: list[bytes] = []
    while True:
        stripped = buffer.lstrip(b"\r\n")
        if len(stripped) != len(buffer):
            messages.append(b"")  # a CRLF keep-alive
            buffer = stripped
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return messages, buffer
        head = buffer[:end].decode(errors="replace")
        match = re.search(r"^(?:content-length|l)\s*:\s*(\d+)", head, flags=re.I | re.M)
        length = int(match.group(1)) if match else 0
        total = end + 4 + length
        if len(buffer) < total:
            return messages, buffer
        messages.append(buffer[:total])
        buffer = buffer[total:]


# --- the voicemail simulator ---------------------------------------------------------


def publish_mwi(
    kam: Kamailio,
    user: str,
    new: int,
    old: int,
    *,
    urgent_new: int = 0,
    urgent_old: int = 0,
    publisher: tuple[str, str] | None = None,
    expires: int = 3600,
) -> SipMessage:
    """Voicemail simulator: PUBLISH ``user``'s message-summary to the presence server.

    ``publisher`` is the (user, password) that authenticates the PUBLISH (the
    mailbox owner from ``kam.users`` by default: presence_mwi has no
    authorization rules of its own). Returns the final response (200 expected).
    """
    name, password = publisher or (user, kam.users[user])
    with SipUser(kam, name, password, user_agent="voicemail-simulator") as vm:
        body = message_summary(
            new,
            old,
            urgent_new=urgent_new,
            urgent_old=urgent_old,
            account=f"sip:{user}@{vm.domain}",
        )
        return vm.publish(
            body,
            event="message-summary",
            content_type="application/simple-message-summary",
            expires=expires,
            target=user,
        )


# --- SIPp peers: voicemail simulator, unsolicited MWI, a BLF call --------------------


def _mwi_keys(vm_user: str, new: int, old: int, urgent_new: int, urgent_old: int) -> dict[str, str]:
    return {
        "vm_user": vm_user,
        "waiting": "yes" if new else "no",
        "new": str(new),
        "old": str(old),
        "urgent_new": str(urgent_new),
        "urgent_old": str(urgent_old),
    }


def sipp_publish_mwi(
    kam: Kamailio,
    user: str,
    new: int,
    old: int,
    *,
    workdir: Path,
    urgent_new: int = 0,
    urgent_old: int = 0,
    publisher: tuple[str, str] | None = None,
) -> Sipp:
    """Voicemail simulator (SIPp, mwi_publish.xml): PUBLISH ``user``'s message-summary.

    Started and returned; ``.wait(timeout)`` gives 0 once the PUBLISH got its 200.
    """
    vm_user, password = publisher or (user, kam.users[user])
    sipp = Sipp(
        SCENARIOS / "mwi_publish.xml",
        local_port=free_port("udp"),
        remote=f"{kam.host}:{kam.udp_port}",
        media_port=free_port("udp"),
        keys=_mwi_keys(vm_user, new, old, urgent_new, urgent_old),
        extra_args=["-s", user, "-au", vm_user, "-ap", password],
        workdir=workdir,
    )
    return sipp.start()


def sipp_notify_mwi(
    target: tuple[str, int],
    user: str,
    new: int,
    old: int,
    *,
    workdir: Path,
    urgent_new: int = 0,
    urgent_old: int = 0,
    vm_user: str = "voicemail",
    credentials: tuple[str, str] | None = None,
    transport: Literal["udp", "tcp"] = "udp",
) -> Sipp:
    """Unsolicited NOTIFY message-summary (SIPp, mwi_notify_unsolicited.xml) for ``user``.

    ``target`` is where it goes: a phone's own address (host, port), or the
    proxy's; through Kamailio give ``credentials`` (user, password) of a
    subscriber, whose name is then also the From user. Started and returned;
    ``.wait(timeout)`` gives 0 once the NOTIFY got a 200.
    """
    extra = ["-s", user]
    if credentials is not None:
        vm_user = credentials[0]
        extra += ["-au", credentials[0], "-ap", credentials[1]]
    sipp = Sipp(
        SCENARIOS / "mwi_notify_unsolicited.xml",
        local_port=free_port("both" if transport == "tcp" else "udp"),
        remote=f"{target[0]}:{target[1]}",
        media_port=free_port("udp"),
        transport=transport,
        keys=_mwi_keys(vm_user, new, old, urgent_new, urgent_old),
        extra_args=extra,
        workdir=workdir,
    )
    return sipp.start()


def register_contact(kam: Kamailio, user: str, port: int, *, expires: int = 300) -> SipMessage:
    """Register ``sip:USER@127.0.0.1:PORT`` (e.g. a SIPp UAS) for ``user`` at ``kam``."""
    with SipUser(kam, user, kam.users[user], contact_port=port) as registrar_client:
        response = registrar_client.register(expires=expires)
    if response.status != 200:
        raise SipError(f"REGISTER of {user} at port {port} answered {response.start}")
    return response


def start_blf_callee(
    kam: Kamailio,
    user: str,
    *,
    ring_ms: int,
    workdir: Path,
    scenario: str = "blf_callee_rings.xml",
) -> Sipp:
    """A SIPp phone registered as ``user`` that rings ``ring_ms`` ms, answers, takes the BYE;
    or runs another callee ``scenario`` (``ring_ms``: its pauses, 0 SIPp's default)."""
    callee = Sipp(
        SCENARIOS / scenario,
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        extra_args=["-d", str(ring_ms)] if ring_ms else [],
        workdir=workdir,
    ).start()
    try:
        register_contact(kam, user, callee.local_port)
    except BaseException:
        callee.stop()
        raise
    return callee


def start_blf_caller(
    kam: Kamailio,
    caller: str,
    callee: str,
    *,
    talk_ms: int,
    workdir: Path,
    caller_name: str = "Rig Caller",
) -> Sipp:
    """A SIPp phone that calls ``callee`` as ``caller`` through ``kam``, talks, hangs up."""
    return Sipp(
        SCENARIOS / "blf_caller.xml",
        local_port=free_port("udp"),
        remote=f"{kam.host}:{kam.udp_port}",
        media_port=free_port("udp"),
        keys={"caller": caller, "caller_name": caller_name},
        extra_args=["-s", callee, "-au", caller, "-ap", kam.users[caller], "-d", str(talk_ms)],
        workdir=workdir,
    ).start()


def dialog_states(body: str) -> list[str]:
    """The <state> of every <dialog> in a dialog-info body (crude, for tests)."""
    return [s.lower() for s in re.findall(r"<(?:\w+:)?state[^>]*>\s*([A-Za-z]+)\s*<", body)]
