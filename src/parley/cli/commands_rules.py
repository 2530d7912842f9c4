"""Console commands for event rules: `rules` lists them with their last result, and
`rule-test N` runs rule N now with sample values (the dialog's "test this rule").
Every run is also printed as a `{"event": "rule", ...}` event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.app.event_rules import RuleRan
from parley.automation.actions import RuleProblem

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = "rules | rule-test N"

PROBLEMS = {
    RuleProblem.NO_ADDRESS: "the rule has no address",
    RuleProblem.NOT_FOUND: "the program was not found or cannot be run",
    RuleProblem.FAILED: "it failed",
    RuleProblem.UNREACHABLE: "the server could not be reached",
    RuleProblem.TIMEOUT: "the server did not answer in time",
    RuleProblem.TLS: "the server's certificate is not trusted",
    RuleProblem.HTTP_STATUS: "the server answered with an error",
    RuleProblem.BAD_ADDRESS: "the address is not a usable URL or command",
}


def rule_text(ran: RuleRan) -> str:
    """One sentence for a rule run."""
    label = f"rule {ran.rule}" if ran.rule >= 0 else "unsaved rule"
    label += f" ({ran.name})" if ran.name else ""
    what = "test run" if ran.test else f"{ran.trigger} {ran.state}"
    if ran.problem is None:
        code = f", {ran.status}" if ran.status is not None else ""
        return f"{label}: {what} — done{code}"
    code = f" ({ran.status})" if ran.status is not None else ""
    detail = f": {ran.detail}" if ran.detail else ""
    return f"{label}: {what} — {PROBLEMS[ran.problem]}{code}{detail}"


def rules(console: Console, rest: list[str]) -> None:
    listed = console.app.settings.automation.rules
    if not listed:
        console.reply("no event rules (add [[automation.rules]] to the settings file)")
        return
    last = console.app.rules.last_results()
    for index, rule in enumerate(listed):
        state = "on" if rule.enabled else "off"
        result = rule_text(last[index]) if index in last else "not run yet"
        console.reply(
            f"{index}: [{state}] {rule.event} {rule.state} {rule.direction} → {rule.action} "
            f"{rule.address} | last: {result}"
        )


def rule_test(console: Console, rest: list[str]) -> None:
    listed = console.app.settings.automation.rules
    if len(rest) != 1 or not rest[0].isdigit() or int(rest[0]) >= len(listed):
        console.reply(f"usage: rule-test N (N from 0 to {len(listed) - 1}; see `rules`)")
        return
    ran = console.wait(console.app.rules.test(int(rest[0])))
    console.reply(rule_text(ran))


COMMANDS = {"rules": rules, "rule-test": rule_test}
