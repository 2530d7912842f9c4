"""Start with the operating system, and open sip:, sips:, tel: and callto: links with
Parley — the manual's Automation › General and Integration, for each desktop.

Linux (XDG): an autostart entry in ``$XDG_CONFIG_HOME/autostart``; a desktop entry with
``x-scheme-handler/...`` types in ``$XDG_DATA_HOME/applications`` made the default in
``$XDG_CONFIG_HOME/mimeapps.list`` (other entries of that file kept as they are).
Windows: the current user's Run key; ``HKCU\\Software\\Classes\\<scheme>`` with
"URL Protocol". macOS: a LaunchAgent for the autostart; URL schemes are declared in an
app bundle's Info.plist, which only an installed bundle has — `register_uri_handlers`
says so (UNSUPPORTED) instead of pretending.

Every function takes the places it writes (home, environment, registry) so that tests
use temporary ones; nothing here runs a shell.
"""

from __future__ import annotations

import configparser
import enum
import io
import os
import plistlib
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

APP_ID = "parley"
SCHEMES = ("sip", "sips", "tel", "callto")
AUTOSTART_FILE = f"{APP_ID}.desktop"
URI_DESKTOP_FILE = f"{APP_ID}-uri.desktop"
LAUNCH_AGENT = "org.parley.softphone.plist"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


class Desktop(enum.StrEnum):
    LINUX = "linux"  # and other XDG desktops
    WINDOWS = "windows"
    MACOS = "macos"


class IntegrationResult(enum.StrEnum):
    DONE = "done"
    UNSUPPORTED = "unsupported"  # this desktop cannot do it for us (macOS URL schemes)
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    result: IntegrationResult
    detail: str = ""  # the file or key written or removed, or the error


class Registry(Protocol):
    """The few registry calls needed (HKEY_CURRENT_USER only); `winreg` on Windows."""

    def set_value(self, key: str, name: str, value: str) -> None: ...
    def delete_value(self, key: str, name: str) -> None: ...
    def get_value(self, key: str, name: str) -> str | None: ...
    def delete_key(self, key: str) -> None: ...


def current_desktop() -> Desktop:
    if sys.platform == "win32":
        return Desktop.WINDOWS
    if sys.platform == "darwin":
        return Desktop.MACOS
    return Desktop.LINUX


def parley_command() -> list[str]:
    """How to start this Parley: the Python running now with `-m parley`."""
    return [sys.executable, "-m", APP_ID]


@dataclass(frozen=True)
class Places:
    """Where integration files live: the home directory and the XDG variables."""

    home: Path
    env: Mapping[str, str]

    @classmethod
    def of_user(cls) -> Places:
        return cls(Path.home(), dict(os.environ))

    @property
    def config(self) -> Path:
        return Path(self.env.get("XDG_CONFIG_HOME") or self.home / ".config")

    @property
    def data(self) -> Path:
        return Path(self.env.get("XDG_DATA_HOME") or self.home / ".local" / "share")


def _exec_line(command: Sequence[str], arg: str = "") -> str:
    """A desktop entry's Exec value: arguments quoted per the spec's rules."""
    quoted = [f'"{c}"' if any(ch in c for ch in ' \t"\\$`') else c for c in command]
    quoted = [q.replace("\\", "\\\\") if q.startswith('"') else q for q in quoted]
    return " ".join([*quoted, *([arg] if arg else [])])


# --- start with the operating system ---------------------------------------------------


def set_autostart(
    on: bool,
    *,
    command: Sequence[str] | None = None,
    desktop: Desktop | None = None,
    places: Places | None = None,
    registry: Registry | None = None,
) -> Outcome:
    """Switch "start Parley with the operating system" on or off."""
    desktop = desktop or current_desktop()
    places = places or Places.of_user()
    command = list(command or parley_command())
    try:
        if desktop is Desktop.WINDOWS:
            reg = registry or _winreg()
            if on:
                reg.set_value(RUN_KEY, "Parley", shlex.join(command))
            else:
                reg.delete_value(RUN_KEY, "Parley")
            return Outcome(IntegrationResult.DONE, RUN_KEY)
        if desktop is Desktop.MACOS:
            path = places.home / "Library" / "LaunchAgents" / LAUNCH_AGENT
            if on:
                agent: dict[str, object] = {
                    "Label": LAUNCH_AGENT.removesuffix(".plist"),
                    "ProgramArguments": command,
                    "RunAtLoad": True,
                }
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(plistlib.dumps(agent))
            else:
                path.unlink(missing_ok=True)
            return Outcome(IntegrationResult.DONE, str(path))
        path = places.config / "autostart" / AUTOSTART_FILE
        if on:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                "[Desktop Entry]\nType=Application\nName=Parley\n"
                "Comment=SIP softphone\n"
                f"Exec={_exec_line(command)}\nTerminal=false\n"
                "X-GNOME-Autostart-enabled=true\n",
                encoding="utf-8",
            )
        else:
            path.unlink(missing_ok=True)
        return Outcome(IntegrationResult.DONE, str(path))
    except OSError as exc:
        return Outcome(IntegrationResult.FAILED, str(exc))


def autostart_is_on(
    *,
    desktop: Desktop | None = None,
    places: Places | None = None,
    registry: Registry | None = None,
) -> bool:
    desktop = desktop or current_desktop()
    places = places or Places.of_user()
    if desktop is Desktop.WINDOWS:
        return (registry or _winreg()).get_value(RUN_KEY, "Parley") is not None
    if desktop is Desktop.MACOS:
        return (places.home / "Library" / "LaunchAgents" / LAUNCH_AGENT).exists()
    return (places.config / "autostart" / AUTOSTART_FILE).exists()


