"""HID telephony headsets, sans-IO: the report descriptor, input reports in, LED
output reports out.

A USB headset with call buttons describes itself with a HID report descriptor (USB HID
1.11 §6.2.2): a byte string of short items. The controls a softphone needs are on the
Telephony page (0x0B: Hook Switch 0x20, Flash 0x21, Redial 0x24, Phone Mute 0x2F, Line
Busy Tone 0x97, Drop 0x26), the LED page (0x08: Mute 0x09, Off-Hook 0x17, Ring 0x18, Hold
0x20, Microphone 0x21, On-Line 0x2A) and, inside a telephony collection, Button 7 of the
Button page (0x09), which Teams-style headset dongles use as "reject call". This module parses the descriptor into fields (report id, bit offset,
bit size, logical range, absolute or relative), decodes input reports into events and
encodes the LED output reports. No file handles, no clock: the device side is
`parley.media.headset_device`.

Reports are handled as the OS hands them over (Linux hidraw, hidapi): when the
descriptor uses report ids, the first byte of an input report is the report id and the
fields follow it; an output report is written with its id first, 0 when there are none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

PAGE_LED = 0x08
PAGE_TELEPHONY = 0x0B
PAGE_BUTTON = 0x09


def usage(page: int, usage_id: int) -> int:
    """A 32-bit extended usage: page in the high half, id in the low half."""
    return (page << 16) | usage_id


# Telephony page (HID Usage Tables §14)
HOOK_SWITCH = usage(PAGE_TELEPHONY, 0x20)
FLASH = usage(PAGE_TELEPHONY, 0x21)
REDIAL = usage(PAGE_TELEPHONY, 0x24)
PHONE_MUTE = usage(PAGE_TELEPHONY, 0x2F)
DROP = usage(PAGE_TELEPHONY, 0x26)  # "drop the call": while ringing, a refusal
LINE_BUSY_TONE = usage(PAGE_TELEPHONY, 0x97)
RINGER = usage(PAGE_TELEPHONY, 0x9E)
# LED page (§11)
LED_MUTE = usage(PAGE_LED, 0x09)
LED_OFF_HOOK = usage(PAGE_LED, 0x17)
LED_RING = usage(PAGE_LED, 0x18)
LED_HOLD = usage(PAGE_LED, 0x20)
LED_MICROPHONE = usage(PAGE_LED, 0x21)
LED_ONLINE = usage(PAGE_LED, 0x2A)
# Button page, only inside a telephony collection: "Reject call" of headset dongles built
# for Microsoft Teams (the Gigaset dongle's HID page documents Button 7 as reject; the
# Jabra layout in tests/headset_descriptors.py has it in the same place)
BUTTON_REJECT = usage(PAGE_BUTTON, 0x07)

TELEPHONY_COLLECTIONS = {usage(PAGE_TELEPHONY, u) for u in (0x01, 0x05)}  # Phone, Headset


MAX_REPORT_BITS = 16384 * 8  # the Linux kernel's HID_MAX_BUFFER_SIZE, in bits


class DescriptorError(ValueError):
    """The report descriptor cannot be parsed (truncated, long item, stack misuse)."""


class ReportKind(Enum):
    INPUT = "input"
    OUTPUT = "output"
    FEATURE = "feature"


_MAIN_KIND = {0x8: ReportKind.INPUT, 0x9: ReportKind.OUTPUT, 0xB: ReportKind.FEATURE}


@dataclass(frozen=True)
class Item:
    """One short item: type 0 main, 1 global, 2 local; `tag` 0-15; `data` 0-4 bytes."""

    type: int
    tag: int
    data: bytes

    @property
    def unsigned(self) -> int:
        return int.from_bytes(self.data, "little", signed=False)

    @property
    def signed(self) -> int:
        return int.from_bytes(self.data, "little", signed=True) if self.data else 0


def parse_items(data: bytes) -> list[Item]:
    """Split a descriptor into short items. Long items (0xFE) are reserved and unused by
    any telephony device: refused rather than guessed at."""
    items: list[Item] = []
    i = 0
    while i < len(data):
        prefix = data[i]
        if prefix == 0xFE:
            raise DescriptorError(f"long item at byte {i}: not supported")
        size = (0, 1, 2, 4)[prefix & 0x03]
        if i + 1 + size > len(data):
            raise DescriptorError(f"item at byte {i} runs past the end of the descriptor")
        items.append(Item((prefix >> 2) & 0x03, prefix >> 4, bytes(data[i + 1 : i + 1 + size])))
        i += 1 + size
    return items


@dataclass(frozen=True)
class Field:
    """One control in a report. `bit_offset` counts from the first byte after the report
    id. An array field (`variable` False) holds `count` slots of `bit_size` bits, each
    naming one of `usages` (index from logical minimum) or nothing."""

    kind: ReportKind
    report_id: int
    usages: tuple[int, ...]
    bit_offset: int
    bit_size: int
    count: int
    logical_min: int
    logical_max: int
    variable: bool
    absolute: bool
    preferred_state: bool
    constant: bool
    collection: int  # the usage of the application collection it belongs to (0: none)

    @property
    def usage(self) -> int:
        return self.usages[0] if self.usages else 0


@dataclass
class _Globals:
    page: int = 0
    logical_min: int = 0
    logical_max: int = 0
    size: int = 0
    count: int = 0
    report_id: int = 0


@dataclass(frozen=True)
class ReportDescriptor:
    """A parsed descriptor: every non-constant variable control as its own `Field`
    (one per usage), arrays as one field each, and the report sizes in bits."""

    fields: tuple[Field, ...]
    report_bits: dict[tuple[ReportKind, int], int] = field(default_factory=dict)
    collections: tuple[int, ...] = ()

    @property
    def uses_report_ids(self) -> bool:
        return any(rid for (_, rid) in self.report_bits)

    @property
    def is_telephony(self) -> bool:
        return any(c in TELEPHONY_COLLECTIONS for c in self.collections)

    def report_length(self, kind: ReportKind, report_id: int) -> int:
        """Bytes of a report as sent, the report id byte included when there is one."""
        bits = self.report_bits.get((kind, report_id), 0)
        return (bits + 7) // 8 + (1 if report_id else 0)

    def find(self, wanted: int, kind: ReportKind) -> Field | None:
        """The variable field of usage `wanted` of `kind`; a field inside a telephony
        collection wins over one elsewhere (some headsets repeat Mute on the consumer page
        or a vendor collection)."""
        found = [f for f in self.fields if f.kind is kind and f.variable and f.usage == wanted]
        found.sort(key=lambda f: f.collection not in TELEPHONY_COLLECTIONS)
        return found[0] if found else None

    @classmethod
    def parse(cls, data: bytes) -> ReportDescriptor:
        g = _Globals()
        stack: list[_Globals] = []
        local_usages: list[int] = []
        usage_min: int | None = None
        depth = 0
        app_collection = 0
        collections: list[int] = []
        offsets: dict[tuple[ReportKind, int], int] = {}
        fields: list[Field] = []

        def extended(item: Item) -> int:
            # a 4-byte usage carries its own page; shorter ones take the global page
            return item.unsigned if len(item.data) == 4 else usage(g.page, item.unsigned)

        for item in parse_items(data):
            if item.type == 1:  # global
                if item.tag == 0x0:
                    g.page = item.unsigned
                elif item.tag == 0x1:
                    g.logical_min = item.signed
                elif item.tag == 0x2:
                    g.logical_max = item.signed
                elif item.tag == 0x7:
                    g.size = item.unsigned
                elif item.tag == 0x8:
                    g.report_id = item.unsigned
                elif item.tag == 0x9:
                    g.count = item.unsigned
                elif item.tag == 0xA:
                    stack.append(_Globals(**vars(g)))
                elif item.tag == 0xB:
                    if not stack:
                        raise DescriptorError("Pop without Push")
                    g = stack.pop()
                continue
            if item.type == 2:  # local
                if item.tag == 0x0:
                    local_usages.append(extended(item))
                elif item.tag == 0x1:
                    usage_min = extended(item)
                elif item.tag == 0x2 and usage_min is not None:
                    top = extended(item)
                    if top - usage_min > 0xFFFF:
                        raise DescriptorError("usage range too large")
                    local_usages.extend(range(usage_min, top + 1))
                    usage_min = None
                continue
            if item.type != 0:
                raise DescriptorError(f"reserved item type {item.type}")
            if item.tag == 0xA:  # collection
                if depth == 0:
                    app_collection = local_usages[0] if local_usages else 0
                    collections.append(app_collection)
                depth += 1
            elif item.tag == 0xC:  # end collection
                depth = max(0, depth - 1)
            elif item.tag in _MAIN_KIND:
                kind = _MAIN_KIND[item.tag]
                flags = item.unsigned
                key = (kind, g.report_id)
                start = offsets.get(key, 0)
                if g.count > MAX_REPORT_BITS or start + g.size * g.count > MAX_REPORT_BITS:
                    raise DescriptorError(f"report {g.report_id} larger than the kernel allows")
                constant = bool(flags & 0x01)
                variable = bool(flags & 0x02)
                common = dict(
                    kind=kind,
                    report_id=g.report_id,
                    logical_min=g.logical_min,
                    logical_max=g.logical_max,
                    variable=variable,
                    absolute=not flags & 0x04,
                    preferred_state=not flags & 0x20,
                    constant=constant,
                    collection=app_collection,
                )
                if not constant and variable:
                    for n in range(g.count):
                        # more fields than usages: the last usage repeats (HID §6.2.2.8)
                        if not local_usages:
                            break
                        u = local_usages[min(n, len(local_usages) - 1)]
                        fields.append(
                            Field(
                                usages=(u,),
                                bit_offset=start + n * g.size,
                                bit_size=g.size,
                                count=1,
                                **common,  # type: ignore[arg-type]
                            )
                        )
                elif not constant and local_usages:
                    fields.append(
                        Field(
                            usages=tuple(local_usages),
                            bit_offset=start,
                            bit_size=g.size,
                            count=g.count,
                            **common,  # type: ignore[arg-type]
                        )
                    )
                offsets[key] = start + g.size * g.count
            local_usages = []
            usage_min = None
        return cls(tuple(fields), offsets, tuple(collections))


def read_bits(payload: bytes, offset: int, size: int, signed: bool) -> int:
    """`size` bits at bit `offset` (little-endian bit order, as HID packs them)."""
    end = offset + size
    if size <= 0 or end > len(payload) * 8:
        return 0
    value = (int.from_bytes(payload, "little") >> offset) & ((1 << size) - 1)
    if signed and value & (1 << (size - 1)):
        value -= 1 << size
    return value


def field_value(f: Field, report: bytes) -> int | None:
    """The value of variable field `f` in `report` (with its id byte when the
    descriptor has ids), or None when the report is another one."""
    if f.report_id:
        if not report or report[0] != f.report_id:
            return None
        payload = report[1:]
    else:
        payload = report
    if f.bit_offset + f.bit_size > len(payload) * 8:
        return None
    return read_bits(payload, f.bit_offset, f.bit_size, f.logical_min < 0)


def array_usages(f: Field, report: bytes) -> set[int] | None:
    """The usages an array field names in `report` (pressed buttons), or None."""
    if f.report_id:
        if not report or report[0] != f.report_id:
            return None
        payload = report[1:]
    else:
        payload = report
    found: set[int] = set()
    for n in range(f.count):
        index = read_bits(payload, f.bit_offset + n * f.bit_size, f.bit_size, False)
        pos = index - f.logical_min
        if f.logical_min <= index <= f.logical_max and 0 <= pos < len(f.usages):
            found.add(f.usages[pos])
    return found


# -- the telephony controls of one device -------------------------------------------


class ControlType(Enum):
    """HID Usage Tables §3.4.1.2 on/off controls: how a button reports."""

    TOGGLE_SWITCH = "toggle switch"  # absolute, 0/1: the value is the state
    TOGGLE_BUTTON = "toggle button"  # relative, 0/1, preferred state: 1 means "toggle"
    ON_OFF_BUTTONS = "on/off buttons"  # relative, -1/+1: off / on
    UNKNOWN = "unknown"


def control_type(f: Field) -> ControlType:
    if not f.absolute and f.logical_min == -1 and f.logical_max == 1:
        return ControlType.ON_OFF_BUTTONS
    if not f.absolute and f.logical_min == 0 and f.logical_max == 1:
        return ControlType.TOGGLE_BUTTON
    if f.absolute and f.logical_min == 0 and f.logical_max >= 1:
        return ControlType.TOGGLE_SWITCH
    return ControlType.UNKNOWN


INPUT_USAGES = (HOOK_SWITCH, PHONE_MUTE, FLASH, REDIAL, LINE_BUSY_TONE, DROP, BUTTON_REJECT)
LED_USAGES = (LED_OFF_HOOK, LED_MUTE, LED_RING, LED_HOLD, LED_MICROPHONE, LED_ONLINE)


@dataclass(frozen=True)
class TelephonyMap:
    """Where a device keeps the controls Parley uses: input fields by usage and LED
    output fields by usage (Ringer on the telephony page stands in for the Ring LED on
    devices without it)."""

    descriptor: ReportDescriptor
    inputs: dict[int, Field]
    leds: dict[int, Field]

    @classmethod
    def from_descriptor(cls, descriptor: ReportDescriptor | bytes) -> TelephonyMap:
        d = (
            descriptor
            if isinstance(descriptor, ReportDescriptor)
            else (ReportDescriptor.parse(descriptor))
        )
        inputs = {u: f for u in INPUT_USAGES if (f := d.find(u, ReportKind.INPUT))}
        reject = inputs.get(BUTTON_REJECT)
        if reject is not None and reject.collection not in TELEPHONY_COLLECTIONS:
            del inputs[BUTTON_REJECT]  # a gamepad's or keyboard's button, not a headset's
        leds = {u: f for u in LED_USAGES if (f := d.find(u, ReportKind.OUTPUT))}
        if LED_RING not in leds and (ringer := d.find(RINGER, ReportKind.OUTPUT)):
            leds[LED_RING] = ringer
        return cls(d, inputs, leds)

    @property
    def usable(self) -> bool:
        """A hook switch or a mute button to act on."""
        return HOOK_SWITCH in self.inputs or PHONE_MUTE in self.inputs


# -- input reports -> events ----------------------------------------------------------


@dataclass(frozen=True)
class HookSwitch:
    """The headset went off hook (`off_hook` True: the user answers / takes the line) or
    back on hook."""

    off_hook: bool


@dataclass(frozen=True)
class MuteToggle:
    """The mute button was pressed: a request to toggle the microphone."""


@dataclass(frozen=True)
class MuteSet:
    """A device that reports mute as a state (on/off buttons) asked for `muted`."""

    muted: bool


@dataclass(frozen=True)
class Flash:
    """The flash button (hold / switch calls on most headsets)."""


@dataclass(frozen=True)
class Redial:
    pass


@dataclass(frozen=True)
class RejectPress:
    """A reject button (Button 7 of a telephony collection) or Drop was pressed."""


@dataclass(frozen=True)
class TalkPress:
    """A hook switch that is a talk button (Sennheiser): answer or end, as the calls are."""


@dataclass(frozen=True)
class LineBusy:
    busy: bool


HeadsetEvent = (
    HookSwitch | MuteToggle | MuteSet | Flash | Redial | LineBusy | RejectPress | TalkPress
)


class HookMode(Enum):
    """How a device's Hook Switch reports (a vendor quirk, see headset_control)."""

    STANDARD = "standard"  # by its HID control type (§3.4.1.2)
    TALK_ON_RELEASE = "talk on release"  # a momentary talk button: 1 then 0 is one press
    TALK_ON_CHANGE = "talk on change"  # the device flips its hook state at each press


