"""The rows of an account's settings page (SIP credentials, network, NAT and STUN, TLS,
encryption, presence, codecs...) and the password row, with the choices they offer."""

from __future__ import annotations

from parley.gui.i18n import N_
from parley.gui.settings_specs import F, GroupSpec

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
IP_VERSIONS = {
    "auto": N_("Automatic (IPv4 first)"),
    "ipv4": N_("IPv4 only"),
    "ipv6": N_("IPv6 only"),
}
STUN_MODES = {
    "none": N_("No STUN"),
    "global": N_("The global STUN server"),
    "custom": N_("This account's STUN server"),
}
CLIENT_CERT_MODES = {
    "none": N_("Do not use"),
    "default": N_("The domain certificate"),
    "file": N_("This certificate file"),
    "self-signed": N_("Generate a self-signed one"),
}
SRTP_MODES = {
    "off": N_("Off"),
    "optional": N_("Optional"),
    "mandatory": N_("Mandatory"),
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
                "account.ip_version",
                N_("IP version"),
                N_("Which addresses of the server to use when its name has both kinds."),
                choices=IP_VERSIONS,
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
                "account.rtp_port",
                N_("Local RTP port"),
                N_(
                    "Empty: a free port of the audio port range. 0: a random port above 32000, "
                    "for routers that have trouble with the usual ones. A number: that port, "
                    "RTCP on the next one."
                ),
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
            F(
                "account.stun",
                N_("STUN"),
                N_("Ask a STUN server for the address the internet sees, for SIP and audio."),
                choices=STUN_MODES,
            ),
            F("account.stun_server", N_("STUN server"), N_("Host name or IP address.")),
            F("account.stun_port", N_("STUN port")),
            F(
                "account.stun_refresh",
                N_("STUN refresh period (seconds)"),
                N_("How often the address is asked again, which keeps the router's entry open."),
                zero_text=N_("only once"),
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
            F(
                "account.tls_client_certificate_mode",
                N_("Use certificate as"),
                N_("The certificate Parley shows the server when it asks for one."),
                choices=CLIENT_CERT_MODES,
            ),
            F(
                "account.tls_client_certificate",
                N_("Client certificate file"),
                N_("PEM file with the certificate and its private key."),
                kind="path",
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
                "account.zrtp",
                N_("Enable ZRTP"),
                N_(
                    "Agree the audio keys with the other phone itself (RFC 6189); compare the "
                    "code shown during the call aloud to be sure nobody listens in."
                ),
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
            F(
                "account.rtcp_feedback",
                N_("RTCP feedback (AVPF)"),
                N_(
                    "Offer the RTP/AVPF profile (RFC 4585) in calls; a phone that refuses "
                    "it is called again with plain RTP/AVP."
                ),
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
        N_("Phone number modification"),
        (
            F(
                "account.remove_dial_chars",
                N_("Remove dial characters"),
                N_(
                    "Characters removed from a number before dialling (spaces, -, /, ( ) "
                    "and . always are)."
                ),
            ),
            F(
                "account.use_country_code",
                N_("Use country code"),
                N_(
                    "Outside numbers are dialled in international form: a national number "
                    "gets the default country's code (030 1234567 becomes +49 30 1234567). "
                    "Extensions, emergency and service numbers are never changed."
                ),
            ),
            F(
                "account.default_country",
                N_("Default country for numbers without country code"),
                N_(
                    "Two-letter country code, e.g. DE, AT, CH. Also decides how national and "
                    "international spellings of a caller's number are matched with contacts."
                ),
            ),
            F(
                "account.dial_prefix",
                N_("Dialling prefix"),
                N_(
                    "With the country code: the international access code in place of '+', "
                    "e.g. 00. Without it: an outside line put before national numbers, e.g. "
                    "0 or 9."
                ),
            ),
        ),
        extra="dial-preview",
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
