"""The Train tab's plots: training loss, validation accuracy and gradient magnitude per
layer, one colour per run.

Curves are created once per run and updated with ``setData`` from a timer, a few times a
second, only for curves with new points; long curves are thinned first (:class:`Thinned`:
each bucket's extremes, so the cost of a redraw does not grow with the run). Every value
plotted is finite (the runs' series drop NaN and inf, so pyqtgraph's own finite check is
skipped) and the view ranges are set here from finite values only: pyqtgraph raises on a
non-finite range on every redraw.
"""
from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from .network_view import cache_axes
from .runs import DIVERGED, LOG_FLOOR, RUNNING, Run, RunStore, Series, Thinned
from .widgets import named

REDRAW_MS = 100         # the plots take turns: each is redrawn 5 times a second at most
LAYER_STYLES = [Qt.SolidLine, Qt.DashLine, Qt.DotLine, Qt.DashDotLine, Qt.DashDotDotLine]
LOSS_KEYS = ("batch_loss", "epoch_loss")


LOG_STEPS = 5           # log axes' ranges are whole fifths of a decade


def thin_limit(width: float) -> int:
    """Points kept of a long curve (a 30-epoch run has ~20000 batches) on a plot ``width``
    pixels wide: the two extremes of about one bucket a pixel, in powers of two (resizing
    by a few pixels changes nothing)."""
    return 2 * 2 ** math.ceil(math.log2(max(width, 256.0)))


def whole_epochs(x: float) -> int:
    """An x range's end: whole epochs, at least one (the first epoch's batches fill the
    axis instead of stretching 0…0.001 over it)."""
    return max(1, math.ceil(x - 1e-9))


def epoch_axis_end(runs: list[Run], x_max: float) -> int:
    """The epoch axis' end for ``runs`` whose points reach ``x_max``: while a run trains,
    the next of 1, 2, 5, 10, 20, 50… epochs, but never past the epochs it will train (a
    20-epoch run changes the axis 5 times, not 20: each change regenerates three axes and
    every curve's transform); otherwise the whole epochs reached."""
    end = whole_epochs(x_max)
    planned = [r.config.epochs for r in runs if r.state == RUNNING and r.config is not None]
    if not planned:
        return end
    nice = 1
    while nice < end:
        nice = nice * 5 // 2 if str(nice).startswith("2") else nice * 2
    return max(end, min(nice, max(planned)))