# --- sip:, sips:, tel:, callto: links -----------------------------------------------------


def set_uri_handlers(
    on: bool,
    *,
    command: Sequence[str] | None = None,
    desktop: Desktop | None = None,
    places: Places | None = None,
    registry: Registry | None = None,
) -> Outcome:
    """Make Parley (or stop it being) the program that opens sip:, sips:, tel: and
    callto: links."""
    desktop = desktop or current_desktop()
    places = places or Places.of_user()
    command = list(command or parley_command())
    try:
        if desktop is Desktop.MACOS:
            return Outcome(IntegrationResult.UNSUPPORTED, "needs the installed app bundle")
        if desktop is Desktop.WINDOWS:
            reg = registry or _winreg()
            for scheme in SCHEMES:
                key = rf"Software\Classes\{scheme}"
                if on:
                    reg.set_value(key, "", f"URL:{scheme} (Parley)")
                    reg.set_value(key, "URL Protocol", "")
                    reg.set_value(key + r"\shell\open\command", "", shlex.join(command) + ' "%1"')
                else:
                    reg.delete_key(key)
            return Outcome(IntegrationResult.DONE, r"Software\Classes")
        entry = places.data / "applications" / URI_DESKTOP_FILE
        _read_mimeapps(places.config / "mimeapps.list")  # unreadable: change nothing
        if on:
            entry.parent.mkdir(parents=True, exist_ok=True)
            types = "".join(f"x-scheme-handler/{s};" for s in SCHEMES)
            entry.write_text(
                "[Desktop Entry]\nType=Application\nName=Parley\nComment=Dial with Parley\n"
                f"Exec={_exec_line(command, '%u')}\nTerminal=false\nNoDisplay=true\n"
                f"MimeType={types}\n",
                encoding="utf-8",
            )
        else:
            entry.unlink(missing_ok=True)
        _update_mimeapps(places.config / "mimeapps.list", on)
        return Outcome(IntegrationResult.DONE, str(entry))
    except OSError as exc:
        return Outcome(IntegrationResult.FAILED, str(exc))


def uri_handler_of(scheme: str, *, places: Places | None = None) -> str | None:
    """The desktop entry mimeapps.list names for a scheme (Linux), or None."""
    places = places or Places.of_user()
    parser = _read_mimeapps(places.config / "mimeapps.list")
    if not parser.has_section("Default Applications"):
        return None
    return parser.get("Default Applications", f"x-scheme-handler/{scheme}", fallback=None)


def _read_mimeapps(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(delimiters=("=",), strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    if path.exists():
        try:
            parser.read_string(path.read_text(encoding="utf-8"))
        except (configparser.Error, UnicodeDecodeError) as exc:
            raise OSError(f"{path} is not a readable mimeapps.list: {exc}") from exc
    return parser


def _update_mimeapps(path: Path, on: bool) -> None:
    parser = _read_mimeapps(path)
    section = "Default Applications"
    if not parser.has_section(section):
        parser.add_section(section)
    for scheme in SCHEMES:
        key = f"x-scheme-handler/{scheme}"
        if on:
            parser.set(section, key, URI_DESKTOP_FILE)
        elif parser.get(section, key, fallback=None) == URI_DESKTOP_FILE:
            parser.remove_option(section, key)  # only our own entries
    out = io.StringIO()
    parser.write(out, space_around_delimiters=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")


# --- the registry on Windows --------------------------------------------------------------


class _WinRegistry:
    def __init__(self) -> None:
        import winreg  # type: ignore[import-not-found,unused-ignore]

        self._w = winreg

    def set_value(self, key: str, name: str, value: str) -> None:
        w = self._w
        with w.CreateKey(w.HKEY_CURRENT_USER, key) as handle:
            w.SetValueEx(handle, name, 0, w.REG_SZ, value)

    def delete_value(self, key: str, name: str) -> None:
        w = self._w
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, key, 0, w.KEY_SET_VALUE) as handle:
                w.DeleteValue(handle, name)
        except FileNotFoundError:
            pass

    def get_value(self, key: str, name: str) -> str | None:
        w = self._w
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, key) as handle:
                return str(w.QueryValueEx(handle, name)[0])
        except FileNotFoundError:
            return None

    def delete_key(self, key: str) -> None:
        w = self._w
        for sub in (r"\shell\open\command", r"\shell\open", r"\shell", ""):
            try:
                w.DeleteKey(w.HKEY_CURRENT_USER, key + sub)
            except FileNotFoundError:
                pass


def _winreg() -> Registry:
    return _WinRegistry()


def target_of_link(link: str) -> str | None:
    """What to dial for a link a browser or Outlook hands over: sip:/sips:/tel: URIs as
    they are, callto: as the number or address after it; None for anything else."""
    text = link.strip()
    scheme, sep, rest = text.partition(":")
    if not sep:
        return None
    scheme = scheme.lower()
    if scheme in ("sip", "sips", "tel"):
        return text if rest else None
    if scheme == "callto":
        target = rest.removeprefix("//").split("?", 1)[0].strip().rstrip("/")
        from urllib.parse import unquote

        target = unquote(target)
        return target or None
    return None
