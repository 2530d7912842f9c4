"""A throwaway CA and a server certificate for TLS peers, made with openssl.

The server certificate is valid for ``IP:127.0.0.1``, ``IP:::1``, ``IP:fd00:77::1`` (the IPv6
test host of test_ipv6_netns.py) and ``DNS:localhost``.
Keys are P-256 (fast to make); they are made once per test session.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from peers.common import require_binary


@dataclass(frozen=True)
class Certs:
    ca_file: Path
    ca_key: Path
    cert_file: Path
    key_file: Path


_SERVER_EXT = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = @@ALT_NAMES@@
"""


def make_certs(
    directory: Path,
    *,
    common_name: str = "localhost",
    alt_names: str = "IP:127.0.0.1, IP:::1, IP:fd00:77::1, DNS:localhost",
) -> Certs:
    """Create ca.crt/ca.key and server.crt/server.key (signed by the CA) in ``directory``;
    ``common_name``/``alt_names`` name the server (e.g. a name other than 127.0.0.1)."""
    openssl = require_binary("openssl")
    directory.mkdir(parents=True, exist_ok=True)
    certs = Certs(
        ca_file=directory / "ca.crt",
        ca_key=directory / "ca.key",
        cert_file=directory / "server.crt",
        key_file=directory / "server.key",
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=directory, check=True, capture_output=True)

    run(
        "req", "-x509", *ec, "-days", "3650", "-subj", "/CN=Parley Test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout", str(certs.ca_key), "-out", str(certs.ca_file),
    )  # fmt: skip
    run(
        "req",
        *ec,
        "-subj",
        f"/CN={common_name}",
        "-keyout",
        str(certs.key_file),
        "-out",
        "server.csr",
    )
    ext = _SERVER_EXT.replace("@@ALT_NAMES@@", alt_names)
    (directory / "server.ext").write_text(ext)
    run(
        "x509", "-req", "-in", "server.csr", "-days", "3650",
        "-CA", str(certs.ca_file), "-CAkey", str(certs.ca_key), "-CAcreateserial",
        "-extfile", "server.ext", "-out", str(certs.cert_file),
    )  # fmt: skip
    return certs


@functools.cache
def session_certs() -> Certs:
    """The certificates shared by every TLS peer of this test session."""
    directory = Path(tempfile.mkdtemp(prefix="parley-certs-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return make_certs(directory)
