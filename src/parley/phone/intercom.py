"""Outgoing intercom calls: the account's intercom prefix put before the number.

A PBX starts an intercom call (answered by the callee's phone by itself) when the dialled
number begins with its intercom code (COMtrexx: see "Short reference > InterCom"); the
account's `intercom_prefix` holds it. Incoming intercom calls are answered by
`parley.phone.auto_answer`.
"""

from __future__ import annotations

from parley.phone.outgoing import DialError


def intercom_target(target: str, prefix: str | None, account: str = "") -> str:
    """`target` with the intercom prefix before its number (the user part of a SIP or
    tel URI, or the part before "@"); `DialError` when the account has no prefix."""
    code = (prefix or "").strip()
    if not code:
        raise DialError(
            f"account {account} has no intercom prefix: set it in the account settings "
            "(the PBX's intercom code)"
        )
    text = target.strip()
    if not text:
        raise DialError("nothing to dial")
    scheme, colon, rest = text.partition(":")
    if colon and scheme.lower() in ("sip", "sips", "tel"):
        return f"{scheme}:{code}{rest}"
    return code + text
