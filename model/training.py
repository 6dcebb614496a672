"""The Trainer the command line and the app share.

:meth:`Trainer.run` is a plain generator: it trains epochs of shuffled mini-batches and
yields a :class:`BatchEvent` after every batch, an :class:`EpochEvent` after every epoch
(validation loss and accuracy, mean gradient norm per layer) and one :class:`DoneEvent`
at the end. :meth:`Trainer.stop` (safe from any thread) ends the run between batches,
so the network is always the result of whole SGD steps. A NaN or infinite loss stops
the run, restores the weights of the last finished epoch and reports why; a run whose
validation accuracy ends near chance ends as "not_learning".

With ``augment`` each training batch is warped anew (:mod:`model.augment`).

Same config and seed → identical weights: the initial weights come from
``default_rng([seed, 0])``, the shuffles from ``default_rng([seed, 1])`` and the warps from
``default_rng([seed, 2])``.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from . import N_CLASSES, LetterLabError
from .augment import random_warp
from .conv import Conv2D
from .evaluation import evaluate
from .network import NetSpec, Network, effective_lr
from .optim import SGD


def _quiet():
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")

#: Learning-rate schedules: the factor on ``lr`` for the epoch ``e`` (0-based) of ``n``.
#: "cosine" decays smoothly from lr to 5 % of lr at the last epoch, the usual way to end
#: SGD with momentum in the flat, well-generalising part of the loss.
SCHEDULES = {
    "constant": lambda e, n: 1.0,
    "cosine": lambda e, n: 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * e / max(1, n - 1))),
}

#: A finished run whose validation accuracy is below this (chance is 1/26 = 3.8 %) is
#: reported as "not_learning" rather than "finished".
NOT_LEARNING_ACCURACY = 0.10

DEFAULT_LR = {"quadratic": 1000.0, "cross_entropy": 1.0, "softmax_cross_entropy": 0.1}


@dataclass
class TrainConfig:
    """Everything that decides a training run.

    ``lr`` is written the tutorial's way (see :func:`model.network.effective_lr`):
    1000 for the quadratic loss with batch 1024, 1.0 for its cross-entropy.
    """

    hidden: tuple[int, ...] = ()
    activation: str = "sigmoid"
    loss: str = "quadratic"
    lr: float = 1000.0
    epochs: int = 20
    batch_size: int = 1024
    seed: int = 0
    momentum: float = 0.0
    weight_decay: float = 0.0
    conv: tuple = ()
    dropout: float = 0.0
    augment: bool = False
    label_smoothing: float = 0.0
    schedule: str = "constant"
    preset: str = "custom"

    def __post_init__(self) -> None:
        self.hidden = tuple(int(h) for h in self.hidden)
        if self.epochs < 1:
            raise LetterLabError(f"epochs must be at least 1, got {self.epochs}")
        if self.batch_size < 1:
            raise LetterLabError(f"batch size must be at least 1, got {self.batch_size}")
        if not np.isfinite(self.lr) or self.lr <= 0:
            raise LetterLabError(f"learning rate must be a positive number, got {self.lr}")
        if not 0 <= self.momentum < 1:
            raise LetterLabError(f"momentum must be in [0, 1), got {self.momentum}")
        if not 0 <= self.weight_decay < 1:
            raise LetterLabError(f"weight decay must be in [0, 1), got {self.weight_decay}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or not 0 <= self.seed < 2**63:
            raise LetterLabError(f"seed must be a whole number from 0 to 2**63-1, got {self.seed!r}")
        if not 0 <= self.label_smoothing < 1:
            raise LetterLabError(f"label smoothing must be in [0, 1), got {self.label_smoothing}")
        if self.label_smoothing and self.loss != "softmax_cross_entropy":
            raise LetterLabError("label smoothing needs the softmax cross-entropy loss")
        if self.schedule not in SCHEDULES:
            raise LetterLabError(f"unknown learning-rate schedule {self.schedule!r}; "
                                 f"choose from {', '.join(SCHEDULES)}")
        self.conv = tuple(self.conv)
        _ = self.spec  # builds (so validates) the architecture

    @property
    def spec(self) -> NetSpec:
        return NetSpec(hidden=self.hidden, activation=self.activation, loss=self.loss,
                       conv=self.conv, dropout=self.dropout)

    @property
    def step_size(self) -> float:
        return effective_lr(self.loss, self.lr, self.batch_size)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        d["conv"] = list(self.conv)
        return d

    @classmethod
    def from_dict(cls, d) -> TrainConfig:
        """The config :meth:`to_dict` wrote, from untrusted JSON: unknown keys are ignored,
        a value of the wrong type or out of range raises :class:`LetterLabError`."""
        if not isinstance(d, dict):
            raise LetterLabError("a training recipe must be a JSON object")
        kinds = {"hidden": list, "conv": list, "activation": str, "loss": str, "schedule": str,
                 "preset": str, "augment": bool, "epochs": int, "batch_size": int, "seed": int,
                 "lr": float, "momentum": float, "weight_decay": float, "dropout": float,
                 "label_smoothing": float}
        kw = {}
        for k, v in d.items():
            kind = kinds.get(k)
            if kind is None:
                continue
            if kind is float:
                ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            elif kind is int:
                ok = type(v) is int and -2**63 <= v < 2**63
            else:
                ok = isinstance(v, kind)
            if kind is list:
                ok = ok and len(v) <= 64 and all(
                    (type(h) is int and 0 < h <= 1 << 16) or (k == "conv" and h == "pool") for h in v)
            if kind is str:
                ok = ok and len(v) <= 64
            if not ok:
                raise LetterLabError(f"recipe {k} is {str(v)[:40]!r}, not a valid {k}")
            kw[k] = float(v) if kind is float else v
        try:
            return cls(**kw)
        except (TypeError, ValueError, OverflowError) as e:
            raise LetterLabError(f"bad recipe ({str(e)[:200]})") from None

    def describe(self) -> str:
        """One line: architecture and the training recipe."""
        extra = "".join([f", momentum {self.momentum:g}" if self.momentum else "",
                         ", warped batches" if self.augment else "",
                         f", label smoothing {self.label_smoothing:g}" if self.label_smoothing else "",
                         f", {self.schedule} schedule" if self.schedule != "constant" else ""])
        return f"{self.spec.describe()}, lr {self.lr:g}, batch {self.batch_size}{extra}"


PRESETS: dict[str, TrainConfig] = {
    # The tutorial's shallow.py: 289→26 sigmoid, quadratic loss, lr 1000, batch 1024, 20 epochs.
    "shallow": TrainConfig(hidden=(), activation="sigmoid", loss="quadratic", lr=1000.0,
                           epochs=20, batch_size=1024, preset="shallow"),
    # The tutorial's deep.py with its cure: 289→20→26 sigmoid, cross-entropy, lr 1.0.
    "deep": TrainConfig(hidden=(20,), activation="sigmoid", loss="cross_entropy", lr=1.0,
                        epochs=20, batch_size=1024, preset="deep"),
    # LetterLab's shipped network: wider, ReLU, softmax, momentum.
    "default": TrainConfig(hidden=(256, 128), activation="relu", loss="softmax_cross_entropy",
                           lr=0.05, epochs=30, batch_size=64, momentum=0.9, preset="default"),
    # Convolutions for the letters people draw: shape features that tolerate position and
    # stroke changes, trained on randomly warped batches (see README, "The conv preset").
    "conv": TrainConfig(conv=(32, 32, "pool", 64, "pool"), hidden=(128,), activation="relu",
                        loss="softmax_cross_entropy", dropout=0.3, lr=0.03, epochs=12,
                        batch_size=64, momentum=0.9, augment=True, label_smoothing=0.1,
                        schedule="cosine", preset="conv"),
}


def preset_config(name: str, **overrides) -> TrainConfig:
    """A preset with some fields replaced. Changing the loss without giving ``lr`` takes
    that loss's usual rate (1000 quadratic, 1.0 cross-entropy, 0.1 softmax)."""
    if name not in PRESETS:
        raise LetterLabError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}")
    overrides = {k: v for k, v in overrides.items() if v is not None}
    base = PRESETS[name]
    if "loss" in overrides and "lr" not in overrides and overrides["loss"] != base.loss:
        overrides["lr"] = DEFAULT_LR[overrides["loss"]]
    return replace(base, **overrides)


