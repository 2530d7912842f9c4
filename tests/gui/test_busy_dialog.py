"""Work before the window opens (provisioning at start) runs beside a busy dialog: the
desktop stays responsive and says what is going on; the result and errors come back."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QApplication, QProgressDialog

from parley.gui.busy import run_busy


def test_slow_work_shows_the_busy_dialog_and_returns_its_result(qapp: QApplication) -> None:
    release = threading.Event()
    seen: list[str] = []

    def work() -> str:
        release.wait(10)
        return "applied"

    def look() -> None:
        dialog = qapp.findChild(QProgressDialog, "busyDialog") or next(
            (w for w in qapp.topLevelWidgets() if w.objectName() == "busyDialog"), None
        )
        if dialog is not None and dialog.isVisible():
            assert isinstance(dialog, QProgressDialog)
            seen.append(dialog.labelText())
            release.set()  # the event loop ran while the work was busy: let it finish

    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(50)
    try:
        assert run_busy(work, "Fetching your settings…") == "applied"
    finally:
        timer.stop()
        release.set()
    assert seen and seen[0] == "Fetching your settings…"


def test_an_error_of_the_work_is_raised_to_the_caller(qapp: QApplication) -> None:
    def work() -> None:
        raise ValueError("profile refused")

    with pytest.raises(ValueError, match="profile refused"):
        run_busy(work, "Fetching your settings…")
