"""Radicale 3, a CardDAV server, for the CardDAV contact source tests.

    with Radicale(tmp_path, {"anna": "s3cret"}) as dav:
        dav.make_addressbook("anna", "work", "Work")
        dav.put_vcard("anna", "work", "berg.vcf", CARD)
        ...  # http://127.0.0.1:dav.port/

Started as `python -m radicale` from the test's own interpreter (Radicale is in the
test extra), bound to 127.0.0.1 only, with a throwaway config and storage folder, plain
htpasswd users (Radicale checks the password on every request: plain keeps that cheap)
and no delay after a failed login. Stopped by pid.

Changes "on the server" are made the way another client would make them: over HTTP
(MKCOL, PUT, DELETE) with the owner's credentials, so Radicale's own sync tokens and
ETags move as they do in real life. With `certs` it serves HTTPS only.
"""

from __future__ import annotations

import ssl
import sys
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx

from peers.certs import Certs
from peers.common import LOOPBACK, Process, free_port, missing_peer, wait_for_port

REALM = "Parley Test CardDAV"


def radicale_available() -> bool:
    try:
        import radicale  # noqa: F401
    except ImportError:
        return False
    return True


class Radicale:
    def __init__(
        self,
        workdir: Path | str,
        users: Mapping[str, str],
        *,
        port: int | None = None,
        certs: Certs | None = None,
    ) -> None:
        self.workdir = Path(workdir)
        self.certs = certs
        self.users = dict(users)
        self.host = LOOPBACK
        self.port = port if port is not None else free_port("tcp")
        self.process: Process | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def root(self) -> str:
        scheme = "https" if self.certs is not None else "http"
        return f"{scheme}://{self.host}:{self.port}/"

    def book_url(self, user: str, book: str) -> str:
        return f"{self.root}{user}/{book}/"

    def config(self) -> str:
        d = self.workdir
        tls = ""
        if self.certs is not None:
            tls = f"ssl = True\ncertificate = {self.certs.cert_file}\nkey = {self.certs.key_file}\n"
        return f"""[server]
hosts = {self.host}:{self.port}
max_connections = 8
{tls}
[auth]
type = htpasswd
htpasswd_filename = {d / "users"}
htpasswd_encryption = plain
realm = {REALM}
delay = 0
cache_logins = false

[rights]
type = owner_only

[storage]
filesystem_folder = {d / "collections"}

[web]
type = none

[logging]
level = warning
mask_passwords = true
"""

    def start(self) -> Radicale:
        if not radicale_available():
            missing_peer("radicale is not installed (pip install -e '.[test]')")
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "users").write_text(
            "".join(f"{user}:{password}\n" for user, password in self.users.items())
        )
        conf = self.workdir / "radicale.conf"
        # The port is only known free when chosen: another run's peer may take it before
        # Radicale binds it. Then Radicale exits (or someone else answers): try another.
        for attempt in range(3):
            conf.write_text(self.config())
            self.process = Process(
                [sys.executable, "-m", "radicale", "--config", str(conf)],
                log_path=self.workdir / "radicale.log",
                name="radicale",
            ).start()
            try:
                wait_for_port(self.port, "tcp", process=self.process, timeout=30.0)
                if self._answers_as_radicale():
                    return self
            except RuntimeError:
                if attempt == 2:
                    raise
            self.process.stop()
            self.port = free_port("tcp")
        raise RuntimeError(f"radicale did not start; log tail:\n{self.process.log_tail()}")

    def _answers_as_radicale(self) -> bool:
        verify: ssl.SSLContext | bool = True
        if self.certs is not None:
            verify = ssl.create_default_context(cafile=str(self.certs.ca_file))
        try:
            response = httpx.options(self.root, timeout=10.0, verify=verify, trust_env=False)
        except httpx.HTTPError:
            return False
        running = self.process is not None and self.process.running
        return running and "addressbook" in response.headers.get("dav", "")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def __enter__(self) -> Radicale:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- changes made by "another client" --------------------------------------------

    def _client(self, user: str) -> httpx.Client:
        verify: ssl.SSLContext | bool = True
        if self.certs is not None:
            verify = ssl.create_default_context(cafile=str(self.certs.ca_file))
        return httpx.Client(
            auth=(user, self.users[user]), timeout=30.0, trust_env=False, verify=verify
        )

    def make_addressbook(self, user: str, book: str, display_name: str) -> str:
        """An address book made with an extended MKCOL (RFC 5689), as a client does."""
        body = f"""<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
  <D:set><D:prop>
    <D:resourcetype><D:collection/><C:addressbook/></D:resourcetype>
    <D:displayname>{display_name}</D:displayname>
  </D:prop></D:set>
</D:mkcol>"""
        url = self.book_url(user, book)
        with self._client(user) as client:
            response = client.request(
                "MKCOL", url, content=body, headers={"Content-Type": "application/xml"}
            )
        if response.status_code != 201:
            raise RuntimeError(f"MKCOL {url}: {response.status_code} {response.text[:300]}")
        return url

    def put_vcard(self, user: str, book: str, name: str, card: str | bytes) -> str:
        """A card PUT as a client uploads it (one without a UID gets one, as
        clients add it: exports such as Google's have none, Radicale wants one)."""
        url = self.book_url(user, book) + name
        data = card.encode() if isinstance(card, str) else card
        if b"\nUID:" not in data:
            data = data.replace(b"\nVERSION:", f"\nUID:{name}\r\nVERSION:".encode(), 1)
        with self._client(user) as client:
            response = client.put(
                url, content=data, headers={"Content-Type": "text/vcard; charset=utf-8"}
            )
        if response.status_code not in (201, 204):
            raise RuntimeError(f"PUT {url}: {response.status_code} {response.text[:300]}")
        return url

    def delete(self, user: str, book: str, name: str) -> None:
        url = self.book_url(user, book) + name
        with self._client(user) as client:
            response = client.delete(url)
        if response.status_code not in (200, 204):
            raise RuntimeError(f"DELETE {url}: {response.status_code} {response.text[:300]}")
