"""Carrying out a rule: open the browser, start the program, send the HTTP request.
Blocking: run it on a worker thread, never on the engine loop."""

from __future__ import annotations

import enum
import subprocess
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from parley.automation.rules import (
    RuleEvent,
    body_is_json,
    fill_body,
    fill_header,
    fill_program,
    fill_url,
)
from parley.settings.automation import EventRule


class RuleProblem(enum.StrEnum):
    NO_ADDRESS = "no_address"  # the rule has no address to act on
    NOT_FOUND = "not_found"  # program not found / not executable
    FAILED = "failed"  # the program exited with an error, the browser could not open
    UNREACHABLE = "unreachable"  # no connection, DNS failed
    TIMEOUT = "timeout"
    TLS = "tls"  # certificate not trusted
    HTTP_STATUS = "http_status"  # the server answered with an error status
    BAD_ADDRESS = "bad_address"  # the filled-in address is not a usable URL / command


@dataclass(frozen=True)
class RuleOutcome:
    """What came of running a rule: `problem` None when it worked; `status` the HTTP
    status or the program's exit code; `detail` the underlying words, for the log."""

    problem: RuleProblem | None = None
    status: int | None = None
    detail: str = ""
    target: str = ""  # the URL or program that was used (values filled in)

    @property
    def ok(self) -> bool:
        return self.problem is None


def run_rule(
    rule: EventRule,
    happened: RuleEvent,
    *,
    proxy: str | None = None,
    open_url: Callable[[str], bool] = webbrowser.open,
) -> RuleOutcome:
    """Carry out `rule` for `happened`; never raises."""
    if not rule.address.strip():
        return RuleOutcome(RuleProblem.NO_ADDRESS)
    try:
        if rule.action == "url":
            return _open(fill_url(rule.address, happened.values), open_url)
        if rule.action == "program":
            return _program(fill_program(rule.address, happened.values), rule.timeout)
        return _rest(rule, happened, proxy)
    except Exception as exc:  # a rule must never take the phone down
        return RuleOutcome(RuleProblem.FAILED, detail=f"{type(exc).__name__}: {exc}")


def _open(url: str, open_url: Callable[[str], bool]) -> RuleOutcome:
    if open_url(url):
        return RuleOutcome(target=url)
    return RuleOutcome(RuleProblem.FAILED, detail="no browser could be started", target=url)


def _program(argv: list[str], timeout: float) -> RuleOutcome:
    if not argv:
        return RuleOutcome(RuleProblem.BAD_ADDRESS, detail="empty command")
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # not killed with Parley's terminal
            shell=False,
        )
    except FileNotFoundError as exc:
        return RuleOutcome(RuleProblem.NOT_FOUND, detail=str(exc), target=argv[0])
    except PermissionError as exc:
        return RuleOutcome(RuleProblem.NOT_FOUND, detail=str(exc), target=argv[0])
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # Still running: a program the rule opened (a CRM window) — that is success.
        return RuleOutcome(target=argv[0])
    if proc.returncode != 0:
        tail = err.decode(errors="replace").strip()[-300:]
        return RuleOutcome(RuleProblem.FAILED, proc.returncode, tail, argv[0])
    return RuleOutcome(status=0, target=argv[0])


def _rest(rule: EventRule, happened: RuleEvent, proxy: str | None) -> RuleOutcome:
    url = fill_url(rule.address, happened.values)
    # Header values go as UTF-8 bytes: a caller's name is rarely ASCII.
    headers: dict[bytes, bytes] = {
        name.encode(): fill_header(value, happened.values).encode()
        for name, value in rule.headers.items()
    }
    body = fill_body(rule.body, happened.values, as_json=body_is_json(rule)) if rule.body else None
    if body is not None and not any(n.lower() == b"content-type" for n in headers):
        headers[b"Content-Type"] = (
            b"application/json" if body_is_json(rule) else b"application/x-www-form-urlencoded"
        )
    try:
        with httpx.Client(proxy=proxy or None, timeout=rule.timeout, trust_env=True) as client:
            response = client.request(rule.method, url, headers=headers, content=body)
    except httpx.TimeoutException as exc:
        return RuleOutcome(RuleProblem.TIMEOUT, detail=str(exc), target=url)
    except httpx.UnsupportedProtocol as exc:
        return RuleOutcome(RuleProblem.BAD_ADDRESS, detail=str(exc), target=url)
    except httpx.ConnectError as exc:
        text = str(exc)
        problem = RuleProblem.TLS if "CERTIFICATE" in text.upper() else RuleProblem.UNREACHABLE
        return RuleOutcome(problem, detail=text, target=url)
    except httpx.HTTPError as exc:
        return RuleOutcome(RuleProblem.UNREACHABLE, detail=str(exc), target=url)
    except ValueError as exc:  # a header or URL httpx cannot send
        return RuleOutcome(RuleProblem.BAD_ADDRESS, detail=str(exc), target=url)
    if response.status_code >= 400:
        return RuleOutcome(
            RuleProblem.HTTP_STATUS, response.status_code, response.reason_phrase, url
        )
    return RuleOutcome(status=response.status_code, target=url)
