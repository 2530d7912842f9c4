"""Tests of parley.settings: model, TOML store, and password storage.

The real user keyring is never touched: an autouse fixture installs keyring's "fail"
backend for every test, and keyring tests install the in-memory backend defined here.
"""

from __future__ import annotations

import logging
import os
import stat
import textwrap
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
import tomli_w
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from pydantic import SecretStr, ValidationError

from parley.settings import (
    DEFAULT_CODECS,
    SERVICE,
    AccountSettings,
    ConfigError,
    LogSettings,
    PasswordLocation,
    SecretStoreError,
    Settings,
    SipSettings,
    default_config_path,
    delete_password,
    get_password,
    keyring_status,
    load_settings,
    save_settings,
    set_password,
)


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict, for tests only."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("not found") from None


class LockedKeyring(MemoryKeyring):
    """A keyring that exists but refuses every operation, like a locked Secret Service."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")


def fail_backend() -> KeyringBackend:
    """What keyring picks on a headless Linux box: every operation raises NoKeyringError."""
    return fail.Keyring()  # type: ignore[no-untyped-call]


def null_backend() -> KeyringBackend:
    return null.Keyring()  # type: ignore[no-untyped-call]


@pytest.fixture(autouse=True)
def no_real_keyring() -> Iterator[None]:
    keyring.set_keyring(fail_backend())
    yield
    keyring.set_keyring(fail_backend())


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return tmp_path / "settings.toml"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def account(**overrides: object) -> AccountSettings:
    values: dict[str, object] = {"name": "office", "domain": "pbx.example.com", "username": "1001"}
    values.update(overrides)
    return AccountSettings.model_validate(values)


ACCOUNT_TOML = """
[[accounts]]
name = "office"
domain = "pbx.example.com"
username = "1001"
"""


def load_error(path: Path, text: str) -> ConfigError:
    write(path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    return info.value


# --- defaults -------------------------------------------------------------------------


def test_defaults_of_settings() -> None:
    settings = Settings()
    assert settings.accounts == []
    assert settings.allow_plaintext_passwords is False
    assert (settings.sip.t1, settings.sip.t2, settings.sip.t4) == (0.5, 4.0, 5.0)
    assert settings.log.sip_trace is False
    assert settings.log.log_level == "info"


def test_defaults_of_account() -> None:
    acc = account()
    assert acc.transport == "udp"
    assert acc.expires == 600
    assert acc.keepalive_interval == 30
    assert acc.rport is True
    assert acc.rport_media is False
    assert acc.register_on_startup is True
    assert acc.enabled is True
    assert acc.local_port == 0
    assert acc.ca_file is None
    assert acc.verify_tls is True
    assert acc.retry_interval == 30
    assert acc.retry_max_interval >= acc.retry_interval
    assert acc.dns_servers == []
    assert acc.codecs == list(DEFAULT_CODECS) == ["opus", "g722", "pcma", "pcmu"]
    assert acc.dtmf_mode == "rfc4733"
    assert acc.force_rfc3264_hold is False
    assert acc.password is None
    assert acc.effective_auth_username == "1001"
    assert (acc.domain_host, acc.domain_port) == ("pbx.example.com", None)


def test_auth_username_overrides_username() -> None:
    assert account(auth_username="auth-1001").effective_auth_username == "auth-1001"


def test_empty_strings_mean_not_set() -> None:
    acc = account(auth_username="", display_name="", outbound_proxy="  ", ca_file="")
    assert acc.auth_username is None
    assert acc.display_name is None
    assert acc.outbound_proxy is None
    assert acc.ca_file is None


@pytest.mark.parametrize(
    ("domain", "host", "port"),
    [
        ("pbx.example.com", "pbx.example.com", None),
        ("pbx.example.com:5060", "pbx.example.com", 5060),
        ("192.0.2.10", "192.0.2.10", None),
        ("192.0.2.10:5080", "192.0.2.10", 5080),
        ("[2001:db8::1]", "[2001:db8::1]", None),
        ("[::1]:65535", "[::1]", 65535),
        ("localhost", "localhost", None),
        ("pbx.example.com.", "pbx.example.com.", None),
    ],
)
def test_valid_domains(domain: str, host: str, port: int | None) -> None:
    acc = account(domain=domain)
    assert (acc.domain_host, acc.domain_port) == (host, port)


@pytest.mark.parametrize(
    "proxy",
    [
        "proxy.example.com",
        "192.0.2.1:5060",
        "[2001:db8::2]:5061",
        "sip:proxy.example.com;lr",
        "sips:proxy.example.com:5061;transport=tls",
        "SIP:user@192.0.2.1:5060",
    ],
)
def test_valid_outbound_proxies(proxy: str) -> None:
    assert account(outbound_proxy=proxy).outbound_proxy == proxy


def test_valid_dns_servers() -> None:
    servers = ["127.0.0.1", "127.0.0.1:5353", "[::1]:53", "::1"]
    assert account(dns_servers=servers).dns_servers == servers


def test_choices_ignore_case() -> None:
    acc = account(transport="TLS", dtmf_mode="INFO", codecs=["PCMU", "Opus"])
    assert (acc.transport, acc.dtmf_mode, acc.codecs) == ("tls", "info", ["pcmu", "opus"])


def test_assignment_is_validated() -> None:
    acc = account()
    with pytest.raises(ValidationError):
        acc.transport = "ucp"
    with pytest.raises(ValidationError):
        acc.retry_max_interval = 5
    assert acc.transport == "udp"


def test_settings_account_lookup() -> None:
    settings = Settings(accounts=[account(name="Office"), account(name="home")])
    assert settings.account("office").name == "Office"
    with pytest.raises(KeyError):
        settings.account("nowhere")


# --- loading and error messages -------------------------------------------------------


def test_load_example_file(cfg: Path) -> None:
    write(
        cfg,
        """
        allow_plaintext_passwords = false

        [sip]
        t1 = 1

        [log]
        sip_trace = true
        log_level = "debug"

        [[accounts]]
        name = "office"
        display_name = "Ada Lovelace"
        domain = "pbx.example.com:5060"
        username = "1001"
        transport = "tcp"
        expires = 3600
        outbound_proxy = "sip:192.0.2.1;lr"
        dns_servers = ["127.0.0.1:5353"]
        codecs = ["g722", "pcmu"]

        [[accounts]]
        name = "home"
        domain = "[2001:db8::5]"
        username = "ada"
        enabled = false
        """,
    )
    settings = load_settings(cfg)
    assert settings.sip.t1 == 1.0
    assert settings.log.sip_trace is True
    office, home = settings.accounts
    assert office.transport == "tcp"
    assert office.expires == 3600
    assert office.codecs == ["g722", "pcmu"]
    assert office.domain_port == 5060
    assert home.enabled is False
    assert home.domain_host == "[2001:db8::5]"


def test_the_documented_example_message(cfg: Path) -> None:
    error = load_error(cfg, ACCOUNT_TOML + 'transport = "ucp"\n')
    assert str(error) == (
        f"{cfg}: accounts[0].transport: 'ucp' is not one of udp, tcp, tls, auto "
        "— fix the value and start again"
    )
    assert error.path == cfg
    assert error.key == "accounts[0].transport"
    assert error.problem == "'ucp' is not one of udp, tcp, tls, auto"


@pytest.mark.parametrize(
    ("extra", "key", "problem"),
    [
        ('domain = "pbx.example.com:"', "domain", "gives no port"),
        ('domain = "pbx.example.com:0"', "domain", "1–65535"),
        ('domain = "pbx.example.com:70000"', "domain", "1–65535"),
        ('domain = "pbx.example.com:sip"', "domain", "not a number"),
        ('domain = "999.1.1.1"', "domain", "not a valid IPv4 address"),
        ('domain = "2001:db8::1"', "domain", "in brackets"),
        ('domain = "[2001:db8::1"', "domain", "without a closing"),
        ('domain = "[2001:zz8::1]"', "domain", "not a valid IPv6 address"),
        ('domain = "pbx_1.example.com"', "domain", "not a valid host name"),
        ('domain = "-pbx.example.com"', "domain", "not a valid host name"),
        ('domain = ""', "domain", "no host given"),
        ('username = "10 01"', "username", "contains spaces"),
        ('username = ""', "username", "must not be empty"),
        ('display_name = "Ada\\u0007"', "display_name", "control character"),
        ("expires = 10", "expires", "10 is too small; the least allowed is 30"),
        ("expires = 100000", "expires", "too large"),
        ('expires = "soon"', "expires", "'soon' is not a whole number"),
        ("keepalive_interval = 2", "keepalive_interval", "use 0 (off) or at least 5"),
        ("keepalive_interval = -1", "keepalive_interval", "too small"),
        ("local_port = 70000", "local_port", "too large"),
        ("rport = 2", "rport", "is not true or false"),
        ("retry_interval = 60\nretry_max_interval = 30", "retry_max_interval", "shorter than"),
        ('dns_servers = ["dns.example.com"]', "dns_servers[0]", "not an IP address"),
        ('dns_servers = "127.0.0.1"', "dns_servers", "not a list"),
        ('outbound_proxy = "http://proxy.example.com"', "outbound_proxy", "other than sip"),
        ('outbound_proxy = "sip:;lr"', "outbound_proxy", "without a host"),
        ('tls_server_name = "192.0.2.1"', "tls_server_name", "neither"),
        ('codecs = ["opus", "gsm"]', "codecs[1]", "'gsm' is not one of opus, g722, pcma, pcmu"),
        ('codecs = ["opus", "opus"]', "codecs", "listed twice"),
        ("codecs = []", "codecs", "needs at least 1"),
        ('dtmf_mode = "sipinfo"', "dtmf_mode", "not one of rfc4733, info, inband"),
        ('voicemail_extension = "* 98"', "voicemail_extension", "not a dialable"),
        ("name = 5", "name", "is not text"),
        ('trasnport = "udp"', "trasnport", "unknown setting; did you mean 'transport'?"),
    ],
)
def test_account_errors_name_file_key_and_problem(
    cfg: Path, extra: str, key: str, problem: str
) -> None:
    # A key given twice is a TOML error, so the account's own keys are replaced, not repeated.
    lines = [line for line in ACCOUNT_TOML.strip().splitlines()]
    name = extra.split("=", 1)[0].strip()
    lines = [line for line in lines if line.split("=", 1)[0].strip() != name]
    error = load_error(cfg, "\n".join([*lines, extra]) + "\n")
    full_key = f"accounts[0].{key}"
    assert error.path == cfg
    assert error.key == full_key
    assert problem in error.problem
    text = str(error)
    assert text.startswith(f"{cfg}: {full_key}: ")
    assert problem in text
    assert " — " in text  # and says what to do


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ('[[accounts]]\nname = "x"\nusername = "u"\n', "accounts[0].domain", "missing"),
        ('[[accounts]]\ndomain = "d.example"\nusername = "u"\n', "accounts[0].name", "missing"),
        ('colour = "blue"\n', "colour", "unknown setting"),
        ("[sip]\nt3 = 1\n", "sip.t3", "unknown setting"),
        ("[sip]\nt1 = 0.001\n", "sip.t1", "too small"),
        ("[sip]\nt1 = 2\nt2 = 1\n", "sip.t2", "smaller than t1"),
        ('[sip]\nt4 = "long"\n', "sip.t4", "is not a number"),
        ("sip = 5\n", "sip", "is not a table"),
        ('[log]\nlog_level = "loud"\n', "log.log_level", "not one of debug, info, warning, error"),
        ("[media]\nvolume = 3\n", "media.volume", "unknown setting"),
        ('allow_plaintext_passwords = "maybe"\n', "allow_plaintext_passwords", "true or false"),
        ("accounts = 3\n", "accounts", "is not a list"),
    ],
)
def test_other_errors_name_file_key_and_problem(
    cfg: Path, text: str, key: str, problem: str
) -> None:
    error = load_error(cfg, text)
    assert error.key == key
    assert problem in error.problem
    assert str(error).startswith(f"{cfg}: {key}: ")


def test_missing_key_says_to_add_it(cfg: Path) -> None:
    error = load_error(cfg, '[[accounts]]\nname = "x"\ndomain = "d.example"\n')
    assert str(error) == (
        f"{cfg}: accounts[0].username: this required setting is missing — add it and start again"
    )


def test_duplicate_account_names(cfg: Path) -> None:
    error = load_error(cfg, ACCOUNT_TOML + ACCOUNT_TOML.replace('"office"', '"Office"'))
    assert error.key == "accounts"
    assert "'Office' is used by both accounts[0] and accounts[1]" in error.problem
    assert str(error).startswith(f"{cfg}: accounts: ")


def test_every_problem_is_reported(cfg: Path) -> None:
    error = load_error(cfg, ACCOUNT_TOML + 'transport = "ucp"\nexpires = 1\n')
    assert [issue.key for issue in error.issues] == [
        "accounts[0].transport",
        "accounts[0].expires",
    ]
    assert len(str(error).splitlines()) == 2


def test_invalid_toml_names_line_and_column(cfg: Path) -> None:
    error = load_error(cfg, "allow_plaintext_passwords = false\n[sip]\nt1 = \n")
    assert (error.line, error.column) == (3, 6)
    assert error.key is None
    assert "invalid TOML" in error.problem
    assert str(error).startswith(f"{cfg}: line 3, column 6: invalid TOML")
    assert str(error).endswith("fix the syntax and start again")


def test_invalid_toml_at_end_of_document(cfg: Path) -> None:
    error = load_error(cfg, '[sip]\nt1 = "0.5')
    assert error.line == 2
    assert str(error).startswith(f"{cfg}: line 2, column ")


def test_duplicate_toml_key_is_a_syntax_error(cfg: Path) -> None:
    error = load_error(cfg, "[sip]\nt1 = 1\nt1 = 2\n")
    assert error.line == 3
    assert "invalid TOML" in str(error)


def test_missing_file(cfg: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    assert str(info.value).startswith(f"{cfg}: the file does not exist — ")
    assert info.value.key is None


def test_missing_file_allowed_gives_defaults(cfg: Path) -> None:
    assert load_settings(cfg, missing_ok=True).model_dump() == Settings().model_dump()
    assert not cfg.exists()


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path)
    assert "folder" in info.value.problem


def test_unreadable_file(cfg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(cfg, ACCOUNT_TOML)

    # Simulated, because chmod 000 does not stop root (and the tests may run as root).
    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    assert str(info.value).startswith(f"{cfg}: the file cannot be read (Permission denied) — ")


def test_not_utf8(cfg: Path) -> None:
    cfg.write_bytes(b'[[accounts]]\nname = "caf\xe9"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    assert "not UTF-8" in str(info.value)


def test_default_config_path() -> None:
    path = default_config_path()
    assert path.name == "settings.toml"
    assert "parley" in path.parent.name.lower() or "parley" in str(path.parent).lower()
    assert path.is_absolute()


# --- saving ---------------------------------------------------------------------------


def full_settings() -> Settings:
    return Settings(
        sip=SipSettings(t1=0.25, t2=2.0, t4=4.0),
        log=LogSettings(sip_trace=True, log_level="warning"),
        accounts=[
            account(
                display_name="Ada Lovelace",
                domain="192.0.2.10:5080",
                auth_username="auth1001",
                caller_id="+49301234567",
                voicemail_extension="*98",
                outbound_proxy="sips:proxy.example.com:5061;lr",
                transport="tls",
                expires=1200,
                keepalive_interval=0,
                rport=False,
                rport_media=True,
                register_on_startup=False,
                local_port=5062,
                ca_file="/etc/ssl/certs/ca.pem",
                verify_tls=False,
                tls_server_name="pbx.example.com",
                retry_interval=10,
                retry_max_interval=120,
                dns_servers=["127.0.0.1:5353", "[::1]:53"],
                codecs=["pcma", "opus"],
                dtmf_mode="inband",
                force_rfc3264_hold=True,
            ),
            account(name="home", domain="[2001:db8::1]", username="ada", enabled=False),
        ],
    )


def test_round_trip(cfg: Path) -> None:
    original = full_settings()
    save_settings(original, cfg)
    loaded = load_settings(cfg)
    assert loaded.model_dump() == original.model_dump()
    assert loaded.accounts[0].ca_file == Path("/etc/ssl/certs/ca.pem")


def test_round_trip_of_defaults(cfg: Path) -> None:
    save_settings(Settings(), cfg)
    assert load_settings(cfg).model_dump() == Settings().model_dump()


def test_save_creates_folders_and_private_file(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "settings.toml"
    save_settings(full_settings(), path)
    assert path.exists()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_refuses_invalid_model_and_keeps_old_file(cfg: Path) -> None:
    save_settings(full_settings(), cfg)
    before = cfg.read_bytes()
    settings = full_settings()
    settings.accounts.append(account(name="home"))  # list mutation bypasses validation
    with pytest.raises(ConfigError) as info:
        save_settings(settings, cfg)
    assert info.value.key == "accounts"
    assert "not saved" in str(info.value)
    assert cfg.read_bytes() == before


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "settings.toml")


def test_failed_serialisation_keeps_old_file(cfg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_settings(full_settings(), cfg)
    before = cfg.read_bytes()

    def broken_dumps(*args: object, **kwargs: object) -> str:
        raise TypeError("Object of type 'Gremlin' is not TOML serializable")

    monkeypatch.setattr(tomli_w, "dumps", broken_dumps)
    with pytest.raises(ConfigError) as info:
        save_settings(Settings(), cfg)
    assert "cannot be written as TOML" in info.value.problem
    assert "old file is unchanged" in str(info.value)
    assert cfg.read_bytes() == before
    assert leftovers(cfg.parent) == []


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_failed_write_keeps_old_file(cfg: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    save_settings(full_settings(), cfg)
    before = cfg.read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, step, broken)
    with pytest.raises(ConfigError) as info:
        save_settings(Settings(), cfg)
    assert "No space left on device" in str(info.value)
    assert cfg.read_bytes() == before
    assert leftovers(cfg.parent) == []


def test_interrupted_write_keeps_old_file(cfg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_settings(full_settings(), cfg)
    before = cfg.read_bytes()

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_settings(Settings(), cfg)
    assert cfg.read_bytes() == before
    assert leftovers(cfg.parent) == []


# --- passwords in the settings file ---------------------------------------------------


def test_inline_password_is_used_and_kept_in_its_own_file(cfg: Path) -> None:
    write(cfg, ACCOUNT_TOML + 'password = "s3cret"\n')
    settings = load_settings(cfg)
    assert get_password(settings.accounts[0]) == "s3cret"
    settings.accounts[0].expires = 900
    save_settings(settings, cfg)  # saving back must not lose what the user wrote
    again = load_settings(cfg)
    assert get_password(again.accounts[0]) == "s3cret"
    assert again.accounts[0].expires == 900


def test_inline_password_is_not_copied_to_another_file(
    cfg: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(cfg, ACCOUNT_TOML + 'password = "s3cret"\n')
    settings = load_settings(cfg)
    other = tmp_path / "other" / "settings.toml"
    with caplog.at_level(logging.WARNING):
        save_settings(settings, other)
    assert "s3cret" not in other.read_text()
    assert "Not writing the password of account 'office'" in caplog.text


def test_inline_password_is_not_copied_to_the_keyring(
    cfg: Path, memory_keyring: MemoryKeyring
) -> None:
    write(cfg, ACCOUNT_TOML + 'password = "s3cret"\n')
    settings = load_settings(cfg)
    memory_keyring.entries[(SERVICE, "office")] = "older"
    assert get_password(settings.accounts[0]) == "s3cret"  # the file wins
    assert memory_keyring.entries == {(SERVICE, "office"): "older"}


def test_password_never_shown_in_repr() -> None:
    acc = account(password="s3cret")
    assert "s3cret" not in repr(acc)
    assert "s3cret" not in str(Settings(accounts=[acc]))


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_world_readable_file_with_password_warns(
    cfg: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(cfg, ACCOUNT_TOML + 'password = "s3cret"\n')
    cfg.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        load_settings(cfg)
    assert "chmod 600" in caplog.text


# --- keyring --------------------------------------------------------------------------


def test_keyring_status_of_backends(memory_keyring: MemoryKeyring) -> None:
    assert keyring_status().usable is True
    keyring.set_keyring(fail_backend())
    status = keyring_status()
    assert status.usable is False
    assert "no keyring service" in status.reason
    keyring.set_keyring(null_backend())
    assert keyring_status().usable is False


def test_set_get_delete_in_keyring(cfg: Path, memory_keyring: MemoryKeyring) -> None:
    settings = Settings(accounts=[account()])
    acc = settings.accounts[0]
    assert get_password(acc) is None
    assert set_password(acc, "s3cret", settings) is PasswordLocation.KEYRING
    assert memory_keyring.entries == {(SERVICE, "office"): "s3cret"}
    assert acc.password is None
    assert get_password(acc) == "s3cret"
    save_settings(settings, cfg)
    assert "s3cret" not in cfg.read_text()
    delete_password(acc)
    assert memory_keyring.entries == {}
    assert get_password(acc) is None
    delete_password(acc)  # deleting twice is fine


def test_keyring_password_replaces_inline_one(cfg: Path, memory_keyring: MemoryKeyring) -> None:
    write(cfg, ACCOUNT_TOML + 'password = "old-secret"\n')
    settings = load_settings(cfg)
    assert set_password(settings.accounts[0], "new", settings) is PasswordLocation.KEYRING
    save_settings(settings, cfg)
    assert "old-secret" not in cfg.read_text()
    assert "password" not in load_settings(cfg).accounts[0].model_dump(exclude_none=True)
    assert get_password(load_settings(cfg).accounts[0]) == "new"


def test_no_keyring_refuses_without_consent(cfg: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(accounts=[account()])
    acc = settings.accounts[0]
    with pytest.raises(SecretStoreError) as info:
        set_password(acc, "s3cret", settings)
    message = str(info.value)
    assert "'office'" in message
    assert "no keyring service" in message
    assert "allow_plaintext_passwords = true" in message
    assert acc.password is None
    save_settings(settings, cfg)
    assert "s3cret" not in cfg.read_text()
    with caplog.at_level(logging.WARNING):
        assert get_password(acc) is None
    assert "No password for account 'office'" in caplog.text


def test_no_keyring_with_consent_stores_in_file_and_warns(
    cfg: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(allow_plaintext_passwords=True, accounts=[account()])
    acc = settings.accounts[0]
    with caplog.at_level(logging.WARNING):
        assert set_password(acc, "s3cret", settings) is PasswordLocation.SETTINGS_FILE
    assert "plain text" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        save_settings(settings, cfg)
    assert "plain text" in caplog.text  # warned again when written
    assert 'password = "s3cret"' in cfg.read_text()
    assert get_password(load_settings(cfg).accounts[0]) == "s3cret"


def test_locked_keyring(cfg: Path) -> None:
    keyring.set_keyring(LockedKeyring())
    settings = Settings(accounts=[account()])
    acc = settings.accounts[0]
    with pytest.raises(SecretStoreError, match="unlock the keyring"):
        get_password(acc)
    with pytest.raises(SecretStoreError, match="refused to store it"):
        set_password(acc, "s3cret", settings)
    with pytest.raises(SecretStoreError, match="unlock the keyring"):
        delete_password(acc)
    settings.allow_plaintext_passwords = True
    assert set_password(acc, "s3cret", settings) is PasswordLocation.SETTINGS_FILE
    assert acc.password == SecretStr("s3cret")
