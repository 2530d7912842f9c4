"""The narrow context a call works in, instead of the whole `Phone`.

`Phone` builds one `CallContext` when it is made and hands it to every `Call`: a way to
report events, the media engine, the SIP driver (and through it the user-agent core and
its clock), the settings, where to bind and record, and the ringer's three hooks. A call
sees nothing else of the phone, so it can be built and tested with a context of fakes,
and a new feature module (transfer, conference) gets a context of its own the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from parley.media.zrtp import ZidCache
from parley.net.driver import SipDriver
from parley.phone.events import PhoneEvent
from parley.settings.model import Settings

if TYPE_CHECKING:
    from parley.media.engine import MediaEngine
    from parley.phone.call import Call


@dataclass(frozen=True)
class CallContext:
    """What a call may use. Getters where the value changes while the phone runs (the
    settings are replaced when the user changes them; the media engine is made when the
    phone starts)."""

    emit: Callable[[PhoneEvent], None]
    media: Callable[[], MediaEngine]
    driver: SipDriver
    settings: Callable[[], Settings]
    bind_host: Callable[[], str]  # where RTP sockets are bound (moves with our address)
    record_dir: Path | None  # each call is recorded to a WAV file here, when set
    ringing: Callable[[Call], None]  # the call has become an incoming call: ring for it
    silence: Callable[[Call], None]  # stop its ringing for good (answered, rejected...)
    ended: Callable[[Call], None]  # it has ended (the phone forgets it a little later)
    # Our ZID and the retained ZRTP secrets (made on first use; the phone keeps it in
    # the data dir). The default keeps nothing between calls.
    zrtp_cache: Callable[[], ZidCache] = field(default=ZidCache)

    @property
    def now(self) -> float:
        """The SIP clock (the driver's loop time)."""
        return self.driver.now
