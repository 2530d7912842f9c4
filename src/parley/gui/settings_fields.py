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

from dataclasses import dataclass, field

from parley.gui.i18n import N_


@dataclass(frozen=True)
class FieldSpec:
    """One setting row. ``kind`` overrides the editor chosen from the model's type:
    "input-device", "output-device", "codecs", "password", "path", "percent".
    ``zero_text`` is what a number field shows for 0 when 0 means something else
    ("automatic", "off"); the value stays 0."""

    key: str
    label: str
    help: str = ""
    kind: str = "auto"
    choices: dict[str, str] = field(default_factory=dict)
    zero_text: str = ""


@dataclass(frozen=True)
class GroupSpec:
    title: str
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class PageSpec:
    name: str
    title: str
    groups: tuple[GroupSpec, ...]


F = FieldSpec

# A row not backed by one model field: the manual's "off / instantly / after N seconds"
# for automatic acceptance, made of functions.auto_answer and auto_answer_after.
AUTO_ANSWER_MODE = "functions.auto_answer_mode"

TRANSPORTS = {
    "udp": N_("UDP"),
    "tcp": N_("TCP"),
    "tls": N_("TLS (encrypted)"),
    "auto": N_("Automatic (from DNS)"),
}
DTMF_MODES = {
    "rfc4733": N_("RTP events (RFC 4733)"),
    "info": N_("SIP INFO"),
    "inband": N_("Tones in the audio (in-band)"),
}
SRTP_MODES = {
    "off": N_("Off"),
    "optional": N_("Optional"),
    "mandatory": N_("Mandatory"),
}
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

