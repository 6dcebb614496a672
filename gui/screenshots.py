"""Take the README screenshots from the real window (a developer tool).

    xvfb-run -s '-screen 0 1280x900x24' python -m gui.screenshots assets/screenshots

Trains the tutorial's shallow net, then its deep net with the quadratic loss and with
cross-entropy (three runs in the runs list, each in its colour on every plot: the
vanishing gradient next to its cure), draws a
letter on the canvas with mouse events, and shows the Mistakes tab of the active
weights (``weights/default.npz`` if it exists, else a short run of the default preset).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def _loop(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _wait(cond, timeout_s: float = 600.0) -> None:
    end = time.monotonic() + timeout_s
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError("gave up waiting")
        _loop(20)


def _train(w, preset: str, name: str | None = None, **changes) -> None:
    tab, form = w.train_tab, w.train_tab.form
    form.apply_preset(preset)
    if "loss" in changes:
        form.loss_combo.setCurrentIndex(form.loss_combo.findData(changes.pop("loss")))
    for field, value in changes.items():
        getattr(form, field).setValue(value)
    tab.start()
    run = tab.run
    _wait(lambda: not tab.is_running())
    if name and run is not None:
        w.state.runs.update(run, name=name)


def _draw(canvas, letter: str, font: str = "futural") -> None:
    from HersheyFonts import HersheyFonts

    from .canvas import TYPICAL_LETTER_FRACTION

    f = HersheyFonts()
    f.load_default_font(font)
    strokes = [np.asarray(s, float) for s in f.all_glyphs[letter].strokes if len(s)]
    pts = np.concatenate(strokes)
    centre = (pts.min(0) + pts.max(0)) / 2
    side = canvas.width()
    h = TYPICAL_LETTER_FRACTION * side
    for s in strokes:
        p = (s - centre) / 21.0 * h + side / 2
        path = [p[0]]
        for a, b in zip(p[:-1], p[1:]):
            n = max(1, int(np.hypot(*(b - a)) / 4))
            path += [a + (b - a) * t for t in np.linspace(0, 1, n + 1)[1:]]
        q = [QPoint(int(x), int(y)) for x, y in path]
        QTest.mousePress(canvas, Qt.LeftButton, Qt.NoModifier, q[0])
        for pt in q[1:]:
            QTest.mouseMove(canvas, pt)
        QTest.mouseRelease(canvas, Qt.LeftButton, Qt.NoModifier, q[-1])
        _loop(30)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0] if argv else "assets/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(["letterlab"])   # keep a reference
    app.setApplicationName("LetterLab")
    from .app import DEFAULT_WEIGHTS, MainWindow

    w = MainWindow()
    w.resize(1240, 820)
    w.show()
    _wait(lambda: w.state.validation is not None and not w.is_busy())

    w.ask_before_quit = False
    w.tabs.setCurrentWidget(w.train_tab)
    _train(w, "shallow", "shallow, quadratic", epochs_spin=20)
    _train(w, "deep", "deep, quadratic", loss="quadratic", epochs_spin=20)
    _train(w, "deep", "deep, cross-entropy", epochs_spin=20)
    _loop(300)
    w.grab().save(str(out / "train.png"))
    print("train:", w.train_tab.status_label.text())

    if not DEFAULT_WEIGHTS.is_file():
        _train(w, "default", epochs_spin=6)
        print("default preset, 6 epochs:", w.train_tab.status_label.text())
    else:
        w.load_weights_file(DEFAULT_WEIGHTS)

    w.tabs.setCurrentWidget(w.draw_tab)
    _loop(200)
    _draw(w.draw_tab.canvas, "R")
    _loop(300)
    w.grab().save(str(out / "draw.png"))
    print("draw: guess", w.draw_tab.prediction.text())

    w.tabs.setCurrentWidget(w.mistakes_tab)
    _wait(lambda: not w.mistakes_tab.is_busy())
    _loop(300)
    w.grab().save(str(out / "mistakes.png"))
    print("mistakes:", w.mistakes_tab.summary.text())
    w.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
