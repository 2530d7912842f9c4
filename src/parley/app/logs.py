"""Logging as `[log]` says: the least severe level written, and the SIP trace.

The phone logs each SIP message at INFO on `TRACE_LOGGER` while the trace is on; that
logger gets its own level, so the trace is written even when `log_level` is "warning".
Both front-ends use this; the desktop app also writes the log into a file, since a
desktop user has no terminal to read it from.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path
from typing import TextIO

from parley.settings.model import LogSettings

TRACE_LOGGER = "parley.sip.trace"
LOG_FILE = "parley.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_handlers: list[logging.Handler] = []  # the ones configure_logging added (replaced on a re-run)


def level_of(name: str) -> int:
    """The `logging` level for a settings value ("debug", "info", "warning", "error")."""
    level = logging.getLevelName(name.upper())
    return level if isinstance(level, int) else logging.INFO


def apply_log_settings(settings: LogSettings, *, level: str | None = None) -> None:
    """Apply `settings` to the running process (also when they change at run time);
    `level` overrides `settings.log_level` (the console's --log-level)."""
    logging.getLogger().setLevel(level_of(level or settings.log_level))
    trace = logging.getLogger(TRACE_LOGGER)
    trace.setLevel(logging.INFO if settings.sip_trace else logging.NOTSET)


def configure_logging(
    settings: LogSettings,
    *,
    level: str | None = None,
    stream: TextIO | None = None,
    log_file: Path | None = None,
) -> Path | None:
    """Write the log to `stream` (stderr) and, when given, to `log_file` (rotated at
    1 MB, three old files kept), then apply `settings`. Returns the file in use (None
    when it cannot be opened: the log then goes to the stream only, which says so)."""
    root = logging.getLogger()
    for handler in _handlers:
        root.removeHandler(handler)
        handler.close()
    _handlers.clear()
    formatter = logging.Formatter(FORMAT)
    console = logging.StreamHandler(stream or sys.stderr)
    _handlers.append(console)
    used: Path | None = None
    problem: OSError | None = None
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            rotating = logging.handlers.RotatingFileHandler(
                log_file, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
            )
        except OSError as exc:
            problem = exc
        else:
            _handlers.append(rotating)
            used = log_file
    for handler in _handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    apply_log_settings(settings, level=level)
    if problem is not None:
        logging.getLogger(__name__).warning("cannot write the log file %s: %s", log_file, problem)
    return used
