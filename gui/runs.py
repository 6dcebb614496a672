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

    def extend(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Add many points at once (as :meth:`append` each); returns the mask of those kept."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        keep = np.isfinite(x) & np.isfinite(y)
        if not keep.all():
            x, y = x[keep], y[keep]
        m = len(x)
        if m:
            need = self.n + m
            if need > len(self.x):
                cap = max(need, 2 * len(self.x))
                self.x = np.resize(self.x, cap)
                self.y = np.resize(self.y, cap)
            self.x[self.n:need] = x
            self.y[self.n:need] = y
            self.n = need
            self.x_max = max(self.x_max, float(x.max()))
            self.y_min = min(self.y_min, float(y.min()))
            self.y_max = max(self.y_max, float(y.max()))
        return keep

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

    def feed_many(self, x: np.ndarray, y: np.ndarray) -> None:
        """:meth:`feed` each point of two arrays of finite values, in order."""
        w, c, acc = self.weight, 1 - self.weight, self._acc
        out = []
        for v in np.asarray(y, dtype=float).tolist():
            acc = w * acc + c * v
            out.append(acc)
        if not out:
            return
        self._acc = acc
        debias = 1 - w ** np.arange(self._k + 1, self._k + len(out) + 1, dtype=float)
        self._k += len(out)
        raw = np.asarray(y, dtype=float)
        self.extend(x, np.divide(out, debias, out=raw.copy(), where=debias > 0))

    def recompute(self, source: Series, weight: float) -> None:
        self.__init__(weight)
        self.feed_many(*source.data())


class Thinned:
    """What a plot needs of a long :class:`Series`: at most about ``max_points`` points
    that keep its shape (for each bucket of consecutive points, its lowest and highest, in
    order; and the last point), updated incrementally: each call costs the new points plus
    the output, however long the run has been.

    A series of up to ``max_points`` points is returned whole. Buckets are powers of two
    points long; when there are too many, neighbours merge (the extremes of two buckets are
    the extremes of their union). Call :meth:`reset` when the series was rebuilt (e.g. the
    smoothing changed); a series that shrank is noticed on its own.
    """

    def __init__(self, max_points: int = 4096) -> None:
        self.max_buckets = max(2, max_points // 2)
        self.max_points = 2 * self.max_buckets
        self.reset()

    def reset(self) -> None:
        self.size = 1                              # raw points per bucket (1: not thinning)
        self.done = 0                              # raw points folded into whole buckets
        self.kx = np.empty((0, 2))                 # per bucket: (first, second) extreme, in order
        self.ky = np.empty((0, 2))
        self.k = 0                                 # whole buckets

    def data(self, series: Series) -> tuple[np.ndarray, np.ndarray]:
        n = series.n
        if n <= self.max_points:
            if self.size > 1:
                self.reset()
            return series.data()
        if n < self.done:
            self.reset()
        if self.size == 1:
            self.size = 2
        while n // self.size > self.max_buckets:
            self._merge()
        x, y = series.x, series.y
        m = (n - 1 - self.done) // self.size       # the last point stays in the open bucket
        if m:
            self._fold(x[self.done:self.done + m * self.size].reshape(m, self.size),
                       y[self.done:self.done + m * self.size].reshape(m, self.size))
            self.done += m * self.size
        tail_x, tail_y = x[self.done:n], y[self.done:n]
        if len(tail_y) > 3:                        # the open bucket: its extremes, and the last point
            i, j = sorted((int(tail_y.argmin()), int(tail_y.argmax())))
            keep = sorted({i, j, len(tail_y) - 1})
            tail_x, tail_y = tail_x[keep], tail_y[keep]
        return (np.concatenate((self.kx[:self.k].ravel(), tail_x)),
                np.concatenate((self.ky[:self.k].ravel(), tail_y)))

    def _fold(self, bx: np.ndarray, by: np.ndarray) -> None:
        """Append buckets given as rows of points: each row's two extremes, in order."""
        rows = np.arange(len(by))
        lo, hi = by.argmin(axis=1), by.argmax(axis=1)
        first, second = np.minimum(lo, hi), np.maximum(lo, hi)
        need = self.k + len(by)
        if need > len(self.kx):
            cap = max(need, 2 * len(self.kx), 64)
            self.kx = np.resize(self.kx, (cap, 2))
            self.ky = np.resize(self.ky, (cap, 2))
        self.kx[self.k:need, 0], self.kx[self.k:need, 1] = bx[rows, first], bx[rows, second]
        self.ky[self.k:need, 0], self.ky[self.k:need, 1] = by[rows, first], by[rows, second]
        self.k = need

    def _merge(self) -> None:
        """Double the bucket size: pairs of whole buckets become one (an odd last one goes
        back to the raw points, to be folded again at the new size)."""
        pairs = self.k // 2
        bx, by = self.kx[:2 * pairs].reshape(pairs, 4), self.ky[:2 * pairs].reshape(pairs, 4)
        self.k = 0
        self.done = 2 * pairs * self.size
        self.size *= 2
        self._fold(bx.copy(), by.copy())


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
        self.add_batches([ev])

    def add_batches(self, events: list[BatchEvent]) -> None:
        """The points of many batches, in order (a few array appends, not one per point)."""
        if not events:
            return
        x = np.array([ev.epoch - 1 + ev.batch / max(ev.n_batches, 1) for ev in events], dtype=float)
        loss = np.maximum(np.array([float(ev.loss) for ev in events]), LOG_FLOOR)
        kept = self._series("batch_loss").extend(x, loss)
        self.smoothed.feed_many(x[kept], loss[kept])
        if not self.n_layers:
            self.n_layers = len(events[0].grad_norms)   # one per parameterised layer, whatever the net
        for i in range(self.n_layers):
            g = np.array([float(ev.grad_norms[i]) if i < len(ev.grad_norms) else math.nan for ev in events])
            self._series(f"grad{i}").extend(x, np.maximum(g, LOG_FLOOR))
        self.seconds = float(events[-1].seconds)

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
        self._next = 1              # ids, for every entry
        self._run_number = 1        # names of runs trained here: "run 1", "run 2", ...
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
        run = self._new(name=self.tr("run {n}").format(n=self._run_number), kind="run", config=config)
        self._run_number += 1
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
        number = run.name[len(run.name.rstrip("0123456789")):]
        if number and len(number) < 7 and run.name == self.tr("run {n}").format(n=int(number)):
            self._run_number = max(self._run_number, int(number) + 1)   # the next new run is not "run 3" again
        return self._insert(run)
