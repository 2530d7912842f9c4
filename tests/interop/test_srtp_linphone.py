"""SDES SRTP calls between Parley (the console process) and linphonec 5.1
(mediastreamer2 on libsrtp2), over TLS through Kamailio (issue #11, sections 1 and the
proof).

linphonec 5.1 offers and accepts four suites (``srtp_crypto_suites``, its default
list): AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32, AES_256_CM_HMAC_SHA1_80 and
AES_256_CM_HMAC_SHA1_32 (no AEAD GCM suites in 5.1). The AES-256 ones run on Parley's
own transform (`parley.media.srtp_aes256`), the AES-128 ones on pylibsrtp.

- each suite, both call directions (linphonec offering it, and answering Parley's
  offer of it): speech both ways scored with PESQ as for plain calls, the suite Parley
  reports, and a capture of both RTP ports (tshark on ``lo``) where every RTP packet
  has the codec's 160 bytes plus the suite's tag and the payload bytes are ciphertext
  (no G.711 speech: near 8 bits of entropy per byte);
- linphonec mandatory (``media_encryption_mandatory``: RTP/SAVP) against Parley with
  SRTP off, and Parley mandatory against linphonec plain: 488 with the reason.

The signalling is TLS everywhere (both phones register over TLS): the keys never cross
the wire in clear, so Parley needs no ``srtp_over_plain_signalling``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config
from test_calls_baresip import call_event, recordings
from test_srtp_baresip import Capture, entropy, rtp_pair

from audio_tools import codec_ceiling, pesq_score, read_wav, speech_wav
from peers.common import free_port
from peers.kamailio import Kamailio
from peers.linphone import CONNECTED, ENDED, MEDIA_UP, Linphone

pytestmark = pytest.mark.interop

PASSWORDS = {"1001": "pass1001", "1003": "pass1003"}
PESQ_MARGIN = 0.1  # as for plain calls: within 0.1 of the codec's offline ceiling
LINPHONE_SUITES = [
    "AES_CM_128_HMAC_SHA1_80",
    "AES_CM_128_HMAC_SHA1_32",
    "AES_256_CM_HMAC_SHA1_80",
    "AES_256_CM_HMAC_SHA1_32",
]
TAG_LENGTH = {suite: 4 if suite.endswith("_32") else 10 for suite in LINPHONE_SUITES}
PCMU_PAYLOAD = 160
REFUSED = r"Call \d+ with .* error\."  # what linphonec prints for a call refused with 488


@pytest.fixture(scope="module")
def tls_kamailio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    """Kamailio with its NAT helpers: calls to a TLS phone go back over the phone's own
    connection (neither phone runs a TLS server with a certificate of its own)."""
    port = free_port("both")
    kam = Kamailio(
        tmp_path_factory.mktemp("kamailio-tls"),
        PASSWORDS,
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
        nat_helpers=True,
    )
    kam.start()
    try:
        yield kam
    finally:
        kam.close()


class TlsRig:
    """Parley (1001) and linphonec (1003), both registered over TLS."""

    def __init__(self, kam: Kamailio, tmp: Path) -> None:
        self.kam = kam
        self.tmp = tmp
        self.tls = f"127.0.0.1:{kam.tls_port}"
        self.console: ParleyConsole | None = None
        self.phone: Linphone | None = None

    def parley(
        self, account: dict[str, Any], *, rtp_port: int | None = None, **flags: Any
    ) -> ParleyConsole:
        data = {
            "name": "office",
            "domain": self.tls,
            "username": "1001",
            "password": PASSWORDS["1001"],
            "transport": "tls",
            "ca_file": str(self.kam.ca_file),
            "codecs": ["pcmu"],
            **account,
        }
        top: dict[str, Any] = {}
        if rtp_port is not None:
            top["media"] = {"rtp_port_min": rtp_port, "rtp_port_max": rtp_port + 1}
        config = write_config(self.tmp / "parley.toml", [data], **top)
        extra: list[str] = []
        for key, value in flags.items():
            extra.append("--" + key.replace("_", "-"))
            if value is not True:
                extra.append(str(value))
        log_dir = self.tmp / "parley"
        log_dir.mkdir(exist_ok=True)
        self.console = ParleyConsole(config, log_dir=log_dir, extra=extra)
        self.console.wait_state("registered", timeout=30)
        return self.console

    def linphone(self, **kw: Any) -> Linphone:
        self.phone = Linphone(
            self.tmp / "linphone-1003",
            sip_port=free_port("both"),
            user="1003",
            password=PASSWORDS["1003"],
            registrar=self.tls,
            transport="tls",
            ca_file=self.kam.ca_file,
            codecs=["PCMU"],
            sip_trace=True,
            **kw,
        )
        self.phone.start(timeout=30)
        return self.phone

    def parley_uri(self) -> str:
        return f"sip:1001@{self.tls};transport=tls"

    def linphone_uri(self) -> str:
        return f"sips:1003@{self.tls}"

    def close(self) -> None:
        if self.console is not None:
            if self.console.proc.poll() is None:
                try:
                    self.console.quit(timeout=15)
                except Exception:
                    pass
            self.console.stop()
        if self.phone is not None:
            self.phone.stop()


@pytest.fixture
def rig(tls_kamailio: Kamailio, tmp_path: Path) -> Iterator[TlsRig]:
    r = TlsRig(tls_kamailio, tmp_path)
    try:
        yield r
    finally:
        r.close()


def stats_of(parley: ParleyConsole) -> dict[str, Any]:
    parley.send("stats")
    reply = parley.wait_for(
        lambda e: e.get("event") == "reply" and "media_encryption" in e.get("text", ""),
        timeout=20,
    )
    data: dict[str, Any] = json.loads(reply["text"])
    return data


def assert_only_srtp(
    packets: list[tuple[int, int, bytes]], parley_port: int, far_port: int, suite: str
) -> None:
    """Every PCMU packet between the two RTP ports, each way, is SRTP of `suite`: the
    codec's 160 bytes plus the suite's tag, and ciphertext, not G.711 (whose speech and
    silence use few distinct byte values)."""
    for src, dst in ((parley_port, far_port), (far_port, parley_port)):
        rtp = [p for s, d, p in packets if (s, d) == (src, dst) and len(p) >= 12]
        audio = [p for p in rtp if p[1] & 0x7F == 0]
        assert len(audio) > 100, f"{src}->{dst}: only {len(audio)} RTP packets captured"
        want = 12 + PCMU_PAYLOAD + TAG_LENGTH[suite]
        sizes = {len(p) for p in audio}
        assert sizes == {want}, f"{src}->{dst}: sizes {sizes}, want {want} ({suite})"
        payload = b"".join(p[12 : 12 + PCMU_PAYLOAD] for p in audio)
        h = entropy(payload)
        assert h > 7.9, f"{src}->{dst}: payload entropy {h:.2f} bits: not encrypted"


def speech_seconds() -> float:
    samples, rate = read_wav(speech_wav(8000))
    return samples.size / rate


def _call(rig: TlsRig, work: Path, suite: str, caller: str) -> tuple[float, float]:
    """One SRTP call where only `suite` is common; returns the PESQ scores (to linphonec,
    to Parley)."""
    speech = speech_wav(8000)
    work.mkdir(parents=True, exist_ok=True)
    record_dir = work / "parley-heard"
    heard = work / "heard-by-linphonec.wav"
    p_port, l_port = rtp_pair(), rtp_pair()
    # The offerer offers every suite it has; the answerer allows only `suite`.
    parley_suites = [suite] if caller == "linphonec" else [suite, "AEAD_AES_128_GCM"]
    lp_suites = [suite] if caller == "parley" else LINPHONE_SUITES
    if caller == "linphonec":
        # linphonec offers its suites in its own order; put `suite` first so that it is
        # the one Parley (allowing only it) finds first, whatever the order.
        lp_suites = [suite, *(s for s in LINPHONE_SUITES if s != suite)]
    parley = rig.parley(
        {"srtp": "mandatory", "srtp_suites": parley_suites},
        rtp_port=p_port,
        play=speech,
        record_dir=record_dir,
        **({"auto_answer": True} if caller == "linphonec" else {}),
    )
    lp = rig.linphone(
        play_wav=speech,
        record_wav=heard,
        auto_answer=caller == "parley",
        rtp_port=l_port,
        media_encryption="srtp",
        encryption_mandatory=True,
        srtp_suites=lp_suites,
    )
    capture = Capture(work / "rtp.pcap", [p_port, l_port])
    mark = lp.mark()
    if caller == "parley":
        parley.send(f"dial {rig.linphone_uri()}")
    else:
        lp.call(rig.parley_uri())
    connected = parley.wait_for(call_event("connected"), timeout=30)
    assert connected["media_encryption"] == "srtp", connected
    assert connected["signalling"] == "tls", connected
    lp.wait_output(CONNECTED, timeout=30, since=mark)
    lp.wait_output(MEDIA_UP, timeout=30, since=mark)
    time.sleep(2 * speech_seconds() + 1.0)
    stats = stats_of(parley)
    assert stats["srtp_suite"] == suite, stats
    assert stats["srtp_rejected_rtp"] <= 2, stats  # linphonec's packets all decrypt
    mark = lp.mark()
    parley.send("hangup")
    parley.wait_for(call_event("ended"), timeout=30)
    lp.wait_output(ENDED, timeout=30, since=mark)
    trace = lp.log_text()
    lp.stop()  # completes its recording
    assert parley.quit() == 0
    rig.console = None
    rig.phone = None
    packets = capture.stop()

    # linphonec's side of the SDP: the suite in its offer or answer, RTP/SAVP.
    assert f" {suite} inline:" in trace, f"{suite} not in linphonec's SDP"
    assert "RTP/SAVP" in trace
    assert_only_srtp(packets, p_port, l_port, suite)

    (received,) = recordings(record_dir)
    to_parley = pesq_score(speech, received, "nb")
    to_linphone = pesq_score(speech, heard, "nb")
    print(
        f"PESQ pcmu SRTP {suite} ({caller} calls): linphonec->parley {to_parley:.2f}, "
        f"parley->linphonec {to_linphone:.2f} (ceiling {codec_ceiling('pcmu'):.2f})"
    )
    return to_linphone, to_parley


@pytest.mark.parametrize("caller", ["parley", "linphonec"])
@pytest.mark.parametrize("suite", LINPHONE_SUITES)
def test_srtp_call_with_linphonec_over_tls(
    rig: TlsRig, tmp_path: Path, suite: str, caller: str
) -> None:
    ceiling = codec_ceiling("pcmu")
    for attempt in (1, 2):
        to_linphone, to_parley = _call(rig, tmp_path / f"call-{attempt}", suite, caller)
        if min(to_linphone, to_parley) >= ceiling - PESQ_MARGIN:
            break
        print(f"call {attempt} below the ceiling ({to_linphone:.2f}/{to_parley:.2f}); again")
    assert to_linphone >= ceiling - PESQ_MARGIN, (to_linphone, ceiling)
    assert to_parley >= ceiling - PESQ_MARGIN, (to_parley, ceiling)


# --- mandatory against plain ------------------------------------------------------------


def test_mandatory_linphonec_is_refused_by_parley_with_srtp_off(rig: TlsRig) -> None:
    """linphonec offers RTP/SAVP only; Parley has SRTP off: 488 with the reason."""
    parley = rig.parley({"srtp": "off"}, auto_answer=True)
    lp = rig.linphone(auto_answer=False, media_encryption="srtp", encryption_mandatory=True)
    mark = lp.mark()
    lp.call(rig.parley_uri())
    ended = parley.wait_for(call_event("ended"), timeout=30)
    assert ended["status"] == 488, ended
    assert ended["encryption_problem"] == "srtp not enabled", ended
    lp.wait_output(REFUSED, timeout=30, since=mark)
    trace = lp.log_text()
    assert "SIP/2.0 488 Not Acceptable Here" in trace
    assert 'Warning: 399 parley "srtp not enabled"' in trace
    assert not any(
        e.get("event") == "call" and e.get("state") == "connected" for e in parley.events
    )


def test_mandatory_parley_refuses_a_plain_linphonec_with_488(rig: TlsRig) -> None:
    """Parley mandatory, linphonec without SRTP calls it: 488 "srtp required"."""
    parley = rig.parley({"srtp": "mandatory"}, auto_answer=True)
    lp = rig.linphone(auto_answer=False, media_encryption="none")
    mark = lp.mark()
    lp.call(rig.parley_uri())
    ended = parley.wait_for(call_event("ended"), timeout=30)
    assert ended["status"] == 488, ended
    assert ended["encryption_problem"] == "srtp required", ended
    assert "Encryption required" in ended["text"], ended
    lp.wait_output(REFUSED, timeout=30, since=mark)
    trace = lp.log_text()
    assert "SIP/2.0 488 Not Acceptable Here" in trace
    assert 'Warning: 399 parley "srtp required"' in trace


def test_a_plain_linphonec_answers_parleys_savp_offer_with_srtp(rig: TlsRig) -> None:
    """Parley mandatory calls a linphonec whose own choice is no encryption: linphonec
    5.1 still takes an RTP/SAVP offer and answers with a key of its own (its
    ``media_encryption`` says what it offers, not what it accepts), so the call is SRTP;
    it never connects plainly. (The plain-against-mandatory refusal is shown above with
    linphonec calling.)"""
    parley = rig.parley({"srtp": "mandatory"})
    lp = rig.linphone(auto_answer=True, media_encryption="none")
    mark = lp.mark()
    parley.send(f"dial {rig.linphone_uri()}")
    connected = parley.wait_for(call_event("connected"), timeout=30)
    assert connected["media_encryption"] == "srtp", connected
    lp.wait_output(CONNECTED, timeout=30, since=mark)
    trace = lp.log_text()
    assert "RTP/SAVP" in trace and "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" in trace
    mark = lp.mark()
    parley.send("hangup")
    parley.wait_for(call_event("ended"), timeout=30)
    lp.wait_output(ENDED, timeout=30, since=mark)
