"""The status bar's words for an update check (Automation › General › "Check for
updates"): a newer version is named; a failure is said once (the checker reports it
once until a check works again), as a notice, not as an error."""

from __future__ import annotations

from parley.app.updates import UpdateChecked
from parley.gui.i18n import tr


def update_notice(event: UpdateChecked) -> str:
    """The notice for `event` ("" when there is nothing to say: Parley is up to date)."""
    if event.problem is not None:
        return tr("Parley could not check for updates.")
    if event.available:
        return tr("Parley {version} is available", version=event.newest)
    return ""
