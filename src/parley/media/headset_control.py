"""The headset's call logic, sans-IO: device events in, call commands and LED reports out.

- off hook while a call rings → answer it; on hook during a call → hang up;
- the mute button → toggle the microphone, answered at once with the mute LED (Poly and
  Jabra devices take an unanswered press back, or keep a state of their own);
- flash → hold / resume;
- reject (Button 7 of a telephony collection, or Drop) while a call rings → refuse it;
- call states → LEDs: ringing (ring), connected (off-hook, mute), held (off-hook, hold),
  ended (all off).

Vendor quirks (`QUIRKS`, by USB vendor id) and where they come from:

| vendor | quirk | source |
|---|---|---|
| Jabra (GN, 0x0B0E) | hook switch is absolute and follows the off-hook LED the host sets; an off-hook or mute request from the device is ignored by it unless the host acknowledges it (off-hook / mute LED); no mute signal outside a call | developer.jabra.com "Interacting with Jabra devices" (request/acknowledge pattern) and its appendix; gnaudio/jabra-browser-integration#42 ("the events are requests, you need to acknowledge these requests"); the Jabra Speak 510 stream of inspired-futures/jabra-speak-webhid |
| Plantronics / Poly (0x047F) | Phone Mute is a relative one-shot (Input 0x06 in the Blackwire 3220 descriptor); unanswered, the device keeps its own mute state | libusb/hidapi test data 047F_C056 (macOS USB Prober dump); google/libhidtelephony#2 (Poly 3320 sends 1 then 0) |
| Sennheiser / EPOS (0x1395) | the Hook Switch is a momentary talk button: 1 while pressed, 0 at release; one press (1 then 0) answers a ringing call or ends the call (acting on both edges would answer and hang up at once); the On-Line LED (0x08/0x2A) is set during a call besides Off-Hook; the DECT bases (CUBE, DW Office, 0x740A) instead flip the hook state at each press, and take Off-Hook and Mute only after they were set off first | CounterPath Bria/X-Lite's shipped HID profiles for the SC230/SC30/SC630/SC660, UUSB 8 and the DECT CUBE/DW Office (`1395-*.cps`: "talk" on state 0, "call started/ended" on LED 0x2A, `togglewake`/`togglemute` for the DECT) |
| any other | HID Usage Tables §3.4.1.2 control types decide state vs toggle | HID Usage Tables 1.12 |

Every vendor: the mute press arrives as press and release (1, then 0; WICG/webhid#72);
the press is what counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum

from parley.media.headset_hid import (
    HOOK_SWITCH,
    ControlType,
    Flash,
    HeadsetEvent,
    HookMode,
    HookSwitch,
    InputDecoder,
    LedState,
    MuteSet,
    MuteToggle,
    RejectPress,
    TalkPress,
    TelephonyMap,
    control_type,
    encode_leds,
)

VENDOR_IDS = {"jabra": 0x0B0E, "plantronics": 0x047F, "sennheiser": 0x1395}
HEADSET_CHOICES = ("none", "any", "jabra", "plantronics", "sennheiser")


@dataclass(frozen=True)
class Quirks:
    vendor: str
    hook_follows_led: bool = True  # the device's hook state follows our off-hook LED
    acknowledge: bool = True  # answer each hook or mute request with the LEDs at once
    mute_is_state: bool = False  # an absolute Phone Mute is the state, not a toggle
    hook_mode: HookMode = HookMode.STANDARD  # how the Hook Switch reports
    online_led: bool = False  # set the On-Line LED during a call
    led_off_before_on: bool = False  # Off-Hook and Mute LEDs: write off, then on
    vendor_page_call_control: bool = False  # not implemented for anyone (see above)


SENNHEISER = Quirks(
    "sennheiser", hook_follows_led=False, hook_mode=HookMode.TALK_ON_RELEASE, online_led=True
)
SENNHEISER_DECT = Quirks(
    "sennheiser dect",
    hook_follows_led=False,
    hook_mode=HookMode.TALK_ON_CHANGE,
    online_led=True,
    led_off_before_on=True,
)
QUIRKS: dict[int, Quirks] = {
    0x0B0E: Quirks("jabra"),
    0x047F: Quirks("plantronics"),
    0x1395: SENNHEISER,
}
PRODUCT_QUIRKS: dict[tuple[int, int], Quirks] = {
    (0x1395, 0x740A): SENNHEISER_DECT,  # CUBE / DW Office DECT base
}
GENERIC = Quirks("generic")


def quirks_for(vendor_id: int, product_id: int = 0) -> Quirks:
    return PRODUCT_QUIRKS.get((vendor_id, product_id)) or QUIRKS.get(vendor_id, GENERIC)


def accepts(choice: str, vendor_id: int) -> bool:
    """Whether the setting `choice` lets Parley use a telephony device of `vendor_id`."""
    if choice == "none":
        return False
    if choice == "any":
        return True
    return VENDOR_IDS.get(choice) == vendor_id


class Phase(Enum):
    IDLE = "idle"
    RINGING = "ringing"  # an incoming call rings, none is up
    CALLING = "calling"  # our outgoing call is being set up
    CONNECTED = "connected"
    HELD = "held"


@dataclass(frozen=True)
class CallView:
    """What the headset needs of a call (made from the app's CallInfo)."""

    id: int
    direction: str
    state: str  # CallInfo.state: dialing, ringing, early media, incoming, connected, held, ended
    muted: bool = False


@dataclass(frozen=True)
class Answer:
    call: int


@dataclass(frozen=True)
class Hangup:
    call: int


@dataclass(frozen=True)
class Reject:
    call: int


@dataclass(frozen=True)
class SetMute:
    muted: bool


@dataclass(frozen=True)
class Hold:
    call: int


@dataclass(frozen=True)
class Resume:
    call: int


Command = Answer | Hangup | Reject | SetMute | Hold | Resume


@dataclass(frozen=True)
class Output:
    commands: tuple[Command, ...] = ()
    reports: tuple[bytes, ...] = ()


class HeadsetController:
    """One device's state machine. `calls_changed` with the current calls after each call
    event; `feed` with each input report. Both return the commands to run and the output
    reports to write."""

    def __init__(self, tmap: TelephonyMap, quirks: Quirks = GENERIC) -> None:
        self.map = tmap
        self.quirks = quirks
        self.decoder = InputDecoder(
            tmap, mute_is_state=quirks.mute_is_state, hook_mode=quirks.hook_mode
        )
        self.calls: tuple[CallView, ...] = ()
        self.leds = LedState()
        self._written: LedState | None = None

    # -- what is going on --------------------------------------------------------------

    def _live(self) -> list[CallView]:
        return [c for c in self.calls if c.state != "ended"]

    def _ringing(self) -> CallView | None:
        return next(
            (c for c in self._live() if c.direction == "incoming" and c.state == "incoming"),
            None,
        )

    def _up(self) -> CallView | None:
        """The call the headset is on: connected first, then held, then being set up."""
        live = self._live()
        for states in (("connected",), ("held",), ("dialing", "ringing", "early media")):
            for c in live:
                if c.state in states and not (c.direction == "incoming" and c.state == "incoming"):
                    return c
        return None

    @property
    def phase(self) -> Phase:
        up = self._up()
        if up is None:
            return Phase.RINGING if self._ringing() else Phase.IDLE
        return {"connected": Phase.CONNECTED, "held": Phase.HELD}.get(up.state, Phase.CALLING)

    def _wanted_leds(self) -> LedState:
        phase = self.phase
        up = self._up()
        off_hook = phase in (Phase.CALLING, Phase.CONNECTED, Phase.HELD)
        return LedState(
            off_hook=off_hook,
            ring=self._ringing() is not None,
            mute=bool(up and up.muted and phase is Phase.CONNECTED),
            hold=phase is Phase.HELD,
            online=off_hook if self.quirks.online_led else None,
        )

    def _sync_leds(self, force: bool = False) -> tuple[bytes, ...]:
        self.leds = self._wanted_leds()
        before = self._written
        if self.leds == before and not force:
            return ()
        self._written = self.leds
        if self.quirks.hook_follows_led:
            self.decoder.set_hook_state(self.leds.off_hook)
        reports = encode_leds(self.map, self.leds)
        if self.quirks.led_off_before_on and before is not None:
            # Sennheiser's DECT bases miss an Off-Hook or Mute LED switched on unless it
            # was written off first: write the new state with those two still off
            first = replace(
                self.leds,
                off_hook=self.leds.off_hook and before.off_hook,
                mute=self.leds.mute and before.mute,
            )
            if first != self.leds:
                reports = encode_leds(self.map, first) + reports
        return tuple(reports)

    # -- inputs ------------------------------------------------------------------------

    def start(self) -> Output:
        """The device was opened: put its LEDs in step with the calls."""
        return Output(reports=self._sync_leds(force=True))

    def calls_changed(self, calls: Sequence[CallView]) -> Output:
        self.calls = tuple(calls)
        return Output(reports=self._sync_leds())

    def feed(self, report: bytes) -> Output:
        commands: list[Command] = []
        answer = False
        for event in self.decoder.feed(report):
            command = self._command(event)
            if command is not None:
                commands.append(command)
                self._assume(command)
            if isinstance(event, MuteToggle | MuteSet | HookSwitch | TalkPress | RejectPress):
                answer = True
        reports: tuple[bytes, ...] = ()
        if answer and self.quirks.acknowledge:
            # acknowledge at once with the state we asked for (Jabra ignores an off-hook or
            # mute request left unanswered, Poly keeps a mute state of its own); the call
            # events confirm it later, and correct it if the command failed
            reports = self._sync_leds(force=True)
        return Output(tuple(commands), reports)

    def _assume(self, command: Command) -> None:
        """The calls as they will be once `command` has run."""

        def after(c: CallView) -> CallView:
            if isinstance(command, SetMute) and c.state == "connected":
                return CallView(c.id, c.direction, c.state, command.muted)
            if isinstance(command, Answer) and c.id == command.call:
                return CallView(c.id, c.direction, "connected", c.muted)
            if isinstance(command, Hangup | Reject) and c.id == command.call:
                return CallView(c.id, c.direction, "ended", c.muted)
            return c

        self.calls = tuple(after(c) for c in self.calls)

    def _command(self, event: HeadsetEvent) -> Command | None:
        ringing, up = self._ringing(), self._up()
        if isinstance(event, HookSwitch):
            hook = self.map.inputs.get(HOOK_SWITCH)
            toggles = hook is not None and control_type(hook) is ControlType.TOGGLE_BUTTON
            if event.off_hook and not (toggles and up is not None):
                return Answer(ringing.id) if ringing is not None and up is None else None
            return Hangup(up.id) if up is not None else None
        if isinstance(event, TalkPress):
            if up is not None:
                return Hangup(up.id)
            return Answer(ringing.id) if ringing is not None else None
        if isinstance(event, RejectPress):
            return Reject(ringing.id) if ringing is not None else None
        if isinstance(event, MuteToggle):
            if up is None or up.state != "connected":
                return None
            return SetMute(not up.muted)
        if isinstance(event, MuteSet):
            return SetMute(event.muted) if up is not None else None
        if isinstance(event, Flash) and up is not None:
            if up.state == "connected":
                return Hold(up.id)
            if up.state == "held":
                return Resume(up.id)
        return None
