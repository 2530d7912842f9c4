"""Event rules (the manual's Automation › Event rules and its "Edit Open URL Rule"
dialog): when an event happens, open a URL, run a program or call a REST API."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from parley.settings.types import _MODEL_CONFIG

RuleEvent = Literal["call", "registration", "message", "voicemail"]
# "Call state changes to": what each event offers (the dialog shows the event's own).
RULE_STATES: dict[str, tuple[str, ...]] = {
    "call": ("any", "ringing", "answered", "held", "ended", "missed"),
    "registration": ("any", "registered", "failed", "unregistered"),
    "message": ("any", "received"),
    "voicemail": ("any", "new"),
}
RuleAction = Literal["url", "program", "rest"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
# The placeholders an address, header or body may use, in braces ("{number}").
RULE_FIELDS = (
    "DNID", "name", "phone", "number", "account", "call_id", "direction", "duration",
    "state", "event", "text",
)  # fmt: skip


class EventRule(BaseModel):
    """One rule. `address` is a URL (url, rest) or a program with its arguments
    (program: split like a command line, never run through a shell); placeholders in
    braces are filled in, encoded for where they go."""

    model_config = _MODEL_CONFIG

    name: str = Field(default="", max_length=100, description="A name for the rule list.")
    enabled: bool = Field(default=True, description="Off: the rule is kept but never runs.")
    event: RuleEvent = Field(default="call", description="The event the rule waits for.")
    state: str = Field(
        default="ringing",
        description="What the event changes to: for calls ringing, answered, held, ended, "
        "missed or any; registration: registered, failed, unregistered; message: received; "
        "voicemail: new.",
    )
    direction: Literal["any", "incoming", "outgoing"] = Field(
        default="any", description="Calls only: the call direction the rule applies to."
    )
    action: RuleAction = Field(
        default="url",
        description="url: open the address in the browser; program: run it; rest: send an "
        "HTTP request to it.",
    )
    address: str = Field(
        default="",
        max_length=2000,
        description="The URL, or the program and its arguments. Placeholders: {DNID} "
        "{name} {phone} {number} {account} {call_id} {direction} {duration} {state} "
        "{event} {text}.",
    )
    filter: str = Field(
        default="",
        max_length=500,
        description="A regular expression the number must contain (empty: every number).",
    )
    method: HttpMethod = Field(default="POST", description="REST only: the HTTP method.")
    headers: dict[str, str] = Field(
        default_factory=dict, description="REST only: extra HTTP headers (placeholders allowed)."
    )
    body: str = Field(
        default="",
        max_length=20000,
        description="REST only: the request body; placeholders are JSON-escaped when the "
        "body is JSON (Content-Type application/json or a body starting with { or [).",
    )
    timeout: float = Field(default=10.0, gt=0, le=120, description="Seconds before giving up.")

    @field_validator("filter", mode="after")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        return value

    @field_validator("state", mode="after")
    @classmethod
    def _known_state(cls, value: str, info: ValidationInfo) -> str:
        event = info.data.get("event", "call")
        allowed = RULE_STATES.get(event, ())
        if value not in allowed:
            raise ValueError(f"{value!r} is not a state of {event} events; use one of {allowed}")
        return value


class AutomationSettings(BaseModel):
    model_config = _MODEL_CONFIG

    start_with_os: bool = Field(
        default=False,
        description="Start Parley when you log in (XDG autostart on Linux, the Run key on "
        "Windows, a LaunchAgent on macOS). Applied by the desktop app.",
    )
    register_uri_handlers: bool = Field(
        default=False,
        description="Open sip:, sips:, tel: and callto: links with Parley (Linux and "
        "Windows; on macOS the installed app bundle declares them). Applied by the desktop "
        "app; a link opened while Parley runs is dialled by the running Parley.",
    )
    control_api: bool = Field(
        default=False,
        description="Serve the local control API (the console's commands and events as JSON "
        "lines on 127.0.0.1, docs/control-api.md) for CRM/CTI programs of the same user; "
        "its port and token are written to control.json beside the settings file (0600).",
    )
    control_port: int = Field(
        default=0, ge=0, le=65535, description="Port of the control API; 0: a free one."
    )
    check_updates: bool = Field(
        default=False,
        description="Look for a newer Parley at most once a day (the feed below) and say "
        "so in the status bar. Nothing is installed.",
    )
    update_feed: str = Field(
        default="https://pypi.org/pypi/parley/json",
        max_length=2000,
        description="Where the newest version is read: a JSON document shaped like the "
        'package index\'s ({"info": {"version": "1.2"}}).',
    )
    rules: list[EventRule] = Field(default_factory=list, description="The event rules.")
    http_proxy: str | None = Field(
        default=None,
        description="HTTP proxy (http://host:port) for the rules' requests, provisioning, "
        "XML phone books, the update check, CardDAV, Google's and Microsoft's sign-in and "
        "token refresh and Microsoft Graph; empty: none (the rules also honour the "
        "environment's HTTPS_PROXY/HTTP_PROXY).",
    )
