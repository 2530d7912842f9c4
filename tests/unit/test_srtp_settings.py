"""The account's SRTP keys in the settings file (issue #11)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from parley.settings.model import AccountSettings
from parley.sip.sdes import SRTP_SUITES


def account(**kw: object) -> AccountSettings:
    return AccountSettings(name="office", domain="pbx.example.com", username="1001", **kw)  # type: ignore[arg-type]


def test_defaults_are_off_every_suite_and_no_keys_over_plain_signalling() -> None:
    a = account()
    assert a.srtp == "off"
    assert a.srtp_suites == list(SRTP_SUITES)
    assert a.srtp_over_plain_signalling is False


@pytest.mark.parametrize(
    "kw",
    [
        {"srtp": "sometimes"},
        {"srtp_suites": []},
        {"srtp_suites": ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_80"]},
        {"srtp_suites": ["AES_192_CM_HMAC_SHA1_80"]},  # RFC 6188's AES-192: not run
    ],
)
def test_bad_values_are_refused(kw: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        account(**kw)


def test_order_is_kept() -> None:
    a = account(srtp="mandatory", srtp_suites=["AEAD_AES_256_GCM", "AES_CM_128_HMAC_SHA1_32"])
    assert a.srtp_suites == ["AEAD_AES_256_GCM", "AES_CM_128_HMAC_SHA1_32"]


@pytest.mark.parametrize(
    ("kw", "problem"),
    [
        ({}, None),
        ({"srtp": "optional"}, "srtp needs tls"),
        ({"srtp": "mandatory", "transport": "tcp"}, "srtp needs tls"),
        ({"srtp": "optional", "srtp_over_plain_signalling": True}, None),
        ({"srtp": "mandatory", "transport": "tls"}, None),
    ],
)
def test_the_account_says_why_srtp_cannot_take_effect(
    kw: dict[str, object], problem: str | None
) -> None:
    from parley.app.tracker import Tracker

    (info,) = Tracker(lambda number: None).accounts([account(**kw)])
    assert (info.srtp_problem and str(info.srtp_problem)) == problem
