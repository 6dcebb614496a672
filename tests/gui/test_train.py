"""Train tab: runs in a worker thread, every run kept in the runs list, plots fill live
with finite values only, and the active model changes only when it should."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QPushButton, QSlider, QTreeWidget

from model.weights import load_weights


def button(window, name) -> QPushButton:
    b = window.findChild(QPushButton, name)
    assert b is not None and b.accessibleName() == name
    return b


def configure(qtbot, tab, preset="deep", epochs=3, batch=64, **kw):
    """Fill the form as a user would: choose the preset, then type into the fields."""
    form = tab.form
    form.preset_combo.setCurrentIndex(form.preset_combo.findData(preset))
    for spin, value in (("epochs_spin", epochs), ("batch_spin", batch), *kw.items()):
        w = getattr(form, spin)
        if hasattr(w, "setValue"):
            w.selectAll()
            qtbot.keyClicks(w, str(value))
            qtbot.keyClick(w, Qt.Key_Enter)
            assert abs(w.value() - value) < 1e-9, (spin, w.value())
        else:
            w.clear()
            qtbot.keyClicks(w, value)


def train(qtbot, window, timeout=30000):
    tab = window.train_tab
    qtbot.mouseClick(button(window, "startButton"), Qt.LeftButton)
    assert tab.is_running()
    run = tab.run
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=timeout)
    return run


def assert_idle(window):
    tab = window.train_tab
    assert button(window, "startButton").isEnabled() and not button(window, "stopButton").isEnabled()
    assert tab.form.isEnabled() and tab.worker is None


def assert_finite_plots(tab):
    n = 0
    for x, y in tab.plots.all_plotted_values():
        assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))
        n += len(x)
    for plot in (tab.plots.loss_plot, tab.plots.accuracy_plot, tab.plots.gradient_plot):
        (x0, x1), (y0, y1) = plot.getPlotItem().getViewBox().viewRange()
        assert all(math.isfinite(v) for v in (x0, x1, y0, y1))
    return n


def rows(window) -> list[list[str]]:
    tree = window.findChild(QTreeWidget, "runsList")
    return [[tree.topLevelItem(i).text(c) for c in range(tree.columnCount())]
            for i in range(tree.topLevelItemCount())]


def save_untrained(tmp_path, preset="shallow"):
    """Weights of an untrained network (near chance): a model any real run beats."""
    from model.network import Network
    from model.training import PRESETS
    from model.weights import save_weights

    net = Network(PRESETS[preset].spec, np.random.default_rng(0))
    return save_weights(net, tmp_path / "weak.npz", val_accuracy=0.04)


def test_finished_run_fills_plots_and_beats_a_weak_model_undo_restores(qtbot, weights_path, tmp_path):
    from gui.app import MainWindow

    w = MainWindow(weights=save_untrained(tmp_path))
    w.ask_before_quit = False
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.state.validation is not None and not w.is_busy(), timeout=20000)
    tab, weak = w.train_tab, w.state.active
    configure(qtbot, tab, "deep", epochs=3, batch=64)
    n_batches = -(-26 * 48 // 64)
    run = train(qtbot, w)
    assert_idle(w)
    # Every batch and epoch reached the plots, in the run's colour.
    loss_plot = w.findChild(pg.PlotWidget, "lossPlot")
    assert loss_plot is tab.plots.loss_plot
    counts = tab.plots.plotted(run)
    assert counts["batch_loss"] == 3 * n_batches and counts["epoch_loss"] == 3
    assert counts["val_accuracy"] == 3
    assert counts["grad0"] == counts["grad1"] == 3 * n_batches       # two layers in the deep net
    assert tab.plots.curves[run.id]["epoch_loss"].opts["pen"].color().name().lower() == run.colour.lower()
    assert assert_finite_plots(tab) > 0
    # It finished and beat the weak model: it is now active, and says so.
    assert run.state == "finished" and run.best_accuracy > 0.3
    assert w.state.active is run and w.state.network is run.network
    assert "Now using run" in w.statusBar().currentMessage()
    assert "trained in this window" in w.model_label.text()
    assert [r[3] for r in rows(w)] == ["loaded", "finished · in use · unsaved"]
    # Undo goes back to the weak model.
    qtbot.mouseClick(button(w, "undoRunButton"), Qt.LeftButton)
    assert w.state.active is weak
    assert not button(w, "undoRunButton").isEnabled()
    # Save writes the run's weights with its metadata.
    path = tab.save_run_to(run, tmp_path / "deep.npz")
    net, meta = load_weights(path)
    assert meta["epochs"] == 3 and meta["preset"] == "custom" and meta["batch_size"] == 64
    x = w.state.validation.x[:50]
    np.testing.assert_allclose(net.predict_proba(x), run.network.predict_proba(x), rtol=1e-6)
    assert not run.unsaved
    w.ask_before_quit = False
    w.close()


def test_diverging_run_keeps_the_model_and_plots_stay_finite(window, qtbot, qtlog, capfd):
    tab = window.train_tab
    before = window.state.active
    configure(qtbot, tab, "default", epochs=3, batch=32, lr_spin=1e6)
    run = train(qtbot, window)
    assert run.state == "diverged"
    assert_idle(window)
    assert window.state.active is before                       # not replaced
    assert "Diverged" in tab.status_label.text() or "diverged" in tab.status_label.text()
    assert "b00020" in tab.status_label.styleSheet()
    assert "learning rate" in tab.status_label.text()
    assert_finite_plots(tab)
    for s in run.series.values():
        assert np.all(np.isfinite(s.data()[1]))
    # Redraws after the end raise nothing and print nothing.
    for _ in range(3):
        tab.plots.redraw()
    qtbot.wait(100)
    err = capfd.readouterr().err
    assert "Cannot set range" not in err and "Traceback" not in err
    assert not [m for m in qtlog.records if "range" in m.message.lower()]
    # The diverged run stays in the list, marked, with weights to inspect.
    assert rows(window)[-1][3] == "diverged"
    assert run.network is not None
    # Reported in the tab, not in dialogs; and another run can start at once.
    assert not [d for d in QApplication.topLevelWidgets() if isinstance(d, QDialog) and d.isVisible()]
    assert button(window, "startButton").isEnabled()


def test_dead_run_is_flagged_not_learning(window, qtbot):
    tab = window.train_tab
    before = window.state.active
    configure(qtbot, tab, "shallow", epochs=3, batch=256, lr_spin=0.0001)
    run = train(qtbot, window)
    assert run.state == "not learning", (run.state, run.best_accuracy)
    assert "learning rate" in run.message
    assert window.state.active is before
    assert_idle(window)


def start_then_stop(qtbot, window):
    """Start a long shallow run with the Start button, Stop it after 20 batches; the run."""
    tab = window.train_tab
    configure(qtbot, tab, "shallow", epochs=2000, batch=16)
    qtbot.mouseClick(button(window, "startButton"), Qt.LeftButton)
    run = tab.run
    qtbot.waitUntil(lambda: run.series.get("batch_loss") is not None and run.series["batch_loss"].n > 20,
                    timeout=20000)
    qtbot.mouseClick(button(window, "stopButton"), Qt.LeftButton)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=10000)
    return run


def test_stopped_run_does_not_replace_the_active_model(window, qtbot):
    tab = window.train_tab
    before = window.state.active
    run = start_then_stop(qtbot, window)
    assert run.state == "stopped" and run.network is not None
    assert "Stopped during epoch" in tab.status_label.text()
    assert window.state.active is before
    assert_idle(window)


def test_use_delete_undo_and_show_hide_in_the_runs_list(window, qtbot):
    tab = window.train_tab
    shipped = window.state.active
    configure(qtbot, tab, "shallow", epochs=1, batch=128)
    first = train(qtbot, window)
    configure(qtbot, tab, "deep", epochs=1, batch=128)
    second = train(qtbot, window)
    assert [r[0] for r in rows(window)] == [shipped.name, first.name, second.name]
    assert first.colour != second.colour
    # Use this model: select the first run, click.
    tab.runs_list.select(first)
    qtbot.mouseClick(button(window, "useRunButton"), Qt.LeftButton)
    assert window.state.active is first
    assert not button(window, "deleteRunButton").isEnabled()     # the model in use stays
    # Delete the second with the Delete key, then Undo brings it back in its place.
    tab.runs_list.select(second)
    tree = window.findChild(QTreeWidget, "runsList")
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key_Delete)
    assert second not in window.state.runs.runs and second.id not in tab.plots.curves
    assert len(rows(window)) == 2
    qtbot.mouseClick(button(window, "undoRunButton"), Qt.LeftButton)
    assert window.state.runs.runs == [shipped, first, second]
    qtbot.waitUntil(lambda: tab.plots.plotted(second)["epoch_loss"] == 1, timeout=2000)
    # Unticking a run hides its curves on every plot and drops it from the legend.
    item = tab.runs_list.items[first.id]
    item.setCheckState(0, Qt.Unchecked)
    assert not first.visible
    assert not any(c.isVisible() for c in tab.plots.curves[first.id].values())
    assert all(c.isVisible() for c in tab.plots.curves[second.id].values())
    names = [label.text for _, label in tab.plots.loss_legend.items]
    assert not any(first.name in n for n in names) and any(second.name in n for n in names)
    # Renaming in the list renames the run.
    item.setText(0, "tutorial shallow")
    assert first.name == "tutorial shallow"
    # Going back to the shipped weights is one click.
    tab.runs_list.select(shipped)
    qtbot.mouseClick(button(window, "useRunButton"), Qt.LeftButton)
    assert window.state.active is shipped


def test_bad_settings_are_reported(window, qtbot):
    tab = window.train_tab
    tab.form.hidden_edit.clear()
    qtbot.keyClicks(tab.form.hidden_edit, "20, x")
    n = len(window.state.runs)
    qtbot.mouseClick(button(window, "startButton"), Qt.LeftButton)
    assert not tab.is_running() and len(window.state.runs) == n
    assert "whole numbers" in tab.status_label.text()


def test_presets_fill_the_form_from_the_registries(window):
    from model.training import PRESETS

    form = window.train_tab.form
    assert [form.preset_combo.itemData(i) for i in range(form.preset_combo.count())] == [*PRESETS, "custom"]
    form.preset_combo.setCurrentIndex(form.preset_combo.findData("shallow"))
    cfg = form.config()
    assert (cfg.hidden, cfg.loss, cfg.lr, cfg.batch_size, cfg.epochs) == ((), "quadratic", 1000.0, 1024, 20)
    form.preset_combo.setCurrentIndex(form.preset_combo.findData("deep"))
    assert form.config().hidden == (20,) and form.config().loss == "cross_entropy" and form.config().lr == 1.0
    # Editing a value makes it Custom; switching the loss takes that loss's usual rate.
    form.loss_combo.setCurrentIndex(form.loss_combo.findData("quadratic"))
    assert form.preset_combo.currentData() == "custom"
    assert form.config().lr == 1000.0


def test_closing_during_training_asks_then_stops_and_joins(qtbot, weights_path, qtlog):
    from PySide6.QtWidgets import QMessageBox

    from gui.app import MainWindow
    from gui.worker import running_workers

    from .conftest import answer_when_shown, visible_child

    w = MainWindow(weights=weights_path)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.state.validation is not None and not w.is_busy(), timeout=20000)
    w.ask_before_quit = True
    configure(qtbot, w.train_tab, "default", epochs=1000, batch=16)
    w.train_tab.start()
    run = w.train_tab.run
    qtbot.waitUntil(lambda: run.series.get("batch_loss") is not None and run.series["batch_loss"].n > 5,
                    timeout=20000)
    answers = []

    def answer(button_text):
        def click(box):
            role = QMessageBox.RejectRole if button_text == "cancel" else QMessageBox.AcceptRole
            b = next(b for b in box.buttons() if box.buttonRole(b) == role)
            answers.append(b.text())
            b.click()
        answer_when_shown(lambda: visible_child(w, QMessageBox, "quitRunningDialog"), click)

    answer("cancel")
    w.close()
    assert answers == ["Cancel"] and w.isVisible() and w.train_tab.is_running()
    answer("stop")
    w.ask_before_quit = True
    # "Stop and quit" is the user's answer for the run in progress: no second question.
    w.close()
    assert not w.isVisible()
    assert running_workers() == []
    assert not w.train_tab.is_running()
    assert not [m for m in qtlog.records if "QThread" in m.message]


def test_stop_before_the_first_batch_keeps_the_active_model(window, qtbot):
    tab = window.train_tab
    before = window.state.active
    n = len(window.state.runs)
    configure(qtbot, tab, "deep", epochs=5, batch=64)
    qtbot.mouseClick(button(window, "startButton"), Qt.LeftButton)
    qtbot.mouseClick(button(window, "stopButton"), Qt.LeftButton)   # at once, while loading
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=10000)
    assert window.state.active is before
    assert len(window.state.runs) == n          # nothing trained, nothing kept
    assert_idle(window)


def test_pause_step_resume_and_stop_while_paused(window, qtbot):
    """Pause keeps the thread alive and waiting; Step trains exactly one batch; Resume goes
    on; Stop while paused ends the run and the tab goes idle."""
    tab = window.train_tab
    configure(qtbot, tab, "shallow", epochs=2000, batch=16)
    pause, step = button(window, "pauseButton"), button(window, "stepButton")
    assert not pause.isEnabled() and not step.isEnabled()
    qtbot.mouseClick(button(window, "startButton"), Qt.LeftButton)
    run = tab.run

    def n():
        s = run.series.get("batch_loss")
        return 0 if s is None else s.n

    qtbot.waitUntil(lambda: n() > 5, timeout=20000)
    assert pause.isEnabled() and not step.isEnabled()
    qtbot.mouseClick(pause, Qt.LeftButton)
    assert pause.text() == "Resume" and step.isEnabled()
    qtbot.waitUntil(lambda: tab.worker.waiting, timeout=10000)
    qtbot.wait(100)                      # the batches sent before it waited arrive
    paused_at = n()
    assert paused_at > 5 and "Paused after epoch" in tab.status_label.text()
    qtbot.wait(300)
    assert n() == paused_at and tab.worker.isRunning()     # alive, not training
    for k in (1, 2):
        qtbot.mouseClick(step, Qt.LeftButton)
        qtbot.waitUntil(lambda k=k: n() == paused_at + k, timeout=10000)
        qtbot.waitUntil(lambda: tab.worker.waiting, timeout=10000)
        qtbot.wait(200)
        assert n() == paused_at + k                         # exactly one batch per step
    tab.plots.redraw()
    assert len(tab.plots.curves[run.id]["batch_loss"].xData) == paused_at + 2   # what the plot holds
    # Resume goes on at full pace.
    qtbot.mouseClick(pause, Qt.LeftButton)
    assert pause.text() == "Pause" and not step.isEnabled()
    qtbot.waitUntil(lambda: n() > paused_at + 20, timeout=20000)
    # Pause again, then Stop while paused: the run ends, stopped, and the tab is idle.
    qtbot.mouseClick(pause, Qt.LeftButton)
    qtbot.waitUntil(lambda: tab.worker.waiting, timeout=10000)
    qtbot.wait(100)
    stopped_at = n()
    qtbot.mouseClick(button(window, "stopButton"), Qt.LeftButton)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=10000)
    assert run.state == "stopped" and n() == stopped_at       # no batch after Stop
    assert_idle(window)
    assert not pause.isEnabled() and not pause.isChecked() and pause.text() == "Pause"


def test_pace_slider_slows_training_down(window, qtbot):
    tab = window.train_tab
    slider = window.findChild(QSlider, "paceSlider")
    assert tab.pace == 0 and "fast" in tab.pace_label.text()
    slider.setFocus()
    qtbot.keyClick(slider, Qt.Key_Home)                      # slowest: 1 batch a second
    assert tab.pace == 1 and tab.pace_label.text() == "1 batch/s"
    qtbot.keyClick(slider, Qt.Key_Right)
    assert tab.pace_label.text() == "2 batches/s"
    qtbot.keyClick(slider, Qt.Key_Home)
    configure(qtbot, tab, "shallow", epochs=2000, batch=16)
    qtbot.mouseClick(button(window, "startButton"), Qt.LeftButton)
    run = tab.run
    qtbot.waitUntil(lambda: run.series.get("batch_loss") is not None, timeout=20000)
    qtbot.wait(1200)
    assert run.series["batch_loss"].n <= 3                   # a batch a second, not hundreds
    qtbot.keyClick(slider, Qt.Key_End)                       # full pace again, while it runs
    qtbot.waitUntil(lambda: run.series["batch_loss"].n > 50, timeout=20000)
    qtbot.mouseClick(button(window, "stopButton"), Qt.LeftButton)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=10000)
    assert_idle(window)


def test_compare_two_runs_side_by_side_with_differences_highlighted(window, qtbot):
    """Deep + quadratic against deep + cross-entropy: Ctrl+click the two runs, Compare…"""
    from PySide6.QtGui import QColor

    tab = window.train_tab
    form = tab.form
    configure(qtbot, tab, "deep", epochs=2, batch=64)
    form.loss_combo.setCurrentIndex(form.loss_combo.findData("quadratic"))     # lr follows: 1000
    quadratic = train(qtbot, window)
    configure(qtbot, tab, "deep", epochs=2, batch=64)
    cross = train(qtbot, window)
    compare = button(window, "compareButton")
    tree = window.findChild(QTreeWidget, "runsList")
    tab.runs_list.select(quadratic)
    assert not compare.isEnabled()                       # one run selected
    rect = tree.visualItemRect(tab.runs_list.items[cross.id])
    qtbot.mouseClick(tree.viewport(), Qt.LeftButton, Qt.ControlModifier, rect.center())
    assert tab.runs_list.selected_runs() == [quadratic, cross] and compare.isEnabled()
    qtbot.mouseClick(compare, Qt.LeftButton)
    dialog = window.findChild(QDialog, "compareDialog")
    assert dialog is not None and dialog.isVisible()
    # The recipes' differences are highlighted: the loss and the learning rate, not the batch.
    table = dialog.table
    labels = [table.item(i, 0).text() for i in range(table.rowCount())]
    row = {label: i for i, label in enumerate(labels)}
    assert table.item(row["Loss"], 1).text() == "quadratic" and table.item(row["Loss"], 2).text() == "cross entropy"
    assert table.item(row["Learning rate"], 1).text() == "1000" and table.item(row["Learning rate"], 2).text() == "1"
    highlighted = [label for label, i in row.items()
                   if table.item(i, 1).background().color() == QColor("#fff1b8")]
    assert "Loss" in highlighted and "Learning rate" in highlighted
    assert "Batch size" not in highlighted and "Hidden layers" not in highlighted
    assert dialog.findChild(QLabel, "compareSummary").text() == "Differences: Loss, Learning rate"
    # Each side shows its own run's curves, on the same scales.
    for col, run in enumerate((quadratic, cross)):
        grad = dialog.findChild(pg.PlotWidget, f"compareGradient{col}").getPlotItem()
        curves = [c for c in grad.listDataItems()]
        assert len(curves) == 2 and all(len(c.xData) == run.series["grad0"].n for c in curves)
        acc = dialog.findChild(pg.PlotWidget, f"compareAccuracy{col}").getPlotItem().listDataItems()
        assert len(acc) == 1 and list(acc[0].yData) == list(run.series["val_accuracy"].data()[1])
    for key in ("loss", "gradient"):
        assert dialog.y_range(key, 0) == dialog.y_range(key, 1)
        assert all(math.isfinite(v) for v in dialog.y_range(key, 0))
    dialog.close()
