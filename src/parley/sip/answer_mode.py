"""How an INVITE asks to be answered: the marks PBXs put on intercom calls.

Read from the headers only (no policy here — whether a mark is honoured is for
`parley.phone.intercom`):

- `Call-Info: <...>;answer-after=N` (BroadWorks and most PBXs): answer after N seconds;
- `Alert-Info: <...>;info=alert-autoanswer` (optionally `;delay=N`), or an Alert-Info
  that says "Auto Answer" anywhere (Polycom, Yealink and others): answer at once;
- RFC 5373 `Answer-Mode: Auto` and `Priv-Answer-Mode: Auto` (answer at once), each
  possibly with `;require`, which asks the UAS to refuse the call (403) rather than
  answer it another way.

`Answer-Mode: Manual;require` is read too: such a call must not be answered by itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from parley.sip.headers import SipParseError, parse_params, split_commas
from parley.sip.message import Headers

__all__ = ["ANSWERMODE_TAG", "AnswerMark", "MarkSource", "answer_mark", "manual_required"]

ANSWERMODE_TAG = "answermode"  # RFC 5373 §4.3: the option tag of Answer-Mode
MAX_DELAY = 600  # seconds: a larger answer-after is taken as this


class MarkSource(StrEnum):
    CALL_INFO = "call-info"
    ALERT_INFO = "alert-info"
    ANSWER_MODE = "answer-mode"
    PRIV_ANSWER_MODE = "priv-answer-mode"


@dataclass(frozen=True)
class AnswerMark:
    """The INVITE asks to be answered without a person: after `delay` seconds (0: at
    once). `required`: RFC 5373 `;require` — refuse rather than ring."""

    delay: float
    source: MarkSource
    required: bool = False


_AUTO_ANSWER_WORDS = re.compile(r"auto[\s_-]?answer", re.IGNORECASE)


def _param(params: dict[str, str | None], name: str) -> tuple[bool, str | None]:
    for key, value in params.items():
        if key.lower() == name:
            return True, value
    return False, None


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        n = int(value.strip().strip('"'))
    except ValueError:
        return None
    return float(min(max(n, 0), MAX_DELAY))


def _split_value(part: str) -> tuple[str, dict[str, str | None]]:
    """`<uri>;params` or `token;params` -> (the value, its parameters)."""
    part = part.strip()
    if part.startswith("<"):
        end = part.find(">")
        if end < 0:
            raise SipParseError("unterminated <URI>")
        value, rest = part[: end + 1], part[end + 1 :]
    else:
        value, _, rest = part.partition(";")
        rest = ";" + rest if rest else ""
    return value.strip(), parse_params(rest.strip()) if rest.strip() else {}


def _values(headers: Headers, name: str) -> list[tuple[str, dict[str, str | None]]]:
    found: list[tuple[str, dict[str, str | None]]] = []
    for field in headers.get_all(name):
        try:
            parts = split_commas(field)
        except SipParseError:
            continue
        for part in parts:
            try:
                found.append(_split_value(part))
            except SipParseError:
                continue  # a malformed value is no mark
    return found


def _mode_mark(headers: Headers, name: str, source: MarkSource) -> AnswerMark | None:
    for value, params in _values(headers, name):
        if value.lower() == "auto":
            return AnswerMark(0.0, source, required=_param(params, "require")[0])
    return None


def answer_mark(headers: Headers) -> AnswerMark | None:
    """The first automatic-answer mark of an INVITE, or None. RFC 5373 headers first
    (they may carry `;require`), then Call-Info, then Alert-Info."""
    for name, source in (
        ("Priv-Answer-Mode", MarkSource.PRIV_ANSWER_MODE),
        ("Answer-Mode", MarkSource.ANSWER_MODE),
    ):
        mark = _mode_mark(headers, name, source)
        if mark is not None:
            return mark
    for _value, params in _values(headers, "Call-Info"):
        present, after = _param(params, "answer-after")
        delay = _seconds(after) if present else None
        if delay is not None:
            return AnswerMark(delay, MarkSource.CALL_INFO)
    for field in headers.get_all("Alert-Info"):
        try:
            parts = [_split_value(p) for p in split_commas(field)]
        except SipParseError:
            parts = []
        for _value, params in parts:
            _, info = _param(params, "info")
            if info is not None and info.strip('"').lower() == "alert-autoanswer":
                delay = _seconds(_param(params, "delay")[1])
                return AnswerMark(delay or 0.0, MarkSource.ALERT_INFO)
        if _AUTO_ANSWER_WORDS.search(field):
            return AnswerMark(0.0, MarkSource.ALERT_INFO)
    return None


def manual_required(headers: Headers) -> bool:
    """`Answer-Mode: Manual;require` (or Priv-): a person must answer this call."""
    for name in ("Priv-Answer-Mode", "Answer-Mode"):
        for value, params in _values(headers, name):
            if value.lower() == "manual" and _param(params, "require")[0]:
                return True
    return False
