"""linphonec 5.1 (``linphone-cli``) as a second far phone, driven through its stdin.

Usage::

    lp = Linphone(tmp_path / "lp", sip_port=free_port("both"), user="1003",
                  password="pass1003", registrar=f"127.0.0.1:{kam.udp_port}",
                  codecs=["PCMU"], play_wav=speech, record_wav=tmp_path / "lp.wav",
                  auto_answer=True)
    lp.start()                      # waits until registered (when a registrar is given)
    lp.call("sip:1002@127.0.0.1:5060")
    lp.wait_output(r"Call \\d+ with .* connected", timeout=10)
    lp.send_dtmf("5")
    lp.terminate()
    lp.stop()

Audio is in linphonec's "files" mode (``soundcard use files``): ``play FILE`` is what
it sends, ``record FILE`` receives what it hears (WAV at the codec's rate). Without
a file mode linphonec sends no RTP at all. Its mediastreamer ticker paces the files,
so no sound card is needed.

Always ``stop()`` it: a linphonec whose stdin reaches end-of-file spins at a full
core instead of exiting (``stop`` types ``quit``, then signals it by pid).

SIP is UDP on ``127.0.0.1:sip_port`` (``sip_tcp_port=0``, no IPv6, no STUN), RTP on
127.0.0.1 too. Use IP literals only: its resolver would ask the system's DNS server.
``transport="tls"`` adds a TLS listener on the same port number and registers over
TLS (``registrar`` is then the proxy's TLS address, ``ca_file`` the CA it trusts).

SDES SRTP: ``media_encryption="srtp"`` (``encryption_mandatory`` for RTP/SAVP only)
with ``srtp_suites`` (linphone's ``srtp_crypto_suites``, in its order). linphonec says
its call's encryption in ``call-stats`` (``encryption()``) and its SIP messages in its
log when ``sip_trace`` is set (``-d 6``, ``log_text()``).
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from peers.common import LOOPBACK, Process, free_port, require_binary, wait_until


class LinphoneError(RuntimeError):
    pass


# Default rates of the codecs it can use: {SDP name: clock rate}.
_RATES = {"pcmu": 8000, "pcma": 8000, "g722": 8000, "opus": 48000, "speex": 8000}

# What its console prints (stdout), as regular expressions.
CONNECTED = r"Call \d+ with .* connected\."
MEDIA_UP = r"Media streams established with .* for call \d+"
ENDED = r"Call \d+ with .* ended \("
INCOMING = r"Receiving new incoming call from (\S+), assigned id (\d+)"
PAUSED = r"Call \d+ with .* is now paused\."
PAUSED_BY_REMOTE = r"Call \d+ has been paused by"
REGISTERED_STATUS = re.compile(r"^registered,", re.IGNORECASE)
TONE = r"Receiving tone (\S) from"


class Linphone:
    """One linphonec process with one account (or none, for direct calls)."""

    def __init__(
        self,
        workdir: Path,
        *,
        sip_port: int,
        user: str = "1003",
        password: str | None = None,
        registrar: str | None = None,
        codecs: Sequence[str] = ("PCMU",),
        play_wav: Path | None = None,
        record_wav: Path | None = None,
        auto_answer: bool = True,
        rtp_port: int | None = None,
        name: str | None = None,
        transport: str = "udp",
        ca_file: Path | None = None,
        media_encryption: str = "none",
        encryption_mandatory: bool = False,
        srtp_suites: Sequence[str] = (),
        sip_trace: bool = False,
    ) -> None:
        self.binary = require_binary("linphonec")
        self.workdir = Path(workdir)
        self.sip_port = sip_port
        self.user = user
        self.password = password
        self.registrar = registrar
        self.codecs = [c.split("/")[0].lower() for c in codecs]
        self.play_wav = Path(play_wav) if play_wav else None
        self.record_wav = Path(record_wav) if record_wav else None
        self.auto_answer = auto_answer
        self.rtp_port = rtp_port or free_port("udp")
        self.name = name or f"linphonec-{user}"
        self.transport = transport
        self.ca_file = Path(ca_file) if ca_file else None
        self.media_encryption = media_encryption
        self.encryption_mandatory = encryption_mandatory
        self.srtp_suites = list(srtp_suites)
        self.sip_trace = sip_trace
        self.debug_log_path = self.workdir / "linphonec-debug.log"
        self.rc_path = self.workdir / "linphonerc"
        self.log_path = self.workdir / "linphonec.log"
        self.process: Process | None = None
        self._lines: list[tuple[float, str]] = []
        self._cond = threading.Condition()
        self._reader: threading.Thread | None = None

    # --- addresses -------------------------------------------------------------

    @property
    def aor(self) -> str:
        domain = self.registrar or f"{LOOPBACK}:{self.sip_port}"
        return f"sip:{self.user}@{domain}"

    @property
    def contact_uri(self) -> str:
        return f"sip:{self.user}@{LOOPBACK}:{self.sip_port}"

    # --- configuration -----------------------------------------------------------

    def rc_text(self) -> str:
        sections: list[str] = [
            "[sip]",
            f"sip_port={self.sip_port}",
            "sip_tcp_port=0",
            f"sip_tls_port={self.sip_port if self.transport == 'tls' else 0}",
            "sip_dtls_port=0",
            f"bind_address={LOOPBACK}",
            "ipv6=0",
            "use_ipv6=0",
            "guess_hostname=0",
            f'contact="{self.user}" <sip:{self.user}@{LOOPBACK}:{self.sip_port}>',
            "ping_with_options=0",
            # No GRUU: Kamailio would hand out sip:USER@127.0.0.1;gr=... without the
            # port, and in-dialog requests to that Contact would go to port 5060.
            "supported=replaces",
            "register_only_when_network_is_up=0",
            "auto_net_state_mon=0",
            f"media_encryption={self.media_encryption}",
            f"media_encryption_mandatory={int(self.encryption_mandatory)}",
            f"default_proxy={0 if self.registrar else -1}",
            *([f"srtp_crypto_suites={', '.join(self.srtp_suites)}"] if self.srtp_suites else []),
            *(
                # The chain is checked against ca_file; the name is not: belle-sip's
                # mbedtls matches the host against DNS names and the CN only, never an
                # IP address SAN (the test certificates name 127.0.0.1 as IP:).
                [f"root_ca={self.ca_file}", "verify_server_certs=1", "verify_server_cn=0"]
                if self.ca_file
                else []
            ),
            "",
            "[rtp]",
            f"audio_rtp_port={self.rtp_port}",
            "audio_jitt_comp=60",
            "nortp_timeout=30",
            "rtcp_mux=0",
            "",
            "[sound]",
            "echocancellation=0",
            "",
            "[video]",
            "capture=0",
            "display=0",
            "automatically_initiate=0",
            "automatically_accept=0",
            "",
            "[net]",
            "firewall_policy=0",
            "stun_server=",
            "mtu=1300",
            "",
            "[misc]",
            "version_check_url_root=",
            "log_collection_upload_server_url=",
            "file_transfer_server_url=",
            "",
            "[lime]",
            "enabled=0",
            "",
        ]
        if self.registrar:
            sections += [
                "[proxy_0]",
                f"reg_proxy=<sip:{self.registrar};transport={self.transport}>",
                f"reg_identity=sip:{self.user}@{self.registrar}",
                "reg_expires=600",
                "reg_sendregister=1",
                "publish=0",
                "dial_escape_plus=0",
                "quality_reporting_enabled=0",
                "push_notification_allowed=0",
                "",
            ]
            if self.password is not None:
                host = self.registrar.rsplit(":", 1)[0]
                sections += [
                    "[auth_info_0]",
                    f"username={self.user}",
                    f"passwd={self.password}",
                    f"realm={host}",
                    f"domain={host}",
                    "",
                ]
        return "\n".join(sections) + "\n"

    # --- life cycle ------------------------------------------------------------

    def start(self, timeout: float = 15.0) -> Linphone:
        if self.running:
            raise LinphoneError(f"{self.name} is already running")
        self.workdir.mkdir(parents=True, exist_ok=True)
        # Its sqlite database lives under $HOME: give it a writable place.
        (self.workdir / ".local" / "share" / "linphone").mkdir(parents=True, exist_ok=True)
        self.rc_path.write_text(self.rc_text())
        argv = [self.binary, "-c", str(self.rc_path), "-d", "6" if self.sip_trace else "0"]
        if self.sip_trace:
            argv += ["-l", str(self.debug_log_path)]
        if self.auto_answer:
            argv.append("-a")
        # Unbuffered-ish text on a pipe: stdout is read line by line by a thread.
        self.process = Process(
            argv,
            log_path=self.log_path,
            name=self.name,
            env={"HOME": str(self.workdir)},
            stdin=subprocess.PIPE,
        )
        self.process.start()
        self._reader = threading.Thread(
            target=self._follow_log, name=f"{self.name}-log", daemon=True
        )
        self._reader.start()
        try:
            # Its prompt is not flushed to a pipe, but command output is: the first
            # answer says the console is reading.
            self.command("soundcard use files")
            self.wait_output(r"Using wav files instead of soundcard", timeout=timeout)
            self._configure_codecs()
            if self.play_wav is not None:
                self.command(f"play {self.play_wav}")
            if self.record_wav is not None:
                self.command(f"record {self.record_wav}")
            if self.registrar is not None and not wait_until(
                self.registered, timeout=timeout, interval=0.3
            ):
                raise LinphoneError(f"{self.name} did not register at {self.registrar}")
        except BaseException:
            self.stop()
            raise
        return self

    def _configure_codecs(self) -> None:
        """Enable exactly ``codecs`` (in linphonec's own order) and telephone-event."""
        mark = self.mark()
        self.command("codec list")
        self.wait_output(r"^\s*\d+:\s", timeout=5, since=mark)
        time.sleep(0.3)  # the whole list arrives at once; let it be read
        listing = [line for _, line in self._lines_since(mark)]
        for line in listing:
            m = re.match(r"^\s*(\d+):\s*(\S+)", line)
            if not m:
                continue
            index, name = m.group(1), m.group(2).lower()
            wanted = name in self.codecs or name == "telephone-event"
            self.command(f"codec {'enable' if wanted else 'disable'} {index}")

    def log_text(self) -> str:
        """Its debug log (with ``sip_trace``): SIP messages sent and received, SDP too."""
        try:
            return self.debug_log_path.read_text(errors="replace")
        except OSError:
            return ""

    def registered(self) -> bool:
        """Ask ``status register``; true once it reports the account registered."""
        mark = self.mark()
        self.command("status register")
        try:
            line = self.wait_output(
                r"(?i)^(?!status register).*regist", timeout=2, since=mark
            ).string
        except LinphoneError:
            return False
        return REGISTERED_STATUS.search(line) is not None

    def stop(self) -> None:
        if self.process is not None and self.process.running:
            try:
                self.command("quit")
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired, LinphoneError):
                pass
        if self.process is not None:
            self.process.stop()
        if self._reader is not None:
            self._reader.join(timeout=2)
            self._reader = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.running

    def __enter__(self) -> Linphone:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- console ---------------------------------------------------------------

    def _follow_log(self) -> None:
        """Tail the log file (its stdout) into timestamped lines."""
        offset = 0
        partial = ""
        while True:
            try:
                with open(self.log_path, "rb") as f:
                    f.seek(offset)
                    chunk = f.read()
            except OSError:
                chunk = b""
            if chunk:
                offset += len(chunk)
                text = partial + chunk.decode(errors="replace")
                *complete, partial = text.split("\n")
                # The prompt has no newline: keep it visible as a line of its own.
                if partial.endswith("linphonec> "):
                    complete.append(partial)
                    partial = ""
                now = time.monotonic()
                with self._cond:
                    for line in complete:
                        # Output printed right after a prompt shares its line.
                        self._lines.append((now, line.removeprefix("linphonec> ")))
                    self._cond.notify_all()
            elif self.process is None or not self.process.running:
                return
            else:
                time.sleep(0.02)

    def command(self, line: str) -> None:
        """Type one line at its prompt."""
        popen = self.process.popen if self.process else None
        if popen is None or popen.stdin is None or popen.poll() is not None:
            raise LinphoneError(f"{self.name} is not running")
        try:
            popen.stdin.write(line.encode() + b"\n")
            popen.stdin.flush()
        except OSError as exc:
            raise LinphoneError(f"{self.name}: cannot write to its console: {exc}") from exc
        time.sleep(0.1)  # it reads one line per main-loop iteration

    def output(self) -> str:
        with self._cond:
            return "\n".join(line for _, line in self._lines)

    def mark(self) -> int:
        with self._cond:
            return len(self._lines)

    def _lines_since(self, since: int) -> list[tuple[float, str]]:
        with self._cond:
            return list(self._lines[since:])

    def wait_output(self, pattern: str, timeout: float = 10.0, *, since: int = 0) -> re.Match[str]:
        """The first console line (from index ``since``) matching ``pattern``; raise if none."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for _, line in self._lines[since:]:
                    m = regex.search(line)
                    if m:
                        return m
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self.running:
                    tail = "\n".join(line for _, line in self._lines[-30:])
                    raise LinphoneError(
                        f"{self.name}: no line matching {pattern!r} in {timeout} s; tail:\n{tail}"
                    )
                self._cond.wait(min(remaining, 0.2))

    # --- calls -----------------------------------------------------------------

    def call(self, uri: str) -> None:
        self.command(f"call {uri}")

    def answer(self) -> None:
        self.command("answer")

    def terminate(self) -> None:
        self.command("terminate")

    def pause(self) -> None:
        """Hold the current call (linphonec calls it pause)."""
        self.command("pause")

    def resume(self) -> None:
        self.command("resume")

    def send_dtmf(self, digits: str, gap: float = 0.3) -> None:
        """Send DTMF during a call: a digit typed alone at the prompt is sent as a tone
        (RFC 4733 by default)."""
        for digit in digits:
            if digit not in "0123456789*#ABCD":
                raise ValueError(f"not a DTMF digit: {digit!r}")
            self.command(digit)
            time.sleep(gap)

    def tones_received(self) -> str:
        return "".join(
            m.group(1) for _, line in self._lines_since(0) if (m := re.search(TONE, line))
        )