class InputDecoder:
    """Turns a stream of input reports into events. Values are remembered per control, so
    an absolute control gives an event on change only and a button one per press (the
    0→1 edge): real headsets send the press and then the release of the mute button as
    two reports (1, then 0), whatever the descriptor says (WICG/webhid#72).

    `mute_is_state`: take an absolute Phone Mute as the state itself (a quirk; by default
    every Phone Mute press is a toggle request that the host answers with the mute LED).
    """

    def __init__(
        self,
        tmap: TelephonyMap,
        *,
        mute_is_state: bool = False,
        hook_mode: HookMode = HookMode.STANDARD,
    ) -> None:
        self.map = tmap
        self._mute_is_state = mute_is_state
        self._hook_mode = hook_mode
        self._last: dict[int, int] = {u: 0 for u in tmap.inputs}

    def set_hook_state(self, off_hook: bool) -> None:
        """What the host made the device's hook state (by setting the off-hook LED):
        absolute devices follow it, and must not then look like a user's change."""
        if HOOK_SWITCH in self._last:
            self._last[HOOK_SWITCH] = int(off_hook)

    def feed(self, report: bytes) -> list[HeadsetEvent]:
        events: list[HeadsetEvent] = []
        for u, f in self.map.inputs.items():
            value = field_value(f, report)
            if value is None:
                continue
            before, self._last[u] = self._last[u], value
            events.extend(self._event(u, f, before, value))
        return events

    def _event(self, u: int, f: Field, before: int, value: int) -> list[HeadsetEvent]:
        kind = control_type(f)
        pressed = value > 0 and before <= 0
        if u == HOOK_SWITCH:
            if self._hook_mode is HookMode.TALK_ON_RELEASE:
                return [TalkPress()] if before > 0 and value <= 0 else []
            if self._hook_mode is HookMode.TALK_ON_CHANGE:
                return [TalkPress()] if (value > 0) != (before > 0) else []
            if kind is ControlType.ON_OFF_BUTTONS:
                return [HookSwitch(value > 0)] if value else []
            if kind is ControlType.TOGGLE_BUTTON:
                return [HookSwitch(True)] if pressed else []  # direction set by the host
            return [HookSwitch(value > 0)] if (value > 0) != (before > 0) else []
        if u == PHONE_MUTE:
            if kind is ControlType.ON_OFF_BUTTONS:
                return [MuteSet(value > 0)] if value else []
            if self._mute_is_state and kind is ControlType.TOGGLE_SWITCH:
                return [MuteSet(value > 0)] if (value > 0) != (before > 0) else []
            return [MuteToggle()] if pressed else []
        if u == FLASH:
            return [Flash()] if pressed else []
        if u == REDIAL:
            return [Redial()] if pressed else []
        if u in (BUTTON_REJECT, DROP):
            return [RejectPress()] if pressed else []
        if u == LINE_BUSY_TONE:
            return [LineBusy(value > 0)] if (value > 0) != (before > 0) else []
        return []


