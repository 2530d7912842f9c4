"""OpenLDAP's slapd with a PBX-style phone book, for the LDAP contact source tests.

    with Slapd(tmp_path, pbx_phonebook(), certs=session_certs()) as ldap:
        ...  # ldap://127.0.0.1:ldap.port, ldaps://127.0.0.1:ldap.ldaps_port

A throwaway `slapd.conf` in the work dir (back_mdb loaded as a module; schemas core,
cosine, inetorgperson), the data loaded with `slapadd -q` before the start, then
`slapd -f CONF -h "ldap://127.0.0.1:P ldaps://127.0.0.1:P2" -d 0`, stopped by pid.
With `certs` it also speaks LDAPS and StartTLS (Debian's slapd uses GnuTLS).

The directory is shaped like an Auerswald PBX's: base `dc=auerswald`, simple bind as
`telephoneNumber=NUMBER,dc=auerswald`, contacts as `inetOrgPerson` with telephoneNumber,
mobile, homePhone and o. Unless `anonymous=True`, only bound users read anything;
anonymous may only bind ("by anonymous auth"), so an anonymous search is answered with
error 50 (insufficient access), as on such a PBX. (`require authc` would answer 53.)
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from peers.certs import Certs
from peers.common import LOOPBACK, Process, free_port, require_binary, wait_for_port

BASE_DN = "dc=auerswald"
PHONEBOOK_DN = f"ou=phonebook,{BASE_DN}"
ARCHIVE_DN = f"ou=archive,{BASE_DN}"
BRANCH_DN = f"ou=branch,{BASE_DN}"  # a referral to another server

# The phone's own login, as the manual describes it: telephoneNumber=NUMBER,dc=auerswald.
USER_DN = f"telephoneNumber=4930555100,{BASE_DN}"
USER_PASSWORD = "phone-secret"
# A second login whose searches the server stops early (size limit 100, paged or not).
SMALL_DN = f"telephoneNumber=4930555199,{BASE_DN}"
SMALL_PASSWORD = "small-secret"
SMALL_LIMIT = 100
# A login that may not use paged results at all (slapd answers 11, adminLimitExceeded).
NOPAGE_DN = f"telephoneNumber=4930555198,{BASE_DN}"
NOPAGE_PASSWORD = "nopage-secret"

# The server's own limit for one search; paged searches get everything (as Active
# Directory's MaxPageSize: each page at most this many, any number of pages).
SERVER_SIZE_LIMIT = 500

Entry = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Person:
    """A phone book entry (the values as stored, numbers in whatever form)."""

    uid: str
    given: str
    surname: str
    company: str = ""
    phone: str = ""
    mobile: str = ""
    home: str = ""
    fax: str = ""
    department: str = ""
    display: str = ""

    @property
    def cn(self) -> str:
        return f"{self.given} {self.surname}".strip()

    def entry(self, parent: str) -> dict[str, list[str]]:
        values: dict[str, list[str]] = {
            "dn": [f"uid={self.uid},{parent}"],
            "objectClass": ["top", "person", "organizationalPerson", "inetOrgPerson"],
            "uid": [self.uid],
            "cn": [self.cn],
            "sn": [self.surname],
        }
        optional = {
            "givenName": self.given,
            "o": self.company,
            "telephoneNumber": self.phone,
            "mobile": self.mobile,
            "homePhone": self.home,
            "facsimileTelephoneNumber": self.fax,
            "ou": self.department,
            "displayName": self.display,
        }
        for name, value in optional.items():
            if value:
                values[name] = [value]
        return values


# The entries the tests name; the rest of the phone book is generated around them.
KNOWN = (
    Person(
        "aberg",
        "Anna",
        "Berg",
        "Berg Bau GmbH",
        "+49 30 1234567",
        "+49 171 2345678",
        "030 7654321",
        "+49 30 1234599",
        "Einkauf",
    ),
    Person("bkrause", "Bernd", "Krause", "Krause & Söhne", "030 9876543", "0172 3456789"),
    Person("cweiss", "Clara", "Weiß", "Auerswald", "+49-5306-92000", "", "", "", "Vertrieb"),
    Person("dmueller", "Dieter", "Müller", "(Star) Trading*", "+49 89 5550123"),
    Person("eroth", "Eva", "Roth", "Roth IT", "", "+49 160 5550199"),
    Person("fschulz", "Frank", "Schulz", "Schulz KG", "0049 40 5550177"),
    Person("gnull", "Gerd", "Null", "", "n/a"),  # a placeholder where a number belongs
)

_FIRST = (
    "Hans", "Jana", "Karl", "Lena", "Moritz", "Nina", "Otto", "Paula", "Rolf", "Sara",
    "Tom", "Ute", "Volker", "Wiebke", "Xaver", "Yvonne", "Zoe", "Ingo", "Greta", "Jonas",
)  # fmt: skip
_LAST = (
    "Albrecht", "Brandt", "Conrad", "Dietrich", "Engel", "Fuchs", "Graf", "Hahn",
    "Jung", "Kaiser", "Lorenz", "Maier", "Neumann", "Otte", "Peters", "Quast",
)  # fmt: skip


def generated_people(count: int, *, prefix: str, start: int = 0) -> list[Person]:
    """`count` people with distinct names and numbers (Berlin business numbers
    +49 30 66NNNNN in alternating international and national spelling)."""
    people = []
    for i in range(start, start + count):
        given = _FIRST[i % len(_FIRST)]
        surname = f"{_LAST[(i // len(_FIRST)) % len(_LAST)]}{i // (len(_FIRST) * len(_LAST)) or ''}"
        digits = f"66{i:05d}"
        phone = f"+49 30 {digits}" if i % 2 == 0 else f"030 {digits}"
        people.append(
            Person(f"{prefix}{i:05d}", given, surname, f"Firma {i % 37}", phone, department="Kunde")
        )
    return people


def pbx_phonebook(
    *, phonebook_size: int = 300, archive_size: int = 1200
) -> list[dict[str, list[str]]]:
    """The test directory: `ou=phonebook` (KNOWN plus generated people, `phonebook_size` in
    all), `ou=archive` (`archive_size` more, for paging past the server's size limit), the
    two logins and a referral entry `ou=branch` pointing at another server."""
    entries: list[dict[str, list[str]]] = [
        {
            "dn": [BASE_DN],
            "objectClass": ["top", "dcObject", "organization"],
            "dc": ["auerswald"],
            "o": ["Auerswald Test PBX"],
        },
    ]
    for dn, number, password in (
        (USER_DN, "4930555100", USER_PASSWORD),
        (SMALL_DN, "4930555199", SMALL_PASSWORD),
        (NOPAGE_DN, "4930555198", NOPAGE_PASSWORD),
    ):
        entries.append(
            {
                "dn": [dn],
                "objectClass": ["top", "organizationalRole", "simpleSecurityObject"],
                "cn": [f"Phone {number}"],
                "telephoneNumber": [number],
                "userPassword": [password],
            }
        )
    for dn, ou in ((PHONEBOOK_DN, "phonebook"), (ARCHIVE_DN, "archive")):
        entries.append({"dn": [dn], "objectClass": ["top", "organizationalUnit"], "ou": [ou]})
    entries.extend(p.entry(PHONEBOOK_DN) for p in KNOWN)
    entries.extend(
        p.entry(PHONEBOOK_DN) for p in generated_people(phonebook_size - len(KNOWN), prefix="p")
    )
    entries.extend(
        p.entry(ARCHIVE_DN) for p in generated_people(archive_size, prefix="a", start=50000)
    )
    entries.append(
        {
            "dn": [BRANCH_DN],
            "objectClass": ["top", "referral", "extensibleObject"],
            "ou": ["branch"],
            "ref": [f"ldap://{LOOPBACK}:9/ou=branch,dc=elsewhere"],
        }
    )
    return entries


def to_ldif(entries: Iterable[Entry]) -> str:
    """LDIF text of `entries` (each a mapping of attribute to values, "dn" first).
    Values that are not plain ASCII go base64-encoded, as LDIF wants."""
    import base64

    blocks = []
    for entry in entries:
        lines = []
        for name in ["dn", *(k for k in entry if k != "dn")]:
            for value in entry[name]:
                if value.isascii() and not value.startswith((" ", ":", "<")):
                    lines.append(f"{name}: {value}")
                else:
                    lines.append(f"{name}:: {base64.b64encode(value.encode()).decode()}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def self_signed_cert(directory: Path, common_name: str = "localhost") -> Certs:
    """A certificate that signs itself (no CA behind it), for 127.0.0.1 and localhost.
    `ca_file` is the certificate itself."""
    openssl = require_binary("openssl")
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "self.crt", directory / "self.key"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "3650", "-subj", f"/CN={common_name}",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return Certs(ca_file=cert, ca_key=key, cert_file=cert, key_file=key)


class Slapd:
    def __init__(
        self,
        workdir: Path | str,
        entries: Iterable[Entry],
        *,
        certs: Certs | None = None,
        anonymous: bool = False,
        port: int | None = None,
        ldaps_port: int | None = None,
    ) -> None:
        self.workdir = Path(workdir)
        self.entries = list(entries)
        self.certs = certs
        self.anonymous = anonymous
        self.host = LOOPBACK
        self.port = port if port is not None else free_port("tcp")
        self.ldaps_port: int | None = None
        if certs is not None:
            self.ldaps_port = ldaps_port if ldaps_port is not None else free_port("tcp")
        self.process: Process | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def url(self) -> str:
        return f"ldap://{self.host}:{self.port}"

    def config(self) -> str:
        d = self.workdir
        tls = ""
        if self.certs is not None:
            tls = (
                f"TLSCACertificateFile {self.certs.ca_file}\n"
                f"TLSCertificateFile {self.certs.cert_file}\n"
                f"TLSCertificateKeyFile {self.certs.key_file}\n"
            )
        if self.anonymous:
            access = (
                "access to attrs=userPassword by anonymous auth by * none\naccess to * by * read\n"
            )
        else:
            # "auth" lets anonymous see that the base exists (so the answer is 50,
            # insufficient access, rather than 32, no such object) but not search it.
            access = (
                "access to attrs=userPassword by anonymous auth by * none\n"
                "access to * by users read by anonymous auth\n"
            )
        return (
            "include /etc/ldap/schema/core.schema\n"
            "include /etc/ldap/schema/cosine.schema\n"
            "include /etc/ldap/schema/inetorgperson.schema\n"
            f"pidfile {d / 'slapd.pid'}\n"
            f"argsfile {d / 'slapd.args'}\n"
            "modulepath /usr/lib/ldap\n"
            "moduleload back_mdb\n"
            f"{tls}"
            f"sizelimit size.soft={SERVER_SIZE_LIMIT} size.hard={SERVER_SIZE_LIMIT}"
            " size.prtotal=unlimited\n"
            "database mdb\n"
            "maxsize 104857600\n"
            f'suffix "{BASE_DN}"\n'
            f'rootdn "cn=admin,{BASE_DN}"\n'
            "rootpw admin-secret\n"
            f"directory {d / 'db'}\n"
            "index objectClass eq\n"
            f'limits dn.exact="{SMALL_DN}" size={SMALL_LIMIT} size.prtotal={SMALL_LIMIT}\n'
            f'limits dn.exact="{NOPAGE_DN}" size.prtotal=disabled\n'
            f"{access}"
        )

    def start(self) -> Slapd:
        slapd = require_binary("slapd")
        slapadd = require_binary("slapadd")
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "db").mkdir(exist_ok=True)
        conf = self.workdir / "slapd.conf"
        conf.write_text(self.config())
        ldif = self.workdir / "data.ldif"
        ldif.write_text(to_ldif(self.entries), encoding="utf-8")
        loaded = subprocess.run(
            [slapadd, "-q", "-f", str(conf), "-l", str(ldif)], capture_output=True, text=True
        )
        if loaded.returncode != 0:
            raise RuntimeError(f"slapadd failed: {loaded.stderr[-2000:]}")
        urls = self.url
        if self.ldaps_port is not None:
            urls += f" ldaps://{self.host}:{self.ldaps_port}"
        self.process = Process(
            [slapd, "-f", str(conf), "-h", urls, "-d", "0"],
            log_path=self.workdir / "slapd.log",
            name="slapd",
        ).start()
        try:
            wait_for_port(self.port, "tcp", process=self.process)
            if self.ldaps_port is not None:
                wait_for_port(self.ldaps_port, "tcp", process=self.process)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def __enter__(self) -> Slapd:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
