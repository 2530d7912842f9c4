"""parley.net.driver with real UDP sockets on 127.0.0.1: two cores talk through two
drivers; the core's one timer is armed on the loop by the driver alone.

Waiting uses futures with a generous safety timeout; no test measures time.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from parley.net.address import Address
from parley.net.driver import SipDriver
from parley.sip.core import UserAgentCore
from parley.sip.ids import IdSource
from parley.sip.invite_usage import register_invite_usage
from parley.sip.message import Headers, Request, Response
from parley.sip.request_client import ClientCallbacks
from parley.sip.timers import TimerConfig
from parley.sip.uri import SipURI

WAIT = 10.0  # safety net only


def options(core: UserAgentCore, port: int, method: str = "OPTIONS") -> Request:
    return Request(
        method=method,
        uri=SipURI.parse("sip:bob@127.0.0.1"),
        headers=Headers(
            [
                ("Via", f"SIP/2.0/UDP 127.0.0.1:{port};branch={core.ids.branch()};rport"),
                ("Max-Forwards", "70"),
                ("To", "<sip:bob@127.0.0.1>"),
                ("From", f"<sip:alice@127.0.0.1>;tag={core.ids.tag()}"),
                ("Call-ID", core.ids.call_id("127.0.0.1")),
                ("CSeq", f"1 {method}"),
            ]
        ),
    )


async def driver(timers: TimerConfig | None = None) -> tuple[SipDriver, int]:
    core = UserAgentCore(timers, user_agent="Parley/test", ids=IdSource(random.Random(3)))
    register_invite_usage(core)
    d = SipDriver(core)
    await d.start()
    _host, port = await d.transport.listen_udp("127.0.0.1", 0)
    return d, port


@pytest.mark.asyncio
async def test_requests_and_answers_go_through_the_drivers() -> None:
    alice, a_port = await driver()
    bob, b_port = await driver()
    try:
        loop = asyncio.get_running_loop()
        got: asyncio.Future[Response] = loop.create_future()
        callbacks = ClientCallbacks(
            on_response=lambda r: got.done() or got.set_result(r),
            on_timeout=lambda: got.done() or got.set_exception(AssertionError("timeout")),
            on_transport_error=lambda t: got.done() or got.set_exception(AssertionError(t)),
        )
        alice.send_request(
            options(alice.core, a_port), Address("udp", "127.0.0.1", b_port), callbacks
        )
        answer = await asyncio.wait_for(got, WAIT)
        assert answer.status == 200
        # Bob's Allow is what Bob's core has registered, nothing more.
        assert (
            answer.headers.get("Allow") == "INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO"
        )
        assert answer.headers.get("Server") == "Parley/test"

        refused: asyncio.Future[Response] = loop.create_future()
        alice.send_request(
            options(alice.core, a_port, "REFER"),
            Address("udp", "127.0.0.1", b_port),
            ClientCallbacks(lambda r: refused.set_result(r), lambda: None, lambda t: None),
        )
        assert (await asyncio.wait_for(refused, WAIT)).status == 405  # not advertised, not taken
    finally:
        await alice.close()
        await bob.close()


@pytest.mark.asyncio
async def test_the_cores_timer_fires_from_the_driver() -> None:
    # Nobody listens on Bob's port: Timer F (64*T1) must end the request by itself.
    alice, a_port = await driver(TimerConfig(t1=0.01, t2=0.04, t4=0.05))
    bob, b_port = await driver()
    await bob.close()
    try:
        timed_out = asyncio.get_running_loop().create_future()
        alice.send_request(
            options(alice.core, a_port),
            Address("udp", "127.0.0.1", b_port),
            ClientCallbacks(
                lambda r: None,
                lambda: timed_out.done() or timed_out.set_result("timeout"),
                lambda t: None,  # an ICMP error may come first: retransmissions go on
            ),
        )
        assert alice.core.next_timer() is not None
        assert await asyncio.wait_for(timed_out, WAIT) == "timeout"
        assert alice.core.next_timer() is None  # nothing left: the driver's timer is idle
    finally:
        await alice.close()
