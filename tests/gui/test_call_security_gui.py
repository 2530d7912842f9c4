"""What a person sees of a call's encryption (issue #11, "What the user sees"): the lock
in the call view, the call list and the call bar never says more than is true.

- real calls with baresip through Kamailio: SRTP (srtp-mand) over TLS shows the closed
  lock and says SRTP and TLS; SRTP over UDP (keys allowed without TLS) shows the open
  amber lock and says the keys went unprotected; a plain call shows the struck-out open
  lock; "optional" over UDP without the explicit choice says why the call is plain;
  "mandatory" against a plain phone ends with the reason;
- ZRTP (its calls are being wired in parallel): the code shown large, "Verify" and
  "Unverify" through a fake `set_sas_verified` that answers with the event the engine
  sends, the red warning when the retained secret did not match — snapshots fed
  through the real Application's event path into the real window; in German too.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_rig import PASSWORDS, GuiRig, account
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QImage
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from parley.gui import icons
from parley.gui.i18n import set_language
from parley.phone.events import CallStateChanged
from parley.settings import AccountSettings, Settings
from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio

CLOSED = ("lock_closed", icons.GREEN)
EXPOSED = ("lock_exposed", icons.AMBER)
OPEN = ("lock_open", icons.GREY)
ALERT = ("lock_alert", icons.RED)


def spoken(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    assert iface is not None
    return iface.text(QAccessible.Text.Name)


def shows_icon(label: QLabel, drawing: tuple[str, str], size: int) -> bool:
    """The label shows exactly that drawing of gui/icons."""
    shown = label.pixmap()
    if shown is None or shown.isNull():
        return False
    want = icons.pixmap(drawing[0], size, drawing[1]).toImage()
    return shown.toImage().convertToFormat(QImage.Format.Format_ARGB32) == (
        want.convertToFormat(QImage.Format.Format_ARGB32)
    )


def announcements(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """What is handed to Qt's accessibility layer as announcements."""
    said: list[tuple[str, Any]] = []
    real = QAccessible.updateAccessibility

    def catch(event: Any) -> None:
        if isinstance(event, QAccessibleAnnouncementEvent):
            said.append((event.message(), event.politeness()))
        real(event)

    monkeypatch.setattr(QAccessible, "updateAccessibility", catch)
    return said


def lock_seen(rig: GuiRig) -> str:
    panel = rig.window.call_panel
    return panel.security.text.text() if panel.security.text.isVisible() else ""


# --- real calls ------------------------------------------------------------------------


@pytest.fixture
def tls_kamailio(tmp_path: Path) -> Iterator[Kamailio]:
    """Kamailio with TLS and its NAT helpers (a call to a TLS phone goes back over the
    phone's own connection: baresip has no server certificate)."""
    port = free_port("both")
    kam = Kamailio(
        tmp_path / "kamailio-tls",
        {"1001": "pass1001", "1002": "pass1002"},
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
        nat_helpers=True,
    )
    kam.start()
    try:
        yield kam
    finally:
        kam.close()


def test_srtp_over_tls_shows_the_closed_lock(
    tls_kamailio: Kamailio, make_rig: Callable[..., GuiRig], qtbot: Any, tmp_path: Path
) -> None:
    kam = tls_kamailio
    tls = f"127.0.0.1:{kam.tls_port}"
    settings = Settings(
        accounts=[
            AccountSettings(
                name="office",
                domain=tls,
                username="1001",
                transport="tls",
                ca_file=str(kam.ca_file),
                codecs=["pcmu"],
                srtp="mandatory",  # keys over TLS only
            )
        ]
    )
    far = Baresip(
        tmp_path / "baresip-tls",
        sip_port=free_port("both"),
        user="1002",
        password=PASSWORDS["1002"],
        registrar=tls,
        transport="tls",
        codecs=["PCMU/8000/1"],
        auto_answer=True,
        mediaenc="srtp-mand",
        ca_file=kam.ca_file,
    )
    far.start(timeout=30)
    try:
        rig = make_rig(settings, passwords={"office": PASSWORDS["1001"]})
        rig.start()
        rig.wait_registered()
        w, panel = rig.window, rig.window.call_panel
        qtbot.keyClicks(w.search, "1002")
        qtbot.keyClick(w.search, Qt.Key.Key_Return)
        rig.wait(lambda: panel.current is not None and panel.current.state == "connected")
        far.wait_call_state("CALL_ESTABLISHED", timeout=30)
        rig.wait(lambda: lock_seen(rig) == "Encrypted (SRTP over TLS)")
        lock = panel.security.lock
        assert shows_icon(lock, CLOSED, 20)
        assert spoken(lock) == "Encryption: Encrypted (SRTP over TLS)"
        # The suite comes from the call's statistics.
        rig.wait(lambda: "AES_CM_128_HMAC_SHA1_80" in lock.toolTip())
        tip = lock.toolTip()
        assert "SRTP" in tip and "Signalling: TLS (encrypted)" in tip, tip
        assert "not encrypted" not in tip, tip
        # The main window's call bar says it as well.
        assert w.call_bar.lock.isVisible() and shows_icon(w.call_bar.lock, CLOSED, 16)
        assert "TLS" in w.call_bar.lock.toolTip()
        panel.hangup_button.click()
        rig.wait(lambda: not panel.calls)
    finally:
        far.stop()


