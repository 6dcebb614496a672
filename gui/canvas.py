"""The drawing canvas: white paper, black round pen, mouse and tablet input.

The canvas keeps its own QImage (8-bit grayscale). Strokes are drawn onto it in the
input handlers; ``paintEvent`` only blits it. Every stroke is also kept as a list of
points (in units of the canvas side, so the drawing survives a resize) so Undo and Redo can
redraw the image. An image dropped or pasted onto the canvas becomes its background paper
(:meth:`Canvas.set_image`); strokes go on top of it.

The canvas is square and may be resized (:class:`SquareHolder` keeps it square inside a
layout). The pen width is given in pixels of a :data:`CANVAS_SIDE` canvas and scales with
the side, so the same drawing gives the same network input at any window size.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from model.preprocess import DEFAULT_PEN_FRACTION

CANVAS_SIDE = 400
#: One entry of the undo history: (background image or None, finished strokes).
_State = tuple
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
    historyChanged = Signal()   # can_undo / can_redo may have changed
    mimeDropped = Signal(object)   # QMimeData of a drop (files or an image), for the owner

    #: The smallest side the canvas is given (the window's minimum size depends on it).
    MIN_SIDE = 240

    def __init__(self, side: int = CANVAS_SIDE, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self.setAccessibleName("canvas")
        self.setAccessibleDescription(self.tr("Draw a capital letter with the mouse or a tablet pen"))
        self._side = side
        self.setMinimumSize(self.MIN_SIDE, self.MIN_SIDE)
        self.resize(side, side)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setCursor(Qt.CrossCursor)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAttribute(Qt.WA_OpaquePaintEvent)
        self.setAttribute(Qt.WA_StaticContents)
        self._image = QImage(side, side, QImage.Format_Grayscale8)
        self._image.fill(255)
        #: Pen width in pixels of a CANVAS_SIDE canvas (see :attr:`pen_px` for the real one).
        self.pen_width = default_pen_width(CANVAS_SIDE)
        # Finished strokes: (pen width at CANVAS_SIDE, points in units of the side).
        self._strokes: list[tuple[float, list[QPointF]]] = []
        self._current: list[QPointF] | None = None     # live stroke, in pixels
        self._background: QImage | None = None          # a dropped/pasted image (paper)
        self._undo: list[_State] = []
        self._redo: list[_State] = []

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
        return not self._strokes and self._current is None and self._background is None

    def set_pen_width(self, width: float) -> None:
        """Pen width in pixels of a :data:`CANVAS_SIDE` canvas (it scales with the side)."""
        self.pen_width = float(width)

    @property
    def side(self) -> int:
        return self._side

    @property
    def pen_px(self) -> float:
        """The pen's width in pixels at the canvas's present size."""
        return self.pen_width * self._side / CANVAS_SIDE

    @property
    def has_background(self) -> bool:
        return self._background is not None

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def set_image(self, paper: np.ndarray) -> None:
        """Put an image on the canvas (undoable): ``(h, w)`` uint8, dark ink on white paper,
        any size; it is fitted into the square keeping its aspect ratio. Strokes drawn
        afterwards go on top of it."""
        a = np.ascontiguousarray(np.asarray(paper, np.uint8))
        if a.ndim != 2 or a.size == 0:
            raise ValueError(f"expected a 2-D image, got shape {a.shape}")
        h, w = a.shape
        img = QImage(a.data, w, h, w, QImage.Format_Grayscale8).copy()
        self._push_undo()
        self._background = img
        self._strokes = []
        self._redraw()
        self._after_history_change()

    def to_array(self) -> np.ndarray:
        """The image as an ``(h, w)`` uint8 array (black ink on white), a copy.

        QImage rows are padded to 4 bytes, so the buffer is sliced by ``bytesPerLine``."""
        img = self._image
        h, w, bpl = img.height(), img.width(), img.bytesPerLine()
        buf = np.frombuffer(img.constBits(), np.uint8, count=bpl * h).reshape(h, bpl)
        return buf[:, :w].copy()

    def clear(self) -> None:
        """Clear the canvas; undoable (an already blank canvas changes nothing)."""
        self._current = None
        if self._strokes or self._background is not None:
            self._push_undo()
        self._strokes = []
        self._background = None
        self._image.fill(255)
        self.update()
        self.cleared.emit()
        self.historyChanged.emit()

    def undo(self) -> None:
        """Take back the last action: a stroke, a clear or a dropped/pasted image."""
        if self._current is not None or not self._undo:
            return
        self._redo.append(self._state())
        self._restore(self._undo.pop())

    def redo(self) -> None:
        """Do again what :meth:`undo` took back."""
        if self._current is not None or not self._redo:
            return
        self._undo.append(self._state())
        self._restore(self._redo.pop())

    # -- history ------------------------------------------------------------------------
    def _state(self) -> _State:
        return (self._background, tuple(self._strokes))

    def _push_undo(self) -> None:
        self._undo.append(self._state())
        del self._undo[:-200]          # bounded: a long session does not grow without end
        self._redo.clear()

    def _restore(self, state: _State) -> None:
        self._background, strokes = state
        self._strokes = list(strokes)
        self._redraw()
        self._after_history_change()

    def _after_history_change(self) -> None:
        if self.is_empty():
            self.cleared.emit()
        else:
            self.strokeFinished.emit()   # a finished drawing again: guess at once
        self.historyChanged.emit()

    def save_png(self, path) -> None:
        """Write the drawing as a PNG, atomically (a temp file beside it, then a rename):
        a failed save leaves any earlier file intact. Raises OSError."""
        from model.data import atomic_write_bytes

        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.WriteOnly)
        if not self._image.save(buf, "PNG"):
            raise OSError(self.tr("could not encode the drawing as PNG"))
        buf.close()
        atomic_write_bytes(Path(path), lambda f: f.write(bytes(data)))

    # -- drawing ------------------------------------------------------------------------
    def _pen(self, width: float) -> QPen:
        return QPen(QColor(0, 0, 0), width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin)

    def _redraw(self) -> None:
        self._image.fill(255)
        p = QPainter(self._image)
        side = self._side
        if self._background is not None:
            bg = self._background.scaled(side, side, Qt.KeepAspectRatio, Qt.SmoothTransformation)
            p.drawImage((side - bg.width()) // 2, (side - bg.height()) // 2, bg)
        p.setRenderHint(QPainter.Antialiasing)
        for width, pts in self._strokes:
            # Replay the segments as they were drawn live (same antialiased overlaps).
            p.setPen(self._pen(width * side / CANVAS_SIDE))
            px = [QPointF(q.x() * side, q.y() * side) for q in pts]
            p.drawPoint(px[0])
            for a, b in zip(px[:-1], px[1:]):
                p.drawLine(a, b)
        p.end()
        self.update()

    def resizeEvent(self, e) -> None:
        side = max(1, min(self.width(), self.height()))
        if side != self._side:
            self.end_stroke()
            self._side = side
            self._image = QImage(side, side, QImage.Format_Grayscale8)
            self._redraw()
        super().resizeEvent(e)

    def _segment(self, a: QPointF, b: QPointF) -> None:
        p = QPainter(self._image)
        p.setRenderHint(QPainter.Antialiasing)
        p.setPen(self._pen(self.pen_px))
        if a == b:
            p.drawPoint(a)
        else:
            p.drawLine(a, b)
        p.end()
        r = int(self.pen_px / 2) + 2
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
        self._push_undo()
        k = 1.0 / self._side
        self._strokes.append((self.pen_width, [QPointF(q.x() * k, q.y() * k) for q in self._current]))
        self._current = None
        self.strokeFinished.emit()
        self.historyChanged.emit()

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

    def dragEnterEvent(self, e) -> None:
        md = e.mimeData()
        if md.hasImage() or (md.hasUrls() and any(u.isLocalFile() for u in md.urls())):
            e.acceptProposedAction()

    def dragMoveEvent(self, e) -> None:
        self.dragEnterEvent(e)

    def dropEvent(self, e) -> None:
        self.mimeDropped.emit(e.mimeData())     # handled at once, while the data exists
        e.acceptProposedAction()

    def paintEvent(self, e) -> None:
        p = QPainter(self)
        r = e.rect()
        p.drawImage(r, self._image, r)
        p.setPen(QColor(150, 150, 150))      # a frame, drawn on the widget, not the image
        p.drawRect(QRect(0, 0, self._side, self._side).adjusted(0, 0, -1, -1))
        p.end()


class SquareHolder(QWidget):
    """Holds one child (the canvas) as the largest square that fits, at the top left;
    the holder itself stretches with the layout."""

    def __init__(self, child: QWidget, parent=None) -> None:
        super().__init__(parent)
        self.child = child
        child.setParent(self)
        m = child.minimumWidth()
        self.setMinimumSize(m, m)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(CANVAS_SIDE, CANVAS_SIDE)

    def resizeEvent(self, e) -> None:
        side = min(self.width(), self.height())
        self.child.setGeometry(0, 0, side, side)
        super().resizeEvent(e)
