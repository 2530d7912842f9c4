"""Provisioning against real servers: nginx (HTTPS, Basic auth, ETag/304) and Apache
(HTTPS, Digest) serve profiles; the real console provisions from them and registers at
Kamailio with what the profile says.

- First start from a URL: an empty settings file, `--provision URL`; the account of
  the profile registers; its password is not in the settings file.
- Unchanged profile: one request answered 304; a value changed by hand is written back.
- Changed profile (another user and password): applied by `provision`, re-registered
  at Kamailio as the new user without a restart.
- Broken profiles are refused whole and the settings file stays byte for byte.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import Event, ParleyConsole

from peers.apache import Apache
from peers.certs import Certs, session_certs
from peers.common import free_port, wait_until
from peers.kamailio import Kamailio
from peers.nginx import Nginx

pytestmark = pytest.mark.interop

PASSWORDS = {"1001": "pass1001", "1002": "pass1002"}
USERS = {"anna": "s3cret"}


def profile(kam: Kamailio, user: str, *, extra: str = "") -> str:
    return (
        '[profile]\nlocked = ["accounts.office.domain"]\n\n'
        "[media]\necho_cancellation = false\n"
        f"{extra}\n"
        f'[[accounts]]\nname = "office"\ndomain = "127.0.0.1:{kam.udp_port}"\n'
        f'username = "{user}"\npassword = "{PASSWORDS[user]}"\ntransport = "udp"\n'
    )


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    port = free_port("both")
    server = Kamailio(
        tmp_path_factory.mktemp("prov") / "kamailio",
        PASSWORDS,
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
    )
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def site() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="parley-provisioning-"))
    base.chmod(0o755)
    for folder in ("private", "public"):
        (base / "www" / folder).mkdir(parents=True)
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def certs() -> Certs:
    return session_certs()


@pytest.fixture(scope="module")
def nginx(site: Path, certs: Certs) -> Iterator[Nginx]:
    with Nginx(site / "nginx", root=site / "www", users=USERS, certs=certs) as server:
        yield server


@pytest.fixture(scope="module")
def apache(site: Path, certs: Certs) -> Iterator[Apache]:
    with Apache(site / "apache", root=site / "www", users=USERS, certs=certs) as server:
        yield server


_published = [0]


def publish(site: Path, name: str, text: str) -> None:
    """Write a profile; each one a later mtime, since nginx's ETag is the mtime in whole
    seconds and the size: two profiles of one size written in one second look the same."""
    path = site / "www" / "private" / name
    path.write_text(text)
    path.chmod(0o644)
    _published[0] += 1
    stamp = time.time() + 10 * _published[0]
    os.utime(path, (stamp, stamp))


def start(tmp: Path, *args: str) -> ParleyConsole:
    tmp.mkdir(exist_ok=True)
    config = tmp / "settings.toml"
    if not config.exists():
        config.write_text("")
    log_dir = tmp / "log"
    log_dir.mkdir(exist_ok=True)
    return ParleyConsole(config, log_dir=log_dir, extra=list(args))


def provisioning(state: str) -> Any:
    return lambda e: e.get("event") == "provisioning" and e.get("state") == state


def registered_as(kam: Kamailio, user: str) -> bool:
    return any(f"sip:{user}@" in contact for contact in kam.lookup(user))


def test_first_start_updates_and_hand_changes_through_nginx(
    kam: Kamailio, nginx: Nginx, site: Path, certs: Certs, tmp_path: Path
) -> None:
    publish(site, "office.toml", profile(kam, "1001"))
    url = nginx.url("/private/office.toml", tls=True)
    args = ["--provision", url, "--provision-user", "anna", "--provision-password", "s3cret"]
    args += ["--provision-ca", str(certs.ca_file)]
    console = start(tmp_path / "a", *args)
    config = tmp_path / "a" / "settings.toml"
    try:
        applied: Event = console.wait_for(provisioning("applied"), timeout=30)
        assert "accounts.office.username" in applied["changed"], applied
        console.wait_state("registered", timeout=30)
        text = config.read_text()
        assert "pass1001" not in text  # the password never reaches the file
        assert url in text and 'username = "1001"' in text

        # Unchanged: a 304, nothing rewritten.
        before = config.read_bytes()
        mark = len(nginx.requests())
        console.send("provision")
        console.wait_for(provisioning("unchanged"), timeout=90)
        assert wait_until(lambda: len(nginx.requests()) > mark, timeout=10)
        assert " 304 " in nginx.requests()[-1], nginx.requests()[-mark:]
        assert config.read_bytes() == before

        # Changed on the server: another user and password, re-registered at once.
        publish(site, "office.toml", profile(kam, "1002"))
        console.send("provision")
        changed: Event = console.wait_for(provisioning("applied"), timeout=30)
        assert "accounts.office.password" in changed["changed"], changed
        assert wait_until(lambda: registered_as(kam, "1002"), timeout=30)
    finally:
        console.quit()

    # A value changed by hand is written back at the next provisioning (a 304 too).
    text = config.read_text().replace("echo_cancellation = false", "echo_cancellation = true")
    config.write_text(text)
    # No keyring on this machine: "remember me" cannot keep the password, so it is given
    # again; the URL, user and CA file come from the settings the first run saved.
    again = start(tmp_path / "a", "--provision-password", "s3cret")
    try:
        back: Event = again.wait_for(lambda e: e.get("event") == "provisioning", timeout=30)
        assert back["state"] == "applied", back
        # The hand change is undone; the password is new to this run (no keyring here).
        assert set(back["changed"]) == {"media.echo_cancellation", "accounts.office.password"}
        again.wait_state("registered", timeout=30)
    finally:
        again.quit()
    assert "echo_cancellation = false" in config.read_text()


def test_digest_through_apache(
    kam: Kamailio, apache: Apache, site: Path, certs: Certs, tmp_path: Path
) -> None:
    publish(site, "digest.toml", profile(kam, "1001"))
    url = apache.url("/private/digest.toml", tls=True)
    console = start(
        tmp_path / "d", "--provision", url, "--provision-user", "anna",
        "--provision-password", "s3cret", "--provision-ca", str(certs.ca_file),
    )  # fmt: skip
    try:
        console.wait_for(provisioning("applied"), timeout=30)
        console.wait_state("registered", timeout=30)
    finally:
        console.quit()
    assert any('"anna"' in line and " 200 " in line for line in apache.requests()), (
        apache.requests()
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("[media\n", "bad_toml"),
        ("[media]\nno_such_setting = 1\n", "invalid"),
        ("[[accounts]]\nname = 'office'\ntransport = 'pigeon'\n", "invalid"),
        ("[profile]\nlocked = ['gui.theme']\n", "bad_profile_table"),
    ],
)
def test_a_broken_profile_is_refused_and_the_settings_stay(
    kam: Kamailio, nginx: Nginx, site: Path, certs: Certs, tmp_path: Path, body: str, problem: str
) -> None:
    good = nginx.url("/private/good.toml", tls=True)
    publish(site, "good.toml", profile(kam, "1001"))
    args = ["--provision", good, "--provision-user", "anna", "--provision-password", "s3cret"]
    console = start(tmp_path / "b", *args, "--provision-ca", str(certs.ca_file))
    config = tmp_path / "b" / "settings.toml"
    try:
        console.wait_state("registered", timeout=30)
        before = config.read_bytes()
        name = f"bad-{problem}.toml"
        publish(site, name, body)
        console.send(f"provision {nginx.url('/private/' + name, tls=True)}")
        failed: Event = console.wait_for(provisioning("failed"), timeout=30)
        assert failed["problem"] == problem, failed
        assert "last good settings stay" in failed["text"]
        assert config.read_bytes() == before
        console.send("accounts")
        reply = console.wait_for(lambda e: e.get("event") == "reply", 10)
        assert "registered" in reply["text"]
    finally:
        console.quit()


def test_wrong_password_http_and_untrusted_certificate_are_explained(
    kam: Kamailio, nginx: Nginx, site: Path, certs: Certs, tmp_path: Path
) -> None:
    publish(site, "office.toml", profile(kam, "1001"))
    cases = [
        (["--provision", nginx.url("/private/office.toml", tls=True), "--provision-user", "anna",
          "--provision-password", "wrong", "--provision-ca", str(certs.ca_file)], "auth_failed"),
        (["--provision", nginx.url("/private/office.toml")], "insecure"),
        (["--provision", nginx.url("/private/office.toml", tls=True), "--provision-user", "anna",
          "--provision-password", "s3cret"], "tls_failed"),
    ]  # fmt: skip
    for n, (args, problem) in enumerate(cases):
        console = start(tmp_path / f"e{n}", "--json", *args)
        try:
            event = console.wait_for(lambda e: e.get("event") == "provisioning", timeout=30)
            assert event["problem"] == problem, event
            assert console.proc.wait(30) == 2  # no account to use: says so and stops
        finally:
            console.stop()


WINDOWS_CONTACT = """<?xml version="1.0" encoding="UTF-8"?>
<c:contact c:Version="1" xmlns:c="http://schemas.microsoft.com/Contact">
<c:NameCollection><c:Name><c:FormattedName>Greta Windrich</c:FormattedName></c:Name>
</c:NameCollection>
<c:PhoneNumberCollection><c:PhoneNumber><c:Number>+49 30 5550199</c:Number>
<c:LabelCollection><c:Label>Voice</c:Label><c:Label>Business</c:Label></c:LabelCollection>
</c:PhoneNumber></c:PhoneNumberCollection>
</c:contact>
"""


def windows_source(folder: Path, *, enabled: bool) -> str:
    return (
        '\n[[contacts.sources]]\nid = "local"\nname = "Parley"\nkind = "local"\n\n'
        '[[contacts.sources]]\nid = "desk"\nname = "Windows contacts"\nkind = "windows"\n'
        f'folder = "{folder}"\nenabled = {"true" if enabled else "false"}\n'
    )


def search_reply(console: ParleyConsole, text: str) -> str:
    console.send(f"search {text}")
    event: Event = console.wait_for(lambda e: e.get("event") == "reply", timeout=20)
    return str(event["text"])


def test_the_profile_turns_the_windows_contact_source_on_and_off(
    kam: Kamailio, nginx: Nginx, site: Path, certs: Certs, tmp_path: Path
) -> None:
    """The manual's provisioned contact value: the Windows contact source on or off. The
    profile turns it on (its contacts are found), a later profile turns it off (gone)."""
    folder = tmp_path / "contacts"
    folder.mkdir()
    (folder / "Greta Windrich.contact").write_text(WINDOWS_CONTACT, encoding="utf-8")
    # The contacts table goes after the [media] table and before [[accounts]].
    publish(site, "desk.toml", profile(kam, "1001", extra=windows_source(folder, enabled=True)))
    url = nginx.url("/private/desk.toml", tls=True)
    args = ["--provision", url, "--provision-user", "anna", "--provision-password", "s3cret"]
    args += ["--provision-ca", str(certs.ca_file)]
    console = start(tmp_path / "w", *args)
    try:
        console.wait_for(provisioning("applied"), timeout=30)
        seen: list[str] = []

        def found() -> bool:
            seen.append(search_reply(console, "Windrich"))
            return "Greta Windrich" in seen[-1]

        assert wait_until(found, timeout=20), (
            seen[-2:],
            (tmp_path / "w" / "settings.toml").read_text(),
        )

        publish(
            site, "desk.toml", profile(kam, "1001", extra=windows_source(folder, enabled=False))
        )
        console.send("provision")
        changed: Event = console.wait_for(provisioning("applied"), timeout=30)
        assert any(key.startswith("contacts.sources") for key in changed["changed"]), changed
        assert "nothing found" in search_reply(console, "Windrich")
    finally:
        console.quit()
    assert "enabled = false" in (tmp_path / "w" / "settings.toml").read_text()


def test_remember_me_keeps_the_password_in_the_keyring(
    kam: Kamailio, nginx: Nginx, site: Path, certs: Certs, tmp_path: Path, monkeypatch: Any
) -> None:
    """ "Remember me" (on by default): the provisioning password goes to the keyring, never
    the settings file, and the next start provisions with it without being given it."""
    from peers.file_keyring import environment

    store = tmp_path / "keyring.json"
    for name, value in environment(store).items():
        monkeypatch.setenv(name, value)
    publish(site, "remember.toml", profile(kam, "1001"))
    url = nginx.url("/private/remember.toml", tls=True)
    args = ["--provision", url, "--provision-user", "anna", "--provision-password", "s3cret"]
    args += ["--provision-ca", str(certs.ca_file)]
    first = start(tmp_path / "r", *args)
    try:
        first.wait_for(provisioning("applied"), timeout=30)
        first.wait_state("registered", timeout=30)
    finally:
        first.quit()
    config = tmp_path / "r" / "settings.toml"
    assert "s3cret" not in config.read_text() and "pass1001" not in config.read_text()
    assert "s3cret" in store.read_text()  # the keyring has it

    mark = len(nginx.requests())
    again = start(tmp_path / "r")  # no --provision-password this time
    try:
        event: Event = again.wait_for(lambda e: e.get("event") == "provisioning", timeout=30)
        assert event["state"] in ("applied", "unchanged"), event
        again.wait_state("registered", timeout=30)
    finally:
        again.quit()
    # The server saw the remembered credentials: an authorised request, not a 401.
    answered = nginx.requests()[mark:]
    assert any("/private/remember.toml" in line and " 401 " not in line for line in answered)


BOOK = """<?xml version="1.0" encoding="UTF-8"?>
<YealinkIPPhoneDirectory>
  <DirectoryEntry><Name>Hanna Prov</Name><Telephone>+49 30 5550177</Telephone></DirectoryEntry>
