"""Console commands to sign a Google or Outlook contact source in (`signin SOURCE`) and
out (`signout SOURCE`), as the desktop app's "Generate token" box does.

The flow runs on a thread of its own, so the console's other commands and the engine go
on while the person signs in; progress and the outcome come as `signin` events (JSON
with --json: source, state = waiting|signed_in|failed|cancelled, text, and url/code
while waiting). Outlook: a device code and Microsoft's page are printed. Google: the page
is printed and opened when this computer has a graphical browser (never a text browser,
which would take the console's terminal); the answer comes back to a loopback port.
A good sign-in synchronises the source."""

from __future__ import annotations

import logging
import os
import sys
import threading
import webbrowser
from typing import TYPE_CHECKING, Any

from parley.cli import signin_texts as texts
from parley.cli.i18n import N_
from parley.contacts import cloud_sources
from parley.contacts.cloud_sources import provider_of
from parley.contacts.oauth_device import OAuthError, PollOutcome, PollResult, TokenLocation
from parley.contacts.source import SourceKind
from parley.settings.contact_sources import WITH_SIGN_IN, ContactSourceSettings

if TYPE_CHECKING:
    from parley.cli.console import Console

log = logging.getLogger(__name__)

HELP = N_("signin SOURCE | signout SOURCE")

# Sign-ins under way: source id -> its cancel flag (console thread and flow threads).
_running: dict[str, threading.Event] = {}
_lock = threading.Lock()


def graphical_browser() -> bool:
    """Whether opening a page can show a browser window: not in a headless console (on
    Linux without a display webbrowser would start a text browser on our terminal)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _source(console: Console, command: str, rest: list[str]) -> ContactSourceSettings | None:
    if not rest:
        console.reply(texts.usage(command))
        return None
    for source in console.app.contact_sources.all():
        if source.settings.id == rest[0]:
            settings: ContactSourceSettings = source.settings
            return settings
    console.reply(texts.no_such_source(rest[0]))
    return None


def _event(console: Console, source_id: str, state: str, text: str, **extra: Any) -> None:
    console.event({"event": "signin", "source": source_id, "state": state, **extra, "text": text})


def signin(console: Console, rest: list[str]) -> None:
    source = _source(console, "signin", rest)
    if source is None:
        return
    if source.kind not in WITH_SIGN_IN:
        console.reply(texts.needs_no_sign_in(source.id, source.kind.value))
        return
    if source.kind is SourceKind.OUTLOOK and source.outlook_access == "desktop":
        console.reply(texts.outlook_program(source.id))
        return
    if not source.client_id:
        console.reply(texts.no_client_id(source.id))
        return
    cancel = threading.Event()
    with _lock:
        if source.id in _running:
            console.reply(texts.already_running(source.id))
            return
        _running[source.id] = cancel
    chosen = source.model_copy(deep=True)
    threading.Thread(
        target=_run, args=(console, chosen, cancel), name=f"parley-signin-{source.id}", daemon=True
    ).start()


def _run(console: Console, source: ContactSourceSettings, cancel: threading.Event) -> None:
    registry = console.app.contact_sources
    store = registry.token_store
    proxy = registry.http_proxy  # [automation] http_proxy: the token requests go through it
    outcome: object
    try:
        if source.kind is SourceKind.GOOGLE:
            outcome = cloud_sources.sign_in_with_browser_for(
                source,
                store,
                lambda url: _show_page(console, source.id, url),
                cancelled=cancel.is_set,
                proxy=proxy,
            )
        else:
            _event(console, source.id, "waiting", texts.asking_for_code(source.id))
            code = cloud_sources.start_device_sign_in(source, proxy)
            _event(
                console,
                source.id,
                "waiting",
                texts.enter_code(source.id, code.verification_uri, code.user_code),
                url=code.verification_uri,
                code=code.user_code,
            )
            outcome = cloud_sources.finish_device_sign_in(
                source, store, code, cancelled=cancel.is_set, proxy=proxy
            )
    except OAuthError as exc:
        outcome = exc
    except Exception as exc:  # reported; the flow's thread never dies silently
        log.exception("sign-in of %s failed", source.id)
        outcome = exc
    finally:
        with _lock:
            if _running.get(source.id) is cancel:
                del _running[source.id]
    if cancel.is_set():
        _event(console, source.id, "cancelled", texts.cancelled(source.id))
        return
    location: TokenLocation | None = None
    if isinstance(outcome, TokenLocation):
        location = outcome
    elif isinstance(outcome, PollResult) and outcome.outcome is PollOutcome.SUCCESS:
        location = store.status().location
    if location is None:
        _event(console, source.id, "failed", texts.failed(source.id, outcome))
        return
    _event(console, source.id, "signed_in", texts.signed_in(source.id, location))
    registry.sync(source.id)


def _show_page(console: Console, source_id: str, url: str) -> None:
    """Google's page: printed always, opened too where a browser window can show."""
    opened = False
    if graphical_browser():
        try:
            opened = bool(webbrowser.open(url))
        except Exception as exc:  # no browser after all: the printed address does
            log.info("no browser opened for the sign-in: %s", exc)
    _event(console, source_id, "waiting", texts.open_page(source_id, url, opened), url=url)


def signout(console: Console, rest: list[str]) -> None:
    source = _source(console, "signout", rest)
    if source is None:
        return
    if source.kind not in WITH_SIGN_IN:
        console.reply(texts.needs_no_sign_in(source.id, source.kind.value))
        return
    with _lock:
        cancel = _running.pop(source.id, None)
    if cancel is not None:
        cancel.set()
    console.app.contact_sources.token_store.delete(provider_of(source), source.id)
    console.reply(texts.signed_out(source.id, cancel is not None))


COMMANDS = {"signin": signin, "signout": signout}
