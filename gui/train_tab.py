"""Train tab: choose a network and a recipe, train it in the background, watch it learn.

Training runs in a :class:`gui.worker.Worker` through the shared ``Trainer``. Events
arrive in batches; the plots are redrawn by a ~20 Hz timer from arrays the GUI thread
owns (curves are created once per run, then ``setData``). Earlier runs stay on the plots,
faded, until "Clear plots".
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from model import LetterLabError
from model.training import DEFAULT_LR, PRESETS, BatchEvent, EpochEvent, TrainConfig

from .jobs import Status, TrainingJob, TrainingResult, TrainingStarted
from .state import AppState
from .worker import Worker

PRESET_CHOICES = [("shallow", "Shallow (tutorial)"), ("deep", "Deep (tutorial)"),
                  ("default", "Default (LetterLab)"), ("custom", "Custom")]
ACTIVATIONS = ["sigmoid", "tanh", "relu"]
LOSSES = [("quadratic", "quadratic"), ("cross_entropy", "cross-entropy (sigmoid)"),
          ("softmax_cross_entropy", "softmax cross-entropy")]
LAYER_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
REDRAW_MS = 50


def _named(w, name: str):
    w.setObjectName(name)
    w.setAccessibleName(name)
    return w


class Series:
    """A growing pair of float arrays (amortised O(1) append, views for setData)."""

    def __init__(self, capacity: int = 1024) -> None:
        self.x = np.empty(capacity)
        self.y = np.empty(capacity)
        self.n = 0
        self.x_max = 0.0
        self.y_min = math.inf
        self.y_max = -math.inf

    def append(self, x: float, y: float) -> None:
        if self.n == len(self.x):
            self.x = np.resize(self.x, 2 * self.n)
            self.y = np.resize(self.y, 2 * self.n)
        self.x[self.n] = x
        self.y[self.n] = y
        self.n += 1
        self.x_max = max(self.x_max, x)
        self.y_min = min(self.y_min, y)
        self.y_max = max(self.y_max, y)

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x[:self.n], self.y[:self.n]


@dataclass
class RunPlot:
    """The curves of one run and the data behind them."""
    curves: dict[str, pg.PlotDataItem] = field(default_factory=dict)
    series: dict[str, Series] = field(default_factory=dict)
    dirty: set = field(default_factory=set)     # keys of series with new points
    label: str = ""


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


def format_seconds(s: float) -> str:
    s = max(0, int(round(s)))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class TrainTab(QWidget):
    """Controls on the left, live plots on the right."""

    runFinished = Signal(str)   # the DoneEvent's reason

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.worker: Worker | None = None
        self.job: TrainingJob | None = None
        self.runs: list[RunPlot] = []
        self.current: RunPlot | None = None
        self._applying_preset = False
        self._shut_down = False
        self._last_batch: BatchEvent | None = None
        self._n_batches = 0
        self._epochs = 0
        self._build_controls()
        self._build_plots()
        lay = QHBoxLayout(self)
        lay.addWidget(self._controls_widget)
        lay.addWidget(self._plots_widget, 1)
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setInterval(REDRAW_MS // 2)
        self._redraw_timer.timeout.connect(self._redraw_tick)
        self._turn = "loss"
        self.apply_preset("deep")
        self._update_buttons()
        state.dataChanged.connect(self._update_buttons)

    # -- controls -----------------------------------------------------------------------
    def _build_controls(self) -> None:
        self.preset_combo = _named(QComboBox(), "presetCombo")
        for key, label in PRESET_CHOICES:
            self.preset_combo.addItem(label, key)
        self.hidden_edit = _named(QLineEdit(), "hiddenEdit")
        self.hidden_edit.setPlaceholderText("none (e.g. 256, 128)")
        self.hidden_edit.setToolTip("Hidden layer sizes, input side first, separated by commas. "
                                    "Empty: no hidden layer (the tutorial's shallow net).")
        self.activation_combo = _named(QComboBox(), "activationCombo")
        self.activation_combo.addItems(ACTIVATIONS)
        self.loss_combo = _named(QComboBox(), "lossCombo")
        for key, label in LOSSES:
            self.loss_combo.addItem(label, key)
        self.lr_spin = _named(QDoubleSpinBox(), "lrSpin")
        self.lr_spin.setDecimals(4)
        self.lr_spin.setRange(0.0001, 100000.0)
        self.lr_spin.setToolTip("Learning rate, written the tutorial's way: 1000 for the quadratic loss "
                                "with batch 1024 (it divides by the batch size), 1.0 for cross-entropy.")
        self.momentum_spin = _named(QDoubleSpinBox(), "momentumSpin")
        self.momentum_spin.setRange(0.0, 0.99)
        self.momentum_spin.setSingleStep(0.1)
        self.batch_spin = _named(QSpinBox(), "batchSpin")
        self.batch_spin.setRange(1, 65536)
        self.epochs_spin = _named(QSpinBox(), "epochsSpin")
        self.epochs_spin.setRange(1, 10000)
        self.seed_spin = _named(QSpinBox(), "seedSpin")
        self.seed_spin.setRange(0, 2**31 - 1)

        form = QFormLayout()
        form.addRow("Preset", self.preset_combo)
        form.addRow("Hidden layers", self.hidden_edit)
        form.addRow("Activation", self.activation_combo)
        form.addRow("Loss", self.loss_combo)
        form.addRow("Learning rate", self.lr_spin)
        form.addRow("Momentum", self.momentum_spin)
        form.addRow("Batch size", self.batch_spin)
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Seed", self.seed_spin)
        box = QGroupBox("Network and recipe")
        box.setLayout(form)

        self.start_button = _named(QPushButton("Start"), "startButton")
        self.stop_button = _named(QPushButton("Stop"), "stopButton")
        self.clear_plots_button = _named(QPushButton("Clear plots"), "clearPlotsButton")
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.clear_plots_button.clicked.connect(self.clear_plots)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)

        self.progress = _named(QProgressBar(), "trainProgress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("Not started")
        self.status_label = _named(QLabel("Choose a preset or your own settings, then Start."), "trainStatus")
        self.status_label.setWordWrap(True)
        # Fixed size: a wrapped label whose text changes otherwise relayouts the whole
        # window (~3.5 ms in the GUI thread, every epoch).
        self.status_label.setFixedSize(280, 96)
        self.status_label.setAlignment(Qt.AlignTop | Qt.AlignLeft)

        v = QVBoxLayout()
        v.addWidget(box)
        v.addLayout(buttons)
        v.addWidget(self.progress)
        v.addWidget(self.status_label)
        v.addWidget(self.clear_plots_button)
        v.addStretch(1)
        self._controls_widget = QWidget()
        self._controls_widget.setLayout(v)
        self._controls_widget.setFixedWidth(300)

        self.preset_combo.currentIndexChanged.connect(self._preset_chosen)
        for sig in (self.hidden_edit.textEdited, self.activation_combo.currentIndexChanged,
                    self.lr_spin.valueChanged, self.momentum_spin.valueChanged,
                    self.batch_spin.valueChanged, self.epochs_spin.valueChanged,
                    self.seed_spin.valueChanged):
            sig.connect(self._edited)
        self.loss_combo.currentIndexChanged.connect(self._loss_edited)

    def _preset_chosen(self) -> None:
        key = self.preset_combo.currentData()
        if key != "custom" and not self._applying_preset:
            self.apply_preset(key)

    def apply_preset(self, key: str) -> None:
        """Fill the controls from a preset ('shallow', 'deep', 'default')."""
        cfg = PRESETS[key]
        self._applying_preset = True
        try:
            self.preset_combo.setCurrentIndex(self.preset_combo.findData(key))
            self._fill(cfg)
        finally:
            self._applying_preset = False

    def _fill(self, cfg: TrainConfig) -> None:
        self.hidden_edit.setText(", ".join(map(str, cfg.hidden)))
        self.activation_combo.setCurrentText(cfg.activation)
        self.loss_combo.setCurrentIndex(self.loss_combo.findData(cfg.loss))
        self.lr_spin.setValue(cfg.lr)
        self.momentum_spin.setValue(cfg.momentum)
        self.batch_spin.setValue(cfg.batch_size)
        self.epochs_spin.setValue(cfg.epochs)
        self.seed_spin.setValue(cfg.seed)

    def _edited(self, *_) -> None:
        if not self._applying_preset:
            self._to_custom()

    def _to_custom(self) -> None:
        self._applying_preset = True
        self.preset_combo.setCurrentIndex(self.preset_combo.findData("custom"))
        self._applying_preset = False

    def _loss_edited(self, *_) -> None:
        if self._applying_preset:
            return
        # A new loss takes its usual learning rate (as preset_config does).
        self._applying_preset = True
        self.lr_spin.setValue(DEFAULT_LR[self.loss_combo.currentData()])
        self._applying_preset = False
        self._to_custom()

    def config(self) -> TrainConfig:
        """The TrainConfig the controls describe; raises LetterLabError for bad input."""
        text = self.hidden_edit.text().replace(";", ",").strip()
        try:
            hidden = tuple(int(t) for t in text.replace(" ", ",").split(",") if t.strip())
        except ValueError:
            raise LetterLabError(f"hidden layer sizes must be whole numbers separated by commas, got {text!r}") from None
        key = self.preset_combo.currentData()
        return TrainConfig(hidden=hidden, activation=self.activation_combo.currentText(),
                           loss=self.loss_combo.currentData(), lr=self.lr_spin.value(),
                           epochs=self.epochs_spin.value(), batch_size=self.batch_spin.value(),
                           seed=self.seed_spin.value(), momentum=self.momentum_spin.value(),
                           preset=key)

    def set_config(self, cfg: TrainConfig) -> None:
        self._applying_preset = True
        try:
            key = cfg.preset if cfg.preset in PRESETS else "custom"
            self.preset_combo.setCurrentIndex(self.preset_combo.findData(key))
            self._fill(cfg)
        finally:
            self._applying_preset = False

    # -- settings ----------------------------------------------------------------------
    def save_settings(self, s: QSettings) -> None:
        try:
            cfg = self.config()
        except LetterLabError:
            return
        s.setValue("train/config", {k: (",".join(map(str, v)) if k == "hidden" else v)
                                    for k, v in cfg.to_dict().items()})

    def load_settings(self, s: QSettings) -> None:
        d = s.value("train/config")
        if not isinstance(d, dict):
            return
        try:
            hidden = tuple(int(t) for t in str(d.get("hidden", "")).split(",") if t.strip())
            cfg = TrainConfig(hidden=hidden, activation=str(d["activation"]), loss=str(d["loss"]),
                              lr=float(d["lr"]), epochs=int(d["epochs"]), batch_size=int(d["batch_size"]),
                              seed=int(d["seed"]), momentum=float(d.get("momentum", 0.0)),
                              preset=str(d.get("preset", "custom")))
        except (KeyError, TypeError, ValueError, LetterLabError):
            return
        self.set_config(cfg)

    # -- plots --------------------------------------------------------------------------
    def _build_plots(self) -> None:
        pg.setConfigOptions(antialias=False)
        self.loss_plot = _named(pg.PlotWidget(), "lossPlot")
        self.accuracy_plot = _named(pg.PlotWidget(), "accuracyPlot")
        self.gradient_plot = _named(pg.PlotWidget(), "gradientPlot")
        for w, title, ylabel in ((self.loss_plot, "Training loss", "loss"),
                                 (self.accuracy_plot, "Validation accuracy", "%"),
                                 (self.gradient_plot, "Gradient magnitude per layer (log scale)", "‖∇W‖")):
            w.setBackground("w")
            pi = w.getPlotItem()
            pi.setTitle(title, color="#222", size="10pt")
            pi.setLabel("bottom", "epoch")
            pi.setLabel("left", ylabel)
            # No grid: with grid lines a redraw of the three plots took 2-3x as long.
            pi.setDownsampling(auto=True, mode="peak")
            pi.setClipToView(True)
        self.loss_plot.getPlotItem().setLogMode(y=True)
        self.gradient_plot.getPlotItem().setLogMode(y=True)
        self.loss_plot.getPlotItem().disableAutoRange()

        self.gradient_plot.getPlotItem().disableAutoRange()
        self.accuracy_plot.getPlotItem().setYRange(0, 100)
        self.loss_legend = self.loss_plot.getPlotItem().addLegend(offset=(-10, 10))
        self.gradient_legend = self.gradient_plot.getPlotItem().addLegend(offset=(-10, 10))
        grid = QGridLayout()
        grid.addWidget(self.loss_plot, 0, 0)
        grid.addWidget(self.accuracy_plot, 0, 1)
        grid.addWidget(self.gradient_plot, 1, 0, 1, 2)
        self._plots_widget = QWidget()
        self._plots_widget.setLayout(grid)

    def _new_run_plot(self, n_layers: int, sizes: list[int], label: str = "") -> RunPlot:
        # Fade the earlier runs, keep them visible.
        for run in self.runs:
            for name, c in run.curves.items():
                c.setPen(pg.mkPen(200, 200, 200, 160, width=1))
                c.setSymbol(None)
        self.loss_legend.clear()
        self.gradient_legend.clear()
        if self.runs:
            # One legend entry for the faded curves: what the latest earlier run was.
            prev = self.runs[-1]
            text = f"earlier: {prev.label}" if len(self.runs) == 1 else f"earlier runs ({len(self.runs)}), last: {prev.label}"
            self.loss_legend.addItem(prev.curves["batch_loss"], text)
            self.gradient_legend.addItem(prev.curves["grad0"], text)
        run = RunPlot(label=label)
        lp, ap, gp = (self.loss_plot.getPlotItem(), self.accuracy_plot.getPlotItem(),
                      self.gradient_plot.getPlotItem())
        run.curves["batch_loss"] = lp.plot(pen=pg.mkPen("#7fa7d0", width=1), name="batch")
        run.curves["epoch_loss"] = lp.plot(pen=pg.mkPen("#08306b", width=2.5), name="epoch mean",
                                           symbol="o", symbolSize=5, symbolBrush="#08306b")
        run.curves["val_accuracy"] = ap.plot(pen=pg.mkPen("#2ca02c", width=2.5), symbol="o",
                                             symbolSize=5, symbolBrush="#2ca02c")
        for i in range(n_layers):
            colour = LAYER_COLOURS[i % len(LAYER_COLOURS)]
            run.curves[f"grad{i}"] = gp.plot(pen=pg.mkPen(colour, width=1),
                                             name=f"layer {i + 1} ({sizes[i]}→{sizes[i + 1]})")
        for k in run.curves:
            run.series[k] = Series()
        self.runs.append(run)
        return run

    def clear_plots(self) -> None:
        """Remove every finished run's curves (the running one keeps its curves)."""
        keep = [self.current] if (self.current is not None and self.is_running()) else []
        for run in self.runs:
            if run in keep:
                continue
            for c in run.curves.values():
                for p in (self.loss_plot, self.accuracy_plot, self.gradient_plot):
                    p.getPlotItem().removeItem(c)   # ignores items it does not hold
        self.runs = keep
        if not keep:
            self.loss_legend.clear()
            self.gradient_legend.clear()
            self.current = None

    def _fit_log_plot(self, plot: pg.PlotWidget, prefixes: tuple[str, ...]) -> None:
        """Set the view range ourselves: pyqtgraph's auto-range would repaint each plot
        twice per update (once for the data, once for the new range)."""
        xmax, lo, hi = 0.0, math.inf, -math.inf
        for run in self.runs:
            for k, ser in run.series.items():
                if k.startswith(prefixes) and ser.n:
                    xmax, lo, hi = max(xmax, ser.x_max), min(lo, ser.y_min), max(hi, ser.y_max)
        if hi < lo:
            return
        lo, hi = math.log10(max(lo, 1e-12)), math.log10(max(hi, 1e-12))
        if hi - lo < 1e-3:
            lo, hi = lo - 0.5, hi + 0.5
        plot.getPlotItem().getViewBox().setRange(xRange=(0, max(xmax, 1e-3)), yRange=(lo, hi), padding=0.04)
        plot.getPlotItem().getAxis("left").setTicks(log_ticks(lo, hi))

    def redraw(self, group: str | None = None) -> None:
        """Push new points to the curves: the loss and accuracy plots (``group='loss'``),
        the gradient plot (``'grad'``) or all of them (``None``)."""
        keys = {None: None, "loss": ("batch_loss", "epoch_loss", "val_accuracy"), "grad": ("grad",)}[group]
        if group in (None, "loss") and any(run.dirty for run in self.runs):
            self._fit_log_plot(self.loss_plot, ("batch_loss", "epoch_loss"))
        if group in (None, "grad") and any(run.dirty for run in self.runs):
            self._fit_log_plot(self.gradient_plot, ("grad",))
        for run in self.runs:
            done = [k for k in run.dirty if keys is None or k.startswith(keys)]
            for k in done:
                run.curves[k].setData(*run.series[k].data())
            run.dirty.difference_update(done)
        plots = {None: (self.loss_plot, self.accuracy_plot, self.gradient_plot),
                 "loss": (self.loss_plot, self.accuracy_plot), "grad": (self.gradient_plot,)}[group]
        for plot in plots:
            # Apply the new range now, so the axes and curves repaint once, together.
            plot.getPlotItem().getViewBox().prepareForPaint()

    def _redraw_tick(self) -> None:
        # The plots take turns: each is refreshed ~20 times a second, and the GUI thread
        # never spends one long stretch painting all of them.
        self._turn = "grad" if self._turn == "loss" else "loss"
        self.redraw(self._turn)

    def point_counts(self) -> dict[str, int]:
        """Points currently shown by the newest run's curves (for tests and the status)."""
        if not self.runs:
            return {}
        return {k: len(c.getData()[0]) if c.getData()[0] is not None else 0
                for k, c in self.runs[-1].curves.items()}

    # -- running ------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.worker is not None

    def _update_buttons(self) -> None:
        running = self.is_running()
        ready = self.state.data_root is not None
        self.start_button.setEnabled(not running and ready)
        self.stop_button.setEnabled(running)
        for w in (self.preset_combo, self.hidden_edit, self.activation_combo, self.loss_combo,
                  self.lr_spin, self.momentum_spin, self.batch_spin, self.epochs_spin, self.seed_spin):
            w.setEnabled(not running)
        if not ready and not running:
            self.start_button.setToolTip("Waiting for the data set")
        else:
            self.start_button.setToolTip("Train a new network with these settings")

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #b00020; font-weight: bold;" if error else "")

    def start(self) -> None:
        if self.is_running():
            return
        if self.state.data_root is None:
            self._set_status("The data set is not ready yet.", error=True)
            return
        try:
            cfg = self.config()
        except LetterLabError as e:
            self._set_status(str(e), error=True)
            return
        self._epochs = cfg.epochs
        self._n_batches = 0
        self.current = self._new_run_plot(len(cfg.hidden) + 1, cfg.spec.sizes,
                                          f"{cfg.spec.describe()}, lr {cfg.lr:g}")
        self.progress.setRange(0, 0)   # busy until the first batch
        self.progress.setFormat("Loading…")
        self._set_status(f"Starting {cfg.spec.describe()}, lr {cfg.lr:g}, batch {cfg.batch_size}…")
        self.job = TrainingJob(cfg, self.state.data_root, self.state.validation)
        w = Worker(self.job.run, stop=self.job.stop,
                   urgent=lambda ev: not isinstance(ev, BatchEvent), name="training")
        self.job.progress = w.report     # loading progress; raises Stopped after Stop
        w.progress.connect(self._on_load_progress)
        w.items.connect(self._on_items)
        w.failed.connect(self._on_failed)
        w.finished.connect(self._on_finished)
        self.worker = w
        self._update_buttons()
        self._redraw_timer.start()
        w.start()

    def stop(self) -> None:
        """Ask the run to end between batches (the thread is joined when it has)."""
        if self.worker is not None:
            self.worker.stop()
            self._set_status("Stopping after this batch…")

    def shutdown(self, timeout_ms: int = 30000) -> None:
        """Stop and join the worker (window closing); later results are ignored."""
        self._shut_down = True
        if self.worker is not None:
            self.worker.stop_and_wait(timeout_ms)
            self._on_finished()

    def _on_items(self, items: list) -> None:
        run = self.current
        if run is None or self._shut_down:
            return
        for ev in items:
            if isinstance(ev, BatchEvent):
                self._n_batches = ev.n_batches
                x = ev.epoch - 1 + ev.batch / ev.n_batches
                run.series["batch_loss"].append(x, max(ev.loss, 1e-12))
                run.dirty.add("batch_loss")
                for i, g in enumerate(ev.grad_norms):
                    s = run.series.get(f"grad{i}")
                    if s is not None:
                        s.append(x, max(g, 1e-12))
                        run.dirty.add(f"grad{i}")
                self._last_batch = ev
            elif isinstance(ev, EpochEvent):
                run.series["epoch_loss"].append(ev.epoch, max(ev.train_loss, 1e-12))
                run.dirty.add("epoch_loss")
                if ev.val_accuracy is not None:
                    run.series["val_accuracy"].append(ev.epoch, 100.0 * ev.val_accuracy)
                    run.dirty.add("val_accuracy")
                acc = "" if ev.val_accuracy is None else f", validation accuracy {100 * ev.val_accuracy:.1f} %"
                self._set_status(f"Epoch {ev.epoch}/{ev.epochs}: training loss {ev.train_loss:.4g}{acc}")
            elif isinstance(ev, Status):
                self._set_status(ev.text)
            elif isinstance(ev, TrainingStarted):
                self._set_status(f"Training {ev.config.spec.describe()} on {ev.n_train} images…")
            elif isinstance(ev, TrainingResult):
                self._on_result(ev)
        last = self._last_batch
        if last is not None and self._n_batches:
            total = self._epochs * self._n_batches
            done = (last.epoch - 1) * self._n_batches + last.batch
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            left = last.seconds / done * (total - done) if done else 0.0
            self.progress.setFormat(f"Epoch {last.epoch}/{self._epochs} · batch {last.batch}/{last.n_batches}"
                                    f" · {format_seconds(left)} left")

    def _on_load_progress(self, done: int, total: int) -> None:
        if self._n_batches == 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat(f"Loading training data: {done}/{total}")

    def _on_result(self, r: TrainingResult) -> None:
        done = r.done
        meta = dict(r.metadata)
        self.state.set_model(r.network, meta, source=f"{r.config.preset} net, trained in this window (unsaved)")
        acc = "" if done.val_accuracy is None else f" Validation accuracy {100 * done.val_accuracy:.1f} %."
        if done.reason == "diverged":
            self._set_status(f"Diverged: {done.message}", error=True)
        elif done.reason == "stopped":
            self._set_status(f"{done.message}{acc} Its weights are now the active model.")
        else:
            self._set_status(f"{done.message}{acc} Its weights are now the active model.")
        if done.reason == "finished":
            self.progress.setValue(self.progress.maximum())
        self.runFinished.emit(done.reason)

    def _on_failed(self, message: str) -> None:
        self._set_status(f"Training failed: {message}", error=True)

    def _on_finished(self) -> None:
        w = self.worker
        if w is None:
            return
        w.wait()          # QThread.finished is emitted just before the thread really ends
        self.worker = None
        self.job = None
        self._last_batch = None
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat("Not started")
        self.redraw()
        self._redraw_timer.stop()
        self._update_buttons()
        w.deleteLater()
