"""Runs: every model the app holds — each training run, the shipped weights, every file
opened — with its recipe, curves, accuracy, state and weights (in memory until saved).

:class:`RunStore` changes only through its methods, which emit signals; the runs list and
the plots subscribe to them. No widgets here.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Signal

from model import LetterLabError
from model.network import Network
from model.training import BatchEvent, EpochEvent, TrainConfig

from .i18n import preset_text, spec_text

#: Okabe & Ito's colour-blind-safe palette (yellow left out: unreadable on white).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
CHANCE = 1 / 26
#: A run whose validation accuracy is at most this after NOT_LEARNING_EPOCHS is flagged.
NOT_LEARNING_ACCURACY = 2 * CHANCE
NOT_LEARNING_EPOCHS = 2
NOT_LEARNING_HINT = ("accuracy near chance: the learning rate may be too high (dead ReLUs, "
                     "saturated sigmoids) or too low")


def not_learning_hint() -> str:
    """:data:`NOT_LEARNING_HINT` in the interface's language."""
    return QCoreApplication.translate("Run", "accuracy near chance: the learning rate may be too "
                                      "high (dead ReLUs, saturated sigmoids) or too low")
#: Floor for log-scale values (a loss or gradient of exactly 0 cannot be drawn on a log axis).
LOG_FLOOR = 1e-12

# Run states
RUNNING, FINISHED, STOPPED, DIVERGED, NOT_LEARNING, FAILED, LOADED = (
    "running", "finished", "stopped", "diverged", "not learning", "failed", "loaded")


def state_text(state: str) -> str:
    """A run state as the runs list shows it (the state itself stays the English key)."""
    translate = QCoreApplication.translate
    return {RUNNING: translate("Run", "running"), FINISHED: translate("Run", "finished"),
            STOPPED: translate("Run", "stopped"), DIVERGED: translate("Run", "diverged"),
            NOT_LEARNING: translate("Run", "not learning"), FAILED: translate("Run", "failed"),
            LOADED: translate("Run", "loaded")}.get(state, state)


class Series:
    """A growing pair of float arrays that only ever holds finite points (amortised O(1)
    append, views for ``setData``), with its finite range."""

    def __init__(self, capacity: int = 256) -> None:
        self.x = np.empty(capacity)
        self.y = np.empty(capacity)
        self.n = 0
        self.x_max = 0.0
        self.y_min = math.inf
        self.y_max = -math.inf

    def append(self, x: float, y: float) -> bool:
        """Add a point; a NaN or infinite one is dropped (returns False)."""
        if not (math.isfinite(x) and math.isfinite(y)):
            return False
        if self.n == len(self.x):
            self.x = np.resize(self.x, 2 * self.n)
            self.y = np.resize(self.y, 2 * self.n)
        self.x[self.n] = x
        self.y[self.n] = y
        self.n += 1
        self.x_max = max(self.x_max, x)
        self.y_min = min(self.y_min, y)
        self.y_max = max(self.y_max, y)
        return True

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x[:self.n], self.y[:self.n]


class Smoothed(Series):
    """The exponential moving average of another series, debiased as TensorBoard does
    (``weight`` 0 = raw values)."""

    def __init__(self, weight: float = 0.0) -> None:
        super().__init__()
        self.weight = weight
        self._acc = 0.0
        self._k = 0

    def feed(self, x: float, y: float) -> None:
        self._acc = self.weight * self._acc + (1 - self.weight) * y
        self._k += 1
        debias = 1 - self.weight ** self._k
        self.append(x, self._acc / debias if debias > 0 else y)

    def recompute(self, source: Series, weight: float) -> None:
        self.__init__(weight)
        for x, y in zip(*source.data()):
            self.feed(float(x), float(y))


