"""The contact sources of the settings (the manual's Settings › Contacts): one
``[[contacts.sources]]`` table per source, in the order their contacts are shown and
looked up, with the kind's access data, the filters and the accounts used for them.
The file spells the keys as issue #10 does (``type``, ``url``...); `source_keys` maps
them to the model's names and back, and still reads the older spelling.

The built-in local source (Parley's own contacts) is always there, first unless the
file places it elsewhere; it cannot be renamed or deleted. Passwords of sources live in
the OS keyring (service ``parley``, key ``contact-source:<id>``); a ``password`` written
in the file is handled as an account's is (``parley.settings.secrets``): used as given,
written back only to its own file (or with allow_plaintext_passwords), and moved to the
keyring when a new one is stored.
"""

from __future__ import annotations

import codecs
import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import keyring
import keyring.errors
from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    SecretStr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from parley.contacts.outlook_fields import OUTLOOK_PROPERTIES, OutlookFieldMap
from parley.contacts.source import SourceKind
from parley.settings import source_keys
from parley.settings.types import _MODEL_CONFIG, OptHost, OptPath, OptText, _check_name

if TYPE_CHECKING:
    from parley.settings.secrets import PasswordLocation

log = logging.getLogger(__name__)

LOCAL_ID = "local"
LOCAL_NAME = "Parley"
KEYRING_PREFIX = "contact-source:"

LdapSecurity = Literal["none", "ldaps", "starttls"]
HttpAuth = Literal["none", "basic", "digest"]
OutlookAccess = Literal["auto", "graph", "desktop"]

# The keys every source has; the others belong to one kind each (a key of another kind
# is refused, so a misplaced setting is reported instead of ignored).
COMMON_KEYS = frozenset(
    {
        "id",
        "name",
        "kind",
        "enabled",
        "outgoing_account",
        "presence_account",
        "hide_without_name",
        "hide_without_number",
        "refresh_minutes",
    }
)
KIND_KEYS: dict[SourceKind, frozenset[str]] = {
    SourceKind.LOCAL: frozenset(),
    SourceKind.XML_PHONEBOOK: frozenset(
        {"location", "username", "password", "auth", "verify_tls", "ca_file"}
    ),
    SourceKind.WINDOWS: frozenset({"folder"}),
    SourceKind.LDAP: frozenset(
        {
            "host",
            "port",
            "security",
            "ignore_certificate",
            "ca_file",
            "bind_dn",
            "password",
            "base_dn",
            "search_filter",
            "result_limit",
            "attributes",
        }
    ),
    SourceKind.CARDDAV: frozenset(
        {"location", "username", "password", "verify_tls", "ca_file", "books"}
    ),
    SourceKind.OUTLOOK: frozenset(
        {
            "username",
            "outlook_access",
            "client_id",
            "tenant",
            "device_code_url",
            "token_url",
            "graph_url",
            "outlook_profile",
            "password",  # of the Outlook profile (Windows program), not the mail's
            "outlook_attributes",
        }
    ),
    SourceKind.GOOGLE: frozenset(
        {
            "location",
            "username",
            "client_id",
            "client_secret",
            "authorize_url",
            "token_url",
            "verify_tls",
            "ca_file",
            "books",
        }
    ),
    SourceKind.CSV: frozenset({"location", "encoding", "separator", "columns"}),
}
# Kinds that sign in with OAuth 2.0 ("Generate token"): tokens in the keyring.
WITH_SIGN_IN = frozenset({SourceKind.GOOGLE, SourceKind.OUTLOOK})
# Kinds that need a password field (stored in the keyring).
WITH_PASSWORD = frozenset({SourceKind.XML_PHONEBOOK, SourceKind.LDAP, SourceKind.CARDDAV})

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class LdapAttributes(BaseModel):
    """The manual's Attribute page: which LDAP attribute fills which contact field."""

    model_config = _MODEL_CONFIG

    display_name: str = Field(default="cn", description="Attribute of the name shown.")
    first_name: str = Field(default="givenName", description="Attribute of the first name.")
    last_name: str = Field(default="sn", description="Attribute of the last name.")
    company: str = Field(default="o", description="Attribute of the company.")
    business: str = Field(
        default="telephoneNumber", description="Attribute of the business number."
    )
    ip_phone: str = Field(
        default="ipPhone",
        description="Attribute of the 'Work IP Phone' number (instant messages with LDAP "
        "contacts need telephoneNumber here).",
    )
    mobile: str = Field(default="mobile", description="Attribute of the mobile number.")
    home: str = Field(default="homePhone", description="Attribute of the home number.")
    fax: str = Field(default="facsimileTelephoneNumber", description="Attribute of the fax number.")

    @field_validator("*", mode="after")
    @classmethod
    def _attribute_name(cls, value: str) -> str:
        # RFC 4512 §1.4 descr (a name) or a numeric OID; empty leaves the field unused.
        if value and not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*|[0-9]+(\.[0-9]+)*", value):
            raise ValueError(
                f"{value!r} is not an LDAP attribute name (letters, digits and '-', "
                "starting with a letter); leave it empty to not use the field"
            )
        return value


