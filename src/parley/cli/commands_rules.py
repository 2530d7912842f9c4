"""Console commands for event rules: `rules` lists them with their last result, and
`rule-test N` runs rule N now with sample values (the dialog's "test this rule").
Every run is also printed as a `{"event": "rule", ...}` event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parley.app.event_rules import RuleRan
from parley.automation.actions import RuleProblem
from parley.cli.i18n import N_, tr

if TYPE_CHECKING:
    from parley.cli.console import Console

HELP = "rules | rule-test N"

PROBLEMS = {
    RuleProblem.NO_ADDRESS: N_("the rule has no address"),
    RuleProblem.NOT_FOUND: N_("the program was not found or cannot be run"),
    RuleProblem.FAILED: N_("it failed"),
    RuleProblem.UNREACHABLE: N_("the server could not be reached"),
    RuleProblem.TIMEOUT: N_("the server did not answer in time"),
    RuleProblem.TLS: N_("the server's certificate is not trusted"),
    RuleProblem.HTTP_STATUS: N_("the server answered with an error"),
    RuleProblem.BAD_ADDRESS: N_("the address is not a usable URL or command"),
}


def rule_text(ran: RuleRan) -> str:
    """One sentence for a rule run."""
    label = tr("rule {number}", number=ran.rule) if ran.rule >= 0 else tr("unsaved rule")
    label += f" ({ran.name})" if ran.name else ""
    what = tr("test run") if ran.test else f"{ran.trigger} {ran.state}"  # codes of the rule
    if ran.problem is None:
        code = f", {ran.status}" if ran.status is not None else ""
        return tr("{label}: {what} — done{code}", label=label, what=what, code=code)
    code = f" ({ran.status})" if ran.status is not None else ""
    detail = f": {ran.detail}" if ran.detail else ""  # free text of the run, as it came
    return f"{label}: {what} — {tr(PROBLEMS[ran.problem])}{code}{detail}"


def rules(console: Console, rest: list[str]) -> None:
    listed = console.app.settings.automation.rules
    if not listed:
        console.reply(tr("no event rules (add [[automation.rules]] to the settings file)"))
        return
    last = console.app.rules.last_results()
    for index, rule in enumerate(listed):
        enabled = tr("on") if rule.enabled else tr("off")
        result = rule_text(last[index]) if index in last else tr("not run yet")
        # event, state, direction and action are the settings' codes, shown as stored
        console.reply(
            tr(
                "{index}: [{enabled}] {event} {state} {direction} → {action} {address} "
                "| last: {result}",
                index=index,
                enabled=enabled,
                event=rule.event,
                state=rule.state,
                direction=rule.direction,
                action=rule.action,
                address=rule.address,
                result=result,
            )
        )


def rule_test(console: Console, rest: list[str]) -> None:
    listed = console.app.settings.automation.rules
    if len(rest) != 1 or not rest[0].isdigit() or int(rest[0]) >= len(listed):
        console.reply(
            tr("usage: rule-test N (N from 0 to {last}; see `rules`)", last=len(listed) - 1)
        )
        return
    ran = console.wait(console.app.rules.test(int(rest[0])))
    console.reply(rule_text(ran))


COMMANDS = {"rules": rules, "rule-test": rule_test}
