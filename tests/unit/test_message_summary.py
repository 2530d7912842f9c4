"""RFC 3842 message summaries: what Asterisk, FreeSWITCH and Kamailio's presence_mwi send,
leniency with case and spaces, garbage refused clearly, and the bodies we build."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.sip.message_summary import (
    MAX_COUNT,
    MessageClass,
    MessageCounts,
    MessageSummary,
    MessageSummaryError,
    build,
    parse,
)

# Asterisk res_pjsip_mwi_body_generator: always "(0/0)" for urgent.
ASTERISK = b"Messages-Waiting: yes\r\nMessage-Account: sip:1001@pbx.example.com\r\nVoice-Message: 2/8 (0/0)\r\n"

# FreeSWITCH mod_sofia writes the voicemail event's MWI-* headers in the event's order
# and ends with a blank line.
FREESWITCH = (
    b"Message-Account: sip:1001@fs.example.com\r\nMessages-Waiting: yes\r\n"
    b"Voice-Message: 1/3 (1/0)\r\n\r\n"
)

# RFC 3842 §7 (the example), with the optional message headers after the blank line.
RFC_EXAMPLE = (
    b"Messages-Waiting: yes\r\n"
    b"Message-Account: sip:alice@vmail.example.com\r\n"
    b"Voice-Message: 4/8 (1/2)\r\n"
    b"\r\n"
    b"To: <alice@atlanta.example.com>\r\n"
    b"From: <bob@biloxi.example.com>\r\n"
    b"Subject: carpool tomorrow?\r\n"
    b"Priority: normal\r\n"
    b"Message-ID: 13784434989@vmail.example.com\r\n"
)

# What a voicemail simulator PUBLISHes to Kamailio (presence_mwi passes it on as it is).
KAMAILIO_PASSED_ON = (
    b"Messages-Waiting: no\r\nMessage-Account: sip:1001@127.0.0.1\r\nVoice-Message: 0/5\r\n"
)


def test_asterisk_body() -> None:
    summary = parse(ASTERISK)
    assert summary == MessageSummary(
        True, "sip:1001@pbx.example.com", ((MessageClass.VOICE, MessageCounts(2, 8, 0, 0)),)
    )
    assert summary.voice == MessageCounts(2, 8)


def test_freeswitch_body_in_its_own_order() -> None:
    summary = parse(FREESWITCH)
    assert summary.waiting and summary.account == "sip:1001@fs.example.com"
    assert summary.voice == MessageCounts(new=1, old=3, urgent_new=1, urgent_old=0)


def test_rfc_example_ignores_the_message_headers_after_the_blank_line() -> None:
    summary = parse(RFC_EXAMPLE)
    assert summary.voice == MessageCounts(4, 8, 1, 2)
    assert summary.account == "sip:alice@vmail.example.com"
    assert len(summary.counts) == 1


def test_kamailio_passes_on_what_was_published() -> None:
    summary = parse(KAMAILIO_PASSED_ON)
    assert not summary.waiting
    assert summary.voice == MessageCounts(0, 5, 0, 0)


def test_only_yes_and_no_counts() -> None:
    summary = parse(b"Messages-Waiting: yes\r\n")
    assert summary.waiting and summary.counts == () and summary.account == ""
    assert summary.voice == MessageCounts()  # no counts: zero, the flag still says yes
    assert summary.get(MessageClass.VOICE) is None


def test_every_class() -> None:
    body = (
        "Messages-Waiting: yes\n"
        "Voice-Message: 1/2\n"
        "Fax-Message: 3/4 (1/1)\n"
        "Pager-Message: 5/6\n"
        "Multimedia-Message: 7/8\n"
        "Text-Message: 9/10\n"
        "None: 0/0\n"
    )
    summary = parse(body)
    assert summary.get(MessageClass.FAX) == MessageCounts(3, 4, 1, 1)
    assert summary.get(MessageClass.PAGER) == MessageCounts(5, 6)
    assert summary.get(MessageClass.MULTIMEDIA) == MessageCounts(7, 8)
    assert summary.get(MessageClass.TEXT) == MessageCounts(9, 10)
    assert summary.get(MessageClass.NONE) == MessageCounts()
    assert [c for c, _ in summary.counts] == list(MessageClass)


@pytest.mark.parametrize(
    "body",
    [
        b"messages-waiting:YES\r\nvoice-message:3/4(1/0)\r\n",
        b"MESSAGES-WAITING :  Yes \nVOICE-MESSAGE :  3 / 4 ( 1 / 0 ) \n",
        b"\r\n\r\nMessages-Waiting:\tyes\rVoice-Message:\t3/4 (1/0)\r",
        b"\xef\xbb\xbfMessages-Waiting: yes\r\nVoice-Message: 3/4 (1/0)",  # a BOM, no final CRLF
        "Messages-Waiting: yes\r\nVoice-Message: 3/4 (1/0)\r\n",  # already text
    ],
)
def test_lenient_with_case_spaces_and_line_ends(body: bytes | str) -> None:
    summary = parse(body)
    assert summary.waiting
    assert summary.voice == MessageCounts(3, 4, 1, 0)


def test_unknown_headers_before_the_blank_line_are_extensions() -> None:
    summary = parse(b"Messages-Waiting: yes\r\nX-Vendor-Box: 12\r\nVoice-Message: 1/0\r\n")
    assert summary.voice == MessageCounts(1, 0)


def test_the_first_of_repeated_lines_counts() -> None:
    summary = parse(
        b"Messages-Waiting: no\r\nMessages-Waiting: yes\r\nVoice-Message: 1/0\r\nVoice-Message: 9/9\r\n"
        b"Message-Account: <sip:a@h>\r\nMessage-Account: sip:b@h\r\n"
    )
    assert not summary.waiting
    assert summary.voice == MessageCounts(1, 0)
    assert summary.account == "sip:a@h"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"", "empty"),
        (b"\r\n\r\n", "empty"),
        (b"Voice-Message: 1/0\r\n", "no Messages-Waiting"),
        (b"Messages-Waiting: maybe\r\n", "not yes or no"),
        (b"Messages-Waiting: yes\r\nVoice-Message: lots\r\n", "not 'new/old'"),
        (b"Messages-Waiting: yes\r\nVoice-Message: 1/2 (3)\r\n", "not 'new/old'"),
        (b"Messages-Waiting: yes\r\nVoice-Message: -1/2\r\n", "not 'new/old'"),
        (b"Messages-Waiting: yes\r\nVoice-Message: 1/2/3\r\n", "not 'new/old'"),
        (b"Messages-Waiting: yes\r\nVoice-Message: 0x10/2\r\n", "not 'new/old'"),
        ("Messages-Waiting: yes\r\nVoice-Message: \u0663/2\r\n", "not 'new/old'"),  # Arabic 3
        (b"Messages-Waiting: yes\r\nVoice-Message: 1000000/0\r\n", "not believable"),
        (
            b"Messages-Waiting: yes\r\nVoice-Message: 1/0 (0/" + b"9" * 5000 + b")\r\n",
            "not believable",
        ),
        (b"Messages-Waiting: yes\r\nthis is not a header\r\n", "line 2 is not a header"),
        (b"<html><body>Messages-Waiting: yes</body></html>", "line 1 is not a header"),
        (b"Messages Waiting: yes\r\n", "line 1 is not a header"),
        (b"Messages-Waiting: yes\r\n\xff\xfe\r\n", "not UTF-8"),
        (b"Messages-Waiting: yes\r\n" + b"X-Pad: " + b"a" * (70 * 1024) + b"\r\n", "larger than"),
    ],
)
def test_garbage_is_refused_clearly(body: bytes | str, says: str) -> None:
    with pytest.raises(MessageSummaryError, match=says):
        parse(body)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_message_summary_error(body: bytes) -> None:
    try:
        summary = parse(body)
    except MessageSummaryError:
        return
    for _, counts in summary.counts:
        assert 0 <= min(counts.new, counts.old, counts.urgent_new, counts.urgent_old)
        assert max(counts.new, counts.old, counts.urgent_new, counts.urgent_old) <= MAX_COUNT


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("Messages-Waiting: yesnoVoice/() 0123456789\r\n")),
        max_size=120,
    )
)
def test_random_summary_like_text_raises_only_message_summary_error(body: str) -> None:
    try:
        parse(body)
    except MessageSummaryError:
        pass


# --- what we build ------------------------------------------------------------------


def _kamailio_accepts(body: bytes) -> bool:
    """presence_mwi's check of a PUBLISHed body (mwi_publ_handl): the status line first,
    exactly spelt, then lines of printable ASCII, each ended by CRLF."""
    match = re.match(rb"Messages-Waiting[ \t]*:[ \t][ \t]*(yes|no)\r\n", body)
    if match is None:
        return False
    rest = body[match.end() :]
    return all(re.fullmatch(rb"[\x20-\x7e\t]*", line) for line in rest.split(b"\r\n")[:-1]) and (
        rest == b"" or rest.endswith(b"\r\n")
    )


def test_build_round_trips_and_passes_kamailios_check() -> None:
    counts = (
        (MessageClass.VOICE, MessageCounts(2, 8, 1, 0)),
        (MessageClass.FAX, MessageCounts(0, 1)),
    )
    body = build(True, "sip:1001@127.0.0.1", counts)
    assert body == (
        b"Messages-Waiting: yes\r\nMessage-Account: sip:1001@127.0.0.1\r\n"
        b"Voice-Message: 2/8 (1/0)\r\nFax-Message: 0/1\r\n"
    )
    assert parse(body) == MessageSummary(True, "sip:1001@127.0.0.1", counts)
    assert _kamailio_accepts(body)
    assert _kamailio_accepts(build(False))
    assert not _kamailio_accepts(b"messages-waiting: yes\r\n")  # the check itself can fail


@pytest.mark.parametrize(
    ("account", "counts"),
    [
        ("sip:a@h\r\nVoice-Message: 99/0", ()),
        ("", ((MessageClass.VOICE, MessageCounts(-1, 0)),)),
        ("", ((MessageClass.VOICE, MessageCounts(MAX_COUNT + 1, 0)),)),
    ],
)
def test_build_refuses_what_would_be_garbage(
    account: str, counts: tuple[tuple[MessageClass, MessageCounts], ...]
) -> None:
    with pytest.raises(ValueError):
        build(True, account, counts)
