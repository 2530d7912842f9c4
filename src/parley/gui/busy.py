"""Work that must finish before the window opens (provisioning at start), run on a
thread while a small busy dialog keeps the desktop responsive and says what is going on:
a slow or dead server then shows as "Fetching your settings…", not as a program that
never started."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog

T = TypeVar("T")

# Below this the dialog would only flicker.
SHOW_AFTER_MS = 400


def run_busy(work: Callable[[], T], text: str, *, title: str = "Parley") -> T:
    """`work()` on a thread, a busy dialog with `text` shown while it runs (after a short
    delay); its result, or its exception raised here."""
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="parley-busy") as pool:
        future = pool.submit(work)
        dialog = QProgressDialog(text, "", 0, 0)
        dialog.setWindowTitle(title)
        dialog.setCancelButton(None)  # the work has its own deadlines; nothing to cancel
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setMinimumDuration(SHOW_AFTER_MS)
        dialog.setObjectName("busyDialog")
        loop = QEventLoop()
        poll = QTimer()
        poll.setInterval(30)
        poll.timeout.connect(lambda: loop.quit() if future.done() else None)
        poll.start()
        if not future.done():
            loop.exec()
        poll.stop()
        dialog.reset()
        dialog.deleteLater()
        return future.result()
