"""Event rules, sans-IO: which rules fire, and values that arrive as inert text in URLs,
program arguments, JSON bodies and headers — whatever a caller's name contains."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from pydantic import ValidationError

from parley.automation.actions import RuleProblem, run_rule
from parley.automation.rules import RuleEvent, fill_body, fill_header, fill_program, fill_url, fires
from parley.settings.automation import EventRule

HOSTILE = [
    '"; rm -rf ~',
    "$(reboot)",
    "`id` & del C:\\ | calc",
    "line one\nline two\r\nX-Injected: 1",
    "Jürgen Groß – 東京 🙂",
    "a&b=c?d#e/f%20g",
    "x" * 10_000,
    "{number}",  # a value that looks like a placeholder is not filled again
]


def call(state: str = "ringing", direction: str = "incoming", number: str = "1002") -> RuleEvent:
    return RuleEvent("call", state, direction, {"number": number, "name": "Anna", "state": state})


@pytest.mark.parametrize(
    ("rule", "happened", "expected"),
    [
        (EventRule(state="ringing"), call(), True),
        (EventRule(state="ringing", enabled=False), call(), False),
        (EventRule(state="answered"), call(), False),
        (EventRule(state="any"), call("held"), True),
        (EventRule(state="ringing", direction="outgoing"), call(), False),
        (EventRule(state="ringing", direction="incoming"), call(), True),
        (EventRule(state="ringing", filter=r"^10"), call(), True),
        (EventRule(state="ringing", filter=r"^\+49"), call(), False),
        (EventRule(state="ringing", filter=r"^\+49"), call(number="+4930123"), True),
        (EventRule(event="registration", state="failed"), call(), False),
        (
            EventRule(event="registration", state="failed"),
            RuleEvent("registration", "failed"),
            True,
        ),
    ],
)
def test_which_rules_fire(rule: EventRule, happened: RuleEvent, expected: bool) -> None:
    assert fires(rule, happened) is expected


def test_bad_rules_are_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="not a regular expression"):
        EventRule(filter="([")
    with pytest.raises(ValidationError, match="not a state of message events"):
        EventRule(event="message", state="answered")


@pytest.mark.parametrize("name", HOSTILE)
def test_url_values_are_percent_encoded(name: str) -> None:
    url = fill_url("https://crm.example/find?who={name}&n={number}", {"name": name, "number": "1"})
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "crm.example", "/find")
    assert parse_qs(parts.query) == {"who": [name], "n": ["1"]}
    assert unquote(parts.query.split("&")[0].removeprefix("who=")) == name


@pytest.mark.parametrize("name", HOSTILE)
def test_program_values_stay_one_argument_each(name: str, tmp_path: Path) -> None:
    argv = fill_program(
        f"{shlex.quote(sys.executable)} -c 'import sys; print(sys.argv)' {{name}} --n={{number}}",
        {"name": name, "number": "1"},
    )
    assert argv[-2:] == [name, "--n=1"]
    # And run for real (no shell): the program sees exactly that text.
    out = subprocess.run(
        [*argv[:2], "import json,sys; print(json.dumps(sys.argv[1:]))", *argv[3:]],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == [name, "--n=1"]


@pytest.mark.parametrize("name", HOSTILE)
def test_json_bodies_stay_json(name: str) -> None:
    body = fill_body(
        '{"name": "{name}", "n": "{number}"}', {"name": name, "number": "1"}, as_json=True
    )
    assert json.loads(body) == {"name": name, "n": "1"}


@pytest.mark.parametrize("name", HOSTILE)
def test_headers_lose_line_breaks(name: str) -> None:
    value = fill_header("Caller {name}", {"name": name})
    assert "\n" not in value and "\r" not in value


def test_unknown_placeholders_are_left_as_written() -> None:
    assert fill_url("http://x/{nope}/{number}", {"number": "1"}) == "http://x/{nope}/1"


def test_a_missing_program_is_reported_not_raised() -> None:
    rule = EventRule(action="program", address="/nonexistent/crm-launcher {number}")
    outcome = run_rule(rule, call())
    assert outcome.problem is RuleProblem.NOT_FOUND


def test_a_program_that_fails_reports_its_exit_code() -> None:
    rule = EventRule(
        action="program", address=f"{shlex.quote(sys.executable)} -c 'import sys; sys.exit(3)'"
    )
    outcome = run_rule(rule, call())
    assert (outcome.problem, outcome.status) == (RuleProblem.FAILED, 3)


def test_a_dead_rest_server_is_reported_not_raised() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    rule = EventRule(action="rest", address=f"http://127.0.0.1:{port}/x", timeout=3)
    outcome = run_rule(rule, call())
    assert outcome.problem is RuleProblem.UNREACHABLE


def test_a_rule_without_address_says_so() -> None:
    assert run_rule(EventRule(), call()).problem is RuleProblem.NO_ADDRESS
