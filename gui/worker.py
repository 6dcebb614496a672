"""Background work: the one module of the app that owns QThreads.

A :class:`Worker` runs a plain Python generator (training, evaluation, loading or
generating data) in its own QThread and hands what it yields to the GUI thread through
queued signals. Items are sent in small lists, at most every ``flush_interval`` seconds,
except items for which ``urgent(item)`` is true (epoch ends, results), which go at once:
the GUI thread sees a few dozen slot calls a second however fast the generator runs.

One cancellation mechanism: :meth:`Worker.stop` sets the worker's abort flag. The job
is called with the worker as its context and checks the flag between its steps
(``ctx.aborted``), or lets :meth:`Worker.report` / :meth:`Worker.check` raise
:class:`Aborted` for it; it ends by returning (a training job first yields how the run
ended). A job that raises anything else fails: ``failed`` carries the exception object.

Pace (issue 9): a job that calls :meth:`Worker.wait_turn` between its steps can be slowed to
a few steps a second (:meth:`Worker.set_pace`), paused (:meth:`Worker.pause`) and single-
stepped (:meth:`Worker.step`). A paused job waits on a condition (no spinning, the GUI
stays responsive, the thread stays alive); :meth:`Worker.stop` wakes it, so Stop works
while paused. Before waiting, whatever the job yielded is sent, so the GUI shows the step
it is paused after.

Teardown is the worker's own: when the thread has ended it is joined, ``done`` is
emitted in the GUI thread and the QThread deletes itself later. The GUI thread never
runs the job and never touches arrays the job is writing: jobs yield copies.
"""
from __future__ import annotations

import threading
import time
import traceback
import weakref
from typing import Callable, Iterable

from PySide6.QtCore import QThread, Signal

from model import LetterLabError

_workers: "weakref.WeakSet[Worker]" = weakref.WeakSet()


def running_workers() -> list["Worker"]:
    """Workers whose thread is still running (tests fail if any is left behind)."""
    out = []
    for w in list(_workers):
        try:
            if w.isRunning():
                out.append(w)
        except RuntimeError:   # the C++ object was deleted: its thread had ended
            pass
    return out


class Aborted(Exception):
    """Raised inside a job (by :meth:`Worker.check` or :meth:`Worker.report`) once the
    worker was asked to stop: the job ends early, which is not a failure."""


