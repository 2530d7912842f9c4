"""German for Functions › Headset (issue #12)."""

STRINGS: dict[str, str] = {
    "Headset": "Headset",
    "External headset or device": "Externes Headset oder Gerät",
    "A USB headset's call button answers and ends calls, its mute button mutes, and its "
    "lights show ringing, the call and mute.": (
        "Die Gesprächstaste eines USB-Headsets nimmt Anrufe an und beendet sie, die "
        "Stummtaste schaltet stumm, und seine Leuchten zeigen Klingeln, Gespräch und "
        "Stummschaltung."
    ),
    "None": "Keines",
    "Any standard USB device": "Beliebiges Standard-USB-Gerät",
    "Jabra device": "Jabra-Gerät",
    "Plantronics (Poly) device": "Plantronics-Gerät (Poly)",
    "Sennheiser (EPOS) device": "Sennheiser-Gerät (EPOS)",
}
