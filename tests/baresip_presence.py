"""baresip 1.0's presence module as a test peer, made deterministic.

At start baresip PUBLISHes twice, as two publications: first `<basic>unknown</basic>`
(its state before the presence module set one), then, before the first answer brought
the SIP-ETag, `open` without SIP-If-Match. Both carry the same tuple id, and Kamailio's
aggregation keeps one tuple per id: which one a watcher then gets for the next ten
minutes depends on the order the two PUBLISHes won their digest round trips. A test
waits for the open one and takes the stale one back (PUBLISH Expires 0 with its
SIP-ETag, as baresip's user), so that the watchers see what baresip says from then on.

On a loaded machine the stale one can come later than any wait allows, so a test that
changes baresip's state also calls `set_presence`: it waits for the publication that
says the new state and removes every other publication of that user, whatever it says.
"""

from __future__ import annotations

from peers.baresip import Baresip
from peers.common import wait_until
from peers.kamailio import Kamailio
from peers.presence_rig import SipUser

__all__ = ["drop_stale_publications", "set_presence"]

STRAY_WAIT = 5.0  # seconds the stale publication may come after the open one


def drop_stale_publications(kam: Kamailio, user: str, timeout: float = 20.0) -> None:
    """Wait for `user`'s open publication; remove the ones that say `unknown`."""

    def mine() -> list[dict[str, str]]:
        return [p for p in kam.presentities() if p["user"] == user and p["event"] == "presence"]

    def stale() -> list[dict[str, str]]:
        return [p for p in mine() if "<basic>unknown</basic>" in p["body"]]

    assert wait_until(
        lambda: any("<basic>open</basic>" in p["body"] for p in mine()), timeout=timeout
    ), mine()
    # Both PUBLISHes left together; the other one is a digest round trip behind at most.
    if not wait_until(lambda: bool(stale()), timeout=STRAY_WAIT):
        return
    with SipUser(kam, user, kam.users[user]) as owner:
        for publication in stale():
            answer = owner.publish("", expires=0, etag=publication["etag"])
            assert answer.status == 200, answer


def set_presence(
    far: Baresip, kam: Kamailio, user: str, online: bool, timeout: float = 20.0
) -> None:
    """Have baresip publish open or closed; leave only that publication on the server."""
    basic = "<basic>open</basic>" if online else "<basic>closed</basic>"

    def mine() -> list[dict[str, str]]:
        return [p for p in kam.presentities() if p["user"] == user and p["event"] == "presence"]

    far.set_presence(online=online)
    assert wait_until(lambda: any(basic in p["body"] for p in mine()), timeout=timeout), mine()
    others = [p for p in mine() if basic not in p["body"]]
    if not others:
        return
    with SipUser(kam, user, kam.users[user]) as owner:
        for publication in others:
            answer = owner.publish("", expires=0, etag=publication["etag"])
            # 412: the publication expired or baresip replaced it meanwhile; gone either way.
            assert answer.status in (200, 412), answer
