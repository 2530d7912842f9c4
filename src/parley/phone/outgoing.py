"""Outgoing calls: which account a call goes out on, the target URI, and the dial itself.

A number is dialled on the account's domain, a SIP URI as it is. `OutgoingCalls` gets the
calls' context, the accounts (read) and a way to hand the new call to the phone; it never
sees the phone itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from parley.contacts.dial_rules import DialRules, apply
from parley.phone.account import Account
from parley.phone.call import Call
from parley.phone.context import CallContext
from parley.sip.headers import SipParseError
from parley.sip.registration import split_host_port
from parley.sip.uri import SipURI


class DialError(ValueError):
    """A target or account that cannot be dialled; the message says why."""


def account_for(accounts: Mapping[str, Account], name: str | None) -> Account:
    """The named account, else the first registered one, else the first one."""
    if name:
        account = accounts.get(name)
        if account is None:
            raise DialError(f"no account named {name!r}")
        return account
    for account in accounts.values():
        if account.state.value == "registered":
            return account
    if not accounts:
        raise DialError("no account to call from")
    return next(iter(accounts.values()))


def dial_rules(account: Account) -> DialRules:
    """The account's phone number modification settings."""
    st = account.settings
    return DialRules(
        remove_chars=st.remove_dial_chars,
        use_country_code=st.use_country_code,
        country=st.default_country,
        prefix=st.dial_prefix,
    )


def target_uri(target: str, account: Account) -> SipURI:
    """A number is dialled on the account's domain (after the account's number
    modification); a SIP URI is used as it is, except that a number in it addressed to
    the account's own domain, or a tel: URI, is modified the same way."""
    text = target.strip()
    if not text:
        raise DialError("nothing to dial")
    rules = dial_rules(account)
    if text.lower().startswith(("sip:", "sips:", "tel:")):
        try:
            uri = SipURI.parse(text)
        except SipParseError as exc:
            raise DialError(f"{text!r} is not a valid address: {exc}") from exc
        own = uri.scheme == "tel" or uri.host.lower() == account.settings.domain.lower()
        if own and uri.user and rules.active:
            return dataclasses.replace(uri, user=apply(uri.user, rules).number)
        return uri
    cleaned = "".join(ch for ch in text if ch not in " -/()")
    if "@" in cleaned:
        user, _, host = cleaned.partition("@")
        if host.lower() == account.settings.domain.lower():
            user = apply(user, rules).number
    else:
        user, host = apply(cleaned, rules).number, account.settings.domain
    return _on_domain(user, host, account)


def _on_domain(user: str, host: str, account: Account) -> SipURI:
    h, port = split_host_port(host)
    params: dict[str, str | None] = (
        {"transport": "tcp"} if account.settings.transport == "tcp" else {}
    )
    scheme = "sips" if account.settings.transport == "tls" else "sip"
    return SipURI(scheme, user, None, h, port, params, {})


class OutgoingCalls:
    """Starts outgoing calls."""

    def __init__(
        self,
        ctx: CallContext,
        accounts: Callable[[], Mapping[str, Account]],
        started: Callable[[Call], None],
    ) -> None:
        self._ctx = ctx
        self._accounts = accounts
        self._started = started

    async def dial(
        self,
        target: str,
        account_name: str | None = None,
        *,
        headers: list[tuple[str, str]] | None = None,
    ) -> Call:
        """Call `target` from `account_name` (default: the first registered account);
        `DialError` when the target or the account cannot be dialled. `headers`: extra
        headers for the INVITE."""
        account = account_for(self._accounts(), account_name)
        uri = target_uri(target, account)
        if account.server is None:
            raise DialError(f"account {account.name} has no server yet (not registered?)")
        call = await Call.outgoing(self._ctx, account, uri, headers=headers)
        self._started(call)
        return call
