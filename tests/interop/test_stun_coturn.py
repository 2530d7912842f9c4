"""coturn (a real STUN server on 127.0.0.1) answers Parley's Binding requests, sent
from the very sockets whose mapping we want: a SIP UDP socket of the transport layer
and a call's RTP socket. On loopback there is no NAT, so the mapped address is the
socket's own — what coturn saw on the wire."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.media.transport import UdpMediaTransport
from parley.net.stun_client import (
    StunFailure,
    StunProblem,
    media_socket_binding,
    sip_socket_binding,
)
from parley.net.transport import TransportLayer
from peers.common import LOOPBACK, free_port
from peers.coturn import Coturn

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    with Coturn(tmp_path_factory.mktemp("coturn"), LOOPBACK) as server:
        yield server


def test_sip_socket_mapping_from_coturn(coturn: Coturn) -> None:
    async def run() -> tuple[tuple[str, int], tuple[str, int]]:
        seen: list[object] = []
        layer = TransportLayer(lambda message, source: seen.append(message))
        try:
            local = await layer.listen_udp(LOOPBACK, free_port("udp"))
            mapped = await sip_socket_binding(layer, (coturn.host, coturn.port), local[1])
            # The answer went to the STUN client, never to the SIP parser.
            assert seen == []
            return local, mapped
        finally:
            await layer.close()

    local, mapped = asyncio.run(run())
    assert mapped == local


def test_rtp_socket_mapping_from_coturn(coturn: Coturn) -> None:
    async def run() -> tuple[tuple[str, int], tuple[str, int]]:
        media = await UdpMediaTransport.open(LOOPBACK, (20000, 20999))
        try:
            return media.local_address, await media_socket_binding(
                media, (coturn.host, coturn.port)
            )
        finally:
            media.close()

    local, mapped = asyncio.run(run())
    assert mapped == local


def test_no_stun_server_is_a_clear_failure(tmp_path: Path) -> None:
    silent = free_port("udp")  # nothing listens there

    async def run() -> StunFailure:
        layer = TransportLayer(lambda message, source: None)
        try:
            local = await layer.listen_udp(LOOPBACK, free_port("udp"))
            with pytest.raises(StunFailure) as caught:
                await sip_socket_binding(layer, (LOOPBACK, silent), local[1], rto=0.05, max_sends=3)
            return caught.value
        finally:
            await layer.close()

    failure = asyncio.run(run())
    assert failure.problem is StunProblem.NO_ANSWER
    assert f"{LOOPBACK}:{silent}" in failure.detail
