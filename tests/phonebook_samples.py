"""Phone books as PBXs and desk phones write them (their manuals' examples and real
exports), shared by the unit tests and the HTTP interop tests of the XML phone book source."""

from __future__ import annotations

YEALINK_REMOTE = """<?xml version="1.0" encoding="UTF-8"?>
<YealinkIPPhoneDirectory>
  <Title>Auerswald Telefonbuch</Title>
  <DirectoryEntry>
    <Name>Müller, Jürgen</Name>
    <Telephone>+49 5306 9200-0</Telephone>
    <Telephone>0171 2345678</Telephone>
  </DirectoryEntry>
  <DirectoryEntry>
    <Name>Empfang</Name>
    <Telephone>200</Telephone>
  </DirectoryEntry>
  <DirectoryEntry>
    <Name></Name>
    <Telephone></Telephone>
  </DirectoryEntry>
</YealinkIPPhoneDirectory>
""".encode()

YEALINK_LOCAL = b"""<?xml version="1.0" encoding="UTF-8"?>
<root_group>
<group display_name="Friend" ring="Auto"/>
<group display_name="Family" ring="Resource:Ring1.wav"/>
</root_group>
<root_contact>
<contact display_name="John" office_number="1001" mobile_number="12345678910" other_number="" line="0" ring="Auto" group_id_name="All Contacts"/>
<contact display_name="Alice" office_number="1002" mobile_number="" other_number="+44 20 7946 0000" line="0" ring="Resource:Ring2.wav" group_id_name="Friend"/>
</root_contact>
"""

YEALINK_LOCAL_GROUP_ROOT = b"""<?xml version="1.0" encoding="UTF-8"?>
<root_group>
  <contact display_name="Hurrell &amp; Mclean" office_number="030 1234" mobile_number="" other_number=""/>
</root_group>
"""

YEALINK_MENU = b"""<?xml version="1.0" encoding="UTF-8"?>
<YealinkIPPhoneBook>
<Title>Yealink</Title>
<Menu Name="Kunden">
<Unit Name="Weber Dennis" Phone1="0511 1234" Phone2="0151 12727388" Phone3="" default_photo="Resource:"/>
<Unit Name="Kirsch Wolfgang" Phone1="0791509\xe2\x80\x93326" Phone2="" Phone3=""/>
</Menu>
<Menu Name="Mitarbeiter">
<Unit Name="Schur Marcus" Phone1="" Phone2="" Phone3="01722515261"/>
</Menu>
</YealinkIPPhoneBook>
"""

CISCO = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<CiscoIPPhoneDirectory>
  <Title>Corporate Directory</Title>
  <Prompt>Select an entry</Prompt>
  <DirectoryEntry>
    <Name>Andr\xe9 Dupont</Name>
    <Telephone>5001</Telephone>
  </DirectoryEntry>
  <DirectoryEntry>
    <Name>Helpdesk</Name>
    <Telephone>sip:helpdesk@pbx.example.com</Telephone>
  </DirectoryEntry>
</CiscoIPPhoneDirectory>
"""

SNOM_TBOOK = b"""<?xml version="1.0" encoding="utf-8"?>
<tbook complete="true" e="2">
  <item context="line1" type="none" index="0">
    <name>Adrian</name>
    <number>42965</number>
  </item>
  <item context="active" type="colleagues" index="1">
    <first_name>Roland</first_name>
    <last_name>Kr\xc3\xa4mer</last_name>
    <organization>MSW</organization>
    <number>+49 30 16424</number>
    <number_type>mobile</number_type>
  </item>
  <item context="line1" type="friends" index="2">
    <name>Nobody</name>
    <number>call me maybe</number>
  </item>
