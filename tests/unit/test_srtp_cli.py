"""The console's call lines carry the media encryption and the signalling transport, and
word why SRTP that was wanted did not happen (issue #11)."""

from __future__ import annotations

import json

from parley.cli.texts import event_data
from parley.phone.events import CallDirection, CallPhase, CallStateChanged, EndCause
from parley.sip.sdes import SrtpProblem


def event(**kw: object) -> CallStateChanged:
    base: dict[str, object] = {
        "call": 1,
        "account": "office",
        "direction": CallDirection("outgoing"),
        "state": CallPhase("connected"),
        "remote": "sip:1002@pbx",
    }
    base.update(kw)
    return CallStateChanged(**base)  # type: ignore[arg-type]


def test_json_line_has_media_encryption_and_signalling() -> None:
    data = json.loads(
        json.dumps(event_data(event(media_encryption="srtp", signalling="tls")), default=str)
    )
    assert data["media_encryption"] == "srtp"
    assert data["signalling"] == "tls"
    assert data["encryption_problem"] is None
    assert data["text"] == "Connected."


def test_plain_call_that_wanted_srtp_says_why() -> None:
    data = event_data(event(encryption_problem=SrtpProblem.NEEDS_TLS))
    assert data["media_encryption"] == "none"
    assert "only sent over TLS" in data["text"]


def test_refused_call_words_the_srtp_reason() -> None:
    data = event_data(
        event(
            state=CallPhase("ended"),
            status=488,
            cause=EndCause.MEDIA_FAILED,
            encryption_problem=SrtpProblem.REQUIRED,
        )
    )
    assert data["text"] == "Encryption required: the other side sent no SRTP keys."
    assert str(data["encryption_problem"]) == "srtp required"
