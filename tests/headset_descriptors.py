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

# Jabra Speak 510 (USB 0B0E:0422). The REPORT STREAM is recorded: the WebHID driver of
# inspired-futures/jabra-speak-webhid (docs/jabra-speak-510.js) reads telephony input
# report 3 as two bytes, 0x01 = off hook ("active"), 0x00 = on hook ("idle"), 0x08 / 0x09
# = mute pressed (on / off hook), and sets the lights with one-byte output report 3:
# 0x01 off hook, 0x05 off hook + mute, 0x09 off hook + hold, 0x00 all off. The
# DESCRIPTOR BYTES are not a dump (none was found in the sources searched): they are
# rebuilt to give exactly that layout, with the telephony usages in the order a
# headset dongle documents for the same two-byte report (Hook Switch, Line Busy Tone,
# Line, Phone Mute, Flash, Redial, Speed Dial, Button 7 "reject", 8 bits reserved) and
# LEDs Off-Hook, Ring, Mute, Hold. Hook Switch is absolute; Phone Mute is a relative
# toggle button, as google/libhidtelephony#2 reports for a Jabra Evolve2 40. A consumer
# collection (volume, report 1) comes first, as on Jabra's speakerphones.
JABRA_SPEAK_510 = bytes(
    [
        # consumer control: volume down/up, report 1
        0x05, 0x0C, 0x09, 0x01, 0xA1, 0x01, 0x85, 0x01, 0x15, 0x00, 0x25, 0x01,
        0x09, 0xEA, 0x09, 0xE9, 0x75, 0x01, 0x95, 0x02, 0x81, 0x02, 0x95, 0x06,
        0x81, 0x01, 0xC0,
        # telephony headset, report 3
        0x05, 0x0B, 0x09, 0x05, 0xA1, 0x01, 0x85, 0x03, 0x15, 0x00, 0x25, 0x01,
        0x75, 0x01, 0x09, 0x20, 0x09, 0x97, 0x09, 0x2A, 0x95, 0x03, 0x81, 0x22,
        0x09, 0x2F, 0x95, 0x01, 0x81, 0x06,  # phone mute: relative toggle button
        0x09, 0x21, 0x09, 0x24, 0x09, 0x50, 0x95, 0x03, 0x81, 0x06,  # flash, redial, speed
        0x05, 0x09, 0x09, 0x07, 0x95, 0x01, 0x81, 0x06,  # button 7: reject
        0x95, 0x08, 0x81, 0x01,  # reserved
        # LEDs, output report 3
        0x05, 0x08, 0x09, 0x17, 0x09, 0x18, 0x09, 0x09, 0x09, 0x20,
        0x95, 0x04, 0x91, 0x22, 0x95, 0x04, 0x91, 0x01,
        0xC0,
    ]
)  # fmt: skip
