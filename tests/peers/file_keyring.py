"""A keyring backend for tests: the passwords in a JSON file named by
``PARLEY_TEST_KEYRING`` (0600). This machine has no Secret Service; with
``PYTHON_KEYRING_BACKEND=peers.file_keyring.FileKeyring`` (and ``tests`` on PYTHONPATH)
a console started by a test keeps passwords across its restarts the way a real keyring
does, so "remember me" paths run for real. Never for real use: the file is plain text."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

ENV = "PARLEY_TEST_KEYRING"


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]  # usable, chosen only when named

    def _path(self) -> Path:
        name = os.environ.get(ENV)
        if not name:
            raise RuntimeError(f"{ENV} names no file for the test keyring")
        return Path(name)

    def _load(self) -> dict[str, str]:
        path = self._path()
        if not path.exists():
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()}

    def _save(self, data: dict[str, str]) -> None:
        path = self._path()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(path)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\x00{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\x00{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\x00{username}", None) is None:
            raise PasswordDeleteError(username)
        self._save(data)


def environment(path: Path) -> dict[str, str]:
    """The variables that make a child process use the file keyring at `path`."""
    tests = str(Path(__file__).resolve().parents[1])
    python_path = os.pathsep.join(p for p in (tests, os.environ.get("PYTHONPATH", "")) if p)
    return {
        "PYTHON_KEYRING_BACKEND": "peers.file_keyring.FileKeyring",
        ENV: str(path),
        "PYTHONPATH": python_path,
    }