class OutlookAttributes(BaseModel):
    """The Attribute page of an Outlook source: which property of an Outlook contact fills
    which contact field. Named as Microsoft Graph names them (contact resource, v1.0); on
    Windows the object model reads the same property under its own name
    (parley.contacts.outlook_fields.OUTLOOK_PROPERTIES)."""

    model_config = _MODEL_CONFIG

    display_name: str = Field(
        default="displayName", description="Property of the name shown (Windows: FullName)."
    )
    first_name: str = Field(
        default="givenName", description="Property of the first name (Windows: FirstName)."
    )
    last_name: str = Field(
        default="surname", description="Property of the last name (Windows: LastName)."
    )
    company: str = Field(
        default="companyName", description="Property of the company (Windows: CompanyName)."
    )
    business: str = Field(
        default="businessPhones",
        description="Property of the business numbers (Windows: BusinessTelephoneNumber and "
        "Business2TelephoneNumber).",
    )
    mobile: str = Field(
        default="mobilePhone",
        description="Property of the mobile number (Windows: MobileTelephoneNumber).",
    )
    home: str = Field(
        default="homePhones",
        description="Property of the home numbers (Windows: HomeTelephoneNumber and "
        "Home2TelephoneNumber).",
    )

    @field_validator("*", mode="after")
    @classmethod
    def _property_name(cls, value: str) -> str:
        # Only properties both ways of reading know: a typo would silently empty a field.
        name = value.strip()
        if name and name not in OUTLOOK_PROPERTIES:
            raise ValueError(
                f"{value!r} is not a text property of an Outlook contact; use one of "
                + ", ".join(sorted(OUTLOOK_PROPERTIES))
                + ", or leave it empty to not use the field"
            )
        return name

    def field_map(self) -> OutlookFieldMap:
        """The mapping as the readers of Outlook take it."""
        return OutlookFieldMap(**self.model_dump())


