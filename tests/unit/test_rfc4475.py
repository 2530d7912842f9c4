"""RFC 4475 torture messages: one test per message, asserting what the RFC says of it.

Valid messages must parse to the values the RFC's text points out; invalid ones must be
rejected with a SipParseError naming the fault and, for requests, the status a UA answers.
Messages that are only wrong for a UA (§3.3) go through `validate_request`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from parley.sip.headers import NameAddr, SipParseError, parse_auth_params, parse_media_list
from parley.sip.message import Request, Response
from parley.sip.parser import parse_message
from parley.sip.uri import SipURI
from parley.sip.validate import response_for_parse_error, validate_request

DATA = Path(__file__).resolve().parent.parent / "data" / "rfc4475"
FILES = sorted(p.name for p in DATA.glob("*.dat"))

SUPPORTED = {"replaces", "timer", "100rel"}
ACCEPTED = {"application/sdp"}


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def request(name: str) -> Request:
    msg = parse_message(load(name))
    assert isinstance(msg, Request)
    return msg


def response(name: str) -> Response:
    msg = parse_message(load(name))
    assert isinstance(msg, Response)
    return msg


def validate(req: Request, **kw: object) -> Response | None:
    return validate_request(req, supported=SUPPORTED, accepted_types=ACCEPTED, **kw)  # type: ignore[arg-type]


def without_length(msg: Request | Response) -> list[tuple[str, str]]:
    return [(n, v) for n, v in msg.headers if n != "Content-Length"]


def assert_round_trip(msg: Request | Response) -> None:
    """Serialising and parsing again gives the same message (Content-Length is rewritten)."""
    again = parse_message(msg.to_bytes())
    assert type(again) is type(msg)
    assert without_length(again) == without_length(msg)
    assert again.body == msg.body
    if isinstance(msg, Request):
        assert isinstance(again, Request)
        assert (again.method, again.uri) == (msg.method, msg.uri)
    else:
        assert isinstance(again, Response)
        assert (again.status, again.reason) == (msg.status, msg.reason)


def assert_rejected(name: str, status: int, *fault: str) -> SipParseError:
    with pytest.raises(SipParseError) as info:
        parse_message(load(name))
    err = info.value
    assert err.status == status
    for word in fault:
        assert word.lower() in str(err).lower(), str(err)
    return err


def assert_answered(name: str, status: int, *fault: str) -> None:
    """A rejected request still gets its response, addressed from the copied headers."""
    err = assert_rejected(name, status, *fault)
    resp = response_for_parse_error(err, to_tag="t1")
    assert resp is not None
    assert resp.status == status
    call_ids = [v for n, v in err.raw_headers or [] if n.lower() in ("call-id", "i")]
    assert call_ids and resp.headers.get("Call-ID") == call_ids[0]
    assert resp.headers.get_all("Via") == [
        v for n, v in err.raw_headers or [] if n.lower() in ("via", "v")
    ]


# -- §3.1.1 valid messages --------------------------------------------------------------------


def check_wsinv() -> None:
    req = request("wsinv.dat")
    assert req.method == "INVITE"
    assert isinstance(req.uri, SipURI)
    assert req.uri.params == {"unknownparam": None}
    assert req.to.uri.user == "vivekg" and req.to.tag == "1918181833n"
    assert req.from_.display_name == 'J Rosenberg \\"'
    assert req.from_.uri == SipURI.parse("sip:jdrosen@example.com")
    assert req.from_.tag == "98asjd8"
    assert req.max_forwards == 68
    assert (req.cseq.seq, req.cseq.method) == (9, "INVITE")
    assert req.call_id == "wsinv.ndaksdj@192.0.2.1"
    vias = req.vias
    assert [(v.transport, v.host, v.branch) for v in vias] == [
        ("UDP", "192.0.2.2", "390skdjuw"),
        ("TCP", "spindle.example.com", "z9hG4bK9ikj8"),
        ("UDP", "192.168.255.111", "z9hG4bK30239"),
    ]
    assert req.headers.get("NewFangledHeader") == "newfangled value continued newfangled value"
    assert req.headers.get("UnknownHeaderWithUnusualValue") == ";;,,;;,;"
    assert req.headers.get("Subject") == ""
    (route,) = req.routes
    assert route.uri.params == {"lr": None, "unknownwith": "value", "unknown-no-value": None}
    (contact,) = req.contacts
    assert contact.display_name == 'Quoted string ""'
    assert contact.params == {"newparam": "newvalue", "secondparam": None, "q": "0.33"}
    assert contact.q == 0.33
    assert len(req.body) == 150
    assert req.content_type is not None and req.content_type.mime == "application/sdp"
    assert validate(req) is None
    assert_round_trip(req)


def check_intmeth() -> None:
    req = request("intmeth.dat")
    method = "!interesting-Method0123456789_*+`.%indeed'~"
    assert req.method == method and req.cseq.method == method
    assert isinstance(req.uri, SipURI)
    assert req.uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"
    assert req.uri.password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"
    assert req.uri.host == "example.com"
    assert req.to.display_name == "BEL:\x07 NUL:\x00 DEL:\x7f"
    assert req.to.uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"
    assert req.from_.display_name == "token1~` token2'+_ token3*%!.-"
    assert req.from_.params["fromParam''~+*_!.-%"] == "работающий"
    assert req.from_.tag == "_token~1'+`*%!-."
    assert req.call_id == "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"
    assert req.top_via.branch == "z9hG4bK-.!%66*_+`'~"
    assert req.max_forwards == 255
    assert req.headers.get("extensionHeader-!.%*+_`'~") == "\ufeff大停電"
    assert req.body == b""
    assert_round_trip(req)


def check_esc01() -> None:
    req = request("esc01.dat")
    assert isinstance(req.uri, SipURI)
    assert req.uri.user == "sips:user@example.com" and req.uri.host == "example.net"
    assert str(req.uri) == "sip:sips%3Auser%40example.com@example.net"
    assert req.to.uri == SipURI.parse("sip:user@example.com")
    assert req.from_.uri.user == "I have spaces"
    (contact,) = req.contacts
    assert contact.uri.user == "caller"
    assert contact.uri.params == {"lr": None, "name": "value%41"}
    assert req.content_type is not None and req.content_type.mime == "application/sdp"
    assert len(req.body) == 150
    assert_round_trip(req)


def check_escnull() -> None:
    req = request("escnull.dat")
    assert req.to.uri.user == "null-\x00-null"
    assert req.from_.uri.user == "null-\x00-null"
    assert [c.uri.user for c in req.contacts] == ["\x00", "\x00\x00"]
    assert str(req.contacts[1].uri) == "sip:%00%00@host5.example.com"
    assert_round_trip(req)


def check_esc02() -> None:
    req = request("esc02.dat")
    # Escapes mean nothing in a method: this is not a REGISTER.
    assert req.method == "RE%47IST%45R" and req.cseq.method == "RE%47IST%45R"
    assert req.to.display_name == "%Z%45"
    assert req.top_via.branch == "z9hG4bK209%fzsnel234"
    assert req.top_via.transport == "TCP"
    # "C%6Fntact" is an extension header, not a third Contact.
    assert [c.uri.host for c in req.contacts] == ["host1.example.com", "host3.example.com"]
    assert req.headers.get("C%6Fntact") == "<sip:alias2@host2.example.com>"
    assert_round_trip(req)


def check_lwsdisp() -> None:
    req = request("lwsdisp.dat")
    assert req.from_.display_name == "caller"
    assert req.from_.uri.user == "caller" and req.from_.tag == "323"
    assert_round_trip(req)


def check_longreq() -> None:
    req = request("longreq.dat")
    assert req.to.display_name is not None
    assert req.to.display_name.startswith("I have a user name of extremeextreme")
    assert req.to.uri.port == 6000
    assert (
        req.to.uri.params[
            "verylonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglong"
            "longlonglonglonglongParameterNameWithNoValue"
        ]
        is None
    )
    assert req.from_.tag is not None and req.from_.tag.startswith("12982982982")
    assert req.call_id.startswith("longreq.onereallyreally")
    assert len(req.vias) == 34
    assert req.vias[0].host == "sip33.example.com"
    assert req.vias[-1].received == "192.0.2.5"
    assert len(req.body) == 150
    assert_round_trip(req)


def check_dblreq() -> None:
    req = request("dblreq.dat")
    # Only the REGISTER counts; the INVITE after Content-Length is junk.
    assert req.method == "REGISTER"
    assert req.call_id == "dblreq.0ha0isndaksdj99sdfafnl3lk233412"
    assert req.body == b""
    assert_round_trip(req)


def check_semiuri() -> None:
    req = request("semiuri.dat")
    assert isinstance(req.uri, SipURI)
    assert req.uri.user == "user;par=u@example.net"
    assert req.uri.host == "example.com" and req.uri.params == {}
    accept = [m.mime for v in req.headers.get_all("Accept") for m in parse_media_list(v)]
    assert accept == [
        "application/sdp",
        "application/pkcs7-mime",
        "multipart/mixed",
        "multipart/signed",
        "message/sip",
        "message/sipfrag",
    ]
    assert_round_trip(req)


def check_transports() -> None:
    req = request("transports.dat")
    assert [v.transport for v in req.vias] == ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]
    assert req.call_id == "transports.kijh4akdnaqjkwendsasfdj"
    assert_round_trip(req)


def check_mpart01() -> None:
    req = request("mpart01.dat")
    assert req.method == "MESSAGE"
    assert len(req.body) == 553
    assert req.body.startswith(b"--7a9cbec02ceef655\r\n")
    assert req.body.endswith(b"--7a9cbec02ceef655--\r\n")
    ct = req.content_type
    assert ct is not None and ct.mime == "multipart/mixed"
    assert ct.params == {"boundary": "7a9cbec02ceef655"}
    assert req.top_via.has_rport and req.top_via.rport is None
    assert req.routes[0].uri.port == 5080
    assert_round_trip(req)


def check_unreason() -> None:
    resp = response("unreason.dat")
    assert resp.status == 200
    assert resp.reason == "= 2**3 * 5**2 но сто девяносто девять - простое"
    assert len(resp.body) == 154
    assert_round_trip(resp)


def check_noreason() -> None:
    resp = response("noreason.dat")
    assert resp.status == 100 and resp.reason == ""
    assert_round_trip(resp)


# -- §3.1.2 invalid messages ------------------------------------------------------------------


def check_badinv01() -> None:
    assert_answered("badinv01.dat", 400, "Via")


def check_clerr() -> None:
    assert_answered("clerr.dat", 400, "Content-Length", "shorter")


def check_ncl() -> None:
    assert_answered("ncl.dat", 400, "Content-Length", "-999")


def check_scalar02() -> None:
    assert_answered("scalar02.dat", 400, "CSeq", "out of range")


def check_scalarlg() -> None:
    err = assert_rejected("scalarlg.dat", 400, "CSeq", "out of range")
    assert response_for_parse_error(err) is None  # a response is never answered


def check_quotbal() -> None:
    assert_answered("quotbal.dat", 400, "To", "quoted")


def check_ltgtruri() -> None:
    assert_answered("ltgtruri.dat", 400, "Request-URI")


def check_lwsruri() -> None:
    assert_answered("lwsruri.dat", 400, "Request-Line")


def check_lwsstart() -> None:
    assert_answered("lwsstart.dat", 400, "Request-Line")


def check_trws() -> None:
    assert_answered("trws.dat", 400, "Request-Line")


def check_escruri() -> None:
    assert_answered("escruri.dat", 400, "Request-URI", "headers")


def check_baddate() -> None:
    assert_answered("baddate.dat", 400, "Date", "GMT")


def check_regbadct() -> None:
    assert_answered("regbadct.dat", 400, "Contact", "<>")


def check_badaspec() -> None:
    assert_answered("badaspec.dat", 400, "To", "white space")


def check_baddn() -> None:
    assert_answered("baddn.dat", 400, "From", "quoted")


def check_badvers() -> None:
    err = assert_rejected("badvers.dat", 505, "version", "SIP/7.0")
    resp = response_for_parse_error(err)
    assert resp is not None and resp.status == 505 and resp.reason == "Version Not Supported"
    assert resp.headers.get("Call-ID") == "badvers.31417@c.example.com"


def check_mismatch01() -> None:
    assert_answered("mismatch01.dat", 400, "CSeq method", "OPTIONS")


def check_mismatch02() -> None:
    assert_answered("mismatch02.dat", 400, "CSeq method", "NEWMETHOD")


def check_bigcode() -> None:
    err = assert_rejected("bigcode.dat", 400, "status code")
    assert response_for_parse_error(err) is None


# -- §3.2 transaction layer -------------------------------------------------------------------


def check_badbranch() -> None:
    req = request("badbranch.dat")
    # Only the magic cookie: a transaction layer cannot use it as an RFC 3261 branch id.
    assert req.top_via.branch == "z9hG4bK"
    assert validate(req) is None
    assert_round_trip(req)


# -- §3.3 application layer -------------------------------------------------------------------


def check_insuf() -> None:
    req = request("insuf.dat")
    resp = validate(req)
    assert resp is not None and resp.status == 400
    assert "Missing Required Header" in resp.reason
    assert resp.headers.get("CSeq") == "193942 INVITE"
    assert resp.headers.get("Via") == "SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf"


def check_unkscm() -> None:
    req = request("unkscm.dat")
    assert req.uri == "nobodyKnowsThisScheme:totallyopaquecontent"
    resp = validate(req, to_tag="abc")
    assert resp is not None and resp.status == 416
    assert resp.reason == "Unsupported URI Scheme"
    assert NameAddr.parse(resp.headers.get("To") or "").tag == "abc"
    assert_round_trip(req)


def check_novelsc() -> None:
    req = request("novelsc.dat")
    assert req.uri == "soap.beep://192.0.2.103:3002"
    resp = validate(req)
    assert resp is not None and resp.status == 416
    assert_round_trip(req)


def check_unksm2() -> None:
    req = request("unksm2.dat")
    assert (req.to.uri.scheme, req.to.uri.host) == ("isbn", "2983792873")
    assert (req.from_.uri.scheme, req.from_.uri.host) == ("http", "//www.example.com")
    assert req.from_.tag == "3234233"
    (contact,) = req.contacts
    assert (contact.uri.scheme, contact.uri.host) == ("name", "John_Smith")
    assert str(req.to.uri) == "isbn:2983792873"
    assert validate(req) is None  # the Request-URI is sip: this UA can take it
    assert_round_trip(req)


def check_bext01() -> None:
    req = request("bext01.dat")
    assert req.tokens("Require") == ["nothingSupportsThis", "nothingSupportsThisEither"]
    assert req.tokens("Proxy-Require") == ["noProxiesSupportThis", "norDoAnyProxiesSupportThis"]
    resp = validate(req)
    assert resp is not None and resp.status == 420 and resp.reason == "Bad Extension"
    assert resp.tokens("Unsupported") == ["nothingSupportsThis", "nothingSupportsThisEither"]
    assert_round_trip(req)


def check_invut() -> None:
    req = request("invut.dat")
    assert req.content_type is not None
    assert req.content_type.mime == "application/unknownformat"
    assert req.body.startswith(b"<audio>") and len(req.body) == 40
    resp = validate(req)
    assert resp is not None and resp.status == 415
    assert resp.headers.get("Accept") == "application/sdp"
    assert_round_trip(req)


def check_regaut01() -> None:
    req = request("regaut01.dat")
    value = req.headers.get("Authorization")
    assert value is not None
    assert parse_auth_params(value) == ("NoOneKnowsThisScheme", {"opaque-data": "here"})
    assert req.body == b""
    assert validate(req) is None  # a registrar answers with a challenge; not a parse matter
    assert_round_trip(req)


def check_multi01() -> None:
    req = request("multi01.dat")
    assert len(req.headers.get_all("CSeq")) == 2
    resp = validate(req)
    assert resp is not None and resp.status == 400 and "Multiple" in resp.reason


def check_mcl01() -> None:
    # Two Content-Length values: the body's extent is unknown, so the parser refuses.
    assert_answered("mcl01.dat", 400, "Content-Length")


def check_bcast() -> None:
    resp = response("bcast.dat")
    assert resp.status == 200
    assert [v.host for v in resp.vias] == ["192.0.2.198", "255.255.255.255"]
    assert len(resp.body) == 154
    assert_round_trip(resp)


def check_zeromf() -> None:
    req = request("zeromf.dat")
    assert req.max_forwards == 0
    # An endpoint processes it (RFC 4475 §3.3.11); an element forwarding it answers 483.
    assert validate(req) is None
    resp = validate(req, forwarding=True)
    assert resp is not None and resp.status == 483 and resp.reason == "Too Many Hops"
    assert_round_trip(req)


def check_cparam01() -> None:
    req = request("cparam01.dat")
    (contact,) = req.contacts
    # Without <>, ;unknownparam belongs to the header field, not to the URI.
    assert contact.uri.params == {}
    assert contact.params == {"unknownparam": None}
    assert contact.uri.user == "+19725552222"
    assert_round_trip(req)


def check_cparam02() -> None:
    req = request("cparam02.dat")
    (contact,) = req.contacts
    assert contact.uri.params == {"unknownparam": None}
    assert contact.params == {}
    assert_round_trip(req)


def check_regescrt() -> None:
    req = request("regescrt.dat")
    (contact,) = req.contacts
    assert contact.uri.headers == {"Route": "<sip:sip.example.com>"}
    assert str(contact.uri) == "sip:user@example.com?Route=%3Csip:sip.example.com%3E"
    assert_round_trip(req)


def check_sdp01() -> None:
    req = request("sdp01.dat")
    assert req.headers.get("Accept") == "text/nobodyKnowsThis"
    resp = validate(req)
    assert resp is not None and resp.status == 406
    assert_round_trip(req)


# -- §3.4 backward compatibility --------------------------------------------------------------


def check_inv2543() -> None:
    req = request("inv2543.dat")
    assert req.max_forwards is None
    assert req.top_via.branch is None and req.top_via.host == "iftgw.example.com"
    assert req.from_.uri.params == {"user": "phone"} and req.from_.tag is None
    assert req.to.uri.user == "+16505552222"
    assert req.record_routes[0].uri.param("maddr") == "ss1.example.com"
    assert req.body.startswith(b"v=0\r\n") and req.body.endswith(b"RTP/AVP 0\r\n")
    assert validate(req) is None
    assert_round_trip(req)


CHECKS: dict[str, Callable[[], None]] = {
    name.removeprefix("check_") + ".dat": func
    for name, func in list(globals().items())
    if name.startswith("check_")
}


def test_every_vector_present() -> None:
    assert len(FILES) == 49
    assert set(FILES) == set(CHECKS)


@pytest.mark.parametrize("name", FILES, ids=FILES)
def test_rfc4475(name: str) -> None:
    CHECKS[name]()
