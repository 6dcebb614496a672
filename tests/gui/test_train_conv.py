"""The Train tab trains the conv preset and plots the gradient of every parameterised layer."""
from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
from PySide6.QtWidgets import QPushButton

_spec = importlib.util.spec_from_file_location("test_train", pathlib.Path(__file__).with_name("test_train.py"))
tt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tt)


def test_conv_preset_trains_in_the_tab_and_plots_every_layers_gradient(qtbot, window):
    w = window
    qtbot.waitUntil(lambda: w.state.validation is not None and not w.is_busy(), timeout=20000)
    tab = w.train_tab
    tt.configure(qtbot, tab, "conv", epochs=1, batch=64)
    assert tab.form.conv_edit.text().replace(" ", "") == "32,32,pool,64,pool"
    run = tt.train(qtbot, w, timeout=120000)
    tt.assert_idle(w)
    assert run.network is not None and run.network.layer_names() == ["conv0", "conv1", "conv2", "fc0", "fc1"]
    counts = tab.plots.plotted(run)
    n = counts["batch_loss"]
    assert n > 0 and all(counts[f"grad{i}"] == n for i in range(5)), counts
    assert "grad5" not in counts
    assert tt.assert_finite_plots(tab) > 0
    # the legend names the layers of the run
    names = [label.text for _, label in tab.plots.gradient_legend.items]
    assert any("conv0" in t for t in names) and any("fc1" in t for t in names), names
    assert w.findChild(QPushButton, "startButton").isEnabled()
    # the trained conv net reads the validation images far above chance after one epoch
    x, y = w.state.validation.x, w.state.validation.y
    assert np.mean(run.network.predict(x) == y) > 0.2
