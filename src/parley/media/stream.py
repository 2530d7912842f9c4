"""One call's RTP session (RFC 3550): sender, receiver, jitter buffer, statistics.

The session sits on a media transport (`parley.media.transport`): by default the UDP
socket pair opened by `open()`, which also does symmetric RTP; SRTP or ZRTP wrap that
transport (`wrap_transport`) without the session knowing. The session tells the
transport which packets belong to the call (a negotiated payload type, and the SSRC
the far end has been using), so a stray packet never moves where we send.

`RtpStream` is also a bridge port: each bridge tick calls `get_frame()` (the far end's
audio of this period, out of the jitter buffer and the decoder, concealed when lost) and
`put_frame()` (our audio of this period, encoded and sent). Everything runs on the
engine's loop thread, so no locks; the socket callbacks only parse and queue.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from parley.media.codecs import CodecError, CodecInfo, Decoder, Encoder, make_decoder, make_encoder
from parley.media.codecs.base import Frame
from parley.media.dtmf import DtmfDigit, DtmfReceiver, DtmfSender
from parley.media.jitter import JitterBuffer, PlayoutKind
from parley.media.ports import Port
from parley.media.quality import estimate_mos
from parley.media.rtcp import (
    Bye,
    Feedback,
    ReceiverReport,
    ReceiverStats,
    RtcpPacket,
    RtcpParseError,
    SenderReport,
    SenderStats,
    build_report,
    ntp_from_unix,
    parse_compound,
    rtt_from_block,
    serialize_compound,
)
from parley.media.rtp import RtpPacket, RtpParseError, seq_add, ts_add
from parley.media.transport import (
    Address,
    MediaTransport,
    RtpPortError,
    TransportAdapter,
    UdpMediaTransport,
)

log = logging.getLogger(__name__)

RTCP_INTERVAL = 5.0  # seconds, randomised ±50 % (RFC 3550 §6.2 minimum for small sessions)
COMFORT_NOISE_PT = 13
FEC_MIN_DELAY_FRAMES = 2  # jitter buffer floor, in frames, once Opus FEC is needed
JITTER_MIN_DELAY = 0.02  # seconds: one 20 ms frame
# A pause: this many decoded frames in a row below QUIET_RMS (about -50 dBFS), longer
# than the closure of a stop consonant inside a word.
QUIET_FRAMES = 4
QUIET_RMS = 100.0


__all__ = ["RtpPortError", "RtpStream", "StreamStats"]


@dataclass
class StreamStats:
    """What the call statistics window and `calls` command show."""

    codec: str = ""
    packets_sent: int = 0
    packets_received: int = 0
    packets_lost: int = 0
    loss_percent: float = 0.0
    jitter_ms: float = 0.0
    rtt_ms: float | None = None
    remote_loss_percent: float | None = None
    remote_jitter_ms: float | None = None
    jitter_buffer_ms: float = 0.0
    late: int = 0
    discarded: int = 0
    concealed: int = 0
    fec_recovered: int = 0
    malformed: int = 0
    feedback_received: int = 0  # RTCP feedback messages (RFC 4585), counted and ignored
    nacks_received: int = 0  # packets generic NACKs reported lost (no retransmission)
    remote: str = ""
    mos: float | None = None  # E-model estimate (parley.media.quality), not PESQ

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass
class _Negotiated:
    codec: CodecInfo
    payload_type: int  # what we send with
    dtmf_pt: int | None
    ptime_ms: int
    fmtp: dict[str, str] = field(default_factory=dict)
    # What the far end may send us (RFC 3264 §5.1: the numbers of OUR SDP).
    receive_pts: frozenset[int] = frozenset()
    receive_dtmf_pts: frozenset[int] = frozenset()

    def audio_pts(self) -> frozenset[int]:
        return self.receive_pts | {self.payload_type}

    def dtmf_pts(self) -> frozenset[int]:
        return self.receive_dtmf_pts | ({self.dtmf_pt} if self.dtmf_pt is not None else set())


class RtpStream(Port):
    """RTP/RTCP for one call; a bridge port at the codec's sample rate."""

    def __init__(
        self,
        codec: CodecInfo,
        payload_type: int,
        *,
        dtmf_pt: int | None = None,
        ptime_ms: int = 20,
        fmtp: dict[str, str] | None = None,
        symmetric: bool = True,
        on_dtmf: Callable[[DtmfDigit], None] | None = None,
        name: str = "call",
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(name, codec.sample_rate, ptime_ms)
        self._rng = rng or random.SystemRandom()
        self._clock = clock
        self.symmetric = symmetric
        self.on_dtmf = on_dtmf
        self.ssrc = self._rng.getrandbits(32)
        self.cname = f"parley-{self.ssrc:08x}"
        self._seq = self._rng.getrandbits(16)
        self._ts = self._rng.getrandbits(32)
        self._transport: MediaTransport | None = None
        self._remote: Address | None = None  # where the SDP says to send
        self._remote_rtcp: Address | None = None
        self._peer_ssrc: int | None = None  # the SSRC the far end has been sending with
        self.sending = True  # direction allows sending (not on hold / recvonly)
        self.receiving = True
        self.muted = False
        self._first_packet = True
        self._rtcp_task: asyncio.Task[None] | None = None
        # RTP/AVPF trr-int (RFC 4585 §3.4): the least time between regular reports.
        self.report_interval_min = 0.0
        self.stats = StreamStats()
        self._neg = _Negotiated(codec, payload_type, dtmf_pt, ptime_ms, dict(fmtp or {}))
        self._audio_pts = self._neg.audio_pts()
        self._dtmf_pts = self._neg.dtmf_pts()
        self._setup_codec()

    # -- codec and direction (changed by re-INVITEs)

    def _setup_codec(self) -> None:
        neg = self._neg
        self.sample_rate = neg.codec.sample_rate
        self.ptime_ms = neg.ptime_ms
        self._ticks = neg.codec.rtp_ticks(neg.ptime_ms)
        params: dict[str, object] = dict(neg.fmtp)
        if neg.codec.name.lower() == "opus":
            # No FEC bits while nothing is lost (they cost ~0.2-0.3 PESQ on a clean
            # path); the far end's RTCP reports raise the hint (`_adapt_fec`).
            params["packet_loss_perc"] = 0
        self._encoder: Encoder = make_encoder(neg.codec, **params)
        self._fec_hint = 0
        self._decoder: Decoder = make_decoder(neg.codec)
        # Start at the smallest delay and let underruns grow it: on a LAN (most calls)
        # it never changes, whereas shrinking from a higher guess cuts frames out of the
        # first words (~0.1 PESQ on a clean call). Later changes prefer the far end's
        # pauses (see _far_end_quiet).
        self._jitter = JitterBuffer(
            neg.codec.clock_rate,
            self._ticks,
            min_delay=JITTER_MIN_DELAY,
            initial_delay=JITTER_MIN_DELAY,
            frame_is_silent=self._far_end_quiet,
        )
        self._quiet_frames = 0
        self._recv_stats: ReceiverStats | None = None
        self._send_stats = SenderStats(neg.codec.clock_rate, self.ssrc)
        self._dtmf_out = DtmfSender(neg.codec.clock_rate, neg.ptime_ms)
        self._dtmf_in = DtmfReceiver(neg.codec.clock_rate)
        self._pcm = np.zeros(0, dtype=np.int16)  # decoded samples not yet played
        self.stats.codec = f"{neg.codec.name}/{neg.codec.sample_rate}"

    def set_codec(
        self,
        codec: CodecInfo,
        payload_type: int,
        *,
        dtmf_pt: int | None = None,
        ptime_ms: int = 20,
        fmtp: dict[str, str] | None = None,
        receive_pts: frozenset[int] = frozenset(),
        receive_dtmf_pts: frozenset[int] = frozenset(),
    ) -> None:
        """A new negotiation (re-INVITE/UPDATE); keeps SSRC and sequence (RFC 3550 §5.1)."""
        new = _Negotiated(
            codec, payload_type, dtmf_pt, ptime_ms, dict(fmtp or {}), receive_pts, receive_dtmf_pts
        )
        self._audio_pts = new.audio_pts()
        self._dtmf_pts = new.dtmf_pts()
        if (new.codec, new.payload_type, new.dtmf_pt, new.ptime_ms) == (
            self._neg.codec,
            self._neg.payload_type,
            self._neg.dtmf_pt,
            self._neg.ptime_ms,
        ):
            return
        self._neg = new
        self._setup_codec()

    @property
    def codec(self) -> CodecInfo:
        return self._neg.codec

    def set_remote(self, host: str, port: int, rtcp_port: int | None = None) -> None:
        """Where the SDP says to send. A held call's 0.0.0.0 means: send nothing."""
        if host in ("0.0.0.0", "::") or port == 0:
            self._remote = None
        else:
            self._remote = (host, port)
            self._remote_rtcp = (host, rtcp_port or port + 1)
        if self._transport is not None:
            self._transport.set_remote(self._remote, self._remote_rtcp)

    @property
    def remote(self) -> Address | None:
        """Where RTP goes now: the SDP's address, or the one symmetric RTP latched onto."""
        return self._transport.remote_rtp if self._transport is not None else self._remote

    @property
    def remote_rtcp(self) -> Address | None:
        if self._transport is not None:
            return self._transport.remote_rtcp
        return self._remote_rtcp

    def set_direction(self, *, send: bool, receive: bool) -> None:
        self.sending, self.receiving = send, receive

    # -- the transport

    async def open(self, host: str, port_range: tuple[int, int] = (16384, 32767)) -> int:
        """Bind RTP on a port pair of the range (both ends included, see
        `parley.media.transport.port_candidates`); returns the RTP port."""
        transport = await UdpMediaTransport.open(
            host, port_range, symmetric=self.symmetric, rng=self._rng
        )
        self.use_transport(transport)
        self._rtcp_task = asyncio.get_running_loop().create_task(self._rtcp_loop())
        return transport.local_address[1]

    def use_transport(self, transport: MediaTransport) -> None:
        """Send and receive through `transport` from now on (it gets our remote)."""
        self._transport = transport
        transport.attach(self._rtp_received, self._rtcp_received)
        if self._remote is not None or self._remote_rtcp is not None:
            transport.set_remote(self._remote, self._remote_rtcp)

    async def move_to(self, host: str) -> None:
        """Our address changed (phone/network_change.py): the RTP/RTCP socket pair, bound
        to an address that is gone, is bound again on `host` (the same ports when they
        are free there) under whatever adapters wrap it; the remote stays."""
        parent: TransportAdapter | None = None
        inner = self._transport
        while isinstance(inner, TransportAdapter):
            parent, inner = inner, inner.inner
        if not isinstance(inner, UdpMediaTransport) or inner.local_address[0] == host:
            return
        port = inner.local_address[1]
        try:
            new = await UdpMediaTransport.open(host, (port, port + 1), symmetric=inner.symmetric)
        except RtpPortError:
            new = await UdpMediaTransport.open(host, symmetric=inner.symmetric, rng=self._rng)
        new.on_stun = inner.on_stun
        if parent is None:
            self.use_transport(new)
        else:
            parent.replace_inner(new)
            new.set_remote(inner.remote_rtp, inner.remote_rtcp)
        inner.close()

    def wrap_transport(self, adapter: Callable[[MediaTransport], MediaTransport]) -> None:
        """Put a layer (SRTP, ZRTP, a test's transform) between the session and its
        transport: `adapter` gets the transport in use and returns the wrapped one."""
        if self._transport is None:
            raise RuntimeError("the stream has no transport yet: open() it first")
        self.use_transport(adapter(self._transport))

    @property
    def transport(self) -> MediaTransport | None:
        return self._transport

    @property
    def local_port(self) -> int:
        """Our RTP port (0 before `open`)."""
        return self._transport.local_address[1] if self._transport is not None else 0

    def close(self) -> None:
        if self._rtcp_task is not None:
            self._rtcp_task.cancel()
            self._rtcp_task = None
        if self._transport is not None:
            self._send_rtcp([Bye((self.ssrc,), "")])
            self._transport.close()
        self._transport = None

    # -- bridge port: sending

    def put_frame(self, frame: Frame) -> None:
        """Our audio for this period: encode and send (or a DTMF event instead)."""
        timestamp = self._ts
        self._ts = ts_add(self._ts, self._ticks)
        if self._transport is None or self.remote is None or not self.sending:
            return
        event = self._dtmf_out.tick(timestamp) if self._neg.dtmf_pt is not None else None
        if event is not None:
            assert self._neg.dtmf_pt is not None
            self._send(self._neg.dtmf_pt, event.payload, event.timestamp, event.marker)
            return
        if self.muted:
            frame = np.zeros(self.samples_per_frame, dtype=np.int16)
        if len(frame) != self.samples_per_frame:
            frame = _fit(frame, self.samples_per_frame)
        payload = self._encoder.encode(frame)
        self._send(self._neg.payload_type, payload, timestamp, self._first_packet)
        self._first_packet = False

    def send_dtmf(self, digits: str, duration_ms: int | None = None) -> bool:
        """Queue RFC 4733 events; False when the far end did not offer telephone-event."""
        if self._neg.dtmf_pt is None:
            return False
        self._dtmf_out.send(digits, duration_ms)
        return True

    def _send(self, pt: int, payload: bytes, timestamp: int, marker: bool) -> None:
        assert self._transport is not None
        packet = RtpPacket(
            marker=marker,
            payload_type=pt,
            sequence=self._seq,
            timestamp=timestamp,
            ssrc=self.ssrc,
            payload=payload,
        )
        self._seq = seq_add(self._seq, 1)
        if not self._transport.send_rtp(packet.to_bytes()):
            return
        self._send_stats.on_sent(timestamp, len(payload), self._clock())
        self.stats.packets_sent += 1

    # -- bridge port: receiving

    def _rtp_received(self, data: bytes, source: Address) -> bool:
        """One packet from the transport; True when it belongs to this call, which lets
        symmetric RTP latch onto its source."""
        try:
            packet = RtpPacket.parse(data)
        except RtpParseError:
            self.stats.malformed += 1
            return False
        pt = packet.payload_type
        if pt not in self._audio_pts and pt not in self._dtmf_pts and pt != COMFORT_NOISE_PT:
            self.stats.malformed += 1  # not a payload type of this call
            return False
        from_remote = self._transport is not None and source == self._transport.remote_rtp
        belongs = from_remote or self._peer_ssrc is None or packet.ssrc == self._peer_ssrc
        if belongs:
            self._peer_ssrc = packet.ssrc  # the far end may change it (RFC 3550 §8.2)
        now = self._clock()
        if not self.receiving:
            return belongs
        if self._recv_stats is None or self._recv_stats.ssrc != packet.ssrc:
            self._recv_stats = ReceiverStats(self._neg.codec.clock_rate, packet.ssrc)
        self._recv_stats.feed(packet.sequence, packet.timestamp, now)
        self.stats.packets_received += 1
        pt = packet.payload_type
        if pt in self._dtmf_pts:
            for digit in self._dtmf_in.feed(packet.payload, packet.timestamp, now):
                self._report_dtmf(digit)
        elif pt in self._audio_pts:
            self._jitter.put(packet, now)
        return belongs

    def _report_dtmf(self, digit: DtmfDigit) -> None:
        if self.on_dtmf is not None:
            try:
                self.on_dtmf(digit)
            except Exception:
                log.exception("DTMF handler failed")

    def get_frame(self) -> Frame | None:
        """The far end's audio for this period, or None before anything arrived."""
        now = self._clock()
        for digit in self._dtmf_in.poll(now):
            self._report_dtmf(digit)
        while len(self._pcm) < self.samples_per_frame:
            chunk = self._next_chunk(now)
            if chunk is None:
                if len(self._pcm) == 0:
                    return None
                break
            self._pcm = np.concatenate((self._pcm, chunk)) if len(self._pcm) else chunk
        frame, self._pcm = self._pcm[: self.samples_per_frame], self._pcm[self.samples_per_frame :]
        if len(frame) < self.samples_per_frame:
            frame = _fit(frame, self.samples_per_frame)
        return frame

    def _far_end_quiet(self, _packet: RtpPacket) -> bool:
        """Whether the jitter buffer may drop a frame now without cutting speech.

        Judged on what was just played, not on the packet itself: that works for every
        codec without decoding a packet twice. Cutting a frame out of a word is heard,
        cutting it out of a pause is not.
        """
        return self._quiet_frames >= QUIET_FRAMES

    def _note_level(self, frame: Frame) -> None:
        rms = float(np.sqrt(np.mean(frame.astype(np.float32) ** 2))) if len(frame) else 0.0
        self._quiet_frames = self._quiet_frames + 1 if rms < QUIET_RMS else 0

    def _next_chunk(self, now: float) -> Frame | None:
        chunk = self._decode_next(now)
        if chunk is not None:
            self._note_level(chunk)
        return chunk

    def _want_fec_headroom(self) -> None:
        """Opus in-band FEC lives in the NEXT packet: once packets go missing, keep one
        more frame buffered so it is there when a loss is due (20 ms more delay)."""
        if self._neg.codec.name.lower() == "opus":
            floor = FEC_MIN_DELAY_FRAMES * self.ptime_ms / 1000
            self._jitter.min_delay = max(self._jitter.min_delay, floor)

    def _decode_next(self, now: float) -> Frame | None:
        item = self._jitter.pop(now)
        samples = item.samples * self.sample_rate // self._neg.codec.clock_rate
        try:
            if item.kind == PlayoutKind.PAYLOAD and item.packet is not None:
                return self._decoder.decode(item.packet.payload)
            if item.kind == PlayoutKind.LOST:
                if item.packet is not None:
                    recovered = self._decoder.decode_fec(item.packet.payload, samples)
                    if recovered is not None:
                        self.stats.fec_recovered += 1
                        return recovered
                else:
                    self._want_fec_headroom()
                return self._decoder.conceal(samples)
            if item.conceal:  # starved: often a loss seen before its successor arrived
                self._want_fec_headroom()
                return self._decoder.conceal(samples)
        except CodecError:
            self.stats.malformed += 1
            return self._decoder.conceal(samples)
        return None

    # -- RTCP

    async def _rtcp_loop(self) -> None:
        # RFC 3550 §6.2: the first report may go after half the minimum interval, which
        # also gets the far end's loss figure (and so Opus FEC) going sooner.
        interval = RTCP_INTERVAL / 2
        while True:
            delay = interval * self._rng.uniform(0.5, 1.5)
            if self.report_interval_min > 0:
                # RFC 4585 §3.5.3: no regular report before T_rr_interval, randomised.
                delay = max(delay, self.report_interval_min * self._rng.uniform(0.5, 1.5))
            await asyncio.sleep(delay)
            interval = RTCP_INTERVAL
            now = self._clock()
            sources = [self._recv_stats] if self._recv_stats is not None else []
            packets = build_report(
                ssrc=self.ssrc,
                cname=self.cname,
                ntp=ntp_from_unix(time.time()),
                now=now,
                sender=self._send_stats,
                sources=sources,
            )
            self._send_rtcp(packets)

    def _send_rtcp(self, packets: list[RtcpPacket]) -> None:
        if self._transport is not None:
            self._transport.send_rtcp(serialize_compound(packets))

    def _rtcp_received(self, data: bytes, source: Address) -> None:
        try:
            packets = parse_compound(data)
        except RtcpParseError:
            self.stats.malformed += 1
            return
        arrival_ntp = ntp_from_unix(time.time())
        for packet in packets:
            if isinstance(packet, Feedback):
                # Audio has no use for NACK/PLI/FIR/TMMBR/REMB (none is negotiated in our
                # answers, parley.sip.avpf); a far end that sends them anyway is counted.
                self.stats.feedback_received += 1
                self.stats.nacks_received += len(packet.nacks)
                continue
            if isinstance(packet, SenderReport) and self._recv_stats is not None:
                self._recv_stats.on_sender_report(packet, self._clock())
            if isinstance(packet, SenderReport | ReceiverReport):
                for block in packet.reports:
                    if block.ssrc != self.ssrc:
                        continue
                    rtt = rtt_from_block(block, arrival_ntp)
                    if rtt is not None:
                        self.stats.rtt_ms = rtt * 1000
                    self.stats.remote_loss_percent = block.fraction_lost * 100 / 256
                    self._adapt_fec(self.stats.remote_loss_percent)
                    self.stats.remote_jitter_ms = block.jitter * 1000 / self._neg.codec.clock_rate

    def _adapt_fec(self, loss_percent: float) -> None:
        """Opus in-band FEC follows the loss the far end reports (RFC 3550 RR): up at
        once (at least 10 % once anything is lost, at most 25 %), down slowly."""
        set_loss = getattr(self._encoder, "set_packet_loss", None)
        if set_loss is None:
            return
        if loss_percent > 0:
            wanted = min(25, max(10, int(loss_percent + 0.999) * 2))
        else:
            wanted = max(0, self._fec_hint - 2)
        if wanted > self._fec_hint or wanted < self._fec_hint - 1:
            self._fec_hint = wanted
            set_loss(wanted)

    # -- statistics

    def snapshot(self) -> StreamStats:
        jb = self._jitter.stats
        s = self.stats
        remote = self.remote
        s.remote = f"{remote[0]}:{remote[1]}" if remote is not None else s.remote
        if self._recv_stats is not None:
            s.packets_lost = max(0, self._recv_stats.lost)
            s.loss_percent = self._recv_stats.loss_ratio * 100
            s.jitter_ms = self._recv_stats.jitter_ms
        s.jitter_buffer_ms = jb.current_delay_ms
        s.late, s.discarded, s.concealed = jb.late, jb.discarded, jb.concealed
        if self._recv_stats is not None:
            # Mouth-to-ear estimate: half the RTT (or a LAN's few ms) plus our buffer's target and
            # one packet of packetisation.
            one_way = (s.rtt_ms or 2.0) / 2 + jb.target_delay_ms + self.ptime_ms
            loss = max(s.loss_percent, s.remote_loss_percent or 0.0)
            s.mos = estimate_mos(one_way, loss, self._neg.codec.name)
        return s


def _fit(frame: Frame, samples: int) -> Frame:
    """Pad with zeros or cut to exactly `samples` (a far end with another ptime)."""
    if len(frame) >= samples:
        return frame[:samples]
    out = np.zeros(samples, dtype=np.int16)
    out[: len(frame)] = frame
    return out
