"""baresip 1.0 as a headless far phone, driven over its ctrl_tcp socket.

Usage::

    far = Baresip(tmp_path / "far", sip_port=free_port("both"), user="1002",
                  password="pass1002", registrar=f"127.0.0.1:{kam.udp_port}",
                  codecs=["PCMU/8000/1"], play_wav=speech, record_wav=tmp_path / "heard.wav",
                  auto_answer=True)
    far.start()                  # waits until it is registered (when a registrar is given)
    far.dial("sip:1001@127.0.0.1:5060")
    far.wait_event(lambda e: e.get("type") == "CALL_ESTABLISHED", timeout=10)
    far.send_dtmf("123")
    far.hangup()
    far.stop()                   # the recording is complete after stop()

Audio without a sound card (see docs in /work/shared/testbed.md):

- the microphone is the ``aufile`` source reading ``play_wav`` followed by silence
  (``play_seconds`` in all: its end would end the call), or ``play_wav`` repeated;
- the speaker is ALSA's ``file`` plugin writing into a FIFO. A reader thread drains
  the FIFO at real time (one 10 ms chunk per tick on an absolute schedule, pipe
  shrunk to one page), which paces baresip like a real sound card would, instead of
  the busy-looping ALSA ``null`` device, and writes what was played to
  ``record_wav``. The recording is a wall-clock timeline: once the first sample
  arrives, ticks without data (no call playing) are recorded as silence, and
  ``first_audio_at`` holds the ``time.monotonic()`` of its first sample.

Network: SIP and RTP are bound to ``host`` (127.0.0.1, or a namespace's address
with ``netns``, see peers.impair) and the control socket to the loopback; the DNS client is pointed at ``127.0.0.1:1`` so nothing ever leaves the
machine: use IP literals in every URI.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import queue
import re
import socket
import stat
import subprocess
import threading
import time
import wave
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from peers.common import LOOPBACK, Process, free_port, require_binary, wait_until

MODULE_PATH = "/usr/lib/baresip/modules"

# Linux fcntl to resize a pipe (not exported by Python's fcntl before 3.10 on all builds).
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)

Event = dict[str, Any]

# PCM rate of each codec's frames: the far phone plays and records at this rate unless
# told otherwise, so no resampling happens inside baresip.
_CODEC_RATES = {"pcmu": 8000, "pcma": 8000, "g722": 16000, "opus": 48000}


def codec_pcm_rate(codec: str) -> int:
    """PCM sample rate of a baresip codec spec such as ``"G722/16000/1"``."""
    name = codec.split("/")[0].lower()
    if name not in _CODEC_RATES:
        raise ValueError(f"unknown codec {codec!r}")
    return _CODEC_RATES[name]


def wav_rate(path: Path) -> int:
    with wave.open(str(path), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError(f"{path}: baresip's aufile needs mono 16-bit PCM")
        return w.getframerate()


class PacedSink(threading.Thread):
    """Drain a FIFO at real time and record what comes out of it as a WAV file.

    The FIFO is held open for reading (non-blocking) the whole time, so the pipe and
    its one-page size survive while writers (one per call) come and go.
    """

    def __init__(self, fifo: Path, wav_path: Path | None, rate: int, chunk_ms: int = 10) -> None:
        super().__init__(name=f"paced-sink-{fifo.name}", daemon=True)
        self.fifo = fifo
        self.wav_path = wav_path
        self.rate = rate
        self.chunk_bytes = rate * chunk_ms // 1000 * 2
        self.period = chunk_ms / 1000.0
        self.first_audio_at: float | None = None
        self.bytes_played = 0
        self._stop_event = threading.Event()
        if fifo.exists():
            fifo.unlink()
        os.mkfifo(fifo, 0o600)
        self._fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        with contextlib.suppress(OSError):
            fcntl.fcntl(self._fd, _F_SETPIPE_SZ, 4096)

    def run(self) -> None:
        writer: wave.Wave_write | None = None
        if self.wav_path is not None:
            writer = wave.open(str(self.wav_path), "wb")
            writer.setnchannels(1)
            writer.setsampwidth(2)
            writer.setframerate(self.rate)
        silence = bytes(self.chunk_bytes)
        pending = b""  # an odd byte left over from a partial read
        try:
            next_tick = time.monotonic()
            while not self._stop_event.is_set():
                next_tick += self.period
                delay = next_tick - time.monotonic()
                if delay > 0:
                    self._stop_event.wait(delay)
                elif delay < -0.5:
                    next_tick = time.monotonic()  # we were descheduled: do not burst
                try:
                    data = pending + os.read(self._fd, self.chunk_bytes - len(pending))
                except BlockingIOError:
                    data = pending
                usable = len(data) - len(data) % 2
                pending = data[usable:]
                data = data[:usable]
                if data and self.first_audio_at is None:
                    self.first_audio_at = time.monotonic() - len(data) / 2 / self.rate
                if self.first_audio_at is None:
                    continue
                self.bytes_played += len(data)
                if writer is not None:
                    # Keep the timeline: a short read is padded to a full tick.
                    writer.writeframes(data + silence[len(data) :])
        finally:
            if writer is not None:
                writer.close()
            os.close(self._fd)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


class BaresipError(RuntimeError):
    pass


class Baresip:
    """One baresip process on 127.0.0.1 with one account.

    ``registrar`` is ``"host:port"`` (IP literal) of the registrar/proxy, or None for
    direct calls: the account is then ``sip:user@127.0.0.1:sip_port`` and never
    registers. ``codecs`` are exact baresip names (``"PCMU/8000/1"``,
    ``"PCMA/8000/1"``, ``"G722/16000/1"``, ``"opus/48000/2"``). The speaker and
    its recording run at ``record_rate`` (48 kHz by default: the least burst through
    the paced FIFO, see ``_audio_buffer_max``); the microphone at ``play_wav``'s rate.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        sip_port: int,
        user: str = "1002",
        password: str | None = None,
        registrar: str | None = None,
        codecs: Sequence[str] = ("PCMU/8000/1",),
        play_wav: Path | None = None,
        play_seconds: float = 120.0,
        play_loop: bool = False,
        record_wav: Path | None = None,
        auto_answer: bool = False,
        call_transfer: bool = False,
        ptime: int = 20,
        transport: str = "udp",
        record_rate: int = 48000,
        rtp_ports: tuple[int, int] | None = None,
        jitter_buffer: tuple[int, int] = (5, 10),
        extra_account_params: str = "",
        extra_config: Iterable[str] = (),
        host: str = LOOPBACK,
        ctrl_port: int | None = None,
        sip_trace: bool = False,
        netns: str | None = None,
        name: str | None = None,
        keep_stdin: bool = False,
        presence: bool = False,
        publish_interval: int = 0,
        watch: Sequence[str] = (),
        mediaenc: str = "",
        ca_file: Path | None = None,
    ) -> None:
        self.binary = require_binary("baresip")
        self.workdir = Path(workdir)
        self.sip_port = sip_port
        self.user = user
        self.password = password
        self.registrar = registrar
        self.codecs = list(codecs)
        self.play_wav = Path(play_wav) if play_wav else None
        self.play_seconds = play_seconds
        self.play_loop = play_loop
        self.record_wav = Path(record_wav) if record_wav else None
        self.auto_answer = auto_answer
        self.call_transfer = call_transfer  # take REFERs (account param call_transfer)
        self.ptime = ptime
        self.transport = transport
        self.host = host
        self.record_rate = record_rate
        self.source_rate = wav_rate(self.play_wav) if self.play_wav else self.record_rate
        self.rtp_ports = rtp_ports
        self.jitter_buffer = jitter_buffer
        self.extra_account_params = extra_account_params
        self.extra_config = list(extra_config)
        self.ctrl_port = ctrl_port or free_port("tcp")
        self.sip_trace = sip_trace
        self.netns = netns
        self.name = name or f"baresip-{user}"
        # With the stdio UI module, what baresip shows a person (an incoming MESSAGE's
        # text) reaches its log only while its stdin stays open: a pipe we never close.
        self.keep_stdin = keep_stdin
        # The presence module: PUBLISH every ``publish_interval`` s (0: never) and
        # SUBSCRIBE to the presence of each ``watch`` URI (contacts with presence=p2p).
        self.presence = presence or publish_interval > 0 or bool(watch)
        self.publish_interval = publish_interval
        self.watch = list(watch)
        # Media encryption: "" (none), "srtp" (RTP/AVP with SDES keys, best effort) or
        # "srtp-mand" (RTP/SAVP, plain refused); loads the srtp module.
        self.mediaenc = mediaenc
        self.ca_file = Path(ca_file) if ca_file else None
        self.log_path = self.workdir / "baresip.log"
        self.fifo = self.workdir / "speaker.fifo"
        self.process: Process | None = None
        self.sink: PacedSink | None = None
        self._sock: socket.socket | None = None
        self._reader: threading.Thread | None = None
        self._events: list[Event] = []
        self._events_cond = threading.Condition()
        self._responses: queue.Queue[Event] = queue.Queue()
        self._send_lock = threading.Lock()
        self._token = 0

    # --- addresses ---------------------------------------------------------------

    @property
    def uri_host(self) -> str:
        """``host`` as a SIP URI writes it: an IPv6 address ("::1") in brackets."""
        return f"[{self.host}]" if ":" in self.host else self.host

    @property
    def aor(self) -> str:
        """The account's address of record."""
        domain = self.registrar or f"{self.uri_host}:{self.sip_port}"
        return f"sip:{self.user}@{domain}"

    @property
    def contact_uri(self) -> str:
        """Where to reach this phone directly (without a registrar)."""
        param = "" if self.transport == "udp" else f";transport={self.transport}"
        return f"sip:{self.user}@{self.uri_host}:{self.sip_port}{param}"

    @property
    def first_audio_at(self) -> float | None:
        """``time.monotonic()`` of the first sample in ``record_wav``, if any."""
        return self.sink.first_audio_at if self.sink else None

    # --- files -------------------------------------------------------------------

    def _source_wav(self) -> Path:
        """The microphone: ``play_wav`` then silence (or repeated), ``play_seconds`` long.

        baresip 1.0's aufile ends the call when its file ends, so the file must
        outlast the call.
        """
        path = self.workdir / "source.wav"
        total = int(self.play_seconds * self.source_rate) * 2
        speech = b""
        if self.play_wav is not None:
            with wave.open(str(self.play_wav), "rb") as w:
                speech = w.readframes(w.getnframes())
        if self.play_loop and speech:
            data = (speech * (total // len(speech) + 1))[:total]
        else:
            data = speech[:total] + bytes(max(0, total - len(speech)))
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.source_rate)
            w.writeframes(data)
        return path

    def _audio_buffer_max(self) -> int:
        """baresip's playout buffer must absorb the bursts of the paced speaker.

        The FIFO (one 4096-byte page) plus ALSA's file plugin (about 80 ms) are
        drained at real time, so the player pulls frames in bursts; at 48 kHz the
        page is 43 ms and baresip's default 160 ms is plenty, at 8 kHz it is 256 ms
        and the buffer must grow with it or audio is dropped and replaced by zeros.
        """
        pipe_ms = 4096 * 1000 // (2 * self.record_rate)
        return max(160, 2 * pipe_ms + 120)

    def account_line(self) -> str:
        params = [f"audio_codecs={','.join(self.codecs)}", f"ptime={self.ptime}"]
        params.append(f"answermode={'auto' if self.auto_answer else 'manual'}")
        params += [
            "medianat=",
            f"mediaenc={self.mediaenc}",
            "mwi=no",
            f"pubint={self.publish_interval}",
        ]
        params.append(f"call_transfer={'yes' if self.call_transfer else 'no'}")
        if self.registrar is None:
            params.append("regint=0")
        else:
            params.append("regint=600")
            if self.password is not None:
                params += [f"auth_user={self.user}", f"auth_pass={self.password}"]
        if self.extra_account_params:
            params.append(self.extra_account_params.lstrip(";"))
        uri_params = "" if self.transport == "udp" else f";transport={self.transport}"
        uri = self.aor + uri_params
        return f"<{uri}>;" + ";".join(params) + "\n"

    def config_text(self) -> str:
        source = self._source_wav()
        lo, hi = self.rtp_ports or (0, 0)
        lines = [
            "poll_method epoll",
            f"sip_listen {self.uri_host}:{self.sip_port}",
            "call_local_timeout 120",
            "call_max_calls 4",
            f"audio_player alsa,file:{self.fifo}",
            f"audio_source aufile,{source}",
            # No ringing device: the alert would open a second writer on the FIFO.
            "audio_alert aufile,/nonexistent",
            f"ausrc_srate {self.source_rate}",
            f"auplay_srate {self.record_rate}",
            "ausrc_channels 1",
            "auplay_channels 1",
            f"audio_buffer 20-{self._audio_buffer_max()}",
            "audio_level no",
            f"jitter_buffer_delay {self.jitter_buffer[0]}-{self.jitter_buffer[1]}",
            "rtp_tos 0",
            "rtcp_mux no",
            "rtp_stats no",
            "rtp_timeout 0",
            # Never reach a real resolver (use IP literals everywhere).
            "dns_server 127.0.0.1:1",
            f"net_interface {self.host}",
            f"module_path {MODULE_PATH}",
            "module g711.so",
            "module g722.so",
            "module opus.so",
            "module alsa.so",
            "module aufile.so",
            "module_tmp account.so",
            "module_app menu.so",
            "module_app ctrl_tcp.so",
            f"ctrl_tcp_listen {LOOPBACK}:{self.ctrl_port}",
            "ringback_disabled yes",
            "statmode_default off",
            "opus_bitrate 32000",
        ]
        if lo:
            lines.append(f"rtp_ports {lo}-{hi}")
        if self.mediaenc:
            lines.append("module srtp.so")
        if self.ca_file is not None:
            lines.append(f"sip_cafile {self.ca_file}")
        if self.presence:
            lines += ["module_app contact.so", "module_app presence.so"]
        lines += self.extra_config
        return "\n".join(lines) + "\n"

    def _write_files(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "config").write_text(self.config_text())
        (self.workdir / "accounts").write_text(self.account_line())
        contacts = "".join(f"<{uri}>;presence=p2p\n" for uri in self.watch)
        (self.workdir / "contacts").write_text(contacts)
        (self.workdir / "uuid").write_text(f"parley-test-{self.user}-{self.sip_port}\n")

    # --- life cycle ----------------------------------------------------------------

    def start(self, timeout: float = 15.0) -> Baresip:
        if self.running:
            raise BaresipError(f"{self.name} is already running")
        self._write_files()
        self.sink = PacedSink(self.fifo, self.record_wav, self.record_rate)
        self.sink.start()
        # ALSA reads ~/.asoundrc: keep the user's out of the picture.
        env = {"HOME": str(self.workdir), "ALSA_CONFIG_PATH": "/usr/share/alsa/alsa.conf"}
        argv = [self.binary, "-f", str(self.workdir)]
        if self.sip_trace:
            argv.append("-s")  # every SIP message into the log
        if self.netns is not None:
            argv = ["ip", "netns", "exec", self.netns, *argv]
        stdin = subprocess.PIPE if self.keep_stdin else subprocess.DEVNULL
        self.process = Process(argv, log_path=self.log_path, name=self.name, env=env, stdin=stdin)
        self.process.start()
        try:
            self._connect(timeout)
            if self.registrar is not None and not self.wait_registered(timeout):
                raise BaresipError(f"{self.name} did not register at {self.registrar}")
        except BaseException:
            self.stop()
            raise
        return self

    def registered(self) -> bool:
        """True when its account is registered (``reginfo`` shows it OK)."""
        return "OK" in self.command("reginfo")

    def wait_registered(self, timeout: float = 10.0) -> bool:
        # The REGISTER_OK event may come before the control connection exists.
        return wait_until(self.registered, timeout=timeout, interval=0.1)

    def stop(self) -> None:
        """Stop baresip by pid, then the sink (which completes ``record_wav``)."""
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()
            self._sock = None
        if self.process is not None:
            self.process.stop()
        if self._reader is not None:
            self._reader.join(timeout=5)
            self._reader = None
        if self.sink is not None:
            self.sink.stop()
            if self.fifo.exists() and stat.S_ISFIFO(self.fifo.stat().st_mode):
                self.fifo.unlink()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.running

    def log_text(self) -> str:
        return self.process.log_text() if self.process else ""

    def __enter__(self) -> Baresip:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- ctrl_tcp: JSON in netstrings ---------------------------------------------

    def _new_socket(self) -> socket.socket:
        if self.netns is None:
            return socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        from peers.impair import netns_socket

        # Its control socket is on the namespace's own loopback.
        return netns_socket(self.netns, socket.AF_INET, socket.SOCK_STREAM)

    def _connect(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            sock = self._new_socket()
            sock.settimeout(2)
            try:
                sock.connect((LOOPBACK, self.ctrl_port))
                break
            except OSError:
                sock.close()
                if self.process is None or not self.process.running:
                    raise BaresipError(
                        f"{self.name} exited before its control socket opened; log tail:\n"
                        f"{self.process.log_tail() if self.process else ''}"
                    ) from None
                if time.monotonic() > deadline:
                    raise BaresipError(
                        f"{self.name}: no control socket after {timeout} s"
                    ) from None
                time.sleep(0.05)
        sock.settimeout(None)
        self._sock = sock
        self._reader = threading.Thread(
            target=self._read_loop, args=(sock,), name=f"{self.name}-ctrl", daemon=True
        )
        self._reader.start()

    def _read_loop(self, sock: socket.socket) -> None:
        buf = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while True:
                colon = buf.find(b":")
                if colon < 0:
                    break
                length = int(buf[:colon])
                end = colon + 1 + length
                if len(buf) < end + 1:
                    break
                payload, buf = buf[colon + 1 : end], buf[end + 1 :]  # drop the ','
                try:
                    message = json.loads(payload)
                except ValueError:
                    continue
                if message.get("response"):
                    self._responses.put(message)
                else:
                    message["at"] = time.monotonic()
                    with self._events_cond:
                        self._events.append(message)
                        self._events_cond.notify_all()

    def command(self, command: str, params: str = "", timeout: float = 5.0) -> str:
        """Run a baresip command (as its menu knows it); return its text output."""
        if self._sock is None:
            raise BaresipError(f"{self.name} is not connected")
        with self._send_lock:
            self._token += 1
            token = str(self._token)
            body = json.dumps({"command": command, "params": params, "token": token}).encode()
            self._sock.sendall(b"%d:%s," % (len(body), body))
            deadline = time.monotonic() + timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BaresipError(f"no response to {command!r} from {self.name}")
                try:
                    reply = self._responses.get(timeout=remaining)
                except queue.Empty:
                    continue
                if reply.get("token") == token:
                    break
        if not reply.get("ok", False):
            raise BaresipError(f"{command} {params}: {reply.get('data')}")
        return str(reply.get("data", ""))

    def dial(self, uri: str) -> str:
        return self.command("dial", uri)

    def accept(self) -> str:
        return self.command("accept")

    def hangup(self) -> str:
        return self.command("hangup")

    def hold(self) -> str:
        return self.command("hold")

    def resume(self) -> str:
        return self.command("resume")

    def send_dtmf(self, digits: str, gap: float = 0.3) -> None:
        """Send DTMF digits as RFC 4733 events (baresip 1.0 has no other send mode).

        Its ``sndcode`` command presses each key and then releases it; one digit per
        command with ``gap`` seconds between keeps the events apart.
        """
        for digit in digits:
            self.command("sndcode", digit)
            time.sleep(gap)

    def call_status(self) -> str:
        return self.command("callstat")

    # --- presence (module presence, baresip 1.0) ----------------------------------

    def set_presence(self, online: bool) -> str:
        """Publish open or closed (its only states) with presence_online/offline."""
        if not self.presence:
            raise BaresipError(f"{self.name} was started without the presence module")
        return self.command("presence_online" if online else "presence_offline")

    def watched_presence(self) -> dict[str, str]:
        """Status baresip shows for each watched URI (its ``contacts`` list).

        Lower-cased names as baresip 1.0 prints them: ``unknown`` (no NOTIFY
        yet), ``online`` (basic open), ``offline`` (closed), ``busy`` (RPID busy,
        away or on-the-phone map onto its few states).
        """
        text = re.sub(r"\x1b\[[0-9;]*m", "", self.command("contacts"))
        status: dict[str, str] = {}
        for match in re.finditer(r"^\W*(\w[\w -]*?)\s+<([^>]+)>", text, flags=re.M):
            status[match.group(2)] = match.group(1).strip().lower()
        return status

    def wait_watched_presence(self, uri: str, status: str, timeout: float = 10.0) -> bool:
        """True once baresip reported ``status`` for ``uri`` (see ``watched_presence``)."""
        return wait_until(
            lambda: self.watched_presence().get(uri) == status, timeout=timeout, interval=0.1
        )

    # --- events ------------------------------------------------------------------

    def events(self) -> list[Event]:
        """All events seen so far (dicts as baresip sends them, plus ``at``)."""
        with self._events_cond:
            return list(self._events)

    def wait_event(
        self, predicate: Callable[[Event], bool], timeout: float = 10.0, *, since: int = 0
    ) -> Event | None:
        """The first event (from index ``since``) matching ``predicate``, or None."""
        deadline = time.monotonic() + timeout
        with self._events_cond:
            while True:
                for event in self._events[since:]:
                    if predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._events_cond.wait(remaining)

    def wait_call_state(self, state: str, timeout: float = 10.0, *, since: int = 0) -> Event:
        """Wait for an event of type ``state`` (e.g. ``"CALL_ESTABLISHED"``); raise if none."""
        event = self.wait_event(lambda e: e.get("type") == state, timeout, since=since)
        if event is None:
            seen = [e.get("type") for e in self.events()]
            raise BaresipError(f"{self.name}: no {state} within {timeout} s; events: {seen}")
        return event

    def dtmf_received(self) -> str:
        """Digits received so far (one per CALL_DTMF_START)."""
        return "".join(
            str(e.get("param", "")) for e in self.events() if e.get("type") == "CALL_DTMF_START"
        )

    def mark(self) -> int:
        """Index to pass as ``since`` to wait only for later events."""
        with self._events_cond:
            return len(self._events)

    def wait_audio(self, timeout: float = 10.0) -> bool:
        """True once the speaker has played anything."""
        return wait_until(lambda: self.first_audio_at is not None, timeout=timeout)
