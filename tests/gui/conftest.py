"""GUI tests: pytest-qt on the offscreen platform, and a rig that builds the real main
window around a real Application (engine thread, null audio, stores in tmp_path).

QT_QPA_PLATFORM is set before anything imports Qt: without a display and without it,
Qt aborts the whole test run.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_rig import PASSWORDS, GuiRig

from parley.app.application import Application
from parley.gui import widgets
from parley.gui.i18n import set_language
from parley.media.engine import AudioConfig
from parley.settings import Settings, save_settings
from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answer every yes/no question with yes and record it; record information boxes."""
    asked: list[str] = []

    def ask(_parent: object, title: str, text: str) -> bool:
        asked.append(text)
        return True

    def inform(_parent: object, title: str, text: str, *, error: bool = False) -> None:
        asked.append(text)

    monkeypatch.setattr(widgets, "ask", ask)
    monkeypatch.setattr(widgets, "inform", inform)
    return asked


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., Application]]:
    """`make_app(settings=None, **application_options)`: Applications on
    tmp_path/settings.toml (not started), stopped at the end."""
    apps: list[Application] = []

    def make(settings: Settings | None = None, **extra: Any) -> Application:
        path = tmp_path / "settings.toml"
        if settings is not None:
            save_settings(settings, path)
        app = Application(
            path,
            use_keyring=False,
            data_dir=tmp_path / "data",
            bind_host="127.0.0.1",
            audio=AudioConfig(),
            **extra,
        )
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.stop()


@pytest.fixture
def make_rig(tmp_path: Path, qtbot: Any, answers: list[str]) -> Iterator[Callable[..., GuiRig]]:
    rigs: list[GuiRig] = []

    def make(
        settings: Settings,
        *,
        passwords: dict[str, str] | None = None,
        audio: AudioConfig | None = None,
    ) -> GuiRig:
        path = tmp_path / f"settings-{len(rigs)}.toml"
        save_settings(settings, path)
        application = Application(
            path,
            passwords=passwords or {},
            use_keyring=False,
            data_dir=tmp_path / f"data-{len(rigs)}",
            bind_host="127.0.0.1",
            audio=audio or AudioConfig(),
        )
        rig = GuiRig(application, qtbot)
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:
        rig.close()


@pytest.fixture
def far_phones(tmp_path: Path) -> Iterator[Callable[..., Baresip]]:
    """`far_phones(kam, user, **options)`: a baresip registered as `user` (default 1002)
    at the Kamailio `kam`, stopped after the test; `kind`: a Baresip subclass to start."""
    started: list[Baresip] = []

    def make(
        kam: Kamailio, user: str = "1002", *, kind: type[Baresip] = Baresip, **options: Any
    ) -> Baresip:
        phone = kind(
            tmp_path / f"baresip-{user}",
            sip_port=free_port("both"),
            user=user,
            password=PASSWORDS[user],
            registrar=f"127.0.0.1:{kam.udp_port}",
            codecs=["PCMU/8000/1"],
            **options,
        )
        started.append(phone)
        phone.start()
        return phone

    yield make
    for phone in started:
        phone.stop()
