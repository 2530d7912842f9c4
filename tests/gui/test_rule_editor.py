"""The event rule list and its editor in the settings dialog (Automation › Event
rules, the manual's "Edit Open URL Rule" dialog), on a real Application: a REST rule
added and tested against a local HTTP server that records requests, an invalid filter
shown on its field and refused, the states offered following the event, the rule saved
in the settings file and then firing on a real call (baresip calling through
Kamailio), the German labels; and the update notice in the status bar."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from gui_rig import GuiRig, account, registered_rig
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from parley.app import Application
from parley.app.event_rules import RuleRan
from parley.automation.actions import RuleProblem
from parley.gui.i18n import set_language
from parley.gui.rule_editor import RuleDialog, result_text
from parley.gui.settings_dialog import SettingsDialog
from parley.settings import Settings, load_settings
from parley.settings.automation import EventRule
from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio

DEVICES: dict[str, list[str]] = {"input": [], "output": []}


class Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]]

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.seen.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        )
        self.send_response(204)
        self.end_headers()

    do_GET = do_POST = do_PUT = _record

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def http() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []
    server = ThreadingHTTPServer(
        ("127.0.0.1", free_port("tcp")), type("H", (Recorder,), {"seen": seen})
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def open_dialog(qtbot: Any, app: Application) -> SettingsDialog:
    dialog = SettingsDialog(app, devices=DEVICES)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select_page("functions")
    return dialog


def fill_rest_rule(editor: RuleDialog, url: str) -> None:
    editor.name.setText("CRM ringing")
    editor.event_box.setCurrentIndex(editor.event_box.findData("call"))
    editor.state.setCurrentIndex(editor.state.findData("ringing"))
    editor.direction.setCurrentIndex(editor.direction.findData("incoming"))
    editor.action.setCurrentIndex(editor.action.findData("rest"))
    editor.address.setText(url)
    editor.method.setCurrentText("POST")
    editor.headers.setPlainText("Content-Type: application/json\nX-Caller: {number}")
    editor.body.setPlainText('{"number": "{number}", "name": "{name}", "state": "{state}"}')


def test_rest_rule_added_tested_and_saved(
    qtbot: Any, make_app: Callable[..., Application], http: tuple[str, list[dict[str, Any]]]
) -> None:
    base, seen = http
    app = make_app(Settings())
    dialog = open_dialog(qtbot, app)
    box = dialog.rules_box
    assert box.isVisible() and box.table.rowCount() == 0
    qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
    editor = box.editor
    assert editor is not None and editor.isVisible()
    fill_rest_rule(editor, base + "/test?n={number}")
    assert editor.windowTitle() == "Edit REST API Rule"
    assert editor.method.isVisible() and editor.body.isVisible()
    # The placeholders are listed and inserted where the cursor is.
    editor.address.setCursorPosition(len(editor.address.text()))
    editor.placeholder.activated.emit(editor.placeholder.findData("name"))
    assert editor.address.text().endswith("{number}{name}")
    editor.address.setText(base + "/test?n={number}")

    before = len(seen)
    qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(seen) > before, timeout=20_000)
    qtbot.waitUntil(lambda: editor.test_result.text().startswith("OK"), timeout=20_000)
    assert editor.test_result.text().startswith("OK (HTTP 204)")
    request = seen[-1]
    assert request["method"] == "POST" and request["path"].startswith("/test?n=")
    body = json.loads(request["body"])
    assert body["state"] == "ringing" and body["number"] == request["headers"]["X-Caller"]
    # the sample caller name (quotes, $( ), ;) arrives as text in the JSON
    assert body["name"] == 'Test Caller "$(id)"; & <x>'

    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    assert not editor.isVisible()
    assert box.table.rowCount() == 1
    texts = [box.table.item(0, c).text() for c in range(1, box.table.columnCount())]
    assert texts == [
        "CRM ringing",
        "Calls",
        "Ringing",
        "Incoming",
        "REST",
        base + "/test?n={number}",
        "Not run yet",
    ]
    # Not saved until Apply; then in the settings file.
    assert app.settings.automation.rules == []
    assert dialog.apply()
    saved = load_settings(app.settings_path).automation.rules
    assert len(saved) == 1
    assert saved[0].action == "rest" and saved[0].method == "POST"
    assert saved[0].headers == {"Content-Type": "application/json", "X-Caller": "{number}"}
    assert saved[0].state == "ringing" and saved[0].direction == "incoming"


def test_invalid_filter_shown_on_its_field_and_refused(
    qtbot: Any, make_app: Callable[..., Application]
) -> None:
    app = make_app(Settings())
    dialog = open_dialog(qtbot, app)
    editor = dialog.rules_box.open_editor(-1)
    editor.address.setText("https://crm.example/?n={number}")
    qtbot.keyClicks(editor.filter, "^(+49")
    assert editor.filter_error.isVisible()
    assert editor.filter_error.text().startswith("Not a regular expression")
    assert "c0392b" in editor.filter.styleSheet()
    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    assert editor.isVisible()  # refused: the dialog stays open
    assert editor.message.text() == "Correct the marked fields."
    assert dialog.rules_box.table.rowCount() == 0
    # Corrected as typed: the mark goes.
    editor.filter.setText(r"^\+49")
    assert not editor.filter_error.isVisible()
    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    assert not editor.isVisible() and dialog.rules_box.table.rowCount() == 1
    # A broken rule that reached the draft another way: Apply refuses, nothing saved.
    dialog.draft.automation.rules.append(EventRule.model_construct(filter="(", address="x"))
    assert not dialog.apply()
    assert dialog.message.text().startswith("Nothing was saved")
    assert load_settings(app.settings_path).automation.rules == []


def test_states_follow_the_event(qtbot: Any, make_app: Callable[..., Application]) -> None:
    dialog = open_dialog(qtbot, make_app(Settings()))
    editor = dialog.rules_box.open_editor(-1)
    assert editor.states_offered() == ["any", "ringing", "answered", "held", "ended", "missed"]
    assert editor.direction.isVisible()
    editor.event_box.setCurrentIndex(editor.event_box.findData("registration"))
    assert editor.states_offered() == ["any", "registered", "failed", "unregistered"]
    assert not editor.direction.isVisible()  # calls only
    editor.event_box.setCurrentIndex(editor.event_box.findData("message"))
    assert editor.states_offered() == ["any", "received"]
    assert editor.state.currentText() == "Received"
    editor.action.setCurrentIndex(editor.action.findData("program"))
    assert not editor.method.isVisible() and not editor.body.isVisible()
    assert editor.windowTitle() == "Edit Open Application Rule"


def test_search_finds_the_rule_list(qtbot: Any, make_app: Callable[..., Application]) -> None:
    dialog = open_dialog(qtbot, make_app(Settings()))
    dialog.select_page("accounts")
    dialog.show_search("event rules")
    assert dialog.current_page() == "functions"
    assert dialog.rules_box.isVisible()
    assert not dialog.not_yet_note.isVisible()  # no longer "not in Parley yet"
    assert dialog.show_search("check for updates") == 1
    assert not dialog.rules_box.isVisible()


def test_list_edit_delete_move_and_enable(
    qtbot: Any, make_app: Callable[..., Application], answers: list[str]
) -> None:
    rules = [EventRule(name=n, address=f"https://crm.example/{n}") for n in ("a", "b", "c")]
    settings = Settings()
    settings.automation.rules = rules
    app = make_app(settings)
    dialog = open_dialog(qtbot, app)
    box = dialog.rules_box

    def names() -> list[str]:
        return [box.table.item(r, 1).text() for r in range(box.table.rowCount())]

    assert names() == ["a", "b", "c"]
    box.select(2)
    qtbot.mouseClick(box.up_button, Qt.MouseButton.LeftButton)
    assert names() == ["a", "c", "b"] and box.current() == 1
    assert not box.down_button.isEnabled() or box.current() < 2
    box.select(0)
    assert not box.up_button.isEnabled()
    qtbot.mouseClick(box.delete_button, Qt.MouseButton.LeftButton)
    assert names() == ["c", "b"] and answers  # asked first
    box.table.item(1, 0).setCheckState(Qt.CheckState.Unchecked)
    box.select(0)
    editor = box.open_editor(box.current())
    editor.name.setText("c2")
    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    assert names() == ["c2", "b"]
    assert dialog.apply()
    saved = load_settings(app.settings_path).automation.rules
    assert [(r.name, r.enabled) for r in saved] == [("c2", True), ("b", False)]


def test_saved_rule_fires_on_a_real_call(
    qtbot: Any,
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    far_phones: Callable[..., Baresip],
    http: tuple[str, list[dict[str, Any]]],
) -> None:
    base, seen = http
    settings = Settings(accounts=[account(f"127.0.0.1:{kamailio.udp_port}")])
    rig = registered_rig(make_rig, settings, "1001")
    dialog = open_dialog(qtbot, rig.app)
    editor = dialog.rules_box.open_editor(-1)
    fill_rest_rule(editor, base + "/ring?n={number}")
    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.apply()
    assert rig.app.settings_path is not None
    saved = load_settings(rig.app.settings_path).automation.rules
    assert [r.address for r in saved] == [base + "/ring?n={number}"]

    far = far_phones(kamailio)
    before = len(seen)
    far.dial(f"sip:1001@127.0.0.1:{kamailio.udp_port}")
    rig.wait(lambda: any(r["path"].startswith("/ring") for r in seen[before:]))
    request = next(r for r in seen[before:] if r["path"].startswith("/ring"))
    assert parse_qs(urlsplit(request["path"]).query)["n"] == ["1002"]
    assert json.loads(request["body"])["state"] == "ringing"
    # The rule list shows the run.
    rig.wait(lambda: dialog.rules_box.result_of(0) == "OK (HTTP 204)")
    far.hangup()


def test_german_labels(qtbot: Any, make_app: Callable[..., Application]) -> None:
    set_language("de")
    dialog = open_dialog(qtbot, make_app(Settings()))
    box = dialog.rules_box
    assert box.title() == "Ereignisregeln"
    assert [b.text() for b in (box.add_button, box.edit_button, box.up_button)] == [
        "Hinzufügen…",
        "Bearbeiten…",
        "Nach oben",
    ]
    editor = box.open_editor(-1)
    assert editor.windowTitle() == "Regel „URL öffnen“ bearbeiten"
    assert editor.test_button.text() == "Diese Regel testen"
    assert editor.state.currentText() == "Klingelt"
    assert editor.action.itemText(1) == "Anwendung öffnen/ausführen"
    editor.filter.setText("(")
    assert editor.filter_error.text().startswith("Kein regulärer Ausdruck")
    failed = RuleRan(0, "x", "call", "ringing", RuleProblem.HTTP_STATUS, status=503)
    assert result_text(failed) == "Fehlgeschlagen: der Server antwortete mit Fehler 503"
    assert result_text(RuleRan(0, "x", "call", "ringing", None, status=204)) == "OK (HTTP 204)"
    rows = dialog.rows
    assert rows["automation.check_updates"].editor.text_widget.text() == "Nach Updates suchen"
    QApplication.processEvents()


# ---------------------------------------------------------------- update notice


class Feed(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"info": {"version": "99.1"}, "releases": {}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("language", "notice"),
    [("en", "Parley 99.1 is available"), ("de", "Parley 99.1 ist verfügbar")],
)
def test_update_notice_in_the_status_bar(
    make_rig: Callable[..., GuiRig], tmp_path: Path, language: str, notice: str
) -> None:
    set_language(language)
    server = ThreadingHTTPServer(("127.0.0.1", free_port("tcp")), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = Settings()
        settings.automation.check_updates = True
        settings.automation.update_feed = f"http://127.0.0.1:{server.server_address[1]}/json"
        rig = make_rig(settings)
        rig.start()
        rig.wait(lambda: rig.window.status.message.text() == notice)
    finally:
        server.shutdown()
        server.server_close()


def test_failed_update_check_is_a_notice_not_an_error(
    make_rig: Callable[..., GuiRig],
) -> None:
    settings = Settings()
    settings.automation.check_updates = True
    settings.automation.update_feed = f"http://127.0.0.1:{free_port('tcp')}/json"  # dead
    rig = make_rig(settings)
    rig.start()
    rig.wait(lambda: rig.window.status.message.text() == "Parley could not check for updates.")
    assert rig.window.status.errors == [] and not rig.window.status.has_unseen_error