def batch_bounds(n: int, batch_size: int) -> list[int]:
    """Start offsets of an epoch's batches plus the end: full batches of ``batch_size``;
    a remainder of less than half a batch joins the last batch, a larger one is a batch
    of its own. (The tutorial served 40000 = 39 x 1024 + 64 as a 64-image batch whose
    noisy gradient its double division stepped 16x too hard; here the 64 join the last
    batch, so every step averages about a full batch.)"""
    bs = max(1, min(int(batch_size), n))
    full, rest = divmod(n, bs)
    bounds = [i * bs for i in range(full + 1)]
    if rest:
        if rest * 2 < bs and full > 0:
            bounds[-1] = n
        else:
            bounds.append(n)
    return bounds


@dataclass
class BatchEvent:
    epoch: int          # 1-based
    batch: int          # 1-based within the epoch
    n_batches: int
    loss: float
    grad_norms: list[float]   # per parameterised layer (conv, fc), input side first
    seconds: float            # since the run started


@dataclass
class EpochEvent:
    epoch: int
    epochs: int
    train_loss: float          # mean over the epoch's batches
    val_loss: float | None
    val_accuracy: float | None
    grad_norms: list[float]    # mean over the epoch's batches
    seconds: float


@dataclass
class DoneEvent:
    reason: str                # "finished", "stopped", "diverged" or "not_learning"
    message: str
    epochs_done: int
    val_accuracy: float | None
    history: list[EpochEvent] = field(default_factory=list)


