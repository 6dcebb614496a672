"""Compare two runs: their recipes side by side with the differences highlighted, and their
curves side by side on the same scales (training loss, validation accuracy, gradient
magnitude per layer).

Deep + quadratic loss against deep + cross-entropy is the tutorial's vanishing-gradient
lesson in one picture: same network, one setting apart, and the first layer's gradient
(and the accuracy) far apart. The dialog only reads the runs (a run still training shows
the points it had when the dialog opened).
"""
from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QGridLayout, QHeaderView,
                               QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout)

from model import LetterLabError
from model.network import NetSpec

from .i18n import activation_text, loss_text, preset_text, spec_text
from .runs import LOG_FLOOR, Run, Series, state_text
from .train_plots import LAYER_STYLES, layer_label, log_ticks
from .widgets import named

HIGHLIGHT = "#fff1b8"     # a difference's row (yellow, readable with any run colour)


def recipe_rows(run: Run) -> list[tuple[str, str, str]]:
    """``(key, label, value)`` for each setting and result of ``run`` (values as shown)."""
    translate = QCoreApplication.translate
    c, meta = run.config, run.metadata
    spec = c.spec if c is not None else (run.network.spec if run.network is not None else None)
    if spec is None:
        try:
            spec = NetSpec.from_dict(meta.get("architecture"))
        except (LetterLabError, TypeError):
            spec = None

    def setting(name: str, default=None):
        return getattr(c, name) if c is not None else meta.get(name, default)

    def number(v) -> str:
        return "—" if v is None else f"{v:g}" if isinstance(v, (int, float)) else str(v)

    hidden = "—" if spec is None else (", ".join(map(str, spec.hidden)) or translate("Compare", "none"))
    preset = setting("preset")
    acc = run.best_accuracy
    rows = [
        ("preset", translate("Compare", "Preset"), "—" if preset is None else preset_text(preset)),
        ("network", translate("Compare", "Network"), "—" if spec is None else spec_text(spec)),
        ("hidden", translate("Compare", "Hidden layers"), hidden),
        ("activation", translate("Compare", "Activation"), "—" if spec is None else activation_text(spec.activation)),
        ("loss", translate("Compare", "Loss"), "—" if spec is None else loss_text(spec.loss)),
        ("lr", translate("Compare", "Learning rate"), number(setting("lr"))),
        ("batch_size", translate("Compare", "Batch size"), number(setting("batch_size"))),
        ("epochs", translate("Compare", "Epochs"), number(setting("epochs"))),
        ("momentum", translate("Compare", "Momentum"), number(setting("momentum", 0.0))),
        ("seed", translate("Compare", "Seed"), number(setting("seed"))),
        ("best", translate("Compare", "Best validation accuracy"), "—" if acc is None else f"{100 * acc:.1f} %"),
        ("state", translate("Compare", "State"), state_text(run.state)),
    ]
    return rows


def differences(a: Run, b: Run) -> list[str]:
    """Labels of the settings in which ``a`` and ``b`` differ (not the results, not the
    preset's name or the one-line network, which repeat other rows)."""
    out = []
    for (key, label, va), (_, _, vb) in zip(recipe_rows(a), recipe_rows(b)):
        if key not in ("best", "state", "network", "preset") and va != vb:
            out.append(label)
    return out


