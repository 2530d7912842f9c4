"""What the history shows about how a call ended: the SIP code with its reason phrase, in
the GUI's language (German catalog `parley.gui.locale.de_history`).

The recorder stores the code and the far end's reason phrase as they came from the wire
(or, for an end without an answer, the `EndCause` value): the words are made here. A
standard code shows the standard phrase (RFC 3261 §21 and later RFCs), translated; what
the far end wrote instead, when it differs, is kept for the tooltip.
"""

from __future__ import annotations

from parley.gui.i18n import N_, tr
from parley.gui.texts import end_text
from parley.history.model import CallType, HistoryEntry
from parley.phone.events import EndCause

# Call types whose end is worth a reason: the call did not happen as wanted.
NOT_CONNECTED = frozenset(
    {
        CallType.UNSUCCESSFUL_OUTGOING,
        CallType.REJECTED_OUTGOING,
        CallType.REJECTED_INCOMING,
    }
)

REASON_PHRASES: dict[int, str] = {
    300: N_("Multiple Choices"),
    301: N_("Moved Permanently"),
    302: N_("Moved Temporarily"),
    305: N_("Use Proxy"),
    380: N_("Alternative Service"),
    400: N_("Bad Request"),
    401: N_("Unauthorized"),
    402: N_("Payment Required"),
    403: N_("Forbidden"),
    404: N_("Not Found"),
    405: N_("Method Not Allowed"),
    406: N_("Not Acceptable"),
    407: N_("Proxy Authentication Required"),
    408: N_("Request Timeout"),
    410: N_("Gone"),
    413: N_("Request Entity Too Large"),
    414: N_("Request-URI Too Long"),
    415: N_("Unsupported Media Type"),
    416: N_("Unsupported URI Scheme"),
    420: N_("Bad Extension"),
    421: N_("Extension Required"),
    422: N_("Session Interval Too Small"),
    423: N_("Interval Too Brief"),
    480: N_("Temporarily Unavailable"),
    481: N_("Call/Transaction Does Not Exist"),
    482: N_("Loop Detected"),
    483: N_("Too Many Hops"),
    484: N_("Address Incomplete"),
    485: N_("Ambiguous"),
    486: N_("Busy Here"),
    487: N_("Request Terminated"),
    488: N_("Not Acceptable Here"),
    491: N_("Request Pending"),
    493: N_("Undecipherable"),
    500: N_("Server Internal Error"),
    501: N_("Not Implemented"),
    502: N_("Bad Gateway"),
    503: N_("Service Unavailable"),
    504: N_("Server Time-out"),
    505: N_("Version Not Supported"),
    513: N_("Message Too Large"),
    600: N_("Busy Everywhere"),
    603: N_("Decline"),
    604: N_("Does Not Exist Anywhere"),
    606: N_("Not Acceptable"),
    607: N_("Unwanted"),
    608: N_("Rejected"),
}


def result_text(entry: HistoryEntry) -> str:
    """The SIP code and reason of a call that did not connect ("486 Busy Here"), or
    why it ended when no answer came ("The server did not answer"); "" when there is
    nothing to say (connected and missed calls)."""
    if entry.type not in NOT_CONNECTED:
        return ""
    code = entry.sip_code
    if code is not None and code >= 300:
        phrase = REASON_PHRASES.get(code)
        if phrase is None:
            return f"{code} {entry.reason}".strip()
        return f"{code} {tr(phrase)}"
    try:
        cause = EndCause(entry.reason)
    except ValueError:
        return entry.reason
    return end_text(cause, None, entry.direction.value)


def far_end_words(entry: HistoryEntry) -> str:
    """The far end's own reason phrase when it is not the standard one of its code
    (for a tooltip); "" otherwise."""
    code, reason = entry.sip_code, entry.reason.strip()
    if code is None or code < 300 or not reason or code not in REASON_PHRASES:
        return ""
    if reason.lower() == REASON_PHRASES[code].lower():
        return ""
    return tr("The other side said: “{reason}”", reason=reason)
