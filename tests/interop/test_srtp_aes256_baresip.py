"""AES_256_CM_HMAC_SHA1_80 (RFC 6188) and baresip 1.0: its ``srtp`` module knows only
AES_CM_128_HMAC_SHA1_80/_32 and AEAD_AES_128/256_GCM (libre has the AES-256 CM suites,
the module's suite list does not), so the AES-256 counter-mode suites are shown with
linphonec (tests/interop/test_srtp_linphone.py). What baresip does with them:

- offered only AES-256 CM lines (RTP/SAVP), baresip answers 200 all the same, with a
  key of its own suite (AES_CM_128_HMAC_SHA1_80) under our tag 1, which names an AES-256
  line: Parley refuses that answer (RFC 4568 §7.1.3: the answer's tag and suite must be
  an offered line's), ends the call with BYE and says why ("bad crypto answer"); it
  never connects with keys nobody agreed on;
- offered AES-256 CM first and AES_CM_128_HMAC_SHA1_80 second, baresip takes the
  AES-128 line and the call is SRTP with it (a peer without the suite costs nothing).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_calls_baresip import Rig, call_event
from test_srtp_baresip import parley_account

from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

AES256 = ["AES_256_CM_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_32"]


@pytest.fixture
def rig(kamailio: Kamailio, tmp_path: Path) -> Iterator[Rig]:
    r = Rig(kamailio, tmp_path)
    try:
        yield r
    finally:
        r.close()


def test_baresip_answering_aes_256_cm_with_another_suite_is_refused(rig: Rig) -> None:
    parley = rig.parley(codecs=["pcmu"], account=parley_account("mandatory", AES256))
    far = rig.baresip(codec="pcmu", auto_answer=True, mediaenc="srtp-mand", sip_trace=True)
    parley.send(f"dial {rig.uri('1002')}")
    ended = parley.wait_for(call_event("ended"), timeout=30)
    assert ended["encryption_problem"] == "bad crypto answer", ended
    far.wait_call_state("CALL_CLOSED", timeout=30)
    trace = far.log_text()
    assert "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" in trace  # our offer reached it
    assert "no valid a=crypto attribute from remote peer" in trace  # baresip's own words
    assert "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" in trace  # its answer
    assert "\nBYE sip:" in trace  # we ended it
    assert not any(
        e.get("event") == "call" and e.get("state") == "connected" for e in parley.events
    )


def test_baresip_takes_the_aes_128_line_after_aes_256(rig: Rig) -> None:
    parley = rig.parley(
        codecs=["pcmu"],
        account=parley_account("mandatory", [*AES256, "AES_CM_128_HMAC_SHA1_80"]),
    )
    far = rig.baresip(codec="pcmu", auto_answer=True, mediaenc="srtp-mand", sip_trace=True)
    parley.send(f"dial {rig.uri('1002')}")
    connected = parley.wait_for(call_event("connected"), timeout=30)
    assert connected["media_encryption"] == "srtp", connected
    far.wait_call_state("CALL_ESTABLISHED", timeout=30)
    parley.send("stats")
    reply = parley.wait_for(
        lambda e: e.get("event") == "reply" and "srtp_suite" in e.get("text", ""), timeout=20
    )
    assert '"srtp_suite": "AES_CM_128_HMAC_SHA1_80"' in reply["text"], reply
    parley.send("hangup")
    parley.wait_for(call_event("ended"), timeout=30)
