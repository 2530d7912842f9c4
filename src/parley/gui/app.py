"""Start the desktop app: the QApplication, the Application (engine thread), the bridge
between them, the main window; then the first-start wizard when there is no account.

`parley` without arguments runs `run_gui([])`; `python -m parley.gui.app --help` lists
the options (a settings file, the data folder, the address to listen on, and
`--report-ready` for benchmarks and scripts).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from parley import __version__
from parley.app.application import Application, default_data_dir
from parley.app.logs import LOG_FILE, configure_logging
from parley.app.provisioning import ProvisioningChanged
from parley.automation.desktop import IntegrationResult, target_of_link
from parley.gui import icons
from parley.gui.bridge import EngineBridge
from parley.gui.busy import run_busy
from parley.gui.control_api import GuiControl
from parley.gui.desktop_links import apply_integration, follow_settings
from parley.gui.i18n import install_qt_translations, set_language, tr
from parley.gui.main_window import MainWindow
from parley.gui.single_instance import InstanceServer, hand_over, server_name
from parley.gui.texts import (
    phone_error_detail,
    phone_error_text,
    problem_detail,
    problem_text,
)
from parley.gui.theme import apply_theme
from parley.settings import ConfigError
from parley.settings.model import LogSettings

__all__ = ["EngineBridge", "build_parser", "run_gui", "start_window"]

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parley", description="Parley, the desktop softphone.")
    parser.add_argument("--version", action="version", version=f"parley {__version__}")
    parser.add_argument("--config", help="settings file (default: Parley's config directory)")
    parser.add_argument("--data-dir", help="folder of the call history and the contacts")
    parser.add_argument(
        "--bind", default="0.0.0.0", help="local address to listen on (default all IPv4)"
    )
    parser.add_argument(
        "--no-keyring",
        action="store_true",
        help="never use the OS keyring (passwords only from the settings file)",
    )
    parser.add_argument(
        "--provision", metavar="URL", help="fetch the settings from this provisioning URL first"
    )
    parser.add_argument("--provision-user", metavar="USER", help="provisioning user name")
    parser.add_argument("--provision-password", metavar="PASSWORD", help="provisioning password")
    parser.add_argument(
        "--provision-ca", metavar="FILE", help="CA certificate of the provisioning server"
    )
    parser.add_argument(
        "link",
        nargs="?",
        help="a sip:, sips:, tel: or callto: link to dial (handed to the Parley already "
        "running, if there is one)",
    )
    parser.add_argument(
        "--report-ready",
        action="store_true",
        help="print 'registered NAME' on stdout when an account is shown as registered "
        "(for benchmarks and scripts)",
    )
    return parser


def qt_application(argv: list[str] | None = None) -> QApplication:
    """The process's QApplication (made once)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication([sys.argv[0], *(argv or [])])
    app.setApplicationName("Parley")
    app.setOrganizationName("Parley")
    app.setWindowIcon(icons.icon("app"))
    return app


def start_window(application: Application, qt_app: QApplication) -> tuple[EngineBridge, MainWindow]:
    """Language, theme, bridge and main window for `application` (not started yet)."""
    gui = application.settings.gui
    set_language(gui.language)
    install_qt_translations(qt_app)
    apply_theme(qt_app, gui.theme)
    bridge = EngineBridge(application)
    window = MainWindow(bridge)
    window.resize(780, 640)
    return bridge, window


