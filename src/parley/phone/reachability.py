"""Is the account's server still there? Keep-alive answers and failed transactions say.

Over UDP nothing tells a phone that its PBX is gone: the binding looks fine until the
next refresh (minutes away), while calls time out as if nobody picked up. The account's
keep-alive is therefore a probe that expects an answer (`parley.net.keepalive`); this
watch turns its results into an account state: "unreachable" at the first unanswered
probe (or a refresh that timed out), and a new registration as soon as the server
answers again (it may have restarted and forgotten us).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from parley.net.address import Address
from parley.phone.events import AccountStateChanged, PhoneEvent, Reachability
from parley.sip.registration import RegCause

log = logging.getLogger(__name__)

UNREACHABLE = Reachability.UNREACHABLE
"""The account state reported while the server does not answer."""


class ServerWatch:
    """Tracks whether one account's server answers, and reports the changes."""

    def __init__(
        self,
        account: str,
        emit: Callable[[PhoneEvent], None],
        server: Callable[[], Address | None],
        reregister: Callable[[], None],
    ) -> None:
        self.account = account
        self._emit = emit
        self._server = server
        self._reregister = reregister
        self.reachable = True
        # A server that never answers OPTIONS is not taken for dead: like the RFC 5626
        # pong rule for streams, missing answers count once one probe was answered.
        self._probe_answered = False

    def reset(self) -> None:
        """Registered (again): the server answers."""
        self.reachable = True

    def probed(self, answered: bool) -> None:
        """The result of one keep-alive probe."""
        if answered:
            self._probe_answered = True
            if not self.reachable:
                self.reachable = True
                log.info("%s: the server answers again; registering", self.account)
                self._reregister()
        elif self._probe_answered:
            self.not_answered()

    def not_answered(self) -> None:
        """A probe or a transaction to the server went unanswered."""
        if not self.reachable:
            return
        self.reachable = False
        server = self._server()
        log.warning("%s: the server %s does not answer", self.account, server)
        self._emit(
            AccountStateChanged(
                account=self.account,
                state=UNREACHABLE,
                status=None,
                reason="",
                cause=RegCause.NO_RESPONSE,
                server=None
                if server is None
                else f"{server.transport}:{server.host}:{server.port}",
            )
        )
