"""RTCP feedback (RTP/AVPF, RFC 4585) between Parley (the console process) and linphonec,
through Kamailio (issue #11, section 5: "RTCP Feedback").

linphonec's account has ``avpf=1`` (it then offers RTP/AVPF with ``a=rtcp-fb`` lines) or
``avpf=0``; Parley's account ``rtcp_feedback`` on or off. A capture of the SIP port of
Kamailio (tshark on ``lo``) shows the profile of both SDPs on the wire, and the RTCP
of both phones is captured too: every packet must parse (`parse_compound`), feedback
messages included. Speech goes both ways and is scored with PESQ as for plain calls
(``test_calls_linphone``).
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from parley_console import ParleyConsole, write_config
from test_calls_linphone import PASSWORDS, PESQ_MARGIN, call_event, speech_seconds

from audio_tools import codec_ceiling, pesq_score, speech_wav
from parley.media.rtcp import Feedback, parse_compound
from peers.common import free_port, wait_until
from peers.kamailio import Kamailio
from peers.linphone import CONNECTED, ENDED, MEDIA_UP, Linphone

pytestmark = pytest.mark.interop


class AvpfLinphone(Linphone):
    """linphonec whose account has RTCP feedback on (``avpf=1``) or off (``avpf=0``)."""

    def __init__(self, *args: object, avpf: bool, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.avpf = avpf

    def rc_text(self) -> str:
        text = super().rc_text()
        flag = f"avpf={int(self.avpf)}\navpf_rr_interval=3\n"
        return text.replace("[proxy_0]\n", "[proxy_0]\n" + flag, 1)


class Capture:
    """tshark on ``lo`` for some UDP ports, read back as (src port, dst port, payload)."""

    def __init__(self, path: Path, ports: list[int]) -> None:
        tshark = shutil.which("tshark")
        if tshark is None:
            pytest.skip("tshark is not installed")
        self.path = path
        flt = " or ".join(f"udp port {p}" for p in ports)
        self.proc = subprocess.Popen(
            [tshark, "-i", "lo", "-f", flt, "-w", str(path), "-a", "duration:180", "-q"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert wait_until(lambda: path.exists() and path.stat().st_size > 0, timeout=20), (
            "no capture"
        )
        time.sleep(0.5)

    def stop(self) -> list[tuple[int, int, bytes]]:
        time.sleep(0.5)
        self.proc.terminate()
        self.proc.wait(10)
        out = subprocess.run(
            ["tshark", "-r", str(self.path), "-T", "fields", "-e", "udp.srcport",
             "-e", "udp.dstport", "-e", "udp.payload"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        packets = []
        for line in out.splitlines():
            fields = line.split("\t")
            if len(fields) == 3 and fields[2]:
                packets.append((int(fields[0]), int(fields[1]), bytes.fromhex(fields[2])))
        return packets


def sdp_messages(
    packets: list[tuple[int, int, bytes]], sip_port: int
) -> list[tuple[str, str, list[str]]]:
    """(first line, m=audio line, a=rtcp-fb lines) of every SIP message with SDP that
    went through the proxy (to or from `sip_port`), in capture order."""
    out: list[tuple[str, str, list[str]]] = []
    for src, dst, payload in packets:
        if sip_port not in (src, dst):
            continue
        text = payload.decode("utf-8", "replace")
        m = re.search(r"^m=audio .*$", text, re.MULTILINE)
        if m:
            fb = [line.strip() for line in re.findall(r"^a=rtcp-fb:.*$", text, re.MULTILINE)]
            out.append((text.split("\r\n", 1)[0], m.group(0).strip(), fb))
    return out


def offer_and_answer(
    packets: list[tuple[int, int, bytes]], sip_port: int
) -> tuple[list[tuple[str, list[str]]], list[tuple[str, list[str]]]]:
    """The INVITEs' and the 200s' (m=audio line, rtcp-fb lines) as the proxy relayed them."""
    messages = sdp_messages(packets, sip_port)
    invites = [(m, fb) for first, m, fb in messages if first.startswith("INVITE")]
    answers = [(m, fb) for first, m, fb in messages if first.startswith("SIP/2.0 200")]
    assert invites and answers, messages
    return invites, answers


_GIVEN: set[int] = set()


def rtp_pair() -> int:
    """An even port whose next one is free too (RTP and RTCP of one phone)."""
    for _ in range(200):
        port = free_port("udp")
        if port % 2 or port in _GIVEN:
            continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        _GIVEN.add(port)
        return port
    raise RuntimeError("no free RTP port pair")


class Rig:
    """Kamailio + Parley (1001) + linphonec (1003), with a capture."""

    def __init__(self, kam: Kamailio, tmp_path: Path) -> None:
        self.kam = kam
        self.tmp = tmp_path
        self.registrar = f"{kam.host}:{kam.udp_port}"
        self.console: ParleyConsole | None = None
        self.phone: AvpfLinphone | None = None
        self.capture: Capture | None = None
        self.parley_rtp = rtp_pair()
        self.linphone_rtp = rtp_pair()

    def start_capture(self) -> None:
        ports = [self.kam.udp_port, self.parley_rtp, self.parley_rtp + 1]
        ports += [self.linphone_rtp, self.linphone_rtp + 1]
        self.capture = Capture(self.tmp / "avpf.pcap", ports)

    def parley(self, *, rtcp_feedback: bool, **extra_args: object) -> ParleyConsole:
        account = {
            "name": "office",
            "domain": self.registrar,
            "username": "1001",
            "password": PASSWORDS["1001"],
            "transport": "udp",
            "codecs": ["pcmu"],
            "rtcp_feedback": rtcp_feedback,
            "rtp_port": self.parley_rtp,
        }
        config = write_config(self.tmp / "parley.toml", [account])
        args: list[str] = []
        for key, value in extra_args.items():
            args.append("--" + key.replace("_", "-"))
            if value is not True:
                args.append(str(value))
        self.console = ParleyConsole(config, log_dir=self.tmp, extra=args)
        self.console.wait_state("registered", timeout=30)
        return self.console

    def linphone(self, *, avpf: bool, **kw: object) -> AvpfLinphone:
        self.phone = AvpfLinphone(
            self.tmp / "linphone-1003",
            sip_port=free_port("both"),
            user="1003",
            password=PASSWORDS["1003"],
            registrar=self.registrar,
            codecs=["PCMU"],
            rtp_port=self.linphone_rtp,
            avpf=avpf,
            **kw,
        )
        self.phone.start(timeout=30)
        return self.phone

    def uri(self, user: str) -> str:
        return f"sip:{user}@{self.registrar}"

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
        if self.capture is not None and self.capture.proc.poll() is None:
            self.capture.proc.terminate()
            self.capture.proc.wait(10)


@pytest.fixture
def rig(kamailio: Kamailio, tmp_path: Path) -> Iterator[Rig]:
    r = Rig(kamailio, tmp_path)
    try:
        yield r
    finally:
        r.close()


def rtcp_packets(
    packets: list[tuple[int, int, bytes]], src_ports: set[int], dst_ports: set[int]
) -> list[bytes]:
    return [p for s, d, p in packets if s in src_ports and d in dst_ports and len(p) >= 8]


def run_call(rig: Rig, tmp_path: Path, *, caller: str, parley_fb: bool, linphone_fb: bool):
    """One call with speech both ways; returns (captured packets, PESQ to Parley, PESQ to
    linphonec)."""
    speech = speech_wav(8000)
    record_dir = tmp_path / "parley-heard"
    heard_by_linphone = tmp_path / "heard-by-linphonec.wav"
    parley = rig.parley(
        rtcp_feedback=parley_fb,
        play=speech,
        record_dir=record_dir,
        **({"auto_answer": True} if caller != "parley" else {}),
    )
    lp = rig.linphone(
        avpf=linphone_fb,
        play_wav=speech,
        record_wav=heard_by_linphone,
        auto_answer=caller == "parley",
    )
    rig.start_capture()
    if caller == "parley":
        parley.send(f"dial {rig.uri('1003')}")
    else:
        lp.call(rig.uri("1001"))
    connected = parley.wait_for(call_event("connected"), timeout=30)
    assert (connected["codec"] or "").upper().startswith("PCMU"), connected
    lp.wait_output(CONNECTED, timeout=30)
    lp.wait_output(MEDIA_UP, timeout=30)
    # Long enough for regular RTCP of both (linphonec's avpf_rr_interval is 3 s, ours 5 s).
    time.sleep(max(2 * speech_seconds() + 1.0, 12.0))
    mark = lp.mark()
    parley.send("hangup")
    parley.wait_for(call_event("ended"), timeout=30)
    lp.wait_output(ENDED, timeout=30, since=mark)
    lp.stop()  # completes its recording
    assert parley.quit() == 0
    assert rig.capture is not None
    packets = rig.capture.stop()

    files = sorted(record_dir.glob("*.wav"))
    assert len(files) == 1, files
    to_parley = pesq_score(speech, files[0], "nb")
    to_linphone = pesq_score(speech, heard_by_linphone, "nb")
    return packets, to_parley, to_linphone


def check_rtcp(rig: Rig, packets: list[tuple[int, int, bytes]]) -> tuple[int, int, list[str]]:
    """Every RTCP datagram each way parses; returns (from linphonec, from Parley, the
    feedback messages linphonec sent as text)."""
    parley_ports = {rig.parley_rtp, rig.parley_rtp + 1}
    lp_ports = {rig.linphone_rtp, rig.linphone_rtp + 1}
    from_lp = [p for p in rtcp_packets(packets, lp_ports, parley_ports) if 192 <= p[1] <= 223]
    from_parley = [p for p in rtcp_packets(packets, parley_ports, lp_ports) if 192 <= p[1] <= 223]
    feedback: list[str] = []
    for datagram in from_lp + from_parley:
        for packet in parse_compound(datagram):  # raises on anything malformed
            if isinstance(packet, Feedback) and datagram in from_lp:
                feedback.append(f"PT {packet.ptype} FMT {packet.fmt}")
    return len(from_lp), len(from_parley), feedback


@pytest.mark.parametrize("caller", ["parley", "linphonec"])
def test_avpf_on_both_ends(rig: Rig, tmp_path: Path, caller: str) -> None:
    packets, to_parley, to_linphone = run_call(
        rig, tmp_path, caller=caller, parley_fb=True, linphone_fb=True
    )
    invites, answers = offer_and_answer(packets, rig.kam.udp_port)
    print(f"SDP ({caller} calls): offers {invites}; answers {answers}")
    assert all(" RTP/AVPF " in m for m, _ in invites + answers), (invites, answers)
    if caller == "parley":
        # Our offer: trr-int only; linphonec keeps it unchanged (RFC 4585 §4.2).
        assert all(fb == ["a=rtcp-fb:* trr-int 5000"] for _, fb in invites), invites
        assert all(fb == ["a=rtcp-fb:* trr-int 5000"] for _, fb in answers), answers
    else:
        # linphonec offers trr-int and TMMBR; our answer keeps trr-int unchanged and
        # drops TMMBR (no bit-rate control for audio here), so it never sends one.
        assert all("a=rtcp-fb:* ccm tmmbr" in fb for _, fb in invites), invites
        assert all(fb == ["a=rtcp-fb:* trr-int 3000"] for _, fb in answers), answers
    from_lp, from_parley, feedback = check_rtcp(rig, packets)
    print(f"RTCP datagrams: linphonec->parley {from_lp}, parley->linphonec {from_parley}; "
          f"feedback from linphonec: {feedback}")  # fmt: skip
    assert from_lp > 0 and from_parley > 0
    ceiling = codec_ceiling("pcmu")
    print(f"PESQ avpf ({caller} calls): linphonec->parley {to_parley:.2f}, "
          f"parley->linphonec {to_linphone:.2f} (ceiling {ceiling:.2f})")  # fmt: skip
    assert to_parley >= ceiling - PESQ_MARGIN, (to_parley, ceiling)
    assert to_linphone >= ceiling - PESQ_MARGIN, (to_linphone, ceiling)


@pytest.mark.parametrize(
    ("caller", "parley_fb", "linphone_fb"),
    [
        ("linphonec", False, True),  # AVPF offer to a Parley with the setting off
        ("parley", False, True),  # plain offer to an AVPF linphonec
        ("parley", True, False),  # AVPF offer to a linphonec with avpf=0
        ("linphonec", True, False),  # plain offer (with rtcp-fb lines) to a Parley with it on
    ],
)
def test_avpf_on_one_end_only(
    rig: Rig, tmp_path: Path, caller: str, parley_fb: bool, linphone_fb: bool
) -> None:
    packets, to_parley, to_linphone = run_call(
        rig, tmp_path, caller=caller, parley_fb=parley_fb, linphone_fb=linphone_fb
    )
    invites, answers = offer_and_answer(packets, rig.kam.udp_port)
    print(f"SDP ({caller} calls, parley fb {parley_fb}, linphonec fb {linphone_fb}): "
          f"offers {invites}; answers {answers}")  # fmt: skip
    offerer_fb = parley_fb if caller == "parley" else linphone_fb
    # The offer's profile follows the offerer's setting; the answer keeps it (RFC 3264 §6).
    want = " RTP/AVPF " if offerer_fb else " RTP/AVP "
    assert all(want in m for m, _ in invites + answers), (invites, answers)
    if caller == "linphonec":
        # Our answer: no feedback at all (setting off, or a plain RTP/AVP offer, which
        # linphonec decorates with rtcp-fb lines all the same).
        assert all(fb == [] for _, fb in answers), answers
    from_lp, from_parley, _ = check_rtcp(rig, packets)
    assert from_lp > 0 and from_parley > 0
    ceiling = codec_ceiling("pcmu")
    print(f"PESQ: linphonec->parley {to_parley:.2f}, parley->linphonec {to_linphone:.2f}")
    assert to_parley >= ceiling - PESQ_MARGIN, (to_parley, ceiling)
    assert to_linphone >= ceiling - PESQ_MARGIN, (to_linphone, ceiling)
