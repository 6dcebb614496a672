"""Main window: status bar, menus, settings, start-up without weights, main(), and a
guard against the PySide6 6.12.0 reference-count crash."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence

REPO = Path(__file__).resolve().parents[2]


def test_status_bar_names_the_active_weights(window, weights_path):
    from model.weights import describe, load_weights

    _, meta = load_weights(weights_path)
    text = window.model_label.text()
    assert weights_path.name in text
    assert describe(meta) in text
    assert f"validation {100 * meta['val_accuracy']:.1f} %" in text


def test_tabs_menus_and_shortcuts(window):
    assert [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())][:3] == \
        ["Train", "Draw", "Mistakes"]
    assert window.open_action.shortcut() == QKeySequence("Ctrl+O")
    assert window.save_action.shortcut() == QKeySequence("Ctrl+S")
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")


def test_settings_persist(qtbot, weights_path):
    from gui.app import MainWindow

    w = MainWindow(weights=weights_path)
    qtbot.addWidget(w)
    w.resize(780, 640)           # fits the 800x800 offscreen screen (restore clamps to it)
    size = (w.width(), w.height())
    w.tabs.setCurrentIndex(2)
    w.draw_tab.pen_spin.setValue(23)
    w.train_tab.form.apply_preset("shallow")
    w.train_tab.form.epochs_spin.setValue(7)
    qtbot.waitUntil(lambda: not w.is_busy(), timeout=20000)
    w.close()
    w2 = MainWindow(weights=weights_path)
    qtbot.addWidget(w2)
    assert (w2.width(), w2.height()) == size
    assert w2.tabs.currentIndex() == 2
    assert w2.draw_tab.pen_spin.value() == 23 and w2.draw_tab.canvas.pen_width == 23
    cfg = w2.train_tab.form.config()
    assert cfg.epochs == 7 and cfg.hidden == () and cfg.loss == "quadratic"
    qtbot.waitUntil(lambda: not w2.is_busy(), timeout=20000)
    w2.close()
    assert QSettings().format() == QSettings.IniFormat     # the temp location from conftest


def _run(code: str, tmp_path: Path, timeout: int = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_main_starts_and_quits(tmp_path):
    r = _run("""
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        import gui.app
        app = QApplication(["letterlab"])    # main() uses the running instance
        def later():
            w = QApplication.activeWindow() or [t for t in QApplication.topLevelWidgets()
                                                 if isinstance(t, gui.app.MainWindow)][0]
            print("window:", w.windowTitle(), w.tabs.count(), flush=True)
            w.close()
        QTimer.singleShot(1500, later)
        raise SystemExit(gui.app.main(["letterlab"]))
    """, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "window: LetterLab" in r.stdout and int(r.stdout.split()[2]) >= 3
    assert "Fatal Python error" not in r.stderr and "QThread" not in r.stderr


def test_many_slot_calls_and_paint_events_then_clean_exit(tmp_path):
    """PySide6 6.12.0 dropped a reference to None/True on every Python slot call and
    paintEvent override, and the interpreter aborted after a few thousand (often at exit).
    Do far more than that, with the app's own widgets, and require a clean exit."""
    r = _run("""
        import numpy as np
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtGui import QPainter
        from PySide6.QtWidgets import QApplication, QWidget
        import pyqtgraph as pg
        from gui.canvas import Canvas
        from gui.worker import Worker

        app = QApplication([])

        class Emitter(QObject):
            sig = Signal(object)
            flag = Signal(bool)

        calls = [0]
        def slot(v):
            calls[0] += 1
            return None
        e = Emitter()
        e.sig.connect(slot)
        e.flag.connect(slot)
        for i in range(20000):
            e.sig.emit(None)
            e.flag.emit(True)

        class Painted(QWidget):
            n = 0
            def paintEvent(self, ev):
                Painted.n += 1
                QPainter(self).end()
        w = Painted(); w.resize(40, 40); w.show()
        c = Canvas(); c.show()
        for i in range(5000):
            w.grab()                   # renders through the Python paintEvent
            if i % 2 == 0:
                c.grab()

        # Queued slot calls from a worker thread, drained by the event loop.
        got, done = [0], []
        worker = Worker(lambda ctx: iter(range(5000)), flush_interval=0.0, urgent=lambda item: True)
        worker.items.connect(lambda items: got.__setitem__(0, got[0] + len(items)))
        worker.done.connect(lambda: done.append(1))    # joined; the worker deletes itself
        worker.start()
        while not done or got[0] < 5000:
            app.processEvents()

        pw = pg.PlotWidget(); curve = pw.plot(); pw.show()
        x = np.arange(200.0)
        for i in range(2000):
            curve.setData(x, np.sin(x / 10 + i))
            app.processEvents()
        print("slots", calls[0], "paints", Painted.n, "queued", got[0])
    """, tmp_path, timeout=300)
    assert "Fatal Python error" not in r.stderr, r.stderr[-2000:]
    assert r.returncode == 0, r.stderr[-2000:]
    words = r.stdout.split()
    assert int(words[1]) == 40000 and int(words[3]) >= 5000 and int(words[5]) == 5000


