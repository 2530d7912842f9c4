"""Report descriptors of telephony headsets, as bytes, with where each comes from."""

# Plantronics Blackwire 3220 Series (USB 047F:C056), interface 3, telephony collection:
# the macOS USB Prober dump kept as test data by libusb/hidapi
# (windows/test/data/047F_C056_0005_000B_real.rpt_desc). Phone Mute is Input 0x06
# (relative: a one-shot), Hook Switch and Flash are Input 0x22 (absolute); every LED has
# its own one-byte output report (Mute 9, Off-Hook 0x17, Ring 0x18, Speaker 0x1E,
# Hold 0x20, On-Line 0x2A).
PLANTRONICS_BLACKWIRE_3220 = bytes.fromhex(
    "050B0905A1018508150025"
    "01092F7501950181060920092175"
    "019502812295058101050885090909950191"
    "2295079101851709179501912295"
    "079101851809189501912295079101"
    "851E091E95019122950791018520092095"
    "0191229507910185 2A092A95019122 95"
    "079101C0".replace(" ", "")
)

# Generic: the telephony device of a CircuitPython boot.py published on GitHub
# (usb_hid.Device with a "Headset" collection): report 1 in = Hook Switch, Phone Mute
# (absolute bits); report 2 out = LEDs Mute, Off-Hook, Ring.
GENERIC_CIRCUITPYTHON = bytes(
    [
        0x05, 0x0B, 0x09, 0x05, 0xA1, 0x01, 0x85, 0x01, 0x25, 0x01, 0x15, 0x00,
        0x09, 0x20, 0x09, 0x2F, 0x75, 0x01, 0x95, 0x02, 0x81, 0x02, 0x95, 0x06,
        0x81, 0x03, 0x85, 0x02, 0x05, 0x08, 0x09, 0x09, 0x09, 0x17, 0x09, 0x18,
        0x95, 0x03, 0x91, 0x02, 0x95, 0x05, 0x91, 0x03, 0xC0,
    ]
)  # fmt: skip

# Jabra (GN, vendor 0x0B0E): NOT a byte dump of a device — none was found in the
# sources searched. The layout follows what is published about Jabra headsets: one
# telephony input report with Hook Switch and Line Busy Tone absolute and Phone Mute a
# relative toggle button (google/libhidtelephony#2 reports a Jabra Evolve2 40's mute as
# "ToggleButton"), Flash and Redial as buttons, and one LED output report with Off-Hook,
# Mute, Ring, Hold and Microphone (Jabra's "USB HID commands" developer notes list
# these usages). It is preceded by a consumer collection, as Jabra devices have one.
JABRA_LAYOUT = bytes(
    [
        # consumer control: volume up/down, report 1
        0x05, 0x0C, 0x09, 0x01, 0xA1, 0x01, 0x85, 0x01, 0x15, 0x00, 0x25, 0x01,
        0x09, 0xE9, 0x09, 0xEA, 0x75, 0x01, 0x95, 0x02, 0x81, 0x02, 0x95, 0x06,
        0x81, 0x01, 0xC0,
        # telephony headset, report 2
        0x05, 0x0B, 0x09, 0x05, 0xA1, 0x01, 0x85, 0x02, 0x15, 0x00, 0x25, 0x01,
        0x75, 0x01, 0x09, 0x20, 0x09, 0x97, 0x95, 0x02, 0x81, 0x22,  # hook, busy: abs
        0x09, 0x2F, 0x95, 0x01, 0x81, 0x06,  # phone mute: relative toggle
        0x09, 0x21, 0x09, 0x24, 0x95, 0x02, 0x81, 0x06,  # flash, redial: one-shot
        0x95, 0x03, 0x81, 0x01,  # padding to a byte
        # LEDs, output report 2
        0x05, 0x08, 0x09, 0x17, 0x09, 0x09, 0x09, 0x18, 0x09, 0x20, 0x09, 0x21,
        0x95, 0x05, 0x91, 0x22, 0x95, 0x03, 0x91, 0x01,
        0xC0,
    ]
)  # fmt: skip
