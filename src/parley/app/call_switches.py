""" "Keep settings after restart" (Functions › Calls): when it is off, call forwarding and
automatic call acceptance start switched off each time Parley starts.

The manual says the page's call settings are retained only with the box ticked; without
it they are not. So the switches are reset when the application starts — in the
settings in use and in the settings file, so that every front-end (the settings dialog,
`parley console`) shows what the phone really does. The rest of the page (the
destination, the delays, the sound) is kept: switching forwarding on again uses them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from parley.settings import ConfigError, Settings, load_settings, save_settings

log = logging.getLogger(__name__)


def reset_call_switches(settings: Settings) -> bool:
    """Switch forwarding and automatic answer off unless they are kept after a restart;
    True when something changed."""
    f = settings.functions
    if f.keep_after_restart or (f.forwarding == "off" and not f.auto_answer):
        return False
    f.forwarding = "off"
    f.auto_answer = False
    return True


def reset_at_start(settings: Settings, path: Path | None) -> bool:
    """`reset_call_switches` on the settings in use, and on the file at `path` (read
    afresh, so that nothing else of the settings in use — a console's `--trace` — is
    written); a file that cannot be read or written is left alone and logged."""
    changed = reset_call_switches(settings)
    if not changed or path is None or not path.is_file():
        return changed
    try:
        stored = load_settings(path)
        if reset_call_switches(stored):
            save_settings(stored, path)
            log.info("forwarding and automatic answer switched off at start (%s)", path)
    except (ConfigError, OSError) as exc:
        log.warning("could not store the reset call switches in %s: %s", path, exc)
    return changed
