"""An LDAP source written in issue #10's names, fetched from slapd with a self-signed
certificate: `url = "ldaps://…"` or `"ldap://…"` with `starttls = true`, `verify_tls`,
the `password` in the file, `filter` and `max_results` all reach the server through the
registry's fetcher (checked: the TLS failure, the contacts, the limit)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.contacts.registry import FETCHERS, FetchRequest
from parley.contacts.source import FetchResult, SourceKind, SourceProblem
from parley.settings import load_settings
from parley.settings.contact_sources import ContactSourceSettings, get_source_password
from peers.slapd import PHONEBOOK_DN, USER_DN, USER_PASSWORD, Slapd, pbx_phonebook, self_signed_cert

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    certs = self_signed_cert(tmp_path_factory.mktemp("srckeys-cert"))
    entries = pbx_phonebook(phonebook_size=20, archive_size=0)
    with Slapd(tmp_path_factory.mktemp("srckeys-slapd"), entries, certs=certs) as server:
        yield server


def source(tmp_path: Path, url: str, extra: str) -> ContactSourceSettings:
    path = tmp_path / "settings.toml"
    path.write_text(
        '[[contacts.sources]]\nid = "dir"\nname = "Directory"\ntype = "ldap"\n'
        f'url = "{url}"\nbind_dn = "{USER_DN}"\npassword = "{USER_PASSWORD}"\n'
        f'base_dn = "{PHONEBOOK_DN}"\n' + extra
    )
    path.chmod(0o600)
    return load_settings(path).contacts.source("dir")


def fetch(settings: ContactSourceSettings) -> FetchResult:
    request = FetchRequest(password=get_source_password(settings), timeout=10)
    return FETCHERS[SourceKind.LDAP](settings, request)


@pytest.mark.parametrize("scheme", ["ldaps", "starttls"])
def test_the_issues_names_reach_the_server(slapd: Slapd, tmp_path: Path, scheme: str) -> None:
    if scheme == "ldaps":
        url, tls = f"ldaps://127.0.0.1:{slapd.ldaps_port}", ""
    else:
        url, tls = f"ldap://127.0.0.1:{slapd.port}", "starttls = true\n"
    checked = fetch(source(tmp_path, url, tls))
    assert checked.failed
    [issue] = checked.issues
    assert issue.problem is SourceProblem.TLS_FAILED and "self-signed" in issue.detail

    trusting = source(tmp_path, url, tls + "verify_tls = false\n")
    assert trusting.ignore_certificate
    result = fetch(trusting)
    assert not result.failed, result.issues
    assert "Anna Berg" in [c.name for c in result.contacts]

    narrowed = fetch(
        source(tmp_path, url, tls + 'verify_tls = false\nfilter = "(sn=Berg)"\nmax_results = 3\n')
    )
    names = [c.name for c in narrowed.contacts]
    assert "Anna Berg" in names and all(n.endswith("Berg") for n in names)
    limited = fetch(source(tmp_path, url, tls + "verify_tls = false\nmax_results = 3\n"))
    assert len(limited.contacts) <= 3
    said = [i.detail for i in limited.issues if i.problem is SourceProblem.TOO_LARGE]
    assert said == ["result limit: more than 3 entries match; the first 3 are shown"], said
