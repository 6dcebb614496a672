"""Train tab: runs in a worker thread, plots fill live, results become the active model."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QPushButton

from model.weights import load_weights


def button(window, name) -> QPushButton:
    b = window.findChild(QPushButton, name)
    assert b is not None and b.accessibleName() == name
    return b


def configure(tab, preset="deep", epochs=3, batch=64, **kw):
    tab.apply_preset(preset)
    tab.epochs_spin.setValue(epochs)
    tab.batch_spin.setValue(batch)
    for name, value in kw.items():
        getattr(tab, name).setValue(value) if hasattr(getattr(tab, name), "setValue") \
            else getattr(tab, name).setText(value)


def points(plot: pg.PlotWidget) -> list[int]:
    return [0 if c.getData()[0] is None else len(c.getData()[0]) for c in plot.getPlotItem().listDataItems()]


def test_short_run_fills_plots_and_becomes_active_model(window, qtbot, tmp_path):
    tab = window.train_tab
    old_net = window.state.network
    configure(tab, "deep", epochs=3, batch=64)
    n_train = 26 * 48
    n_batches = -(-n_train // 64)
    qtbot.mouseClick(button(window, "startButton"), Qt.LeftButton)
    assert tab.is_running()
    assert button(window, "stopButton").isEnabled() and not button(window, "startButton").isEnabled()
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=30000)
    # Every batch and epoch reached the plots (after the throttled redraw).
    loss_plot = window.findChild(pg.PlotWidget, "lossPlot")
    acc_plot = window.findChild(pg.PlotWidget, "accuracyPlot")
    grad_plot = window.findChild(pg.PlotWidget, "gradientPlot")
    assert loss_plot is tab.loss_plot and acc_plot is tab.accuracy_plot and grad_plot is tab.gradient_plot
    assert sorted(points(loss_plot)) == [3, 3 * n_batches]
    assert points(acc_plot) == [3]
    assert points(grad_plot) == [3 * n_batches, 3 * n_batches]      # two layers in the deep net
    assert grad_plot.getPlotItem().getAxis("left").logMode
    acc = tab.runs[-1].series["val_accuracy"].data()[1]
    assert np.all((acc >= 0) & (acc <= 100))
    # The trained network is now the active model, for Draw and Mistakes.
    assert window.state.network is not old_net
    assert window.state.network.spec.hidden == (20,)
    assert "trained" in window.model_label.text() and "289→20→26" in window.model_label.text()
    assert "Finished 3 epochs" in tab.status_label.text()
    assert tab.progress.value() == tab.progress.maximum() == 3 * n_batches
    qtbot.waitUntil(lambda: not window.mistakes_tab.is_busy(), timeout=10000)
    ev = window.mistakes_tab.evaluation
    expected = window.state.network.predict(window.state.validation.x)
    np.testing.assert_array_equal(ev.predicted, expected)
    # Save writes the active weights atomically with the run's metadata.
    path = window.save_weights_to(tmp_path / "deep.npz")
    net, meta = load_weights(path)
    assert meta["epochs"] == 3 and meta["preset"] == "custom" and meta["batch_size"] == 64
    assert abs(meta["val_accuracy"] - ev.accuracy) < 1e-9
    x = window.state.validation.x[:50]
    np.testing.assert_allclose(net.predict_proba(x), window.state.network.predict_proba(x), rtol=1e-6)
    assert "deep.npz" in window.model_label.text()


def test_stop_mid_run_then_second_run_fades_first(window, qtbot):
    tab = window.train_tab
    configure(tab, "shallow", epochs=2000, batch=16)
    start, stop = button(window, "startButton"), button(window, "stopButton")
    qtbot.mouseClick(start, Qt.LeftButton)
    qtbot.waitUntil(lambda: tab.point_counts().get("batch_loss", 0) > 20, timeout=20000)
    before = window.state.network
    qtbot.mouseClick(stop, Qt.LeftButton)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=10000)
    assert "Stopped during epoch" in tab.status_label.text()
    shown = tab.point_counts()["batch_loss"]
    assert 20 < shown < 2000 * 78
    assert window.state.network is not before          # the stopped run's weights are active
    assert window.state.network.spec.hidden == ()
    assert start.isEnabled() and not stop.isEnabled()
    # A second run: the first run's curves stay, faded; Clear plots removes them.
    configure(tab, "deep", epochs=1, batch=128)
    qtbot.mouseClick(start, Qt.LeftButton)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=20000)
    assert len(tab.runs) == 2
    first_pen = tab.runs[0].curves["batch_loss"].opts["pen"]
    assert first_pen.color().alpha() < 255
    assert len(tab.loss_plot.getPlotItem().listDataItems()) == 4
    qtbot.mouseClick(button(window, "clearPlotsButton"), Qt.LeftButton)
    assert tab.loss_plot.getPlotItem().listDataItems() == []
    assert tab.runs == []


def test_divergence_is_reported_in_the_tab(window, qtbot):
    tab = window.train_tab
    configure(tab, "default", epochs=3, batch=32)
    tab.hidden_edit.setText("64, 64, 64")
    tab.lr_spin.setValue(1000.0)
    tab.momentum_spin.setValue(0.9)
    qtbot.mouseClick(button(window, "startButton"), Qt.LeftButton)
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=20000)
    assert "Diverged" in tab.status_label.text()
    assert "b00020" in tab.status_label.styleSheet()
    assert "learning rate" in tab.status_label.text()
    # Reported in the tab, not in dialogs.
    assert not [d for d in QApplication.topLevelWidgets() if isinstance(d, QDialog) and d.isVisible()]


def test_bad_settings_are_reported(window, qtbot):
    tab = window.train_tab
    tab.hidden_edit.setText("20, x")
    qtbot.mouseClick(button(window, "startButton"), Qt.LeftButton)
    assert not tab.is_running()
    assert "whole numbers" in tab.status_label.text()


def test_presets_fill_the_controls(window):
    tab = window.train_tab
    tab.preset_combo.setCurrentIndex(tab.preset_combo.findData("shallow"))
    cfg = tab.config()
    assert (cfg.hidden, cfg.loss, cfg.lr, cfg.batch_size, cfg.epochs) == ((), "quadratic", 1000.0, 1024, 20)
    tab.preset_combo.setCurrentIndex(tab.preset_combo.findData("deep"))
    assert tab.config().hidden == (20,) and tab.config().loss == "cross_entropy" and tab.config().lr == 1.0
    # Editing a value makes it Custom; switching the loss takes that loss's usual rate.
    tab.loss_combo.setCurrentIndex(tab.loss_combo.findData("quadratic"))
    assert tab.preset_combo.currentData() == "custom"
    assert tab.config().lr == 1000.0


def test_closing_during_training_stops_and_joins(qtbot, weights_path, qtlog):
    from gui.app import MainWindow
    from gui.worker import running_workers

    w = MainWindow(weights=weights_path)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.state.validation is not None and not w.is_busy(), timeout=20000)
    configure(w.train_tab, "default", epochs=1000, batch=16)
    w.train_tab.start()
    qtbot.waitUntil(lambda: w.train_tab.point_counts().get("batch_loss", 0) > 5, timeout=20000)
    assert running_workers()
    w.close()
    assert running_workers() == []
    assert not w.train_tab.is_running()
    assert not [m for m in qtlog.records if "QThread" in m.message]


def test_stop_before_the_first_batch_keeps_the_active_model(window, qtbot):
    tab = window.train_tab
    before = window.state.network
    configure(tab, "deep", epochs=5, batch=64)
    qtbot.mouseClick(button(window, "startButton"), Qt.LeftButton)
    qtbot.mouseClick(button(window, "stopButton"), Qt.LeftButton)   # at once, while loading
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=10000)
    assert window.state.network is before
    assert "active model is unchanged" in tab.status_label.text()
    assert button(window, "startButton").isEnabled()
