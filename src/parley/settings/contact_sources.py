"""The contact sources of the settings (the manual's Settings › Contacts): one
``[[contacts.sources]]`` table per source, in the order their contacts are shown and
looked up, with the kind's access data, the filters and the accounts used for them.

The built-in local source (Parley's own contacts) is always there, first unless the
file places it elsewhere; it cannot be renamed or deleted. Passwords of sources live in
the OS keyring (service ``parley``, key ``contact-source:<id>``), never in the file.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Literal

import keyring
import keyring.errors
from pydantic import (
    BaseModel,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from parley.contacts.source import SourceKind
from parley.settings.types import _MODEL_CONFIG, OptHost, OptPath, OptText, _check_name

LOCAL_ID = "local"
LOCAL_NAME = "Parley"
KEYRING_PREFIX = "contact-source:"

LdapSecurity = Literal["none", "ldaps", "starttls"]
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
    SourceKind.XML_PHONEBOOK: frozenset({"location", "username", "verify_tls", "ca_file"}),
    SourceKind.WINDOWS: frozenset({"folder"}),
    SourceKind.LDAP: frozenset(
        {
            "host",
            "port",
            "security",
            "ignore_certificate",
            "ca_file",
            "bind_dn",
            "base_dn",
            "search_filter",
            "result_limit",
            "attributes",
        }
    ),
    SourceKind.CARDDAV: frozenset({"location", "username", "verify_tls", "ca_file"}),
    SourceKind.OUTLOOK: frozenset(
        {
            "username",
            "outlook_access",
            "client_id",
            "tenant",
            "device_code_url",
            "token_url",
            "graph_url",
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
        }
    ),
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
        description="What the source is: local (Parley's own contacts, built in), xml (an "
        "XML phone book, file or URL), windows (a folder of .contact files), ldap, carddav, "
        "google (Google Contacts over CardDAV, signed in with OAuth), outlook (Microsoft "
        "Graph, or the Outlook program on Windows)."
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
        description="xml, carddav: the local path or the http(s) URL of the phone book; "
        "google: the CardDAV URL (empty: Google's, https://www.googleapis.com/.well-known/"
        "carddav).",
    )
    username: OptText = Field(
        default=None,
        description="xml, carddav: user name for the server (the password is kept in the "
        "keyring); google, outlook: the account (e-mail address) to sign in with.",
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
    # --- windows
    folder: OptPath = Field(default=None, description="windows: the folder of the .contact files.")
    # --- ldap
    host: OptHost = Field(default=None, description="ldap: the LDAP server (often the PBX).")
    port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="ldap: the server's port; empty: 636 for ldaps, else 389.",
    )
    security: LdapSecurity = Field(
        default="none",
        description="ldap: none (plain), ldaps (TLS from the start) or starttls.",
    )
    ignore_certificate: bool = Field(
        default=False,
        description="ldap: accept any server certificate. The data is still encrypted, but "
        "anyone on the path can pose as the server.",
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
        description="ldap: the LDAP filter of the entries that are contacts.",
    )
    result_limit: int = Field(
        default=50,
        ge=1,
        le=100000,
        description="ldap: the most search results to fetch and show (PBXs often stop at 50).",
    )
    attributes: LdapAttributes = Field(
        default_factory=LdapAttributes,
        description="ldap: the attribute mapping ([contacts.sources.attributes]).",
    )

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
        # Written back: the common keys and this kind's own, nothing of other kinds.
        data: dict[str, Any] = handler(self)
        allowed = COMMON_KEYS | KIND_KEYS[self.kind]
        return {key: value for key, value in data.items() if key in allowed}

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
    """The source's password from the keyring, or None (none stored, no keyring)."""
    from parley.settings.secrets import SERVICE, SecretStoreError, keyring_status

    if not keyring_status().usable:
        return None
    try:
        return keyring.get_password(SERVICE, keyring_key(source.id))
    except keyring.errors.KeyringError as exc:
        raise SecretStoreError(
            f"Could not read the password of contact source {source.name!r} from the keyring "
            f"({exc}); unlock the keyring and try again"
        ) from exc


def set_source_password(source: ContactSourceSettings, password: str) -> None:
    """Keep the source's password in the keyring; SecretStoreError (saying what to do) when
    there is none: source passwords never go into the settings file."""
    from parley.settings.secrets import SERVICE, SecretStoreError, keyring_status

    status = keyring_status()
    if not status.usable:
        raise SecretStoreError(
            f"The password of contact source {source.name!r} was not stored: {status.reason}. "
            "To fix: install and unlock a keyring (GNOME Keyring, KWallet, or the "
            "keyrings.alt package); source passwords are never written to the settings file."
        )
    try:
        keyring.set_password(SERVICE, keyring_key(source.id), password)
    except keyring.errors.KeyringError as exc:
        raise SecretStoreError(
            f"The keyring refused the password of contact source {source.name!r} ({exc}); "
            "unlock the keyring and try again"
        ) from exc


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
