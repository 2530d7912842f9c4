"""NAT choices of an account: which STUN server is in force, which RTP ports to bind.

The manual's Network page per account: STUN none, global (Functions › Advanced › Global
STUN) or custom; RTP ports from the media range, random above 32000, or a fixed pair.
"""

from __future__ import annotations

from parley.net.stun_client import StunServer
from parley.settings.model import AccountSettings, Settings

RANDOM_ABOVE = 32000  # the manual's "open random port above 32000"
FIXED_SPAN = 20  # a fixed RTP port: that pair, then the next pairs for calls at the same time


def effective_stun(settings: Settings, account: AccountSettings) -> StunServer | None:
    """The STUN server this account uses, or None (no STUN, or no server given)."""
    if account.stun == "custom" and account.stun_server:
        return StunServer(account.stun_server, account.stun_port, account.stun_refresh)
    g = settings.stun
    if account.stun == "global" and g.enabled and g.server:
        return StunServer(g.server, g.port, g.refresh)
    return None


def rtp_port_range(settings: Settings, account: AccountSettings) -> tuple[int, int]:
    """Where this account's calls bind RTP (both ends included; RTCP is RTP + 1)."""
    if account.rtp_port is None:
        return settings.media.rtp_port_min, settings.media.rtp_port_max
    if account.rtp_port == 0:
        return RANDOM_ABOVE, 65535
    low = account.rtp_port
    return low, min(65535, low + FIXED_SPAN + 1)