# -- LED state -> output reports ------------------------------------------------------


@dataclass(frozen=True)
class LedState:
    off_hook: bool = False
    ring: bool = False
    mute: bool = False
    hold: bool = False
    online: bool | None = None  # the On-Line LED, driven only for devices that need it

    def values(self) -> dict[int, bool]:
        # the Microphone LED is mute's twin: Jabra and Poly answer a mute press with either
        values = {
            LED_OFF_HOOK: self.off_hook,
            LED_RING: self.ring,
            LED_MUTE: self.mute,
            LED_MICROPHONE: self.mute,
            LED_HOLD: self.hold,
        }
        if self.online is not None:
            values[LED_ONLINE] = self.online
        return values


def encode_leds(tmap: TelephonyMap, state: LedState) -> list[bytes]:
    """The output reports that set the device's LEDs to `state`: one per report id that
    holds at least one of them, in report id order, every other bit zero. Each is as
    hidraw and hidapi take it for writing: the report id first, or 0 for a device
    without report ids (its reads, unlike its writes, carry no such byte)."""
    by_report: dict[int, list[tuple[Field, bool]]] = {}
    for u, on in state.values().items():
        f = tmap.leds.get(u)
        if f is not None:
            by_report.setdefault(f.report_id, []).append((f, on))
    reports: list[bytes] = []
    for rid in sorted(by_report):
        size = tmap.descriptor.report_length(ReportKind.OUTPUT, rid) - (1 if rid else 0)
        value = 0
        for f, on in by_report[rid]:
            level = f.logical_max if on else max(f.logical_min, 0)
            value |= (level & ((1 << f.bit_size) - 1)) << f.bit_offset
        payload = value.to_bytes(size, "little")
        reports.append(bytes([rid]) + payload)
    return reports