def log_ticks(lo: float, hi: float) -> list[list[tuple[float, str]]]:
    """Ticks for a log10 axis spanning ``lo..hi`` (in log10 units): 1-2-5 steps, thinned
    to at most ~8 labels (pyqtgraph's own minor log labels overlap in short ranges)."""
    values = []
    for mantissas in ((1, 2, 5), (1, 3), (1,)):
        values = [m * 10.0 ** e for e in range(math.floor(lo) - 1, math.ceil(hi) + 2) for m in mantissas
                  if lo <= math.log10(m * 10.0 ** e) <= hi]
        if len(values) <= 8:
            break
    if len(values) > 8:
        values = values[::-(-len(values) // 8)]
    return [[(math.log10(v), f"{v:g}") for v in values], []]


# The log10 range an empty log plot shows (labelled decades, not pyqtgraph's bare 2…9).
EMPTY_LOG_RANGE = {"lossPlot": (-2.0, 1.0), "gradientPlot": (-4.0, 1.0)}


def side_legend(plot: pg.PlotWidget) -> pg.LegendItem:
    """A legend in its own column right of the plot's view: it never covers a curve and is
    never clipped by the view (it takes the width its entries need)."""
    legend = pg.LegendItem(offset=None, verSpacing=-4)
    layout = plot.getPlotItem().layout
    layout.addItem(legend, 2, 3)
    layout.setAlignment(legend, Qt.AlignTop | Qt.AlignLeft)
    layout.setColumnStretchFactor(1, 1)       # the view takes the room, the legend what it needs
    return legend


def layer_label(run: Run, i: int) -> str:
    return run.layer_names[i] if i < len(run.layer_names) else QCoreApplication.translate("TrainPlots", "layer {n}").format(n=i + 1)


class TrainPlots(QWidget):
    """Three plots showing the runs of a :class:`RunStore` (visible ones only)."""

    def __init__(self, runs: RunStore, parent=None) -> None:
        super().__init__(parent)
        self.runs = runs
        self.curves: dict[int, dict[str, pg.PlotDataItem]] = {}
        self._thinned: dict[tuple[int, str], Thinned] = {}    # per long curve
        self._pushed: dict[tuple[int, str], int] = {}         # points last handed to each curve
        self._stale = False       # legends and ranges not brought up to date while hidden
        self.selected: Run | None = None
        self._dirty: dict[str, set[int]] = {"loss": set(), "grad": set()}
        self._turn = "loss"
        self._ranges: dict[str, tuple] = {}    # the view range last set, per plot
        self._build_plots()
        self._build_smoothing()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(self._grid, 1)
        lay.addLayout(self._smoothing_row)
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._tick)
        runs.added.connect(self._run_added)
        runs.removed.connect(self._run_removed)
        runs.changed.connect(self._run_changed)
        runs.curvesChanged.connect(self._mark_dirty)

    # -- building ---------------------------------------------------------------------
    def _build_plots(self) -> None:
        pg.setConfigOptions(antialias=False)
        self.loss_plot = named(pg.PlotWidget(), "lossPlot")
        self.accuracy_plot = named(pg.PlotWidget(), "accuracyPlot")
        self.gradient_plot = named(pg.PlotWidget(), "gradientPlot")
        for w, title, ylabel in ((self.loss_plot, self.tr("Training loss (thin: batches)"), self.tr("loss")),
                                 (self.accuracy_plot, self.tr("Validation accuracy"), "%"),
                                 (self.gradient_plot, self.tr("Gradient magnitude per layer (log scale)"), "‖∇W‖")):
            w.setBackground("w")
            pi = w.getPlotItem()
            pi.setTitle(title, color="#222", size="10pt")
            pi.setLabel("bottom", self.tr("epoch"))
            pi.setLabel("left", ylabel)
            # No grid: with grid lines a redraw of the three plots took 2-3x as long.
            # No pyqtgraph downsampling or clipping: the curves are thinned to the plot's width
            # already, and both would recompute every curve at each change of the view range.
            pi.disableAutoRange()
            for side in ("left", "bottom"):   # no "loss (x1e+27)" over log ticks, no "epoch (x0.001)"
                pi.getAxis(side).enableAutoSIPrefix(False)
            # Axes as pixmaps, redrawn when their range changes, not at each curve update.
            cache_axes(pi, ("left", "bottom"))
        self.loss_plot.getPlotItem().setLogMode(y=True)
        self.gradient_plot.getPlotItem().setLogMode(y=True)
        self.accuracy_plot.getPlotItem().setRange(xRange=(0, 1), yRange=(0, 100), padding=0.02)
        self.loss_legend = side_legend(self.loss_plot)
        self.gradient_legend = side_legend(self.gradient_plot)
        self.accuracy_legend = None
        self._fit()
        self._grid = QGridLayout()
        self._grid.addWidget(self.loss_plot, 0, 0)
        self._grid.addWidget(self.accuracy_plot, 0, 1)
        self._grid.addWidget(self.gradient_plot, 1, 0, 1, 2)

    def _build_smoothing(self) -> None:
        self.smoothing_slider = named(QSlider(Qt.Horizontal), "smoothingSlider")
        self.smoothing_slider.setRange(0, 99)
        self.smoothing_slider.setValue(60)
        self.smoothing_slider.setToolTip(self.tr("Exponential moving average of the batch loss "
                                                 "(0: raw values). Epoch means are never smoothed."))
        self.smoothing_label = QLabel()
        self.smoothing_label.setFixedWidth(40)
        self.smoothing_slider.valueChanged.connect(self._smoothing_changed)
        self._smoothing_row = QHBoxLayout()
        self._smoothing_row.addWidget(QLabel(self.tr("Batch-loss smoothing")))
        self._smoothing_row.addWidget(self.smoothing_slider, 1)
        self._smoothing_row.addWidget(self.smoothing_label)
        self._smoothing_row.addStretch(2)
        self.smoothing_label.setText(f"{self.smoothing:.2f}")

    @property
    def smoothing(self) -> float:
        return self.smoothing_slider.value() / 100.0

    # -- runs -------------------------------------------------------------------------
    def _run_added(self, run: Run) -> None:
        run.smoothed.recompute(run.series.get("batch_loss") or _empty(), self.smoothing)
        lp, ap = self.loss_plot.getPlotItem(), self.accuracy_plot.getPlotItem()
        c = pg.mkColor(run.colour)
        faint = pg.mkColor(run.colour)
        faint.setAlpha(90)
        self._forget(run)
        self.curves[run.id] = {
            "batch_loss": lp.plot(pen=pg.mkPen(faint, width=1), skipFiniteCheck=True),
            "epoch_loss": lp.plot(pen=pg.mkPen(c, width=2.5), symbol="o", symbolSize=5,
                                  symbolBrush=c, symbolPen=c, skipFiniteCheck=True),
            "val_accuracy": ap.plot(pen=pg.mkPen(c, width=2.5), symbol="o", symbolSize=5,
                                    symbolBrush=c, symbolPen=c, skipFiniteCheck=True),
        }
        self._mark_dirty(run)
        self._relegend()
        self._run_changed(run)

    def _grad_curves(self, run: Run) -> None:
        """Create the run's gradient curves once the number of layers is known."""
        curves = self.curves[run.id]
        gp = self.gradient_plot.getPlotItem()
        added = False
        for i in range(run.n_layers):
            key = f"grad{i}"
            if key not in curves:
                pen = pg.mkPen(run.colour, width=1, style=LAYER_STYLES[i % len(LAYER_STYLES)])
                curves[key] = gp.plot(pen=pen, skipFiniteCheck=True)
                curves[key].setVisible(run.visible)
                added = True
        if added:
            self._relegend()

    def _run_removed(self, run: Run) -> None:
        for c in self.curves.pop(run.id, {}).values():
            for p in (self.loss_plot, self.accuracy_plot, self.gradient_plot):
                p.getPlotItem().removeItem(c)    # ignores items it does not hold
        self._forget(run)
        if self.selected is run:
            self.selected = None
        self._relegend()
        self._fit()

    def _forget(self, run: Run, keys: tuple[str, ...] | None = None) -> None:
        """Forget what was pushed to ``run``'s curves (all, or ``keys``): the next redraw
        hands them their whole series again."""
        for ck in [ck for ck in (*self._pushed, *self._thinned) if ck[0] == run.id
                   and (keys is None or ck[1] in keys)]:
            self._pushed.pop(ck, None)
            self._thinned.pop(ck, None)

    def _run_changed(self, run: Run) -> None:
        curves = self.curves.get(run.id)
        if curves is None:
            return
        for c in curves.values():
            c.setVisible(run.visible)
        if self._hidden():
            self._stale = True           # legends and ranges once shown again
            return
        self._relegend()
        # The ranges with the next redraw (an epoch's end changes them and brings new
        # points: the plots repaint once for both).
        self._mark_dirty(run)

    def _hidden(self) -> bool:
        """Another tab is showing: redraws wait until this one is shown again."""
        return self.window().isVisible() and not self.isVisible()

    def select(self, run: Run | None) -> None:
        """Highlight ``run``'s curves (thicker, drawn on top)."""
        self.selected = run
        for rid, curves in self.curves.items():
            on = run is not None and rid == run.id
            for key, c in curves.items():
                pen = pg.mkPen(c.opts["pen"])
                base = 1.0 if key == "batch_loss" or key.startswith("grad") else 2.5
                pen.setWidthF(base * (1.8 if on else 1.0))
                c.setPen(pen)
                c.setZValue(10 if on else 0)

    def _relegend(self) -> None:
        loss = []
        for run in self.runs:
            curves = self.curves.get(run.id)
            if curves is None or not run.visible or not run.series:
                continue
            loss.append((curves["epoch_loss"], run.legend()))
        # The gradient legend names the layers (line styles) of the selected or newest run.
        grad = []
        shown = [r for r in self.runs if r.visible and r.id in self.curves and r.n_layers]
        run = self.selected if self.selected in shown else (shown[-1] if shown else None)
        if run is not None:
            for i in range(run.n_layers):
                c = self.curves[run.id].get(f"grad{i}")
                if c is not None:
                    grad.append((c, self.tr("{run}: {layer}").format(run=run.name, layer=layer_label(run, i))))
        self._set_legend(self.loss_legend, loss)
        self._set_legend(self.gradient_legend, grad)

    def _set_legend(self, legend: pg.LegendItem, entries: list[tuple[pg.PlotDataItem, str]]) -> None:
        """Show ``entries`` (curve, text): the same curves keep their rows and only a changed
        text is set again (an accuracy at each epoch); other changes rebuild the legend."""
        if [sample.item for sample, _ in legend.items] != [c for c, _ in entries]:
            legend.clear()
            for c, text in entries:
                legend.addItem(c, text)
            return
        changed = False
        for (_, label), (_, text) in zip(legend.items, entries):
            if label.text != text:
                label.setText(text)
                changed = True
        if changed:
            legend.updateSize()

    # -- redrawing --------------------------------------------------------------------
    def _mark_dirty(self, run: Run) -> None:
        for ids in self._dirty.values():
            ids.add(run.id)
        if not self._timer.isActive():
            self._timer.start()

    def _tick(self) -> None:
        if self._hidden():
            self._timer.stop()            # caught up in showEvent
            return
        self._turn = "grad" if self._turn == "loss" else "loss"
        self.redraw(self._turn)
        if not any(self._dirty.values()):
            self._timer.stop()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self._relegend()
            self._fit()
        if any(self._dirty.values()) and not self._timer.isActive():
            self._timer.start()

    def redraw(self, group: str | None = None) -> None:
        """Push new points to the curves of the loss and accuracy plots (``'loss'``), of
        the gradient plot (``'grad'``) or of all three (None)."""
        groups = ("loss", "grad") if group is None else (group,)
        for rid in set().union(*(self._dirty[g] for g in groups)):
            run = self.runs.get(rid)
            curves = self.curves.get(rid)
            for g in groups:
                self._dirty[g].discard(rid)
            if run is None or curves is None:
                continue
            if "loss" in groups:
                self._push(run, "batch_loss", run.smoothed, thin=True)
                for key in ("epoch_loss", "val_accuracy"):
                    self._push(run, key, run.series.get(key))
                self._samples_curve(run, curves)
            if "grad" in groups:
                self._grad_curves(run)
                for i in range(run.n_layers):
                    self._push(run, f"grad{i}", run.series.get(f"grad{i}"), thin=True)
        self._fit(group)

    def _push(self, run: Run, key: str, series: Series | None, thin: bool = False) -> None:
        """Hand ``series`` to ``run``'s curve ``key`` if it has points the curve has not."""
        ck = (run.id, key)
        if series is None or self._pushed.get(ck) == series.n:
            return
        self._pushed[ck] = series.n
        curve = self.curves[run.id][key]
        if thin:
            limit = thin_limit(curve.getViewBox().width())
            thinned = self._thinned.get(ck)
            if thinned is None or thinned.max_points != limit:
                thinned = self._thinned[ck] = Thinned(limit)
            curve.setData(*thinned.data(series))
        else:
            curve.setData(*series.data())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        for ck in self._thinned:          # thinned again for the new width (if it changed)
            self._pushed.pop(ck, None)
            self._dirty["loss" if ck[1] == "batch_loss" else "grad"].add(ck[0])
        if self._thinned and not self._timer.isActive():
            self._timer.start()

    SAMPLES_TITLE = "Validation accuracy (solid) · your samples (dashed; trained on them)"

    def samples_title(self) -> str:
        return self.tr("Validation accuracy (solid) · your samples (dashed; trained on them)")

    def _samples_curve(self, run: Run, curves: dict) -> None:
        """A run trained with the user's samples: their accuracy, dashed, beside validation.
        Every sample is in the training mix, so the legend says it is training data."""
        s = run.series.get("samples_accuracy")
        if s is None or not s.n:
            return
        if "samples_accuracy" not in curves:
            pen = pg.mkPen(run.colour, width=2.5, style=Qt.DashLine)
            curves["samples_accuracy"] = self.accuracy_plot.getPlotItem().plot(
                pen=pen, symbol="t", symbolSize=7, symbolBrush=run.colour, symbolPen=run.colour,
                skipFiniteCheck=True)
            curves["samples_accuracy"].setVisible(run.visible)
            pi = self.accuracy_plot.getPlotItem()
            pi.setTitle(self.samples_title(), color="#222", size="10pt")
            if self.accuracy_legend is None:
                self.accuracy_legend = side_legend(self.accuracy_plot)
            self.accuracy_legend.addItem(curves["val_accuracy"], self.tr("{run}: validation").format(run=run.name))
            self.accuracy_legend.addItem(curves["samples_accuracy"],
                                         self.tr("{run}: your %n sample(s) (training data)", "", run.samples_count)
                                         .format(run=run.name))
        self._push(run, "samples_accuracy", s)

    def _fit(self, group: str | None = None) -> None:
        """Set the view ranges ourselves, from finite values only (pyqtgraph's auto-range
        would repaint each plot twice per update, and raises on a non-finite range)."""
        visible = [r for r in self.runs if r.visible and r.id in self.curves]
        if group in (None, "loss"):
            self._fit_log(self.loss_plot, visible, LOSS_KEYS)
            xmax = max((s.x_max for r in visible for k, s in r.series.items() if k == "val_accuracy"
                        and s.n), default=1.0)
            self._set_range(self.accuracy_plot, (0, epoch_axis_end(visible, xmax)), (0, 100), 0.02)
        if group in (None, "grad"):
            self._fit_log(self.gradient_plot, visible, ("grad",))

    def _fit_log(self, plot: pg.PlotWidget, runs: list[Run], prefixes: tuple[str, ...]) -> None:
        # A diverged run's last values (1e30…) would flatten every other curve: its curves
        # run off the top unless it is the only run shown.
        calm = [r for r in runs if r.state != DIVERGED]
        runs = calm if any(r.series for r in calm) else runs
        xmax, lo, hi = 0.0, math.inf, -math.inf
        for run in runs:
            for k, s in run.series.items():
                if k.startswith(prefixes) and s.n:
                    xmax, lo, hi = max(xmax, s.x_max), min(lo, s.y_min), max(hi, s.y_max)
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
            lo, hi = EMPTY_LOG_RANGE[plot.objectName()]    # nothing yet: a range with labelled decades
        else:
            lo, hi = math.log10(max(lo, LOG_FLOOR)), math.log10(max(hi, LOG_FLOOR))
        if hi - lo < 1e-3:
            lo, hi = lo - 0.5, hi + 0.5
        # In steps of a fifth of a decade: while a run trains, the range (so the axis, its
        # ticks and every curve's transform) changes a few times, not at every redraw.
        lo, hi = math.floor(lo * LOG_STEPS) / LOG_STEPS, math.ceil(hi * LOG_STEPS) / LOG_STEPS
        if self._set_range(plot, (0, epoch_axis_end(runs, xmax)), (lo, hi), 0.04):
            plot.getPlotItem().getAxis("left").setTicks(log_ticks(lo, hi))

    def _set_range(self, plot: pg.PlotWidget, x: tuple, y: tuple, padding: float) -> bool:
        """Set ``plot``'s view range unless it is already that; True if it changed."""
        key = (x, y, padding)
        if self._ranges.get(plot.objectName()) == key:
            return False
        self._ranges[plot.objectName()] = key
        vb = plot.getPlotItem().getViewBox()
        vb.setRange(xRange=x, yRange=y, padding=padding)
        vb.prepareForPaint()    # apply the range now: axes and curves repaint once, together
        return True

    def _smoothing_changed(self) -> None:
        self.smoothing_label.setText(f"{self.smoothing:.2f}")
        for run in self.runs:
            run.smoothed.recompute(run.series.get("batch_loss") or _empty(), self.smoothing)
            self._forget(run, ("batch_loss",))
            self._dirty["loss"].add(run.id)
        self.redraw("loss")

    # -- reading (tests, status) ------------------------------------------------------
    def plotted(self, run: Run) -> dict[str, int]:
        """Points currently shown by ``run``'s curves."""
        out = {}
        for k, c in self.curves.get(run.id, {}).items():
            x = c.getData()[0]
            out[k] = 0 if x is None else len(x)
        return out

    def all_plotted_values(self):
        """Every (x, y) array currently handed to pyqtgraph (tests check they are finite)."""
        for curves in self.curves.values():
            for c in curves.values():
                x, y = c.getData()
                if x is not None:
                    yield x, y


def _empty():
    return Series(1)
