"""Which rules an event fires, and their addresses filled in — safely for where each
value goes (sans-IO: no network, no processes).

Safe by construction: a caller's name is data, never syntax. In a URL every value is
percent-encoded; a program's command line is split into arguments *before* the values
go in, so a value is always inside one argument and no shell ever sees it; in a JSON
body values are JSON-escaped; in a header, line breaks are removed.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from parley.settings.automation import EventRule

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class RuleEvent:
    """What happened, as the rules see it: the event, the state it changed to, the
    call's direction (calls only) and the values the placeholders take."""

    event: str
    state: str
    direction: str = ""
    values: Mapping[str, str] = field(default_factory=dict)

    @property
    def number(self) -> str:
        return self.values.get("number", "")


def fires(rule: EventRule, happened: RuleEvent) -> bool:
    """Whether `rule` runs for `happened`."""
    if not rule.enabled or rule.event != happened.event:
        return False
    if rule.state != "any" and rule.state != happened.state:
        return False
    if rule.event == "call" and rule.direction not in ("any", happened.direction):
        return False
    if rule.filter:
        try:
            return re.search(rule.filter, happened.number) is not None
        except re.error:  # validated in the settings; a stale file must not stop calls
            return False
    return True


def _fill(template: str, values: Mapping[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)  # not a placeholder of ours: left as written
        return values[name]

    return _PLACEHOLDER.sub(one, template)


def fill_url(template: str, values: Mapping[str, str]) -> str:
    """The URL with every value percent-encoded (also "/", "?", "&", "#")."""
    return _fill(template, {k: quote(v, safe="") for k, v in values.items()})


def fill_program(template: str, values: Mapping[str, str]) -> list[str]:
    """The program and its arguments: the template is split first (POSIX rules, quotes
    group), then each argument gets its values as plain text."""
    return [_fill(arg, values) for arg in shlex.split(template)]


def fill_body(template: str, values: Mapping[str, str], *, as_json: bool) -> str:
    """A REST body: values JSON-escaped (to sit inside a JSON string) when `as_json`,
    else form-encoded."""
    if as_json:
        escaped = {k: json.dumps(v, ensure_ascii=False)[1:-1] for k, v in values.items()}
        return _fill(template, escaped)
    return _fill(template, {k: quote(v, safe="") for k, v in values.items()})


def fill_header(template: str, values: Mapping[str, str]) -> str:
    """A header value: line breaks and other control characters in values removed."""
    clean = {k: "".join(c for c in v if c >= " " and c != "\x7f") for k, v in values.items()}
    return _fill(template, clean)


def body_is_json(rule: EventRule) -> bool:
    for name, value in rule.headers.items():
        if name.lower() == "content-type":
            return "json" in value.lower()
    return rule.body.lstrip().startswith(("{", "["))