class ContactSourceSettings(BaseModel):
    """One contact source: what it is, where its contacts come from, how they are shown."""

    model_config = _MODEL_CONFIG

    id: str = Field(
        description="Short unique key of the source (a-z, 0-9, '-', '_'): names its cache and "
        "its password in the keyring. The built-in source is 'local'."
    )
    name: str = Field(
        min_length=1, max_length=64, description="The name shown for the source (unique)."
    )
    kind: SourceKind = Field(
        description="What the source is (in the file: type): local (Parley's own contacts, built in), xml (an "
        "XML phone book, file or URL), windows (a folder of .contact files), ldap, carddav, "
        "google (Google Contacts over CardDAV, signed in with OAuth), outlook (Microsoft "
        "Graph, or the Outlook program on Windows), csv (a CSV file, read-only)."
    )
    enabled: bool = Field(default=True, description="A disabled source is kept but not used.")
    outgoing_account: OptText = Field(
        default=None,
        description="'Use this account for outgoing calls': the account that calls this "
        "source's contacts; empty: the usual account.",
    )
    presence_account: OptText = Field(
        default=None,
        description="'Use this account for presence': the account that watches the presence "
        "of this source's contacts (their SIP address, else their business number on the "
        "account's domain; at most 200 contacts of a source); empty: not watched, except "
        "the local contacts, watched through every account that subscribes presence.",
    )
    hide_without_name: bool = Field(
        default=False, description="Leave this source's contacts without a name out of the list."
    )
    hide_without_number: bool = Field(
        default=False,
        description="Leave this source's contacts without a phone number out of the list.",
    )
    refresh_minutes: int = Field(
        default=60,
        ge=0,
        le=10080,
        description="Minutes between synchronisations of a remote source (also at start and "
        "on demand); 0: only at start and on demand.",
    )
    # --- xml, carddav: a phone book file or URL
    location: OptText = Field(
        default=None,
        description="xml: the phone book's http(s) address (file key url) or local file "
        "(file key path); carddav, google: the server's address (file key url; google empty: "
        "Google's, https://www.googleapis.com/.well-known/carddav); csv: the file (file key "
        "path). Older files: location.",
    )
    username: OptText = Field(
        default=None,
        description="xml, carddav: user name for the server (the password is kept in the "
        "keyring); google, outlook: the account (e-mail address) to sign in with.",
    )
    password: SecretStr | None = Field(
        default=None,
        description="xml, carddav, ldap, outlook (the Outlook profile's): the password, kept "
        "in the settings file. Normally absent: passwords live in the OS keyring (contact-source:<id>). Used as given; "
        "written back only to the file it came from or when allow_plaintext_passwords is on.",
    )
    auth: HttpAuth | None = Field(
        default=None,
        description="xml: how to log in over HTTP: none (send no user name and password), "
        "basic or digest (only that scheme; a server asking for another one is an error); "
        "empty: answer whichever the server asks for.",
    )
    verify_tls: bool = Field(
        default=True,
        description="xml, carddav, google: check the server's HTTPS certificate. Off lets anyone on "
        "the path read and change the phone book.",
    )
    ca_file: OptPath = Field(
        default=None,
        description="xml, carddav, google, ldap: PEM file of CA certificates to trust; empty uses the "
        "system store.",
    )
    # --- csv: a CSV file read as it is
    encoding: OptText = Field(
        default=None,
        description="csv: the file's encoding (utf-8, utf-16, cp1252, iso-8859-1...); empty: "
        "guessed (a byte-order mark, else UTF-8, else Windows-1252).",
    )
    separator: OptText = Field(
        default=None,
        description="csv: the field separator (',', ';', '|', or 'tab'); empty: detected.",
    )
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="csv: which column holds what ([contacts.sources.columns], header = "
        "field: first_name, last_name, display_name, company, phone_business, phone_mobile, "
        "phone_home, phone_fax, phone_other, presence, ignore); columns not named keep the "
        "mapping suggested from their header.",
    )
    # --- carddav, google: which of the server's address books are read
    books: list[str] = Field(
        default_factory=list,
        description="carddav, google: the address books to read, each by its path on the "
        "server (e.g. /dav/anna/work/) or its display name; empty reads every address book "
        'the URL leads to. "Find address books" in the source\'s Access data lists them.',
    )
    # --- google, outlook: OAuth 2.0 sign-in ("Generate token"); tokens in the keyring
    client_id: OptText = Field(
        default=None,
        description="google, outlook: the OAuth client id of the app registered for Parley "
        "(Google Cloud console: a desktop app client; Microsoft Entra: a public client with "
        "Contacts.Read).",
    )
    client_secret: OptText = Field(
        default=None,
        description="google: the client secret Google gives a desktop app client (Google "
        "says it is not a secret in a desktop program).",
    )
    authorize_url: OptText = Field(
        default=None,
        description="google: the browser sign-in page of the OAuth provider; empty: Google's.",
    )
    token_url: OptText = Field(
        default=None,
        description="google, outlook: the provider's OAuth token endpoint; empty: Google's "
        "or Microsoft's (of the tenant).",
    )
    device_code_url: OptText = Field(
        default=None,
        description="outlook: the device-code endpoint of the sign-in; empty: Microsoft's "
        "(of the tenant).",
    )
    tenant: str = Field(
        default="common",
        description="outlook: the Microsoft tenant: common, organizations, consumers, or the "
        "organisation's tenant id or domain.",
    )
    graph_url: OptText = Field(
        default=None,
        description="outlook: the Microsoft Graph base URL; empty: "
        "https://graph.microsoft.com/v1.0.",
    )
    outlook_access: OutlookAccess = Field(
        default="auto",
        description="outlook: graph (Microsoft 365 / Outlook.com through Microsoft Graph, "
        "any OS), desktop (the Outlook program's contacts, Windows only) or auto (the "
        "program on Windows when it is there, else Graph).",
    )
    outlook_profile: OptText = Field(
        default=None,
        description="outlook, Windows program only: the Outlook (MAPI) profile to read; "
        "empty: the default profile. Its password, if it has one (not the mail password), "
        "is kept in the keyring. Not used with Microsoft Graph.",
    )
    outlook_attributes: OutlookAttributes = Field(
        default_factory=OutlookAttributes,
        description="outlook: the attribute mapping ([contacts.sources.outlook_attributes]), "
        "with Microsoft Graph's property names; the Windows program reads the same fields.",
    )
    # --- windows
    folder: OptPath = Field(default=None, description="windows: the folder of the .contact files.")
    # --- ldap
    host: OptHost = Field(
        default=None,
        description="ldap: the LDAP server (often the PBX). In the file: url = "
        "'ldap://HOST:PORT' or 'ldaps://HOST:PORT' (older files: host, port, security).",
    )
    port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="ldap: the server's port; empty: 636 for ldaps, else 389.",
    )
    security: LdapSecurity = Field(
        default="none",
        description="ldap: none (plain), ldaps (TLS from the start) or starttls. In the file: "
        "ldaps:// in url, or starttls = true with ldap://.",
    )
    ignore_certificate: bool = Field(
        default=False,
        description="ldap: accept any server certificate (in the file: verify_tls = false). "
        "The data is still encrypted, but anyone on the path can pose as the server.",
    )
    bind_dn: OptText = Field(
        default=None,
        description="ldap: the user to bind as (e.g. 'telephoneNumber=201,dc=auerswald'); "
        "empty: anonymous.",
    )
    base_dn: OptText = Field(
        default=None, description="ldap: where to search (e.g. 'dc=auerswald')."
    )
    search_filter: str = Field(
        default="(objectClass=*)",
        description="ldap: the LDAP filter of the entries that are contacts (in the file: filter).",
    )
    result_limit: int = Field(
        default=50,
        ge=1,
        le=100000,
        description="ldap: the most search results to fetch and show (PBXs often stop at 50; "
        "in the file: max_results).",
    )
    attributes: LdapAttributes = Field(
        default_factory=LdapAttributes,
        description="ldap: the attribute mapping ([contacts.sources.attributes]).",
    )

    # Where an inline password came from (set by load_settings): saving back to that
    # file keeps it there, as for accounts.
    _password_file: Path | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _file_names(cls, data: Any, info: ValidationInfo) -> Any:
        # An assignment passes the model's own __dict__ (every field, the model's names):
        # nothing to map there.
        if (
            info.field_name in cls.model_fields
            and isinstance(data, dict)
            and data.keys() >= cls.model_fields.keys()
        ):
            return data
        return source_keys.from_file(data)

    @field_validator("id", mode="after")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a source id: use 1 to 40 of a-z, 0-9, '-' and '_', "
                "starting with a letter or digit"
            )
        return value

    @field_validator("name", mode="after")
    @classmethod
    def _check_source_name(cls, value: str) -> str:
        return _check_name(value)

    @field_validator("encoding", mode="after")
    @classmethod
    def _check_encoding(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(
                    f"{value!r} is not an encoding Parley knows: use e.g. utf-8, utf-16, "
                    "cp1252 or iso-8859-1, or leave it empty to guess"
                ) from None
        return value

    @field_validator("separator", mode="after")
    @classmethod
    def _check_separator(cls, value: str | None) -> str | None:
        if value is not None and value.casefold() in ("tab", "\\t"):
            return "\t"
        if value is not None and (len(value) != 1 or value in '"\r\n'):
            raise ValueError(
                f"{value!r} is not a separator: use one character such as ',', ';' or '|', "
                "'tab', or leave it empty to detect it"
            )
        return value

    @field_validator("columns", mode="after")
    @classmethod
    def _check_columns(cls, value: dict[str, str]) -> dict[str, str]:
        from parley.contacts.csv_import import Field as Column

        known = [c.value for c in Column]
        for header, target in value.items():
            if target not in known:
                raise ValueError(
                    f"column {header!r}: {target!r} is not a contact field; use one of "
                    + ", ".join(known)
                )
        return value

    @field_validator("search_filter", mode="after")
    @classmethod
    def _check_filter(cls, value: str) -> str:
        text = value.strip()
        if not (text.startswith("(") and text.endswith(")")) or text.count("(") != text.count(")"):
            raise ValueError(
                f"{value!r} is not an LDAP filter: write it in parentheses, "
                "e.g. (objectClass=person)"
            )
        return text

    @model_validator(mode="after")
    def _kind_keys(self) -> ContactSourceSettings:
        allowed = COMMON_KEYS | KIND_KEYS[self.kind]
        foreign = sorted(self.model_fields_set - allowed)
        if foreign:
            raise ValueError(
                f"{', '.join(foreign)} {'is' if len(foreign) == 1 else 'are'} not a setting "
                f"of a {self.kind.value} source (source {self.name!r}); remove "
                f"{'it' if len(foreign) == 1 else 'them'} or change the kind"
            )
        if self.kind is SourceKind.LOCAL and self.id != LOCAL_ID:
            raise ValueError(
                f"the built-in local source has the id {LOCAL_ID!r}, not {self.id!r}; there "
                "is only one local source"
            )
        if self.kind is not SourceKind.LOCAL and self.id == LOCAL_ID:
            raise ValueError(f"the id {LOCAL_ID!r} belongs to the built-in local source")
        return self

    @model_serializer(mode="wrap")
    def _only_kind_keys(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        # Written back: the common keys and this kind's own, nothing of other kinds, in
        # the file's names.
        data: dict[str, Any] = handler(self)
        allowed = COMMON_KEYS | KIND_KEYS[self.kind]
        return source_keys.to_file({key: value for key, value in data.items() if key in allowed})

    @property
    def builtin(self) -> bool:
        return self.kind is SourceKind.LOCAL

    @property
    def remote(self) -> bool:
        return self.kind is not SourceKind.LOCAL

    @property
    def ldap_port(self) -> int:
        return self.port or (636 if self.security == "ldaps" else 389)

    def missing(self) -> list[str]:
        """The keys an enabled source of this kind still needs."""
        needed = {
            SourceKind.XML_PHONEBOOK: ("location",),
            SourceKind.CARDDAV: ("location",),
            SourceKind.WINDOWS: ("folder",),
            SourceKind.LDAP: ("host", "base_dn"),
            SourceKind.CSV: ("location",),
            SourceKind.GOOGLE: ("client_id",),
        }.get(self.kind, ())
        if self.kind is SourceKind.OUTLOOK and (
            self.outlook_access == "graph"
            or (self.outlook_access == "auto" and not sys.platform.startswith("win"))
        ):
            needed = ("client_id",)  # Graph needs the sign-in (Windows: Outlook itself)
        return [key for key in needed if not getattr(self, key)]

    def problems(self) -> list[str]:
        """What keeps an enabled source from working (English, for the console and logs);
        the settings load anyway, the source then reports itself as not set up."""
        found: list[str] = []
        if self.kind in (SourceKind.XML_PHONEBOOK, SourceKind.CARDDAV) and not self.location:
            found.append("location is empty: give the path or URL of the phone book")
        if self.kind is SourceKind.CSV and not self.location:
            found.append("path is empty: give the CSV file")
        if self.kind is SourceKind.WINDOWS and self.folder is None:
            found.append("folder is empty: give the folder of the .contact files")
        if self.kind is SourceKind.LDAP:
            if not self.host:
                found.append("host is empty: give the LDAP server (often the PBX)")
            if not self.base_dn:
                found.append("base_dn is empty: give where to search, e.g. dc=auerswald")
        if "client_id" in self.missing():
            found.append(
                "client_id is empty: give the OAuth client id of the app registered for "
                "Parley, then sign in (Generate token)"
            )
        return found


def local_source() -> ContactSourceSettings:
    return ContactSourceSettings(id=LOCAL_ID, name=LOCAL_NAME, kind=SourceKind.LOCAL)


class ContactsSettings(BaseModel):
    """The ``[contacts]`` table: the contact sources."""

    model_config = _MODEL_CONFIG

    sources: list[ContactSourceSettings] = Field(
        default_factory=lambda: [local_source()],
        description="The contact sources ([[contacts.sources]]), in the order their contacts "
        "are shown and callers' numbers are looked up (the local source is always there).",
    )

    @field_validator("sources", mode="after")
    @classmethod
    def _check_sources(cls, value: list[ContactSourceSettings]) -> list[ContactSourceSettings]:
        ids: dict[str, int] = {}
        names: dict[str, int] = {}
        for index, source in enumerate(value):
            if source.id in ids:
                raise ValueError(
                    f"source id {source.id!r} is used by both sources[{ids[source.id]}] and "
                    f"sources[{index}]; every source needs its own id"
                )
            ids[source.id] = index
            key = source.name.casefold()
            if key in names:
                raise ValueError(
                    f"source name {source.name!r} is used by both sources[{names[key]}] and "
                    f"sources[{index}]; give each source its own name"
                )
            names[key] = index
            if source.kind is SourceKind.LOCAL and source.name != LOCAL_NAME:
                raise ValueError(
                    f"the built-in local source cannot be renamed (it is {LOCAL_NAME!r}, "
                    f"not {source.name!r})"
                )
        if LOCAL_ID not in ids:
            # Built in: a file without it (or with it deleted by hand) gets it back, first.
            value.insert(0, local_source())
        return value

    def source(self, source_id: str) -> ContactSourceSettings:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    def new_id(self, name: str) -> str:
        """A free id made from `name` (for a source added in the settings dialog)."""
        base = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:32] or "source"
        taken = {s.id for s in self.sources}
        candidate, n = base, 2
        while candidate in taken or candidate == LOCAL_ID:
            candidate, n = f"{base}-{n}", n + 1
        return candidate


def check_source_accounts(sources: list[ContactSourceSettings], accounts: list[str]) -> None:
    """Refuse an outgoing/presence account that is not one of `accounts`."""
    known = {a.casefold() for a in accounts}
    for index, source in enumerate(sources):
        for key in ("outgoing_account", "presence_account"):
            chosen = getattr(source, key)
            if chosen and chosen.casefold() not in known:
                raise ValueError(
                    f"contacts.sources[{index}] ({source.name}): {key} {chosen!r} is not an "
                    "account; choose one of "
                    + (", ".join(repr(a) for a in accounts) or "the accounts (there are none)")
                    + " or leave it empty"
                )


# --- passwords -------------------------------------------------------------------------


def keyring_key(source_id: str) -> str:
    return KEYRING_PREFIX + source_id


def get_source_password(source: ContactSourceSettings) -> str | None:
    """The source's password: the one written in the settings file, else the keyring's,
    else None (none stored, no keyring)."""
    from parley.settings.secrets import SERVICE, SecretStoreError, keyring_status

    if source.password is not None:
        return source.password.get_secret_value()
    if not keyring_status().usable:
        return None
    try:
        return keyring.get_password(SERVICE, keyring_key(source.id))
    except keyring.errors.KeyringError as exc:
        raise SecretStoreError(
            f"Could not read the password of contact source {source.name!r} from the keyring "
            f"({exc}); unlock the keyring and try again"
        ) from exc


def set_source_password(
    source: ContactSourceSettings, password: str, *, allow_plaintext: bool = False
) -> PasswordLocation:
    """Store the source's password, as `secrets.set_password` does an account's: in the
    keyring when one is usable (a copy written in the settings file is dropped: it moves
    there); else in the settings file only with `allow_plaintext` (the settings'
    allow_plaintext_passwords); else SecretStoreError saying what to do, nothing stored."""
    from parley.settings.secrets import (
        _NO_KEYRING_HELP,
        SERVICE,
        PasswordLocation,
        SecretStoreError,
        keyring_status,
    )

    status = keyring_status()
    failure = status.reason
    if status.usable:
        try:
            keyring.set_password(SERVICE, keyring_key(source.id), password)
        except keyring.errors.KeyringError as exc:
            failure = f"the keyring refused to store it ({exc})"
        else:
            source.password = None
            source._password_file = None
            return PasswordLocation.KEYRING
    if not allow_plaintext:
        raise SecretStoreError(
            f"The password of contact source {source.name!r} was not stored: {failure}. "
            f"To fix: {_NO_KEYRING_HELP}."
        )
    log.warning(
        "Keeping the password of contact source %r in plain text in the settings file, "
        "because %s and allow_plaintext_passwords = true. Anyone who can read the file can "
        "read it.",
        source.name,
        failure,
    )
    source.password = SecretStr(password)
    return PasswordLocation.SETTINGS_FILE


def move_source_passwords(sources: list[ContactSourceSettings]) -> list[str]:
    """Move the passwords written in the settings file into the keyring (the settings
    are saved afterwards by the caller). Returns the names of the sources moved; raises
    SecretStoreError (what to do) when there is no usable keyring: nothing is lost."""
    moved: list[str] = []
    for source in sources:
        if source.password is not None:
            set_source_password(source, source.password.get_secret_value())
            moved.append(source.name)
    return moved


def delete_source_password(source: ContactSourceSettings) -> None:
    from parley.settings.secrets import SERVICE, SecretStoreError, keyring_status

    if not keyring_status().usable:
        return
    try:
        keyring.delete_password(SERVICE, keyring_key(source.id))
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as exc:
        raise SecretStoreError(
            f"Could not delete the password of contact source {source.name!r} from the "
            f"keyring ({exc}); unlock the keyring and try again"
        ) from exc
