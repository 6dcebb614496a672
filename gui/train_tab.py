"""Train tab: choose a recipe, train it in the background, compare runs, keep the best.

A thin controller around three views: :class:`TrainForm` (the recipe),
:class:`TrainPlots` (curves of every visible run) and :class:`RunsList` (every model the
app holds). Every run is kept in the shared state's :class:`RunStore`, with its weights.

The active model changes only when the user says so ("Use this model", File → Open),
with one exception: a run that *finishes* normally and beats the active model on the
same validation split becomes active, and Undo goes back. A stopped, diverged,
not-learning or failed run never replaces the active model; it stays in the list.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication, QSettings, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QFrame, QGroupBox, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QScrollArea, QSlider, QSplitter, QVBoxLayout, QWidget)

from model import LetterLabError
from model.training import BatchEvent, EpochEvent

from .jobs import SamplesAccuracy, Status, TrainingJob, TrainingResult, TrainingStarted
from .i18n import spec_text, trainer_message
from .runs import (DIVERGED, FAILED, FINISHED, NOT_LEARNING, NOT_LEARNING_HINT, RUNNING, STOPPED,
                   Run, not_learning_hint, save_run, state_text)
from .runs_view import RunsList
from .state import AppState
from .train_form import TrainForm
from .train_plots import TrainPlots
from .widgets import ask_weights_path, error_text, guarded, named, show_error
from .worker import Worker

ENDINGS = {"finished": FINISHED, "stopped": STOPPED, "diverged": DIVERGED,
           "not_learning": NOT_LEARNING, "not learning": NOT_LEARNING}


# The pace slider's stops, in batches per second; 0 (the last, the default): as fast as possible.
PACES = (1, 2, 5, 10, 20, 50, 100, 0)


#: Seconds between two updates of the progress bar while a run trains.
PROGRESS_INTERVAL = 0.2


def format_seconds(s: float) -> str:
    s = max(0, int(round(s)))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def percent(acc: float | None) -> str:
    return "—" if acc is None else f"{100 * acc:.1f}\u00a0%"     # no-break: "%" never wraps alone


class TrainTab(QWidget):
    """Form and controls on the left; plots and the runs list on the right.

    Signals:
        runFinished(str): a run ended; its state ("finished", "stopped", "diverged",
            "not learning", "failed").
        statusMessage(str, int): a message for the window's status bar, and its timeout (ms).
    """

    runFinished = Signal(str)
    statusMessage = Signal(str, int)

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self._progress_shown = 0.0            # when the progress bar last changed (monotonic s)
        self.state = state
        self.worker: Worker | None = None
        self.run: Run | None = None           # the run in progress
        self._baseline: Run | None = None     # the active model when it started
        self._result: TrainingResult | None = None
        self._undo: tuple[str, Callable[[], None]] | None = None
        self._last_batch: BatchEvent | None = None
        self._shut_down = False
        self._showing_data_status = False     # the status line says why the data is not ready
        self.form = TrainForm()
        self.plots = TrainPlots(state.runs)
        self.runs_list = RunsList(state)
        self._build_controls()
        self._build_layout()
        self._connect()
        self._update_controls()

    # -- building ---------------------------------------------------------------------
    def _build_controls(self) -> None:
        self.start_button = named(QPushButton(self.tr("Start")), "startButton")
        self.stop_button = named(QPushButton(self.tr("Stop")), "stopButton")
        self._build_pace()
        self.progress = named(QProgressBar(), "trainProgress")
        self._reset_progress()
        self.status_label = named(QLabel(self.tr("Choose a preset or your own settings, then Start.")), "trainStatus")
        self.status_label.setWordWrap(True)
        # Fixed size: a wrapped label whose text changes otherwise relayouts the whole
        # window (~3.5 ms in the GUI thread, every epoch).
        self.status_label.setFixedSize(280, 112)
        self.status_label.setAlignment(Qt.AlignTop | Qt.AlignLeft)

    def _build_pace(self) -> None:
        """Pace slider, Pause/Resume and Step (one batch), as TensorFlow Playground has."""
        self.pause_button = named(QPushButton(self.tr("Pause")), "pauseButton")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip(self.tr("Pause the run after this batch (Resume goes on)"))
        self.step_button = named(QPushButton(self.tr("Step")), "stepButton")
        self.step_button.setToolTip(self.tr("While paused: train exactly one more batch"))
        self.pace_slider = named(QSlider(Qt.Horizontal), "paceSlider")
        self.pace_slider.setRange(0, len(PACES) - 1)
        self.pace_slider.setPageStep(1)
        self.pace_slider.setValue(len(PACES) - 1)
        self.pace_slider.setToolTip(self.tr("Training pace: slow it down to watch the curves grow "
                                            "(the benchmark figures are at full pace)"))
        self.pace_label = named(QLabel(), "paceLabel")
        self.pace_label.setMinimumWidth(110)
        self._show_pace()

    @property
    def pace(self) -> float:
        """Batches per second the pace slider allows (0: as fast as possible)."""
        return float(PACES[self.pace_slider.value()])

    def _show_pace(self) -> None:
        rate = int(self.pace)
        self.pace_label.setText(self.tr("%n batch(es)/s", "", rate) if rate else self.tr("as fast as possible"))

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        pace_buttons = QHBoxLayout()
        pace_buttons.addWidget(self.pause_button)
        pace_buttons.addWidget(self.step_button)
        pace = QHBoxLayout()
        pace.addWidget(QLabel(self.tr("Pace")))
        pace.addWidget(self.pace_slider, 1)
        pace.addWidget(self.pace_label)
        left = QVBoxLayout()
        left.addWidget(self._build_form_scroll(), 1)
        left.addLayout(buttons)
        left.addLayout(pace_buttons)
        left.addLayout(pace)
        left.addWidget(self.progress)
        left.addWidget(self.status_label)
        controls = QWidget()
        controls.setLayout(left)
        controls.setFixedWidth(300)
        right = QSplitter(Qt.Vertical)
        right.addWidget(self.plots)
        right.addWidget(self.runs_list)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setSizes([560, 200])
        lay = QHBoxLayout(self)
        lay.addWidget(controls)
        lay.addWidget(right, 1)

    def _build_form_scroll(self) -> QScrollArea:
        """The recipe and "Your handwriting" scroll on a short screen; the buttons, progress
        and status below them stay in view (the window's minimum fits 1280×700)."""
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.form)
        lay.addWidget(self._build_samples_box())
        lay.addStretch(1)
        scroll = named(QScrollArea(), "trainFormScroll")
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        return scroll

    def _connect(self) -> None:
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.pause_button.toggled.connect(self.set_paused)
        self.step_button.clicked.connect(self.step)
        self.pace_slider.valueChanged.connect(self._pace_changed)
        self.state.dataChanged.connect(self._update_controls)
        self.state.dataStatus.connect(self._data_status)
        self.runs_list.useRequested.connect(self.use_run)
        self.runs_list.saveRequested.connect(self.save_run_dialog)
        self.runs_list.deleteRequested.connect(self.delete_run)
        self.runs_list.undoRequested.connect(self.undo)
        self.runs_list.selected.connect(self.plots.select)
        self.form.edited.connect(self._clear_error)
        self.statusMessage.connect(self._clear_error)
        self.runs_list.compareRequested.connect(self.compare_runs)

    # -- controls ---------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.worker is not None

    def _update_controls(self) -> None:
        running = self.is_running()
        ready = self.state.data_ready
        self.start_button.setEnabled(not running and ready)
        self.stop_button.setEnabled(running)
        paused = running and self.worker.paused
        self.pause_button.setEnabled(running)
        self.step_button.setEnabled(paused)
        if not running and self.pause_button.isChecked():
            self.pause_button.blockSignals(True)
            self.pause_button.setChecked(False)
            self.pause_button.blockSignals(False)
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))
        self.form.setEnabled(not running)
        self.start_button.setToolTip(self.tr("Train a new network with these settings") if ready or running
                                     else self.state.data_status or self.tr("Waiting for the data set"))

    def _data_status(self, text: str) -> None:
        """Why the data set is not ready (being created, changed on disk...), or "" once it is."""
        self._update_controls()
        if self.is_running():
            return
        if text:
            self._set_status(text)
        elif self._showing_data_status:
            self._set_status(self.tr("Choose a preset or your own settings, then Start."))
        self._showing_data_status = bool(text)

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status_label.setText(text.replace(" %", "\u00a0%"))    # a wrapped "%" never stands alone
        self.status_label.setStyleSheet("color: #b00020; font-weight: bold;" if error else "")
        self._status_error = error

    def _clear_error(self, *_) -> None:
        """An edit or a success replaces an old error (it never lingers after a success)."""
        if getattr(self, "_status_error", False) and not self.is_running():
            self._set_status(self.tr("Choose a preset or your own settings, then Start."))

    def slot_failed(self, exc: BaseException) -> None:
        """A slot raised (a bug): say so, and never leave the controls disabled."""
        self._set_status(self.tr("Internal error: {error}").format(error=error_text(exc)), error=True)
        self._update_controls()

    def _reset_progress(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("Not started"))

    # -- running ----------------------------------------------------------------------
    @guarded
    def start(self) -> None:
        if self.is_running():
            return
        if not self.state.data_ready:
            self._set_status(self.state.data_status or self.tr("The data set is not ready yet."), error=True)
            return
        try:
            cfg = self.form.config()
            extra = self._samples_job_options(cfg)
        except LetterLabError as e:
            self._set_status(str(e), error=True)
            return
        baseline = self.state.network
        job = TrainingJob(cfg, self.state.data_root, self.state.validation,
                          baseline=None if baseline is None else baseline.copy(),
                          data_signature=self.state.data_signature, **extra)
        self._baseline = self.state.active
        self._result = None
        self._last_batch = None
        self._progress_shown = 0.0
        self.run = self.state.runs.add_training(cfg)
        if extra.get("start") is not None and self._baseline is not None:
            self.state.runs.update(self.run, name=self.tr("{run}: {model} tuned").format(
                run=self.run.name, model=self._baseline.name))
        self.progress.setRange(0, 0)   # busy until the first batch
        self.progress.setFormat(self.tr("Loading…"))
        self._set_status(self.tr("Starting {run}: {net}, lr {lr}, batch {batch}…").format(
            run=self.run.name, net=spec_text(cfg.spec), lr=f"{cfg.lr:g}", batch=cfg.batch_size))
        w = Worker(job.run, urgent=lambda ev: not isinstance(ev, BatchEvent), name="training")
        w.progress.connect(self._on_load_progress)
        w.items.connect(self._on_items)
        w.failed.connect(self._on_failed)
        w.done.connect(self._on_done)
        w.set_pace(self.pace)
        self.worker = w
        self._update_controls()
        w.start()

    @guarded
    def stop(self) -> None:
        """Ask the run to end between batches (the thread is joined when it has)."""
        if self.worker is not None:
            self.worker.stop()
            self._set_status(self.tr("Stopping after this batch…"))

    @guarded
    def set_paused(self, paused: bool) -> None:
        """Pause the run after its current batch, or resume it (the thread stays alive)."""
        if self.worker is None:
            self._update_controls()
            return
        self.worker.pause(paused)
        if self.pause_button.isChecked() != paused:
            self.pause_button.setChecked(paused)     # comes back here once, with the same value
            return
        self._update_controls()
        if paused:
            self._show_paused()
        else:
            self._set_status(self.tr("Resumed."))

    @guarded
    def step(self) -> None:
        """While paused: train exactly one more batch."""
        if self.worker is not None and self.worker.paused:
            self.worker.step()

    def _show_paused(self) -> None:
        last = self._last_batch
        if last is None:
            self._set_status(self.tr("Paused: Step trains one batch, Resume goes on."))
        else:
            self._set_status(self.tr("Paused after epoch {epoch}, batch {batch}/{batches}: Step trains one "
                                     "batch, Resume goes on.").format(epoch=last.epoch, batch=last.batch,
                                                                      batches=last.n_batches))

    def _pace_changed(self) -> None:
        self._show_pace()
        if self.worker is not None:
            self.worker.set_pace(self.pace)

    def shutdown(self, timeout_ms: int = 30000) -> None:
        """Stop and join the worker (window closing)."""
        self._shut_down = True
        if self.worker is not None:
            self.worker.stop_and_wait(timeout_ms)

    @guarded
    def _on_items(self, items: list) -> None:
        run = self.run
        if run is None:
            return
        batches = []                 # appended to the curves together, in order with the rest
        for ev in items:
            if isinstance(ev, BatchEvent):
                batches.append(ev)
                continue
            if batches:
                run.add_batches(batches)
                self._last_batch, batches = batches[-1], []
            if isinstance(ev, EpochEvent):
                self._on_epoch(run, ev)
            elif isinstance(ev, Status):
                self._set_status(trainer_message(QCoreApplication.translate("Jobs", ev.text)))
            elif isinstance(ev, TrainingStarted):
                run.live_network = ev.network      # the Network view copies it while it trains
                names = getattr(ev.network, "layer_names", None)
                if names is not None:
                    run.layer_names = list(names())   # e.g. conv0…, fc0… (labels the gradients)
                self._set_status(self.tr("Training {run}: {net} on {n} images…").format(
                    run=run.name, net=spec_text(ev.config.spec), n=ev.n_train))
            elif isinstance(ev, TrainingResult):
                self._result = ev
            elif isinstance(ev, SamplesAccuracy):
                run.add_samples_accuracy(ev.epoch, ev.accuracy, ev.n)
        if batches:
            run.add_batches(batches)
            self._last_batch = batches[-1]
        self.state.runs.curves_changed(run)
        self._show_progress()
        if self.worker is not None and self.worker.paused:
            self._show_paused()

    def _on_epoch(self, run: Run, ev: EpochEvent) -> None:
        was_flagged = bool(run.message)
        run.add_epoch(ev)
        acc = "" if ev.val_accuracy is None else self.tr(", validation accuracy {percent}").format(
            percent=percent(ev.val_accuracy))
        if run.not_learning and not was_flagged:
            self.state.runs.update(run, message=self.tr("Not learning: {hint}.").format(hint=not_learning_hint()))
        else:
            self.state.runs.changed.emit(run)     # accuracy column
        if run.message:
            self._set_status(self.tr("Epoch {epoch}/{epochs}{acc}.").format(epoch=ev.epoch, epochs=ev.epochs, acc=acc)
                             + " " + run.message, error=True)
        else:
            self._set_status(self.tr("Epoch {epoch}/{epochs}: training loss {loss}{acc}").format(
                epoch=ev.epoch, epochs=ev.epochs, loss=f"{ev.train_loss:.4g}", acc=acc))

    def _show_progress(self) -> None:
        last = self._last_batch
        if last is None or not last.n_batches or self.run is None or self.run.config is None:
            return
        now = time.monotonic()
        full_pace = self.pace == 0 and self.worker is not None and not self.worker.paused
        if full_pace and now - self._progress_shown < PROGRESS_INTERVAL and last.batch != last.n_batches:
            return          # a QProgressBar repaints at once (~0.5 ms): 5 times a second is enough
        self._progress_shown = now
        epochs = self.run.config.epochs
        total = epochs * last.n_batches
        done = (last.epoch - 1) * last.n_batches + last.batch
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        left = last.seconds / done * (total - done) if done else 0.0
        self.progress.setFormat(self.tr("Epoch {epoch}/{epochs} · batch {batch}/{batches} · {left} left").format(
            epoch=last.epoch, epochs=epochs, batch=last.batch, batches=last.n_batches, left=format_seconds(left)))

    @guarded
    def _on_load_progress(self, done: int, total: int) -> None:
        if self._last_batch is None:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)
            self.progress.setFormat(self.tr("Loading training data: {done}/{total}").format(done=done, total=total))

    @guarded
    def _on_failed(self, exc: BaseException) -> None:
        run = self.run
        if run is not None:
            self.state.runs.update(run, state=FAILED, message=self.tr("Failed: {error}").format(error=error_text(exc)))
        self._set_status(self.tr("Training failed: {error}. The active model is unchanged.").format(
            error=error_text(exc)), error=True)

    def _on_done(self) -> None:
        """The thread has ended (every ending comes here): settle the run, go idle."""
        run, result = self.run, self._result
        self.worker, self.run, self._result = None, None, None
        if run is not None:
            run.live_network = None                # the trainer is gone; keep no reference
        ending = ""
        try:
            if result is not None and run is not None:
                ending = self._settle(run, result)
            elif run is not None:
                ending = run.state if run.state != RUNNING else STOPPED
                if run.state == RUNNING:
                    self.state.runs.update(run, state=STOPPED, message=self.tr("Stopped before the first batch."))
                if not run.series.get("batch_loss"):
                    self.state.runs.remove(run)      # no curves, no weights: nothing to keep
            self.plots.redraw()
        except Exception as e:  # noqa: BLE001 - never leave the tab disabled
            import traceback

            traceback.print_exc()
            self._set_status(self.tr("Internal error: {error}").format(error=error_text(e)), error=True)
        finally:
            last, self._last_batch = self._last_batch, None
            if self.progress.maximum() == 0:
                self._reset_progress()
            elif ending:
                # "Stopped at epoch 3/20", never a stale "0:52 left".
                label = state_text(ending)
                label = label[:1].upper() + label[1:]
                epochs = run.config.epochs if run is not None and run.config is not None else 0
                self.progress.setFormat(label if last is None or not epochs else self.tr(
                    "{state} at epoch {epoch}/{epochs}").format(state=label, epoch=last.epoch, epochs=epochs))
            self._update_controls()
        if ending and not self._shut_down:
            self.runFinished.emit(ending)

    def _settle(self, run: Run, r: TrainingResult) -> str:
        """Record how ``run`` ended and decide whether it becomes the active model."""
        done = r.done
        ending = ENDINGS.get(done.reason, done.reason)
        if ending == FINISHED and run.not_learning:
            ending = NOT_LEARNING
        message = trainer_message(done.message)
        if ending == NOT_LEARNING and NOT_LEARNING_HINT not in message and not_learning_hint() not in message:
            message = message + " " + self.tr("Not learning: {hint}.").format(hint=not_learning_hint())
        if done.val_accuracy is not None:
            run.final_accuracy = float(done.val_accuracy)
        self.state.runs.update(run, state=ending, network=r.network, metadata=dict(r.metadata),
                               message=message)
        if ending == FINISHED:
            self._finished(run, r.baseline_accuracy)
        elif ending == STOPPED:
            self._set_status(message + " " + self.tr("Validation accuracy {percent}. {run} stays in the list; the "
                                                     "active model is unchanged.").format(
                percent=percent(run.final_accuracy), run=run.name))
        else:
            self._set_status(self.tr("{run} {state}: {message} The active model is unchanged.").format(
                run=run.name, state=state_text(ending), message=message), error=True)
        if ending == FINISHED:
            self.progress.setValue(self.progress.maximum())
        return ending

    def _finished(self, run: Run, baseline_acc: float | None) -> None:
        acc = run.final_accuracy
        previous = self.state.active
        changed_meanwhile = previous is not self._baseline
        better = acc is not None and (previous is None or baseline_acc is None or acc > baseline_acc)
        better = better or self._tuned_better(run, baseline_acc)
        if better and not changed_meanwhile:
            self.state.use(run)
            was = "" if previous is None else self.tr(", was {percent}").format(percent=percent(baseline_acc))
            text = self.tr("Now using {run}: {percent}").format(run=run.name, percent=percent(acc)) \
                + was + self._samples_note(run)
            if previous is not None:
                self._set_undo(self.tr("go back to {run}").format(run=previous.name),
                               lambda: self.state.use(previous))
                text += self.tr(" — Undo in the runs list goes back")
            self._set_status(f"{run.message} {text}" + self.tr("."))
            self.statusMessage.emit(text, 15000)
            return
        why = (self.tr("another model was made active meanwhile") if changed_meanwhile
               else self.tr("not better than the active model ({percent})").format(percent=percent(baseline_acc)))
        self._set_status(run.message + " " + self.tr(
            "{run}: validation accuracy {percent}{samples}, {why}; it stays in the list (Use this model to "
            "switch).").format(run=run.name, percent=percent(acc), samples=self._samples_note(run), why=why))

    # -- my samples and fine-tuning (issue 10) ----------------------------------------
    #: A fine-tune that reads your samples better becomes active if the validation accuracy
    #: lost at most this much (a point); otherwise it stays in the list like any run.
    TUNE_TOLERANCE = 0.01

    def _build_samples_box(self) -> QGroupBox:
        self.samples = None
        self.include_samples = named(QCheckBox(self.tr("Include my samples")), "includeSamples")
        self.include_samples.setToolTip(self.tr("Mix your own drawings (Draw tab → Add to my samples) into "
                                                "the training images, each repeated so a handful count"))
        self.fine_tune = named(QCheckBox(self.tr("Continue from the active model")), "fineTune")
        self.fine_tune.setToolTip(self.tr("Fine-tune: start from the active model's weights, at a tenth of "
                                          "its learning rate, on 8000 generated images (plus your samples)"))
        self.samples_label = named(QLabel(""), "samplesInfo")
        self.samples_label.setWordWrap(True)
        self.samples_label.setStyleSheet("color: #555;")
        self.fine_tune.toggled.connect(self._fine_tune_toggled)
        self.state.modelChanged.connect(self._model_changed_for_tune)
        box = QGroupBox(self.tr("Your handwriting"))
        lay = QVBoxLayout(box)
        lay.addWidget(self.include_samples)
        lay.addWidget(self.fine_tune)
        lay.addWidget(self.samples_label)
        self._samples_changed()
        return box

    def attach_samples(self, store) -> None:
        """Use ``store`` (a :class:`gui.samples_view.SamplesStore`) for "Include my samples"."""
        self.samples = store
        store.changed.connect(self._samples_changed)
        self._samples_changed()

    def _samples_changed(self) -> None:
        n = 0 if self.samples is None else self.samples.total()
        if n and not self.include_samples.isEnabled():
            self.include_samples.setChecked(True)     # your first samples: use them by default
        self.include_samples.setEnabled(n > 0)
        if n == 0:
            self.include_samples.setChecked(False)
        self.samples_label.setText(self.tr("%n drawing(s) in my samples.", "", n) if n else
                                   self.tr("No samples yet: add drawings in the Draw tab."))

    def _tune_config(self):
        from model.samples import finetune_config

        run = self.state.active
        if run is None or run.network is None:
            raise LetterLabError(self.tr("there is no active model to continue from"))
        return finetune_config(run.network.spec, dict(run.metadata))

    def _fine_tune_toggled(self, on: bool) -> None:
        if not on:
            self.form.set_fine_tune(None)
            return
        try:
            self.form.set_fine_tune(self._tune_config())
        except LetterLabError as e:
            self.fine_tune.setChecked(False)
            self._set_status(self.tr("Cannot fine-tune: {error}").format(error=e), error=True)
            return
        self._set_status(self.tr("Fine-tuning the active model: Start trains a copy; the active model changes "
                                 "only if the copy reads your samples better and keeps its validation accuracy."))

    def _model_changed_for_tune(self) -> None:
        if self.fine_tune.isChecked() and not self.is_running():
            self.form.set_fine_tune(None)
            self._fine_tune_toggled(True)

    def _samples_job_options(self, cfg) -> dict:
        """TrainingJob arguments for "Continue from the active model" and "Include my samples"."""
        from model.samples import FINETUNE_SUBSET, base_lr

        out: dict = {}
        if self.include_samples.isChecked() and self.samples is not None:
            xs, ys = self.samples.arrays()
            if not len(ys):
                raise LetterLabError(self.tr("no samples yet: add drawings in the Draw tab first"))
            out["samples"] = (xs, ys)
        if self.fine_tune.isChecked():
            run = self.state.active
            if run is None or run.network is None:
                raise LetterLabError(self.tr("there is no active model to continue from"))
            if run.network.spec.to_dict() != cfg.spec.to_dict():
                raise LetterLabError(self.tr("the settings' network differs from the active model's"))
            out.update(start=run.network.copy(), subset=FINETUNE_SUBSET, extra_metadata={
                "base_lr": base_lr(dict(run.metadata), cfg.loss), "fine_tuned_from": run.name,
                "fine_tune": {"epochs": cfg.epochs, "lr": cfg.lr}})
        return out

    def _samples_note(self, run: Run) -> str:
        s = run.series.get("samples_accuracy")
        if s is None or s.n < 2:
            return ""
        return self.tr("; your samples {before} → {after} % (trained on them)").format(
            before=f"{s.y[0]:.1f}", after=f"{s.y[s.n - 1]:.1f}")

    def _tuned_better(self, run: Run, baseline_acc: float | None) -> bool:
        """A fine-tune with samples: better if it reads them better than the model it
        started from and kept the validation accuracy within :attr:`TUNE_TOLERANCE`."""
        s = run.series.get("samples_accuracy")
        if s is None or s.n < 2 or run.final_accuracy is None or baseline_acc is None:
            return False
        before, after = s.y[0], s.y[s.n - 1]
        return after > before and run.final_accuracy >= baseline_acc - self.TUNE_TOLERANCE

    # -- the runs list's actions --------------------------------------------------------
    @guarded
    def use_run(self, run: Run) -> None:
        if run.network is None or run.state == RUNNING:
            return
        previous = self.state.active
        self.state.use(run)
        if previous is not None and previous is not run:
            self._set_undo(self.tr("go back to {run}").format(run=previous.name), lambda: self.state.use(previous))
        self.statusMessage.emit(self.tr("Now using {run}").format(run=run.name), 8000)

    @guarded
    def compare_runs(self, a: Run, b: Run) -> None:
        """Open the compare view of ``a`` and ``b`` (recipes and curves side by side)."""
        from .compare_view import CompareDialog

        old = getattr(self, "compare_dialog", None)
        if old is not None:
            old.close()
            old.deleteLater()
        self.compare_dialog = CompareDialog(a, b, self)
        self.compare_dialog.show()

    @guarded
    def delete_run(self, run: Run) -> None:
        if run is self.state.active or run.state == RUNNING or run not in self.state.runs.runs:
            return
        index = self.state.runs.remove(run)
        self._set_undo(self.tr("delete {run}").format(run=run.name), lambda: self.state.runs.restore(run, index))
        self.statusMessage.emit(self.tr("Deleted {run} — Undo brings it back").format(run=run.name), 8000)

    @guarded
    def undo(self) -> None:
        if self._undo is None:
            return
        label, action = self._undo
        self._set_undo(None)
        action()
        self.statusMessage.emit(self.tr("Undone: {what}").format(what=label), 5000)

    def _set_undo(self, label: str | None, action: Callable[[], None] | None = None) -> None:
        self._undo = None if label is None else (label, action)
        self.runs_list.set_undo(label)

    def save_run_to(self, run: Run, path: str | Path) -> Path:
        """Write ``run``'s weights atomically (raises WeightsError/OSError/LetterLabError)."""
        path = save_run(run, path)
        self.state.saved(run, path)
        return path

    @guarded
    def save_run_dialog(self, run: Run) -> None:
        if run.network is None:
            return
        name = run.path.name if run.path else f"{run.name.replace(' ', '-')}.npz"
        path = ask_weights_path(self, self.tr("Save {run}").format(run=run.name), name)
        if not path:
            return
        try:
            self.save_run_to(run, path)
        except (LetterLabError, OSError) as e:
            show_error(self, self.tr("Cannot save weights"), error_text(e))
            return
        self.statusMessage.emit(self.tr("Saved {run} to {path}").format(run=run.name, path=path), 5000)

    # -- settings ---------------------------------------------------------------------
    def save_settings(self, s: QSettings) -> None:
        self.form.save_settings(s)
        s.setValue("train/smoothing", self.plots.smoothing_slider.value())

    def load_settings(self, s: QSettings) -> None:
        # The user's last recipe, or else the active model's (not an unrelated preset); the
        # window loads its model after the settings.
        if not self.form.load_settings(s):
            self.state.modelChanged.connect(self._recipe_from_model)
            self._recipe_from_model()
        try:
            self.plots.smoothing_slider.setValue(int(s.value("train/smoothing", 60)))
        except (TypeError, ValueError):
            pass

    def _recipe_from_model(self) -> None:
        """Once, at launch: the form shows the recipe of the first active model."""
        run = self.state.active
        if run is None or self.state.network is None:
            return
        self.state.modelChanged.disconnect(self._recipe_from_model)
        if not self.is_running():
            self.form.set_from_model(self.state.network.spec, dict(run.metadata or {}))
