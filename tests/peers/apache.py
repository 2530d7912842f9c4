"""A throwaway Apache httpd on 127.0.0.1 with HTTP Digest auth (nginx has no digest
module): XML phone books and provisioning files behind Digest, over HTTP and HTTPS.

    with Apache(tmp_path / "apache", root=books, users={"anna": "secret"}, certs=certs) as web:
        web.url("/private/book.xml", tls=True)   # Digest, realm "Parley digest"
        web.requests()                           # the access log

`/private/…` needs Digest auth (realm `Parley digest`, MD5, qop=auth); everything else is
served as is, with Apache's ETag/Last-Modified. A config of our own in a temp dir
(`apache2 -f CONF -DFOREGROUND`), modules loaded from /usr/lib/apache2/modules; as root,
the children run as `nobody`/`nogroup`: the served tree and the password file are made
world-readable, and `root` and `workdir` must lie in folders anyone may enter (e.g. a
`tempfile.mkdtemp()` folder made 0755, not pytest's private tmp_path).
"""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import stat
from pathlib import Path
from types import TracebackType

from peers.certs import Certs
from peers.common import Process, free_port, require_binary, wait_for_port

REALM = "Parley digest"
MODULE_DIR = Path("/usr/lib/apache2/modules")
MODULES = (
    "mpm_event",
    "authn_core",
    "authz_core",
    "authn_file",
    "authz_user",
    "auth_digest",
    "mime",
    "alias",
    "ssl",
    "socache_shmcb",
)
LOG_FORMAT = '%m %U%q %>s "%u" "%{If-None-Match}i"'


def digest_line(user: str, realm: str, password: str) -> str:
    """One line of an htdigest file."""
    ha1 = hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()
    return f"{user}:{realm}:{ha1}\n"


def _readable_by_all(path: Path) -> None:
    """Let Apache's unprivileged children read `path` (and enter it, for a folder)."""
    mode = path.stat().st_mode
    extra = stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0)
    if mode & extra != extra:
        path.chmod(mode | extra)


class Apache:
    """apache2 in the foreground on 127.0.0.1 (`port` HTTP, `tls_port` HTTPS); stopped by pid."""

    def __init__(
        self,
        workdir: Path | str,
        *,
        root: Path | str,
        users: dict[str, str] | None = None,
        certs: Certs | None = None,
        port: int | None = None,
        tls_port: int | None = None,
    ) -> None:
        self.workdir = Path(workdir)
        self.root = Path(root)
        self.users = dict(users or {})
        self.certs = certs
        self.port = port if port is not None else free_port("tcp")
        self.tls_port = (tls_port if tls_port is not None else free_port("tcp")) if certs else None
        self.process: Process | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def url(self, path: str = "/", *, tls: bool = False) -> str:
        if tls:
            if self.tls_port is None:
                raise RuntimeError("this Apache was started without certificates")
            return f"https://127.0.0.1:{self.tls_port}{path}"
        return f"http://127.0.0.1:{self.port}{path}"

    def config(self) -> str:
        run = self.workdir
        modules = "\n".join(
            f"LoadModule {name}_module {MODULE_DIR / f'mod_{name}.so'}" for name in MODULES
        )
        user = ""
        if os.geteuid() == 0:
            group = "nogroup" if _group_exists("nogroup") else "nobody"
            user = f"User {pwd.getpwnam('nobody').pw_name}\nGroup {group}\n"
        tls = ""
        if self.certs is not None:
            tls = f"""Listen 127.0.0.1:{self.tls_port}
<VirtualHost 127.0.0.1:{self.tls_port}>
    SSLEngine on
    SSLCertificateFile {self.certs.cert_file}
    SSLCertificateKeyFile {self.certs.key_file}
</VirtualHost>
"""
        return f"""ServerRoot {run}
ServerName localhost
PidFile {run / "httpd.pid"}
DefaultRuntimeDir {run}
Mutex file:{run} default
{modules}
{user}Listen 127.0.0.1:{self.port}
ErrorLog {run / "error.log"}
LogLevel info
LogFormat '{LOG_FORMAT}' parley
CustomLog {run / "access.log"} parley
TypesConfig /dev/null
AddType application/xml .xml
DocumentRoot {self.root}
SSLSessionCache shmcb:{run / "ssl_scache"}(512000)
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory {self.root}>
    Require all granted
</Directory>
<Location /private/>
    AuthType Digest
    AuthName "{REALM}"
    AuthDigestDomain /private/
    AuthDigestProvider file
    AuthUserFile {run / "digest.pw"}
    Require valid-user
</Location>
{tls}"""

    def start(self) -> Apache:
        """Start and wait for the ports; skips (fails under CI=true) without apache2."""
        binary = require_binary("apache2")
        if not (MODULE_DIR / "mod_auth_digest.so").exists():
            from peers.common import missing_peer

            missing_peer(f"mod_auth_digest is not in {MODULE_DIR}")
        run = self.workdir
        run.mkdir(parents=True, exist_ok=True)
        passwords = run / "digest.pw"
        passwords.write_text("".join(digest_line(u, REALM, p) for u, p in self.users.items()))
        (run / "httpd.conf").write_text(self.config())
        if os.geteuid() == 0:
            _readable_by_all(run)
            _readable_by_all(passwords)
            for path in [self.root, *self.root.rglob("*")]:
                _readable_by_all(path)
        self.process = Process(
            [binary, "-f", str(run / "httpd.conf"), "-DFOREGROUND"],
            log_path=run / "apache.log",
            name="apache2",
        ).start()
        try:
            wait_for_port(self.port, "tcp", process=self.process, timeout=15.0)
            if self.tls_port is not None:
                wait_for_port(self.tls_port, "tcp", process=self.process, timeout=15.0)
        except BaseException:
            self.stop()
            raise
        return self

    def requests(self) -> list[str]:
        """The access log's lines so far (LOG_FORMAT)."""
        try:
            return (self.workdir / "access.log").read_text().splitlines()
        except OSError:
            return []

    def error_log(self) -> str:
        try:
            return (self.workdir / "error.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop by pid (SIGTERM to its process group, then SIGKILL)."""
        if self.process is not None:
            self.process.stop()

    def __enter__(self) -> Apache:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True
