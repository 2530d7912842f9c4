"""What the account's hover text warns about: TLS without a certificate check, and SRTP
that cannot take effect without TLS (issue #11), in English and German."""

from __future__ import annotations

from parley.app.snapshots import AccountInfo
from parley.gui.account_list import account_tooltip
from parley.gui.i18n import set_language
from parley.sip.sdes import SrtpProblem


def test_unverified_tls_and_srtp_without_tls_are_said_on_the_account() -> None:
    plain = AccountInfo(name="office", state="registered", server="tls:127.0.0.1:5061")
    assert "not checked" not in account_tooltip(plain)
    risky = AccountInfo(
        name="office",
        state="registered",
        server="tls:127.0.0.1:5061",
        tls_unverified=True,
        srtp_problem=SrtpProblem.NEEDS_TLS,
    )
    text = account_tooltip(risky)
    assert "the server's certificate is not checked" in text
    assert "SRTP needs TLS" in text
    set_language("de")
    german = account_tooltip(risky)
    assert "Zertifikat des Servers wird nicht geprüft" in german
    assert "SRTP braucht für dieses Konto TLS" in german
