"""The application layer: what front-ends (GUI, console) use instead of the phone.

``Application`` owns the settings, the passwords, the engine thread with the Phone, the
call history and the local contacts; it offers one event stream (``subscribe``) and one
set of commands returning futures. See `parley.app.application` for the threading rules.
"""

from parley.app.application import Application, default_data_dir
from parley.app.context import AppError, CallRef
from parley.app.engine import Engine, EngineError
from parley.app.events import HistoryAdded, SettingsApplied
from parley.app.recorder import HistoryRecorder
from parley.app.snapshots import AccountInfo, CallInfo

__all__ = [
    "AccountInfo",
    "AppError",
    "Application",
    "CallInfo",
    "CallRef",
    "Engine",
    "EngineError",
    "HistoryAdded",
    "HistoryRecorder",
    "SettingsApplied",
    "default_data_dir",
]
