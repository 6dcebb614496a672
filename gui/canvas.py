"""The drawing canvas: white paper, black round pen, mouse and tablet input.

The canvas keeps its own QImage (8-bit grayscale). Strokes are drawn onto it in the
input handlers; ``paintEvent`` only blits it. Every stroke is also kept as a list of
points so Undo can redraw the image without the last one.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from model.preprocess import DEFAULT_PEN_FRACTION

CANVAS_SIDE = 400
#: A letter drawn to fill the canvas comfortably is about this tall.
TYPICAL_LETTER_FRACTION = 0.6


def default_pen_width(side: int = CANVAS_SIDE) -> float:
    """Pen width that matches the generated data: pen fraction × typical letter height."""
    return max(1.0, DEFAULT_PEN_FRACTION * TYPICAL_LETTER_FRACTION * side)


class Canvas(QWidget):
    """A square drawing surface.

    Signals:
        changed(): ink was added (emitted for every segment while drawing).
        strokeFinished(): the pen was lifted.
        cleared(): the canvas was cleared or the last stroke undone.
    """

    changed = Signal()
    strokeFinished = Signal()
    cleared = Signal()

    def __init__(self, side: int = CANVAS_SIDE, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self.setAccessibleName("canvas")
        self.setAccessibleDescription("Draw a capital letter with the mouse or a tablet pen")
        self._side = side
        self.setFixedSize(side, side)
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        self.setCursor(Qt.CrossCursor)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAttribute(Qt.WA_OpaquePaintEvent)
        self.setAttribute(Qt.WA_StaticContents)
        self._image = QImage(side, side, QImage.Format_Grayscale8)
        self._image.fill(255)
        self.pen_width = default_pen_width(side)
        self._strokes: list[tuple[float, list[QPointF]]] = []
        self._current: list[QPointF] | None = None

    # -- public API ---------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(self._side, self._side)

    @property
    def image(self) -> QImage:
        return self._image

    @property
    def stroke_count(self) -> int:
        return len(self._strokes)

    def is_empty(self) -> bool:
        return not self._strokes and self._current is None

    def set_pen_width(self, width: float) -> None:
        self.pen_width = float(width)

    def to_array(self) -> np.ndarray:
        """The image as an ``(h, w)`` uint8 array (black ink on white), a copy.

        QImage rows are padded to 4 bytes, so the buffer is sliced by ``bytesPerLine``."""
        img = self._image
        h, w, bpl = img.height(), img.width(), img.bytesPerLine()
        buf = np.frombuffer(img.constBits(), np.uint8, count=bpl * h).reshape(h, bpl)
        return buf[:, :w].copy()

    def clear(self) -> None:
        self._strokes.clear()
        self._current = None
        self._image.fill(255)
        self.update()
        self.cleared.emit()

    def undo(self) -> None:
        """Remove the last stroke."""
        if self._current is not None or not self._strokes:
            return
        self._strokes.pop()
        self._redraw()
        if self._strokes:
            self.strokeFinished.emit()   # a finished drawing again: guess at once
        else:
            self.cleared.emit()

    def save_png(self, path) -> None:
        """Write the drawing as a PNG, atomically (a temp file beside it, then a rename):
        a failed save leaves any earlier file intact. Raises OSError."""
        from model.data import atomic_write_bytes

        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.WriteOnly)
        if not self._image.save(buf, "PNG"):
            raise OSError("could not encode the drawing as PNG")
        buf.close()
        atomic_write_bytes(Path(path), lambda f: f.write(bytes(data)))

    # -- drawing ------------------------------------------------------------------------
    def _pen(self, width: float) -> QPen:
        return QPen(QColor(0, 0, 0), width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin)

    def _redraw(self) -> None:
        self._image.fill(255)
        p = QPainter(self._image)
        p.setRenderHint(QPainter.Antialiasing)
        for width, pts in self._strokes:
            # Replay the segments exactly as they were drawn live (same antialiased overlaps).
            p.setPen(self._pen(width))
            p.drawPoint(pts[0])
            for a, b in zip(pts[:-1], pts[1:]):
                p.drawLine(a, b)
        p.end()
        self.update()

    def _segment(self, a: QPointF, b: QPointF) -> None:
        p = QPainter(self._image)
        p.setRenderHint(QPainter.Antialiasing)
        p.setPen(self._pen(self.pen_width))
        if a == b:
            p.drawPoint(a)
        else:
            p.drawLine(a, b)
        p.end()
        r = int(self.pen_width / 2) + 2
        self.update(QRect(a.toPoint(), b.toPoint()).normalized().adjusted(-r, -r, r, r))
        self.changed.emit()

    def begin_stroke(self, pos: QPointF) -> None:
        if self._current is not None:
            self.end_stroke()
        self._current = [QPointF(pos)]
        self._segment(pos, pos)

    def continue_stroke(self, pos: QPointF) -> None:
        if self._current is None:
            return
        last = self._current[-1]
        if pos == last:
            return
        self._current.append(QPointF(pos))
        self._segment(last, pos)

    def end_stroke(self) -> None:
        if self._current is None:
            return
        self._strokes.append((self.pen_width, self._current))
        self._current = None
        self.strokeFinished.emit()

    # -- Qt event handlers --------------------------------------------------------------
    def mousePressEvent(self, e) -> None:
        if e.button() == Qt.LeftButton:
            self.begin_stroke(e.position())
            e.accept()

    def mouseMoveEvent(self, e) -> None:
        if self._current is not None:
            self.continue_stroke(e.position())
            e.accept()

    def mouseReleaseEvent(self, e) -> None:
        if e.button() == Qt.LeftButton and self._current is not None:
            self.continue_stroke(e.position())
            self.end_stroke()
            e.accept()

    def tabletEvent(self, e) -> None:
        t = e.type()
        if t == e.Type.TabletPress:
            self.begin_stroke(e.position())
        elif t == e.Type.TabletMove:
            self.continue_stroke(e.position())
        elif t == e.Type.TabletRelease:
            self.continue_stroke(e.position())
            self.end_stroke()
        e.accept()  # no synthesised mouse events on top

    def paintEvent(self, e) -> None:
        p = QPainter(self)
        r = e.rect()
        p.drawImage(r, self._image, r)
        p.setPen(QColor(150, 150, 150))      # a frame, drawn on the widget, not the image
        p.drawRect(self.rect().adjusted(0, 0, -1, -1))
        p.end()