Event = BatchEvent | EpochEvent | DoneEvent


class Trainer:
    """Trains a network on arrays.

    Args:
        config: the run's :class:`TrainConfig`.
        x_train, y_train: ``(n, 289)`` float32 and ``(n,)`` labels.
        x_val, y_val: optional validation arrays.
        network: continue from this network instead of a new one (must match the config).
        blas_threads: if given, limit BLAS to this many threads while training.
        conv_workers: if given, threads each convolution splits its batch over (see
            :mod:`model.conv`: on two cores, 2 workers with one BLAS thread beat BLAS's own
            two threads, which collapse when another process holds a core). The result
            differs from one worker in the last float32 bits, reproducibly.
    """

    def __init__(self, config: TrainConfig, x_train: np.ndarray, y_train: np.ndarray,
                 x_val: np.ndarray | None = None, y_val: np.ndarray | None = None,
                 network: Network | None = None, blas_threads: int | None = None,
                 conv_workers: int | None = None) -> None:
        self.config = config
        self.x = np.ascontiguousarray(x_train, dtype=np.float32)
        self.y = np.asarray(y_train, dtype=np.int64)
        if self.x.ndim != 2 or self.x.shape[0] != self.y.shape[0] or self.x.shape[0] == 0:
            raise LetterLabError(f"training arrays do not match: x {self.x.shape}, y {self.y.shape}")
        self.x_val = None if x_val is None else np.ascontiguousarray(x_val, dtype=np.float32)
        self.y_val = None if y_val is None else np.asarray(y_val, dtype=np.int64)
        seed = int(config.seed)
        if network is not None and network.spec.to_dict() != config.spec.to_dict():
            raise LetterLabError(f"the network ({network.spec.describe()}) does not match the "
                                 f"settings ({config.spec.describe()})")
        self.network = network if network is not None else Network(config.spec, np.random.default_rng([seed, 0]))
        self.network.loss = type(self.network.loss)(**(
            {"label_smoothing": config.label_smoothing} if config.label_smoothing else {}))
        self._shuffle_rng = np.random.default_rng([seed, 1])
        self._warp_rng = np.random.default_rng([seed, 2])
        self.optimizer = SGD(self.network.parameters(), config.step_size, config.momentum,
                             config.weight_decay, self.network.decay_mask())
        self.blas_threads = blas_threads
        if conv_workers:
            for layer in self.network.layers:
                if isinstance(layer, Conv2D):
                    layer.workers = int(conv_workers)
        self._stop = threading.Event()
        self.history: list[EpochEvent] = []

    def stop(self) -> None:
        """Ask the run to end after the current batch (thread-safe)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def evaluate(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """Mean loss and accuracy of the current network on ``(x, y)``."""
        ev = evaluate(self.network, x, y)
        return ev.loss, ev.accuracy

    def run(self) -> Iterator[Event]:
        """Train; yields events (see the module docstring). Ends with one DoneEvent."""
        if self.blas_threads:
            from threadpoolctl import threadpool_limits

            with threadpool_limits(limits=self.blas_threads, user_api="blas"):
                yield from self._run()
        else:
            yield from self._run()

    def _run(self) -> Iterator[Event]:
        cfg, net, opt = self.config, self.network, self.optimizer
        n = len(self.y)
        bounds = batch_bounds(n, cfg.batch_size)
        n_batches = len(bounds) - 1
        xbuf = np.empty((int(np.diff(bounds).max()), self.x.shape[1]), dtype=np.float32)
        t0 = time.perf_counter()
        snapshot = {k: v.copy() for k, v in net.state_dict().items()}
        epochs_done = 0
        val_acc = None
        for epoch in range(1, cfg.epochs + 1):
            order = self._shuffle_rng.permutation(n)
            opt.lr = cfg.step_size * SCHEDULES[cfg.schedule](epoch - 1, cfg.epochs)
            loss_sum = 0.0
            norm_sum = np.zeros(len(net.param_layers))
            for b in range(n_batches):
                if self._stop.is_set():
                    yield DoneEvent("stopped", f"Stopped during epoch {epoch} after {b} of {n_batches} batches.",
                                    epochs_done, val_acc, list(self.history))
                    return
                idx = order[bounds[b]:bounds[b + 1]]
                # Gather into one reused buffer: a fresh 1 MB array per batch costs page faults.
                xb = self.x.take(idx, axis=0, out=xbuf[:len(idx)], mode="clip")
                yb = self.y[idx]
                if cfg.augment:
                    xb = random_warp(xb, self._warp_rng)
                with _quiet():  # divergence is detected below, not warned about
                    loss = net.loss_and_grads(xb, yb)
                if not np.isfinite(loss):
                    net.load_state_dict(snapshot)
                    where = f"epoch {epoch}, batch {b + 1}"
                    kept = f"the weights of epoch {epochs_done}" if epochs_done else "the initial weights"
                    yield DoneEvent("diverged",
                                    f"Training diverged at {where} (loss = {loss}); the learning rate "
                                    f"{cfg.lr:g} is probably too high. Kept {kept}.",
                                    epochs_done, val_acc, list(self.history))
                    return
                with _quiet():
                    opt.step()
                norms = net.grad_norms()
                norm_sum += norms
                loss_sum += loss
                yield BatchEvent(epoch, b + 1, n_batches, loss, norms, time.perf_counter() - t0)
            # A step can still overflow the weights without the batch loss showing it.
            if not all(np.isfinite(p).all() for p, _ in net.parameters()):
                net.load_state_dict(snapshot)
                yield DoneEvent("diverged", f"Training diverged in epoch {epoch}: weights became infinite; "
                                f"the learning rate {cfg.lr:g} is probably too high.",
                                epochs_done, val_acc, list(self.history))
                return
            val_loss = None
            if self.x_val is not None and len(self.y_val):
                with _quiet():
                    val_loss, val_acc = self.evaluate(self.x_val, self.y_val)
            ev = EpochEvent(epoch, cfg.epochs, loss_sum / n_batches, val_loss, val_acc,
                            [float(v) for v in norm_sum / n_batches], time.perf_counter() - t0)
            self.history.append(ev)
            epochs_done = epoch
            for k, v in net.state_dict().items():
                snapshot[k][...] = v
            yield ev
        if val_acc is not None and val_acc < NOT_LEARNING_ACCURACY:
            yield DoneEvent("not_learning",
                            f"Not learning: after {cfg.epochs} epochs the validation accuracy is "
                            f"{100 * val_acc:.1f} % (chance is {100 / N_CLASSES:.1f} %); try a lower "
                            f"learning rate.", epochs_done, val_acc, list(self.history))
            return
        yield DoneEvent("finished", f"Finished {cfg.epochs} epochs.", epochs_done, val_acc, list(self.history))

    def metadata(self) -> dict:
        """What a weights file should record about this run."""
        last = self.history[-1] if self.history else None
        return {
            "preset": self.config.preset,
            "lr": self.config.lr,
            "step_size": self.config.step_size,
            "batch_size": self.config.batch_size,
            "momentum": self.config.momentum,
            "weight_decay": self.config.weight_decay,
            "augment": self.config.augment,
            "label_smoothing": self.config.label_smoothing,
            "schedule": self.config.schedule,
            "epochs": len(self.history),
            "seed": self.config.seed,
            "val_accuracy": None if last is None else last.val_accuracy,
            "val_loss": None if last is None else last.val_loss,
        }
