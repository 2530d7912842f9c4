"""What the settings dialog shows: pages, groups and the settings in them, with labels
and help in our own words (marked with ``N_`` and translated where shown).

Keys are the settings' dotted paths as ``ConfigError`` names them (``media.echo_cancellation``,
``allow_plaintext_passwords``), except that a field of the account being edited is
``account.<field>`` (``ConfigError`` says ``accounts[2].<field>``).

Only settings whose feature exists are listed; the manual's others (LDAP, SRTP, STUN…)
are named in `settings_not_yet`, so that a search for them says they are not there yet. The log settings are shown (Functions page): the
log goes into parley.log in the data folder, read with any text viewer. So is the Contacts page
with its filters "hide contacts without name / phone number": the only contact source is
the local store, which refuses such contacts, so the filters could never hide anything.
They come back with the contact sources (directories, files) that can hold such entries;
`gui.hide_contacts_without_*` stay in the settings file and are still applied to the list.
"""

from __future__ import annotations

from parley.gui.i18n import N_
from parley.gui.settings_account_fields import ACCOUNT_GROUPS, PASSWORD_GROUP
from parley.gui.settings_specs import F, FieldSpec, GroupSpec, PageSpec

# A row not backed by one model field: the manual's "off / instantly / after N seconds"
# for automatic acceptance, made of functions.auto_answer and auto_answer_after.
AUTO_ANSWER_MODE = "functions.auto_answer_mode"

TLS_PROTOCOLS = {"tls1.2+": N_("TLS 1.2 and 1.3"), "tls1.3": N_("TLS 1.3 only")}
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}  # each in its own language
THEMES = {"system": N_("Follow the system"), "light": N_("Light"), "dark": N_("Dark")}
TONE_REGIONS = {"europe": N_("Europe"), "north_america": N_("North America")}
REJECT_WITH = {"busy": N_("Busy (486)"), "decline": N_("Decline (603)")}
FORWARDING = {
    "off": N_("Off"),
    "instant": N_("Instantly"),
    "delayed": N_("After a number of seconds"),
}
AUTO_ANSWER_MODES = {
    "off": N_("Off"),
    "instant": N_("Instantly"),
    "delayed": N_("After a number of seconds"),
}
TRANSFER_REQUESTS = {
    "accept": N_("Always accept"),
    "reject": N_("Always reject"),
    "ask": N_("Ask me"),
}
MUSIC_ON_HOLD = {
    "off": N_("Off (silence)"),
    "builtin": N_("Built-in melody"),
    "file": N_("A sound file"),
}
HEADSETS = {
    "none": N_("None"),
    "any": N_("Any standard USB device"),
    "jabra": N_("Jabra device"),
    "plantronics": N_("Plantronics (Poly) device"),
    "sennheiser": N_("Sennheiser (EPOS) device"),
}
RECORDING_CHANNELS = {
    "mono": N_("Mono (both sides mixed)"),
    "stereo": N_("Stereo (you left, the other side right)"),
}
LOG_LEVELS = {
    "debug": N_("Debug: everything"),
    "info": N_("Information"),
    "warning": N_("Warnings and errors"),
    "error": N_("Errors only"),
}

# The manual's eight presence states (values as in the settings file).
PRESENCE_STATES = {
    "online": N_("Online"),
    "invisible": N_("Invisible"),
    "away": N_("Away"),
    "busy": N_("Busy"),
    "offline": N_("Offline"),
    "lunch": N_("Lunch break"),
    "on-the-phone": N_("On the phone"),
    "brb": N_("Briefly absent"),
}


# Settings in the model that the dialog must not offer (see the module docstring), also
# not in the generic "other" group. `gui.hidden_sources` is chosen where it acts: the
# contact list's menu "Show contacts from" (gui/source_display.py).
LEFT_OUT = frozenset(
    {"gui.hide_contacts_without_name", "gui.hide_contacts_without_number", "gui.hidden_sources"}
)