@dataclass
class Run:
    """One entry of the runs list."""

    id: int
    name: str
    colour: str
    kind: str                          # "run" (trained here) or "file" (shipped / opened)
    state: str = RUNNING
    config: TrainConfig | None = None
    network: Network | None = None     # the weights, in memory (a run's: its last good epoch)
    live_network: Network | None = None  # while running: the trainer's own (copy to read it)
    metadata: dict = field(default_factory=dict)
    path: Path | None = None           # where it was loaded from or last saved to
    saved: bool = False
    visible: bool = True
    message: str = ""
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0
    final_accuracy: float | None = None
    best_accuracy: float | None = None
    n_layers: int = 0                   # gradient curves (parameterised layers)
    layer_names: list[str] = field(default_factory=list)
    samples_count: int = 0              # the user's samples in its training mix (issue 10)
    series: dict[str, Series] = field(default_factory=dict)
    smoothed: Smoothed = field(default_factory=Smoothed)

    # -- curves (fed from the trainer's events, in the GUI thread) --------------------
    def add_batch(self, ev: BatchEvent) -> None:
        x = ev.epoch - 1 + ev.batch / max(ev.n_batches, 1)
        loss = float(ev.loss)
        if self._series("batch_loss").append(x, max(loss, LOG_FLOOR)):
            self.smoothed.feed(x, max(loss, LOG_FLOOR))
        norms = list(ev.grad_norms)
        if not self.n_layers:
            self.n_layers = len(norms)     # one per parameterised layer, whatever the net
        for i, g in enumerate(norms[:self.n_layers]):
            self._series(f"grad{i}").append(x, max(float(g), LOG_FLOOR))
        self.seconds = float(ev.seconds)

    def add_epoch(self, ev: EpochEvent) -> None:
        self._series("epoch_loss").append(ev.epoch, max(float(ev.train_loss), LOG_FLOOR))
        acc = ev.val_accuracy
        if acc is not None and math.isfinite(acc):
            self._series("val_accuracy").append(ev.epoch, 100.0 * acc)
            self.final_accuracy = float(acc)
            self.best_accuracy = max(acc, self.best_accuracy or 0.0)
        self.seconds = float(ev.seconds)

    def add_samples_accuracy(self, epoch: float, accuracy: float, n: int) -> None:
        """The accuracy on the user's ``n`` own samples after ``epoch`` (0: the starting network)."""
        self.samples_count = int(n)
        self._series("samples_accuracy").append(epoch, 100.0 * accuracy)

    def _series(self, key: str) -> Series:
        s = self.series.get(key)
        if s is None:
            s = self.series[key] = Series()
        return s

    @property
    def not_learning(self) -> bool:
        """Validation accuracy still near chance after a few epochs."""
        s = self.series.get("val_accuracy")
        return (s is not None and s.n >= NOT_LEARNING_EPOCHS
                and s.y_max <= 100 * NOT_LEARNING_ACCURACY)

    # -- text -------------------------------------------------------------------------
    def recipe(self) -> str:
        """A short summary: architecture, loss and learning rate, or where it came from."""
        if self.config is not None:
            c = self.config
            translate = QCoreApplication.translate
            extra = translate("Run", ", momentum {m}").format(m=f"{c.momentum:g}") if c.momentum else ""
            return translate("Run", "{preset}: {net}, lr {lr}, batch {batch}{extra}, seed {seed}").format(
                preset=preset_text(c.preset), net=spec_text(c.spec), lr=f"{c.lr:g}",
                batch=c.batch_size, extra=extra, seed=c.seed)
        from model.network import NetSpec

        if self.network is not None:
            return spec_text(self.network.spec)
        try:
            return spec_text(NetSpec.from_dict(self.metadata.get("architecture")))
        except (LetterLabError, TypeError):
            return QCoreApplication.translate("Run", "unknown architecture")

    def accuracy_text(self) -> str:
        acc = self.best_accuracy
        return "—" if acc is None else f"{100 * acc:.1f} %"

    def legend(self) -> str:
        acc = "" if self.best_accuracy is None else f" ({100 * self.best_accuracy:.1f} %)"
        return f"{self.name}{acc}"

    @property
    def unsaved(self) -> bool:
        """Trained here, worth keeping and not written to disk."""
        return self.kind == "run" and self.network is not None and not self.saved \
            and self.state in (FINISHED, STOPPED)


#: Metadata keys a weights file gets from the save itself, not from the run.
META_SET_BY_SAVE = ("format_version", "architecture", "created")


def save_run(run: Run, path: str | Path) -> Path:
    """Write ``run``'s weights and metadata atomically (raises WeightsError / OSError)."""
    from model import LetterLabError
    from model.weights import save_weights

    from .widgets import is_shipped

    if run.network is None:
        raise LetterLabError(QCoreApplication.translate("Run", "{run} has no weights to save").format(run=run.name))
    if is_shipped(path):
        raise LetterLabError(QCoreApplication.translate(
            "MainWindow", "{path} is in the folder of the weights shipped with LetterLab; "
                          "save your weights in a folder of your own").format(path=path))
    meta = {k: v for k, v in run.metadata.items() if k not in META_SET_BY_SAVE}
    return save_weights(run.network, path, **meta)


class RunStore(QObject):
    """The runs, in order. Signals carry the :class:`Run`."""

    added = Signal(object)
    changed = Signal(object)      # state, name, visibility, accuracy or weights changed
    removed = Signal(object)
    curvesChanged = Signal(object)  # new points (emitted at most once per batch of events)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.runs: list[Run] = []
        self._next = 1
        self._colour = 0

    def __iter__(self):
        return iter(list(self.runs))

    def __len__(self) -> int:
        return len(self.runs)

    def get(self, run_id: int) -> Run | None:
        return next((r for r in self.runs if r.id == run_id), None)

    def _new(self, **kw) -> Run:
        run = Run(id=self._next, colour=PALETTE[self._colour % len(PALETTE)], **kw)
        self._next += 1
        self._colour += 1
        return run

    def add_training(self, config: TrainConfig) -> Run:
        run = self._new(name=self.tr("run {n}").format(n=self._next), kind="run", config=config)
        return self._insert(run)

    def add_file(self, network: Network, metadata: dict, path: Path, name: str | None = None) -> Run:
        acc = metadata.get("val_accuracy")
        run = self._new(name=name or Path(path).name, kind="file", state=LOADED, network=network,
                        metadata=dict(metadata), path=Path(path), saved=True)
        run.best_accuracy = run.final_accuracy = float(acc) if isinstance(acc, (int, float)) else None
        return self._insert(run)

    def _insert(self, run: Run, index: int | None = None) -> Run:
        self.runs.insert(len(self.runs) if index is None else index, run)
        self.added.emit(run)
        return run

    def remove(self, run: Run) -> int:
        """Remove ``run``; returns its former position (for :meth:`restore`)."""
        i = self.runs.index(run)
        del self.runs[i]
        self.removed.emit(run)
        return i

    def restore(self, run: Run, index: int) -> None:
        self._insert(run, min(index, len(self.runs)))

    def update(self, run: Run, **changes) -> None:
        for k, v in changes.items():
            setattr(run, k, v)
        if run in self.runs:
            self.changed.emit(run)

    def curves_changed(self, run: Run) -> None:
        self.curvesChanged.emit(run)

    def unsaved(self) -> list[Run]:
        return [r for r in self.runs if r.unsaved]

    def add_restored(self, colour: str | None = None, **fields) -> Run:
        """Append a run brought back from an earlier session (:mod:`gui.session`), complete
        (curves, weights, state) before ``added`` announces it; ``colour`` keeps its old one."""
        run = self._new(**fields)
        if colour:
            run.colour = colour
        return self._insert(run)
