"""HID headsets, the device side: Linux hidraw, hidapi elsewhere, and a replayed device.

All three give the same small interface (`HidDevice`): the report descriptor, one input
report at a time (with a timeout), output reports written. Discovery lists the devices
whose descriptor has a Telephony application collection (usage page 0x0B); hot-plug is
done by the caller polling `discover()`.

Linux: /sys/class/hidraw/hidrawN/device/report_descriptor and its uevent (HID_ID,
HID_NAME) are readable without opening the device; the device node is opened only to
use it (the HIDIOCGRDESC ioctl is used when sysfs has no descriptor). hidapi (PyPI
`hidapi`, module `hid`) is optional and imported only when hidraw is not there.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import struct
import sys
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from parley.media.headset_hid import DescriptorError, ReportDescriptor

SYS_HIDRAW = Path("/sys/class/hidraw")


def _ior(kind: str, nr: int, size: int) -> int:
    # Linux _IOR(type, nr, size): direction read (2) << 30 | size << 16 | type << 8 | nr
    return (2 << 30) | (size << 16) | (ord(kind) << 8) | nr


HID_MAX_DESCRIPTOR_SIZE = 4096
HIDIOCGRDESCSIZE = _ior("H", 0x01, 4)
HIDIOCGRDESC = _ior("H", 0x02, 4 + HID_MAX_DESCRIPTOR_SIZE)
HIDIOCGRAWINFO = _ior("H", 0x03, 8)


class HidDevice(Protocol):
    path: str
    vendor_id: int
    product_id: int
    name: str

    def report_descriptor(self) -> bytes: ...

    def read(self, timeout: float) -> bytes | None:
        """One input report, or None when none came within `timeout` seconds. OSError
        when the device is gone."""
        ...

    def write(self, report: bytes) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class DeviceInfo:
    path: str
    vendor_id: int
    product_id: int
    name: str
    backend: str  # "hidraw" | "hidapi"


# -- Linux hidraw ---------------------------------------------------------------------


class HidrawDevice:
    """/dev/hidrawN opened read-write, non-blocking."""

    def __init__(self, path: str, vendor_id: int = 0, product_id: int = 0, name: str = "") -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        if not vendor_id:
            with contextlib.suppress(OSError):
                info = bytearray(8)
                fcntl.ioctl(self._fd, HIDIOCGRAWINFO, info, True)
                _bus, vendor_id, product_id = struct.unpack("<Ihh", info)
                vendor_id &= 0xFFFF
                product_id &= 0xFFFF
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.name = name or Path(path).name

    def report_descriptor(self) -> bytes:
        size_buf = bytearray(4)
        fcntl.ioctl(self._fd, HIDIOCGRDESCSIZE, size_buf, True)
        (size,) = struct.unpack("<I", size_buf)
        size = min(size, HID_MAX_DESCRIPTOR_SIZE)
        # a mutable buffer: an immutable ioctl argument is limited to 1024 bytes
        buf = bytearray(struct.pack("<I", size) + bytes(HID_MAX_DESCRIPTOR_SIZE))
        fcntl.ioctl(self._fd, HIDIOCGRDESC, buf, True)
        return bytes(buf[4 : 4 + size])

    def read(self, timeout: float) -> bytes | None:
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if not ready:
            return None
        try:
            data = os.read(self._fd, 4096)
        except BlockingIOError:
            return None
        if not data:
            raise OSError(f"{self.path}: device gone")
        return data

    def write(self, report: bytes) -> None:
        os.write(self._fd, report)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)


def _uevent(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            key, _, value = line.partition("=")
            values[key] = value
    return values


def discover_hidraw(root: Path = SYS_HIDRAW) -> list[DeviceInfo]:
    """hidraw nodes whose descriptor (read from sysfs) has a telephony collection."""
    found: list[DeviceInfo] = []
    if not root.is_dir():
        return found
    for node in sorted(root.iterdir()):
        try:
            descriptor = (node / "device" / "report_descriptor").read_bytes()
            if not ReportDescriptor.parse(descriptor).is_telephony:
                continue
        except (OSError, DescriptorError):
            continue
        event = _uevent(node / "device" / "uevent")
        # HID_ID=0003:00000B0E:0000245E (bus:vendor:product)
        parts = event.get("HID_ID", "0:0:0").split(":")
        try:
            vendor, product = int(parts[1], 16), int(parts[2], 16)
        except (IndexError, ValueError):
            vendor = product = 0
        found.append(
            DeviceInfo(f"/dev/{node.name}", vendor, product, event.get("HID_NAME", ""), "hidraw")
        )
    return found


# -- hidapi (optional) -----------------------------------------------------------------


def _hidapi() -> Any | None:
    try:
        import hid  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return hid


class HidapiDevice:
    """A device opened through cython-hidapi (`pip install hidapi`)."""

    def __init__(self, info: DeviceInfo) -> None:
        hid = _hidapi()
        if hid is None:
            raise OSError("hidapi is not installed (pip install hidapi)")
        self.path = info.path
        self.vendor_id, self.product_id, self.name = info.vendor_id, info.product_id, info.name
        self._dev = hid.device()
        self._dev.open_path(info.path.encode())

    def report_descriptor(self) -> bytes:
        getter = getattr(self._dev, "get_report_descriptor", None)
        if getter is None:
            raise OSError("this hidapi has no get_report_descriptor (needs hidapi >= 0.14)")
        return bytes(getter())

    def read(self, timeout: float) -> bytes | None:
        data = self._dev.read(4096, max(1, int(timeout * 1000)))
        return bytes(data) if data else None

    def write(self, report: bytes) -> None:
        self._dev.write(report)  # the report id first, 0 for none (as encode_leds gives)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._dev.close()


def discover_hidapi() -> list[DeviceInfo]:
    hid = _hidapi()
    if hid is None:
        return []
    found: list[DeviceInfo] = []
    for d in hid.enumerate():
        if d.get("usage_page") == 0x0B:
            path = d.get("path", b"")
            found.append(
                DeviceInfo(
                    path.decode() if isinstance(path, bytes) else str(path),
                    int(d.get("vendor_id", 0)),
                    int(d.get("product_id", 0)),
                    str(d.get("product_string") or ""),
                    "hidapi",
                )
            )
    return found


def discover() -> list[DeviceInfo]:
    """Telephony HID devices present now: hidraw on Linux, hidapi elsewhere."""
    if sys.platform.startswith("linux") and SYS_HIDRAW.is_dir():
        return discover_hidraw()
    return discover_hidapi()


def open_device(info: DeviceInfo) -> HidDevice:
    if info.backend == "hidraw":
        return HidrawDevice(info.path, info.vendor_id, info.product_id, info.name)
    return HidapiDevice(info)


# -- a replayed device ------------------------------------------------------------------


class ReplayDevice:
    """A recorded device: its report descriptor and input reports that `push` queues
    (from a test, or from a recording), the output reports written kept in `written`.
    `unplug()` makes the next read fail as a removed device does."""

    def __init__(
        self,
        descriptor: bytes,
        *,
        vendor_id: int = 0,
        product_id: int = 0,
        name: str = "replay",
        path: str = "replay:0",
        reports: Iterable[bytes] = (),
    ) -> None:
        self.path, self.vendor_id, self.product_id, self.name = path, vendor_id, product_id, name
        self._descriptor = bytes(descriptor)
        self._inputs: deque[bytes] = deque(reports)
        self._cond = threading.Condition()
        self._gone = False
        self.written: list[bytes] = []
        self.closed = False

    def push(self, *reports: bytes) -> None:
        with self._cond:
            self._inputs.extend(reports)
            self._cond.notify_all()

    def unplug(self) -> None:
        with self._cond:
            self._gone = True
            self._cond.notify_all()

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._inputs)

    def report_descriptor(self) -> bytes:
        return self._descriptor

    def read(self, timeout: float) -> bytes | None:
        with self._cond:
            if not self._inputs and not self._gone:
                self._cond.wait(timeout)
            if self._gone:
                raise OSError(f"{self.path}: device gone")
            return self._inputs.popleft() if self._inputs else None

    def write(self, report: bytes) -> None:
        with self._cond:
            if self._gone:
                raise OSError(f"{self.path}: device gone")
            self.written.append(bytes(report))

    def close(self) -> None:
        self.closed = True
