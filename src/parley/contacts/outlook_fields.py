"""Which property of an Outlook contact fills which field of ours (the Attribute page of
an Outlook source), for both ways of reading Outlook: Microsoft Graph and, on Windows, the
Outlook object model. A mapping is written with Graph's property names (contact resource,
Graph v1.0); `OUTLOOK_PROPERTIES` gives the object model's name(s) of each.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from parley.contacts.model import NumberType

__all__ = ["NUMBER_FIELDS", "OUTLOOK_PROPERTIES", "OutlookFieldMap", "desktop_names"]

# The text properties a field can be filled from: Graph's name -> the ContactItem
# properties of the object model. Graph's phone lists (businessPhones, homePhones) are two
# single properties there.
OUTLOOK_PROPERTIES: dict[str, tuple[str, ...]] = {
    "assistantName": ("AssistantName",),
    "businessHomePage": ("BusinessHomePage",),
    "businessPhones": ("BusinessTelephoneNumber", "Business2TelephoneNumber"),
    "companyName": ("CompanyName",),
    "department": ("Department",),
    "displayName": ("FullName",),
    "fileAs": ("FileAs",),
    "generation": ("Suffix",),
    "givenName": ("FirstName",),
    "homePhones": ("HomeTelephoneNumber", "Home2TelephoneNumber"),
    "imAddresses": ("IMAddress",),
    "initials": ("Initials",),
    "jobTitle": ("JobTitle",),
    "manager": ("ManagerName",),
    "middleName": ("MiddleName",),
    "mobilePhone": ("MobileTelephoneNumber",),
    "nickName": ("NickName",),
    "officeLocation": ("OfficeLocation",),
    "profession": ("Profession",),
    "spouseName": ("Spouse",),
    "surname": ("LastName",),
    "title": ("Title",),
    "yomiCompanyName": ("YomiCompanyName",),
    "yomiGivenName": ("YomiFirstName",),
    "yomiSurname": ("YomiLastName",),
}


@dataclass(frozen=True)
class OutlookFieldMap:
    """Graph property per contact field; empty: the field is not filled."""

    display_name: str = "displayName"
    first_name: str = "givenName"
    last_name: str = "surname"
    company: str = "companyName"
    business: str = "businessPhones"
    mobile: str = "mobilePhone"
    home: str = "homePhones"

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if value and value not in OUTLOOK_PROPERTIES:
                raise ValueError(
                    f"{item.name}: {value!r} is not a text property of an Outlook contact; "
                    "use one of " + ", ".join(sorted(OUTLOOK_PROPERTIES))
                )

    def used(self) -> tuple[str, ...]:
        """The Graph properties read ($select), each once, in field order."""
        values = (getattr(self, item.name) for item in fields(self))
        return tuple(dict.fromkeys(v for v in values if v))


# The number fields of the mapping and the kind of number each gives.
NUMBER_FIELDS: tuple[tuple[str, NumberType], ...] = (
    ("business", NumberType.BUSINESS),
    ("mobile", NumberType.MOBILE),
    ("home", NumberType.HOME),
)


def desktop_names(graph_name: str) -> tuple[str, ...]:
    """The object model's properties of a Graph property (none for an empty name)."""
    return OUTLOOK_PROPERTIES.get(graph_name, ()) if graph_name else ()