</YealinkIPPhoneDirectory>
"""


def test_a_sources_password_in_the_profile_reaches_the_server_not_the_file(
    kam: Kamailio, nginx: Nginx, apache: Apache, site: Path, certs: Certs, tmp_path: Path
) -> None:
    """A phone book behind Apache's Digest auth, its password given by the profile: the
    source logs in with it (the book's contact is found), and neither the settings file
    nor the saved copy of the profile holds it."""
    publish(site, "book.xml", BOOK)
    source = (
        '\n[[contacts.sources]]\nid = "local"\nname = "Parley"\ntype = "local"\n\n'
        '[[contacts.sources]]\nid = "pbx"\nname = "PBX book"\ntype = "xml"\n'
        f'url = "{apache.url("/private/book.xml", tls=True)}"\nusername = "anna"\n'
        f'password = "s3cret"\nauth = "digest"\nca_file = "{certs.ca_file}"\n'
    )
    publish(site, "book.toml", profile(kam, "1001", extra=source))
    url = nginx.url("/private/book.toml", tls=True)
    args = ["--provision", url, "--provision-user", "anna", "--provision-password", "s3cret"]
    args += ["--provision-ca", str(certs.ca_file)]
    console = start(tmp_path / "b", *args)
    try:
        applied: Event = console.wait_for(provisioning("applied"), timeout=30)
        assert "contacts.sources.pbx.password" in applied["changed"], applied
        assert wait_until(lambda: "Hanna Prov" in search_reply(console, "Hanna"), timeout=20)
    finally:
        console.quit()
    assert any(
        '"anna"' in line and "book.xml" in line and " 200 " in line for line in apache.requests()
    )
    folder = tmp_path / "b"
    for path in [folder / "settings.toml", *folder.rglob("provisioning.json")]:
        assert "s3cret" not in path.read_text(), path
