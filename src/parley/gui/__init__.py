"""The desktop app (PySide6): main window, call window, call menu, settings, tray.

The GUI runs on the main thread and only talks to `parley.app.Application`: commands
return futures, events come back through `parley.gui.app.EngineBridge` as Qt signals
(queued), so a slow repaint never delays the engine. Start it with `parley` (no
arguments) or `parley.gui.app.run_gui(argv)`.
"""
