"""The settings of Parley as typed, validated models (pydantic v2).

Every model forbids unknown keys, so a misspelt setting in ``settings.toml`` is
reported instead of being ignored. Assignments are validated too, so the GUI
cannot put a value into the model that could not be loaded back.

Passwords: ``AccountSettings.password`` only holds a password that lives *in the
settings file* (a file given on the command line, or the explicit plain-text
fallback). Normally passwords live in the OS keyring; see ``parley.settings.secrets``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationInfo,
    field_validator,
)

from parley.settings.addresses import (
    split_host_port,
)
from parley.settings.automation import AutomationSettings
from parley.settings.contact_sources import ContactsSettings, check_source_accounts
from parley.settings.network import StunSettings, TlsSettings
from parley.settings.provisioning import ProvisioningSettings
from parley.settings.types import (
    _MODEL_CONFIG,
    DEFAULT_CODECS,
    DEFAULT_RECORDING_NAME,
    RECORDING_FIELDS,
    Codec,
    DnsServer,
    IpVersion,
    KeySequence,
    LowerCodec,
    LowerDtmfMode,
    LowerLogLevel,
    LowerTransport,
    OptExtension,
    OptHost,
    OptHostname,
    OptPath,
    OptPort,
    OptProxy,
    OptText,
    OptUser,
    PresenceName,
    SrtpMode,
    SrtpSuite,
    TlsClientCertMode,
    _check_domain,
    _check_extension,
    _check_name,
    _check_user,
    check_recording_name,
)


class AccountSettings(BaseModel):
    """One SIP account: who we are, where we register, and how we reach the server."""

    model_config = _MODEL_CONFIG

    # --- identity and credentials -------------------------------------------------
    name: Annotated[str, AfterValidator(_check_name)] = Field(
        min_length=1,
        max_length=64,
        description="Short unique name of the account; also the key of its password in the keyring.",
    )
    display_name: OptText = Field(
        default=None, description="Name shown to the people we call (the From display name)."
    )
    domain: Annotated[str, AfterValidator(_check_domain)] = Field(
        description=(
            "The SIP domain / registrar as host[:port]: a host name, an IPv4 address or an "
            "IPv6 address in brackets, e.g. 'pbx.example.com', '192.0.2.10:5060', '[2001:db8::1]:5060'."
        )
    )
    username: Annotated[str, AfterValidator(_check_user)] = Field(
        min_length=1, description="User part of our address (often the extension number)."
    )
    password: SecretStr | None = Field(
        default=None,
        description=(
            "Password kept in the settings file. Normally absent: passwords live in the OS "
            "keyring. Only used for files given on the command line or when "
            "allow_plaintext_passwords is on."
        ),
    )
    auth_username: OptUser = Field(
        default=None,
        description="User name for digest authentication when the PBX wants a different one; "
        "empty means the same as username.",
    )
    caller_id: OptText = Field(
        default=None,
        description="Caller ID we ask the PBX to present on outgoing calls (it may ignore it).",
    )
    voicemail_extension: OptExtension = Field(
        default=None, description="Extension to dial to listen to voicemail, e.g. '*98'."
    )

    # --- server and transport -----------------------------------------------------
    outbound_proxy: OptProxy = Field(
        default=None,
        description="Send every request through this proxy: host[:port] or a sip:/sips: URI. "
        "Leave empty unless the PBX requires it.",
    )
    transport: LowerTransport = Field(
        default="udp",
        description="Transport for SIP: udp, tcp or tls; auto lets the domain's DNS NAPTR/SRV "
        "records choose (RFC 3263), UDP when they say nothing.",
    )
    ip_version: IpVersion = Field(
        default="auto",
        description="For a server found by name (DNS A/AAAA records): auto tries IPv4 "
        "addresses first, then IPv6; ipv6 tries IPv6 first; ipv4 uses IPv4 only. An IP "
        "address in the domain is used as written.",
    )
    local_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="Local SIP port. 0 picks a random free port above 32000 at start-up, so "
        "several phones behind one NAT do not fight over 5060.",
    )
    dns_servers: list[DnsServer] = Field(
        default_factory=list,
        description="DNS servers (ip[:port]) for the RFC 3263 look-ups of this account; "
        "empty uses the system's resolver.",
    )

    # --- registration -------------------------------------------------------------
    enabled: bool = Field(default=True, description="A disabled account is kept but not used.")
    register_on_startup: bool = Field(
        default=True, description="Register as soon as Parley starts."
    )
    expires: int = Field(
        default=600,
        ge=30,
        le=86400,
        description="Registration lifetime we ask for, in seconds (RFC 3261 §10.2.1); "
        "we refresh before it runs out.",
    )
    retry_interval: int = Field(
        default=30,
        ge=5,
        le=3600,
        description="Seconds to wait after a failed registration before trying again; the wait "
        "doubles after each further failure, up to retry_max_interval.",
    )
    retry_max_interval: int = Field(
        default=600,
        ge=5,
        le=86400,
        description="Longest wait between registration retries, in seconds.",
    )

    # --- NAT ----------------------------------------------------------------------
    keepalive_interval: int = Field(
        default=30,
        ge=0,
        le=3600,
        description="Seconds between keep-alive packets that hold NAT bindings open "
        "(RFC 5626 §4.4); 0 turns them off.",
    )
    rport: bool = Field(
        default=True,
        description="Ask the server to answer to the address and port it saw (RFC 3581).",
    )
    rport_media: bool = Field(
        default=False,
        description="Put the public address the registrar saw us at (learnt through rport, "
        "RFC 3581) into our SDP instead of our own address; only for broken NAT set-ups "
        "(symmetric NAT with some PBXs). Symmetric RTP is a separate media setting.",
    )
    # STUN (RFC 5389) and the port choices of the Network page (issue #11).
    stun: Literal["none", "global", "custom"] = Field(
        default="none",
        description="STUN for this account: none; global (the [stun] table); custom "
        "(stun_server, stun_port, stun_refresh below). The address the STUN server sees "
        "goes into Via, Contact and the SDP where rport does not give it.",
    )
    stun_server: OptHost = Field(
        default=None,
        description='STUN server for stun = "custom": a host name or IP address '
        "(custom without a server uses no STUN).",
    )
    stun_port: int = Field(default=3478, ge=1, le=65535, description="Port of stun_server.")
    stun_refresh: int = Field(
        default=60,
        ge=0,
        le=86400,
        description="Seconds between STUN requests that keep the mapping fresh; a new "
        "public address re-registers. 0: ask only when registering.",
    )
    rtcp_feedback: bool = Field(
        default=False,
        description="RTCP feedback: offer the RTP/AVPF profile (RFC 4585; RTP/SAVPF with "
        "mandatory SRTP) with a=rtcp-fb trr-int. A far end that refuses such an offer "
        "(488) is called again with RTP/AVP. Offers of RTP/AVPF from the far end are "
        "answered with RTP/AVPF either way.",
    )
    rtp_port: OptPort = Field(
        default=None,
        ge=0,
        le=65534,
        description="RTP ports of this account's calls: empty uses media.rtp_port_min to "
        "media.rtp_port_max; 0 a random pair above 32000; a port N the fixed pair N, N+1 "
        "(further calls at the same time take the next pairs above it).",
    )

    # --- TLS ----------------------------------------------------------------------
    ca_file: OptPath = Field(
        default=None,
        description="PEM file of CA certificates to trust for TLS; empty uses the system store.",
    )
    verify_tls: bool = Field(
        default=True,
        description="Check the server's TLS certificate. Turning this off allows anyone on the "
        "path to listen in.",
    )
    tls_server_name: OptHostname = Field(
        default=None,
        description="The manual's override domain name: the name to send in SNI and to check "
        "the certificate against, when it differs from the domain. Needs a certificate to "
        "check it with (ca_file or [tls] domain_certificate).",
    )
    tls_client_certificate_mode: TlsClientCertMode = Field(
        default="none",
        description='"Use certificate as": which certificate we show the server when it asks '
        "for one. none; default (the [tls] domain_certificate, when that file holds a key too); "
        "file (tls_client_certificate); self-signed (made on first use and kept in the config "
        "folder, or at tls_client_certificate when set, readable only by you).",
    )
    tls_client_certificate: OptPath = Field(
        default=None,
        description="PEM file with our client certificate and its private key "
        '(tls_client_certificate_mode = "file"), or where to keep the self-signed one.',
    )

    # --- media and compatibility ----------------------------------------------------
    codecs: list[LowerCodec] = Field(
        default_factory=lambda: list(DEFAULT_CODECS),
        min_length=1,
        description="Audio codecs we offer, best first: any of opus, g722, pcma, pcmu.",
    )
    dtmf_mode: LowerDtmfMode = Field(
        default="rfc4733",
        description="How key presses are sent: rfc4733 (RTP events), info (SIP INFO) or "
        "inband (tones in the audio). Must match the PBX.",
    )
    force_rfc3264_hold: bool = Field(
        default=False,
        description="Hold style. Off: a hold re-INVITE says a=sendonly (a=inactive when the "
        "far end already holds us), keeping our real address — RFC 3264 §8.4. On: every hold "
        "says a=inactive, so neither side sends anything (for far ends such as some Cisco "
        "CUCM set-ups that mishandle one-way hold). Received holds of every style "
        "(sendonly, inactive, c=0.0.0.0) are understood either way.",
    )
    do_not_play_ringback: bool = Field(
        default=False,
        description="Play no local ringback tone while the far end rings; ringing sent by the "
        "network as early media is still heard (unless early media is muted).",
    )
    intercom: bool = Field(
        default=False,
        description="Answer intercom calls (marked for automatic answer by the PBX) without "
        "ringing — only when they come through this account's server.",
    )
    intercom_prefix: OptText = Field(
        default=None,
        description="Dialled before the number for an outgoing intercom call (see the PBX).",
    )
    use_100rel: bool = Field(
        default=True,
        description="Offer reliable provisional responses (RFC 3262, PRACK); we only require "
        "them from nobody.",
    )

    # --- SRTP with SDES keys (RFC 4568, issue #11) ----------------------------------
    srtp: SrtpMode = Field(
        default="off",
        description="Media encryption with SRTP: off; optional (offer RTP/AVP with keys, take "
        "plain or encrypted); mandatory (offer RTP/SAVP, refuse plain calls with 488).",
    )
    srtp_suites: list[SrtpSuite] = Field(
        default_factory=lambda: list(get_args(SrtpSuite)),
        min_length=1,
        description="SRTP crypto suites, best first: AES_CM_128_HMAC_SHA1_80, "
        "AES_CM_128_HMAC_SHA1_32, AEAD_AES_128_GCM, AEAD_AES_256_GCM, "
        "AES_256_CM_HMAC_SHA1_80, AES_256_CM_HMAC_SHA1_32.",
    )
    srtp_over_plain_signalling: bool = Field(
        default=False,
        description="Send SRTP keys (SDES) over UDP or TCP signalling, where anyone on the "
        "path can read them. Off: SRTP is offered only when the account uses TLS.",
    )
    zrtp: bool = Field(
        default=False,
        description="ZRTP (RFC 6189): agree SRTP keys on the media path once a call is up, "
        "with a short authentication string (SAS) to compare by voice. Media is plain until "
        "the exchange ends; calls that got SDES keys do not run ZRTP.",
    )

    # --- presence, BLF, voicemail and messages (RFC 6665 subscriptions) -------------
    mwi: bool = Field(
        default=False,
        description="MWI for incoming voice messages: subscribe to the account's voicemail "
        "summary (RFC 3842) and show the new/old counts; unsolicited summaries are accepted "
        "from the account's server only.",
    )
    subscribe_presence: bool = Field(
        default=False,
        description="Show the presence of contacts (online, busy...): subscribe to each "
        "watched address through this account (RFC 3856).",
    )
    publish_presence: bool = Field(
        default=False,
        description="Send our own presence state to the server (PUBLISH, RFC 3903); without a "
        "presence server Parley answers watchers' subscriptions itself.",
    )
    use_blf: bool = Field(
        default=False,
        description="Busy Lamp Field: watch the lines in blf_extensions (the dialog event "
        "package, RFC 4235) and show idle, ringing, busy or on hold for each.",
    )
    blf_extensions: list[Annotated[str, AfterValidator(_check_extension)]] = Field(
        default_factory=list,
        description="Extensions or SIP addresses whose line state the BLF shows, in order.",
    )
    subscription_expiry: int = Field(
        default=600,
        ge=60,
        le=86400,
        description="Lifetime asked for each subscription (presence, BLF, voicemail), in "
        "seconds; refreshed before it runs out.",
    )
    typing_notification: bool = Field(
        default=True,
        description="Tell chat partners while we type, and show when they do (RFC 3994).",
    )
    pickup_prefix: OptText = Field(
        default=None,
        description="Dialled before a colleague's extension to pick up a call ringing there, "
        "for PBXs that use a pickup code (e.g. '*8'); empty: pick up with Replaces from the BLF "
        "state (RFC 3891).",
    )

    # --- Phone number modification (what is dialled: contacts/dial_rules.py) -------
    remove_dial_chars: str = Field(
        default="",
        max_length=20,
        description="Characters removed from a number before dialling (spaces, -, /, ( ) "
        "and . always are).",
    )
    use_country_code: bool = Field(
        default=False,
        description="Dial outside numbers in international form: a national number gets "
        "the default country's code (030 1234567 becomes +49 30 1234567); dial_prefix, when "
        "set, then stands in for the '+'. Extensions, emergency and service numbers are "
        "never changed.",
    )
    default_country: str | None = Field(
        default=None,
        description="ISO 3166 code of the country for numbers without a country code, "
        'e.g. "DE"; also how national and international spellings of incoming numbers '
        "are matched with contacts.",
    )
    dial_prefix: str = Field(
        default="",
        max_length=10,
        pattern=r"^[0-9*#]*$",
        description="Digits put before outside numbers: with use_country_code the "
        "international access code in place of '+' (e.g. 00); without it an outside line "
        "before national numbers (e.g. 9 or 0).",
    )

    # Where an inline password came from (set by load_settings): saving back to that
    # same file keeps it; saving anywhere else does not copy it.
    _password_file: Path | None = PrivateAttr(default=None)

    @field_validator("default_country", mode="before")
    @classmethod
    def _known_country(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            return value
        import phonenumbers  # a service-level dependency; only needed here

        code = value.strip().upper()
        if code not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(
                f"{value!r} is not a country code: use the two-letter ISO 3166 code, "
                'e.g. "DE", "AT", "CH", "GB", "US"'
            )
        return code

    @field_validator("ca_file", "tls_client_certificate", mode="after")
    @classmethod
    def _expand_ca_file(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @field_validator("codecs", mode="after")
    @classmethod
    def _no_duplicate_codecs(cls, value: list[Codec]) -> list[Codec]:
        seen: set[str] = set()
        for codec in value:
            if codec in seen:
                raise ValueError(f"codec {codec!r} is listed twice")
            seen.add(codec)
        return value

    @field_validator("srtp_suites", mode="after")
    @classmethod
    def _no_duplicate_suites(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a suite is listed twice")
        return value

    @field_validator("keepalive_interval", mode="after")
    @classmethod
    def _sensible_keepalive(cls, value: int) -> int:
        if 0 < value < 5:
            raise ValueError(f"{value} seconds is too often; use 0 (off) or at least 5")
        return value

    @field_validator("retry_max_interval", mode="after")
    @classmethod
    def _retry_bounds(cls, value: int, info: ValidationInfo) -> int:
        # A field validator (not a model one) so that the error names this key.
        low = info.data.get("retry_interval")
        if isinstance(low, int) and value < low:
            raise ValueError(f"{value} is shorter than retry_interval ({low})")
        return value

    @property
    def domain_host(self) -> str:
        """Host part of ``domain`` (IPv6 keeps its brackets)."""
        return split_host_port(self.domain)[0]

    @property
    def domain_port(self) -> int | None:
        """Port part of ``domain``, or None when none was given (then RFC 3263 decides)."""
        return split_host_port(self.domain)[1]

    @property
    def effective_auth_username(self) -> str:
        """The user name for digest authentication: ``auth_username`` or else ``username``."""
        return self.auth_username or self.username


class SipSettings(BaseModel):
    """SIP timer values (RFC 3261 §17.1.1.1 and table 4), in seconds."""

    model_config = _MODEL_CONFIG

    t1: float = Field(
        default=0.5,
        ge=0.05,
        le=10.0,
        description="T1, the round-trip time estimate that paces retransmissions (RFC default 0.5 s).",
    )
    t2: float = Field(
        default=4.0,
        ge=1.0,
        le=64.0,
        description="T2, the longest gap between retransmissions of non-INVITE requests and "
        "INVITE responses (RFC default 4 s).",
    )
    t4: float = Field(
        default=5.0,
        ge=0.5,
        le=64.0,
        description="T4, how long a message may linger in the network (RFC default 5 s).",
    )

    @field_validator("t2", mode="after")
    @classmethod
    def _t2_not_below_t1(cls, value: float, info: ValidationInfo) -> float:
        t1 = info.data.get("t1")
        if isinstance(t1, float) and value < t1:
            raise ValueError(f"{value} is smaller than t1 ({t1})")
        return value


class LogSettings(BaseModel):
    """Logging and the SIP trace."""

    model_config = _MODEL_CONFIG

    sip_trace: bool = Field(
        default=False,
        description="Record every SIP message sent and received, for trouble-shooting.",
    )
    log_level: LowerLogLevel = Field(
        default="info",
        description="Least severe level written to the log: debug, info, warning, error.",
    )


class MediaSettings(BaseModel):
    """Audio devices, processing and call-audio behaviour."""

    model_config = _MODEL_CONFIG

    input_device: str = Field(
        default="system default",
        description='Microphone: a device name, "system default", "null" (silence) or '
        '"file:PATH" (a WAV file played in a loop instead of a microphone).',
    )
    output_device: str = Field(
        default="system default",
        description='Speaker or headset: a device name, "system default", "null" or '
        '"file:PATH" (a WAV recording of what would be played).',
    )
    speaker_input_device: str = Field(
        default="system default",
        description="Microphone used in hands-free mode (loudspeaker button).",
    )
    speaker_output_device: str = Field(
        default="system default",
        description="Loudspeaker used in hands-free mode.",
    )
    ring_device: str = Field(default="system default", description="Where incoming calls ring.")
    auto_select_device: bool = Field(
        default=False,
        description="Automatic microphone selection: a sound device with a microphone "
        "that is plugged in (a USB headset) becomes the microphone of the running calls "
        "and the next ones, and their speaker too when it has one; when it goes away the "
        "devices above are used again. The devices above are not changed.",
    )
    headset: Literal["none", "any", "jabra", "plantronics", "sennheiser"] = Field(
        default="any",
        description="External headset or device (USB HID telephony: hook switch, mute "
        'button, LEDs): "none", "any" standard USB device, or only a "jabra", '
        '"plantronics" (Poly) or "sennheiser" (EPOS) device.',
    )
    ring_also_pc_speaker: bool = Field(
        default=False,
        description="Ring on the default output device as well as on the ringing device.",
    )
    echo_cancellation: bool = Field(
        default=True, description="Remove the echo of our speaker from our microphone (AEC3)."
    )
    auto_gain_control: bool = Field(default=True, description="Keep our microphone level steady.")
    noise_suppression: bool = Field(
        default=True, description="Remove steady background noise from our microphone."
    )
    early_media_mute: bool = Field(
        default=False,
        description="Do not play early media (announcements, network ringback) of outgoing "
        "calls; local ringback is played instead.",
    )
    call_waiting: bool = Field(
        default=True,
        description="Signal a second incoming call during a call (with a tone); off: the "
        "caller gets busy (486).",
    )
    disable_dtmf_sounds: bool = Field(
        default=False, description="Play no local tone when a key is pressed during a call."
    )
    tone_region: Literal["europe", "north_america"] = Field(
        default="europe", description="Cadences of ringback, busy and call-waiting tones."
    )
    ringtone: OptPath = Field(
        default=None, description="WAV file for the ringtone; empty uses a built-in tone."
    )
    rtp_port_min: int = Field(default=16384, ge=1024, le=65534, description="Lowest RTP port.")
    rtp_port_max: int = Field(default=32767, ge=1025, le=65535, description="Highest RTP port.")
    symmetric_rtp: bool = Field(
        default=True,
        description="Send RTP to where the far end's RTP comes from (gets audio through NATs).",
    )
    music_on_hold: Literal["off", "builtin", "file"] = Field(
        default="builtin",
        description="What parties we hold hear: nothing (off), a built-in melody, or "
        "music_on_hold_file.",
    )
    music_on_hold_file: OptPath = Field(
        default=None, description='A WAV file for music on hold (music_on_hold = "file").'
    )

    # Field validators (not a model one) so that the error names the key. A call needs
    # two ports, RTP and RTCP: min = max - 1 is a fixed pair, min >= max is refused.
    @field_validator("rtp_port_min", mode="after")
    @classmethod
    def _rtp_port_min_bounds(cls, value: int, info: ValidationInfo) -> int:
        high = info.data.get("rtp_port_max")  # known when one field is assigned
        if isinstance(high, int) and value >= high:
            raise ValueError(_rtp_range_problem(value, high))
        return value

    @field_validator("rtp_port_max", mode="after")
    @classmethod
    def _rtp_port_max_bounds(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("rtp_port_min")
        if isinstance(low, int) and value <= low:
            raise ValueError(_rtp_range_problem(low, value))
        return value


def _rtp_range_problem(low: int, high: int) -> str:
    return (
        f"rtp_port_min ({low}) must be below rtp_port_max ({high}): a call needs two "
        "ports (RTP and RTCP); set rtp_port_max to at least rtp_port_min + 1 "
        f"(e.g. rtp_port_min = {low}, rtp_port_max = {low + 1} for one fixed pair)"
    )


class GuiSettings(BaseModel):
    """Desktop window preferences (filled in by a later issue)."""

    model_config = _MODEL_CONFIG

    # --- main and call windows (engineer G2a) ---------------------------------------
    language: Literal["en", "de"] = Field(
        default="en",
        description="Language of the desktop app and the console: en (English) or de (German).",
    )
    theme: Literal["light", "dark", "system"] = Field(
        default="system",
        description="Colours of the desktop app: light, dark, or system (follow the desktop).",
    )
    compact_mode: bool = Field(
        default=False,
        description="Show only the main window (accounts, search, contacts); the call window "
        "opens only for calls.",
    )
    collapse_on_hangup: bool = Field(
        default=False,
        description="Close the call window when the last call ends (back to compact mode).",
    )
    hide_avatars: bool = Field(default=False, description="Show no pictures or initials.")
    hide_contacts_without_name: bool = Field(
        default=False, description="Leave contacts without a name out of the contact list."
    )
    hide_contacts_without_number: bool = Field(
        default=False, description="Leave contacts without a phone number out of the contact list."
    )
    hidden_sources: list[str] = Field(
        default_factory=list,
        description="The contact list's display choice (its menu's 'Show contacts from'): ids "
        "of contact sources whose contacts the main window's list leaves out; they still "
        "name callers and can be searched in the address book.",
    )
    start_minimised: bool = Field(
        default=False,
        description="Start with the window minimised (to the tray when there is one).",
    )
    always_on_top: bool = Field(default=False, description="Keep the window above all others.")
    minimise_to_tray: bool = Field(
        default=False,
        description="Minimising hides the window in the notification area (tray) instead of "
        "the task bar; ignored where the desktop has no tray.",
    )
    minimise_on_close: bool = Field(
        default=False,
        description="Closing the window minimises it and Parley keeps running; quit from the "
        "tray menu.",
    )
    activate_on_incoming_call: bool = Field(
        default=True, description="Bring the window to the front when a call comes in."
    )
    flash_on_incoming_call: bool = Field(
        default=True, description="Flash the window in the task bar when a call comes in."
    )
    notify_incoming_calls: bool = Field(
        default=True, description="Show a pop-up notification for an incoming call."
    )
    notify_contact_online: bool = Field(
        default=True, description="Show a pop-up when a watched contact comes online."
    )
    notify_voicemail: bool = Field(
        default=True, description="Show a pop-up when a new voice message arrives."
    )
    voicemail_sound: bool = Field(
        default=True, description="Play a short sound when a new voice message arrives."
    )
    notify_message: bool = Field(
        default=True, description="Show a pop-up when an instant message arrives."
    )
    notify_network_change: bool = Field(
        default=True,
        description="Show a pop-up when the network changes (a new address, calls moved "
        "along) or is gone.",
    )
    notify_audio_device: bool = Field(
        default=True,
        description="Show a pop-up when a sound device (a headset) is plugged in or goes away.",
    )
    message_sound: bool = Field(
        default=True, description="Play a short sound when an instant message arrives."
    )
    activate_on_message: bool = Field(
        default=False, description="Bring the window to the front when a message arrives."
    )
    flash_on_message: bool = Field(
        default=True, description="Flash the window in the task bar when a message arrives."
    )
    speaker_volume: int = Field(
        default=100, ge=0, le=150, description="Volume of the speaker in per cent."
    )
    microphone_volume: int = Field(
        default=100, ge=0, le=150, description="Level of the microphone in per cent."
    )

    # --- keyboard shortcuts of the main window (issue #13, KEYS) ----------------------
    key_answer: KeySequence = Field(
        default="Return",
        description="Key that answers a ringing call (Return also means the keypad's Enter); "
        "Qt key names such as Return, Esc, F5, Ctrl+Shift+A; empty: none.",
    )
    key_decline: KeySequence = Field(
        default="Esc", description="Key that rejects a ringing call; empty: none."
    )
    key_hangup: KeySequence = Field(
        default="Ctrl+Shift+E", description="Key that hangs up the current call; empty: none."
    )
    key_mute: KeySequence = Field(
        default="Ctrl+Shift+M",
        description="Key that mutes the microphone in a call, or unmutes it; empty: none.",
    )
    key_hold: KeySequence = Field(
        default="Ctrl+Shift+H",
        description="Key that holds the current call, or resumes it; empty: none.",
    )
    global_hotkeys: bool = Field(
        default=False,
        description="Also answer and hang up with global_key_answer / global_key_hangup while "
        "another program has the focus (X11 with the python-xlib package; not possible on "
        "Wayland).",
    )
    global_key_answer: KeySequence = Field(
        default="Ctrl+Alt+A", description="System-wide key that answers a ringing call."
    )
    global_key_hangup: KeySequence = Field(
        default="Ctrl+Alt+E",
        description="System-wide key that hangs up the current call (or rejects a ringing one).",
    )


class FunctionsSettings(BaseModel):
    """Phone functions."""

    model_config = _MODEL_CONFIG

    reject_with: Literal["busy", "decline"] = Field(
        default="busy",
        description="What rejecting an incoming call answers: busy (486 Busy Here) or "
        "decline (603 Decline).",
    )
    auto_answer: bool = Field(
        default=False,
        description="Answer incoming calls by themselves (at once, or after auto_answer_after "
        "seconds). Never while another call is active, unless call waiting is on: then the "
        "active call is held first.",
    )
    auto_answer_after: int = Field(
        default=0, ge=0, le=600, description="Seconds before an automatic answer; 0: at once."
    )
    auto_answer_sound: bool = Field(
        default=False, description="Play a short sound when a call is answered automatically."
    )
    forwarding: Literal["off", "instant", "delayed"] = Field(
        default="off",
        description="Call forwarding: off; instant (every incoming call is redirected at once); "
        "delayed (redirected when not answered within forward_after seconds).",
    )
    forward_to: OptText = Field(
        default=None, description="Where forwarded calls go: a number or a SIP address."
    )
    forward_after: int = Field(
        default=20, ge=1, le=600, description="Seconds of ringing before delayed forwarding."
    )
    keep_after_restart: bool = Field(
        default=True,
        description="Keep call forwarding and automatic answering after a restart; off: both "
        "start switched off each time Parley starts.",
    )
    follow_redirects: bool = Field(
        default=True,
        description="Follow a 3xx answer (the called party forwards or deflects) to the new "
        "target; off: such a call fails with the answer.",
    )
    transfer_requests: Literal["accept", "reject", "ask"] = Field(
        default="ask",
        description="What to do when the far end asks us to call somebody else (REFER): accept, "
        "reject, or ask (the desktop app asks; the console accepts).",
    )
    record_all_calls: bool = Field(
        default=False, description="Record every call from its start (see recording_name)."
    )
    recording_dir: OptPath = Field(
        default=None,
        description="Where recordings go; empty: the 'recordings' folder of Parley's data folder.",
    )
    recording_name: Annotated[str, AfterValidator(check_recording_name)] = Field(
        default=DEFAULT_RECORDING_NAME,
        description="File name of a recording, without .wav; fields in braces: "
        + ", ".join("{" + f + "}" for f in RECORDING_FIELDS)
        + ".",
    )
    recording_channels: Literal["mono", "stereo"] = Field(
        default="mono",
        description="mono: both sides mixed; stereo: us on the left, the far end on the right.",
    )
    recording_notice_accepted: bool = Field(
        default=False,
        description="The legal notice about recording was shown and accepted (the desktop app "
        "shows it before the first recording).",
    )
    presence: PresenceName = Field(
        default="online",
        description="Our presence state, as chosen in the status bar: online, invisible, away, "
        "busy, offline, lunch, on-the-phone or brb (briefly absent). Kept across restarts.",
    )
    presence_note: OptText = Field(
        default=None, description="A note shown with our presence state, e.g. 'back at 2'."
    )
    presence_on_the_phone: bool = Field(
        default=True,
        description="Show 'on the phone' to watchers while a call is active (unless we are "
        "invisible or offline), and the chosen state again afterwards.",
    )
    auto_reject_presence: list[PresenceName] = Field(
        default_factory=list,
        description="Reject incoming calls automatically (as 'reject_with' says) while our "
        "presence state is one of these, e.g. ['busy', 'lunch'].",
    )
    allow_direct_calls: bool = Field(
        default=False,
        description="Accept calls that do not come through an account's registrar or outbound "
        "proxy (direct IP calls). Off stops 'ghost calls' from SIP scanners.",
    )


class Settings(BaseModel):
    """All of Parley's settings, as stored in ``settings.toml``."""

    model_config = _MODEL_CONFIG

    allow_plaintext_passwords: bool = Field(
        default=False,
        description="When no OS keyring is usable, keep passwords in this file in plain text. "
        "Off by default; anyone who can read the file can read the passwords.",
    )
    sip: SipSettings = Field(default_factory=SipSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    media: MediaSettings = Field(default_factory=MediaSettings)
    gui: GuiSettings = Field(default_factory=GuiSettings)
    functions: FunctionsSettings = Field(default_factory=FunctionsSettings)
    stun: StunSettings = Field(default_factory=StunSettings)
    tls: TlsSettings = Field(default_factory=TlsSettings)
    automation: AutomationSettings = Field(default_factory=AutomationSettings)
    provisioning: ProvisioningSettings = Field(default_factory=ProvisioningSettings)
    accounts: list[AccountSettings] = Field(
        default_factory=list, description="The SIP accounts, each with its own unique name."
    )
    contacts: ContactsSettings = Field(default_factory=ContactsSettings)

    @field_validator("contacts", mode="after")
    @classmethod
    def _source_accounts(cls, value: ContactsSettings, info: ValidationInfo) -> ContactsSettings:
        accounts = info.data.get("accounts")
        if isinstance(accounts, list):
            check_source_accounts(value.sources, [a.name for a in accounts])
        return value

    @field_validator("accounts", mode="after")
    @classmethod
    def _unique_names(cls, value: list[AccountSettings]) -> list[AccountSettings]:
        # Compared without case: some keyrings (Windows) treat keys case-insensitively.
        first: dict[str, int] = {}
        for index, account in enumerate(value):
            key = account.name.casefold()
            if key in first:
                raise ValueError(
                    f"account name {account.name!r} is used by both accounts[{first[key]}] and "
                    f"accounts[{index}]; every account needs its own name"
                )
            first[key] = index
        return value

    @field_validator("accounts", mode="after")
    @classmethod
    def _override_needs_certificate(
        cls, value: list[AccountSettings], info: ValidationInfo
    ) -> list[AccountSettings]:
        # The manual's TLS initialisation error: an override domain name is checked against
        # a certificate, so one must be given (the account's or the domain certificate).
        tls = info.data.get("tls")
        domain_cert = tls.domain_certificate if isinstance(tls, TlsSettings) else None
        for index, account in enumerate(value):
            if account.tls_server_name and not account.ca_file and not domain_cert:
                raise ValueError(
                    f"accounts[{index}] ({account.name}): tls_server_name "
                    f"{account.tls_server_name!r} overrides the name the server certificate is "
                    "checked against, but no certificate is given to check it with; set ca_file "
                    "(the PBX certificate) or [tls] domain_certificate, or clear tls_server_name"
                )
        return value

    def account(self, name: str) -> AccountSettings:
        """The account called ``name``; raises KeyError when there is none."""
        for account in self.accounts:
            if account.name.casefold() == name.casefold():
                return account
        raise KeyError(name)
