"""Network tab: the inside of the active network (or of a run while it trains).

* **Weight templates** (``weightTemplates``): a layer's weights as small images — each unit's
  289 incoming weights as a 17×17 image for a dense first layer (the shallow net's 26
  letter templates, labelled A…Z), the 3×3 filters of a conv layer.
* **Activations** (``activationsView``): every hidden stage's output for what is on the Draw
  tab's canvas — feature maps as small images, dense layers as a grid of units — and the
  26 output units as bars (``outputBars``); clicking a bar picks the letter for…
* **What the network looks at** (``saliencyView``): the gradient of that letter's logit with
  respect to the 17×17 input (:mod:`model.inspect`).
* **While training**: the run's weights are copied in five times a second and its latest
  gradient sizes per layer are shown (``gradientNorms``).

Every picture uses one diverging colour scale per layer (blue < 0 < red, white at zero) with
a legend. Widgets are created once per architecture and only their data change afterwards.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPalette, QPixmap
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFrame, QGraphicsItem, QGraphicsScene, QGraphicsTextItem, QGraphicsView, QGridLayout,
                               QGroupBox, QHBoxLayout, QLabel, QSizePolicy, QSplitter, QVBoxLayout, QWidget)

from model import LETTERS, SIDE
from model.inspect import Inspection, Inspector, layer_images, stage_names

from .i18n import spec_text
from .runs import RUNNING
from .state import AppState
from .widgets import guarded, ink_to_qimage, named

#: Weights of a run in progress are copied in at most this often (ms): 5 per second.
LIVE_INTERVAL_MS = 200
BACKGROUND = (225, 225, 225, 255)     # between tiles and where there is no unit
SELECTED, OTHER = "#D55E00", "#0072B2"

#: Blue – white – red (ColorBrewer RdBu, reversed): zero is white.
DIVERGING = pg.ColorMap([0.0, 0.25, 0.5, 0.75, 1.0],
                        [(33, 102, 172), (103, 169, 207), (247, 247, 247), (239, 138, 98), (178, 24, 43)])
#: Colour codes: 0…254 run along the map from -scale to +scale (127 is zero, white);
#: 255 is the grey between tiles. Pictures are uint8 codes drawn through this table.
GAP_CODE = 255
_LUT = np.vstack([DIVERGING.getLookupTable(0.0, 1.0, 255, alpha=True).astype(np.uint8),
                  np.array([BACKGROUND], np.uint8)])
#: The same colours as QImage ARGB32 words (0xAARRGGBB): a picture is one ``np.take``.
#: (RGB32 would draw a little faster, but Qt scales it by another rule: tile edges moved
#: by a pixel.)
_ARGB32 = (_LUT[:, 3].astype(np.uint32) << 24 | _LUT[:, 0].astype(np.uint32) << 16
           | _LUT[:, 1].astype(np.uint32) << 8 | _LUT[:, 2].astype(np.uint32))


# -- pictures as arrays (no Qt) -----------------------------------------------------------
def grid_columns(n: int, aspect: float = 1.0) -> int:
    """Columns for ``n`` tiles in a grid about ``aspect`` times as wide as tall."""
    return max(1, min(n, math.ceil(math.sqrt(n * aspect))))


def mosaic_index(n: int, h: int, w: int, cols: int, gap: int = 1, channels_last: bool = False) -> np.ndarray:
    """Where each pixel of a mosaic of ``n`` tiles ``h``×``w`` (rows of ``cols``, ``gap``
    pixels between) comes from in the flattened tiles; ``n * h * w`` between tiles and
    after the last. The tiles are ``(n, h, w)``, or ``(h, w, n)`` if ``channels_last``
    (a conv stage's feature maps, gathered without a transposed copy)."""
    rows = -(-n // cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), n * h * w, np.intp)
    y, x = np.mgrid[0:h, 0:w]
    for k in range(n):
        r, c = divmod(k, cols)
        src = (y * w + x) * n + k if channels_last else k * h * w + y * w + x
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = src
    return out


#: The same index for the same layout (the layouts are few: one per stage and layer).
cached_mosaic_index = lru_cache(maxsize=64)(mosaic_index)


def gather(values: np.ndarray, index: np.ndarray | None, fill) -> np.ndarray:
    """``values`` (any shape) laid out by a :func:`mosaic_index`-style ``index`` (None: as
    they are), ``fill`` where the index points past the end."""
    if index is None:
        return values
    flat = np.empty(values.size + 1, values.dtype)
    flat[:-1] = values.reshape(-1)
    flat[-1] = fill
    return flat[index]


def mosaic(tiles: np.ndarray, cols: int, gap: int = 1) -> np.ndarray:
    """Tiles ``(n, h, w)`` side by side in rows of ``cols``, NaN between them and after the last."""
    return gather(np.asarray(tiles, np.float32), mosaic_index(*tiles.shape, cols, gap), np.nan)


def symmetric_scale(values: np.ndarray) -> float:
    """The largest finite |value| (1 if there is none): the scale's ends are ±this."""
    return _extent(values)[0]


def _extent(values: np.ndarray) -> tuple[float, bool]:
    """:func:`symmetric_scale` of ``values`` and whether they are all finite (from their
    largest and smallest: no array of absolute values, no pass for the finite check)."""
    if not values.size:
        return 1.0, True
    hi, lo = float(values.max()), float(values.min())
    finite = math.isfinite(hi) and math.isfinite(lo)
    if finite:
        m = max(hi, -lo)
    else:
        v = np.abs(values[np.isfinite(values)])
        m = float(v.max()) if v.size else 0.0
    return (m if m > 0 else 1.0), finite


def nice_scale(m: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at least ``m``: a legend that changes only when the
    values change a lot (redrawing its numbers at every stroke costs milliseconds)."""
    if not m > 0 or not math.isfinite(m):
        return 1.0
    e = math.floor(math.log10(m))
    for f in (1.0, 2.0, 5.0, 10.0):
        if f * 10.0 ** e >= m * (1 - 1e-9):
            return f * 10.0 ** e
    return 10.0 ** (e + 1)


def steady_scale(m: float, old: float | None) -> float:
    """:func:`nice_scale` of ``m``, but ``old`` while ``m`` is within it and above 40 % of
    it (one 1-2-5 step down): a live legend that does not flip between two steps as the
    drawing changes (a new legend costs as much as all the pictures)."""
    new = nice_scale(m)
    if old is not None and new < old and m > 0.4 * old:
        return old
    return new


def colour_codes(values: np.ndarray, scale: float, finite: bool = False) -> np.ndarray:
    """Values → uint8 codes of :data:`_LUT` (flattened): -scale…+scale → 0…254, zero → 127,
    values beyond the scale clipped, NaN/inf → :data:`GAP_CODE` (not looked for if
    ``finite``: the caller knows there are none)."""
    t = values.reshape(-1) * np.float32(127.0 / scale)
    t += np.float32(127.5)
    gaps = None
    if not finite:
        ok = np.isfinite(t)
        gaps = None if ok.all() else ~ok
    if gaps is not None:
        t[gaps] = 0
    np.minimum(t, np.float32(254.5), out=t)
    np.maximum(t, np.float32(0), out=t)
    codes = t.astype(np.uint8)
    if gaps is not None:
        codes[gaps] = GAP_CODE
    return codes


def units_index(k: int, max_cols: int = 32) -> np.ndarray:
    """Where each cell of a grid of ``k`` dense units (rows of at most ``max_cols``) comes
    from; ``k`` (nothing) after the last unit. For :func:`gather`."""
    cols = min(k, max_cols)
    out = np.full(-(-k // cols) * cols, k, np.intp)
    out[:k] = np.arange(k)
    return out.reshape(-1, cols)


def weight_tiles(images: np.ndarray) -> tuple[np.ndarray, int]:
    """Tiles and columns for :func:`model.inspect.layer_images` ``(rows, cols, h, w)``:
    single-channel filters or templates in a near-square grid, a conv layer with several
    input channels as one row per output channel."""
    rows, cols, h, w = images.shape
    if cols == 1:
        return images[:, 0], grid_columns(rows, 1.6 if h > 3 else 2.0)
    return images.reshape(rows * cols, h, w), cols


# -- one picture with its legend ------------------------------------------------------------
class CodedImage(pg.ImageItem):
    """An image item shown from colour codes: the codes become ARGB32 words with one table
    lookup and a QImage over them is drawn as it is (pyqtgraph's ``setImage`` and its
    rendering at the next paint, levels and table lookups included, cost more than the
    picture's numbers)."""

    def __init__(self) -> None:
        super().__init__(axisOrder="row-major")
        self._rect = QRectF()

    def set_codes(self, codes: np.ndarray) -> None:
        """Show uint8 colour codes ``(h, w)`` of :data:`_LUT`."""
        if self.image is not None and self.image.shape == codes.shape:
            # The same size: new colours into the words the QImage reads (no new QImage).
            np.take(_ARGB32, codes, out=self.image)
            self.update()
            return
        words = _ARGB32.take(codes)
        h, w = words.shape
        self.prepareGeometryChange()
        self.image = words            # the QImage reads this array's memory
        self.qimage = QImage(words.data, w, h, 4 * w, QImage.Format_ARGB32)
        self._renderRequired = False
        self._unrenderable = False
        self._rect = QRectF(0, 0, w, h)
        self.informViewBoundsChanged()
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(self._rect)

    def paint(self, painter, *args) -> None:
        if self.qimage is not None:
            painter.drawImage(self._rect, self.qimage)


class Title(pg.LabelItem):
    """A one-line title that a new text does not lay out again: its height is that of one
    line and its width asks nothing of the layout, so changing it only repaints it (a
    relayout of the whole scene cost milliseconds at every stroke). Each text it has
    shown keeps its own text item, so a text shown before comes back by a swap of two
    items instead of a new text layout (the saliency's title changes with the letter)."""

    MAX_TEXTS = 64

    def setText(self, text: str, **args) -> None:
        """Plain text (no HTML to parse at every change) in the size and colour of the
        ``size``/``color`` options."""
        self.text = text
        self.opts.update(args)
        texts = self.__dict__.setdefault("_texts", {})
        if args or not texts:
            # A new style: the items made in the old one go.
            for item in texts.values():
                if item is not self.item:
                    item.setParentItem(None)
                    if item.scene() is not None:
                        item.scene().removeItem(item)
            texts.clear()
            font = self.item.font()
            if "size" in self.opts:
                font.setPointSizeF(float(str(self.opts["size"]).removesuffix("pt")))
            self.item.setFont(font)
            self.item.setDefaultTextColor(pg.mkColor(self.opts["color"] or pg.getConfigOption("foreground")))
            self.item.setPlainText(text)
            texts[text] = self.item
        item = texts.get(text)
        if item is None:
            if len(texts) >= self.MAX_TEXTS:
                for t in [t for t, it in texts.items() if it is not self.item]:
                    old = texts.pop(t)
                    old.setParentItem(None)
                    if old.scene() is not None:
                        old.scene().removeItem(old)
            item = QGraphicsTextItem(self)
            item.setFont(self.item.font())
            item.setDefaultTextColor(self.item.defaultTextColor())
            item.setPlainText(text)
            item.hide()
            texts[text] = item
        if item is not self.item:
            self.item.hide()
            item.show()
            self.item = item
        self.updateMin()
        self.resizeEvent(None)
        self.updateGeometry()

    def updateMin(self) -> None:
        h = self.itemRect().height()
        self.setMinimumHeight(h)
        self._sizeHint = {Qt.SizeHint.MinimumSize: (0, h), Qt.SizeHint.PreferredSize: (0, h),
                          Qt.SizeHint.MaximumSize: (-1, -1)}

    def updateGeometry(self) -> None:
        h = self.itemRect().height()
        if h != getattr(self, "_laid_out_height", None):
            self._laid_out_height = h
            super().updateGeometry()


class OutputBars(pg.GraphicsObject):
    """Bars of one colour for the 26 letters, heights in 0…1, drawn as pyqtgraph's
    ``BarGraphItem(x=, height=, width=, brush=, pen=None)`` draws them (and with its
    ``opts``/``setOpts``), but its bounds are that fixed box and a change only makes 26
    rectangles (pyqtgraph recomputed bounds from the data and the pixel size, in Python,
    several times per paint)."""

    BOUNDS = QRectF(-0.5, 0.0, 26.0, 1.0)

    def __init__(self, x, height, width: float, brush) -> None:
        super().__init__()
        self.opts = {"width": float(width), "brush": pg.mkBrush(brush), "pen": None}
        self._rects: list[QRectF] = []
        self.setOpts(x=x, height=height)

    def setOpts(self, **opts) -> None:
        for key in ("x", "height"):
            if key in opts:
                opts[key] = np.asarray(opts[key], np.float64).reshape(-1)
        self.opts.update(opts)
        w = self.opts["width"]
        self._rects = [QRectF(x - w / 2, 0.0, w, h)
                       for x, h in zip(self.opts["x"].tolist(), self.opts["height"].tolist())]
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(self.BOUNDS)

    def paint(self, painter, *args) -> None:
        painter.setPen(Qt.NoPen)
        painter.setBrush(self.opts["brush"])
        painter.drawRects(self._rects)


class Picture:
    """A title, an image in a locked-aspect view and a colour-bar legend, in one row of a
    pyqtgraph layout. :meth:`show` sets the data; the items are created once.

    The values become uint8 colour codes, a mosaic is one gather of them from a cached
    index, and the colours one lookup in a precomputed table (no per-pixel work in Python)."""

    def __init__(self, layout: pg.GraphicsLayout, title: str, row: int, legend: bool = True) -> None:
        self.title = Title(title, justify="left", size="9pt")
        self.title.setFlag(QGraphicsItem.ItemHasNoContents)   # its text is a child item
        layout.addItem(self.title, row=row, col=0, colspan=2)
        self.view = layout.addViewBox(row=row + 1, col=0, lockAspect=True, enableMouse=False,
                                      invertY=True, enableMenu=False)
        self.view.setDefaultPadding(0.01)
        self.image = CodedImage()
        self.view.addItem(self.image)
        self.legend = None
        if legend:
            self.legend = pg.ColorBarItem(values=(-1, 1), colorMap=DIVERGING, interactive=False,
                                          width=10, colorMapMenu=False)
            self.legend.getAxis("right").setWidth(38)   # room for the numbers, whatever the row
            cache_axes(self.legend, ("left", "right", "top"))
            # Its axes and bar are its children; it draws nothing itself (and is then not
            # asked for its bounds at each repaint).
            self.legend.setFlag(QGraphicsItem.ItemHasNoContents)
            layout.addItem(self.legend, row=row + 1, col=1)
        self.labels: list[pg.TextItem] = []
        self.shape: tuple[int, int] | None = None
        self.title_key = None        # what the title was made for (see NetworkView)
        self.scale = 1.0
        self._raw: np.ndarray | None = None
        self._index: np.ndarray | None = None

    @property
    def values(self) -> np.ndarray | None:
        """The picture shown, as float32 numbers (NaN between tiles)."""
        if self._raw is None:
            return None
        return gather(np.asarray(self._raw, np.float32), self._index, np.nan)

    def show(self, values: np.ndarray, scale: float | None = None, nice: bool = False,
             index: np.ndarray | None = None, relative: bool = False) -> None:
        """Draw ``values`` (NaN: gaps) with one scale ±``scale`` (default: ±max|values|,
        rounded up to 1, 2 or 5 × 10^k if ``nice``, see :func:`steady_scale`): laid out by ``index`` (a
        :func:`mosaic_index` or :func:`units_index` into them) if given, else as they
        are (2-D). ``relative``: ±max|values| every time, and the legend reads -1…1 (a
        fraction of the strongest value) and never changes: for values whose size varies a
        lot from one drawing to the next, as a saliency map's does from letter to letter."""
        self._raw, self._index = values, index
        old = self.scale
        m, finite = _extent(values)
        self.scale = m if scale is None else scale
        if nice and scale is None and not relative:
            self.scale = steady_scale(self.scale, None if self.shape is None else old)
        codes = colour_codes(values, self.scale, finite)
        codes = codes.reshape(values.shape) if index is None else gather(codes, index, GAP_CODE)
        self.image.set_codes(codes)
        if self.legend is not None and (self.shape is None or (self.scale != old and not relative)):
            self.legend.setLevels((-1.0, 1.0) if relative else (-self.scale, self.scale))
        if codes.shape != self.shape:
            self.shape = codes.shape
            self.view.setRange(xRange=(0, codes.shape[1]), yRange=(0, codes.shape[0]), padding=0.01)

    def set_title(self, text: str) -> None:
        if text != self.title.text:
            self.title.setText(text)

    def set_labels(self, texts: list[str], positions: list[tuple[float, float]]) -> None:
        for item in self.labels:
            self.view.removeItem(item)
        self.labels = []
        for t, (x, y) in zip(texts, positions):
            item = pg.TextItem(t, color=(0, 0, 0), fill=(255, 255, 255, 170), anchor=(0, 0))
            item.setPos(x, y)
            self.view.addItem(item)
            self.labels.append(item)


def cache_axes(plot: pg.PlotItem, names: tuple[str, ...]) -> None:
    """Keep these axes of ``plot`` as pixmaps, redrawn only when they change: the pictures
    beside them change at every stroke, and replaying the axes' drawing cost more.
    (Not a colour bar's bottom axis: its line lies outside its bounds and was cut off.)"""
    for name in names:
        plot.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)


def quick_paint(view: QGraphicsView) -> QGraphicsView:
    """Cheaper repaints of a scene whose items rarely move: no item index to keep up
    (a repaint walks the few items anyway) and no painter state saved around each item
    (pyqtgraph's items set what they draw with)."""
    view.scene().setItemIndexMethod(QGraphicsScene.NoIndex)
    view.setOptimizationFlags(QGraphicsView.DontAdjustForAntialiasing)
    return view


def _graphics(name: str, min_height: int = 120) -> pg.GraphicsLayoutWidget:
    w = quick_paint(named(pg.GraphicsLayoutWidget(), name))
    w.setBackground("w")
    w.setMinimumHeight(min_height)
    w.ci.setContentsMargins(4, 4, 4, 4)
    w.ci.setSpacing(2)
    w.ci.setFlag(QGraphicsItem.ItemHasNoContents)
    return w


class NetworkView(QWidget):
    """The Network tab. It subscribes to ``state`` (active model, runs) and to the Draw tab's
    guess (each canvas change, already normalised: ``draw_tab.last_input``)."""

    def __init__(self, state: AppState, draw_tab, parent=None) -> None:
        super().__init__(parent)
        named(self, "networkView")
        self.state = state
        self.draw_tab = draw_tab
        self.inspector = Inspector()
        self.inspection: Inspection | None = None
        self.chosen: int | None = None      # letter picked by a click (None: the top guess)
        self.live_run = None                 # the run being followed while it trains
        self._arch: dict | None = None
        self._grads_frame: tuple | None = ()   # what the gradient plot's axes show
        self._hidden_parts = False             # a collapsed part was not drawn
        self._input_shown: np.ndarray | None = None
        self._dirty = True
        self.stages: list[Picture] = []
        self._build_header()
        self._build_pictures()
        self._build_layout()
        self._connect()
        self._network_changed()

    # -- construction -----------------------------------------------------------------
    def _build_header(self) -> None:
        self.source = named(QLabel(), "networkSource")
        self.source.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.follow = named(QCheckBox(self.tr("Follow a training run live")), "followTraining")
        self.follow.setChecked(True)
        self.follow.setToolTip(self.tr("While a run trains, show its weights (updated 5 times a second) "
                                       "instead of the active model's"))
        self.layer_combo = named(QComboBox(), "templateLayer")
        self.layer_combo.setToolTip(self.tr("Which layer's weights to show"))

    def _build_pictures(self) -> None:
        self.input_label = named(QLabel(), "networkInput")
        self.input_label.setFixedSize(SIDE * 6 + 2, SIDE * 6 + 2)
        # A 1-pixel #999 frame on white, opaque (a style sheet made each new input repaint
        # every widget behind the label, up to the window).
        self.input_label.setFrameStyle(QFrame.Box | QFrame.Plain)
        self.input_label.setLineWidth(1)
        pal = self.input_label.palette()
        pal.setColor(QPalette.Window, QColor("white"))
        pal.setColor(QPalette.WindowText, QColor("#999"))
        self.input_label.setPalette(pal)
        self.input_label.setAutoFillBackground(True)
        self.input_label.setAlignment(Qt.AlignCenter)
        self.input_label.setToolTip(self.tr("The 17×17 input (the Draw tab's canvas)"))

        self.saliency_widget = _graphics("saliencyView", 150)
        self.saliency = Picture(self.saliency_widget.ci, self.tr("What the network looks at"), 0)

        self.templates_widget = _graphics("weightTemplates", 200)
        self.templates = Picture(self.templates_widget.ci, self.tr("Weights"), 0)

        self.activations_widget = _graphics("activationsView", 150)

        self.bars_widget = quick_paint(named(pg.PlotWidget(background="w"), "outputBars"))
        self.bars_widget.setMinimumHeight(150)
        p = self.bars_widget.getPlotItem()
        p.setMenuEnabled(False)
        p.setMouseEnabled(False, False)
        p.hideButtons()
        p.setXRange(-0.6, 25.6, padding=0)
        p.setYRange(0, 1, padding=0.02)
        p.getAxis("bottom").setTicks([[(i, c) for i, c in enumerate(LETTERS)]])
        p.setLabel("left", self.tr("output"))
        p.setTitle(self.tr("Output units — click a letter to see what makes it"), size="9pt")
        # Two one-colour items (all letters; the chosen one drawn over them): pyqtgraph
        # draws a one-colour item as one call, a many-coloured one rect by rect in Python.
        self.bars = OutputBars(x=np.arange(26), height=np.zeros(26), width=0.75, brush=OTHER)
        p.addItem(self.bars)
        self.selected_bar = OutputBars(x=[0], height=[0.0], width=0.75, brush=SELECTED)
        self.selected_bar.setZValue(1)
        self.selected_bar.setVisible(False)
        p.addItem(self.selected_bar)
        cache_axes(p, ("left", "bottom"))

        self.grads_widget = quick_paint(named(pg.PlotWidget(background="w"), "gradientNorms"))
        self.grads_widget.setMinimumHeight(120)
        g = self.grads_widget.getPlotItem()
        g.setMenuEnabled(False)
        g.setMouseEnabled(False, False)
        g.hideButtons()
        g.setTitle(self.tr("Gradient size per layer (log₁₀ ‖∇W‖), while training"), size="9pt")
        self.grad_bars = pg.BarGraphItem(x=[], y0=[], y1=[], width=0.6, brush=OTHER, pen=None)
        g.addItem(self.grad_bars)
        self.grad_text = pg.TextItem("", color=(90, 90, 90), anchor=(0.5, 0.5))
        g.addItem(self.grad_text)
        cache_axes(g, ("left", "bottom"))

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.source, 1)
        header.addWidget(self.follow)

        look = QGroupBox(self.tr("Input and what the network looks at"))
        ll = QGridLayout(look)
        ll.addWidget(QLabel(self.tr("Input (Draw tab)")), 0, 0, Qt.AlignTop)
        ll.addWidget(self.input_label, 1, 0, Qt.AlignTop)
        ll.addWidget(self.saliency_widget, 0, 1, 3, 1)
        ll.setRowStretch(2, 1)
        self.saliency_hint = QLabel(self.tr("Red: ink here raises the letter's score; blue: lowers it "
                                            "(1: the strongest pixel)."))
        self.saliency_hint.setWordWrap(True)
        self.saliency_hint.setStyleSheet("color: #555;")
        ll.addWidget(self.saliency_hint, 3, 0, 1, 2)
        ll.setColumnStretch(1, 1)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(look, 3)
        lv.addWidget(self.bars_widget, 2)
        lv.addWidget(self.grads_widget, 2)

        weights = QGroupBox(self.tr("Weights"))
        wl = QVBoxLayout(weights)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Layer")))
        row.addWidget(self.layer_combo)
        row.addStretch(1)
        wl.addLayout(row)
        wl.addWidget(self.templates_widget, 1)
        acts = self.activations_box = QGroupBox(self.tr("Activations for the drawing"))
        al = QVBoxLayout(acts)
        al.addWidget(self.activations_widget)

        right = self.right_split = QSplitter(Qt.Vertical)
        right.addWidget(weights)
        right.addWidget(acts)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 1)

        split = self.main_split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([430, 800])

        lay = QVBoxLayout(self)
        lay.addLayout(header)
        lay.addWidget(split, 1)

    def _connect(self) -> None:
        self.live_timer = QTimer(self)
        self.live_timer.setInterval(LIVE_INTERVAL_MS)
        self.live_timer.timeout.connect(self._live_tick)
        self.state.modelChanged.connect(self._network_changed)
        self.state.runs.curvesChanged.connect(self._run_progress)
        self.state.runs.changed.connect(self._run_progress)
        self.draw_tab.guessed.connect(self._drawing_changed)
        self.layer_combo.currentIndexChanged.connect(self._layer_chosen)
        self.follow.toggled.connect(self._follow_toggled)
        self.bars_widget.scene().sigMouseClicked.connect(self._bars_clicked)
        self.right_split.splitterMoved.connect(self._splitter_moved)
        self.main_split.splitterMoved.connect(self._splitter_moved)

    # -- which network ----------------------------------------------------------------
    def shown_network(self):
        """The network the view reads: a followed run's live one, else the active model."""
        live = self._live_network()
        return live if live is not None else self.state.network

    def _live_network(self):
        run = self.live_run
        if run is None or run.state != RUNNING or not self.follow.isChecked():
            return None
        return getattr(run, "live_network", None)

    @guarded
    def _network_changed(self) -> None:
        """The active model changed (or the live run started / ended): copy and redraw."""
        net = self.shown_network()
        self.inspector.refresh(net)
        arch = None if net is None else net.spec.to_dict()
        if arch != self._arch:
            self._arch = arch
            self._rebuild(net)
        self._describe()
        self._dirty = True
        self.refresh()

    def _describe(self) -> None:
        live = self._live_network()
        if live is not None:
            self.source.setText(self.tr("Training {run} (live, {rate}×/s): {net}").format(
                run=self.live_run.name, rate=1000 // LIVE_INTERVAL_MS, net=spec_text(live.spec)))
        else:
            self.source.setText(self.state.describe_model())

    def _rebuild(self, net) -> None:
        """New architecture: the layer list and one picture per hidden stage."""
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        if net is not None:
            self.layer_combo.addItems(net.layer_names())
        self.layer_combo.blockSignals(False)
        self.templates.set_labels([], [])
        self.templates.shape = None
        self.activations_widget.ci.clear()
        self.stages = []
        if net is None:
            return
        for i, name in enumerate(stage_names(net)):
            self.stages.append(Picture(self.activations_widget.ci, name, 2 * i))
        # No hidden stage (the shallow net): the outputs are the only activations.
        self.activations_box.setVisible(bool(self.stages))
        n = len(self.stages)
        self.right_split.setSizes([400, 200 + 90 * n] if n > 2 else [400, 300])
        self.chosen = None

    # -- updates ----------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw weights and activations now (if visible; else when next shown)."""
        if not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        self._draw_weights()
        self.update_activations()
        self._draw_grads()

    def showEvent(self, e) -> None:
        super().showEvent(e)
        if self._dirty:
            self.refresh()

    @guarded
    def _drawing_changed(self) -> None:
        if self.isVisible():
            self.update_activations()
        else:
            self._dirty = True

    @guarded
    def _layer_chosen(self, _index: int) -> None:
        self.templates.shape = None
        self._draw_weights()

    def _draw_weights(self) -> None:
        net = self.inspector.network
        name = self.layer_combo.currentText()
        if net is None or not name:
            self.templates.set_title(self.tr("Weights: no model"))
            self.templates.show(np.full((SIDE, SIDE), np.nan, np.float32))
            return
        if not self._shows(self.templates_widget):
            return
        images = layer_images(net, name)
        tiles, cols = weight_tiles(images)
        relabel = self.templates.shape is None
        self.templates.show(tiles, index=cached_mosaic_index(*tiles.shape, cols))
        rows, n_in, h, w = images.shape
        if h == SIDE and w == SIDE:
            if rows == 26 and net.layer_names()[-1] == name:
                title = self.tr("{layer}: {n} templates (17×17 each)").format(layer=name, n=rows)
            else:
                title = self.tr("{layer}: {n} units' input weights (17×17 each)").format(layer=name, n=rows)
        elif n_in > 1 or h == w:
            title = self.tr("{layer}: {rows}×{n_in} filters {h}×{w}").format(
                layer=name, rows=rows, n_in=n_in, h=h, w=w) + (self.tr(" (a row per output channel)") if n_in > 1 else "")
        else:
            title = self.tr("{layer}: weight matrix {h}×{w} (rows: units, columns: inputs)").format(layer=name, h=h, w=w)
        self.templates.set_title(self.tr("{title}, one colour scale").format(title=title))
        if relabel:
            if h == SIDE and rows == 26 and n_in == 1:
                pos = [((k % cols) * (w + 1), (k // cols) * (h + 1)) for k in range(rows)]
                self.templates.set_labels(list(LETTERS), pos)
            else:
                self.templates.set_labels([], [])

    def update_activations(self) -> None:
        """Run the canvas input through the shown network; draw stages, bars and saliency."""
        x = getattr(self.draw_tab, "last_input", None)
        self._show_input(x)
        seen = None
        if x is not None and self.inspector.network is not None:
            # BLAS runs one thread in the whole app (gui.app.single_blas_thread): for one
            # image two threads only wait for each other (no per-call limit here: finding
            # the libraries again cost 1 ms per update).
            seen = self.inspector.inspect(x, self.chosen)
        self.inspection = seen
        if seen is None:
            for pic in self.stages:
                pic.show(np.full((1, 1), np.nan, np.float32))
            self._show_bars(np.zeros(26), None)
            self.saliency.set_title(self.tr("What the network looks at: draw a letter on the Draw tab"))
            self.saliency.show(np.full((SIDE, SIDE), np.nan, np.float32))
            return
        if self._shows(self.activations_widget):
            for pic, st in zip(self.stages, seen.stages):
                v = st.values
                if st.kind == "maps":
                    h, w, n = v.shape
                    pic.show(v, nice=True, index=cached_mosaic_index(n, h, w, grid_columns(n, 14.0),
                                                                      channels_last=True))
                else:
                    pic.show(v, nice=True, index=units_index(v.shape[0]))
                if pic.title_key != (st.name, v.shape):
                    pic.title_key = (st.name, v.shape)
                    if st.kind == "maps":
                        what = self.tr("{n} maps {h}×{w}").format(n=n, h=h, w=w)
                    else:
                        what = self.tr("{n} units").format(n=v.shape[0])
                    pic.set_title(self.tr("{layer}: {what}").format(layer=st.name, what=what))
        self._show_bars(np.clip(np.nan_to_num(seen.outputs), 0, 1), seen.cls)
        if self._shows(self.saliency_widget):
            self.saliency.show(seen.saliency.reshape(SIDE, SIDE), relative=True)
            which = self.tr("top guess") if self.chosen is None else self.tr("your choice")
            self.saliency.set_title(self.tr("What makes it {letter} ({which}): ∂ logit / ∂ input").format(
                letter=LETTERS[seen.cls], which=which))

    def _shows(self, widget: QWidget) -> bool:
        """Whether ``widget`` is in no part of the view that a splitter has collapsed: a
        collapsed part is not drawn, and the view is drawn again when a splitter moves."""
        w = widget
        while w is not None and w is not self:
            parent = w.parentWidget()
            if isinstance(parent, QSplitter) and parent.sizes()[parent.indexOf(w)] == 0:
                self._hidden_parts = True
                return False
            w = parent
        return True

    @guarded
    def _splitter_moved(self, *_args) -> None:
        if self._hidden_parts:
            self._hidden_parts = False
            self.refresh()

    def _show_bars(self, heights: np.ndarray, selected: int | None) -> None:
        """The 26 output bars, the ``selected`` letter's highlighted (None: none)."""
        self.bars.setOpts(height=heights)
        self.selected_bar.setVisible(selected is not None)
        if selected is not None:
            self.selected_bar.setOpts(x=[selected], height=[heights[selected]])

    def _show_input(self, x) -> None:
        if x is None:
            self._input_shown = None
            self.input_label.clear()
        elif self._input_shown is None or not np.array_equal(x, self._input_shown):
            # (The same drawing at each live tick of a training run: not redrawn.)
            self._input_shown = np.array(x)
            self.input_label.setPixmap(QPixmap.fromImage(ink_to_qimage(x)).scaled(
                SIDE * 6, SIDE * 6, Qt.IgnoreAspectRatio, Qt.FastTransformation))

    def choose(self, cls: int | None) -> None:
        """Show the saliency of letter ``cls`` (None: the top guess)."""
        self.chosen = None if cls is None else int(cls)
        self.update_activations()

    @guarded
    def _bars_clicked(self, ev) -> None:
        vb = self.bars_widget.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        k = int(round(vb.mapSceneToView(ev.scenePos()).x()))
        if 0 <= k < 26:
            top = None if self.inspection is None else int(np.argmax(self.inspection.logits))
            self.choose(None if k == top else k)

    # -- training -------------------------------------------------------------------------
    @guarded
    def _run_progress(self, run) -> None:
        """A run's curves or state changed: start or stop following it."""
        if run.state == RUNNING and getattr(run, "live_network", None) is not None:
            if run is not self.live_run:
                self.live_run = run
                self._network_changed()
            if not self.live_timer.isActive() and self.follow.isChecked():
                self.live_timer.start()
        elif run is self.live_run:
            self.live_run = None
            self.live_timer.stop()
            self._network_changed()
            self._draw_grads(run)

    @guarded
    def _follow_toggled(self, on: bool) -> None:
        if on and self.live_run is not None:
            self.live_timer.start()
        else:
            self.live_timer.stop()
        self._network_changed()

    @guarded
    def _live_tick(self) -> None:
        live = self._live_network()
        if live is None:
            self.live_timer.stop()
            return
        if not self.isVisible():
            return
        # A copy of weights the trainer is writing: possibly torn, never an error.
        self.inspector.refresh(live)
        self._draw_weights()
        self.update_activations()
        self._draw_grads()

    def _draw_grads(self, run=None) -> None:
        run = run or self.live_run
        names = []
        norms = []
        if run is not None:
            names = list(getattr(run, "layer_names", []) or [])
            for i in range(getattr(run, "n_layers", 0)):
                s = run.series.get(f"grad{i}")
                if s is not None and s.n:
                    norms.append(float(s.y[s.n - 1]))
        if not norms:
            if self._grads_frame is not None:   # set once: nothing changes while idle
                self._grads_frame = None
                self.grad_bars.setOpts(x=[], y0=[], y1=[])
                self.grad_text.setText(self.tr("Train a network to see how strongly each layer is pushed"))
                p = self.grads_widget.getPlotItem()
                p.getAxis("bottom").setTicks([[]])
                p.hideAxis("left")
                self.grad_text.setPos(0.5, 0.5)
                p.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            return
        logs = np.log10(np.maximum(norms, 1e-12))
        floor = math.floor(min(logs.min(), -1)) - 0.5
        top = math.ceil(max(logs.max(), floor + 1))
        n = len(norms)
        names = (names + [self.tr("layer {n}").format(n=i) for i in range(len(names), n)])[:n]
        self.grad_bars.setOpts(x=np.arange(n), y0=np.full(n, floor), y1=logs)
        # Text, ticks and ranges only when they change: each change redraws the axes
        # (2 ms a tick while following a run live, 5 times a second).
        frame = (tuple(names), floor, top)
        if frame != self._grads_frame:
            self._grads_frame = frame
            self.grad_text.setText("")
            p = self.grads_widget.getPlotItem()
            p.showAxis("left")
            p.getAxis("bottom").setTicks([[(i, nm) for i, nm in enumerate(names)]])
            p.setRange(xRange=(-0.6, n - 0.4), yRange=(floor, top), padding=0)
