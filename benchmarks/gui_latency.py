"""GUI responsiveness, measured in the real main window (offscreen).

    python benchmarks/gui_latency.py [--strokes 300] [--seconds 5] [--only 2]

1. Stroke → guess: the time from delivering a mouse release on the Draw canvas to the
   updated guess (computed; and painted, after the event loop has redrawn the labels).
   Goals: median < 2 ms, worst < 16 ms. Baseline: ``normalize`` + ``predict_proba`` on the
   same canvas image without any GUI, so the ratio is the GUI's overhead.
1b. Canvas change → Network tab: with the Network tab showing, the time to redraw the whole
   view (every stage's activations, output bars, saliency) for one canvas change, computed
   and painted, and the GUI thread's CPU time for it; for each shipped weights file.
   Goals: median ≤ 5 ms, worst ≤ 16 ms.
   Baseline: the same numbers from ``model.inspect.inspect`` without any GUI.
2. GUI thread while training: the lateness of a 10 ms precise QTimer while the Train tab
   runs the default preset in its worker thread. Goals: p99 < 20 ms, worst < 100 ms.
   Baseline: the same timer with the app idle. Measured on the Train tab and again with the
   Network tab showing the run live (weights copied in 5 times a second). Also the training speed in the app
   against the same Trainer run headless (batches per second).

Uses the shipped ``weights/default.npz`` if present, else an untrained network of the
default architecture (the latency does not depend on the weights), and a throw-away
random data set for training speed (the cost of a batch does not depend on the pixels).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402


def pct(values, q):
    return float(np.percentile(np.asarray(values), q))


def fmt(values, unit="ms"):
    return (f"median {statistics.median(values):6.3f} {unit}, p99 {pct(values, 99):6.3f} {unit}, "
            f"worst {max(values):6.3f} {unit}")


def make_data(root: Path, n_train: int, n_val: int) -> None:
    from model.data import write_split

    rng = np.random.default_rng(0)
    for split, n in (("train", n_train), ("validate", n_val), ("test", 26)):
        x = (rng.random((n, 289)) < 0.25).astype(np.float32)
        write_split(root, split, [f"{split}{i}" for i in range(n)], x, np.arange(n) % 26)


def letter_paths(side: int, h: float):
    """Polylines for a few letters, in canvas pixels."""
    c, t = side / 2, h / 2
    return [
        [[(c - t * .5, c - t), (c - t * .5, c + t), (c + t * .5, c + t)]],                  # L
        [[(c - t * .6, c - t), (c + t * .6, c - t)], [(c, c - t), (c, c + t)]],             # T
        [[(c - t * .6, c - t), (c + t * .6, c + t)], [(c + t * .6, c - t), (c - t * .6, c + t)]],  # X
        [[(c - t * .6, c + t), (c, c - t), (c + t * .6, c + t)],
         [(c - t * .3, c + t * .2), (c + t * .3, c + t * .2)]],                          # A
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--strokes", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--only", choices=("1", "1b", "2"), action="append",
                    help="run only this section (repeatable; default: all)")
    args = ap.parse_args()
    sections = set(args.only or ("1", "1b", "2"))

    tmp = Path(tempfile.mkdtemp(prefix="letterlab-bench-"))
    make_data(tmp / "data", n_train=20000, n_val=2000)
    os.environ["LETTERLAB_DATA_DIR"] = str(tmp / "data")

    from PySide6.QtCore import QEventLoop, QPoint, QSettings, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp / "settings"))
    app = QApplication([])

    from gui.app import DEFAULT_WEIGHTS, MainWindow
    from gui.canvas import TYPICAL_LETTER_FRACTION
    from model.network import Network
    from model.preprocess import normalize
    from model.training import PRESETS, BatchEvent, Trainer
    from model.weights import save_weights

    if DEFAULT_WEIGHTS.is_file():
        weights, what = DEFAULT_WEIGHTS, "shipped weights/default.npz"
    else:
        net = Network(PRESETS["default"].spec, np.random.default_rng(0))
        weights = save_weights(net, tmp / "untrained.npz", preset="default")
        what = "untrained default architecture (weights/default.npz not there yet)"

    def run_loop(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_until(cond, timeout_s=60.0) -> None:
        end = time.monotonic() + timeout_s
        while not cond():
            if time.monotonic() > end:
                raise TimeoutError
            run_loop(10)

    from gui.app import configure_threads

    configure_threads()  # as gui.app.main does
    w = MainWindow(weights=weights)
    w.show()
    wait_until(lambda: w.state.validation is not None and not w.is_busy())
    print(f"model: {w.state.network.spec.describe()} ({what})")

    # ---- 1. stroke → guess ------------------------------------------------------------
    w.tabs.setCurrentWidget(w.draw_tab)
    run_loop(50)
    canvas, tab = w.draw_tab.canvas, w.draw_tab
    letters = letter_paths(canvas.width(), TYPICAL_LETTER_FRACTION * canvas.width())
    if "1" in sections:
        stamps = []
        tab.guessed.connect(lambda: stamps.append(time.perf_counter()))
        computed, painted, baseline = [], [], []
        i = 0
        while len(computed) < args.strokes:
            canvas.clear()
            app.processEvents()
            for stroke in letters[i % len(letters)]:
                pts = []
                for (x0, y0), (x1, y1) in zip(stroke[:-1], stroke[1:]):
                    n = max(1, int(np.hypot(x1 - x0, y1 - y0) / 6))
                    pts += [QPoint(int(x0 + (x1 - x0) * k / n), int(y0 + (y1 - y0) * k / n)) for k in range(n + 1)]
                QTest.mousePress(canvas, Qt.LeftButton, Qt.NoModifier, pts[0])
                for p in pts[1:-1]:
                    QTest.mouseMove(canvas, p)
                app.processEvents()          # let the throttled live guess run now, not during the release
                tab._throttle.stop()
                stamps.clear()
                t0 = time.perf_counter()
                QTest.mouseRelease(canvas, Qt.LeftButton, Qt.NoModifier, pts[-1])
                app.processEvents()          # repaint the prediction, bars and preview
                t2 = time.perf_counter()
                assert stamps, "no guess after the release"
                computed.append(1e3 * (stamps[-1] - t0))
                painted.append(1e3 * (t2 - t0))
                img = canvas.to_array()
                b0 = time.perf_counter()
                w.state.network.predict_proba(normalize(img)[None, :])
                baseline.append(1e3 * (time.perf_counter() - b0))
            i += 1
        bmed = statistics.median(baseline)
        print("\n1. Mouse release → updated guess "
              f"({len(computed)} strokes; goal: median < 2 ms, worst < 16 ms)")
        print(f"   guess computed: {fmt(computed)}   ratio {statistics.median(computed) / bmed:4.1f}x baseline")
        print(f"   guess painted:  {fmt(painted)}   ratio {statistics.median(painted) / bmed:4.1f}x baseline")
        print(f"   baseline (normalize + predict_proba, no GUI): {fmt(baseline)}")

    # ---- 1b. canvas change → whole Network view ---------------------------------------
    if "1b" in sections:
        from model.inspect import inspect
        from model.weights import SHIPPED_DIR

        view = w.network_view
        inputs = []
        for k in range(len(letters)):
            canvas.clear()
            for stroke in letters[k]:
                QTest.mousePress(canvas, Qt.LeftButton, Qt.NoModifier, QPoint(*map(int, stroke[0])))
                for p in stroke[1:]:
                    QTest.mouseMove(canvas, QPoint(*map(int, p)))
                QTest.mouseRelease(canvas, Qt.LeftButton, Qt.NoModifier, QPoint(*map(int, stroke[-1])))
            app.processEvents()
            inputs.append(normalize(canvas.to_array()))
        w.tabs.setCurrentWidget(view)
        run_loop(100)
        print("\n1b. Canvas change → whole Network view redrawn "
              f"({args.strokes} updates each; goal: median ≤ 5 ms, worst ≤ 16 ms; "
              "load average {:.2f} {:.2f} {:.2f})".format(*os.getloadavg()))
        files = [(f, SHIPPED_DIR / f) for f in ("default.npz", "deep.npz", "shallow.npz")]
        for name, path in [(what, weights)] + [(f, p) for f, p in files[1:] if p.is_file()]:
            if not w.load_weights_file(path):
                continue
            run_loop(50)
            computed, painted, cpu, baseline = [], [], [], []
            for i in range(args.strokes):
                tab.last_input = inputs[i % len(inputs)]
                c0 = time.thread_time()
                t0 = time.perf_counter()
                tab.guessed.emit()           # what the Draw tab emits after each canvas change
                t1 = time.perf_counter()
                app.processEvents()          # paint the view
                t2 = time.perf_counter()
                cpu.append(1e3 * (time.thread_time() - c0))
                computed.append(1e3 * (t1 - t0))
                painted.append(1e3 * (t2 - t0))
                b0 = time.perf_counter()
                inspect(view.inspector.network, tab.last_input)
                baseline.append(1e3 * (time.perf_counter() - b0))
            bmed = statistics.median(baseline)
            print(f"   {name}: {w.state.network.spec.describe()}")
            print(f"     view updated: {fmt(computed)}   ratio {statistics.median(computed) / bmed:4.1f}x baseline")
            print(f"     view painted: {fmt(painted)}   ratio {statistics.median(painted) / bmed:4.1f}x baseline")
            print(f"     GUI thread CPU time, update and paint: median {statistics.median(cpu):6.3f} ms "
                  "(the wall times above also hold waits for a core on a loaded machine)")
            print(f"     baseline (model.inspect.inspect, no GUI): {fmt(baseline)}")
        w.load_weights_file(weights)

    # ---- 2. GUI thread while training -----------------------------------------------
    if "2" in sections:
        def timer_lateness(seconds: float) -> list[float]:
            late, last = [], [time.perf_counter()]

            def tick():
                now = time.perf_counter()
                late.append(max(0.0, 1e3 * (now - last[0]) - 10.0))
                last[0] = now
            t = QTimer()
            t.setTimerType(Qt.PreciseTimer)
            t.setInterval(10)
            t.timeout.connect(tick)
            last[0] = time.perf_counter()
            t.start()
            run_loop(int(seconds * 1000))
            t.stop()
            return late[1:]

        # Training speed headless: the same Trainer, one BLAS thread as in the app; measured
        # before and after the app's run (the machine is shared: the load drifts).
        from model.data import load_split
        train = load_split(tmp / "data", "train")

        def headless_speed() -> float:
            trainer = Trainer(PRESETS["default"], train.x, train.y, blas_threads=1)
            n, t0 = 0, None
            for ev in trainer.run():
                if not isinstance(ev, BatchEvent):
                    continue
                if t0 is None:
                    t0 = time.perf_counter()
                    continue
                n += 1
                if time.perf_counter() - t0 > min(args.seconds, 3.0):
                    trainer.stop()
            return n / (time.perf_counter() - t0)

        headless = [headless_speed()]
        w.tabs.setCurrentWidget(w.train_tab)
        run_loop(100)
        idle = timer_lateness(args.seconds)
        tt = w.train_tab
        tt.form.apply_preset("default")
        tt.form.epochs_spin.setValue(1000)
        tt.start()
        run = tt.run

        def batches() -> int:
            s = run.series.get("batch_loss")
            return 0 if s is None else s.n
        wait_until(lambda: batches() > 0)      # data loaded, training under way
        b0 = batches()
        t0 = time.perf_counter()
        c0 = time.thread_time()
        busy = timer_lateness(args.seconds)
        app_batches = (batches() - b0) / (time.perf_counter() - t0)
        busy_cpu = (time.thread_time() - c0) / (time.perf_counter() - t0)
        w.tabs.setCurrentWidget(w.network_view)   # the view follows the run live
        run_loop(300)
        c0, t0 = time.thread_time(), time.perf_counter()
        live = timer_lateness(args.seconds)
        live_cpu = (time.thread_time() - c0) / (time.perf_counter() - t0)
        tt.stop()
        wait_until(lambda: not tt.is_running())
        headless.append(headless_speed())
        print(f"\n2. GUI thread while training the default preset ({args.seconds:g} s each; "
              "10 ms timer lateness; goal: p99 < 20 ms, worst < 100 ms; "
              "load average {:.2f} {:.2f} {:.2f})".format(*os.getloadavg()))
        print(f"   idle:     {fmt(idle)}  ({len(idle)} ticks)")
        print(f"   GUI thread's CPU time: {1e3 * busy_cpu:5.0f} ms a second on the Train tab, "
              f"{1e3 * live_cpu:5.0f} ms with the Network tab live")
        print(f"   training: {fmt(busy)}  ({len(busy)} ticks)   "
              f"ratio p99 {pct(busy, 99) / max(pct(idle, 99), 1e-3):5.1f}x idle")
        print(f"   training, Network tab live: {fmt(live)}  ({len(live)} ticks)   "
              f"ratio p99 {pct(live, 99) / max(pct(idle, 99), 1e-3):5.1f}x idle")
        mean = statistics.mean(headless)
        print(f"   training speed in the app {app_batches:7.0f} batches/s, headless {mean:7.0f} batches/s "
              f"(before {headless[0]:.0f}, after {headless[1]:.0f}) (ratio {app_batches / mean:4.2f})")
    w.ask_before_quit = False   # the benchmark's runs are throw-away: no "not saved" prompt
    w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
