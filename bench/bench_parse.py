"""Parse + serialise throughput of a typical INVITE and REGISTER.

Run: .venv/bin/python bench/bench_parse.py   (prints JSON: messages per second)
"""

from __future__ import annotations

import json
import time

from parley.sip.parser import parse_message

INVITE = (
    b"INVITE sip:bob@192.0.2.20:5060 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
    b"Max-Forwards: 70\r\n"
    b'To: "Bob" <sip:bob@example.com>\r\n'
    b'From: "Alice" <sip:alice@example.com>;tag=1928301774\r\n'
    b"Call-ID: a84b4c76e66710@pc33.example.com\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b'Contact: <sip:alice@192.0.2.10:5060;transport=udp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"\r\n'
    b"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, MESSAGE, INFO, UPDATE\r\n"
    b"Supported: replaces, timer, 100rel\r\n"
    b"User-Agent: Parley/0.1\r\n"
    b"Content-Type: application/sdp\r\n"
    b"Content-Length: 232\r\n"
    b"\r\n"
    b"v=0\r\n"
    b"o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
    b"s=-\r\n"
    b"c=IN IP4 192.0.2.10\r\n"
    b"t=0 0\r\n"
    b"m=audio 49170 RTP/AVP 9 0 8 101\r\n"
    b"a=rtpmap:9 G722/8000\r\n"
    b"a=rtpmap:0 PCMU/8000\r\n"
    b"a=rtpmap:8 PCMA/8000\r\n"
    b"a=rtpmap:101 telephone-event/8000\r\n"
    b"a=sendrecv\r\n"
)
# Fix the Content-Length to the real body size.
_head, _body = INVITE.split(b"\r\n\r\n", 1)
INVITE = (
    _head.replace(b"Content-Length: 232", f"Content-Length: {len(_body)}".encode())
    + b"\r\n\r\n"
    + _body
)

REGISTER = (
    b"REGISTER sip:example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds7;rport\r\n"
    b"Max-Forwards: 70\r\n"
    b"To: <sip:alice@example.com>\r\n"
    b"From: <sip:alice@example.com>;tag=456248\r\n"
    b"Call-ID: 843817637684230@998sdasdh09\r\n"
    b"CSeq: 1826 REGISTER\r\n"
    b"Contact: <sip:alice@192.0.2.10:5060>;expires=3600\r\n"
    b'Authorization: Digest username="alice", realm="example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
    b'uri="sip:example.com", response="6629fae49393a05397450978507c4ef1", algorithm=MD5\r\n'
    b"Expires: 3600\r\n"
    b"User-Agent: Parley/0.1\r\n"
    b"Content-Length: 0\r\n"
    b"\r\n"
)


def measure(data: bytes, seconds: float = 1.0) -> float:
    """Messages per second for parse_message(data).to_bytes()."""
    parse_message(data).to_bytes()  # warm up
    count = 0
    batch = 200
    start = time.perf_counter()
    while True:
        for _ in range(batch):
            parse_message(data).to_bytes()
        count += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def main() -> None:
    invite = measure(INVITE)
    register = measure(REGISTER)
    result = {
        "invite_msgs_per_s": round(invite),
        "register_msgs_per_s": round(register),
        "invite_us_per_msg": round(1e6 / invite, 1),
        "register_us_per_msg": round(1e6 / register, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