def _error_dialog(qtbot, window):
    from PySide6.QtWidgets import QMessageBox

    qtbot.waitUntil(lambda: any(b.isVisible() for b in window.findChildren(QMessageBox, "errorDialog")),
                    timeout=5000)
    return next(b for b in window.findChildren(QMessageBox, "errorDialog") if b.isVisible())


def test_opening_a_bad_weights_file_shows_a_dialog_and_changes_nothing(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    bad = {"text.npz": b"not a weights file at all\n", "empty.npz": b"",
           "truncated.npz": b"PK\x03\x04" + b"\x00" * 40}
    before, n_runs, label = window.state.active, len(window.state.runs), window.model_label.text()
    changes = []
    window.state.modelChanged.connect(lambda: changes.append(1))
    for name, data in bad.items():
        path = tmp_path / name
        path.write_bytes(data)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, p=path, **k: (str(p), ""))
        qtbot.keyClick(window, Qt.Key_O, Qt.ControlModifier)      # File → Open (Ctrl+O)
        box = _error_dialog(qtbot, window)
        assert name in box.text() and "unchanged" in box.text()
        qtbot.mouseClick(box.button(QMessageBox.Ok), Qt.LeftButton)
        qtbot.waitUntil(lambda b=box: not b.isVisible(), timeout=2000)
    assert window.state.active is before and len(window.state.runs) == n_runs
    assert window.model_label.text() == label and changes == []


def test_opening_good_weights_adds_an_entry_to_go_back_to(window, qtbot, weights_path, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog

    first = window.state.active
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(weights_path), ""))
    qtbot.keyClick(window, Qt.Key_O, Qt.ControlModifier)
    opened = window.state.active
    assert opened is not first and opened.kind == "file" and opened.path == weights_path
    assert [r.id for r in window.state.runs] == [first.id, opened.id]
    window.train_tab.runs_list.select(first)
    qtbot.mouseClick(window.train_tab.runs_list.use_button, Qt.LeftButton)
    assert window.state.active is first


def test_quit_with_unsaved_runs_asks(window, qtbot, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from .conftest import answer_when_shown, visible_child

    tab = window.train_tab
    tab.form.apply_preset("shallow")
    tab.form.epochs_spin.setValue(1)
    tab.form.batch_spin.setValue(256)
    tab.start()
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=20000)
    run = window.state.runs.runs[-1]
    window.train_tab.use_run(run)
    assert run.unsaved
    window.ask_before_quit = True
    seen = answer_when_shown(lambda: visible_child(window, QMessageBox, "quitUnsavedDialog"),
                             lambda box: box.button(QMessageBox.Cancel).click())
    window.close()
    assert window.isVisible() and "1 run not saved" in seen[0] and run.name in seen[0]
    # Save all writes every unsaved run into the folder chosen.
    assert window.save_all([run], folder=tmp_path)
    assert (tmp_path / f"{run.name.replace(' ', '-')}.npz").is_file() and not run.unsaved
    window.close()
    assert not window.isVisible()


def test_the_model_description_leaves_the_status_messages_room(window, qtbot):
    """At the smallest window the status bar's model description ends in "…" (all of it in
    its tooltip) instead of pushing the messages out of sight."""
    window.resize(window.minimumSizeHint())
    qtbot.waitUntil(lambda: window.width() <= window.minimumSizeHint().width() + 1, timeout=2000)
    label = window.model_label
    assert label.text() == window.state.describe_model() == label.toolTip()
    assert label.fontMetrics().horizontalAdvance(label.text()) > label.width()     # it did not fit
    assert label.width() <= 0.45 * window.width() + 1
    window.statusBar().showMessage("Data set: /home/someone/.local/share/letterlab/letters")
    assert window.statusBar().width() - label.width() > 300                      # room to read it