class Worker(QThread):
    """Runs ``job(worker)`` (a callable returning an iterable) in a thread.

    Signals (delivered in the GUI thread):
        items(list): yielded items, in order, batched.
        progress(int, int): ``done, total`` reported through :meth:`report`.
        failed(object): the exception the job raised (not :class:`Aborted`).
        done(): the thread has ended and was joined (after the last items/failed).
    """

    items = Signal(object)
    progress = Signal(int, int)
    failed = Signal(object)
    done = Signal()

    def __init__(self, job: Callable[["Worker"], Iterable],
                 urgent: Callable[[object], bool] | None = None, flush_interval: float = 0.05,
                 name: str = "worker", parent=None) -> None:
        super().__init__(parent)
        self._job = job
        self._urgent = urgent or (lambda item: False)
        self._interval = flush_interval
        self._abort = threading.Event()
        # Pace: the condition guards _paused, _steps and _rate (set from the GUI thread).
        self._pace = threading.Condition()
        self._paused = False
        self._steps = 0                 # single steps allowed while paused
        self._rate = 0.0                # steps per second; 0: as fast as possible
        self._next_turn = 0.0
        self._waiting = False           # blocked in wait_turn while paused
        self._buf: list = []
        self._last_progress = 0.0
        self._torn_down = False
        self.setObjectName(name)
        self.error: BaseException | None = None
        self.finished.connect(self._teardown)
        _workers.add(self)

    # -- called from the job's thread -------------------------------------------------
    @property
    def aborted(self) -> bool:
        """True once :meth:`stop` was called (the one abort flag)."""
        return self._abort.is_set()

    def check(self) -> None:
        """Raise :class:`Aborted` if the worker was asked to stop."""
        if self._abort.is_set():
            raise Aborted()

    def report(self, done: int, total: int, check: bool = True) -> None:
        """Progress callback for jobs: throttled to ~20 signals a second; raises
        :class:`Aborted` once :meth:`stop` was called (unless ``check`` is false, for
        code that polls the flag itself), so long loops end early."""
        if check:
            self.check()
        now = time.monotonic()
        if done >= total or now - self._last_progress >= 0.05:
            self._last_progress = now
            self.progress.emit(int(done), int(total))

    def wait_turn(self) -> None:
        """Called by the job between its steps: returns at once at full pace; otherwise
        waits for the next turn of the pace, or while paused for Step, Resume or Stop
        (never raises: the job sees :attr:`aborted` and ends as it always does)."""
        if not self._paused and self._rate <= 0:     # full pace: two attribute reads
            return
        with self._pace:
            if self._buf:
                self._flush()                        # show the step we wait after
            while not self._abort.is_set():
                if self._paused:
                    if self._steps:
                        self._steps -= 1
                        break
                    self._waiting = True
                    self._pace.wait()
                    self._waiting = False
                    continue
                if self._rate <= 0:
                    break
                now = time.monotonic()
                if now >= self._next_turn:
                    self._next_turn = max(self._next_turn + 1.0 / self._rate, now - 0.5 / self._rate)
                    break
                self._pace.wait(self._next_turn - now)

    def _flush(self) -> None:
        buf, self._buf = self._buf, []
        self._last_flush = time.monotonic()
        self.items.emit(buf)

    def run(self) -> None:  # the thread's body
        self._buf = []
        self._last_flush = time.monotonic()
        try:
            for item in self._job(self):
                self._buf.append(item)
                if self._urgent(item) or time.monotonic() - self._last_flush >= self._interval:
                    self._flush()
        except Aborted:
            pass
        except Exception as e:  # noqa: BLE001 - handed to the GUI thread, never lost
            if not isinstance(e, (LetterLabError, OSError)):
                traceback.print_exc()   # a bug: say where, keep the app alive
            self.error = e
        finally:
            if self._buf:
                self._flush()
            if self.error is not None:
                self.failed.emit(self.error)

    # -- called from the GUI thread ---------------------------------------------------
    def stop(self) -> None:
        """Ask the job to end soon (between its steps). Does not block; wakes a paused job."""
        self._abort.set()
        with self._pace:
            self._pace.notify_all()

    def set_pace(self, steps_per_second: float) -> None:
        """At most this many steps a second (0 or less: as fast as possible)."""
        with self._pace:
            self._rate = max(0.0, float(steps_per_second))
            self._next_turn = time.monotonic()
            self._pace.notify_all()

    def pause(self, paused: bool = True) -> None:
        """Pause (the job waits at its next :meth:`wait_turn`) or resume."""
        with self._pace:
            self._paused = bool(paused)
            self._steps = 0
            self._next_turn = time.monotonic()
            self._pace.notify_all()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def waiting(self) -> bool:
        """Paused and waiting (what it yielded so far was sent)."""
        return self._waiting

    def step(self) -> None:
        """While paused: let the job take exactly one more step."""
        with self._pace:
            if self._paused:
                self._steps += 1
                self._pace.notify_all()

    def stop_and_wait(self, timeout_ms: int = 30000) -> bool:
        """Stop, join the thread and tear down at once (emitting ``done`` now);
        True if the thread ended within ``timeout_ms``."""
        self.stop()
        ok = self.wait(timeout_ms)
        if ok:
            self._teardown()
        return ok

    def _teardown(self) -> None:
        if self._torn_down:
            return
        self._torn_down = True
        self.wait()         # QThread.finished is emitted just before the thread really ends
        self.done.emit()
        self.deleteLater()