class CompareDialog(QDialog):
    """Two runs side by side (object name ``compareDialog``)."""

    PLOTS = ("loss", "accuracy", "gradient")

    def __init__(self, a: Run, b: Run, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.runs = (a, b)
        self.setWindowTitle(self.tr("Compare {a} and {b}").format(a=a.name, b=b.name))
        self.plots: dict[str, list[pg.PlotWidget]] = {}
        lay = QVBoxLayout(self)
        lay.addWidget(self._build_summary())
        lay.addWidget(self._build_table())
        lay.addLayout(self._build_plots(), 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(1200, 860)

    # -- the recipes --------------------------------------------------------------------
    def _build_summary(self) -> QLabel:
        diff = differences(*self.runs)
        text = (self.tr("Differences: {settings}").format(settings=QCoreApplication.translate("Terms", ", ").join(diff))
                if diff else self.tr("Same recipe (the curves differ only by chance)."))
        label = named(QLabel(text), "compareSummary")
        f = QFont(label.font())
        f.setBold(True)
        label.setFont(f)
        return label

    def _build_table(self) -> QTableWidget:
        a, b = (recipe_rows(r) for r in self.runs)
        t = self.table = named(QTableWidget(len(a), 3), "compareRecipe")
        t.setHorizontalHeaderLabels([self.tr("Setting"), *(r.name for r in self.runs)])
        t.verticalHeader().setVisible(False)
        t.setEditTriggers(QAbstractItemView.NoEditTriggers)
        t.setSelectionMode(QAbstractItemView.NoSelection)
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        for col in (1, 2):
            t.horizontalHeader().setSectionResizeMode(col, QHeaderView.Stretch)
            t.horizontalHeaderItem(col).setForeground(QBrush(QColor(self.runs[col - 1].colour)))
        self.differing: list[str] = []
        for i, ((key, label, va), (_, _, vb)) in enumerate(zip(a, b)):
            differ = va != vb
            if differ:
                self.differing.append(key)
            for col, text in enumerate((label, va, vb)):
                item = QTableWidgetItem(text)
                if differ:
                    item.setBackground(QBrush(QColor(HIGHLIGHT)))
                    f = QFont(item.font())
                    f.setBold(True)
                    item.setFont(f)
                t.setItem(i, col, item)
        t.resizeRowsToContents()
        height = t.horizontalHeader().height() + sum(t.rowHeight(i) for i in range(t.rowCount())) + 4
        t.setFixedHeight(min(height, 300))
        return t

    # -- the curves ---------------------------------------------------------------------
    def _build_plots(self) -> QGridLayout:
        grid = QGridLayout()
        titles = {"loss": self.tr("Training loss (thin: batches)"), "accuracy": self.tr("Validation accuracy"),
                  "gradient": self.tr("Gradient magnitude per layer (log scale)")}
        for col, run in enumerate(self.runs):
            head = QLabel(f"<b style='color:{run.colour}'>{run.name}</b>")
            head.setTextFormat(Qt.RichText)
            head.setAlignment(Qt.AlignCenter)
            grid.addWidget(head, 0, col)
            for row, key in enumerate(self.PLOTS, start=1):
                w = named(pg.PlotWidget(), f"compare{key.capitalize()}{col}")
                w.setBackground("w")
                pi = w.getPlotItem()
                pi.setTitle(titles[key], color="#222", size="9pt")
                pi.setLabel("bottom", self.tr("epoch"))
                pi.disableAutoRange()
                pi.getAxis("left").enableAutoSIPrefix(False)
                if key != "accuracy":
                    pi.setLogMode(y=True)
                self.plots.setdefault(key, []).append(w)
                grid.addWidget(w, row, col)
            self._draw(run, col)
        note = QLabel(self.tr("Smaller gradients, slower learning: with sigmoid units the quadratic loss's gradient "
                              "is multiplied by σ′ ≤ 0.25 at every layer and vanishes when they saturate; "
                              "cross-entropy cancels the last σ′."))
        note.setWordWrap(True)
        grid.addWidget(note, len(self.PLOTS) + 1, 0, 1, 2)
        self._fit()
        return grid

    def _draw(self, run: Run, col: int) -> None:
        c = pg.mkColor(run.colour)
        faint = pg.mkColor(run.colour)
        faint.setAlpha(90)
        lp = self.plots["loss"][col].getPlotItem()
        lp.plot(*run.smoothed.data(), pen=pg.mkPen(faint, width=1))
        for key, plot in (("epoch_loss", lp), ("val_accuracy", self.plots["accuracy"][col].getPlotItem())):
            s = run.series.get(key)
            if s is not None and s.n:
                plot.plot(*s.data(), pen=pg.mkPen(c, width=2.5), symbol="o", symbolSize=5, symbolBrush=c, symbolPen=c)
        gp = self.plots["gradient"][col].getPlotItem()
        legend = gp.addLegend(offset=(-10, 10))
        for i in range(run.n_layers):
            s = run.series.get(f"grad{i}")
            if s is not None and s.n:
                curve = gp.plot(*s.data(), pen=pg.mkPen(c, width=1.5, style=LAYER_STYLES[i % len(LAYER_STYLES)]))
                legend.addItem(curve, layer_label(run, i))

    def _series(self, prefixes: tuple[str, ...]) -> list[Series]:
        return [s for r in self.runs for k, s in r.series.items() if k.startswith(prefixes) and s.n]

    def _fit(self) -> None:
        """The same finite ranges on both sides, so the two runs compare at a glance."""
        every = self._series(("batch_loss", "epoch_loss", "val_accuracy", "grad"))
        xmax = max([1.0, *(s.x_max for s in every)])
        for key, prefixes in (("loss", ("batch_loss", "epoch_loss")), ("gradient", ("grad",))):
            ss = self._series(prefixes)
            lo = min((s.y_min for s in ss), default=math.inf)
            hi = max((s.y_max for s in ss), default=-math.inf)
            if not (math.isfinite(lo) and math.isfinite(hi)):
                lo, hi = 1e-3, 1.0
            lo, hi = math.log10(max(lo, LOG_FLOOR)), math.log10(max(hi, LOG_FLOOR))
            if hi - lo < 1e-3:
                lo, hi = lo - 0.5, hi + 0.5
            for w in self.plots[key]:
                w.getPlotItem().getViewBox().setRange(xRange=(0, xmax), yRange=(lo, hi), padding=0.04)
                w.getPlotItem().getAxis("left").setTicks(log_ticks(lo, hi))
        for w in self.plots["accuracy"]:
            w.getPlotItem().getViewBox().setRange(xRange=(0, xmax), yRange=(0, 100), padding=0.02)

    def y_range(self, key: str, col: int) -> tuple[float, float]:
        return tuple(self.plots[key][col].getPlotItem().getViewBox().viewRange()[1])