def udp_settings(kam: Kamailio, **srtp: Any) -> Settings:
    return Settings(accounts=[account(f"127.0.0.1:{kam.udp_port}", **srtp)])


def dial_1002(rig: GuiRig, qtbot: Any) -> None:
    w, panel = rig.window, rig.window.call_panel
    qtbot.keyClicks(w.search, "1002")
    qtbot.keyClick(w.search, Qt.Key.Key_Return)
    rig.wait(lambda: panel.current is not None and panel.current.state == "connected")


def test_srtp_over_udp_says_the_keys_went_unprotected(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    far_phones(kamailio, "1002", auto_answer=True, mediaenc="srtp-mand")
    settings = udp_settings(kamailio, srtp="mandatory", srtp_over_plain_signalling=True)
    rig = make_rig(settings, passwords={"office": PASSWORDS["1001"]})
    rig.start()
    rig.wait_registered()
    dial_1002(rig, qtbot)
    panel = rig.window.call_panel
    rig.wait(lambda: lock_seen(rig) == "SRTP, keys sent without TLS")
    lock = panel.security.lock
    assert shows_icon(lock, EXPOSED, 20)
    assert not shows_icon(lock, CLOSED, 20)
    assert spoken(lock) == "Encryption: SRTP, keys sent without TLS"
    tip = lock.toolTip()
    assert "Signalling: UDP (not encrypted)" in tip, tip
    assert "sent over UDP without TLS" in tip, tip
    assert shows_icon(rig.window.call_bar.lock, EXPOSED, 16)
    panel.hangup_button.click()
    rig.wait(lambda: not panel.calls)


def test_plain_call_shows_no_closed_lock(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    far_phones(kamailio, "1002", auto_answer=True)
    rig = make_rig(udp_settings(kamailio), passwords={"office": PASSWORDS["1001"]})
    rig.start()
    rig.wait_registered()
    dial_1002(rig, qtbot)
    panel = rig.window.call_panel
    rig.wait(lambda: lock_seen(rig) == "Not encrypted")
    assert shows_icon(panel.security.lock, OPEN, 20)
    assert "Audio: not encrypted" in panel.security.lock.toolTip()
    assert not panel.security.problem.isVisible()  # nothing was wanted, nothing is wrong
    assert not panel.security.sas.isVisible()
    assert shows_icon(rig.window.call_bar.lock, OPEN, 16)
    panel.hangup_button.click()
    rig.wait(lambda: not panel.calls)


def test_optional_srtp_without_tls_says_why_the_call_is_plain(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    far_phones(kamailio, "1002", auto_answer=True, mediaenc="srtp")
    rig = make_rig(udp_settings(kamailio, srtp="optional"), passwords={"office": PASSWORDS["1001"]})
    rig.start()
    rig.wait_registered()
    dial_1002(rig, qtbot)
    panel = rig.window.call_panel
    rig.wait(lambda: panel.security.problem.isVisible())
    assert panel.security.problem.text() == (
        "Not encrypted: this account sends SRTP keys only over TLS, and this call does not use TLS."
    )
    assert lock_seen(rig) == "Not encrypted"
    assert shows_icon(panel.security.lock, OPEN, 20)
    panel.hangup_button.click()
    rig.wait(lambda: not panel.calls)


def test_srtp_mand_phone_refusing_our_plain_offer_ends_with_the_reason(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    qtbot: Any,
) -> None:
    far_phones(kamailio, "1002", auto_answer=True, mediaenc="srtp-mand")
    settings = udp_settings(kamailio, srtp="optional")  # keys only over TLS
    rig = make_rig(settings, passwords={"office": PASSWORDS["1001"]})
    rig.start()
    rig.wait_registered()
    panel = rig.window.call_panel
    qtbot.keyClicks(rig.window.search, "1002")
    qtbot.keyClick(rig.window.search, Qt.Key.Key_Return)
    rig.wait(lambda: panel.ended is not None)
    # The far phone insists on SRTP (488); our keys would have gone without TLS.
    assert panel.state_label.text() == "No encrypted connection"
    assert panel.end_detail.isVisible()
    assert panel.end_detail.text().splitlines()[0] == (
        "Not encrypted: this account sends SRTP keys only over TLS, and this call does not use TLS."
    )
    assert "488" in panel.end_detail.text()


# --- ZRTP: snapshots fed through the Application's event path ---------------------------


class FakeSas:
    """`Application.set_sas_verified` as the engine will do it: the command is recorded
    and the call's next event carries the new state."""

    def __init__(self, rig: GuiRig, event: Callable[..., CallStateChanged]) -> None:
        self.rig = rig
        self.event = event
        self.asked: list[tuple[int, bool]] = []

    def set_sas_verified(self, call_id: int, verified: bool) -> concurrent.futures.Future[None]:
        self.asked.append((call_id, verified))
        self.rig.app._on_phone_event(self.event(sas_verified=verified))
        done: concurrent.futures.Future[None] = concurrent.futures.Future()
        done.set_result(None)
        return done


def zrtp_event(**extra: Any) -> CallStateChanged:
    data: dict[str, Any] = {
        "call": 7,
        "account": "office",
        "direction": "outgoing",
        "state": "connected",
        "remote": "sip:1002@127.0.0.1",
        "remote_name": "Anna Berg",
        "media_encryption": "zrtp",
        "signalling": "udp",
        "sas": "k3vq",
    }
    data.update(extra)
    return CallStateChanged(**data)


@pytest.fixture
def idle_rig(make_rig: Callable[..., GuiRig]) -> GuiRig:
    return make_rig(Settings(accounts=[account("127.0.0.1:5999")]))


def test_zrtp_code_is_shown_large_and_verified_and_unverified(
    idle_rig: GuiRig, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = idle_rig
    said = announcements(monkeypatch)
    fake = FakeSas(rig, zrtp_event)
    rig.app.set_sas_verified = fake.set_sas_verified  # type: ignore[attr-defined]
    panel = rig.window.call_panel
    rig.app._on_phone_event(zrtp_event())
    sas = panel.security.sas
    rig.wait(lambda: sas.isVisible())
    assert sas.code.text() == "k3vq"
    assert sas.code.font().pointSizeF() > 1.8 * panel.font().pointSizeF()  # large
    assert spoken(sas.code) == "Security code: k 3 v q"
    assert sas.state.text() == "Not verified"
    assert lock_seen(rig) == "Encrypted (ZRTP), code not verified"
    assert shows_icon(panel.security.lock, EXPOSED, 20)  # not closed before the check
    assert sas.verify_button.isVisible() and not sas.unverify_button.isVisible()
    assert not sas.warning.isVisible()

    qtbot.mouseClick(sas.verify_button, Qt.MouseButton.LeftButton)
    rig.wait(lambda: sas.state.text() == "Verified")
    assert fake.asked == [(7, True)]
    assert lock_seen(rig) == "Encrypted (ZRTP, code verified)"
    assert shows_icon(panel.security.lock, CLOSED, 20)
    assert shows_icon(rig.window.call_bar.lock, CLOSED, 16)
    assert sas.unverify_button.isVisible() and not sas.verify_button.isVisible()

    qtbot.mouseClick(sas.unverify_button, Qt.MouseButton.LeftButton)
    rig.wait(lambda: sas.state.text() == "Not verified")
    assert fake.asked == [(7, True), (7, False)]
    # Screen readers heard the lock change each time (not the first, ordinary state).
    polite = QAccessible.AnnouncementPoliteness.Polite
    assert said == [
        ("Encrypted (ZRTP, code verified)", polite),
        ("Encrypted (ZRTP), code not verified", polite),
    ]
    assert shows_icon(panel.security.lock, EXPOSED, 20)
    assert sas.verify_button.isVisible()


def test_zrtp_cache_mismatch_warns_in_red(
    idle_rig: GuiRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = idle_rig
    said = announcements(monkeypatch)
    fake = FakeSas(rig, zrtp_event)
    rig.app.set_sas_verified = fake.set_sas_verified  # type: ignore[attr-defined]
    rig.app._on_phone_event(zrtp_event(zrtp_cache_mismatch=True, sas_verified=True))
    panel = rig.window.call_panel
    sas = panel.security.sas
    rig.wait(lambda: sas.warning.isVisible())
    assert sas.warning.text() == (
        "The security check of this call changed since your last call with Anna Berg — "
        "possibly someone is listening in. Compare the code aloud."
    )
    assert "#d23b3b" in sas.warning.styleSheet()  # red
    assert sas.state.text() == "Not verified"  # a verified flag does not hide the warning
    # The code has to be compared again: "Verify" is offered, not "Unverify".
    assert sas.verify_button.isVisible() and not sas.unverify_button.isVisible()
    assert lock_seen(rig) == "ZRTP: security warning"
    assert shows_icon(panel.security.lock, ALERT, 20)
    assert said == [(sas.warning.text(), QAccessible.AnnouncementPoliteness.Assertive)]


def test_security_texts_in_german(make_rig: Callable[..., GuiRig]) -> None:
    set_language("de")
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    rig.app._on_phone_event(zrtp_event(zrtp_cache_mismatch=True))
    rig.app._on_phone_event(
        zrtp_event(
            call=8,
            remote="sip:1003@127.0.0.1",
            remote_name="Jonas",
            state="held",
            held="us",
            media_encryption="srtp",
            sas="",
        )
    )
    panel = rig.window.call_panel
    sas = panel.security.sas
    rig.wait(lambda: sas.isVisible() and sas.warning.isVisible())
    assert sas.warning.text().startswith("Die Sicherheitsprüfung dieses Anrufs")
    assert sas.state.text() == "Nicht bestätigt"
    assert lock_seen(rig) == "ZRTP: Sicherheitswarnung"
    assert "Audio: mit ZRTP verschlüsselt" in panel.security.lock.toolTip()
    assert spoken(sas.code) == "Sicherheitscode: k 3 v q"
    # The call list: both calls with their locks, said in the row.
    rows = [panel.call_list.item(i) for i in range(panel.call_list.count())]
    assert len(rows) == 2
    said = [str(r.data(Qt.ItemDataRole.AccessibleTextRole)) for r in rows]
    assert said[0].endswith("ZRTP: Sicherheitswarnung"), said
    assert said[1].endswith("SRTP, Schlüssel ohne TLS gesendet"), said


def test_german_walk_of_the_security_parts_finds_no_english(
    make_rig: Callable[..., GuiRig],
) -> None:
    """Every text of the call view with a ZRTP call (code, buttons, warning, tooltips,
    accessible names) and an SRTP problem is German (tests/gui/german_walk.py)."""
    from german_walk import EnglishFinder

    from parley.sip.sdes import SrtpProblem

    set_language("de")
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    fake = FakeSas(rig, lambda **extra: zrtp_event(zrtp_cache_mismatch=True, **extra))
    rig.app.set_sas_verified = fake.set_sas_verified  # type: ignore[attr-defined]
    rig.app._on_phone_event(zrtp_event(zrtp_cache_mismatch=True))
    rig.app._on_phone_event(
        zrtp_event(
            call=8,
            remote="sip:1003@127.0.0.1",
            remote_name="Jonas",
            state="held",
            held="us",
            media_encryption="none",
            sas="",
            encryption_problem=SrtpProblem.NEEDS_TLS,
        )
    )
    w, panel = rig.window, rig.window.call_panel
    sas = panel.security.sas
    rig.wait(lambda: sas.isVisible() and sas.verify_button.isVisible())
    assert spoken(sas.verify_button) == "Bestätigen"
    assert sas.verify_button.accessibleDescription() == (
        "Ihr Gesprächspartner hat denselben Code gelesen"
    )
    finder = EnglishFinder()
    finder.walk([w], "ZRTP call with a warning")
    rig.wait(lambda: not cut_texts(panel.security))  # laid out: nothing cut
    panel.switch_to(8)  # the plain call with its problem
    rig.wait(lambda: panel.security.problem.isVisible())
    assert panel.security.problem.text().startswith("Nicht verschlüsselt: Dieses Konto")
    finder.walk([w], "plain call, keys need TLS")
    assert not finder.found, finder.report()
    assert not cut_texts(panel.security)


def cut_texts(root: QWidget) -> list[tuple[str, int, int]]:
    """Visible labels and buttons below `root` smaller than their text needs: a wrapped
    label measured by a fresh label of the same text, font and style at its width."""
    cut = []
    for label in root.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        if label.wordWrap():
            probe = QLabel(label.text())
            probe.setFont(label.font())
            probe.setStyleSheet(label.styleSheet())
            probe.setWordWrap(True)
            probe.ensurePolished()
            needed = probe.heightForWidth(label.width())
            if label.height() < needed:
                cut.append((label.text(), label.height(), needed))
        elif label.width() < label.minimumSizeHint().width() or (
            label.height() < label.sizeHint().height()
        ):
            cut.append((label.text(), label.width(), label.minimumSizeHint().width()))
    for button in root.findChildren(QPushButton):
        needed = button.fontMetrics().horizontalAdvance(button.text()) + 8
        if button.isVisible() and button.width() < needed:
            cut.append((button.text(), button.width(), needed))
    return cut
