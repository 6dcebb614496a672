"""The work the app does in the background, as plain generators (no Qt here).

:mod:`gui.worker` runs them in a thread; what they yield is safe to hand to widgets
(copies, never arrays something else is still writing).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Protocol

import numpy as np

from model import synth
from model.data import DataError, Dataset, load_split
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
                 subset: int | None = None, extra_metadata: dict | None = None,
                 data_signature: str | None = None) -> None:
        self.config = config
        #: The generation the validation split was loaded from: training refuses another.
        self.data_signature = data_signature
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
        if self.data_signature is not None and synth.dataset_signature(self.data_dir) != self.data_signature:
            # Generated or imported again while the app held the old validation split:
            # never train on one set while scoring another.
            raise DataError(f"the data set in {self.data_dir} changed on disk since it was loaded; "
                                  "reload it (Data → Reload data set) and start again")
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
    """A data set's validation split, loaded from the generation ``signature`` names
    (:func:`model.synth.dataset_signature`, read before loading)."""
    root: Path
    validation: Dataset
    signature: str | None = None
    info: dict = field(default_factory=dict)      # the marker's contents


@dataclass
class DataSize:
    """What the data set in ``root`` takes on disk (measured after :class:`DataReady`: walking
    60000 files takes several times as long as loading the validation split)."""
    root: Path
    disk_bytes: int


@dataclass
class DataRequest:
    """What a data job does before it loads the validation split.

    ``action``: "ensure" (create the default set if it is missing or outdated), "load"
    (never create), "generate" (generate it again with ``seed`` and ``count``; a folder
    holding anything else is refused, never deleted) or "import" (install ``source``, an
    archive or folder in the tutorial's layout)."""
    action: str = "ensure"
    seed: int = 0
    count: int = synth.DEFAULT_COUNT
    source: Path | None = None


def data_job(ctx: JobContext, request: DataRequest | None = None) -> Iterator[object]:
    """Make the default data set what ``request`` asks, then load its validation split.
    Cancelling ends the job without a result and leaves the set on disk as it was."""
    request = request or DataRequest()
    root = Path(synth.default_data_dir())
    try:
        if request.action == "import":
            yield Status(QT_TRANSLATE_NOOP("Jobs", "Importing the data set…"))
            root = Path(synth.import_dataset(request.source, progress=ctx.report))
        elif request.action == "generate":
            yield Status(QT_TRANSLATE_NOOP("Jobs", "Generating the letter data set…"))
            root = Path(synth.generate(root, seed=request.seed, count=request.count,
                                       progress=lambda d, t: ctx.report(d, t, check=False),
                                       cancel=lambda: ctx.aborted))
        elif not synth.is_complete(root):
            if request.action != "ensure":
                raise DataError(f"no data set at {root}")
            yield Status(QT_TRANSLATE_NOOP("Jobs", "Creating the letter data set…"))
            root = Path(synth.ensure_default_dataset(
                progress=lambda d, t: ctx.report(d, t, check=False), cancel=lambda: ctx.aborted))
    except synth.Cancelled:
        return
    ctx.check()
    signature = synth.dataset_signature(root)
    yield Status(QT_TRANSLATE_NOOP("Jobs", "Loading validation data…"))
    validation = load_split(root, "validate", progress=ctx.report)
    yield DataReady(root, validation, signature, synth.dataset_info(root))
    yield DataSize(root, synth.disk_size(root))
