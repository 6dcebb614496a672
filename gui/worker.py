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

    def run(self) -> None:  # the thread's body
        buf: list = []
        last = time.monotonic()
        try:
            for item in self._job(self):
                buf.append(item)
                now = time.monotonic()
                if self._urgent(item) or now - last >= self._interval:
                    self.items.emit(buf)
                    buf, last = [], now
        except Aborted:
            pass
        except Exception as e:  # noqa: BLE001 - handed to the GUI thread, never lost
            if not isinstance(e, (LetterLabError, OSError)):
                traceback.print_exc()   # a bug: say where, keep the app alive
            self.error = e
        finally:
            if buf:
                self.items.emit(buf)
            if self.error is not None:
                self.failed.emit(self.error)

    # -- called from the GUI thread ---------------------------------------------------
    def stop(self) -> None:
        """Ask the job to end soon (between its steps). Does not block."""
        self._abort.set()

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
