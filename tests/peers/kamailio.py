"""Kamailio 5.6 as the test PBX: registrar with digest auth, proxy, TLS.

Usage::

    kam = Kamailio(tmp_path / "kamailio", {"1001": "pass1001"},
                   udp_port=free_port("both"), tcp_port=..., tls_port=free_port("tcp"))
    kam.start()
    ...
    kam.lookup("1001")   # registered contacts
    kam.stop()

The configuration is tests/peers/kamailio.cfg with its placeholders
filled in; optional parts are switched on with defines (-A NAME).
``presence=True`` adds the presence server, BLF (dialog-info of proxied calls),
MWI and offline messages (msilo); see tests/peers/README.md and
peers.presence_rig for clients, and ``presentities()``, ``dialogs()``,
``stored_messages()`` to look inside.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from peers.certs import Certs, session_certs
from peers.common import LOOPBACK, Process, free_port, require_binary, wait_for_port, wait_until

TEMPLATE = Path(__file__).with_name("kamailio.cfg")

# A unix socket path must fit in sockaddr_un.sun_path (108 bytes with the NUL).
_MAX_UNIX_PATH = 100

# db_text table headers; the version table records the schema version each
# module expects (subscriber is at version 7 in Kamailio 5.6).
_VERSION_TABLE = "table_name(string) table_version(int)\nsubscriber:7\n"

# The presence server's tables (WITH_PRESENCE), as Debian's db_text schema has
# them. publ_cache=2 and subs_db_mode=0 keep presentities and watchers in memory,
# but the modules check the versions at start and msilo stores into ``silo``.
_PRESENCE_TABLES = {
    "presentity": (
        5,
        "id(int,auto) username(string) domain(string) event(string) etag(string) "
        "expires(int) received_time(int) body(string) sender(string) priority(int) "
        "ruid(string,null)\n",
    ),
    "active_watchers": (
        12,
        "id(int,auto) presentity_uri(string) watcher_username(string) "
        "watcher_domain(string) to_user(string) to_domain(string) event(string) "
        "event_id(string,null) to_tag(string) from_tag(string) callid(string) "
        "local_cseq(int) remote_cseq(int) contact(string) record_route(string,null) "
        "expires(int) status(int) reason(string,null) version(int) socket_info(string) "
        "local_contact(string) from_user(string) from_domain(string) updated(int) "
        "updated_winfo(int) flags(int) user_agent(string,null)\n",
    ),
    "watchers": (
        3,
        "id(int,auto) presentity_uri(string) watcher_username(string) "
        "watcher_domain(string) event(string) status(int) reason(string,null) "
        "inserted_time(int)\n",
    ),
    "xcap": (
        4,
        "id(int,auto) username(string) domain(string) doc(string) doc_type(int) "
        "etag(string) source(int) doc_uri(string) port(int)\n",
    ),
    "pua": (
        7,
        "id(int,auto) pres_uri(string) pres_id(string) event(int) expires(int) "
        "desired_expires(int) flag(int) etag(string) tuple_id(string,null) "
        "watcher_uri(string) call_id(string) to_tag(string) from_tag(string) cseq(int) "
        "record_route(string,null) contact(string) remote_contact(string) version(int) "
        "extra_headers(string)\n",
    ),
    "silo": (
        8,
        "id(int,auto) src_addr(string) dst_addr(string) username(string) domain(string) "
        "inc_time(int) exp_time(int) snd_time(int) ctype(string) body(string,null) "
        "extra_hdrs(string,null) callid(string,null) status(int,null)\n",
    ),
    "dialog": (
        7,
        "id(int,auto) hash_entry(int) hash_id(int) callid(string) from_uri(string) "
        "from_tag(string) to_uri(string) to_tag(string) caller_cseq(string) "
        "callee_cseq(string) caller_route_set(string,null) callee_route_set(string,null) "
        "caller_contact(string) callee_contact(string) caller_sock(string) "
        "callee_sock(string) state(int) start_time(int) timeout(int) sflags(int) "
        "iflags(int) toroute_name(string,null) req_uri(string) xdata(string,null)\n",
    ),
    "dialog_vars": (
        1,
        "id(int,auto) hash_entry(int) hash_id(int) dialog_key(string) dialog_value(string)\n",
    ),
}
_SUBSCRIBER_HEADER = (
    "id(int,auto) username(string) domain(string) password(string) "
    "ha1(string) ha1b(string) email_address(string,null) rpid(string,null)\n"
)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _escape_db_text(value: str) -> str:
    """db_text separates columns with ':' and escapes with a backslash."""
    return value.replace("\\", "\\\\").replace(":", "\\:").replace("\n", "\\n")


class Kamailio:
    """One Kamailio process on 127.0.0.1 with UDP, TCP and TLS listeners.

    The realm of the digest challenge is the From domain of the request
    (``127.0.0.1`` for ``sip:1001@127.0.0.1:PORT``); passwords are checked
    whatever realm the client answers with.
    """

    def __init__(
        self,
        workdir: Path,
        users: Mapping[str, str],
        *,
        udp_port: int,
        tcp_port: int,
        tls_port: int,
        nat_helpers: bool = False,
        call_auth: bool = True,
        presence: bool = False,
        defines: Iterable[str] = (),
        certs: Certs | None = None,
        realm: str | None = None,
        tls_server: Mapping[str, str] | None = None,
        host: str = LOOPBACK,
        netns: str | None = None,
    ) -> None:
        # host: the address to listen on, 127.0.0.1 or "::1" (IPv6 tests). The realm
        # is the From domain, so it is "[::1]" on IPv6 unless given.
        self.listen_ip = host
        # netns: run inside that network namespace (host is then one of its addresses);
        # the ctl socket is a file, so kamcmd reaches it from outside.
        self.netns = netns
        self.listen_host = f"[{host}]" if ":" in host else host
        self.binary = require_binary("kamailio")
        self.kamcmd = require_binary("kamcmd")
        self.workdir = Path(workdir)
        self.users = dict(users)
        self.udp_port = udp_port
        self.tcp_port = tcp_port
        self.tls_port = tls_port
        self.realm = realm if realm is not None else self.listen_host
        self.defines = list(defines)
        if nat_helpers:
            self.defines.append("WITH_NAT")
        if not call_auth:
            self.defines.append("WITHOUT_CALL_AUTH")
        if presence and "WITH_PRESENCE" not in self.defines:
            self.defines.append("WITH_PRESENCE")
        self.certs = certs if certs is not None else session_certs()
        # Keys of tls.cfg's [server:default] to set or replace, e.g. method = "TLSv1.2",
        # cipher_list, verify_certificate/require_certificate with ca_list (client certs).
        self.tls_server = dict(tls_server or {})
        self.config_path = self.workdir / "kamailio.cfg"
        self.db_dir = self.workdir / "db"
        self.log_path = self.workdir / "kamailio.log"
        self.ctl_socket = self._ctl_socket_path()
        self.process: Process | None = None
        self._write_files()

    @property
    def presence(self) -> bool:
        """True when the presence server, dialog tracking and msilo are on."""
        return "WITH_PRESENCE" in self.defines

    # --- addresses -----------------------------------------------------------

    @property
    def host(self) -> str:
        """The listen address in socket form (no brackets)."""
        return self.listen_ip

    @property
    def uri_host(self) -> str:
        """The listen address as a SIP URI writes it ("[::1]" on IPv6)."""
        return self.listen_host

    @property
    def ca_file(self) -> Path:
        """CA certificate that signed the TLS server certificate."""
        return self.certs.ca_file

    def uri(self, user: str | None = None, transport: str = "udp") -> str:
        """SIP URI of the proxy (or of ``user`` at it) for ``transport``."""
        port = {"udp": self.udp_port, "tcp": self.tcp_port, "tls": self.tls_port}[transport]
        scheme = "sips" if transport == "tls" else "sip"
        userpart = f"{user}@" if user else ""
        param = "" if transport == "udp" else f";transport={transport}"
        return f"{scheme}:{userpart}{self.listen_host}:{port}{param}"

    # --- files -------------------------------------------------------------

    def _ctl_socket_path(self) -> Path:
        path = self.workdir / "ctl.sock"
        if len(str(path)) <= _MAX_UNIX_PATH:
            return path
        # pytest's tmp paths can be long: put the socket somewhere short.
        short = Path(tempfile.mkdtemp(prefix="kam-"))
        return short / "ctl.sock"

    def _write_files(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.db_dir.mkdir(exist_ok=True)
        version = _VERSION_TABLE
        if self.presence:
            for table, (table_version, header) in _PRESENCE_TABLES.items():
                version += f"{table}:{table_version}\n"
                (self.db_dir / table).write_text(header)
        (self.db_dir / "version").write_text(version)
        rows = [_SUBSCRIBER_HEADER]
        for i, (user, password) in enumerate(self.users.items(), start=1):
            # Non-empty ha1/ha1b are required by db_text even with calculate_ha1.
            ha1 = _md5(f"{user}:{self.realm}:{password}")
            ha1b = _md5(f"{user}@{self.realm}:{self.realm}:{password}")
            cols = [str(i), user, self.realm, password, ha1, ha1b, "", ""]
            rows.append(":".join(_escape_db_text(c) for c in cols) + "\n")
        (self.db_dir / "subscriber").write_text("".join(rows))

        tls_cfg = self.workdir / "tls.cfg"
        server = {
            "method": "TLSv1.2+",
            "verify_certificate": "no",
            "require_certificate": "no",
            "private_key": str(self.certs.key_file),
            "certificate": str(self.certs.cert_file),
            **self.tls_server,
        }
        tls_cfg.write_text(
            "[server:default]\n"
            + "".join(f"{key} = {value}\n" for key, value in server.items())
            + "\n"
            "[client:default]\n"
            "method = TLSv1.2+\n"
            "verify_certificate = no\n"
            "require_certificate = no\n"
        )

        values = {
            "UDP_PORT": str(self.udp_port),
            "TCP_PORT": str(self.tcp_port),
            "TLS_PORT": str(self.tls_port),
            "CTL_SOCKET": str(self.ctl_socket),
            "DB_DIR": str(self.db_dir),
            "TLS_CFG": str(tls_cfg),
            "LISTEN_HOST": self.listen_host,
            "LISTEN_IP": self.listen_ip,
        }
        text = TEMPLATE.read_text()
        for name, value in values.items():
            text = text.replace(f"@@{name}@@", value)
        leftover = re.findall(r"@@\w+@@", text)
        if leftover:
            raise ValueError(f"unfilled placeholders in {TEMPLATE}: {leftover}")
        self.config_path.write_text(text)

    # --- life cycle --------------------------------------------------------------

    def argv(self) -> list[str]:
        argv = [self.binary, "-f", str(self.config_path), "-DD", "-E", "-m", "64", "-M", "8"]
        argv += ["-Y", str(self.workdir), "-w", str(self.workdir)]
        for define in self.defines:
            argv += ["-A", define]
        if self.netns is not None:
            argv = ["ip", "netns", "exec", self.netns, *argv]
        return argv

    def check_config(self) -> None:
        """Let Kamailio parse the configuration (-c); raise with its output if bad."""
        result = subprocess.run(
            [*self.argv(), "-c"], capture_output=True, text=True, timeout=30, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"kamailio -c failed:\n{result.stdout}{result.stderr}")

    def start(self, timeout: float = 15.0) -> Kamailio:
        if self.process is not None and self.process.running:
            raise RuntimeError("Kamailio is already running")
        self.ctl_socket.unlink(missing_ok=True)
        self.process = Process(self.argv(), log_path=self.log_path, name="kamailio")
        self.process.start()
        try:
            listeners = ((self.udp_port, "udp"), (self.tcp_port, "tcp"), (self.tls_port, "tcp"))
            # In a namespace our probes cannot see its ports: the ctl socket is the sign.
            for port, kind in listeners if self.netns is None else ():
                wait_for_port(port, kind, host=self.host, timeout=timeout, process=self.process)
            # The ctl process may come up a moment after the listeners.
            if not wait_until(self.ctl_socket.exists, timeout=timeout):
                raise TimeoutError(f"no ctl socket at {self.ctl_socket}")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        self.ctl_socket.unlink(missing_ok=True)

    def restart(self) -> Kamailio:
        """Stop and start again on the same ports; registrations are lost."""
        self.stop()
        return self.start()

    def close(self) -> None:
        """Stop and remove a ctl socket directory made outside the workdir."""
        self.stop()
        if self.ctl_socket.parent != self.workdir:
            shutil.rmtree(self.ctl_socket.parent, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.running

    def log_text(self) -> str:
        return self.process.log_text() if self.process else ""

    def __enter__(self) -> Kamailio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- inspection over the ctl socket ---------------------------------------

    def rpc(self, *command: str, check: bool = True) -> str:
        """Run ``kamcmd`` against this instance; return its output."""
        result = subprocess.run(
            [self.kamcmd, "-s", f"unix:{self.ctl_socket}", *command],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        output = result.stdout + result.stderr
        if check and result.returncode != 0:
            raise RuntimeError(f"kamcmd {' '.join(command)} failed: {output.strip()}")
        return output

    def lookup(self, user: str) -> list[str]:
        """Contacts registered for ``user`` (empty when none)."""
        output = self.rpc("ul.lookup", "location", f"s:{user}", check=False)
        if re.search(r"error:\s*404|not found", output, flags=re.IGNORECASE):
            return []
        contacts = re.findall(r"^\s*Address:\s*(\S+)\s*$", output, flags=re.MULTILINE)
        if not contacts and "AoR" not in output:
            raise RuntimeError(f"unexpected kamcmd ul.lookup output: {output.strip()}")
        return contacts

    def dump(self) -> str:
        """The whole location table, as kamcmd prints it."""
        return self.rpc("ul.dump")

    # --- presence server (presence=True) ----------------------------------------

    def presentities(self) -> list[dict[str, str]]:
        """Published states held by the presence server (``presence.presentity_list full``).

        One dict per publication with ``user``, ``domain``, ``event``, ``etag``,
        ``expires`` (epoch), ``received_time``, ``ruid``, ``body`` (the document as
        published) among others.
        """
        return parse_kamcmd_structs(self.rpc("presence.presentity_list", "full"))

    def dialogs(self) -> list[dict[str, str]]:
        """Dialogs the dialog module tracks (``dlg.list``), top-level fields only:
        ``call-id``, ``from_uri``, ``to_uri``, ``state`` (1 unconfirmed, 2 early,
        3 confirmed, 4 confirmed with ACK, 5 deleted), ``start_ts``, ...
        """
        return parse_kamcmd_structs(self.rpc("dlg.list"))

    def stored_messages(self) -> list[dict[str, str]]:
        """Offline MESSAGEs msilo holds (rows of the ``silo`` table).

        db_text keeps tables in memory: ``db_text.dump`` writes them out first.
        Keys: ``src_addr``, ``dst_addr``, ``username``, ``domain``, ``ctype``,
        ``body``, ``inc_time``, ``exp_time``, ``snd_time``, ...
        """
        self.rpc("db_text.dump")
        return read_db_text_table(self.db_dir / "silo")


@contextmanager
def running_kamailio(
    workdir: Path, users: Mapping[str, str], *, presence: bool = False
) -> Iterator[Kamailio]:
    """A started Kamailio on free ports, closed after: UDP and TCP share one port (as
    on a PBX's 5060), TLS has its own."""
    port = free_port("both")
    kam = Kamailio(
        workdir, users, udp_port=port, tcp_port=port, tls_port=free_port("tcp"), presence=presence
    )
    kam.start()
    try:
        yield kam
    finally:
        kam.close()


def parse_kamcmd_structs(output: str) -> list[dict[str, str]]:
    """The top-level ``{ key: value ... }`` blocks kamcmd prints, as dicts.

    Nested blocks are skipped; a value that runs over several lines (a body)
    is kept whole.
    """
    items: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    key = ""
    depth = 0
    for line in output.splitlines():
        stripped = line.strip()
        if depth == 0 and stripped == "{":
            current, key, depth = {}, "", 1
            continue
        if current is None:
            continue
        if stripped == "}" and depth == 1 and not line.startswith("\t"):
            items.append(current)
            current, depth = None, 0
            continue
        if depth > 1:
            depth += stripped.endswith("{") - (stripped in ("}", "},"))
            continue
        match = re.match(r"^\t(\w[\w-]*): ?(.*)$", line)
        if match:
            key = match.group(1)
            if match.group(2).strip() == "{":
                depth += 1
                continue
            current[key] = match.group(2)
        elif key:
            current[key] += "\n" + line
    return items


def read_db_text_table(path: Path) -> list[dict[str, str]]:
    """Rows of a db_text table file (header of ``name(type)`` columns, ':' separated)."""
    lines = path.read_text().splitlines()
    if not lines:
        return []
    names = [re.sub(r"\(.*", "", col) for col in lines[0].split()]
    rows = []
    for line in lines[1:]:
        if not line:
            continue
        values = re.split(r"(?<!\\):", line)
        unescaped = [
            v.replace("\\:", ":").replace("\\n", "\n").replace("\\\\", "\\") for v in values
        ]
        rows.append(dict(zip(names, unescaped, strict=False)))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run a test PBX in the foreground until Ctrl-C (``scripts/pbx``)."""
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Kamailio test PBX on 127.0.0.1")
    parser.add_argument("--port", type=int, default=5060, help="UDP and TCP port (5060)")
    parser.add_argument("--tls-port", type=int, default=5061, help="TLS port (5061)")
    parser.add_argument("--nat-helpers", action="store_true", help="enable the NAT helpers")
    parser.add_argument(
        "--presence", action="store_true", help="presence server, BLF, MWI and msilo"
    )
    parser.add_argument("--workdir", type=Path, help="where to write config and logs")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="parley-pbx-"))
    users = {f"100{i}": f"pass100{i}" for i in (1, 2, 3)}
    kam = Kamailio(
        workdir,
        users,
        udp_port=args.port,
        tcp_port=args.port,
        tls_port=args.tls_port,
        nat_helpers=args.nat_helpers,
        presence=args.presence,
    )
    with kam:
        print(f"Kamailio on {LOOPBACK}: udp/tcp {args.port}, tls {args.tls_port}")
        print(f"users: {', '.join(f'{u}/{p}' for u, p in users.items())}")
        print(f"CA certificate: {kam.ca_file}; log: {kam.log_path}")
        if kam.presence:
            print("presence server on: PUBLISH/SUBSCRIBE presence, dialog, message-summary; msilo")
        print("Ctrl-C stops it.")
        try:
            while kam.running:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
