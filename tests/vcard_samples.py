"""vCards as the big address book services and phones write them (shapes copied from real
exports; the people and numbers are made up). Used by the vCard unit tests and the
CardDAV interop tests (tests/interop/test_carddav_radicale.py)."""

from __future__ import annotations

# Google Contacts, "Export" → vCard (3.0): TYPE= one per parameter, upper case.
GOOGLE = """BEGIN:VCARD
VERSION:3.0
FN:Anna Berg
N:Berg;Anna;;;
EMAIL;TYPE=INTERNET;TYPE=WORK:anna.berg@example.com
TEL;TYPE=CELL:+49 171 2345678
TEL;TYPE=WORK:+49 30 1234567
TEL;TYPE=HOME:030 7654321
TEL;TYPE=WORK;TYPE=FAX:+49 30 1234599
ORG:Berg Bau GmbH
TITLE:Einkauf
item1.URL:http\\://www.example.com
item1.X-ABLabel:
CATEGORIES:myContacts
END:VCARD
""".replace("\n", "\r\n")

# iCloud (Contacts.app export, 3.0): lower-case type=, several type= on one TEL,
# grouped items with X-ABLabel, ORG with a department, a folded base64 photo.
ICLOUD = """BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//iPhone OS 17.1.1//EN
N:Krause;Bernd;;;
FN:Bernd Krause
ORG:Krause & Söhne;Vertrieb
TEL;type=WORK;type=VOICE:030 9876543
TEL;type=CELL;type=VOICE;type=pref:0172 3456789
item1.TEL:+49 40 5550177
item1.X-ABLabel:_$!<Other>!$_
TEL;type=WORK;type=FAX:030 9876544
PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAASABIAAD/4QBMRXhpZgAATU0AKgAAAAgAAYdpAAQ
 AAAABAAAAGgAAAAAAA6ABAAMAAAABAAEAAKACAAQAAAABAAAAAaADAAQAAAABAAAAAQAAAAD/
END:VCARD
""".replace("\n", "\r\n")

# Nextcloud (Sabre VObject, 3.0 as stored by the Contacts app): quoted type lists.
NEXTCLOUD = """BEGIN:VCARD
VERSION:3.0
PRODID:-//Sabre//Sabre VObject 4.4.2//EN
UID:1f3c5e9a-3b2d-4c1e-9f7a-2d4b6c8e0a1b
FN:Eva Roth
ADR;TYPE=HOME:;;Hauptstr. 1;Berlin;;10115;Deutschland
EMAIL;TYPE=HOME:eva@example.org
TEL;TYPE="HOME,VOICE":+49 30 5550199
TEL;TYPE=CELL:+49 160 5550199
TEL;TYPE="WORK,VOICE":+49 30 5550100
N:Roth;Eva;;;
ORG:Roth IT
REV;VALUE=DATE-AND-OR-TIME:20231115T101112Z
END:VCARD
""".replace("\n", "\r\n")

# vCard 4.0 (Nextcloud/Sabre when 4.0 is asked for, DAVx5, Thunderbird): TEL as tel: URIs,
# PREF=1, a tel: extension, escaped comma in ORG, a line folded inside a word.
V4_WEISS = """BEGIN:VCARD
VERSION:4.0
PRODID:-//Sabre//Sabre VObject 4.5.4//EN
UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1
FN:Clara Weiß
N:Weiß;Clara;;;
ORG:Auerswald GmbH\\, Co. KG;Vertrieb
TEL;VALUE=uri;TYPE="work,voice";PREF=1:tel:+49-5306-92000
TEL;VALUE=uri;TYPE=cell:tel:+49-160-5550188
TEL;VALUE=uri;TYPE="home,voice":tel:+49-30-5550111;ext=12
TEL;VALUE=uri;TYPE=fax:tel:+49-5306-92100
NOTE:Ruft meist vormittags an\\; bitte Rückruf über die Zentrale. Dieser Text is
 t lang genug\\, um gefaltet zu werden.
END:VCARD
""".replace("\n", "\r\n")

# Android / Outlook style 2.1: bare types, quoted-printable with a charset, soft breaks.
ANDROID_21 = """BEGIN:VCARD
VERSION:2.1
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;Dieter;;;
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Dieter M=C3=BCller
TEL;CELL:+49 89 5550123
TEL;WORK;VOICE:089 5550100
NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Erste Zeile=0D=0A=
Zweite Zeile mit =C3=A4
END:VCARD
""".replace("\n", "\r\n")

# 3.0 with quoted-printable in Latin-1 (older Outlook exports).
OUTLOOK_QP = """BEGIN:VCARD
VERSION:3.0
N;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Schr=F6der;J=FCrgen
FN;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:J=FCrgen Schr=F6der
ORG:Schröder\\; Partner
TEL;TYPE=WORK,VOICE:+49 (40) 555-0100
TEL;TYPE=PREF,CELL:+49 151 5550100
END:VCARD
""".replace("\n", "\r\n")

# A company only, 4.0, no N (a hotline).
V4_HOTLINE = """BEGIN:VCARD
VERSION:4.0
KIND:org
FN:Support-Hotline
ORG:Parley Support
TEL;VALUE=uri;TYPE=work:tel:+49-800-5550000
END:VCARD
""".replace("\n", "\r\n")


def card(uid: str, fn: str, tel: str, *, version: str = "3.0", tel_type: str = "WORK") -> str:
    """A small card of either version."""
    if version == "4.0":
        line = f'TEL;VALUE=uri;TYPE="{tel_type.lower()}":tel:{tel.replace(" ", "-")}'
    else:
        line = f"TEL;TYPE={tel_type}:{tel}"
    last, _, first = fn.partition(" ")[::-1]
    return (
        f"BEGIN:VCARD\r\nVERSION:{version}\r\nUID:{uid}\r\nFN:{fn}\r\n"
        f"N:{last};{first};;;\r\n{line}\r\nEND:VCARD\r\n"
    )
