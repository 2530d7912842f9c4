"""The [tls] table and the account's TLS keys: choices, the manual's SSL choice refused
with its reason, and the manual's initialisation error (an override name without a
certificate) as a config error naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from parley.settings import ConfigError, Settings, TlsSettings, load_settings


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


ACCOUNT = """
[[accounts]]
name = "office"
domain = "127.0.0.1:5061"
username = "1001"
transport = "tls"
"""


def test_defaults() -> None:
    tls = Settings().tls
    assert tls.protocols == "tls1.2+"
    assert not tls.strong_ciphers_only and not tls.disable_verification
    assert tls.domain_certificate is None


@pytest.mark.parametrize("value", ["tls1.3", "TLS1.3", " tls1.2+ "])
def test_protocol_choices(value: str) -> None:
    assert TlsSettings(protocols=value).protocols == value.strip().lower()


@pytest.mark.parametrize("value", ["SSL v2/3", "sslv3", "SSLv23", "ssl"])
def test_ssl_is_refused_with_the_reason(value: str) -> None:
    with pytest.raises(ValidationError, match="SSL v2 and v3 are broken"):
        TlsSettings(protocols=value)


def test_ssl_in_a_file_names_the_key(tmp_path: Path) -> None:
    path = write(tmp_path / "s.toml", '[tls]\nprotocols = "SSL v2/3"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.key == "tls.protocols"
    assert "tls1.2+" in str(info.value)


def test_other_versions_are_refused() -> None:
    with pytest.raises(ValidationError):
        TlsSettings(protocols="tls1.1")


def test_override_name_without_a_certificate_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "s.toml", ACCOUNT + 'tls_server_name = "pbx.example.com"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    text = str(info.value)
    assert "tls_server_name" in text and "no certificate is given" in text
    assert "ca_file" in text and "domain_certificate" in text


def test_override_name_with_a_certificate_is_fine(tmp_path: Path) -> None:
    with_ca = ACCOUNT + 'tls_server_name = "pbx.example.com"\nca_file = "/etc/pbx.pem"\n'
    assert load_settings(write(tmp_path / "a.toml", with_ca)).accounts[0].ca_file
    with_domain = (
        '[tls]\ndomain_certificate = "~/pbx.pem"\n'
        + ACCOUNT
        + 'tls_server_name = "pbx.example.com"\n'
    )
    settings = load_settings(write(tmp_path / "b.toml", with_domain))
    assert settings.tls.domain_certificate == Path("~/pbx.pem").expanduser()


def test_client_certificate_modes(tmp_path: Path) -> None:
    text = ACCOUNT + 'tls_client_certificate_mode = "self-signed"\n'
    assert (
        load_settings(write(tmp_path / "a.toml", text)).accounts[0].tls_client_certificate_mode
        == "self-signed"
    )
    bad = ACCOUNT + 'tls_client_certificate_mode = "generate"\n'
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path / "b.toml", bad))
    assert info.value.key == "accounts[0].tls_client_certificate_mode"