ACCOUNT_GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec(
        N_("SIP credentials"),
        (
            F(
                "account.name",
                N_("Account name"),
                N_("Short name of the account; it cannot be changed once the account exists."),
            ),
            F(
                "account.domain",
                N_("Domain"),
                N_("SIP domain or PBX address, e.g. pbx.example.com or 192.0.2.10:5060."),
            ),
            F("account.username", N_("User name"), N_("Your extension or SIP user name.")),
            F(
                "account.password",
                N_("Password"),
                N_("Leave empty to keep the stored password."),
                kind="password",
            ),
            F(
                "account.auth_username",
                N_("Authentication user name"),
                N_(
                    "Only when the PBX wants a different name for the login; empty means the user name."
                ),
            ),
            F(
                "account.display_name",
                N_("Display name"),
                N_("Your name as the people you call see it."),
            ),
            F(
                "account.caller_id",
                N_("Caller ID"),
                N_("Number the PBX should show to the people you call (it may ignore it)."),
            ),
        ),
    ),
    GroupSpec(
        N_("Server and transport"),
        (
            F(
                "account.transport",
                N_("Transport"),
                N_("How SIP messages travel to the server."),
                choices=TRANSPORTS,
            ),
            F(
                "account.outbound_proxy",
                N_("Outbound proxy"),
                N_("Send everything through this proxy; leave empty unless the PBX needs it."),
            ),
            F(
                "account.local_port",
                N_("Local SIP port"),
                N_("Automatic: a free port above 32000 is picked at every start."),
                zero_text=N_("automatic"),
            ),
            F(
                "account.dns_servers",
                N_("DNS servers"),
                N_(
                    "Servers for looking up the domain, separated by commas; empty uses the system's."
                ),
            ),
        ),
    ),
    GroupSpec(
        N_("Registration"),
        (
            F(
                "account.enabled",
                N_("Use this account"),
                N_("A disabled account is kept but not used."),
            ),
            F(
                "account.register_on_startup",
                N_("Register at start-up"),
                N_("Register as soon as Parley starts."),
            ),
            F(
                "account.expires",
                N_("Registration interval (seconds)"),
                N_("How long a registration lasts before Parley renews it."),
            ),
            F(
                "account.retry_interval",
                N_("Retry after failure (seconds)"),
                N_(
                    "Wait before trying again after a failed registration; doubles with every further failure."
                ),
            ),
            F(
                "account.retry_max_interval",
                N_("Longest retry wait (seconds)"),
                N_("The wait between retries never grows beyond this."),
            ),
        ),
    ),
    GroupSpec(
        N_("NAT"),
        (
            F(
                "account.keepalive_interval",
                N_("Keep-alive interval (seconds)"),
                N_("Keeps the router's NAT entry open; 0 switches keep-alives off."),
                zero_text=N_("off"),
            ),
            F(
                "account.rport",
                N_("Use the address the server sees (rport)"),
                N_("Ask the server to answer to the address and port it received from."),
            ),
            F(
                "account.rport_media",
                N_("Use that address for audio too (rport media)"),
                N_(
                    "Put the address the server sees into the call's audio description; "
                    "only for NAT set-ups where audio gets lost otherwise."
                ),
            ),
        ),
    ),
    GroupSpec(
        N_("TLS"),
        (
            F(
                "account.verify_tls",
                N_("Check the server certificate"),
                N_("Switching this off lets anyone on the way listen in."),
            ),
            F(
                "account.ca_file",
                N_("CA certificates file"),
                N_("PEM file with the certificates to trust; empty uses the system's."),
                kind="path",
            ),
            F(
                "account.tls_server_name",
                N_("Override domain name"),
                N_("Name to check the server certificate against when it differs from the domain."),
            ),
        ),
    ),
    GroupSpec(
        N_("Encryption"),
        (
            F(
                "account.srtp",
                N_("SRTP key negotiation (SDES)"),
                N_(
                    "Encrypt the audio with SRTP; the keys travel in the call's signalling. "
                    "Optional: encrypted when the other side can. Mandatory: a call that "
                    "cannot have SRTP is refused."
                ),
                choices=SRTP_MODES,
            ),
            F(
                "account.srtp_suites",
                N_("SRTP suites, best first"),
                N_("Which SRTP ciphers to offer and accept, in this order."),
            ),
            F(
                "account.srtp_over_plain_signalling",
                N_("Allow SRTP keys over unencrypted signalling"),
                N_(
                    "Over UDP or TCP anyone on the way can read the keys and so the audio. "
                    "Off: SRTP is used only when the account uses TLS."
                ),
            ),
        ),
    ),
    GroupSpec(
        N_("Codecs"),
        (
            F(
                "account.codecs",
                N_("Audio codecs"),
                N_("Drag codecs between the lists; the topmost selected codec is preferred."),
                kind="codecs",
            ),
        ),
    ),
    GroupSpec(
        N_("Compatibility modes"),
        (
            F(
                "account.dtmf_mode",
                N_("DTMF mode"),
                N_("How key presses reach the far end; must match the PBX."),
                choices=DTMF_MODES,
            ),
            F(
                "account.force_rfc3264_hold",
                N_("Hold with inactive media (RFC 3264)"),
                N_("For PBXs that mishandle one-way hold."),
            ),
            F(
                "account.do_not_play_ringback",
                N_("No local ringback tone"),
                N_("Play no ringing tone of our own while the far end rings."),
            ),
            F(
                "account.use_100rel",
                N_("Reliable provisional responses (100rel)"),
                N_("Offer PRACK to the server."),
            ),
        ),
    ),
    GroupSpec(
        N_("Preconfigured extensions"),
        (
            F(
                "account.voicemail_extension",
                N_("Voicemail extension"),
                N_("Number the voicemail button dials, e.g. *98."),
            ),
        ),
    ),
    GroupSpec(
        N_("Functions"),
        (
            F(
                "account.mwi",
                N_("MWI for incoming voice messages"),
                N_(
                    "Ask the server for the number of new and old voice messages and show "
                    "them in the status bar (if the PBX supports it)."
                ),
            ),
            F(
                "account.subscribe_presence",
                N_("Subscribe presence"),
                N_("Show the presence of your contacts (e.g. Online, Busy)."),
            ),
            F(
                "account.publish_presence",
                N_("Publish presence"),
                N_("Send your presence state to the server, so that others see it."),
            ),
            F(
                "account.use_blf",
                N_("Use BLF"),
                N_(
                    "Busy Lamp Field: show whether the lines below are free, ringing or busy, "
                    "and pick up calls ringing there (if the PBX supports it)."
                ),
            ),
            F(
                "account.blf_extensions",
                N_("BLF lines"),
                N_("Extensions or SIP addresses to watch, in the order shown."),
                kind="lines",
            ),
            F(
                "account.pickup_prefix",
                N_("Call pickup prefix"),
                N_(
                    "Dialled before a colleague's extension to pick up a call ringing there, "
                    "e.g. *8; empty: the call is taken over directly."
                ),
            ),
            F(
                "account.subscription_expiry",
                N_("Subscription lifetime (seconds)"),
                N_(
                    "How long a subscription (presence, BLF, voicemail) lasts before it is renewed."
                ),
            ),
            F(
                "account.typing_notification",
                N_("Typing notifications in chats"),
                N_("See when your chat partner is writing a message, and let them see yours."),
            ),
        ),
    ),
    GroupSpec(
        N_("InterCom"),
        (
            F(
                "account.intercom",
                N_("Accept InterCom calls"),
                N_(
                    "Calls the PBX marks for automatic answer are answered at once, with no "
                    "ringing — only when they come through this account's server."
                ),
            ),
            F(
                "account.intercom_prefix",
                N_("InterCom prefix"),
                N_("Dialled before the number for an InterCom call; see your PBX's manual."),
            ),
        ),
    ),
)

PASSWORD_GROUP = GroupSpec(
    N_("Passwords"),
    (
        F(
            "allow_plaintext_passwords",
            N_("Keep passwords in the settings file when there is no keyring"),
            N_("Anyone who can read the settings file can then read the passwords."),
        ),
    ),
)

# Settings in the model that the dialog must not offer (see the module docstring), also
# not in the generic "other" group.
LEFT_OUT = frozenset({"gui.hide_contacts_without_name", "gui.hide_contacts_without_number"})

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
