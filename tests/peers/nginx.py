"""A throwaway nginx on 127.0.0.1 serving files over HTTP and HTTPS (XML phone books,
provisioning files), with Basic auth, ETag/304 and a few redirects.

    with Nginx(tmp_path / "nginx", root=books, users={"anna": "secret"}, certs=session_certs()) as web:
        web.url("/books/yealink.xml")            # http://127.0.0.1:PORT/books/yealink.xml
        web.url("/private/x.xml", tls=True)      # https, Basic auth ("Parley phone books")
        web.requests()                           # the access log: what nginx was asked

What it serves (besides the files of `root`):

- `/private/…`: Basic auth, realm `Parley phone books`, users from `users`;
- `/redirect/PATH` → 302 to `/PATH`; `/loop-a` ↔ `/loop-b` redirect to each other;
- `/chain/N/PATH` → 302 to `/chain/N-1/PATH`, … → `/PATH` (N redirects in a row, N ≤ 9);
- gzip for XML bodies; nginx's own ETag and Last-Modified (304 on If-None-Match).

Started as `nginx -p RUN -c RUN/nginx.conf -e RUN/error.log -g 'daemon off;'` with every
temp path inside RUN (the defaults under /var/lib/nginx break non-root starts); as root,
the workers stay root (`user root`) so they can read pytest's private temp folders.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

from peers.certs import Certs
from peers.common import Process, free_port, require_binary, wait_for_port

REALM = "Parley phone books"
# One line per request: what a test checks about the wire.
LOG_FORMAT = '$request_method $request_uri $status "$remote_user" "$http_if_none_match" "$http_authorization"'


class Nginx:
    """nginx in the foreground on 127.0.0.1 (`port` HTTP, `tls_port` HTTPS); stopped by pid."""

    def __init__(
        self,
        workdir: Path | str,
        *,
        root: Path | str,
        users: dict[str, str] | None = None,
        certs: Certs | None = None,
        port: int | None = None,
        tls_port: int | None = None,
        extra: str = "",
    ) -> None:
        self.workdir = Path(workdir)
        self.root = Path(root)
        self.users = dict(users or {})
        self.certs = certs
        self.port = port if port is not None else free_port("tcp")
        self.tls_port = (tls_port if tls_port is not None else free_port("tcp")) if certs else None
        self.extra = extra
        self.process: Process | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def url(self, path: str = "/", *, tls: bool = False) -> str:
        if tls:
            if self.tls_port is None:
                raise RuntimeError("this nginx was started without certificates")
            return f"https://127.0.0.1:{self.tls_port}{path}"
        return f"http://127.0.0.1:{self.port}{path}"

    def config(self) -> str:
        run = self.workdir
        temp = "\n".join(
            f"    {name}_temp_path {run / 'tmp' / name};"
            for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        tls = ""
        if self.certs is not None:
            tls = (
                f"        listen 127.0.0.1:{self.tls_port} ssl;\n"
                f"        ssl_certificate {self.certs.cert_file};\n"
                f"        ssl_certificate_key {self.certs.key_file};\n"
            )
        user = "user root;\n" if os.geteuid() == 0 else ""
        chain = "".join(
            f"        location ~ ^/chain/{n}/(.+)$ {{ return 302 /{hop}$1; }}\n"
            for n in range(1, 10)
            for hop in [f"chain/{n - 1}/" if n > 1 else ""]
        )
        return f"""{user}worker_processes 1;
pid {run / "nginx.pid"};
error_log {run / "error.log"} info;
events {{ worker_connections 64; }}
http {{
{temp}
    log_format parley '{LOG_FORMAT}';
    access_log {run / "access.log"} parley;
    types {{ application/xml xml; text/plain txt; text/html html; }}
    default_type application/octet-stream;
    gzip on;
    gzip_types application/xml;
    gzip_min_length 1;
    server {{
        listen 127.0.0.1:{self.port};
{tls}        server_name localhost;
        root {self.root};
        location /private/ {{
            auth_basic "{REALM}";
            auth_basic_user_file {run / "htpasswd"};
        }}
        location = /loop-a {{ return 302 /loop-b; }}
        location = /loop-b {{ return 302 /loop-a; }}
{chain}        location ~ ^/redirect/(.+)$ {{ return 302 /$1; }}
{self.extra}
    }}
}}
"""

    def start(self) -> Nginx:
        """Start and wait for the ports; skips (fails under CI=true) without nginx."""
        binary = require_binary("nginx")
        run = self.workdir
        (run / "tmp").mkdir(parents=True, exist_ok=True)
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (run / "tmp" / name).mkdir(exist_ok=True)
        (run / "htpasswd").write_text(
            "".join(f"{user}:{{PLAIN}}{password}\n" for user, password in self.users.items())
        )
        (run / "nginx.conf").write_text(self.config())
        self.process = Process(
            [
                binary,
                "-p",
                str(run),
                "-c",
                str(run / "nginx.conf"),
                "-e",
                str(run / "error.log"),
                "-g",
                "daemon off;",
            ],
            log_path=run / "nginx.log",
            name="nginx",
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

    def stop(self) -> None:
        """Stop by pid (SIGTERM to its process group, then SIGKILL)."""
        if self.process is not None:
            self.process.stop()

    def __enter__(self) -> Nginx:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
