"""Background work: the one module of the app that owns QThreads.

A :class:`Worker` runs a plain Python generator (training, evaluation, loading or
generating data) in its own QThread and hands what it yields to the GUI thread through
queued signals. Items are sent in small lists, at most every ``flush_interval`` seconds,
except items for which ``urgent(item)`` is true (epoch ends, results), which go at once:
the GUI thread sees a few dozen slot calls a second however fast the generator runs.

Stopping is cooperative: :meth:`Worker.stop` sets a flag (checked between items) and
calls the job's own ``stop`` callback (e.g. ``Trainer.stop``, which ends between
batches); :meth:`Worker.stop_and_wait` also joins the thread. The GUI thread never runs
the job and never touches arrays the job is writing: jobs yield copies.
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


class Stopped(Exception):
    """Raised inside a job (e.g. from a progress callback) to abandon it early."""


class Worker(QThread):
    """Runs ``job()`` (a callable returning an iterable) in a thread.

    Signals (delivered in the GUI thread):
        items(list): yielded items, in order, batched.
        progress(int, int): ``done, total`` reported through :meth:`report`.
        failed(str): the job raised; a message for a person.
    ``QThread.finished`` follows the last ``items``/``failed`` emission.
    """

    items = Signal(object)
    progress = Signal(int, int)
    failed = Signal(str)

    def __init__(self, job: Callable[[], Iterable], stop: Callable[[], None] | None = None,
                 urgent: Callable[[object], bool] | None = None, flush_interval: float = 0.05,
                 name: str = "worker", parent=None) -> None:
        super().__init__(parent)
        self._job = job
        self._stop_cb = stop
        self._urgent = urgent or (lambda item: False)
        self._interval = flush_interval
        self._stop_flag = threading.Event()
        self._last_progress = 0.0
        self.setObjectName(name)
        self.error: str | None = None
        _workers.add(self)

    # -- called from the job's thread -------------------------------------------------
    @property
    def stopping(self) -> bool:
        return self._stop_flag.is_set()

    def report(self, done: int, total: int) -> None:
        """Progress callback for jobs: throttled to ~20 signals a second; raises
        :class:`Stopped` once :meth:`stop` was called, so long loops end early."""
        if self._stop_flag.is_set():
            raise Stopped()
        self.emit_progress(done, total)

    def emit_progress(self, done: int, total: int) -> None:
        """Progress callback that never raises (for code with its own cancel check)."""
        now = time.monotonic()
        if done >= total or now - self._last_progress >= 0.05:
            self._last_progress = now
            self.progress.emit(int(done), int(total))

    def run(self) -> None:  # the thread's body
        buf: list = []
        last = time.monotonic()
        try:
            for item in self._job():
                buf.append(item)
                now = time.monotonic()
                if self._urgent(item) or now - last >= self._interval:
                    self.items.emit(buf)
                    buf, last = [], now
                if self._stop_flag.is_set() and self._stop_cb is None:
                    break
        except Stopped:
            pass
        except LetterLabError as e:
            self.error = str(e)
        except Exception as e:  # a bug: keep the app alive, say what happened
            traceback.print_exc()
            self.error = f"{type(e).__name__}: {e}"
        finally:
            if buf:
                self.items.emit(buf)
            if self.error is not None:
                self.failed.emit(self.error)

    # -- called from the GUI thread ---------------------------------------------------
    def stop(self) -> None:
        """Ask the job to end soon (between items / batches). Does not block."""
        self._stop_flag.set()
        if self._stop_cb is not None:
            self._stop_cb()

    def stop_and_wait(self, timeout_ms: int = 30000) -> bool:
        """Stop and join the thread; True if it ended within ``timeout_ms``."""
        self.stop()
        return self.wait(timeout_ms)
