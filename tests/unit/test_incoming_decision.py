"""The incoming-call decision table (`parley.phone.incoming.decide`) and the no-ghost-call
rule (`trusted_source`)."""

from __future__ import annotations

import pytest

from parley.net.address import Address, Source
from parley.phone.incoming import CallsUp, Decision, decide, trusted_source

IDLE = CallsUp()
ON_A_CALL = CallsUp(live=1, active=1)
ONE_WAITING = CallsUp(live=2, active=1, waiting=1)
DIALING = CallsUp(live=1)


@pytest.mark.parametrize(
    ("calls", "call_waiting", "auto_answer", "expected"),
    [
        (IDLE, True, False, Decision.RING),
        (IDLE, False, False, Decision.RING),
        (IDLE, True, True, Decision.ANSWER),
        (ON_A_CALL, True, False, Decision.WAIT),
        (ON_A_CALL, True, True, Decision.ANSWER),
        (ON_A_CALL, False, False, Decision.BUSY),
        (ON_A_CALL, False, True, Decision.BUSY),
        (ONE_WAITING, True, False, Decision.BUSY),  # one waiting call at a time
        (ONE_WAITING, True, True, Decision.BUSY),
        (DIALING, False, False, Decision.BUSY),
        (DIALING, True, False, Decision.RING),
    ],
)
def test_decision_table(
    calls: CallsUp, call_waiting: bool, auto_answer: bool, expected: Decision
) -> None:
    got = decide(
        has_account=True,
        trusted=True,
        calls=calls,
        call_waiting=call_waiting,
        auto_answer=auto_answer,
    )
    assert got is expected


def test_refusals_come_first() -> None:
    kw = {"calls": IDLE, "call_waiting": True, "auto_answer": True}
    assert decide(has_account=False, trusted=True, **kw) is Decision.NOT_FOUND  # type: ignore[arg-type]
    assert decide(has_account=True, trusted=False, **kw) is Decision.FORBIDDEN  # type: ignore[arg-type]
    assert Decision.BUSY.refusal == (486, "Busy Here")
    assert Decision.FORBIDDEN.refusal == (403, "Forbidden")
    assert Decision.RING.refusal is None


SERVER = Address("udp", "10.0.0.1", 5060)


def src(transport: str, host: str, port: int) -> Source:
    return Source(transport, host, port, "127.0.0.1", 5070, None)


def test_only_the_server_may_call_unless_direct_calls_are_allowed() -> None:
    assert trusted_source(src("udp", "10.0.0.1", 5060), [SERVER], allow_direct=False)
    assert not trusted_source(src("udp", "10.0.0.1", 5099), [SERVER], allow_direct=False)
    assert not trusted_source(src("udp", "10.0.0.2", 5060), [SERVER], allow_direct=False)
    # A connection the server opened to us comes from any port of its host.
    assert trusted_source(src("tcp", "10.0.0.1", 40000), [SERVER], allow_direct=False)
    assert not trusted_source(src("udp", "10.0.0.2", 5060), [], allow_direct=False)
    assert trusted_source(src("udp", "10.0.0.2", 5060), [], allow_direct=True)
