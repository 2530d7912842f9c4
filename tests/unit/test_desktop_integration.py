"""Start with the OS and link handlers: the real files (XDG) written into temporary
homes, the macOS LaunchAgent, the Windows registry through a fake; link targets."""

from __future__ import annotations

import plistlib
import shlex
from pathlib import Path

import pytest

from parley.automation.desktop import (
    RUN_KEY,
    SCHEMES,
    URI_DESKTOP_FILE,
    Desktop,
    IntegrationResult,
    Places,
    autostart_is_on,
    set_autostart,
    set_uri_handlers,
    target_of_link,
    uri_handler_of,
)

COMMAND = ["/opt/parley env/bin/python", "-m", "parley"]


@pytest.fixture
def places(tmp_path: Path) -> Places:
    return Places(tmp_path / "home", {"XDG_CONFIG_HOME": str(tmp_path / "cfg")})


def test_linux_autostart_entry_written_and_removed(places: Places) -> None:
    assert not autostart_is_on(desktop=Desktop.LINUX, places=places)
    out = set_autostart(True, command=COMMAND, desktop=Desktop.LINUX, places=places)
    assert out.result is IntegrationResult.DONE
    entry = places.config / "autostart" / "parley.desktop"
    text = entry.read_text()
    assert "[Desktop Entry]" in text and "Type=Application" in text
    assert 'Exec="/opt/parley env/bin/python" -m parley' in text  # the space is quoted
    assert autostart_is_on(desktop=Desktop.LINUX, places=places)
    set_autostart(False, command=COMMAND, desktop=Desktop.LINUX, places=places)
    assert not entry.exists()


def test_macos_launch_agent(places: Places) -> None:
    set_autostart(True, command=COMMAND, desktop=Desktop.MACOS, places=places)
    path = places.home / "Library" / "LaunchAgents" / "org.parley.softphone.plist"
    agent = plistlib.loads(path.read_bytes())
    assert agent["ProgramArguments"] == COMMAND and agent["RunAtLoad"] is True
    set_autostart(False, desktop=Desktop.MACOS, places=places)
    assert not path.exists()


class FakeRegistry:
    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}

    def set_value(self, key: str, name: str, value: str) -> None:
        self.values[(key, name)] = value

    def delete_value(self, key: str, name: str) -> None:
        self.values.pop((key, name), None)

    def get_value(self, key: str, name: str) -> str | None:
        return self.values.get((key, name))

    def delete_key(self, key: str) -> None:
        for k in [k for k in self.values if k[0] == key or k[0].startswith(key + "\\")]:
            del self.values[k]


def test_windows_run_key_and_url_protocols() -> None:
    reg = FakeRegistry()
    set_autostart(True, command=COMMAND, desktop=Desktop.WINDOWS, registry=reg)
    assert shlex.split(reg.values[(RUN_KEY, "Parley")]) == COMMAND
    assert autostart_is_on(desktop=Desktop.WINDOWS, registry=reg)
    set_autostart(False, desktop=Desktop.WINDOWS, registry=reg)
    assert not autostart_is_on(desktop=Desktop.WINDOWS, registry=reg)

    set_uri_handlers(True, command=COMMAND, desktop=Desktop.WINDOWS, registry=reg)
    for scheme in SCHEMES:
        assert reg.values[(rf"Software\Classes\{scheme}", "URL Protocol")] == ""
        command = reg.values[(rf"Software\Classes\{scheme}\shell\open\command", "")]
        assert command.endswith('"%1"')
    set_uri_handlers(False, desktop=Desktop.WINDOWS, registry=reg)
    assert reg.values == {}


def test_linux_link_handlers_keep_the_users_other_defaults(places: Places) -> None:
    mimeapps = places.config / "mimeapps.list"
    mimeapps.parent.mkdir(parents=True)
    mimeapps.write_text(
        "[Default Applications]\ntext/html=firefox.desktop\nx-scheme-handler/tel=other.desktop\n"
        "\n[Added Associations]\nimage/png=gimp.desktop;\n"
    )
    set_uri_handlers(True, command=COMMAND, desktop=Desktop.LINUX, places=places)
    entry = places.data / "applications" / URI_DESKTOP_FILE
    text = entry.read_text()
    assert "MimeType=x-scheme-handler/sip;x-scheme-handler/sips;x-scheme-handler/tel;" in text
    assert text.count("%u") == 1
    for scheme in SCHEMES:
        assert uri_handler_of(scheme, places=places) == URI_DESKTOP_FILE
    after = mimeapps.read_text()
    assert "text/html=firefox.desktop" in after and "image/png=gimp.desktop;" in after

    # Another program takes tel: over; switching off removes only our own entries.
    after = after.replace(
        f"x-scheme-handler/tel={URI_DESKTOP_FILE}", "x-scheme-handler/tel=x.desktop"
    )
    mimeapps.write_text(after)
    set_uri_handlers(False, desktop=Desktop.LINUX, places=places)
    assert not entry.exists()
    assert uri_handler_of("sip", places=places) is None
    assert uri_handler_of("tel", places=places) == "x.desktop"
    assert "text/html=firefox.desktop" in mimeapps.read_text()


def test_a_broken_mimeapps_list_is_reported_not_overwritten(places: Places) -> None:
    mimeapps = places.config / "mimeapps.list"
    mimeapps.parent.mkdir(parents=True)
    mimeapps.write_bytes(b"\xff\xfe not text [")
    out = set_uri_handlers(True, command=COMMAND, desktop=Desktop.LINUX, places=places)
    assert out.result is IntegrationResult.FAILED
    assert "mimeapps.list" in out.detail
    assert mimeapps.read_bytes() == b"\xff\xfe not text ["


def test_macos_link_handlers_say_they_need_the_bundle(places: Places) -> None:
    out = set_uri_handlers(True, desktop=Desktop.MACOS, places=places)
    assert out.result is IntegrationResult.UNSUPPORTED


@pytest.mark.parametrize(
    ("link", "target"),
    [
        ("sip:1002@pbx.example", "sip:1002@pbx.example"),
        ("SIPS:anna@pbx.example", "SIPS:anna@pbx.example"),
        ("tel:+49-30-1234567", "tel:+49-30-1234567"),
        ("callto:+49301234567", "+49301234567"),
        ("callto://0301234567/", "0301234567"),
        ("callto:%2B49%2030%201234567", "+49 30 1234567"),
        ("callto:anna@pbx.example?type=voice", "anna@pbx.example"),
        ("http://evil.example/", None),
        ("sip:", None),
        ("1002", None),
    ],
)
def test_link_targets(link: str, target: str | None) -> None:
    assert target_of_link(link) == target
