"""A Phone running in this process that accepts direct calls (no registrar needed), with
SIPp callers: the rig of test_incoming_policy and test_auto_answer_waiting. The rig keeps
the phone's events, the SIP messages it sent (from its trace) and the tone ports put on
its audio bridge.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parley.media.engine import AudioConfig
from parley.media.ports import Port
from parley.phone.call import Call
from parley.phone.events import CallStateChanged, PhoneEvent
from parley.phone.phone import Phone
from parley.settings.model import Settings
from peers.common import free_port
from peers.sipp import SCENARIOS, Sipp

TONES = ("ringtone", "call_waiting")


@dataclass
class Rig:
    phone: Phone
    port: int
    tmp: Path
    events: list[PhoneEvent]
    tones: list[str] = field(default_factory=list)  # tone ports added to the bridge, in order
    wire: list[str] = field(default_factory=list)  # SIP messages sent, in order
    sipps: list[Sipp] = field(default_factory=list)

    def caller(self, scenario: str) -> Sipp:
        sipp = Sipp(
            SCENARIOS / scenario,
            local_port=free_port("udp"),
            media_port=free_port("udp"),
            remote=f"127.0.0.1:{self.port}",
            extra_args=["-s", "1001"],
            workdir=self.tmp,
        )
        self.sipps.append(sipp)
        sipp.start()
        return sipp

    def call_events(self, call: int | None = None) -> list[CallStateChanged]:
        return [
            e
            for e in self.events
            if isinstance(e, CallStateChanged) and (call is None or e.call == call)
        ]

    async def wait_event(
        self, match: Callable[[CallStateChanged], bool], timeout: float = 30.0
    ) -> CallStateChanged:
        async def poll() -> CallStateChanged:
            while True:
                for e in self.call_events():
                    if match(e):
                        return e
                await asyncio.sleep(0.02)

        return await asyncio.wait_for(poll(), timeout)

    def call(self, call_id: int) -> Call:
        return self.phone.calls[call_id]


async def finish(sipp: Sipp, timeout: float = 30.0) -> None:
    code = await asyncio.to_thread(sipp.wait, timeout)
    assert code == 0, f"SIPp exit {code}\n{sipp.errors()}\n{sipp.messages()[-4000:]}"


def state(name: str, **fields: Any) -> Callable[[CallStateChanged], bool]:
    def match(e: CallStateChanged) -> bool:
        return e.state == name and all(getattr(e, k) == v for k, v in fields.items())

    return match


class _Wire(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.INFO)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith(">>"):
            self.sink.append(text.split("\n", 1)[1])


@asynccontextmanager
async def running_phone(
    tmp_path: Path,
    *,
    auto_answer: bool | None,
    call_waiting: bool = True,
    functions: dict[str, Any] | None = None,
) -> AsyncIterator[Rig]:
    """A started Phone with the account "office" on a free port; `auto_answer`: the
    phone's fixed switch (None: `functions.auto_answer` of the settings); `functions`:
    more of the settings' functions."""
    port = free_port("udp")
    settings = Settings.model_validate(
        {
            "accounts": [
                {
                    "name": "office",
                    "domain": "127.0.0.1:9",
                    "username": "1001",
                    "transport": "udp",
                    "local_port": port,
                    "register_on_startup": False,
                    "codecs": ["pcmu"],
                }
            ],
            "functions": {"allow_direct_calls": True, **(functions or {})},
            "media": {"call_waiting": call_waiting},
        }
    )
    events: list[PhoneEvent] = []
    phone = Phone(
        settings,
        {},
        events.append,
        bind_host="127.0.0.1",
        audio=AudioConfig(),
        auto_answer=auto_answer,
    )
    rig = Rig(phone, port, tmp_path, events)
    trace = logging.getLogger("parley.sip.trace")
    handler = _Wire(rig.wire)
    trace.addHandler(handler)
    old_level = trace.level
    trace.setLevel(logging.INFO)
    phone.driver.trace_enabled = True
    await phone.start()
    bridge = phone.media.bridge
    add_port = bridge.add_port

    def spy(port: Port) -> int:  # every tone that is put on the bridge, by name
        if port.name in TONES:
            rig.tones.append(port.name)
        return add_port(port)

    bridge.add_port = spy  # type: ignore[method-assign]
    try:
        yield rig
    finally:
        await phone.stop(timeout=5)
        trace.removeHandler(handler)
        trace.setLevel(old_level)
        for sipp in rig.sipps:
            sipp.stop()
