"""An outgoing call whose RTP/AVPF offer is refused is placed again with RTP/AVP.

RTCP feedback (RFC 4585, the account's ``rtcp_feedback``) changes the profile of our
offer, and without SDP capability negotiation (RFC 5939, which no phone of the test bed
speaks) a far end that only knows RTP/AVP can only refuse it: baresip 1.0 without its
srtp module answers 488 Not Acceptable Here. So a 488 to our first INVITE, when its offer
was RTP/AVPF (or RTP/SAVPF), places the same call once more with the plain profile (a new
INVITE session, as for a redirect: the person sees one call with the same id and RTP
port), and the rest of the call keeps to the plain profile (its re-offers too). A second
488 ends the call as any failure does.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from parley.sip.avpf import is_avpf
from parley.sip.invite_events import StateChanged
from parley.sip.uri import SipURI

if TYPE_CHECKING:
    from parley.phone.call import Call

log = logging.getLogger(__name__)

__all__ = ["retry_without_avpf"]


def retry_without_avpf(call: Call, change: StateChanged) -> bool:
    """The hook of `Call`: the outgoing `call` has just failed with `change`. True when it
    is placed again with RTP/AVP instead of ending."""
    offer = call.local_sdp
    if change.status != 488 or call.connected_at is not None or call.avpf_refused:
        return False
    if offer is None or not any(is_avpf(m.proto) for m in offer.media if m.port != 0):
        return False
    first = call.session.invite_request
    if first is None or not isinstance(first.uri, SipURI):
        return False
    log.info("call %s: 488 to our RTP/AVPF offer, calling again with RTP/AVP", call.id)
    call.avpf_refused = True
    call.redirect(first.uri.copy(), note=call.note)
    return True
