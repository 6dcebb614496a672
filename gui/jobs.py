"""The work the app does in the background, as plain generators (no Qt here).

:mod:`gui.worker` runs them in a thread; what they yield is safe to hand to widgets
(copies, never arrays something else is still writing).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol

import numpy as np

from model import synth
from model.data import Dataset, load_split
from model.network import Network
from model.training import BatchEvent, DoneEvent, EpochEvent, Trainer, TrainConfig



def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for ``pyside6-lupdate`` (context "Jobs"); the GUI translates a
    :class:`Status` when it shows it (``QCoreApplication.translate("Jobs", text)``)."""
    return text


@dataclass
class Status:
    """A line of text for the user (e.g. 'Loading training data…'), in English; shown
    through ``QCoreApplication.translate("Jobs", text)``."""
    text: str


@dataclass
class TrainingStarted:
    n_train: int
    config: TrainConfig
    #: The trainer's own network, still being trained: read it only by copying (a copy may
    #: mix two steps), as the Network view does a few times a second.
    network: Network | None = None


@dataclass
class TrainingResult:
    """The end of a run: the trainer's DoneEvent, a copy of its network, its metadata."""
    done: DoneEvent
    network: Network
    metadata: dict
    config: TrainConfig
    baseline_accuracy: float | None = None   # the active model's, on the same split


class JobContext(Protocol):
    """What a job gets from the thread running it (:class:`gui.worker.Worker`)."""

    @property
    def aborted(self) -> bool: ...          # the one abort flag

    def check(self) -> None: ...            # raise Aborted if it is set

    def report(self, done: int, total: int, check: bool = True) -> None: ...

    def wait_turn(self) -> None: ...        # the pace: returns when the next step may run


class TrainingJob:
    """Load the training split, then train with the shared :class:`Trainer` (one BLAS thread).

    The worker's abort flag is checked between the trainer's events: once set, the
    trainer is told to stop, ends between batches and yields how the run ended. After
    every batch the job waits its turn (``ctx.wait_turn()``: the pace, pause and single
    step of the Train tab; at full pace it returns at once).
    ``baseline`` is a copy of the active model: at the end the job scores it on the same
    validation split, so the app can say whether the run is better.
    """

    def __init__(self, config: TrainConfig, data_dir: Path, validation: Dataset | None,
                 baseline: Network | None = None, blas_threads: int = 1,
                 start: Network | None = None, samples: tuple[np.ndarray, np.ndarray] | None = None,
                 subset: int | None = None, extra_metadata: dict | None = None) -> None:
        self.config = config
        self.data_dir = Path(data_dir)
        self.validation = validation
        self.baseline = baseline
        self.blas_threads = blas_threads
        # Fine-tuning and "my samples" (issue 10): continue from ``start`` (a copy nobody
        # else holds), mix ``samples`` in (model.samples.training_set, as the CLI does) and
        # report the accuracy on them after every epoch.
        self.start = start
        self.samples = samples if samples is not None and len(samples[1]) else None
        self.subset = subset
        self.extra_metadata = dict(extra_metadata or {})

    def run(self, ctx: JobContext) -> Iterator[object]:
        yield Status(QT_TRANSLATE_NOOP("Jobs", "Loading training data…"))
        train = load_split(self.data_dir, "train", progress=ctx.report)
        ctx.check()
        val = self.validation
        x, y, xs, ys = train.x, train.y, None, None
        if self.samples is not None or self.subset is not None:
            from model.samples import training_set

            xs, ys = self.samples if self.samples is not None else (None, None)
            x, y, weight = training_set(x, y, xs, ys, seed=self.config.seed, subset=self.subset)
            self.extra_metadata.setdefault("fine_tune", {}).update(
                samples=0 if ys is None else len(ys), samples_weight=weight,
                generated=len(y) - weight * (0 if ys is None else len(ys)))
        trainer = Trainer(self.config, x, y,
                          None if val is None else val.x, None if val is None else val.y,
                          network=self.start, blas_threads=self.blas_threads,
                          conv_workers=2 if self.start is not None and self.config.spec.conv else None)
        yield TrainingStarted(len(y), self.config, trainer.network)
        if ys is not None:
            yield SamplesAccuracy(0, _accuracy(trainer.network, xs, ys), len(ys))
        steps = 0
        for ev in trainer.run():
            if ctx.aborted:
                trainer.stop()
            if isinstance(ev, DoneEvent):
                if steps == 0:
                    # Ended before the first step: an untrained network is no result.
                    yield Status(QT_TRANSLATE_NOOP("Jobs", "Stopped before the first batch; the active model is unchanged.")
                                 if ev.reason == "stopped" else ev.message)
                    return
                base = None
                if self.baseline is not None and val is not None and len(val):
                    base = _accuracy(self.baseline, val.x, val.y)
                # The run is over: nothing writes the network any more, copy it for the GUI.
                meta = {**trainer.metadata(), **self.extra_metadata}
                yield TrainingResult(ev, trainer.network.copy(), meta, self.config, base)
            else:
                steps += isinstance(ev, BatchEvent)
                yield ev
                if isinstance(ev, BatchEvent):
                    ctx.wait_turn()          # pace, pause and single step (the GUI's)
                    if ctx.aborted:
                        trainer.stop()       # stopped while paused: no further batch
                if ys is not None and isinstance(ev, EpochEvent):
                    # Between the trainer's steps: nothing writes the network meanwhile.
                    yield SamplesAccuracy(ev.epoch, _accuracy(trainer.network, xs, ys), len(ys))


@dataclass
class SamplesAccuracy:
    """The network's accuracy on the user's samples after ``epoch`` (0: before training).
    The samples are training data too (every one is mixed in), which the plot says."""
    epoch: int
    accuracy: float
    n: int


def _accuracy(network: Network, x: np.ndarray, y: np.ndarray) -> float:
    from model.evaluation import evaluate as evaluate_arrays

    return float(evaluate_arrays(network, x, y).accuracy)


@dataclass
class DataReady:
    root: Path
    validation: Dataset


def data_job(ctx: JobContext, create: bool = True) -> Iterator[object]:
    """Make sure the default data set exists (creating it if ``create``), then load its
    validation split. Cancelling the creation ends the job without a result."""
    root = Path(synth.default_data_dir())
    if not synth.is_complete(root):
        if not create:
            raise FileNotFoundError(root)
        yield Status(QT_TRANSLATE_NOOP("Jobs", "Creating the letter data set…"))
        try:
            root = Path(synth.ensure_default_dataset(
                progress=lambda d, t: ctx.report(d, t, check=False), cancel=lambda: ctx.aborted))
        except synth.Cancelled:
            return
    ctx.check()
    yield Status(QT_TRANSLATE_NOOP("Jobs", "Loading validation data…"))
    yield DataReady(root, load_split(root, "validate", progress=ctx.report))