</tbook>
"""

SNOM_TBOOK_V2_IN_SETTINGS = b"""<?xml version="1.0" encoding="utf-8"?>
<settings>
  <phone-settings/>
  <tbook complete="true" e="2" version="2.0">
    <contact fav="true" vip="true" blocked="false">
      <first_name>Anne</first_name>
      <last_name>Meyer</last_name>
      <title>Dr</title>
      <organization>MSW</organization>
      <numbers>
        <number no="444" type="business" outgoing_id="0"/>
        <number no="0172 445" type="mobile" outgoing_id="0"/>
        <number no="446" type="fax" outgoing_id="0"/>
      </numbers>
    </contact>
    <contact fav="false" vip="false" blocked="true">
      <first_name>Paul</first_name>
      <last_name>Meyer</last_name>
      <numbers>
        <number no="334" type="home" outgoing_id="0"></number>
        <number no="335" type="sip" outgoing_id="0"/>
      </numbers>
    </contact>
  </tbook>
</settings>
"""

SNOM_DIRECTORY = b"""<?xml version="1.0" encoding="UTF-8"?>
<SnomIPPhoneDirectory>
  <DirectoryEntry><Name>John Doe</Name><Telephone>123</Telephone><Office>345</Office><Mobile>0170 123</Mobile></DirectoryEntry>
</SnomIPPhoneDirectory>
"""

FANVIL_DIRECTORY = b"""<?xml version="1.0" encoding="utf-8"?>
<FanvilIPPhoneDirectory clearlight="true">
  <DirectoryEntry>
    <Name>Lager + Versand</Name>
    <Mobile>0160 5550101</Mobile>
    <Telephone>0341 55501</Telephone>
    <Other>0341 55502</Other>
  </DirectoryEntry>
</FanvilIPPhoneDirectory>
"""

FANVIL_PHONEBOOK = b"""<?xml version="1.0" encoding="UTF-8"?>
<PhoneBook>
  <DirectoryEntry><Name>Zentrale</Name><Telephone>0</Telephone><Mobile></Mobile><Other></Other></DirectoryEntry>
</PhoneBook>
"""

GRANDSTREAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<AddressBook>
  <version>1</version>
  <pbgroup><id>1</id><name>Sales</name></pbgroup>
  <Contact>
    <LastName>Doe</LastName>
    <FirstName>John</FirstName>
    <Company>Acme GmbH</Company>
    <Phone type="Work">
      <phonenumber>+49 89 1234-0</phonenumber>
      <accountindex>1</accountindex>
    </Phone>
    <Phone type="Mobile">
      <phonenumber>0171 9876543</phonenumber>
      <accountindex>1</accountindex>
    </Phone>
    <Phone type="Fax"><phonenumber>+49 89 1234-99</phonenumber><accountindex>1</accountindex></Phone>
    <Mail type="Work">john@example.com</Mail>
    <Group>1</Group>
  </Contact>
  <Contact>
    <FirstName>Ringo</FirstName>
    <Phone><phonenumber>4711</phonenumber><accountindex>0</accountindex></Phone>
  </Contact>
  <Contact>
    <LastName>Nowak</LastName>
    <Phone type="Home"><phonenumber>456456456</phonenumber></Phone>
  </Contact>
</AddressBook>
"""

POLYCOM = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<directory>
  <item_list>
    <item><ln>Doe</ln><fn>John</fn><ct>1001</ct><sd>1</sd><rt>1</rt><dc/><ad>0</ad></item>
    <item><ln>Smith</ln><fn>Bill</fn><ct>1003</ct><sd>3</sd></item>
  </item_list>
</directory>
"""


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<YealinkIPPhoneDirectory><DirectoryEntry><Name>&lol9;</Name><Telephone>1</Telephone>
</DirectoryEntry></YealinkIPPhoneDirectory>
"""


# Every format with the contacts it holds (name, numbers), for tests over the wire.
FORMATS: dict[str, bytes] = {
    "yealink": YEALINK_REMOTE,
    "yealink-local": YEALINK_LOCAL,
    "yealink-menu": YEALINK_MENU,
    "cisco": CISCO,
    "snom": SNOM_TBOOK,
    "snom-v2": SNOM_TBOOK_V2_IN_SETTINGS,
    "snom-directory": SNOM_DIRECTORY,
    "fanvil": FANVIL_DIRECTORY,
    "fanvil-phonebook": FANVIL_PHONEBOOK,
    "grandstream": GRANDSTREAM,
    "polycom": POLYCOM,
}
