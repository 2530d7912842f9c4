"""A settings file in issue #10's names, end to end: an XML phone book source written as
`type = "xml"`, `url`, `username`, `password` (in the file) and `auth = "digest"` loads,
and the running application fetches the book from Apache with Digest auth using that
password (Apache's log shows the user); the same source saved back keeps the password in
its own file and writes the issue's names."""

from __future__ import annotations

import tempfile
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.app import Application
from parley.media.engine import AudioConfig
from parley.settings import load_settings, save_settings
from peers.apache import Apache
from peers.certs import Certs, session_certs
from peers.common import wait_until
from phonebook_samples import FORMATS

USERS = {"bob": "hunter2"}


@pytest.fixture(scope="module")
def apache() -> Iterator[tuple[Apache, Certs]]:
    base = Path(tempfile.mkdtemp(prefix="parley-srckeys-"))
    base.chmod(0o755)
    private = base / "www" / "private"
    private.mkdir(parents=True)
    (private / "cisco.xml").write_bytes(FORMATS["cisco"])
    certs = session_certs()
    with Apache(base / "apache", root=base / "www", users=USERS, certs=certs) as server:
        yield server, certs


def test_a_source_in_the_issues_names_fetches_with_its_file_password(
    apache: tuple[Apache, Certs], tmp_path: Path
) -> None:
    server, certs = apache
    path = tmp_path / "settings.toml"
    path.write_text(
        "[[contacts.sources]]\n"
        'id = "book"\nname = "PBX book"\ntype = "xml"\n'
        f'url = "{server.url("/private/cisco.xml", tls=True)}"\n'
        f'username = "bob"\npassword = "{USERS["bob"]}"\nauth = "digest"\n'
        f'ca_file = "{certs.ca_file}"\n'
    )
    path.chmod(0o600)
    mark = len(server.requests())
    app = Application(
        path,
        use_keyring=False,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
        default_region="DE",
    )
    app.start().result(20)
    try:
        wait_until(
            lambda: any(' 200 "bob"' in line for line in server.requests()[mark:]), timeout=20
        )
        lines = server.requests()[mark:]
        assert lines[0].startswith('GET /private/cisco.xml 401 "-"'), lines
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and app.caller("5001") is None:
            time.sleep(0.02)
        match = app.caller("5001")
        assert match is not None and match.source_id == "book"
    finally:
        app.stop()
    # Saved back to its own file: the password stays there, in the issue's names.
    settings = load_settings(path)
    save_settings(settings, path)
    written = tomllib.loads(path.read_text())["contacts"]["sources"][1]
    assert (written["type"], written["auth"], written["password"]) == ("xml", "digest", "hunter2")
    assert written["url"].startswith("https://127.0.0.1:") and "location" not in written
