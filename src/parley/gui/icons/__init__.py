"""Parley's own icons, drawn with QPainter (no image files, so they scale and ship with
the code). `icon(name)` gives a QIcon, `pixmap(name, size)` a QPixmap.

Semantic icons (call, hang up, registration states, call types) have fixed colours;
neutral ones use a mid grey that reads on light and dark themes alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QIcon,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
)

GREEN = "#2e9d4f"
RED = "#d23b3b"
AMBER = "#e0a020"
BLUE = "#2f6fd6"
GREY = "#7d838c"
ORANGE = "#e07a1f"

Painter = Callable[[QPainter, float], None]
_DRAW: dict[str, tuple[Painter, str]] = {}


def _icon(name: str, colour: str = GREY) -> Callable[[Painter], Painter]:
    def register(fn: Painter) -> Painter:
        _DRAW[name] = (fn, colour)
        return fn

    return register


def names() -> list[str]:
    return sorted(_DRAW)


def _pen(p: QPainter, colour: QColor, width: float) -> None:
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)


def _handset(p: QPainter, s: float, angle: float) -> None:
    """A telephone handset: a thick arc with an ear and a mouth piece."""
    p.save()
    p.translate(s / 2, s / 2)
    p.rotate(angle)
    c = p.pen().color()
    path = QPainterPath()
    r = s * 0.36
    path.arcMoveTo(QRectF(-r, -r, 2 * r, 2 * r), 200)
    path.arcTo(QRectF(-r, -r, 2 * r, 2 * r), 200, 140)
    _pen(p, c, s * 0.16)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    for deg in (205, 335):
        x = r * math.cos(math.radians(deg))
        y = -r * math.sin(math.radians(deg))
        p.drawEllipse(QPointF(x, y), s * 0.13, s * 0.13)
    p.restore()


@_icon("call", GREEN)
def _call(p: QPainter, s: float) -> None:
    _handset(p, s, -35)


@_icon("hangup", RED)
def _hangup(p: QPainter, s: float) -> None:
    p.translate(0, s * 0.12)
    _handset(p, s, 180)


@_icon("app", BLUE)
def _app(p: QPainter, s: float) -> None:
    c = p.pen().color()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawRoundedRect(QRectF(0, 0, s, s), s * 0.22, s * 0.22)
    _pen(p, QColor("white"), s * 0.08)
    p.scale(0.8, 0.8)
    p.translate(s * 0.125, s * 0.125)
    _handset(p, s, -35)


@_icon("registered", GREEN)
def _registered(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.14)
    p.drawPolyline(
        QPolygonF(
            [QPointF(s * 0.18, s * 0.52), QPointF(s * 0.42, s * 0.76), QPointF(s * 0.84, s * 0.26)]
        )
    )


@_icon("registering", AMBER)
def _registering(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.12)
    p.drawEllipse(QRectF(s * 0.2, s * 0.2, s * 0.6, s * 0.6))


@_icon("not_registered", RED)
def _not_registered(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.14)
    p.drawLine(QPointF(s * 0.22, s * 0.22), QPointF(s * 0.78, s * 0.78))
    p.drawLine(QPointF(s * 0.78, s * 0.22), QPointF(s * 0.22, s * 0.78))


@_icon("disabled", GREY)
def _disabled(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.12)
    p.drawLine(QPointF(s * 0.22, s * 0.5), QPointF(s * 0.78, s * 0.5))


def _arrow(p: QPainter, s: float, outgoing: bool) -> None:
    """A diagonal arrow: up-right for outgoing calls, down-left for incoming ones."""
    _pen(p, p.pen().color(), s * 0.11)
    a, b = QPointF(s * 0.22, s * 0.78), QPointF(s * 0.78, s * 0.22)
    start, end = (a, b) if outgoing else (b, a)
    p.drawLine(start, end)
    dx = (end.x() - start.x()) / abs(end.x() - start.x())
    dy = (end.y() - start.y()) / abs(end.y() - start.y())
    p.drawPolyline(
        QPolygonF(
            [
                QPointF(end.x() - dx * s * 0.36, end.y()),
                end,
                QPointF(end.x(), end.y() - dy * s * 0.36),
            ]
        )
    )


def _bar(p: QPainter, s: float) -> None:
    """The "refused" mark: a short bar across the lower right corner."""
    _pen(p, p.pen().color(), s * 0.11)
    p.drawLine(QPointF(s * 0.62, s * 0.92), QPointF(s * 0.95, s * 0.62))


@_icon("successful_outgoing", GREEN)
def _successful_outgoing(p: QPainter, s: float) -> None:
    _arrow(p, s, True)


@_icon("unsuccessful_outgoing", GREY)
def _unsuccessful_outgoing(p: QPainter, s: float) -> None:
    _arrow(p, s, True)
    _pen(p, QColor(RED), s * 0.09)
    p.drawLine(QPointF(s * 0.05, s * 0.55), QPointF(s * 0.35, s * 0.85))
    p.drawLine(QPointF(s * 0.35, s * 0.55), QPointF(s * 0.05, s * 0.85))


@_icon("rejected_outgoing", ORANGE)
def _rejected_outgoing(p: QPainter, s: float) -> None:
    _arrow(p, s, True)
    _bar(p, s)


@_icon("accepted_incoming", GREEN)
def _accepted_incoming(p: QPainter, s: float) -> None:
    _arrow(p, s, False)


@_icon("rejected_incoming", ORANGE)
def _rejected_incoming(p: QPainter, s: float) -> None:
    _arrow(p, s, False)
    _bar(p, s)


@_icon("missed", RED)
def _missed(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.11)
    # A zig-zag arrow (the call came in and bounced off).
    p.drawPolyline(
        QPolygonF(
            [QPointF(s * 0.1, s * 0.3), QPointF(s * 0.45, s * 0.7), QPointF(s * 0.85, s * 0.25)]
        )
    )
    p.drawPolyline(
        QPolygonF(
            [QPointF(s * 0.1, s * 0.62), QPointF(s * 0.1, s * 0.3), QPointF(s * 0.42, s * 0.3)]
        )
    )


@_icon("transferred", BLUE)
def _transferred(p: QPainter, s: float) -> None:
    # In and out: the call was handed on to somebody else.
    _arrow(p, s, False)
    _arrow(p, s, True)


@_icon("forwarded", BLUE)
def _forwarded(p: QPainter, s: float) -> None:
    _arrow(p, s, True)  # sent on at once or after ringing (call forwarding)


@_icon("deflected", AMBER)
def _deflected(p: QPainter, s: float) -> None:
    _arrow(p, s, True)  # sent on by hand while it rang


@_icon("mute")
def _mute(p: QPainter, s: float) -> None:
    c = p.pen().color()
    _pen(p, c, s * 0.1)
    p.drawRoundedRect(QRectF(s * 0.38, s * 0.1, s * 0.24, s * 0.45), s * 0.12, s * 0.12)
    p.drawArc(QRectF(s * 0.26, s * 0.25, s * 0.48, s * 0.45), 180 * 16, 180 * 16)
    p.drawLine(QPointF(s * 0.5, s * 0.7), QPointF(s * 0.5, s * 0.88))
    _pen(p, QColor(RED), s * 0.1)
    p.drawLine(QPointF(s * 0.18, s * 0.12), QPointF(s * 0.82, s * 0.88))


@_icon("microphone")
def _microphone(p: QPainter, s: float) -> None:
    c = p.pen().color()
    _pen(p, c, s * 0.1)
    p.drawRoundedRect(QRectF(s * 0.38, s * 0.1, s * 0.24, s * 0.45), s * 0.12, s * 0.12)
    p.drawArc(QRectF(s * 0.26, s * 0.25, s * 0.48, s * 0.45), 180 * 16, 180 * 16)
    p.drawLine(QPointF(s * 0.5, s * 0.7), QPointF(s * 0.5, s * 0.88))


@_icon("speaker")
def _speaker(p: QPainter, s: float) -> None:
    c = p.pen().color()
    _pen(p, c, s * 0.08)
    p.setBrush(c)
    p.drawPolygon(
        QPolygonF(
            [
                QPointF(s * 0.12, s * 0.38),
                QPointF(s * 0.3, s * 0.38),
                QPointF(s * 0.5, s * 0.18),
                QPointF(s * 0.5, s * 0.82),
                QPointF(s * 0.3, s * 0.62),
                QPointF(s * 0.12, s * 0.62),
            ]
        )
    )
    p.setBrush(Qt.BrushStyle.NoBrush)
    for r in (0.18, 0.32):
        p.drawArc(QRectF(s * (0.5 - r), s * (0.5 - r), s * 2 * r, s * 2 * r), -45 * 16, 90 * 16)


@_icon("keypad")
def _keypad(p: QPainter, s: float) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(GREY))
    for row in range(4):
        for col in range(3):
            p.drawEllipse(
                QPointF(s * (0.25 + col * 0.25), s * (0.14 + row * 0.24)), s * 0.08, s * 0.08
            )


@_icon("stats")
def _stats(p: QPainter, s: float) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(GREY))
    for i, h in enumerate((0.35, 0.6, 0.45, 0.8)):
        p.drawRect(QRectF(s * (0.12 + i * 0.2), s * (0.9 - h), s * 0.14, s * h))


@_icon("hold")
def _hold(p: QPainter, s: float) -> None:
    c = p.pen().color()  # grey, or the colour asked for (amber while a call is held)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawRoundedRect(QRectF(s * 0.25, s * 0.18, s * 0.16, s * 0.64), s * 0.04, s * 0.04)
    p.drawRoundedRect(QRectF(s * 0.59, s * 0.18, s * 0.16, s * 0.64), s * 0.04, s * 0.04)


@_icon("resume", GREEN)
def _resume(p: QPainter, s: float) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(GREEN))
    p.drawPolygon(
        QPolygonF(
            [QPointF(s * 0.28, s * 0.16), QPointF(s * 0.82, s * 0.5), QPointF(s * 0.28, s * 0.84)]
        )
    )


@_icon("settings")
def _settings(p: QPainter, s: float) -> None:
    c = p.pen().color()
    _pen(p, c, s * 0.14)
    p.translate(s / 2, s / 2)
    for i in range(8):
        p.save()
        p.rotate(i * 45)
        p.drawLine(QPointF(0, -s * 0.3), QPointF(0, -s * 0.4))
        p.restore()
    _pen(p, c, s * 0.1)
    p.drawEllipse(QPointF(0, 0), s * 0.24, s * 0.24)
    p.drawEllipse(QPointF(0, 0), s * 0.08, s * 0.08)


@_icon("voicemail")
def _voicemail(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.1)
    p.drawEllipse(QPointF(s * 0.27, s * 0.5), s * 0.16, s * 0.16)
    p.drawEllipse(QPointF(s * 0.73, s * 0.5), s * 0.16, s * 0.16)
    p.drawLine(QPointF(s * 0.27, s * 0.66), QPointF(s * 0.73, s * 0.66))


@_icon("error", RED)
def _error(p: QPainter, s: float) -> None:
    c = p.pen().color()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawPolygon(
        QPolygonF(
            [QPointF(s * 0.5, s * 0.08), QPointF(s * 0.95, s * 0.9), QPointF(s * 0.05, s * 0.9)]
        )
    )
    _pen(p, QColor("white"), s * 0.1)
    p.drawLine(QPointF(s * 0.5, s * 0.36), QPointF(s * 0.5, s * 0.6))
    p.drawPoint(QPointF(s * 0.5, s * 0.76))


@_icon("no_error")
def _no_error(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.08)
    p.drawPolygon(
        QPolygonF(
            [QPointF(s * 0.5, s * 0.1), QPointF(s * 0.92, s * 0.88), QPointF(s * 0.08, s * 0.88)]
        )
    )


@_icon("more")
def _more(p: QPainter, s: float) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(GREY))
    for i in range(3):
        p.drawEllipse(QPointF(s * (0.2 + i * 0.3), s * 0.5), s * 0.09, s * 0.09)


@_icon("add")
def _add(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.13)
    p.drawLine(QPointF(s * 0.5, s * 0.16), QPointF(s * 0.5, s * 0.84))
    p.drawLine(QPointF(s * 0.16, s * 0.5), QPointF(s * 0.84, s * 0.5))


def _star_polygon(s: float) -> QPolygonF:
    points = []
    for i in range(10):
        r = s * (0.45 if i % 2 == 0 else 0.19)
        a = math.radians(-90 + i * 36)
        points.append(QPointF(s / 2 + r * math.cos(a), s * 0.53 + r * math.sin(a)))
    return QPolygonF(points)


@_icon("star")
def _star(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.07)
    p.drawPolygon(_star_polygon(s))


@_icon("star_filled", AMBER)
def _star_filled(p: QPainter, s: float) -> None:
    p.setBrush(p.pen().color())
    _pen(p, p.pen().color(), s * 0.07)
    p.drawPolygon(_star_polygon(s))


@_icon("delete")
def _delete(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.08)
    p.drawLine(QPointF(s * 0.15, s * 0.22), QPointF(s * 0.85, s * 0.22))
    p.drawLine(QPointF(s * 0.4, s * 0.12), QPointF(s * 0.6, s * 0.12))
    p.drawPolygon(
        QPolygonF(
            [
                QPointF(s * 0.25, s * 0.3),
                QPointF(s * 0.75, s * 0.3),
                QPointF(s * 0.7, s * 0.9),
                QPointF(s * 0.3, s * 0.9),
            ]
        )
    )


@_icon("edit")
def _edit(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.1)
    p.drawPolygon(
        QPolygonF(
            [
                QPointF(s * 0.68, s * 0.12),
                QPointF(s * 0.88, s * 0.32),
                QPointF(s * 0.35, s * 0.85),
                QPointF(s * 0.12, s * 0.88),
                QPointF(s * 0.15, s * 0.65),
            ]
        )
    )


@_icon("contacts")
def _contacts(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.09)
    p.drawEllipse(QPointF(s * 0.5, s * 0.33), s * 0.17, s * 0.17)
    p.drawArc(QRectF(s * 0.18, s * 0.56, s * 0.64, s * 0.6), 0, 180 * 16)


@_icon("recent")
def _recent(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.09)
    p.drawEllipse(QPointF(s * 0.5, s * 0.5), s * 0.38, s * 0.38)
    p.drawPolyline(
        QPolygonF(
            [QPointF(s * 0.5, s * 0.26), QPointF(s * 0.5, s * 0.52), QPointF(s * 0.68, s * 0.62)]
        )
    )


@_icon("search")
def _search(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.1)
    p.drawEllipse(QPointF(s * 0.42, s * 0.42), s * 0.25, s * 0.25)
    p.drawLine(QPointF(s * 0.6, s * 0.6), QPointF(s * 0.86, s * 0.86))


@_icon("silence")
def _silence(p: QPainter, s: float) -> None:
    c = p.pen().color()
    _pen(p, c, s * 0.09)
    path = QPainterPath()
    path.moveTo(s * 0.2, s * 0.72)
    path.lineTo(s * 0.8, s * 0.72)
    path.cubicTo(s * 0.68, s * 0.6, s * 0.72, s * 0.22, s * 0.5, s * 0.2)
    path.cubicTo(s * 0.28, s * 0.22, s * 0.32, s * 0.6, s * 0.2, s * 0.72)
    p.drawPath(path)
    p.drawPoint(QPointF(s * 0.5, s * 0.84))
    _pen(p, QColor(RED), s * 0.09)
    p.drawLine(QPointF(s * 0.15, s * 0.12), QPointF(s * 0.85, s * 0.88))


@_icon("compact")
def _compact(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.12)
    p.drawPolyline(
        QPolygonF(
            [QPointF(s * 0.62, s * 0.2), QPointF(s * 0.32, s * 0.5), QPointF(s * 0.62, s * 0.8)]
        )
    )


@_icon("expand")
def _expand(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.12)
    p.drawPolyline(
        QPolygonF(
            [QPointF(s * 0.38, s * 0.2), QPointF(s * 0.68, s * 0.5), QPointF(s * 0.38, s * 0.8)]
        )
    )


@_icon("picture")
def _picture(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.08)
    p.drawRect(QRectF(s * 0.12, s * 0.2, s * 0.76, s * 0.6))
    p.drawPolyline(
        QPolygonF(
            [QPointF(s * 0.12, s * 0.72), QPointF(s * 0.38, s * 0.45), QPointF(s * 0.6, s * 0.66)]
        )
    )
    p.drawEllipse(QPointF(s * 0.68, s * 0.38), s * 0.06, s * 0.06)


@cache
def pixmap(name: str, size: int = 24, colour: str | None = None) -> QPixmap:
    """The icon `name` drawn at `size` × `size` device pixels (cached)."""
    # A name without a drawing (e.g. a call type newer than this file) gets the
    # transfer arrow rather than an exception in a list.
    fn, default = _DRAW.get(name) or _DRAW["transferred"]
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(QColor(colour or default)))
    p.setBrush(QBrush(Qt.BrushStyle.NoBrush))
    fn(p, float(size))
    p.end()
    return pm


def icon(name: str, colour: str | None = None) -> QIcon:
    """A QIcon for `name` with sharp pixmaps at the usual sizes."""
    result = QIcon()
    for size in (16, 24, 32, 48, 64):
        result.addPixmap(pixmap(name, size, colour))
    return result


@_icon("record", RED)
def _record(p: QPainter, s: float) -> None:
    c = p.pen().color()
    _pen(p, c, s * 0.08)
    p.drawEllipse(QPointF(s * 0.5, s * 0.5), s * 0.36, s * 0.36)
    p.setBrush(QBrush(c))
    p.drawEllipse(QPointF(s * 0.5, s * 0.5), s * 0.2, s * 0.2)


@_icon("split")
def _split(p: QPainter, s: float) -> None:
    _pen(p, p.pen().color(), s * 0.1)
    p.drawLine(QPointF(s * 0.5, s * 0.88), QPointF(s * 0.5, s * 0.5))
    p.drawPolyline(
        QPolygonF(
            [QPointF(s * 0.18, s * 0.14), QPointF(s * 0.5, s * 0.5), QPointF(s * 0.82, s * 0.14)]
        )
    )


@_icon("chat", BLUE)
def _chat(p: QPainter, s: float) -> None:
    """A speech bubble with its tail at the lower left."""
    _pen(p, p.pen().color(), s * 0.09)
    path = QPainterPath()
    path.addRoundedRect(QRectF(s * 0.1, s * 0.14, s * 0.8, s * 0.56), s * 0.14, s * 0.14)
    p.drawPath(path)
    p.drawPolyline(
        QPolygonF(
            [QPointF(s * 0.28, s * 0.7), QPointF(s * 0.22, s * 0.88), QPointF(s * 0.46, s * 0.7)]
        )
    )
    for x in (0.32, 0.5, 0.68):
        p.drawPoint(QPointF(s * x, s * 0.42))


@_icon("send", BLUE)
def _send(p: QPainter, s: float) -> None:
    """A paper plane pointing right."""
    c = p.pen().color()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawPolygon(
        QPolygonF(
            [
                QPointF(s * 0.08, s * 0.12),
                QPointF(s * 0.94, s * 0.5),
                QPointF(s * 0.08, s * 0.88),
                QPointF(s * 0.2, s * 0.54),
                QPointF(s * 0.58, s * 0.5),
                QPointF(s * 0.2, s * 0.46),
            ]
        )
    )


def _lock_body(p: QPainter, s: float, shackle_open: bool) -> None:
    """A padlock: a filled body and its shackle, closed or swung open to the right."""
    c = p.pen().color()
    _pen(p, c, s * 0.11)
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath()
    left, right, top = s * 0.3, s * 0.7, s * 0.16
    lift = s * 0.1 if shackle_open else 0.0
    # Open: the shackle lifted, its right leg out of the body (a gap shows it is open).
    path.moveTo(QPointF(left, s * 0.46))
    path.lineTo(QPointF(left, top + s * 0.2 - lift))
    path.arcTo(QRectF(left, top - lift, right - left, s * 0.4), 180, -180)
    path.lineTo(QPointF(right, s * 0.3 - lift if shackle_open else s * 0.46))
    p.drawPath(path)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawRoundedRect(QRectF(s * 0.18, s * 0.44, s * 0.64, s * 0.48), s * 0.08, s * 0.08)


@_icon("lock_closed", GREEN)
def _lock_closed(p: QPainter, s: float) -> None:
    """Encrypted, keys and media both protected: a closed lock."""
    _lock_body(p, s, shackle_open=False)
    p.setBrush(QColor("white"))
    p.drawEllipse(QPointF(s * 0.5, s * 0.64), s * 0.07, s * 0.07)
    p.drawRect(QRectF(s * 0.47, s * 0.66, s * 0.06, s * 0.14))


@_icon("lock_exposed", AMBER)
def _lock_exposed(p: QPainter, s: float) -> None:
    """Encrypted, but the keys were exposed (or not yet verified): an open lock with an
    exclamation mark in its body."""
    _lock_body(p, s, shackle_open=True)
    p.setBrush(QColor("white"))
    p.drawRect(QRectF(s * 0.46, s * 0.52, s * 0.08, s * 0.2))
    p.drawEllipse(QPointF(s * 0.5, s * 0.8), s * 0.045, s * 0.045)


@_icon("lock_alert", RED)
def _lock_alert(p: QPainter, s: float) -> None:
    """A security warning (the retained ZRTP secret differs): a red lock with '!'."""
    _lock_exposed(p, s)


@_icon("lock_open", GREY)
def _lock_open(p: QPainter, s: float) -> None:
    """Not encrypted: an open lock, struck through."""
    _lock_body(p, s, shackle_open=True)
    _pen(p, QColor(RED), s * 0.09)
    p.drawLine(QPointF(s * 0.08, s * 0.92), QPointF(s * 0.92, s * 0.08))
