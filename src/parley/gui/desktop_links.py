"""The desktop app's part of Automation › General and Integration: starting with the
operating system and opening sip:/sips:/tel:/callto: links (written as the settings
say, at start and whenever the settings are saved), and dialling links handed over by a
second `parley LINK`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from parley.app.application import Application
from parley.app.events import SettingsApplied
from parley.automation.desktop import (
    URI_DESKTOP_FILE,
    Desktop,
    IntegrationResult,
    Outcome,
    autostart_is_on,
    current_desktop,
    set_autostart,
    set_uri_handlers,
    uri_handler_of,
)
from parley.phone.events import PhoneEvent
from parley.settings.automation import AutomationSettings

log = logging.getLogger(__name__)


def apply_integration(settings: AutomationSettings) -> list[Outcome]:
    """Bring the desktop in line with the settings; only changes what differs, and never
    removes a link handler that another program owns. Failures come back (and are
    logged), nothing raises."""
    outcomes: list[Outcome] = []
    try:
        if settings.start_with_os != autostart_is_on():
            outcomes.append(set_autostart(settings.start_with_os))
        if settings.register_uri_handlers:
            outcomes.append(set_uri_handlers(True))
        elif current_desktop() is Desktop.LINUX and uri_handler_of("sip") == URI_DESKTOP_FILE:
            outcomes.append(set_uri_handlers(False))
        elif current_desktop() is Desktop.WINDOWS:
            outcomes.append(set_uri_handlers(False))
    except OSError as exc:
        outcomes.append(Outcome(IntegrationResult.FAILED, str(exc)))
    for outcome in outcomes:
        if outcome.result is IntegrationResult.FAILED:
            log.warning("desktop integration failed: %s", outcome.detail)
    return outcomes


def follow_settings(application: Application) -> Callable[[], None]:
    """Apply again each time the settings are saved; returns the unsubscribe."""

    def on_event(event: PhoneEvent) -> None:
        if isinstance(event, SettingsApplied):
            apply_integration(application.settings.automation)

    return application.subscribe(on_event)