# --- keyboard shortcuts (issue #13, KEYS; gui/shortcuts.py uses them) ---------------
KEYBOARD_GROUP = GroupSpec(
    N_("Keyboard"),
    (
        F("gui.key_answer", N_("Answer a call"), N_("Works while a call rings."), kind="key"),
        F("gui.key_decline", N_("Reject a call"), N_("Works while a call rings."), kind="key"),
        F("gui.key_hangup", N_("Hang up"), N_("Ends the current call."), kind="key"),
        F("gui.key_mute", N_("Mute"), N_("Switches the microphone off and on."), kind="key"),
        F("gui.key_hold", N_("Hold"), N_("Holds the current call or resumes it."), kind="key"),
        F(
            "gui.global_hotkeys",
            N_("Global hotkeys"),
            N_("Answer and hang up while another program is in front (X11 only)."),
        ),
        F(
            "gui.global_key_answer",
            N_("Answer (global)"),
            N_("Works in every program."),
            kind="key",
        ),
        F(
            "gui.global_key_hangup",
            N_("Hang up (global)"),
            N_("Works in every program."),
            kind="key",
        ),
    ),
)

PAGES: tuple[PageSpec, ...] = (
    PageSpec("accounts", N_("Accounts"), (PASSWORD_GROUP,)),
    PageSpec(
        "media",
        N_("Media"),
        (
            GroupSpec(
                N_("Device settings"),
                (
                    F(
                        "media.input_device",
                        N_("Input device (default)"),
                        N_("Microphone used for calls."),
                        kind="input-device",
                    ),
                    F(
                        "media.output_device",
                        N_("Output device (default)"),
                        N_("Speaker or headset used for calls."),
                        kind="output-device",
                    ),
                    F(
                        "media.speaker_input_device",
                        N_("Input device (hands-free)"),
                        N_("Microphone used in hands-free mode."),
                        kind="input-device",
                    ),
                    F(
                        "media.speaker_output_device",
                        N_("Output device (hands-free)"),
                        N_("Loudspeaker used in hands-free mode."),
                        kind="output-device",
                    ),
                    F(
                        "media.ring_device",
                        N_("Ringing device"),
                        N_("Where incoming calls ring."),
                        kind="output-device",
                    ),
                    F(
                        "media.auto_select_device",
                        N_("Automatic microphone selection"),
                        N_(
                            "A headset or microphone you plug in is used at once, in the running call too; when it goes away the devices above are used again."
                        ),
                    ),
                    F(
                        "media.ringtone",
                        N_("Ringtone"),
                        N_("A WAV file to ring with; empty uses the built-in ringtone."),
                        kind="path",
                    ),
                    F(
                        "media.echo_cancellation",
                        N_("Echo cancellation"),
                        N_(
                            "Removes the echo of your speaker from your microphone. Leave it on unless your phone does this itself."
                        ),
                    ),
                    F(
                        "media.auto_gain_control",
                        N_("Automatic gain control"),
                        N_(
                            "Keeps your voice at the same volume however far you are from the microphone."
                        ),
                    ),
                    F(
                        "media.noise_suppression",
                        N_("Noise suppression"),
                        N_("Removes steady background noise."),
                    ),
                ),
            ),
            GroupSpec(
                N_("Volume"),
                (
                    F(
                        "gui.speaker_volume",
                        N_("Speaker volume"),
                        N_("Volume of the far party's voice."),
                        kind="percent",
                    ),
                    F(
                        "gui.microphone_volume",
                        N_("Microphone level"),
                        N_("Level of your voice as the far party hears it."),
                        kind="percent",
                    ),
                ),
            ),
            GroupSpec(
                N_("More functions"),
                (
                    F(
                        "media.early_media_mute",
                        N_("Mute early media (outgoing calls)"),
                        N_(
                            "Do not play announcements or network ringing before the call is answered."
                        ),
                    ),
                    F(
                        "media.call_waiting",
                        N_("Call waiting"),
                        N_("Signal a second call during a call; when off, the caller hears busy."),
                    ),
                    F(
                        "media.ring_also_pc_speaker",
                        N_("Also ring through the PC speaker"),
                        N_(
                            "Ring also on the hands-free loudspeaker and the default output, "
                            "not only on the ringing device: you hear calls with the headset off."
                        ),
                    ),
                    F(
                        "media.disable_dtmf_sounds",
                        N_("No key tones during calls"),
                        N_(
                            "No local DTMF tone when you press a key during a call; the keys are still sent."
                        ),
                    ),
                    F(
                        "media.tone_region",
                        N_("Dial and busy tones"),
                        N_("Which country's ringing and busy tones are played."),
                        choices=TONE_REGIONS,
                    ),
                ),
            ),
            GroupSpec(
                N_("Headset"),
                (
                    F(
                        "media.headset",
                        N_("External headset or device"),
                        N_(
                            "A USB headset's call button answers and ends calls, its mute "
                            "button mutes, and its lights show ringing, the call and mute."
                        ),
                        choices=HEADSETS,
                    ),
                ),
            ),
            GroupSpec(
                N_("Music on hold"),
                (
                    F(
                        "media.music_on_hold",
                        N_("Music on hold"),
                        N_("What the people you put on hold hear."),
                        choices=MUSIC_ON_HOLD,
                    ),
                    F(
                        "media.music_on_hold_file",
                        N_("Music file"),
                        N_("A WAV file, played in a loop."),
                        kind="wav",
                    ),
                ),
            ),
            GroupSpec(
                N_("Network"),
                (
                    F(
                        "media.rtp_port_min",
                        N_("Lowest RTP port"),
                        N_("Audio uses ports from this range."),
                    ),
                    F(
                        "media.rtp_port_max",
                        N_("Highest RTP port"),
                        N_("Audio uses ports from this range."),
                    ),
                    F(
                        "media.symmetric_rtp",
                        N_("Symmetric RTP"),
                        N_(
                            "Send audio to where the far end's audio comes from; helps through NAT."
                        ),
                    ),
                ),
            ),
        ),
    ),
    PageSpec(
        "gui",
        N_("GUI"),
        (
            GroupSpec(
                N_("Appearance"),
                (
                    F(
                        "gui.language",
                        N_("Language"),
                        N_("Takes effect when Parley is started again."),
                        choices=LANGUAGE_NAMES,
                    ),
                    F(
                        "gui.theme",
                        N_("Theme"),
                        N_("Light or dark colours, or those of the desktop."),
                        choices=THEMES,
                    ),
                    F(
                        "gui.compact_mode",
                        N_("Compact mode"),
                        N_("Show only the main window; the call window opens for calls only."),
                    ),
                    F(
                        "gui.hide_avatars",
                        N_("Hide pictures and initials"),
                        N_("Contacts and calls show no avatar: no picture and no initials."),
                    ),
                ),
            ),
            GroupSpec(
                N_("Behaviour"),
                (
                    F(
                        "gui.start_minimised",
                        N_("Start minimised"),
                        N_("Parley starts with its window minimised."),
                    ),
                    F(
                        "gui.always_on_top",
                        N_("Always on top"),
                        N_("The window stays above all other windows."),
                    ),
                    F(
                        "gui.minimise_to_tray",
                        N_("Minimise to tray"),
                        N_("Minimising hides the window in the notification area."),
                    ),
                    F(
                        "gui.minimise_on_close",
                        N_("Minimise on close"),
                        N_("Closing the window keeps Parley running; quit from the tray menu."),
                    ),
                    F(
                        "gui.collapse_on_hangup",
                        N_("Close the call window after hanging up"),
                        N_("Close the call window when the last call ends."),
                    ),
                    F(
                        "gui.activate_on_incoming_call",
                        N_("Bring the window to the front on a call"),
                        N_("Bring the window to the front when a call comes in."),
                    ),
                    F(
                        "gui.flash_on_incoming_call",
                        N_("Flash the window on a call"),
                        N_("The window flashes in the task bar when a call comes in."),
                    ),
                    F(
                        "gui.activate_on_message",
                        N_("Bring the window to the front on a message"),
                        N_("Bring the window to the front when an instant message arrives."),
                    ),
                    F(
                        "gui.flash_on_message",
                        N_("Flash the window on a message"),
                        N_("The window flashes in the task bar when an instant message arrives."),
                    ),
                ),
            ),
            GroupSpec(
                N_("Pop-up notifications"),
                (
                    F(
                        "gui.notify_incoming_calls",
                        N_("For incoming calls"),
                        N_("Show a notification when a call comes in."),
                    ),
                    F(
                        "gui.notify_contact_online",
                        N_("When a contact goes online"),
                        N_("Show a notification when a contact you watch comes online."),
                    ),
                    F(
                        "gui.notify_message",
                        N_("For new messages"),
                        N_("Show a notification when an instant message arrives."),
                    ),
                    F(
                        "gui.notify_voicemail",
                        N_("For new voice messages"),
                        N_("Show a notification when a new voice message arrives."),
                    ),
                    F(
                        "gui.notify_network_change",
                        N_("When the network status has changed"),
                        N_("Show a notification when the network changes or is gone."),
                    ),
                    F(
                        "gui.notify_audio_device",
                        N_("When an audio device is connected or disconnected"),
                        N_(
                            "Show a notification when a headset or other sound device is plugged in or goes away."
                        ),
                    ),
                ),
            ),
            KEYBOARD_GROUP,
            GroupSpec(
                N_("Sounds"),
                (
                    F(
                        "gui.message_sound",
                        N_("Sound for a new message"),
                        N_("Play a sound when an instant message arrives."),
                    ),
                    F(
                        "gui.voicemail_sound",
                        N_("Sound for a new voice message"),
                        N_("Play a sound when a new voice message arrives."),
                    ),
                ),
            ),
        ),
    ),
    PageSpec(
        "functions",
        N_("Functions"),
        (
            GroupSpec(
                N_("Calls"),
                (
                    F(
                        "functions.reject_with",
                        N_("Reject calls with"),
                        N_("What the caller is told when you reject a call."),
                        choices=REJECT_WITH,
                    ),
                    F(
                        "functions.allow_direct_calls",
                        N_("Allow direct IP calls"),
                        N_(
                            "Accept calls that do not come through your PBX. Off keeps out calls from SIP scanners."
                        ),
                    ),
                ),
            ),
            GroupSpec(
                N_("Provisioning"),
                (
                    F(
                        "provisioning.url",
                        N_("Provisioning URL"),
                        N_("Where Parley fetches its settings from (https://…)."),
                    ),
                    F(
                        "provisioning.username",
                        N_("Provisioning user name"),
                        N_("Usually your SIP user name."),
                    ),
                    F(
                        "provisioning.remember",
                        N_("Remember me"),
                        N_("Keep the provisioning password in the keyring."),
                    ),
                    F(
                        "provisioning.auto",
                        N_("Provision at every start"),
                        N_("Fetch the settings again each time Parley starts."),
                    ),
                    F(
                        "provisioning.interval_minutes",
                        N_("Provision again every (minutes)"),
                        N_("0: only at start."),
                        zero_text=N_("only at start"),
                    ),
                ),
            ),
            GroupSpec(
                N_("Automation"),
                (
                    F(
                        "automation.start_with_os",
                        N_("Start Parley with the operating system"),
                        N_("Parley starts when you log in."),
                    ),
                    F(
                        "automation.register_uri_handlers",
                        N_("Open callto, SIP and tel links with Parley"),
                        N_(
                            "Links such as sip:1002@pbx or tel:+49301234567 on web pages and in "
                            "other programs are dialled by Parley (Linux and Windows; on macOS "
                            "the installed app declares them)."
                        ),
                    ),
                    F(
                        "automation.control_api",
                        N_("Local control API"),
                        N_(
                            "Programs of your user (a CRM, a CTI tool) can dial, answer and "
                            "follow calls over a connection on this computer; the port and "
                            "the token are in control.json beside the settings file."
                        ),
                    ),
                    F(
                        "automation.control_port",
                        N_("Control API port"),
                        N_("0: a free port, chosen at each start."),
                    ),
                    F(
                        "automation.check_updates",
                        N_("Check for updates"),
                        N_(
                            "Once a day Parley looks whether a newer version exists and says "
                            "so in the status bar. Nothing is installed by itself."
                        ),
                    ),
                    F(
                        "automation.update_feed",
                        N_("Update feed"),
                        N_(
                            "Where the newest version is read (the package index's JSON, or "
                            "your organisation's copy of it)."
                        ),
                    ),
                ),
            ),
            GroupSpec(
                N_("Presence"),
                (
                    F(
                        "functions.presence",
                        N_("Presence state"),
                        N_("Your state as others see it; also chosen in the status bar."),
                        choices=PRESENCE_STATES,
                    ),
                    F(
                        "functions.presence_note",
                        N_("Presence note"),
                        N_("A short note shown with your state, e.g. back at 2 pm."),
                    ),
                    F(
                        "functions.presence_on_the_phone",
                        N_("Show “On the phone” during calls"),
                        N_(
                            "While a call is active others see 'On the phone'; afterwards your "
                            "chosen state again (not when you are invisible or offline)."
                        ),
                    ),
                    F(
                        "functions.auto_reject_presence",
                        N_("Reject calls automatically in these states"),
                        N_(
                            "Incoming calls are rejected automatically while your presence state "
                            "is one of those ticked."
                        ),
                        kind="states",
                        choices=PRESENCE_STATES,
                    ),
                ),
            ),
            GroupSpec(
                N_("Call forwarding"),
                (
                    F(
                        "functions.forwarding",
                        N_("Forward calls"),
                        N_(
                            "Redirect incoming calls to another number, at once or when you do not answer."
                        ),
                        choices=FORWARDING,
                    ),
                    F(
                        "functions.forward_to",
                        N_("Forward to"),
                        N_("A number or a SIP address."),
                    ),
                    F(
                        "functions.forward_after",
                        N_("Forward after (seconds)"),
                        N_("How long a call rings before it is forwarded (1 to 600 seconds)."),
                    ),
                ),
            ),
            GroupSpec(
                N_("Automatic call acceptance"),
                (
                    F(
                        AUTO_ANSWER_MODE,
                        N_("Accept calls automatically"),
                        N_(
                            "Answer incoming calls by themselves. Never while another call is "
                            "active, unless call waiting is on: then that call is held first."
                        ),
                        choices=AUTO_ANSWER_MODES,
                    ),
                    F(
                        "functions.auto_answer_after",
                        N_("Accept after (seconds)"),
                        N_("How long a call rings before it is answered automatically."),
                    ),
                    F(
                        "functions.auto_answer_sound",
                        N_("Play a sound on automatic acceptance"),
                        N_("A short sound tells you that a call was answered by itself."),
                    ),
                    F(
                        "functions.keep_after_restart",
                        N_("Keep forwarding and automatic acceptance after a restart"),
                        N_(
                            "Keep call forwarding and automatic acceptance when Parley starts "
                            "again; off: both start switched off."
                        ),
                    ),
                ),
            ),
            GroupSpec(
                N_("Transfers"),
                (
                    F(
                        "functions.transfer_requests",
                        N_("Transfer requests"),
                        N_("What to do when the other side asks you to call somebody else."),
                        choices=TRANSFER_REQUESTS,
                    ),
                    F(
                        "functions.follow_redirects",
                        N_("Follow redirections"),
                        N_("When a called party forwards your call elsewhere, call there."),
                    ),
                ),
            ),
            GroupSpec(
                N_("Recording"),
                (
                    F(
                        "functions.record_all_calls",
                        N_("Record all calls"),
                        N_("Every call is recorded from its start. Tell the other side."),
                    ),
                    F(
                        "functions.recording_dir",
                        N_("Recording folder"),
                        N_(
                            "Where recordings go; empty: the recordings folder in Parley's data folder."
                        ),
                        kind="folder",
                    ),
                    F(
                        "functions.recording_name",
                        N_("File name pattern"),
                        N_(
                            "Fields in braces: {DNID} called number, {name} contact, {number}, "
                            "{account}, {YYYY} {MM} {DD} {hh} {NN} {ss} date and time, "
                            "{recording_part} part; .wav is added."
                        ),
                    ),
                    F(
                        "functions.recording_channels",
                        N_("Channels"),
                        N_("Both sides mixed into one channel, or each side on its own."),
                        choices=RECORDING_CHANNELS,
                    ),
                ),
            ),
            GroupSpec(
                N_("Trouble-shooting"),
                (
                    F(
                        "log.sip_trace",
                        N_("SIP trace"),
                        N_(
                            "Write every SIP message sent and received into the log, the file "
                            "parley.log in Parley's data folder."
                        ),
                    ),
                    F(
                        "log.log_level",
                        N_("Log level"),
                        N_("The least important messages written into the log."),
                        choices=LOG_LEVELS,
                    ),
                ),
            ),
            GroupSpec(
                N_("Global STUN"),
                (
                    F("stun.enabled", N_("Use a global STUN server")),
                    F("stun.server", N_("STUN server"), N_("Host name or IP address.")),
                    F("stun.port", N_("STUN port")),
                    F(
                        "stun.refresh",
                        N_("STUN refresh period (seconds)"),
                        N_(
                            "How often the address is asked again, which keeps the router's "
                            "entry open."
                        ),
                        zero_text=N_("only once"),
                    ),
                ),
            ),
            GroupSpec(
                N_("TLS"),
                (
                    F("tls.protocols", N_("Protocol suite"), choices=TLS_PROTOCOLS),
                    F(
                        "tls.strong_ciphers_only",
                        N_("Use only strong ciphers"),
                        N_("Only suites with forward secrecy and authenticated encryption."),
                    ),
                    F(
                        "tls.disable_verification",
                        N_("Disable certificate verification"),
                        N_("On every TLS account anyone on the way could then listen in."),
                    ),
                    F(
                        "tls.domain_certificate",
                        N_("Domain certificate"),
                        N_("PEM file trusted for every TLS account."),
                        kind="path",
                    ),
                ),
            ),
            GroupSpec(
                N_("Advanced"),
                (
                    F(
                        "sip.t1",
                        N_("SIP timer T1 (seconds)"),
                        N_(
                            "Round-trip estimate that paces retransmissions; takes effect at the next start."
                        ),
                    ),
                    F(
                        "sip.t2",
                        N_("SIP timer T2 (seconds)"),
                        N_("Longest gap between retransmissions; takes effect at the next start."),
                    ),
                    F(
                        "sip.t4",
                        N_("SIP timer T4 (seconds)"),
                        N_(
                            "How long a message may linger in the network; takes effect at the next start."
                        ),
                    ),
                ),
            ),
        ),
    ),
)

# Shown for a GuiSettings field that no table above names yet (added by another part
# of the app): its humanised name, on the GUI page under "Other".
OTHER_GROUP_TITLE = N_("Other")

RESTART_NAMES = {"accounts.listen": N_("the SIP listening port")}


def all_specs() -> list[FieldSpec]:
    """Every field the dialog knows, account fields included."""
    out = [f for g in ACCOUNT_GROUPS for f in g.fields]
    out += [f for p in PAGES for g in p.groups for f in g.fields]
    return out


def spec_for(key: str) -> FieldSpec | None:
    return next((s for s in all_specs() if s.key == key), None)