def run_gui(argv: list[str] | None = None) -> int:
    """Run the desktop app until its window is closed; returns the exit code."""
    args = build_parser().parse_args(argv if argv is not None else sys.argv[1:])
    configure_logging(LogSettings(log_level="warning"))  # until the settings are read
    qt_app = qt_application()
    data = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    instance_name = server_name(data)
    if args.link is not None:
        if target_of_link(args.link) is None:
            print(
                f"parley: {args.link!r} is not a sip:, sips:, tel: or callto: link", file=sys.stderr
            )
            return 2
        if hand_over(instance_name, args.link):
            print(f"parley: {args.link} handed to the running Parley", flush=True)
            return 0
    try:
        application = Application(
            args.config,
            data_dir=args.data_dir,
            bind_host=args.bind,
            use_keyring=not args.no_keyring,
        )
    except ConfigError as exc:
        QMessageBox.critical(None, "Parley", str(exc))
        print(exc, file=sys.stderr)
        return 2
    except Exception as exc:  # e.g. the history file cannot be opened
        QMessageBox.critical(None, "Parley", str(exc))
        print(f"parley: {exc}", file=sys.stderr)
        return 1
    # From here on the log follows [log] (level, SIP trace), on stderr and in a file
    # beside the history, and follows changes made in the settings dialog.
    configure_logging(application.settings.log, log_file=data / LOG_FILE)
    provisioned = _provision(application, args)
    bridge, window = start_window(application, qt_app)
    if provisioned is not None and provisioned.problem is not None:
        window.status.add_error(
            tr("Provisioning failed: the last good settings stay in force."),
            tr("Details: {detail}", detail=f"{provisioned.problem} {provisioned.detail}".strip()),
        )
    for outcome in apply_integration(application.settings.automation):
        if outcome.result is IntegrationResult.FAILED:
            window.status.add_error(
                tr("Parley could not set up its desktop integration."),
                tr("Details: {detail}", detail=outcome.detail),
            )
    follow_settings(application)
    control = GuiControl(application)
    control_problem = control.start()
    if control_problem is not None:
        window.status.add_error(
            tr("The control API cannot listen."), tr("Details: {detail}", detail=control_problem)
        )
    pending = [args.link] if args.link else []

    def dial_link(link: str) -> None:
        target = target_of_link(link)
        if target is None:
            return
        window.show()
        window.raise_()
        window.activateWindow()
        bridge.run(
            application.calls.dial(target),
            None,
            lambda exc: window.status.add_error(
                tr("Parley could not dial {link}.", link=link), problem_detail(exc)
            ),
        )

    instance = InstanceServer(instance_name, dial_link)

    def dial_pending(_name: str, state: str) -> None:
        if state == "registered" and pending:
            dial_link(pending.pop())

    window.account_list.state_shown.connect(dial_pending)
    if args.report_ready:

        def report(name: str, state: str) -> None:
            if state == "registered":
                print(f"registered {name}", flush=True)

        window.account_list.state_shown.connect(report)
    window.quit_requested.connect(qt_app.quit)
    qt_app.setQuitOnLastWindowClosed(False)  # minimise-on-close keeps us running

    # SIGTERM/SIGINT end the app cleanly (unregister); Python only runs signal handlers
    # when it gets control, hence the idle timer.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: qt_app.quit())
    idle = QTimer()
    idle.start(250)
    idle.timeout.connect(lambda: None)

    def started_failed(exc: BaseException) -> None:
        window.status.add_error(
            tr("Parley could not start the phone: {error}", error=problem_text(exc)),
            problem_detail(exc),
        )

    def started(_: object) -> None:
        window.phone_started()
        gui = application.settings.gui
        for kind, level in (("speaker", gui.speaker_volume), ("microphone", gui.microphone_volume)):
            if level != 100:
                bridge.run(application.set_volume(kind, level / 100.0))
        QTimer.singleShot(0, window, lambda: _first_start(application, window))

    if application.settings.gui.start_minimised:
        if window.tray.can_hide_to_tray(application.settings.gui):
            pass  # stays hidden; the tray icon shows it
        else:
            window.showMinimized()
    else:
        window.show()
    for problem in application.problem_events:
        window.status.add_error(phone_error_text(problem), phone_error_detail(problem))
    bridge.run(application.start(), started, started_failed)
    try:
        return qt_app.exec()
    finally:
        instance.close()
        control.close()
        bridge.close()
        application.stop()


def _provision(application: Application, args: argparse.Namespace) -> ProvisioningChanged | None:
    """Provision before the window opens (`--provision URL`, or the settings' URL when
    "registering automatically" is on)."""
    conf = application.settings.provisioning
    if args.provision is None and not (conf.url and conf.auto):
        return None
    event = run_busy(
        lambda: application.provisioning.provision(
            args.provision,
            username=args.provision_user,
            password=args.provision_password,
            ca_file=Path(args.provision_ca).expanduser() if args.provision_ca else None,
        ),
        tr("Fetching your settings…"),
    )
    application.provisioning.start_interval()
    return event


def _first_start(application: Application, window: MainWindow) -> None:
    """The account wizard and the audio assistant, when there is no account yet."""
    try:
        from parley.gui.wizard import first_start
    except ImportError:
        return
    if first_start(application, window):
        window.account_list.refresh()
        window.status.refresh()


def main() -> None:
    sys.exit(run_gui())


if __name__ == "__main__":
    main()
